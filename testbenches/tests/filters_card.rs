//! The card's filters, end to end through the Verilator model and the device manager:
//! libpcap is the oracle. For every frame the card delivers, the event's filter and VI are
//! those of the first filter, in priority order, that libpcap's compiled program matches on
//! the frame; frames no filter matches go to the default VI.

use arsenic_filters::corpus::CORPUS;
use arsenic_interface::event::FILTER_NONE;
use arsenic_interface::params::Speed;
use arsenic_testbenches::replay::{replay, wire_frames, FilterSpec, ReplayOptions, ReplayReport};
use arsenic_testbenches::trace;
use arsenic_testbenches::wire::WireFrame;
use proptest::prelude::*;
use std::path::Path;

use arsenic_testbenches::generate::Rng;

/// Frames of the traces, with 802.1Q and QinQ tags added and headers cut short.
fn frames() -> Vec<Vec<u8>> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../traces"));
    let mut out = Vec::new();
    for name in [
        "real-veth.pcap",
        "generated.pcapng",
        "dns_tcp.pcap",
        "tftp.pcap",
        "vxlan.pcap",
        "rpvstp-trunk-native-vid5.pcap",
        "icmpv6-rfc7112.pcap",
        "mptcp-v0.pcap",
    ] {
        for f in trace::read_file(&dir.join(name)).unwrap() {
            if !f.fcs_included {
                out.push(f.data);
            }
        }
    }
    // Tagged copies stay within the largest frame the card takes.
    let sample: Vec<Vec<u8>> = out
        .iter()
        .step_by(5)
        .filter(|f| f.len() <= 1500)
        .cloned()
        .collect();
    for f in &sample {
        let mut v = f[..12].to_vec();
        v.extend_from_slice(&[0x81, 0x00, 0x00, 0x64]);
        v.extend_from_slice(&f[12..]);
        let mut q = f[..12].to_vec();
        q.extend_from_slice(&[0x88, 0xA8, 0x00, 0xC8, 0x81, 0x00, 0x01, 0x2C]);
        q.extend_from_slice(&f[12..]);
        for cut in [60, 66, 72] {
            if cut < q.len() {
                out.push(q[..cut].to_vec());
            }
        }
        out.push(v);
        out.push(q);
    }
    out
}

/// Replays `frames` with `filters` and checks every delivery against libpcap.
fn check(frames: &[Vec<u8>], filters: &[FilterSpec], speed: Speed) -> ReplayReport {
    let wire: Vec<WireFrame> = wire_frames(
        &frames
            .iter()
            .map(|d| trace::TraceFrame {
                ts_ns: 0,
                data: d.clone(),
                fcs_included: false,
                orig_len: d.len() as u32,
            })
            .collect::<Vec<_>>(),
        speed,
        true,
        None,
    );
    let mut opts = ReplayOptions::new(speed);
    opts.line_rate = true;
    opts.filters = filters.to_vec();
    let r = replay(wire, &opts, &mut |_| {}).unwrap();
    assert_eq!(
        r.received.len(),
        frames.len(),
        "every frame delivered: {:?}",
        r.counters
    );
    let cap = pcap::Capture::dead(pcap::Linktype::ETHERNET).unwrap();
    // libpcap's optimiser refuses some filters as matching nothing: they match nothing.
    let program = |text: &str| match cap.compile(text, true) {
        Ok(p) => Some(p),
        Err(e) if e.to_string().contains("rejects all packets") => None,
        Err(e) => panic!("libpcap refuses {text}: {e}"),
    };
    let mut order: Vec<(u16, u16, u16, Option<pcap::BpfProgram>)> = r
        .filters
        .iter()
        .map(|f| (f.priority, f.id, f.vi, program(&f.text)))
        .collect();
    order.sort_by_key(|(p, id, _, _)| (std::cmp::Reverse(*p), *id));
    for (i, got) in r.received.iter().enumerate() {
        let want = order
            .iter()
            .find(|(_, _, _, prog)| prog.as_ref().is_some_and(|p| p.filter(&got.data)))
            .map_or((FILTER_NONE, 0), |(_, id, vi, _)| (*id, *vi));
        assert_eq!(
            (got.filter, got.vi),
            want,
            "frame {i} ({} bytes) {:02x?}",
            got.data.len(),
            &got.data[..got.data.len().min(64)]
        );
    }
    r
}

#[test]
fn corpus_filter_sets_through_the_card_agree_with_libpcap() {
    let frames = frames();
    let mut r = Rng(0x5EED_F117);
    let mut hits = 0;
    for _round in 0..6 {
        let mut filters = Vec::new();
        for k in 0..8 {
            filters.push(FilterSpec {
                expr: CORPUS[(r.next_u64() % CORPUS.len() as u64) as usize].to_string(),
                vi: 1 + k,
                priority: (r.next_u64() % 4) as u16,
            });
        }
        // Keep what fits the tables (a full table is an error, checked elsewhere).
        let mut fitting = Vec::new();
        let mut set =
            arsenic_host::FilterManager::new(arsenic_interface::classifier::ClassifierParams::SIM);
        let mut dummy = Dummy::default();
        for f in filters {
            if set.install(&mut dummy, &f.expr, f.vi, f.priority).is_ok() {
                fitting.push(f);
            }
        }
        let rep = check(&frames, &fitting, Speed::Gbe10);
        hits += rep
            .received
            .iter()
            .filter(|f| f.filter != FILTER_NONE)
            .count();
    }
    assert!(hits > 1000, "the filters claimed only {hits} frames");
}

/// A device that takes writes and answers nothing: for trying placements.
struct Dummy(arsenic_host::HostMemory);
impl Default for Dummy {
    fn default() -> Self {
        Dummy(arsenic_host::HostMemory::new(0, 0))
    }
}
impl arsenic_host::Device for Dummy {
    fn write32(&mut self, _: u32, _: u32) {}
    fn read32(&mut self, _: u32) -> u32 {
        0
    }
    fn mem(&mut self) -> &mut arsenic_host::HostMemory {
        &mut self.0
    }
    fn now(&self) -> u64 {
        0
    }
    fn wait(&mut self, _: u64) {}
    fn take_interrupts(&mut self) -> Vec<u16> {
        Vec::new()
    }
}

fn expr_strategy() -> impl Strategy<Value = String> {
    let prim = proptest::sample::select(CORPUS).prop_map(|s| format!("({s})"));
    prim.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} or {b}")),
            inner.prop_map(|a| format!("not {a}")),
        ]
    })
}

fn frame_strategy() -> impl Strategy<Value = Vec<u8>> {
    (
        0u8..7,
        proptest::collection::vec(any::<u8>(), 46..120),
        any::<u16>(),
    )
        .prop_map(|(kind, body, x)| {
            let mut f = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
            match kind {
                0 => f.extend_from_slice(&[
                    0x08,
                    0x00,
                    0x45,
                    0,
                    0,
                    60,
                    0,
                    0,
                    (x >> 8) as u8 & 0x20,
                    x as u8,
                    64,
                    [6, 17, 1][x as usize % 3],
                ]),
                1 => f.extend_from_slice(&[
                    0x86,
                    0xDD,
                    0x60,
                    0,
                    0,
                    0,
                    0,
                    40,
                    [6, 17, 58, 44][x as usize % 4],
                    64,
                ]),
                2 => f.extend_from_slice(&[
                    0x81, 0x00, 0x00, 0x64, 0x08, 0x00, 0x45, 0, 0, 60, 0, 0, 0, 0, 64, 6,
                ]),
                3 => f.extend_from_slice(&[
                    0x88, 0xA8, 0x00, 0xC8, 0x81, 0x00, 0x01, 0x2C, 0x86, 0xDD, 0x60, 0, 0, 0, 0,
                    40, 17, 64,
                ]),
                4 => f.extend_from_slice(&[0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]),
                5 => f.extend_from_slice(&[0x08, 0x00, 0x4F]),
                _ => {}
            }
            f.extend_from_slice(&body);
            f
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Random expressions built from the corpus, random frames (tagged, IPv4 with options and
    /// fragments, IPv6 with a fragment header, ARP, cut short).
    #[test]
    fn random_filters_and_frames_agree_with_libpcap(
        exprs in proptest::collection::vec((expr_strategy(), 0u16..3), 1..5),
        frames in proptest::collection::vec(frame_strategy(), 20..60),
    ) {
        let mut set = arsenic_host::FilterManager::new(arsenic_interface::classifier::ClassifierParams::SIM);
        let mut dummy = Dummy::default();
        let filters: Vec<FilterSpec> = exprs
            .into_iter()
            .enumerate()
            .map(|(i, (e, p))| FilterSpec { expr: e, vi: 1 + i as u16, priority: p })
            .filter(|f| set.install(&mut dummy, &f.expr, f.vi, f.priority).is_ok())
            .collect();
        check(&frames, &filters, Speed::Gbe10);
    }
}
