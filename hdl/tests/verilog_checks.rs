//! The card's generated Verilog passes `verilator --lint-only -Wall` (no error; only the
//! warning classes listed in docs/VERILOG.md, each explained there) and Yosys `synth_ecp5` up
//! to the LUT mapping, with the receive buffer in block RAM.

use std::path::PathBuf;
use std::process::Command;

/// Warning classes the generated Verilog may raise, each explained in docs/VERILOG.md.
const ALLOWED_WARNINGS: &[&str] = &[
    "WIDTH",
    "UNUSEDSIGNAL",
    "UNUSEDPARAM",
    "UNOPTFLAT",
    "DECLFILENAME",
];

fn write_design(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("verilog-checks-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let verilog = match name {
        "nic_small" => arsenic_hdl::verilog::nic_small(),
        _ => {
            arsenic_hdl::verilog::designs()
                .into_iter()
                .find(|d| d.name == name)
                .unwrap()
                .verilog
        }
    };
    let path = dir.join(format!("{name}.v"));
    std::fs::write(&path, verilog).unwrap();
    path
}

fn tool(name: &str) -> Command {
    let probe = Command::new(name).arg("--version").output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "{name} is not installed: run the README's setup (apt-get install verilator yosys)"
    );
    Command::new(name)
}

fn lint(name: &str) {
    let path = write_design(name);
    let out = tool("verilator")
        .args(["--lint-only", "-Wall", "-Wno-fatal", "--top-module", "top"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        !text.contains("%Error"),
        "verilator reports errors on {name}:\n{text}"
    );
    let classes: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("%Warning-"))
        .map(|l| l.split(':').next().unwrap_or(""))
        .collect();
    let unexpected: Vec<&&str> = classes
        .iter()
        .filter(|c| !ALLOWED_WARNINGS.contains(c))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexplained verilator warnings on {name}: {unexpected:?}\n{text}"
    );
}

#[test]
fn nic_passes_verilator_lint() {
    lint("nic");
}

#[test]
fn mac_rx_passes_verilator_lint() {
    lint("mac_rx");
}

/// The card with the small classifier: the simulation configuration's classifier (4096 flows,
/// 32 literal windows a cycle) is far larger than an ECP5 and is not synthesized.
#[test]
fn nic_synthesizes_for_ecp5() {
    let path = write_design("nic_small");
    let stat = path.with_extension("stat.txt");
    // Up to the LUT mapping: the card's Verilog elaborates, its memories map to block RAM and
    // its registers to flip-flops. The LUT mapping (ABC) of the whole card takes longer than
    // the rest of the suite; the board flow does it for the board's configuration.
    let script = format!(
        "read_verilog {}; synth_ecp5 -top top -run :map_luts; tee -q -o {} stat",
        path.display(),
        stat.display()
    );
    let out = tool("yosys").args(["-q", "-p", &script]).output().unwrap();
    assert!(
        out.status.success(),
        "yosys failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stat = std::fs::read_to_string(&stat).unwrap();
    let count = |cell: &str| -> u64 {
        stat.lines()
            .find_map(|l| {
                let mut w = l.split_whitespace();
                (w.next() == Some(cell))
                    .then(|| w.next().and_then(|n| n.parse().ok()))
                    .flatten()
            })
            .unwrap_or(0)
    };
    println!("{stat}");
    // The receive buffer (2^11 beats of 64 bits) maps onto block RAM.
    assert!(
        count("DP16KD") >= 8,
        "receive buffer not in block RAM:\n{stat}"
    );
    assert!(count("TRELLIS_FF") > 0);
}
