//! The octet-a-cycle gigabit transmit MAC in rust-hdl's simulator: every frame leaves with
//! its preamble, padding and FCS, back-to-back frames 12 idle octets apart, and a frame whose
//! beats stop arriving is cut with TX_ER, counted, and the next frame is whole.

use arsenic_hdl::gmii_tx::GmiiTx;
use arsenic_interface::fcs;
use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};

/// Frames to send, each with the cycles of stall to insert before its second beat.
fn frames() -> Vec<(Vec<u8>, usize)> {
    let mut v = Vec::new();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for (i, len) in [1usize, 7, 8, 9, 59, 60, 61, 64, 100, 127, 200]
        .iter()
        .enumerate()
    {
        let f: Vec<u8> = (0..*len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        // The seventh frame stalls in its middle: an underrun.
        v.push((f, if i == 6 { 3 } else { 0 }));
    }
    v
}

#[test]
fn frames_leave_padded_with_fcs_and_gaps_and_an_underrun_is_cut() {
    let wire = Arc::new(Mutex::new(Vec::<(bool, bool, u8)>::new()));
    let sink = wire.clone();
    let counters = Arc::new(Mutex::new((0u32, 0u32, 0u32, 0u32)));
    let csink = counters.clone();
    let mut sim = Simulation::new();
    sim.add_clock(4, |x: &mut Box<GmiiTx>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<GmiiTx>| {
        let mut x = sim.init()?;
        let record = |x: &GmiiTx| {
            sink.lock().unwrap().push((
                x.gmii_tx_en.val(),
                x.gmii_tx_er.val(),
                x.gmii_txd.val().to_u8(),
            ))
        };
        for (f, stall) in frames() {
            let beats: Vec<&[u8]> = f.chunks(8).collect();
            for (b, chunk) in beats.iter().enumerate() {
                if b == 1 && stall > 0 {
                    x.s_valid.next = false;
                    for _ in 0..stall * 8 {
                        wait_clock_cycle!(sim, clock, x);
                        record(&x);
                    }
                }
                let mut w = [0u8; 8];
                w[..chunk.len()].copy_from_slice(chunk);
                x.s_valid.next = true;
                x.s_data.next = u64::from_le_bytes(w).into();
                x.s_nbytes.next = (chunk.len() as u64).into();
                x.s_last.next = b + 1 == beats.len();
                loop {
                    // `s_ready` comes from the state alone: its value before the edge says
                    // whether the edge takes the beat.
                    let taken = x.s_ready.val();
                    wait_clock_cycle!(sim, clock, x);
                    record(&x);
                    if taken {
                        break;
                    }
                }
            }
            x.s_valid.next = false;
        }
        for _ in 0..200 {
            wait_clock_cycle!(sim, clock, x);
            record(&x);
        }
        *csink.lock().unwrap() = (
            x.cnt_frames.val().to_u32(),
            x.cnt_octets.val().to_u32(),
            x.cnt_padded.val().to_u32(),
            x.cnt_underrun.val().to_u32(),
        );
        sim.done(x)
    });
    let mut uut = GmiiTx::default();
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
    let wire = wire.lock().unwrap().clone();
    // Split the wire into frames: (octets, TX_ER seen, idle octets before).
    let mut seen: Vec<(Vec<u8>, bool, usize)> = Vec::new();
    let mut cur: Option<(Vec<u8>, bool)> = None;
    let mut idle = 0usize;
    for &(en, er, d) in &wire {
        match (&mut cur, en) {
            (Some((b, e)), true) => {
                b.push(d);
                *e |= er;
            }
            (None, true) => {
                cur = Some((vec![d], er));
            }
            (Some(_), false) => {
                let (b, e) = cur.take().unwrap();
                seen.push((b, e, idle));
                idle = 1;
            }
            (None, false) => idle += 1,
        }
    }
    let want = frames();
    assert_eq!(
        seen.len(),
        want.len(),
        "one frame on the wire per frame sent"
    );
    for (k, ((got, err, gap), (f, stall))) in seen.iter().zip(&want).enumerate() {
        if k > 0 {
            assert!(*gap >= 12, "frame {k}: {gap} idle octets before it");
        }
        if *stall > 0 {
            assert!(*err, "frame {k}: the underrun is marked with TX_ER");
            continue;
        }
        assert!(!err, "frame {k}: no TX_ER");
        let mut padded = f.clone();
        padded.resize(padded.len().max(60), 0);
        let mut expect = vec![0x55; 7];
        expect.push(0xD5);
        expect.extend(fcs::append_fcs(&padded));
        assert_eq!(got, &expect, "frame {k} of {} octets", f.len());
    }
    let whole: Vec<usize> = want
        .iter()
        .filter(|(_, s)| *s == 0)
        .map(|(f, _)| f.len().max(60) + 4)
        .collect();
    let padded = want.iter().filter(|(f, s)| *s == 0 && f.len() < 60).count() as u32;
    assert_eq!(
        *counters.lock().unwrap(),
        (
            whole.len() as u32,
            whole.iter().sum::<usize>() as u32,
            padded,
            1
        ),
        "frames, octets, padded, underruns"
    );
    // Frames after a full-sized frame with no stall follow at exactly the minimum gap.
    assert_eq!(seen[2].2, 12, "back to back: 12 idle octets");
}
