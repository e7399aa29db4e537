//! Transmit figures of the card, from the cycle-accurate model (deterministic):
//!
//! - throughput per frame size (64 to 1518 octets on the wire) at 1 GbE and 10 GbE, as a
//!   fraction of line rate, one VI keeping its ring full;
//! - doorbell-to-wire latency: a frame posted to an idle card, from the cycle its doorbell
//!   write reaches the card to the cycle its first symbol is on the wire (GMII: first
//!   preamble octet; XGMII: /S/), over many frames posted one at a time.
//!
//! `cargo run --release -p arsenic-testbenches --example tx_perf [frames-per-size]`

use arsenic_host::{DeviceManager, QueueConfig, TxSchedule, ViConfig};
use arsenic_interface::params::Speed;
use arsenic_testbenches::sim::{Sim, SimConfig};
use arsenic_testbenches::txwork::generated;

fn card(speed: Speed) -> (Sim, DeviceManager) {
    let mut sim = Sim::new(SimConfig::new(speed));
    DeviceManager::probe(&mut sim, speed, 1522).unwrap();
    let q = QueueConfig {
        ring_log2: 4,
        evq_log2: 8,
        buffers: 16,
        batch: 4,
        ..Default::default()
    };
    let dm = DeviceManager::open_default_queue(&mut sim, q).unwrap();
    (sim, dm)
}

fn vi_cfg() -> ViConfig {
    ViConfig {
        ring_log2: 4,
        evq_log2: 10,
        buffers: 16,
        batch: 4,
        tx_ring_log2: 9,
        tx_buffers: 256,
        tx: TxSchedule {
            unrestricted: true,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn throughput(speed: Speed, size: usize, n: usize) -> (f64, f64) {
    let (mut sim, mut dm) = card(speed);
    let mut u = dm.create_vi(&mut sim, vi_cfg()).unwrap();
    let frames = generated(1, size, n);
    let mut next = 0;
    let mut ev = Vec::new();
    while sim.tx_frames().len() < n {
        u.poll(&mut sim, &mut ev).unwrap();
        ev.clear();
        if next < n && u.tx_free() > 0 {
            next += u.transmit(&mut sim, &frames[next..]).unwrap();
        }
        for _ in 0..32 {
            sim.step();
        }
    }
    let w = sim.tx_frames();
    // From the first frame's start to the last frame's start: n - 1 frames' worth of wire.
    let span = (w[n - 1].start_cycle - w[0].start_cycle) as f64;
    let octets = span * speed.octets_per_cycle() as f64;
    let per_frame = (size + 8 + 12) as f64; // frame, preamble, minimum gap
    let fraction = (n - 1) as f64 * per_frame / octets;
    let mpps = (n - 1) as f64 / (span / speed.clock_hz() as f64) / 1e6;
    (fraction, mpps)
}

fn latency(speed: Speed, n: usize) -> Vec<u64> {
    let (mut sim, mut dm) = card(speed);
    let mut u = dm.create_vi(&mut sim, vi_cfg()).unwrap();
    let frames = generated(1, 64, n);
    let mut lat = Vec::new();
    let mut ev = Vec::new();
    for f in &frames {
        // The doorbell is the last write of the batch; the simulator puts queued writes on
        // the bus one a cycle from the next cycle on.
        u.transmit(&mut sim, std::slice::from_ref(f)).unwrap();
        sim.drain_writes();
        let rang = sim.cycle() - 1;
        let seen = sim.tx_frames().len();
        while sim.tx_frames().len() == seen {
            sim.step();
        }
        lat.push(sim.tx_frames()[seen].start_cycle - rang);
        for _ in 0..2000 {
            sim.step();
        }
        u.poll(&mut sim, &mut ev).unwrap();
        ev.clear();
    }
    lat.sort_unstable();
    lat
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("frames per size"))
        .unwrap_or(2000);
    println!("transmit throughput, one VI, {n} frames per point (fraction of line rate, Mpps)");
    println!("{:>6} {:>18} {:>18}", "size", "1 GbE", "10 GbE");
    for size in [64usize, 128, 256, 512, 1024, 1518] {
        let (f1, p1) = throughput(Speed::Gbe1, size, n.min(1000));
        let (f10, p10) = throughput(Speed::Gbe10, size, n);
        println!("{size:>6} {f1:>9.4} {p1:>7.3} Mpps {f10:>9.4} {p10:>7.3} Mpps");
    }
    for speed in [Speed::Gbe1, Speed::Gbe10] {
        let l = latency(speed, 200);
        let ns = speed.ns_per_cycle();
        println!(
            "doorbell to wire, {:?}, 64-octet frames on an idle card, cycles: min {} median {} p99 {} max {} ({:.0} ns median)",
            speed,
            l[0],
            l[l.len() / 2],
            l[l.len() * 99 / 100],
            l[l.len() - 1],
            l[l.len() / 2] as f64 * ns
        );
    }
}
