//! Arbitrary bytes as a capture file (classic pcap or pcapng): the reader returns frames or an
//! error, and never panics or hangs.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = arsenic_testbenches::trace::read_bytes(data, "fuzz");
});
