//! Board support: the RGMII receiver turns the PHY's DDR nibbles into the octets, data-valid
//! and error it was sent (rust-hdl's simulator, models of the ECP5 DDR cells), and every
//! board's constraints name a pin for every top-level port of the board image.

use arsenic_hdl::board::{self, RgmiiRx};
use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};

#[test]
fn rgmii_receive_recovers_octets_valid_and_error() {
    // (dv, er, octet) per cycle: idle, a frame with an error in it, idle, another frame.
    let mut stim: Vec<(bool, bool, u8)> = vec![(false, false, 0); 4];
    stim.extend((0..20u8).map(|i| (true, i == 9, i.wrapping_mul(37) ^ 0xA5)));
    stim.extend(vec![(false, false, 0); 3]);
    stim.extend((0..7u8).map(|i| (true, false, 0xF0 | i)));
    stim.extend(vec![(false, false, 0); 4]);
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let s2 = stim.clone();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<RgmiiRx>| x.rxc.next = !x.rxc.val());
    sim.add_testbench(move |mut sim: Sim<RgmiiRx>| {
        let mut x = sim.init()?;
        // Data changes a quarter period before each edge of the receive clock (rising at 5,
        // 15, ...; falling at 10, 20, ...), as a PHY with its clock delayed sends it.
        x = sim.wait(3, x)?;
        for &(dv, er, octet) in &s2 {
            x.rx_ctl.next = dv;
            x.rxd.next = ((octet & 0xF) as u64).into();
            x = sim.wait(5, x)?;
            x.rx_ctl.next = dv ^ er;
            x.rxd.next = ((octet >> 4) as u64).into();
            x = sim.wait(5, x)?;
            sink.lock().unwrap().push((
                x.gmii_rx_dv.val(),
                x.gmii_rx_er.val(),
                x.gmii_rxd.val().to_u8(),
            ));
        }
        sim.done(x)
    });
    let mut uut = RgmiiRx::default();
    uut.connect_all();
    sim.run(Box::new(uut), 10_000).unwrap();
    let got = got.lock().unwrap().clone();
    // The receiver's latency is two cycles; after it, cycle by cycle what was sent.
    let lat = 2;
    for (k, want) in stim.iter().enumerate().take(stim.len() - lat) {
        let g = got[k + lat];
        assert_eq!(g.0, want.0, "data valid at cycle {k}");
        assert_eq!(g.1, want.1, "error at cycle {k}");
        if want.0 {
            assert_eq!(g.2, want.2, "octet at cycle {k}");
        }
    }
}

#[test]
fn every_board_pins_every_port_of_the_image() {
    let v = board::bringup_verilog();
    let header = v.lines().find(|l| l.starts_with("module top(")).unwrap();
    let ports: Vec<&str> = header
        .trim_start_matches("module top(")
        .trim_end_matches(");")
        .split(',')
        .collect();
    assert!(v.contains("IDDRX1F") && v.contains("ODDRX1F") && v.contains("EHXPLLL"));
    for b in board::BOARDS {
        let lpf = board::lpf(b);
        for p in &ports {
            let named = lpf.contains(&format!("\"{p}\"")) || lpf.contains(&format!("\"{p}[0]\""));
            assert!(named, "{}: no pin for {p}", b.name);
        }
        // No ball is used twice.
        let mut balls: Vec<&str> = lpf
            .lines()
            .filter_map(|l| l.split("SITE \"").nth(1))
            .map(|r| r.trim_end_matches("\";"))
            .collect();
        let n = balls.len();
        balls.sort();
        balls.dedup();
        assert_eq!(balls.len(), n, "{}: a ball is used twice", b.name);
    }
    assert!(board::board("colorlight-5a-75b").is_some());
    assert!(board::board("no-such-board").is_none());
}
