//! libpcap is the oracle: for every expression of the corpus and every frame (real captures,
//! the generated trace, VLAN-tagged and truncated variants, random frames), the reference
//! classifier agrees with libpcap's compiled filter (dead capture, optimised as tcpdump does).

use arsenic_filters::dnf::Term;
use arsenic_filters::table::literal_holds;
use arsenic_filters::{compile, matches, parse, Compiled, FilterSet, TableParams};
use proptest::prelude::*;

fn frames() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../traces");
    let mut out = Vec::new();
    for name in [
        "real-veth.pcap",
        "generated.pcapng",
        "mptcp-v0.pcap",
        "dns_tcp.pcap",
        "tftp.pcap",
        "vxlan.pcap",
        "rpvstp-trunk-native-vid5.pcap",
        "icmpv6-rfc7112.pcap",
    ] {
        let mut cap = pcap::Capture::from_file(format!("{dir}/{name}")).unwrap();
        while let Ok(p) = cap.next_packet() {
            out.push(p.data.to_vec());
        }
    }
    // VLAN and QinQ variants of a sample, and truncations at every header boundary.
    let sample: Vec<Vec<u8>> = out.iter().step_by(7).cloned().collect();
    for f in &sample {
        let mut v = f[..12].to_vec();
        v.extend_from_slice(&[0x81, 0x00, 0x00, 0x64]);
        v.extend_from_slice(&f[12..]);
        out.push(v.clone());
        let mut q = f[..12].to_vec();
        q.extend_from_slice(&[0x88, 0xA8, 0x00, 0xC8, 0x81, 0x00, 0x01, 0x2C]);
        q.extend_from_slice(&f[12..]);
        out.push(q);
        for cut in [6, 13, 20, 23, 30, 34, 38, 42, 47, 54, 60] {
            if cut < f.len() {
                out.push(f[..cut].to_vec());
            }
        }
        // Headers cut short in frames the card can receive (60 octets or more).
        let qinq = out[out.len() - 1].clone();
        for (tagged, cuts) in [
            (&v, [60usize, 62, 66, 70, 74, 78]),
            (&qinq, [60, 64, 68, 72, 76, 80]),
        ] {
            for cut in cuts {
                if cut < tagged.len() {
                    out.push(tagged[..cut].to_vec());
                }
            }
        }
    }
    out
}

/// The frames the card classifies: the MAC drops anything shorter than 60 octets.
fn card_frames() -> Vec<Vec<u8>> {
    frames().into_iter().filter(|f| f.len() >= 60).collect()
}

use arsenic_filters::corpus::CORPUS;

#[test]
fn the_corpus_parses_and_compiles() {
    assert!(CORPUS.len() >= 100, "{} expressions", CORPUS.len());
    for e in CORPUS {
        let x = parse(e).unwrap_or_else(|err| panic!("{}", err.render(e)));
        compile(&x).unwrap_or_else(|err| panic!("{e}: {err}"));
    }
}

fn card_matches(c: &Compiled, f: &[u8]) -> bool {
    match c {
        Compiled::Rules(terms) => terms
            .iter()
            .any(|t: &Term| t.iter().all(|l| literal_holds(l, f))),
        Compiled::Flow(k) => {
            arsenic_filters::table::frame_flows(f).is_some_and(|(a, b)| *k == a || *k == b)
        }
    }
}

#[test]
fn compiled_tables_agree_with_libpcap() {
    let frames = card_frames();
    let cap = pcap::Capture::dead(pcap::Linktype::ETHERNET).unwrap();
    let mut bad = Vec::new();
    for e in CORPUS {
        let c = compile(&parse(e).unwrap()).unwrap();
        let prog = cap.compile(e, true).unwrap();
        for (i, f) in frames.iter().enumerate() {
            if card_matches(&c, f) != prog.filter(f) {
                bad.push(format!(
                    "{e:?} frame {i} ({} bytes): libpcap {}",
                    f.len(),
                    prog.filter(f)
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} disagreements: {:#?}",
        bad.len(),
        &bad[..bad.len().min(20)]
    );
}

#[test]
fn filter_sets_decide_as_libpcap_in_priority_order() {
    let frames = card_frames();
    let cap = pcap::Capture::dead(pcap::Linktype::ETHERNET).unwrap();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..40 {
        let mut set = FilterSet::new(TableParams {
            terms: 4096,
            literals: 1 << 16,
            flows: 4096,
        });
        let mut progs = Vec::new();
        for k in 0..6 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let e = CORPUS[(x % CORPUS.len() as u64) as usize];
            let prio = (x >> 20) as u16 % 4;
            let id = set.install(e, 1 + k, prio).unwrap();
            progs.push((prio, id, 1 + k, cap.compile(e, true).unwrap()));
        }
        progs.sort_by_key(|(p, id, _, _)| (std::cmp::Reverse(*p), *id));
        for f in &frames {
            let want = progs
                .iter()
                .find(|(_, _, _, prog)| prog.filter(f))
                .map(|(_, id, vi, _)| (*id, *vi));
            assert_eq!(set.classify(f), want, "round {round}");
            assert_eq!(set.classify_reference(f), want, "round {round}");
        }
    }
}

#[test]
fn reference_classifier_agrees_with_libpcap() {
    let frames = frames();
    let cap = pcap::Capture::dead(pcap::Linktype::ETHERNET).unwrap();
    let mut disagreements = Vec::new();
    let mut matched = 0usize;
    for e in CORPUS {
        let ours = parse(e).unwrap();
        let prog = cap
            .compile(e, true)
            .unwrap_or_else(|err| panic!("libpcap refuses {e}: {err}"));
        for (i, f) in frames.iter().enumerate() {
            let want = prog.filter(f);
            matched += want as usize;
            if matches(&ours, f) != want {
                disagreements.push(format!(
                    "{e:?} frame {i} ({} bytes): libpcap {want}",
                    f.len()
                ));
            }
        }
    }
    assert!(
        matched > 1000,
        "the corpus matches too little to test anything"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first: {:#?}",
        disagreements.len(),
        &disagreements[..disagreements.len().min(80)]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random bytes behind a random (often IPv4/IPv6/VLAN) Ethernet header.
    #[test]
    fn random_frames_agree(
        kind in 0u8..5,
        body in proptest::collection::vec(any::<u8>(), 0..140),
        expr in proptest::sample::select(CORPUS),
    ) {
        let mut f = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
        match kind {
            0 => f.extend_from_slice(&[0x08, 0x00, 0x45]),
            1 => f.extend_from_slice(&[0x86, 0xDD, 0x60]),
            2 => f.extend_from_slice(&[0x81, 0x00, 0x00, 0x64, 0x08, 0x00, 0x45]),
            3 => f.extend_from_slice(&[0x08, 0x06]),
            _ => {}
        }
        f.extend_from_slice(&body);
        let cap = pcap::Capture::dead(pcap::Linktype::ETHERNET).unwrap();
        let prog = cap.compile(expr, true).unwrap();
        let want = prog.filter(&f);
        prop_assert_eq!(matches(&parse(expr).unwrap(), &f), want, "{} on {:02x?}", expr, f);
        if f.len() >= 60 {
            let c = compile(&parse(expr).unwrap()).unwrap();
            prop_assert_eq!(card_matches(&c, &f), want, "compiled {} on {:02x?}", expr, f);
        }
    }
}
