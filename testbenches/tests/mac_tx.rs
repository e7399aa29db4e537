//! The MAC transmit block through Verilator: frames of every size at both speeds come out
//! with preamble, padding, a correct FCS (checked by a bitwise CRC-32 written here, not the
//! project's table) and legal gaps; minimum frames leave at line rate.

mod common;
use arsenic_bridge::mac_tx::{In, Model, Out};
use arsenic_testbenches::generate::Rng;
use arsenic_testbenches::wire_tx::{GmiiMonitor, TxFrame, XgmiiMonitor};
use common::crc32_bitwise;

struct Run {
    frames: Vec<TxFrame>,
    faults: Vec<String>,
    out: Out,
}

/// Sends `payloads` back to back (each delivered without gaps, `gap_at` inserts one idle
/// cycle before that beat index of the first frame), runs until the wire is quiet.
fn send(payloads: &[Vec<u8>], ten_g: bool, gap_at: Option<usize>) -> Run {
    let mut m = Model::new();
    let mut i = In::default();
    let mut o = Out::default();
    i.speed_10g = ten_g as u8;
    i.reset = 1;
    for _ in 0..4 {
        m.tick(&i, &mut o);
    }
    i.reset = 0;
    let mut gm = GmiiMonitor::default();
    let mut xm = XgmiiMonitor::default();
    let (mut f, mut beat) = (0usize, 0usize);
    let mut gap_cycles = 0;
    let mut quiet = 0;
    for now in 0..10_000_000u64 {
        // Offer the next beat; it is taken when `s_ready` (registered) was high.
        i.s_valid = 0;
        if f < payloads.len() {
            let p = &payloads[f];
            let off = beat * 8;
            let n = (p.len() - off).min(8);
            // The gap: 40 cycles without the beat, longer than the MAC's queue covers.
            let skip = f == 0 && gap_at == Some(beat) && gap_cycles < 40 && o.s_ready != 0;
            if !skip {
                let mut w = [0u8; 8];
                w[..n].copy_from_slice(&p[off..off + n]);
                i.s_valid = 1;
                i.s_data = u64::from_le_bytes(w);
                i.s_nbytes = n as u8;
                i.s_last = (off + n == p.len()) as u8;
            } else {
                gap_cycles += 1;
            }
        }
        let taken = i.s_valid != 0 && o.s_ready != 0;
        m.tick(&i, &mut o);
        if taken {
            beat += 1;
            if beat * 8 >= payloads[f].len() {
                f += 1;
                beat = 0;
            }
        }
        if ten_g {
            xm.cycle(now, o.xgmii_txd, o.xgmii_txc);
        } else {
            gm.cycle(now, o.gmii_txd, o.gmii_tx_en != 0, o.gmii_tx_er != 0);
        }
        quiet = if f == payloads.len() && o.idle != 0 {
            quiet + 1
        } else {
            0
        };
        if quiet > 64 {
            break;
        }
    }
    let (frames, faults) = if ten_g {
        (xm.frames, xm.faults)
    } else {
        (gm.frames, gm.faults)
    };
    Run {
        frames,
        faults: faults
            .into_iter()
            .map(|f| format!("{}: {}", f.cycle, f.what))
            .collect(),
        out: o,
    }
}

fn expected(p: &[u8]) -> Vec<u8> {
    let mut v = p.to_vec();
    v.resize(v.len().max(60), 0);
    let c = crc32_bitwise(&v);
    v.extend_from_slice(&c.to_le_bytes());
    v
}

fn payloads() -> Vec<Vec<u8>> {
    let mut r = Rng(0x7A7A);
    let mut sizes: Vec<usize> = vec![14, 15, 59, 60, 61, 63, 64, 65, 67, 68, 71, 72, 100, 1514];
    sizes.extend((0..40).map(|_| 14 + r.below(1501) as usize));
    sizes
        .iter()
        .map(|&n| (0..n).map(|_| r.next_u64() as u8).collect())
        .collect()
}

#[test]
fn every_size_leaves_padded_with_a_correct_fcs_at_both_speeds() {
    let ps = payloads();
    for ten_g in [false, true] {
        let r = send(&ps, ten_g, None);
        assert!(r.faults.is_empty(), "10G {ten_g}: {:?}", r.faults);
        assert_eq!(r.frames.len(), ps.len(), "10G {ten_g}");
        for (k, (got, p)) in r.frames.iter().zip(&ps).enumerate() {
            assert_eq!(
                got.bytes,
                expected(p),
                "10G {ten_g}: frame {k} of {} octets",
                p.len()
            );
        }
        let padded = ps.iter().filter(|p| p.len() < 60).count() as u32;
        let octets: u32 = ps.iter().map(|p| p.len().max(60) as u32 + 4).sum();
        assert_eq!(
            (
                r.out.cnt_frames,
                r.out.cnt_padded,
                r.out.cnt_octets,
                r.out.cnt_underrun
            ),
            (ps.len() as u32, padded, octets, 0)
        );
    }
}

#[test]
fn minimum_frames_leave_at_line_rate() {
    let n = 2000;
    let ps: Vec<Vec<u8>> = (0..n).map(|k| vec![k as u8; 60]).collect();
    for (ten_g, octets_per_cycle) in [(false, 1u64), (true, 8)] {
        let r = send(&ps, ten_g, None);
        assert!(r.faults.is_empty(), "{:?}", r.faults);
        assert_eq!(r.frames.len(), n);
        // 84 octet times per minimum frame: preamble, 64 octets, 12 of gap.
        let span = r.frames[n - 1].start_cycle - r.frames[0].start_cycle;
        assert!(
            span * octets_per_cycle <= (n as u64 - 1) * 84 + 4,
            "10G {ten_g}: {span} cycles for {n} frames"
        );
        assert!(r.frames[1..].iter().all(|f| f.gap_octets >= 12));
    }
}

#[test]
fn a_gap_inside_a_frame_is_cut_and_counted() {
    let ps: Vec<Vec<u8>> = vec![vec![0xAB; 200], vec![0xCD; 80]];
    for ten_g in [false, true] {
        let r = send(&ps, ten_g, Some(10));
        assert_eq!(r.out.cnt_underrun, 1, "10G {ten_g}");
        // The cut frame never passes as good; the next one does.
        assert!(r.frames.iter().all(|f| f.bytes != expected(&ps[0])));
        assert_eq!(
            r.frames.last().map(|f| f.bytes.clone()),
            Some(expected(&ps[1]))
        );
    }
}
