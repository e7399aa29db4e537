//! Arbitrary text as a simulation configuration: parsed or refused with a message, never a
//! panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = arsenic_testbenches::config::SimConfigFile::parse(text, "fuzz") {
            assert!(!e.to_string().is_empty());
        }
    }
});
