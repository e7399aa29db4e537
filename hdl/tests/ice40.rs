//! iCE40 smoke test with Debian's open tools: the card's gigabit receive MAC (GMII front end,
//! FCS checked an octet a cycle, length checks, counters) synthesized by Yosys `synth_ice40`,
//! placed and routed by nextpnr-ice40 on an HX8K (CT256) and packed by icepack. An iCE40 is
//! far too small for the card; this checks that the Verilog stays portable beyond the ECP5.

use std::path::Path;
use std::process::Command;

fn tool(name: &str) -> Command {
    let probe = Command::new(name).arg("--help").output();
    assert!(
        probe.is_ok(),
        "{name} is not installed: run the README's setup (apt-get install yosys nextpnr-ice40 fpga-icestorm)"
    );
    Command::new(name)
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

const WRAPPER: &str = r#"
module ice40_top(input clock, input [7:0] rxd, input rx_dv, input rx_er, input reset,
           output valid, output last, output ok, output [9:0] fold);
    wire [63:0] data; wire [3:0] nbytes; wire [15:0] len;
    wire [31:0] c0, c1, c2, c3, c4, c5, c6, c7;
    top m(.clock(clock), .gmii_rxd(rxd), .gmii_rx_dv(rx_dv), .gmii_rx_er(rx_er),
        .xgmii_rxd(64'd0), .xgmii_rxc(8'd0), .speed_10g(1'b0), .rx_enable(1'b1),
        .max_frame(16'd1518), .reset(reset), .valid(valid), .data(data), .nbytes(nbytes),
        .last(last), .ok(ok), .len(len), .cnt_frames(c0), .cnt_ok(c1), .cnt_fcs(c2),
        .cnt_runt(c3), .cnt_giant(c4), .cnt_phy(c5), .cnt_pre(c6), .cnt_disabled(c7));
    assign fold = {^data, ^{nbytes, len}, ^c0, ^c1, ^c2, ^c3, ^c4, ^c5, ^c6, ^c7};
endmodule
"#;

#[test]
fn the_gigabit_receive_mac_places_and_routes_on_an_ice40() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ice40");
    std::fs::create_dir_all(&dir).unwrap();
    let v = dir.join("mac_rx_gmii.v");
    // The MAC under a wrapper with the board's pins only (GMII in, a few outputs that keep
    // every counter and the stream alive): the MAC's own ports exceed the package's pins.
    let mac = arsenic_hdl::verilog::mac_rx_gmii();
    std::fs::write(&v, format!("{mac}\n{WRAPPER}")).unwrap();
    let json = dir.join("mac_rx_gmii.json");
    let asc = dir.join("mac_rx_gmii.asc");
    let bin = dir.join("mac_rx_gmii.bin");
    let report = dir.join("report.json");
    run(
        tool("yosys").args([
            "-q",
            "-p",
            &format!(
                "read_verilog {}; synth_ice40 -top ice40_top -json {}",
                v.display(),
                json.display()
            ),
        ]),
        "yosys synth_ice40",
    );
    let log = run(
        tool("nextpnr-ice40")
            .args([
                "--hx8k",
                "--package",
                "ct256",
                "--freq",
                "125",
                "--timing-allow-fail",
            ])
            .arg("--json")
            .arg(&json)
            .arg("--asc")
            .arg(&asc)
            .arg("--report")
            .arg(&report),
        "nextpnr-ice40",
    );
    run(tool("icepack").arg(&asc).arg(&bin), "icepack");
    assert!(std::fs::metadata(&bin).unwrap().len() > 0);
    // The report gives the cells used against the device and the clock's achieved frequency.
    let r = std::fs::read_to_string(&report).unwrap();
    let luts = r
        .split("\"ICESTORM_LC\"")
        .nth(1)
        .and_then(|s| s.split("\"used\":").nth(1))
        .and_then(|s| s.trim_start().split([',', '}']).next())
        .and_then(|n| n.trim().parse::<u64>().ok())
        .expect("the report lists the logic cells");
    assert!(luts > 100 && luts < 7_680, "{luts} logic cells");
    let fmax = log
        .lines()
        .rfind(|l| l.contains("Max frequency for clock"))
        .unwrap_or("no clock report")
        .to_string();
    eprintln!("iCE40 HX8K: {luts} logic cells of 7680; {}", fmax.trim());
}
