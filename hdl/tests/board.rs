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
fn every_board_pins_every_port_of_the_images() {
    every_board_pins_every_port_of(&board::bringup_verilog());
    every_board_pins_every_port_of(&board::nic_image_verilog());
}

fn every_board_pins_every_port_of(v: &str) {
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

/// Frames through the receive clock crossing with the PHY's clock slower, then faster, than
/// the card's (±250 ppm, beyond what Ethernet allows): every frame comes out whole, on
/// consecutive cycles, with its error flag where it was sent.
fn crossing(rx_half: u64, card_half: u64) {
    use arsenic_hdl::board::RxCrossing;
    // Frames of (octet, error): long ones, a short fragment, one with an error inside.
    let mut frames: Vec<Vec<(u8, bool)>> = Vec::new();
    for (k, len) in [1522usize, 64, 3, 300, 1522, 90].iter().enumerate() {
        frames.push(
            (0..*len)
                .map(|i| ((i * 7 + k) as u8, k == 3 && i == 150))
                .collect(),
        );
    }
    let sent = frames.clone();
    let got = Arc::new(Mutex::new(Vec::<(bool, bool, u8)>::new()));
    let sink = got.clone();
    let total: u64 = frames.iter().map(|f| f.len() as u64 + 12).sum::<u64>() + 200;
    let mut sim = Simulation::new();
    sim.add_clock(rx_half, |x: &mut Box<RxCrossing>| {
        x.rx_clock.next = !x.rx_clock.val()
    });
    sim.add_clock(card_half, |x: &mut Box<RxCrossing>| {
        x.clock.next = !x.clock.val()
    });
    sim.add_testbench(move |mut sim: Sim<RxCrossing>| {
        let mut x = sim.init()?;
        for f in &frames {
            for &(d, er) in f {
                x.rx_dv.next = true;
                x.rx_er.next = er;
                x.rxd.next = (d as u64).into();
                wait_clock_cycle!(sim, rx_clock, x);
            }
            x.rx_dv.next = false;
            x.rx_er.next = false;
            for _ in 0..12 {
                wait_clock_cycle!(sim, rx_clock, x);
            }
        }
        for _ in 0..100 {
            wait_clock_cycle!(sim, rx_clock, x);
        }
        sim.done(x)
    });
    sim.add_testbench(move |mut sim: Sim<RxCrossing>| {
        let mut x = sim.init()?;
        for _ in 0..total {
            wait_clock_cycle!(sim, clock, x);
            sink.lock().unwrap().push((
                x.gmii_rx_dv.val(),
                x.gmii_rx_er.val(),
                x.gmii_rxd.val().to_u8(),
            ));
        }
        sim.done(x)
    });
    let mut uut = RxCrossing::default();
    uut.connect_all();
    sim.run(Box::new(uut), 2 * total * rx_half.max(card_half) + 10_000)
        .unwrap();
    let got = got.lock().unwrap().clone();
    let mut out: Vec<Vec<(u8, bool)>> = Vec::new();
    let mut cur: Option<Vec<(u8, bool)>> = None;
    for (dv, er, d) in got {
        match (&mut cur, dv) {
            (Some(f), true) => f.push((d, er)),
            (None, true) => cur = Some(vec![(d, er)]),
            (Some(_), false) => out.push(cur.take().unwrap()),
            (None, false) => {}
        }
    }
    assert_eq!(out.len(), sent.len(), "frames out");
    for (k, (o, s)) in out.iter().zip(&sent).enumerate() {
        assert_eq!(o, s, "frame {k}");
    }
}

#[test]
fn receive_crossing_keeps_frames_whole_with_a_slower_phy_clock() {
    crossing(4001, 4000);
}

#[test]
fn receive_crossing_keeps_frames_whole_with_a_faster_phy_clock() {
    crossing(3999, 4000);
}

/// The crossing's FIFO alone, its clocks unrelated (7 and 5 time units a half period): a
/// writer that writes whenever its fill says there is room and a reader that reads at random
/// see every entry once, in order; the reader never sees an entry before it was written.
#[test]
fn cdc_fifo_keeps_order_and_loses_nothing_between_unrelated_clocks() {
    use arsenic_hdl::cdc_fifo::CdcFifo;
    const N: u64 = 3000;
    let got = Arc::new(Mutex::new(Vec::<u64>::new()));
    let sink = got.clone();
    let mut sim = Simulation::new();
    sim.add_clock(7, |x: &mut Box<CdcFifo>| {
        x.write_clock.next = !x.write_clock.val()
    });
    sim.add_clock(5, |x: &mut Box<CdcFifo>| {
        x.read_clock.next = !x.read_clock.val()
    });
    sim.add_testbench(move |mut sim: Sim<CdcFifo>| {
        let mut x = sim.init()?;
        let mut n = 0u64;
        while n < N {
            // (The fill can lag a write: one entry of margin.)
            let write = x.write_fill.val().to_u64() < 63;
            x.write.next = write;
            x.data_in.next = (n & 0x3FF).into();
            if write {
                n += 1;
            }
            wait_clock_cycle!(sim, write_clock, x);
        }
        x.write.next = false;
        sim.done(x)
    });
    sim.add_testbench(move |mut sim: Sim<CdcFifo>| {
        let mut x = sim.init()?;
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        let mut cycles = 0;
        while sink.lock().unwrap().len() < N as usize && cycles < 40 * N {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let read = !rng.is_multiple_of(3);
            x.read.next = read;
            if read && !x.empty.val() {
                sink.lock().unwrap().push(x.data_out.val().to_u64());
            }
            wait_clock_cycle!(sim, read_clock, x);
            cycles += 1;
        }
        sim.done(x)
    });
    let mut uut = CdcFifo::default();
    uut.connect_all();
    sim.run(Box::new(uut), 40 * N * 10 + 10_000).unwrap();
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), N as usize);
    for (i, v) in got.iter().enumerate() {
        assert_eq!(*v, i as u64 & 0x3FF, "entry {i}");
    }
}
