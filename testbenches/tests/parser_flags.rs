//! The card's header parser flags what it finds in each frame's event: truncated headers,
//! malformed IP headers, IPv6 extension headers it does not follow, later IPv4 fragments.

use arsenic_interface::event::status::*;
use arsenic_interface::params::Speed;
use arsenic_testbenches::replay::{replay, wire_frames, ReplayOptions};
use arsenic_testbenches::trace::TraceFrame;

fn frame(tags: &[u16], ethertype: u16, l3: &[u8], len: usize) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
    for t in tags {
        f.extend_from_slice(&t.to_be_bytes());
        f.extend_from_slice(&[0x00, 0x64]);
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(l3);
    f.resize(len.max(f.len()), 0);
    f
}

#[test]
fn the_parser_flags_what_it_finds() {
    let v4 = |vhl: u8, frag: u16, proto: u8| {
        let mut h = vec![vhl, 0, 0, 40, 0, 0];
        h.extend_from_slice(&frag.to_be_bytes());
        h.extend_from_slice(&[64, proto]);
        h
    };
    let v6 = |nh: u8| vec![0x60, 0, 0, 0, 0, 8, nh, 64];
    let cases: Vec<(Vec<u8>, u8)> = vec![
        (frame(&[], 0x0800, &v4(0x45, 0, 6), 60), OK),
        (frame(&[], 0x0800, &v4(0x4F, 0, 6), 60), TRUNCATED),
        (frame(&[], 0x0800, &v4(0x44, 0, 17), 60), MALFORMED),
        (frame(&[], 0x0800, &v4(0x55, 0, 17), 60), MALFORMED),
        (frame(&[], 0x0800, &v4(0x45, 0x0010, 6), 60), LATER_FRAGMENT),
        (frame(&[0x8100], 0x0800, &v4(0x45, 0x2000, 6), 60), OK),
        (frame(&[], 0x86DD, &v6(6), 70), OK),
        (frame(&[], 0x86DD, &v6(0), 70), IPV6_EXTENSION),
        (frame(&[], 0x86DD, &v6(44), 70), IPV6_EXTENSION),
        (frame(&[0x88A8, 0x8100], 0x86DD, &v6(6), 60), TRUNCATED),
        (
            frame(&[], 0x86DD, &[0x40, 0, 0, 0, 0, 8, 17, 64], 70),
            MALFORMED,
        ),
        (frame(&[], 0x0806, &[0, 1, 8, 0, 6, 4, 0, 1], 60), OK),
        (frame(&[], 0x88CC, &[], 60), OK),
    ];
    let traces: Vec<TraceFrame> = cases
        .iter()
        .map(|(d, _)| TraceFrame {
            ts_ns: 0,
            data: d.clone(),
            fcs_included: false,
            orig_len: d.len() as u32,
        })
        .collect();
    for speed in [Speed::Gbe1, Speed::Gbe10] {
        let mut opts = ReplayOptions::new(speed);
        opts.line_rate = true;
        let r = replay(wire_frames(&traces, speed, true, None), &opts, &mut |_| {}).unwrap();
        assert_eq!(r.received.len(), cases.len());
        for (i, (got, (_, want))) in r.received.iter().zip(&cases).enumerate() {
            assert_eq!(got.status, *want, "case {i}");
        }
    }
}
