//! Arbitrary bytes as a capture file (`arsenic_testbenches::fuzzing::capture`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| arsenic_testbenches::fuzzing::capture(data));
