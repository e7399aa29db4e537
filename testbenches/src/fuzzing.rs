//! The checks the fuzz targets in `fuzz/` run on each input, here so that the normal test
//! suite replays the inputs that once found a bug (`fuzz/regressions/<target>/`, see
//! `tests/fuzz_regressions.rs`) through exactly the same code. Each panics when the property
//! does not hold.

use arsenic_filters::{parse, FilterSet, TableParams};

/// `filter_diff`: an arbitrary filter expression (the text up to the first NUL) and an
/// arbitrary frame (the rest). The parser and the compiler never panic; when the expression
/// compiles, the card's tables (evaluated in software, as the classifier does) and the
/// reference evaluator choose alike for every frame the card can deliver (60 octets or more:
/// the MAC drops runts, and the tables rely on it).
pub fn filter_diff(data: &[u8]) {
    let cut = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let Ok(text) = std::str::from_utf8(&data[..cut]) else {
        return;
    };
    let frame = data.get(cut + 1..).unwrap_or(&[]);
    match parse(text) {
        Err(e) => {
            let _ = e.render(text);
        }
        Ok(_) => {
            let mut set = FilterSet::new(TableParams::SIM);
            if set.install(text, 1, 0).is_ok() && frame.len() >= 60 {
                assert_eq!(
                    set.classify(frame),
                    set.classify_reference(frame),
                    "{text:?} on {frame:02x?}"
                );
            }
        }
    }
}

/// `capture`: arbitrary bytes as a capture file (classic pcap or pcapng): frames or an error,
/// never a panic or a hang.
pub fn capture(data: &[u8]) {
    let _ = crate::trace::read_bytes(data, "fuzz");
}

/// `config`: arbitrary text as a simulation configuration: parsed or refused with a message,
/// never a panic.
pub fn config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = crate::config::SimConfigFile::parse(text, "fuzz") {
            assert!(!e.to_string().is_empty());
        }
    }
}

/// The filters of the `card` target and of the corpus replay: masked rules over several
/// layers, with priorities, one user VI each.
pub const CARD_FILTERS: &[(&str, u16, u16)] = &[
    ("tcp port 80 or tcp port 8080", 1, 5),
    ("udp port 53", 2, 5),
    ("ip6", 3, 1),
    ("arp", 4, 1),
    ("vlan", 5, 3),
    ("icmp or icmp6", 6, 4),
    ("ip and udp", 7, 2),
    ("tcp[tcpflags] & tcp-syn != 0", 8, 6),
];

struct Card {
    sim: crate::sim::Sim,
    host: crate::host::Host,
    reference: FilterSet,
    got: Vec<arsenic_host::RxFrame>,
}

impl Card {
    fn new() -> Card {
        use arsenic_host::{DeviceManager, FilterManager, QueueConfig, ViConfig};
        use arsenic_interface::classifier::ClassifierParams;
        use arsenic_interface::params::Speed;
        let mut sim = crate::sim::Sim::new(crate::sim::SimConfig::new(Speed::Gbe10));
        DeviceManager::probe(
            &mut sim,
            Speed::Gbe10,
            arsenic_interface::eth::MAX_FRAME_DEFAULT as u32,
        )
        .expect("the card answers");
        let host = crate::host::Host::open(
            &mut sim,
            QueueConfig::default(),
            &ViConfig::default(),
            CARD_FILTERS.iter().map(|f| f.1),
        )
        .expect("the VIs open");
        let mut fm = FilterManager::new(ClassifierParams::SIM);
        fm.clear(&mut sim);
        let mut reference = FilterSet::new(TableParams::SIM);
        for (expr, vi, prio) in CARD_FILTERS {
            fm.install(&mut sim, expr, *vi, *prio)
                .expect("the filter fits");
            reference
                .install(expr, *vi, *prio)
                .expect("the filter fits");
        }
        sim.drain_writes();
        Card {
            sim,
            host,
            reference,
            got: Vec::new(),
        }
    }
}

thread_local! {
    static CARD: std::cell::RefCell<Option<Card>> = const { std::cell::RefCell::new(None) };
}

/// `card`: arbitrary bytes as a frame (FCS excluded, cut to 1514 octets; the wire pads a
/// short one to 60 and appends the FCS) through the card's Verilator model, its header parser
/// and classifier, with [`CARD_FILTERS`] installed: the frame reaches the host whole, on the
/// VI the software reference evaluator chooses (the OS path when none matches). One card
/// serves every input of a thread, so this also checks that no input leaves it in a state
/// that misroutes the next. Returns the VI.
pub fn card(data: &[u8]) -> u16 {
    let mut frame = data[..data.len().min(1514)].to_vec();
    if frame.len() < 60 {
        frame.resize(60, 0);
    }
    CARD.with(|c| {
        let mut c = c.borrow_mut();
        let card = c.get_or_insert_with(Card::new);
        let want = card
            .reference
            .classify_reference(&frame)
            .map_or(0, |(_, vi)| vi);
        let now = card.sim.cycle();
        card.sim.send([crate::wire::WireFrame {
            bytes: arsenic_interface::fcs::append_fcs(&frame),
            earliest: now,
            inject: None,
        }]);
        card.got.clear();
        let start = card.sim.cycle();
        while card.got.is_empty() {
            for _ in 0..32 {
                card.sim.step();
            }
            card.host
                .poll(&mut card.sim, &mut card.got)
                .expect("the driver polls");
            assert!(
                card.sim.cycle() - start < 100_000,
                "the frame never reached the host: {frame:02x?}"
            );
        }
        assert_eq!(card.got.len(), 1, "one frame in, one out");
        let f = &card.got[0];
        assert_eq!(f.data, frame, "the frame arrives whole");
        assert_eq!(
            f.vi, want,
            "card chose VI {} (filter {}), the reference VI {want}: {frame:02x?}",
            f.vi, f.filter
        );
        f.vi
    })
}
