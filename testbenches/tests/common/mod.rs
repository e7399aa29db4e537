//! Shared by the replay tests: replay frames and check them against the MAC's reference model;
//! and the tests' own bitwise CRC-32, independent of the project's table-driven one.

use arsenic_interface::regs::Counter;
use arsenic_testbenches::replay::{expected, replay, Expected, ReplayOptions};
use arsenic_testbenches::wire::WireFrame;
use std::collections::BTreeMap;

/// Replays `wire` and checks it against the reference model of the MAC.
#[allow(dead_code)]
pub fn check(name: &str, wire: Vec<WireFrame>, opts: &ReplayOptions) {
    let mut want = Vec::new();
    let mut want_drops: BTreeMap<Counter, u64> = BTreeMap::new();
    for f in &wire {
        match expected(f, opts.max_frame as usize) {
            Expected::Deliver(d) => want.push(d),
            Expected::Drop(c) => *want_drops.entry(c).or_default() += 1,
        }
    }
    let n = wire.len() as u64;
    let r = replay(wire, opts, &mut |_| {}).unwrap_or_else(|e| panic!("{name}: {e}"));
    let got: Vec<&[u8]> = r.received.iter().map(|f| &f.data[..]).collect();
    assert_eq!(
        got.len(),
        want.len(),
        "{name}: delivered count; counters {:?}",
        r.counters
    );
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "{name}: frame {i} differs");
    }
    for c in Counter::DROPS {
        assert_eq!(
            r.counter(c),
            want_drops.get(&c).copied().unwrap_or(0),
            "{name}: drops counted as {c:?}"
        );
    }
    assert_eq!(
        r.counter(Counter::RxFrames),
        n,
        "{name}: frames seen by the MAC"
    );
    assert_eq!(
        r.counter(Counter::RxMacOk),
        want.len() as u64,
        "{name}: frames passing the MAC"
    );
    let bytes: u64 = want.iter().map(|w| w.len() as u64).sum();
    assert_eq!(
        arsenic_host::delivered_bytes(&r.counters),
        bytes,
        "{name}: delivered bytes"
    );
    assert_eq!(
        n,
        r.counter(Counter::RxDelivered) + r.dropped(),
        "{name}: frames in = delivered + dropped"
    );
    assert_eq!(r.dma_errors, 0, "{name}: DMA outside host memory");
    // Timestamps grow with delivery order.
    assert!(
        r.received
            .windows(2)
            .all(|w| w[0].timestamp < w[1].timestamp),
        "{name}: event order"
    );
}

/// CRC-32 of 802.3, bit by bit (reflected polynomial 0xEDB88320).
#[allow(dead_code)]
pub fn crc32_bitwise(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}
