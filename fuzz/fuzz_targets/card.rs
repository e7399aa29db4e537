//! Differential: arbitrary bytes as a frame through the card's Verilator model (header
//! parser, classifier, DMA, driver) against the software reference evaluator
//! (`arsenic_testbenches::fuzzing::card`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    arsenic_testbenches::fuzzing::card(data);
});
