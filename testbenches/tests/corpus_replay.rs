//! Every capture of the robustness corpus (`traces/tcpdump-tests/`, 258 real and often
//! deliberately malformed Ethernet captures, and `traces/dpkt-examples/`, dpkt's 5, two of
//! them truncated DNS, and the project's own 10 in `traces/`) through the card at 10 GbE line rate with eight
//! filters on eight user VIs: no hang, no panic; a capture the reader refuses is a clear
//! error; every frame is delivered to the VI libpcap names (first matching filter by priority,
//! else the OS path) byte for byte, or dropped with the reason the MAC's reference model
//! gives; frames in = delivered + dropped.

use arsenic_interface::event::FILTER_NONE;
use arsenic_interface::params::Speed;
use arsenic_interface::regs::Counter;
use arsenic_testbenches::replay::ReplayOptions;
use arsenic_testbenches::replay::{expected, replay, wire_frames, Expected, FilterSpec};
use arsenic_testbenches::trace;
use std::path::Path;

/// The filter set: masked rules over several layers, with priorities (the same set the
/// `card` fuzz target uses).
use arsenic_testbenches::fuzzing::CARD_FILTERS as FILTERS;

/// The captures of a folder of `traces/`.
fn captures(folder: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../traces")
        .join(folder);
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    names.sort();
    names
}

#[test]
fn the_whole_corpus_goes_where_libpcap_says() {
    let mut names = captures("tcpdump-tests");
    assert_eq!(names.len(), 258);
    let dpkt = captures("dpkt-examples");
    assert_eq!(dpkt.len(), 5);
    names.extend(dpkt);
    // The project's own captures beside them (real traffic, raw and fixed loopback, the
    // generated workload with its FCS faults, and a few tcpdump picks).
    let own = captures("");
    assert_eq!(own.len(), 10);
    names.extend(own);
    let cap = pcap::Capture::dead(pcap::Linktype::ETHERNET).unwrap();
    let progs: Vec<(u16, u16, pcap::BpfProgram)> = FILTERS
        .iter()
        .map(|(e, vi, p)| (*vi, *p, cap.compile(e, true).unwrap()))
        .collect();
    let mut opts = ReplayOptions::new(Speed::Gbe10);
    opts.line_rate = true;
    // Each VI posts 16 buffers a doorbell: at line rate one VI may take every frame.
    opts.vi_queue = arsenic_host::ViConfig::default();
    opts.filters = FILTERS
        .iter()
        .map(|(e, vi, p)| FilterSpec {
            expr: e.to_string(),
            vi: *vi,
            priority: *p,
        })
        .collect();
    let (mut files, mut refused, mut frames, mut claimed, mut dropped) = (0, 0, 0u64, 0u64, 0u64);
    for path in &names {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let tf = match trace::read_file(path) {
            Ok(f) => f,
            Err(e) => {
                // A capture the reader cannot take is refused with a message, not a panic.
                assert!(!e.to_string().is_empty());
                refused += 1;
                continue;
            }
        };
        files += 1;
        let wire = wire_frames(&tf, Speed::Gbe10, true, None);
        let mut want = Vec::new();
        let mut want_drops = std::collections::BTreeMap::new();
        for f in &wire {
            match expected(f, opts.max_frame as usize) {
                Expected::Deliver(d) => want.push(d),
                Expected::Drop(c) => *want_drops.entry(c).or_insert(0u64) += 1,
            }
        }
        let n = wire.len() as u64;
        let r = replay(wire, &opts, &mut |_| {}).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.received.len(), want.len(), "{name}: {:?}", r.counters);
        for (i, (g, w)) in r.received.iter().zip(&want).enumerate() {
            assert_eq!(&g.data, w, "{name}: frame {i} differs");
            // libpcap's choice: the highest priority, then the lowest filter id (install
            // order), among the filters whose program matches; else the OS path.
            let mut best: Option<(u16, usize)> = None;
            for (k, (_, p, prog)) in progs.iter().enumerate() {
                if prog.filter(&g.data) && best.is_none_or(|(bp, _)| *p > bp) {
                    best = Some((*p, k));
                }
            }
            let want_vi = best.map_or(0, |(_, k)| progs[k].0);
            assert_eq!(
                g.vi,
                want_vi,
                "{name}: frame {i} {:02x?}",
                &g.data[..g.data.len().min(48)]
            );
            assert_eq!(g.filter == FILTER_NONE, best.is_none(), "{name}: frame {i}");
            claimed += (g.vi != 0) as u64;
        }
        for c in Counter::DROPS {
            assert_eq!(
                r.counter(c),
                want_drops.get(&c).copied().unwrap_or(0),
                "{name}: drops counted as {c:?}"
            );
        }
        assert_eq!(n, r.counter(Counter::RxDelivered) + r.dropped(), "{name}");
        assert_eq!(r.dma_errors, 0, "{name}");
        assert!(r.errors.is_empty(), "{name}: {:?}", r.errors);
        frames += n;
        dropped += r.dropped();
    }
    // The figures of docs/ROBUSTNESS.md (shown with `-- --nocapture`).
    println!(
        "corpus: {} captures, {files} read, {refused} refused; {frames} frames, \
         {claimed} claimed by filters, {dropped} dropped by the MAC",
        names.len()
    );
    // The corpus exercises what it should: most files read, many frames claimed by filters,
    // malformed frames dropped by the MAC.
    assert!(
        files >= 250 && refused <= 8,
        "{files} read, {refused} refused"
    );
    assert!(
        frames > 5000 && claimed > 1000 && dropped > 0,
        "{frames} {claimed} {dropped}"
    );
}
