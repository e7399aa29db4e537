//! Replaying real and generated traces: every good frame reaches host memory byte-identical
//! and in order; bad-FCS, runt, giant, PHY-error and bad-preamble frames are dropped and
//! counted by reason; frames in = delivered + dropped.

mod common;

use arsenic_interface::params::Speed;
use arsenic_testbenches::generate::{generate, GenParams};
use arsenic_testbenches::replay::{wire_frames, ReplayOptions};
use arsenic_testbenches::trace::{self, TraceFrame};
use arsenic_testbenches::wire::Inject;
use common::check;
use std::path::Path;

fn traces_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../traces"))
}

fn load(name: &str) -> Vec<TraceFrame> {
    trace::read_file(&traces_dir().join(name)).unwrap()
}

#[test]
fn real_traces_at_1g_with_capture_timing() {
    for name in [
        "real-veth.pcap",
        "dns_tcp.pcap",
        "tftp.pcap",
        "vxlan.pcap",
        "icmpv6-rfc7112.pcap",
    ] {
        let mut opts = ReplayOptions::new(Speed::Gbe1);
        opts.max_gap_ns = Some(20_000);
        check(
            name,
            wire_frames(&load(name), Speed::Gbe1, false, opts.max_gap_ns),
            &opts,
        );
    }
}

#[test]
fn real_traces_at_10g_back_to_back() {
    for name in [
        "real-veth.pcap",
        "mptcp-v0.pcap",
        "rpvstp-trunk-native-vid5.pcap",
    ] {
        let mut opts = ReplayOptions::new(Speed::Gbe10);
        opts.line_rate = true;
        check(
            name,
            wire_frames(&load(name), Speed::Gbe10, true, None),
            &opts,
        );
    }
}

#[test]
fn generated_trace_at_both_speeds() {
    let frames = trace::read_file(&traces_dir().join("generated.pcapng")).unwrap();
    assert!(
        frames.iter().any(|f| f.fcs_included),
        "the committed trace carries its faults"
    );
    for speed in [Speed::Gbe1, Speed::Gbe10] {
        for line_rate in [false, true] {
            let mut opts = ReplayOptions::new(speed);
            opts.line_rate = line_rate;
            check(
                "generated.pcapng",
                wire_frames(&frames, speed, line_rate, None),
                &opts,
            );
        }
    }
}

#[test]
fn committed_generated_trace_is_what_the_generator_writes() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-again.pcapng");
    trace::write_pcapng(&path, &generate(GenParams::default())).unwrap();
    let again = std::fs::read(&path).unwrap();
    let committed = std::fs::read(traces_dir().join("generated.pcapng")).unwrap();
    assert!(
        again == committed,
        "traces/generated.pcapng is stale: run `arsenic trace generate`"
    );
}

#[test]
fn phy_errors_and_bad_preambles_are_counted() {
    for speed in [Speed::Gbe1, Speed::Gbe10] {
        let frames = generate(GenParams {
            frames: 120,
            ..GenParams::default()
        });
        let mut wire = wire_frames(
            &frames.into_iter().map(|(f, _)| f).collect::<Vec<_>>(),
            speed,
            true,
            None,
        );
        for (i, f) in wire.iter_mut().enumerate() {
            f.inject = match i % 9 {
                2 => Some(Inject::PhyError),
                6 => Some(Inject::BadPreamble),
                _ => None,
            };
        }
        let mut opts = ReplayOptions::new(speed);
        opts.line_rate = true;
        check("injected faults", wire, &opts);
    }
}
