//! A packet counter, written against the user-level library only.
//!
//! The device manager (the kernel's part) creates a VI for the process and installs its filter
//! (`udp`, by default); the process then registers nothing more, posts its buffers, sleeps
//! until the card interrupts, counts what arrived per source address and port, and re-arms.
//! The card here is the simulated one, fed with a trace.
//!
//!     cargo run --release -p arsenic-testbenches --example packet_counter -- \
//!         [PCAP] [FILTER] [HOLDOFF_CYCLES]

use arsenic_host::{DeviceManager, FilterManager, QueueConfig, ViConfig, ViEvent};
use arsenic_interface::classifier::ClassifierParams;
use arsenic_interface::params::Speed;
use arsenic_testbenches::replay::wire_frames;
use arsenic_testbenches::sim::{Sim, SimConfig};
use arsenic_testbenches::trace;
use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let frames = match args.next() {
        Some(p) => trace::read_file(std::path::Path::new(&p))?,
        None => trace::read_bytes(
            arsenic_testbenches::job::DEFAULT_TRACE,
            arsenic_testbenches::job::DEFAULT_TRACE_NAME,
        )?,
    };
    let filter = args.next().unwrap_or_else(|| "ip or ip6".to_string());
    let holdoff: u16 = args.next().map_or(Ok(2000), |s| s.parse())?;

    // The kernel's part: the card, the OS path, a VI for this process and its filter.
    let speed = Speed::Gbe1;
    let mut sim = Sim::new(SimConfig::new(speed));
    DeviceManager::probe(&mut sim, speed, 1522)?;
    let mut dm = DeviceManager::open_default_queue(&mut sim, QueueConfig::default())?;
    let cfg = ViConfig {
        holdoff,
        ..ViConfig::default()
    };
    let mut vi = dm.create_vi(&mut sim, cfg)?;
    let mut fm = FilterManager::new(ClassifierParams::SIM);
    fm.clear(&mut sim);
    fm.install(&mut sim, &filter, vi.vi(), 1)?;
    sim.drain_writes();
    let wire = wire_frames(&frames, speed, true, None);
    let start = sim.cycle();
    let total = wire.len();
    sim.send(wire.into_iter().map(|mut f| {
        f.earliest += start;
        f
    }));

    // The process: post buffers, then sleep, wake, count, re-arm.
    vi.refill(&mut sim, true)?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let (mut wakeups, mut seen) = (0u64, 0u64);
    let mut events = Vec::new();
    loop {
        vi.arm(&mut sim);
        let woken = dm.wait_for(&mut sim, &[vi.vi()], 5_000_000);
        let mut os = Vec::new();
        dm.poll(&mut sim, &mut os)?; // the OS path takes the rest
        if woken.is_empty() {
            break; // the trace is over
        }
        wakeups += 1;
        events.clear();
        vi.poll(&mut sim, &mut events)?;
        for e in &events {
            if let ViEvent::Rx(f) = e {
                seen += 1;
                *counts.entry(source(&f.data)).or_default() += 1;
            }
        }
    }
    let stats = vi.stats(&mut sim);
    println!(
        "VI {} (filter `{filter}`): {seen} of {total} frames in {wakeups} wake-ups \
         (holdoff {holdoff} cycles)",
        vi.vi()
    );
    for (src, n) in &counts {
        println!("  {n:>6}  {src}");
    }
    println!("counters on the card: {stats:?}");
    Ok(())
}

/// "address:port" of an untagged IPv4/IPv6 UDP or TCP frame's source, or the ethertype.
fn source(f: &[u8]) -> String {
    let et = u16::from_be_bytes([f[12], f[13]]);
    let (addr, proto, l4) = match et {
        0x0800 if f.len() >= 34 => {
            let ihl = (f[14] & 0xF) as usize * 4;
            (
                std::net::Ipv4Addr::new(f[26], f[27], f[28], f[29]).to_string(),
                f[23],
                14 + ihl,
            )
        }
        0x86DD if f.len() >= 54 => {
            let a: [u8; 16] = f[22..38].try_into().unwrap();
            (std::net::Ipv6Addr::from(a).to_string(), f[20], 54)
        }
        _ => return format!("ethertype {et:#06x}"),
    };
    if (proto == 6 || proto == 17) && f.len() >= l4 + 2 {
        format!("{addr}:{}", u16::from_be_bytes([f[l4], f[l4 + 1]]))
    } else {
        format!("{addr} proto {proto}")
    }
}
