//! The MAC receive block gives the same outputs, cycle by cycle, in rust-hdl's simulator and
//! in the Verilator model built from its generated Verilog, on the same stimulus: frames of
//! many sizes through both front ends, with bad FCS, runts, giants, PHY errors and bad
//! preambles, and a change of speed half way.

use arsenic_bridge::mac_rx;
use arsenic_hdl::mac_rx::MacRx;
use arsenic_interface::fcs;
use arsenic_interface::params::Speed;
use arsenic_testbenches::wire::{Inject, Wire, WireFrame, XGMII_IDLE};
use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};

const MAX_FRAME: u16 = 300;

fn frames(seed: u64, n: usize) -> Vec<WireFrame> {
    let mut x = seed;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = 40 + (x % 300) as usize;
            let body: Vec<u8> = (0..len).map(|k| (k as u64).wrapping_mul(x) as u8).collect();
            let mut bytes = fcs::append_fcs(&body);
            if i % 7 == 3 {
                bytes[len / 2] ^= 0x10; // wrong FCS
            }
            let inject = match i % 11 {
                5 => Some(Inject::PhyError),
                8 => Some(Inject::BadPreamble),
                _ => None,
            };
            WireFrame {
                bytes,
                earliest: 0,
                inject,
            }
        })
        .collect()
}

fn stimulus() -> Vec<mac_rx::In> {
    let mut v = Vec::new();
    let base = mac_rx::In {
        rx_enable: 1,
        max_frame: MAX_FRAME,
        ..Default::default()
    };
    let mut gmii = Wire::new(Speed::Gbe1, frames(3, 6));
    for t in 0..1800 {
        let s = gmii.gmii(t);
        v.push(mac_rx::In {
            gmii_rxd: s.rxd,
            gmii_rx_dv: s.rx_dv as u8,
            gmii_rx_er: s.rx_er as u8,
            xgmii_rxd: XGMII_IDLE.rxd,
            xgmii_rxc: XGMII_IDLE.rxc,
            ..base
        });
    }
    let mut xg = Wire::new(Speed::Gbe10, frames(9, 40));
    for t in 0..1200 {
        let s = xg.xgmii(t);
        v.push(mac_rx::In {
            speed_10g: 1,
            xgmii_rxd: s.rxd,
            xgmii_rxc: s.rxc,
            ..base
        });
    }
    v
}

fn verilator_run(stim: &[mac_rx::In]) -> Vec<mac_rx::Out> {
    let mut m = mac_rx::Model::new();
    let mut out = mac_rx::Out::default();
    stim.iter()
        .map(|i| {
            m.tick(i, &mut out);
            out
        })
        .collect()
}

fn apply(i: &mac_rx::In, x: &mut MacRx) {
    x.gmii_rxd.next = (i.gmii_rxd as u64).into();
    x.gmii_rx_dv.next = i.gmii_rx_dv != 0;
    x.gmii_rx_er.next = i.gmii_rx_er != 0;
    x.xgmii_rxd.next = i.xgmii_rxd.into();
    x.xgmii_rxc.next = (i.xgmii_rxc as u64).into();
    x.speed_10g.next = i.speed_10g != 0;
    x.rx_enable.next = i.rx_enable != 0;
    x.max_frame.next = (i.max_frame as u64).into();
    x.reset.next = i.reset != 0;
}

fn sample(x: &MacRx) -> mac_rx::Out {
    mac_rx::Out {
        valid: x.valid.val() as u8,
        data: x.data.val().to_u64(),
        nbytes: x.nbytes.val().to_u8(),
        last: x.last.val() as u8,
        ok: x.ok.val() as u8,
        len: x.len.val().to_u16(),
        cnt_frames: x.cnt_frames.val().to_u32(),
        cnt_ok: x.cnt_ok.val().to_u32(),
        cnt_fcs: x.cnt_fcs.val().to_u32(),
        cnt_runt: x.cnt_runt.val().to_u32(),
        cnt_giant: x.cnt_giant.val().to_u32(),
        cnt_phy: x.cnt_phy.val().to_u32(),
        cnt_pre: x.cnt_pre.val().to_u32(),
        cnt_disabled: x.cnt_disabled.val().to_u32(),
    }
}

fn rust_hdl_run(stim: Vec<mac_rx::In>) -> Vec<mac_rx::Out> {
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<MacRx>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<MacRx>| {
        let mut x = sim.init()?;
        for i in &stim {
            apply(i, &mut x);
            wait_clock_true!(sim, clock, x);
            sink.lock().unwrap().push(sample(&x));
            wait_clock_false!(sim, clock, x);
        }
        sim.done(x)
    });
    let mut uut = MacRx::default();
    uut.connect_all();
    sim.run(Box::new(uut), 100_000_000).unwrap();
    let v = got.lock().unwrap().clone();
    v
}

#[test]
fn mac_rx_matches_between_rust_hdl_and_verilator() {
    let stim = stimulus();
    let v = verilator_run(&stim);
    let r = rust_hdl_run(stim.clone());
    assert_eq!(r.len(), v.len());
    for (cycle, (a, b)) in r.iter().zip(&v).enumerate() {
        assert_eq!(a, b, "outputs differ at cycle {cycle}");
    }
    // The stimulus exercised every reason.
    let last = v.last().unwrap();
    assert!(last.cnt_ok > 10 && last.cnt_fcs > 0 && last.cnt_runt > 0 && last.cnt_giant > 0);
    assert!(last.cnt_phy > 0 && last.cnt_pre > 0);
    assert_eq!(
        last.cnt_frames,
        last.cnt_ok
            + last.cnt_fcs
            + last.cnt_runt
            + last.cnt_giant
            + last.cnt_phy
            + last.cnt_pre
            + last.cnt_disabled
    );
}
