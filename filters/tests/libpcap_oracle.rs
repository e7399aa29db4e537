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

const CORPUS: &[&str] = &[
    "ip",
    "ip6",
    "arp",
    "rarp",
    "tcp",
    "udp",
    "sctp",
    "icmp",
    "icmp6",
    "not ip",
    "ip or ip6",
    "tcp or udp",
    "not tcp and not udp",
    "host 10.77.0.1",
    "host 10.77.0.2",
    "src host 10.77.0.1",
    "dst host 10.77.0.2",
    "ip host 10.77.0.1",
    "arp host 10.77.0.2",
    "ip src 10.77.0.1",
    "ip dst 10.77.0.1",
    "host 10.77.0.1 and host 10.77.0.2",
    "src host 10.77.0.1 or 10.77.0.2",
    "src and dst host 10.77.0.1",
    "src or dst host 10.77.0.1",
    "host fd00:77::1",
    "ip6 host fd00:77::2",
    "src host fd00:77::1",
    "dst host fd00:77::1",
    "host fe80::f016:36ff:fe40:b5d",
    "ip6 dst ff02::16",
    "net 10.77.0.0/24",
    "net 10.0.0.0/8",
    "src net 10.77.0.0/31",
    "dst net 10.77.0.2/32",
    "net 10.77.0.0 mask 255.255.255.0",
    "net 10.77",
    "net 198.51.100.0/25",
    "net 192.0.2.0/24",
    "ip6 net fd00:77::/64",
    "net fd00::/8",
    "src net fe80::/10",
    "not net 10.0.0.0/8",
    "port 8080",
    "port 80",
    "port 53",
    "port 22",
    "tcp port 8080",
    "udp port 53",
    "src port 8080",
    "dst port 8080",
    "tcp src port 8080",
    "tcp dst port 22",
    "udp dst port 53",
    "port 8080 or port 22",
    "not port 8080",
    "tcp and not port 8080",
    "sctp port 80",
    "portrange 1-1023",
    "portrange 8000-9000",
    "tcp portrange 20-25",
    "udp portrange 50-60",
    "src portrange 1024-65535",
    "dst portrange 0-1023",
    "tcp dst portrange 4000-5000",
    "ip proto 6",
    "ip proto 17",
    "ip proto 1",
    "ip6 proto 58",
    "ip6 proto 6",
    "ip6 proto 17",
    "ip6 proto 0",
    "ip proto 2",
    "ip6 proto 44",
    "ether proto 0x0800",
    "ether proto 0x86dd",
    "ether proto 0x0806",
    "ether proto 0x88cc",
    "ether host 1e:b6:84:20:fb:c8",
    "ether src f2:16:36:40:0b:5d",
    "ether dst 33:33:00:00:00:16",
    "ether broadcast",
    "ether multicast",
    "not ether multicast",
    "ether src host 02:00:5e:10:00:01",
    "ether dst host 02:00:5e:10:00:02",
    "vlan",
    "vlan 100",
    "vlan 5",
    "vlan and ip",
    "vlan 100 and ip",
    "vlan and vlan",
    "vlan 200 and vlan 300",
    "vlan and tcp",
    "vlan and port 8080",
    "not vlan",
    "vlan and host 192.0.2.1",
    "vlan 102 and udp",
    "less 64",
    "less 100",
    "greater 1000",
    "greater 1500",
    "len <= 60",
    "len > 500",
    "len = 1514",
    "tcp[tcpflags] & tcp-syn != 0",
    "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
    "tcp[13] & 2 = 2",
    "tcp[tcpflags] & tcp-fin != 0",
    "tcp[tcpflags] & tcp-push != 0",
    "tcp[0:2] = 8080",
    "tcp[2:2] > 1024",
    "udp[0:2] = 53",
    "udp[2:2] = 4789",
    "icmp[icmptype] = icmp-echo",
    "icmp[icmptype] == icmp-echoreply",
    "icmp[0] != 8",
    "ip[0] & 0xf != 5",
    "ip[8] < 64",
    "ip[9] = 6",
    "ip[6:2] & 0x1fff != 0",
    "ip[2:2] > 600",
    "ip6[6] = 58",
    "ip6[7] = 255",
    "ip6[0:4] & 0xfff00000 = 0x60000000",
    "ether[0] & 1 != 0",
    "ether[12:2] = 0x86dd",
    "ether[14:4] = 0",
    "ip and tcp and port 8080 and tcp[tcpflags] & tcp-ack != 0",
    "(tcp or udp) and (port 53 or port 8080)",
    "not (host 10.77.0.1 or host 10.77.0.2)",
    "tcp or udp and port 53",
    "icmp or icmp6 or arp",
    "ip6 and not icmp6",
    "host 10.77.0.1 && port 8080",
    "!tcp || port 8080",
    "ip && !(udp || tcp)",
    "greater 100 and less 200",
    "vlan and (tcp[tcpflags] & tcp-syn != 0)",
];

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
