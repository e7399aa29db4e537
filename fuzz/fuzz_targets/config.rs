//! Arbitrary text as a simulation configuration (`arsenic_testbenches::fuzzing::config`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| arsenic_testbenches::fuzzing::config(data));
