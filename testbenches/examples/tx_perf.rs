//! Transmit figures of the card, from the cycle-accurate model (deterministic), as
//! `arsenic bench` measures them:
//!
//! - throughput per frame size (64 to 1518 octets on the wire) at 1 GbE and 10 GbE, as a
//!   fraction of line rate, one VI keeping its ring full;
//! - doorbell-to-wire latency: a frame posted to an idle card, from the cycle its doorbell
//!   write reaches the card to the cycle its first symbol is on the wire, over 200 frames.
//!
//! `cargo run --release -p arsenic-testbenches --example tx_perf [frames-per-size]`

use arsenic_interface::params::Speed;
use arsenic_testbenches::bench::{tx_latency, tx_point};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("frames per size"))
        .unwrap_or(1000);
    println!("transmit throughput, one VI, {n} frames per point (fraction of line rate)");
    println!("{:>6} {:>10} {:>10}", "size", "1 GbE", "10 GbE");
    for size in [64usize, 128, 256, 512, 1024, 1518] {
        let (f1, _) = tx_point(Speed::Gbe1, size, 1, false, n).expect("a run");
        let (f10, _) = tx_point(Speed::Gbe10, size, 1, false, n).expect("a run");
        println!("{size:>6} {f1:>10.4} {f10:>10.4}");
    }
    for speed in [Speed::Gbe1, Speed::Gbe10] {
        let l = tx_latency(speed, 200).expect("a run");
        println!(
            "doorbell to wire, {speed:?}, 64-octet frames on an idle card, cycles: min {} median {} p99 {} max {} ({:.0} ns median)",
            l[0],
            l[l.len() / 2],
            l[l.len() * 99 / 100],
            l[l.len() - 1],
            l[l.len() / 2] as f64 * speed.ns_per_cycle()
        );
    }
}
