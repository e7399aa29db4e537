//! Receive through the host tunnel, from the cycle-accurate model of the board's card
//! (`TunnelNic`, 125 MHz): frames of one size offered back to back on port 0 at 1 GbE line
//! rate, delivered to the OS path with every DMA write, event, descriptor read and interrupt
//! crossing the tunnel on port 1, the device manager polling. Prints what share arrived, the
//! drops by reason, and the delivered rate while frames flowed.
//!
//! `cargo run --release -p arsenic-testbenches --example tunnel_rate [frames-per-size]`

use arsenic_host::{Device, DeviceManager, HostMemory, QueueConfig, RxFrame, TunnelDevice};
use arsenic_interface::classifier::ClassifierParams;
use arsenic_interface::params::Speed;
use arsenic_interface::regs::Counter;
use arsenic_testbenches::tunnel_sim::TunnelSim;

fn frame(len: usize, seq: u32) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x88, 0xB6];
    f.extend_from_slice(&seq.to_be_bytes());
    f.resize(len, 0x5A);
    f
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("frames per size"))
        .unwrap_or(300);
    println!("receive through the tunnel, {n} frames per size offered at 1 GbE line rate");
    println!(
        "{:>6} {:>10} {:>10} {:>10} {:>12} {:>12}",
        "size", "delivered", "overflow", "no-desc", "Mb/s", "of line"
    );
    for size in [60usize, 252, 508, 1514] {
        let mut dev = TunnelDevice::new(
            TunnelSim::new(),
            HostMemory::new(0x1_0000_0000, 64 << 20),
            [0x02, 0, 0, 0, 0, 0x42],
        );
        DeviceManager::probe(&mut dev, Speed::Gbe1, 1518).expect("probe");
        let mut dm = DeviceManager::open_with_tx_filters(
            &mut dev,
            QueueConfig::default(),
            ClassifierParams::TX_BOARD,
        )
        .expect("open");
        assert_eq!(
            dev.read32(arsenic_interface::regs::ID),
            arsenic_interface::regs::ID_VALUE
        );
        let t0 = dev.now();
        for i in 0..n {
            dev.link().send_net(&frame(size, i as u32));
        }
        let mut got: Vec<RxFrame> = Vec::new();
        let mut last_arrival = t0;
        let mut quiet = 0;
        while quiet < 40 {
            dev.wait(512);
            let before = got.len();
            dm.poll(&mut dev, &mut got).expect("poll");
            if got.len() > before {
                last_arrival = dev.now();
                quiet = 0;
            } else {
                quiet += 1;
            }
        }
        let c = DeviceManager::counters(&mut dev);
        let secs = (last_arrival - t0) as f64 / 125e6;
        let mbps = got.len() as f64 * size as f64 * 8.0 / secs / 1e6;
        // On the wire a frame takes its octets, the FCS, preamble and gap.
        let line = 1e3 * size as f64 / (size + 4 + 20) as f64;
        println!(
            "{:>6} {:>10} {:>10} {:>10} {:>12.1} {:>11.1}%",
            size + 4,
            got.len(),
            c[&Counter::DropOverflow],
            c[&Counter::DropNoDesc],
            mbps,
            100.0 * mbps / line
        );
    }
}
