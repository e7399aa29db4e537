//! Differential: an arbitrary filter expression and an arbitrary frame, the card's tables
//! against the reference evaluator (`arsenic_testbenches::fuzzing::filter_diff`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| arsenic_testbenches::fuzzing::filter_diff(data));
