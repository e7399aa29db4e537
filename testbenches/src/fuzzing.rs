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
