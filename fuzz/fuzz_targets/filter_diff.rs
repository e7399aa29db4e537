//! Differential: an arbitrary filter expression and an arbitrary frame. The parser and the
//! compiler must not panic; when the expression compiles, the card's tables (evaluated in
//! software, as the classifier does) and the reference evaluator must choose alike for every
//! frame the card can deliver (60 octets or more: the MAC drops runts, and the tables rely on
//! it).
#![no_main]
use arsenic_filters::{parse, FilterSet, TableParams};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The expression is the text up to the first NUL, the frame the rest.
    let cut = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let Ok(text) = std::str::from_utf8(&data[..cut]) else {
        return;
    };
    let frame = data.get(cut + 1..).unwrap_or(&[]);
    let deliverable = frame.len() >= 60;
    match parse(text) {
        Err(e) => {
            let _ = e.render(text);
        }
        Ok(_) => {
            let mut set = FilterSet::new(TableParams::SIM);
            if set.install(text, 1, 0).is_ok() && deliverable {
                assert_eq!(
                    set.classify(frame),
                    set.classify_reference(frame),
                    "{text:?} on {frame:02x?}"
                );
            }
        }
    }
});
