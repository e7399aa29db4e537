//! The command line: the main job, and clear errors with documented exit codes for bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn arsenic(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_arsenic"))
        .args(args)
        .output()
        .unwrap()
}

/// `arsenic sim -q ARGS --out OUT`.
fn sim_q(args: &[&str], out: &Path) -> Output {
    let mut all = vec!["sim", "-q"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    arsenic(&all)
}

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn default_trace_runs_and_balances() {
    let out = tmp("default");
    let o = sim_q(&[], &out);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains("frames in    170"), "{text}");
    assert!(text.contains("check        ok"), "{text}");
    let pcap = std::fs::read(out.join("rx-vi0-os.pcap")).unwrap();
    // The embedded configuration's VIs each got their frames.
    for name in [
        "rx-vi1-http-server.pcap",
        "rx-vi2-http-client.pcap",
        "rx-vi3-http6.pcap",
        "rx-vi4-ping.pcap",
    ] {
        let p = std::fs::read(out.join(name)).unwrap();
        assert!(p.len() > 24 + 16, "{name} is empty");
    }
    assert!(text.contains("frames claimed by masked rules"), "{text}");
    assert_eq!(
        &pcap[0..4],
        &0xA1B2_3C4Du32.to_le_bytes(),
        "nanosecond pcap"
    );
    // The embedded configuration's senders: every frame offered left the wire.
    assert!(
        text.contains("tx vi 5     udp-sender        1000 of    1000 frames"),
        "{text}"
    );
    assert!(
        text.contains("tx vi 6     shaped             200 of     200 frames"),
        "{text}"
    );
    assert!(text.contains("tx check     ok"), "{text}");
    // An independent dissector reads what left the wire without complaint.
    let wire = out.join("wire-tx.pcap");
    let tshark = |args: &[&str]| {
        let o = Command::new("tshark")
            .arg("-r")
            .arg(&wire)
            .args(args)
            .output()
            .expect("tshark is not installed: run the README's setup (apt-get install tshark)");
        assert!(
            o.status.success(),
            "tshark: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        (
            String::from_utf8_lossy(&o.stdout).to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (frames, err) = tshark(&["-T", "fields", "-e", "frame.number", "-e", "ip.src"]);
    assert!(
        !err.to_lowercase().contains("cut short") && !err.contains("isn't"),
        "{err}"
    );
    let lines: Vec<&str> = frames.lines().collect();
    assert_eq!(lines.len(), 1200, "every frame read");
    assert_eq!(
        lines.iter().filter(|l| l.ends_with("10.1.0.5")).count(),
        1000
    );
    assert_eq!(
        lines.iter().filter(|l| l.ends_with("10.1.0.6")).count(),
        200
    );
    let (expert, _) = tshark(&["-q", "-z", "expert,error"]);
    assert!(!expert.contains("Error"), "tshark finds errors: {expert}");
}

#[test]
fn a_missing_capture_is_a_clear_error() {
    let out = tmp("missing");
    let o = sim_q(&["/nonexistent/x.pcap"], &out);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot read /nonexistent/x.pcap"), "{err}");
    assert!(!out.join("rx-vi0-os.pcap").exists());
}

#[test]
fn a_corrupt_capture_is_a_clear_error() {
    let out = tmp("corrupt");
    // A real capture cut in the middle of a packet record.
    let real = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../traces/dns_tcp.pcap"
    ))
    .unwrap();
    let bad = out.join("cut.pcap");
    std::fs::write(&bad, &real[..real.len() - 30]).unwrap();
    let o = sim_q(&[bad.to_str().unwrap()], &out);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("corrupt capture after 10 good packets"),
        "{err}"
    );
    // Not a capture at all.
    std::fs::write(&bad, b"hello, this is text").unwrap();
    let o = sim_q(&[bad.to_str().unwrap()], &out);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a pcap or pcapng file"));
    assert!(!out.join("rx-vi0-os.pcap").exists());
}

#[test]
fn an_unsupported_link_type_is_a_clear_error() {
    let out = tmp("linktype");
    // A pcap header with link type 101 (raw IP) and one packet.
    let mut f = Vec::new();
    f.extend_from_slice(&0xA1B2_C3D4u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&4u16.to_le_bytes());
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&65535u32.to_le_bytes());
    f.extend_from_slice(&101u32.to_le_bytes());
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&20u32.to_le_bytes());
    f.extend_from_slice(&20u32.to_le_bytes());
    f.extend_from_slice(&[0x45; 20]);
    let p = out.join("raw.pcap");
    std::fs::write(&p, f).unwrap();
    let o = sim_q(&[p.to_str().unwrap()], &out);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is not supported; the card takes Ethernet")
    );
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(arsenic(&["sim", "--speed", "40g"]).status.code(), Some(2));
}

#[test]
fn filter_check_shows_entries_or_points_at_the_error() {
    let o = arsenic(&[
        "filter",
        "check",
        "tcp and dst host 10.0.0.1 and dst port 80",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("exact flow: IPv4 proto 6 -> 10.0.0.1:80"));
    let o = arsenic(&["filter", "check", "udp and not port 53"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("masked rules: 4 terms over 13 literals"));
    let o = arsenic(&["filter", "check", "tcp port http"]);
    assert_eq!(o.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&o.stderr).contains("         ^^^^ `http`"));
    let o = arsenic(&["filter", "check", "ip and ip[2:2] & 0xff00 > 5"]);
    assert_eq!(o.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot express"));
}

#[test]
fn a_bad_config_is_a_clear_error() {
    let out = tmp("config");
    let cfg = out.join("bad.toml");
    std::fs::write(
        &cfg,
        "[[vi]]\nid = 1\nname = \"a\"\nfilters = [{ expr = \"tcp[300] = 1\" }]\n",
    )
    .unwrap();
    let o = sim_q(&["--config", cfg.to_str().unwrap()], &out);
    assert_eq!(o.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot express"));
    std::fs::write(&cfg, "[[vi]\n").unwrap();
    let o = sim_q(&["--config", cfg.to_str().unwrap()], &out);
    assert_eq!(o.status.code(), Some(6));
}

/// A classic pcap with snap length `snap` and one record of `orig` octets cut to `cap`.
fn snapped_pcap(snap: u32, cap: u32, orig: u32) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&0xA1B2_C3D4u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&4u16.to_le_bytes());
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&snap.to_le_bytes());
    f.extend_from_slice(&1u32.to_le_bytes());
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&cap.to_le_bytes());
    f.extend_from_slice(&orig.to_le_bytes());
    let mut frame = vec![0u8; cap as usize];
    frame[..6].copy_from_slice(&[0xFF; 6]);
    frame[12..14].copy_from_slice(&[0x08, 0x06]);
    f.extend_from_slice(&frame);
    f
}

#[test]
fn frames_cut_by_the_snap_length_are_replayed_as_captured_and_said() {
    let out = tmp("snapped");
    let p = out.join("snapped.pcap");
    std::fs::write(&p, snapped_pcap(96, 96, 1000)).unwrap();
    let o = arsenic(&["sim", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.contains("1 frames were cut short by the capture's snap length"),
        "{s}"
    );
}

#[test]
fn a_truncated_pcapng_is_a_clear_error_and_writes_nothing() {
    let out = tmp("pcapng");
    let real = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../traces/generated.pcapng"
    ))
    .unwrap();
    let bad = out.join("cut.pcapng");
    std::fs::write(&bad, &real[..real.len() / 2 + 7]).unwrap();
    let o = sim_q(&[bad.to_str().unwrap()], &out);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("corrupt capture"));
    assert!(std::fs::read_dir(&out).unwrap().all(|e| {
        let n = e.unwrap().file_name();
        !n.to_string_lossy().starts_with("rx-")
    }));
}

#[test]
fn a_configuration_the_card_cannot_take_is_refused() {
    let out = tmp("cannot-take");
    let cfg = out.join("c.toml");
    // A VI number beyond the card's VIs.
    std::fs::write(&cfg, "[[vi]]\nid = 1024\nname = \"far\"\n").unwrap();
    let o = sim_q(&["--config", cfg.to_str().unwrap()], &out);
    assert_eq!(o.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&o.stderr).contains("use 1..=1023"));
    // More masked-rule terms than the card has (a port range of 120 prefixes).
    std::fs::write(
        &cfg,
        "[[vi]]\nid = 1\nname = \"wide\"\nfilters = [{ expr = \"portrange 1-1023\" }]\n",
    )
    .unwrap();
    let o = sim_q(&["--config", cfg.to_str().unwrap()], &out);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("full") || err.contains("table"), "{err}");
    assert!(!out.join("rx-vi0-os.pcap").exists());
}

#[test]
fn bench_quick_writes_the_report_and_its_checks_pass() {
    let out = tmp("bench");
    let o = arsenic(&["bench", "--quick", "--out", out.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!text.contains("FAILED"), "{text}");
    assert!(
        text.contains("livelock: the eager host collapses"),
        "{text}"
    );
    let md = std::fs::read_to_string(out.join("BENCHMARKS.md")).unwrap();
    for section in [
        "## Receive at line rate",
        "## Transmit at line rate",
        "## Latency",
        "## Receive livelock",
        "## Simulation speed",
    ] {
        assert!(md.contains(section), "{section} missing");
    }
    for chart in ["livelock.svg", "livelock_flow_b.svg", "tx_line_rate.svg"] {
        let svg = std::fs::read_to_string(out.join("bench").join(chart)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"), "{chart}");
    }
}

#[test]
fn trace_fix_gives_loopback_frames_addresses_and_good_checksums() {
    // The raw loopback capture from traces/capture-loopback.sh: all-zero MAC addresses and
    // offloaded (unfinished) TCP/UDP checksums.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let raw = root.join("traces/real-loopback.raw.pcap");
    let d = tmp("trace-fix");
    let out = d.join("fixed.pcap");
    let o = arsenic(&["trace", "fix", raw.to_str().unwrap(), out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        said.contains("70 frames; MAC addresses set in 70"),
        "{said}"
    );
    // What the capture script committed is what the tool writes.
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(root.join("traces/real-loopback.pcap")).unwrap()
    );
    // An independent dissector agrees: every checksum was wrong somewhere before, none after.
    let incorrect = |p: &Path| {
        let o = Command::new("tshark")
            .args(["-r", p.to_str().unwrap(), "-V"])
            .args([
                "-o",
                "tcp.check_checksum:TRUE",
                "-o",
                "udp.check_checksum:TRUE",
            ])
            .args(["-o", "ip.check_checksum:TRUE"])
            .output()
            .expect("tshark is not installed: run the README's setup (apt-get install tshark)");
        String::from_utf8_lossy(&o.stdout)
            .matches(" incorrect, should be")
            .count()
    };
    assert_eq!(incorrect(&raw), 58);
    assert_eq!(incorrect(&out), 0);
    // A capture that is not one: exit 3, nothing written.
    let bad = d.join("bad.pcap");
    std::fs::write(&bad, b"not a capture at all").unwrap();
    let out2 = d.join("never.pcap");
    let o = arsenic(&[
        "trace",
        "fix",
        bad.to_str().unwrap(),
        out2.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(!out2.exists());
}

#[test]
fn a_board_that_does_not_exist_is_refused_and_nothing_is_written() {
    let d = tmp("synth-unknown");
    let out = d.join("image");
    let o = arsenic(&[
        "synth",
        "--board",
        "colorlight-9z",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("invalid value 'colorlight-9z'"), "{err}");
    assert!(
        err.contains("colorlight-5a-75b"),
        "the message lists the boards: {err}"
    );
    assert!(!out.exists());
}

/// Builds a 5A-75B image through yowasp Yosys, nextpnr-ecp5 and ecppack (installed into the
/// workspace's `target/synth-venv` on first use, from the Python package registry) and checks
/// that it meets 125 MHz on every one of its three clocks, with a bitstream written.
fn board_image_meets_125_mhz(name: &str, args: &[&str]) {
    let d = tmp(name);
    let out = d.join("image");
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/synth-venv");
    let mut all = vec!["synth", "--board", "colorlight-5a-75b"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--out",
        out.to_str().unwrap(),
        "--tools",
        venv.to_str().unwrap(),
    ]);
    let o = arsenic(&all);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{report}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bit = std::fs::metadata(out.join("top.bit")).expect("the bitstream");
    assert!(bit.len() > 100_000, "a bitstream of {} octets", bit.len());
    assert!(report.contains("Result: **pass**"), "{report}");
    let clocks: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(" MHz | 125 MHz |"))
        .collect();
    assert_eq!(clocks.len(), 3, "{report}");
    assert!(clocks.iter().all(|l| l.ends_with("| pass |")), "{report}");
}

/// The whole board flow in the test suite: the PHY bring-up image for the 5A-75B.
#[test]
fn the_bringup_image_places_routes_and_meets_125_mhz() {
    board_image_meets_125_mhz("synth-bringup", &[]);
}

/// The NIC image for the 5A-75B (the board's card, the host tunnel, the sequential
/// classifiers, the counter banks) places, routes and meets 125 MHz on every clock, with a
/// bitstream written. The placement seed is the one that meets timing with the card's logic
/// as it stands and the pinned tools (docs/BOARD.md lists each seed's clock): a change to the
/// card moves the placement, and may need another seed (`arsenic synth ... --seed N` over a
/// few N) or a shorter path.
#[test]
fn the_nic_image_places_routes_and_meets_125_mhz() {
    board_image_meets_125_mhz("synth-nic", &["--image", "nic", "--seed", "3"]);
}
