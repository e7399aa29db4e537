//! One sweep of the receive-livelock experiment, printed.
//! `cargo run --release -p arsenic-testbenches --example livelock [points] [ms]`
use arsenic_testbenches::bench::livelock::*;

fn main() {
    let points: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(6);
    let ms: f64 = std::env::args()
        .nth(2)
        .map(|s| s.parse().unwrap())
        .unwrap_or(10.0);
    let cycles = (ms * 125_000.0) as u64;
    for d in Discipline::ALL {
        println!("{}", d.name());
        for r in sweep_rates(points) {
            let p = run_point(d, HostModel::DEFAULT, r, RATE_B, cycles).unwrap();
            println!(
                "  offered {:>9.0}  delivered {:>9.0}  flow B {:>7.0}/{:>7.0}  card drops {:>7} host drops {:>7}",
                p.offered, p.delivered, p.delivered_b, p.offered_b, p.card_drops, p.host_drops
            );
        }
    }
}
