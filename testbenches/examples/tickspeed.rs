use arsenic_bridge::nic::{In, Model, Out};
fn main() {
    let mut m = Model::new();
    let i = In::default();
    let mut o = Out::default();
    let n: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(5_000_000);
    let t = std::time::Instant::now();
    for _ in 0..n {
        m.tick(&i, &mut o);
    }
    let dt = t.elapsed();
    println!(
        "{} cycles in {:?}: {:.1} ns/cycle",
        n,
        dt,
        dt.as_nanos() as f64 / n as f64
    );
}
