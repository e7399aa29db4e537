//! The software reference classifier against libpcap's BPF on the same frames and filters,
//! in one run: `cargo run --release -p arsenic-filters --example speed [FILTERS]`.
//!
//! Three ways to pick the filter for each frame, highest priority first: the card's tables
//! (compiled terms and flows, evaluated in software), the lowered conditions (the reference
//! semantics), and every filter's libpcap program in priority order. Frames per second are
//! medians of five runs.
use arsenic_filters::corpus::CORPUS;
use arsenic_filters::{FilterSet, TableParams};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../traces");
    let mut frames = Vec::new();
    for name in [
        "real-veth.pcap",
        "generated.pcapng",
        "mptcp-v0.pcap",
        "vxlan.pcap",
        "dns_tcp.pcap",
    ] {
        let mut cap = pcap::Capture::from_file(format!("{dir}/{name}")).unwrap();
        while let Ok(p) = cap.next_packet() {
            if p.data.len() >= 60 {
                frames.push(p.data.to_vec());
            }
        }
    }
    let mut set = FilterSet::new(TableParams {
        terms: 1 << 16,
        literals: 1 << 20,
        flows: 1 << 16,
    });
    let dead = pcap::Capture::dead(pcap::Linktype::ETHERNET).unwrap();
    let mut progs = Vec::new();
    for i in 0..n {
        let e = CORPUS[(i * 37 + 11) % CORPUS.len()];
        let prio = (i % 4) as u16;
        let id = set.install(e, 1 + i as u16, prio).unwrap();
        progs.push((prio, id, dead.compile(e, true).unwrap()));
    }
    progs.sort_by_key(|(p, id, _)| (std::cmp::Reverse(*p), *id));
    let median = |f: &mut dyn FnMut() -> usize| {
        let mut rates: Vec<f64> = (0..5)
            .map(|_| {
                let t = Instant::now();
                let hits = f();
                std::hint::black_box(hits);
                frames.len() as f64 / t.elapsed().as_secs_f64()
            })
            .collect();
        rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
        rates[2]
    };
    let tables = median(&mut || frames.iter().filter(|f| set.classify(f).is_some()).count());
    let reference = median(&mut || {
        frames
            .iter()
            .filter(|f| set.classify_reference(f).is_some())
            .count()
    });
    let bpf = median(&mut || {
        frames
            .iter()
            .filter(|f| progs.iter().any(|(_, _, p)| p.filter(f)))
            .count()
    });
    println!("{} frames, {n} filters", frames.len());
    println!("card tables (software)   {:>12.0} frames/s", tables);
    println!("reference (lowered)      {:>12.0} frames/s", reference);
    println!("libpcap BPF, in order    {:>12.0} frames/s", bpf);
    println!("reference / BPF          {:>12.2}", reference / bpf);
}
