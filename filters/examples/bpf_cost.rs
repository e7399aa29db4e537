//! The host's cost of demultiplexing in software, as a kernel without early demultiplexing
//! does: every installed filter run as a libpcap BPF program, in priority order, on every
//! frame, until one matches. `F` filters, one per flow (`udp and dst host 10.1.h.l and dst
//! port 9000`); 64-octet frames spread evenly over the flows, so a frame runs (F + 1) / 2
//! programs on average.
//!
//! `valgrind --tool=callgrind --toggle-collect='*bpf_cost::measured_*'
//! target/release/examples/bpf_cost F FRAMES` gives the instructions (I refs / FRAMES).

fn frame(k: usize) -> Vec<u8> {
    let mut f = vec![0u8; 60];
    f[0..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 1]);
    f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 2]);
    f[12..14].copy_from_slice(&[0x08, 0x00]);
    f[14] = 0x45;
    f[16..18].copy_from_slice(&46u16.to_be_bytes());
    f[22] = 64;
    f[23] = 17;
    f[26..30].copy_from_slice(&[192, 0, 2, 1]);
    f[30..34].copy_from_slice(&[10, 1, (k >> 8) as u8, k as u8]);
    f[34..36].copy_from_slice(&40000u16.to_be_bytes());
    f[36..38].copy_from_slice(&9000u16.to_be_bytes());
    f[38..40].copy_from_slice(&26u16.to_be_bytes());
    f
}

/// The demultiplexing of `frames`: for each, the index of the first program that matches.
#[inline(never)]
fn measured_demux(progs: &[pcap::BpfProgram], frames: &[Vec<u8>]) -> usize {
    let mut hits = 0;
    for f in frames {
        if let Some(i) = progs.iter().position(|p| p.filter(f)) {
            hits += i + 1;
        }
    }
    hits
}

fn main() {
    let nf: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let dead = pcap::Capture::dead(pcap::Linktype::ETHERNET).expect("a dead capture");
    let progs: Vec<pcap::BpfProgram> = (0..nf)
        .map(|k| {
            dead.compile(
                &format!(
                    "udp and dst host 10.1.{}.{} and dst port 9000",
                    k >> 8,
                    k & 0xFF
                ),
                true,
            )
            .expect("a filter libpcap compiles")
        })
        .collect();
    let frames: Vec<Vec<u8>> = (0..n).map(|i| frame(i % nf)).collect();
    let t = std::time::Instant::now();
    let hits = measured_demux(&progs, &frames);
    let dt = t.elapsed();
    assert_eq!(
        hits,
        (0..n).map(|i| i % nf + 1).sum::<usize>(),
        "every frame matched its flow's filter"
    );
    println!(
        "{nf} filters, {n} frames: {:.0} ns a frame (wall clock, this run)",
        dt.as_nanos() as f64 / n as f64
    );
}
