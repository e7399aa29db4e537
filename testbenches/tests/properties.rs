//! Property test: random frames with random faults and gaps, at either speed, through the
//! card and the driver; every frame is delivered intact or dropped under the reason the MAC's
//! reference model gives, and the counters balance.

mod common;

use arsenic_interface::fcs;
use arsenic_interface::params::Speed;
use arsenic_testbenches::replay::ReplayOptions;
use arsenic_testbenches::wire::{Inject, WireFrame};
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
enum Fault {
    None,
    BadFcs,
    Phy,
    Preamble,
}

fn frame_strategy() -> impl Strategy<Value = (usize, Fault, u64, u64)> {
    (
        prop_oneof![30usize..64, 60usize..200, 200usize..1600],
        prop_oneof![
            6 => Just(Fault::None),
            1 => Just(Fault::BadFcs),
            1 => Just(Fault::Phy),
            1 => Just(Fault::Preamble)
        ],
        any::<u64>(),
        0u64..300,
    )
}

fn build(spec: &[(usize, Fault, u64, u64)]) -> Vec<WireFrame> {
    let mut t = 0;
    spec.iter()
        .map(|&(len, fault, seed, gap)| {
            let mut x = seed | 1;
            let body: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let mut bytes = fcs::append_fcs(&body);
            if let Fault::BadFcs = fault {
                let n = bytes.len();
                bytes[n - 2] ^= 0x40;
            }
            let inject = match fault {
                Fault::Phy => Some(Inject::PhyError),
                Fault::Preamble => Some(Inject::BadPreamble),
                _ => None,
            };
            t += gap;
            WireFrame {
                bytes,
                earliest: t,
                inject,
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_frames_are_delivered_or_counted(
        spec in proptest::collection::vec(frame_strategy(), 1..40),
        ten_g in any::<bool>(),
    ) {
        let speed = if ten_g { Speed::Gbe10 } else { Speed::Gbe1 };
        common::check("random frames", build(&spec), &ReplayOptions::new(speed));
    }
}
