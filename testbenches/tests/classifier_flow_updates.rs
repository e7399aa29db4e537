//! The sequential classifier's flow table changed under traffic: inserts (some written back to
//! back, so one waits for the other's copy), deletes (some landing in a copy's cycles, which
//! then waits), and entries overwritten in place by ones whose key differs only in the ports,
//! so a lookup that read half an old entry and half a new one would claim the wrong flow.
//!
//! Every frame's result must be a flow that held one of the frame's slots at some point while
//! the frame was classified, or no flow; and a frame whose flow sat unchanged in one of its
//! slots through the whole classification must find it.

use arsenic_bridge::classifier_seq as vl;
use arsenic_interface::classifier::{self as cls, flow_hash, ClassifierParams, FlowWords};
use arsenic_interface::event::FILTER_NONE;
use arsenic_testbenches::generate::Rng;

const P: ClassifierParams = ClassifierParams::SEQ_FLOWS;
const FLOWS: usize = 6;
/// A cycle without an MMIO write in the command queue.
const IDLE: u32 = u32::MAX;

/// Flow i: one TCP connection; all share addresses and differ in the destination port.
fn key(i: usize) -> FlowWords {
    [
        1 << 8 | 6,
        0x0A00_0001,
        0,
        0,
        0,
        0x0A00_0002,
        0,
        0,
        0,
        40_000 << 16 | (1000 + i as u32),
    ]
}

fn frame(i: usize) -> Vec<u8> {
    let mut f = vec![0u8; 60];
    f[0..6].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
    f[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 2]);
    f[12..14].copy_from_slice(&[0x08, 0x00]);
    f[14] = 0x45;
    f[16..18].copy_from_slice(&46u16.to_be_bytes());
    f[22] = 64;
    f[23] = 6;
    f[26..30].copy_from_slice(&0x0A00_0001u32.to_be_bytes());
    f[30..34].copy_from_slice(&0x0A00_0002u32.to_be_bytes());
    f[34..36].copy_from_slice(&40_000u16.to_be_bytes());
    f[36..38].copy_from_slice(&(1000 + i as u16).to_be_bytes());
    f
}

fn filter_of(i: usize) -> u16 {
    10 + i as u16
}

/// A slot: (bank, way, index).
type Slot = (usize, usize, usize);
/// An MMIO write queued for the classifier: address, data, and the slot it changes.
type Command = (u32, u32, Option<(Slot, Option<usize>)>);

fn slots_of(i: usize) -> Vec<Slot> {
    let mask = (1 << P.flow_bank_bits) - 1;
    let k = key(i);
    let mut v = Vec::new();
    for bank in 0..2 {
        for way in 0..2 {
            v.push((bank, way, flow_hash(&k, bank) as usize & mask));
        }
    }
    v
}

fn cmd(s: Slot) -> u32 {
    (s.1 as u32) << 17 | (s.0 as u32) << 16 | s.2 as u32
}

/// What each slot held, from which cycle on (`None`: empty).
#[derive(Default)]
struct History(std::collections::HashMap<Slot, Vec<(u64, Option<usize>)>>);

impl History {
    fn set(&mut self, s: Slot, at: u64, v: Option<usize>) {
        self.0
            .entry(s)
            .or_insert_with(|| vec![(0, None)])
            .push((at, v));
    }
    /// The values the slot held at some cycle of [from, to].
    fn held(&self, s: Slot, from: u64, to: u64) -> Vec<Option<usize>> {
        let h = match self.0.get(&s) {
            Some(h) => h,
            None => return vec![None],
        };
        let mut out = Vec::new();
        for (k, &(at, v)) in h.iter().enumerate() {
            let end = h.get(k + 1).map_or(u64::MAX, |n| n.0);
            if at <= to && end > from {
                out.push(v);
            }
        }
        out
    }
}

#[test]
fn flow_updates_under_traffic_never_claim_a_wrong_flow() {
    let mut m = vl::Model::new();
    let mut out = vl::Out::default();
    let mut r = Rng(0x5EC0_F10E);
    let mut cycle: u64 = 0;
    let mut hist = History::default();
    // Commands to send on the MMIO side: (addr, data, slot changed, new value).
    let mut cfg: std::collections::VecDeque<Command> = Default::default();
    // Frames: (flow, commit cycle), in order; results in order.
    let mut sent: Vec<(usize, u64)> = Vec::new();
    let mut results: Vec<(u16, u16)> = Vec::new();
    let mut beats: std::collections::VecDeque<vl::In> = Default::default();
    let mut next_frame_at: u64 = 200;
    let mut pop = false;
    let (mut fast_inserts, mut fast_deletes, mut in_place) = (0, 0, 0);
    while sent.len() < 600 || !beats.is_empty() || cycle < next_frame_at + 200 {
        // Table changes: a new command group when the MMIO side is idle.
        if cfg.is_empty() && sent.len() < 600 && r.next_u64().is_multiple_of(40) {
            let x = (r.next_u64() % FLOWS as u64) as usize;
            let y = (r.next_u64() % FLOWS as u64) as usize;
            let own = slots_of(x);
            let s = own[(r.next_u64() % 4) as usize];
            let stage = |cfg: &mut std::collections::VecDeque<Command>, f: usize| {
                for (w, v) in key(f).iter().enumerate() {
                    cfg.push_back((cls::FLOW_STAGE + 4 * w as u32, *v, None));
                }
                cfg.push_back((cls::FLOW_STAGE + 4 * cls::flow::VI, 1 + f as u32, None));
                cfg.push_back((
                    cls::FLOW_STAGE + 4 * cls::flow::FILTER,
                    1 << 16 | filter_of(f) as u32,
                    None,
                ));
            };
            match r.next_u64() % 5 {
                0 => {
                    // Flow x into one of its slots.
                    stage(&mut cfg, x);
                    cfg.push_back((cls::FLOW_CMD, 1 << 31 | cmd(s), Some((s, Some(x)))));
                }
                1 => {
                    // Flow y over flow x's slot: keys that differ in the ports only.
                    stage(&mut cfg, y);
                    cfg.push_back((cls::FLOW_CMD, 1 << 31 | cmd(s), Some((s, Some(y)))));
                    in_place += 1;
                }
                2 => {
                    // Flow x into two of its slots back to back: the second waits.
                    let s2 = own[(r.next_u64() % 4) as usize];
                    stage(&mut cfg, x);
                    cfg.push_back((cls::FLOW_CMD, 1 << 31 | cmd(s), Some((s, Some(x)))));
                    cfg.push_back((cls::FLOW_CMD, 1 << 31 | cmd(s2), Some((s2, Some(x)))));
                    // The stage keeps the entry until the waiting insert starts (the rule the
                    // device manager keeps by writing twelve staging words between inserts).
                    for _ in 0..8 {
                        cfg.push_back((IDLE, 0, None));
                    }
                    fast_inserts += 1;
                }
                3 => {
                    // An insert, then at once a delete (often in the same RAM).
                    let d = slots_of(y)[(r.next_u64() % 4) as usize];
                    stage(&mut cfg, x);
                    cfg.push_back((cls::FLOW_CMD, 1 << 31 | cmd(s), Some((s, Some(x)))));
                    cfg.push_back((cls::FLOW_CMD, cmd(d), Some((d, None))));
                    fast_deletes += 1;
                }
                _ => cfg.push_back((cls::FLOW_CMD, cmd(s), Some((s, None)))),
            }
        }
        // A frame every ~90 cycles (more than the classifier's latency: no overruns).
        if beats.is_empty() && cycle >= next_frame_at && sent.len() < 600 {
            let x = (r.next_u64() % FLOWS as u64) as usize;
            let f = frame(x);
            let n = f.len().div_ceil(8);
            for (b, chunk) in f.chunks(8).enumerate() {
                let mut data = 0u64;
                for (k, &v) in chunk.iter().enumerate() {
                    data |= (v as u64) << (8 * k);
                }
                beats.push_back(vl::In {
                    s_valid: 1,
                    s_data: data,
                    s_nbytes: chunk.len() as u8,
                    s_lanes: ((1u16 << chunk.len()) - 1) as u8,
                    s_last: (b == n - 1) as u8,
                    s_len: f.len() as u16,
                    s_commit: (b == n - 1) as u8,
                    ..Default::default()
                });
            }
            sent.push((x, cycle + n as u64 - 1));
            next_frame_at = cycle + 80 + r.next_u64() % 20;
        }
        let mut i = beats.pop_front().unwrap_or_default();
        if let Some((addr, data, change)) = cfg.pop_front().filter(|c| c.0 != IDLE) {
            i.cfg_write = 1;
            i.cfg_addr = addr;
            i.cfg_wdata = data;
            if let Some((s, v)) = change {
                hist.set(s, cycle, v);
            }
        }
        if pop {
            results.push((out.res_vi, out.res_filter));
        }
        i.res_pop = pop as u8;
        m.tick(&i, &mut out);
        pop = out.res_empty == 0;
        cycle += 1;
    }
    assert_eq!(results.len(), sent.len(), "every frame has its result");
    assert_eq!(out.cnt_overrun, 0);
    let lat = P.latency() as u64;
    // A copy takes six cycles after its command, and may wait six more behind another.
    let copy = 14;
    let (mut matched, mut checked_stable) = (0, 0);
    for (k, (&(x, c), &(vi, filter))) in sent.iter().zip(&results).enumerate() {
        let window = (c.saturating_sub(copy), c + lat);
        let held: Vec<Vec<Option<usize>>> = slots_of(x)
            .iter()
            .map(|&s| hist.held(s, window.0, window.1))
            .collect();
        if filter == FILTER_NONE {
            assert_eq!(vi, 0);
            // No match: then no slot of the frame held its flow unchanged all along.
            let stable = held.iter().any(|h| h == &vec![Some(x)]);
            assert!(
                !stable,
                "frame {k} (flow {x}) missed a flow that sat in its slot"
            );
        } else {
            matched += 1;
            assert_eq!(
                (vi, filter),
                (1 + x as u16, filter_of(x)),
                "frame {k} (flow {x}) claimed by another flow's entry"
            );
            assert!(
                held.iter().any(|h| h.contains(&Some(x))),
                "frame {k} (flow {x}) matched an entry its slots did not hold"
            );
        }
        if held.iter().any(|h| h == &vec![Some(x)]) {
            checked_stable += 1;
        }
    }
    eprintln!(
        "{} frames, {matched} matched ({checked_stable} with their flow settled); \
         {in_place} overwrites in place, {fast_inserts} back-to-back inserts, \
         {fast_deletes} deletes right after an insert",
        sent.len()
    );
    assert!(matched > 100 && checked_stable > 100);
    assert!(in_place > 10 && fast_inserts > 10 && fast_deletes > 10);
}

/// The one timing where a lookup would read a slot half new and half old: an insert that
/// overwrites the slot runs one word ahead of the lookup, and a delete elsewhere in the same
/// RAM holds the copy back for a cycle just before its last word. The lookup then reads the
/// new key with the old entry's VI and filter; it must miss instead.
#[test]
fn a_lookup_overlapping_a_stalled_copy_misses() {
    let (a, b) = (0, 1);
    let s: Slot = (0, 0, slots_of(b)[0].2);
    // Another slot in the same RAM (bank 0, way 0).
    let other: Slot = (0, 0, (s.2 + 1) % (1 << P.flow_bank_bits));
    let mut sched: std::collections::BTreeMap<u64, vl::In> = Default::default();
    let w = |sched: &mut std::collections::BTreeMap<u64, vl::In>, at: u64, addr: u32, data: u32| {
        let e = sched.entry(at).or_default();
        e.cfg_write = 1;
        e.cfg_addr = addr;
        e.cfg_wdata = data;
    };
    let stage = |sched: &mut std::collections::BTreeMap<u64, vl::In>, at: u64, f: usize| {
        for (k, v) in key(f).iter().enumerate() {
            w(sched, at + k as u64, cls::FLOW_STAGE + 4 * k as u32, *v);
        }
        w(
            sched,
            at + 10,
            cls::FLOW_STAGE + 4 * cls::flow::VI,
            1 + f as u32,
        );
        w(
            sched,
            at + 11,
            cls::FLOW_STAGE + 4 * cls::flow::FILTER,
            1 << 16 | filter_of(f) as u32,
        );
    };
    // Flow a's entry in flow b's slot.
    stage(&mut sched, 10, a);
    w(&mut sched, 22, cls::FLOW_CMD, 1 << 31 | cmd(s));
    // Frames of flow b: one committed at cycle c, one when everything has settled.
    let f = frame(b);
    let n = f.len().div_ceil(8) as u64;
    let start = 100;
    let c = start + n - 1;
    for at in [start, start + 300] {
        for (k, chunk) in f.chunks(8).enumerate() {
            let mut data = 0u64;
            for (j, &v) in chunk.iter().enumerate() {
                data |= (v as u64) << (8 * j);
            }
            let e = sched.entry(at + k as u64).or_default();
            e.s_valid = 1;
            e.s_data = data;
            e.s_nbytes = chunk.len() as u8;
            e.s_lanes = ((1u16 << chunk.len()) - 1) as u8;
            e.s_last = (k as u64 == n - 1) as u8;
            e.s_commit = e.s_last;
            e.s_len = f.len() as u16;
        }
    }
    // Flow b over the slot, its copy one word ahead of the lookup (the lookup reads word k at
    // c + 37 + k, the copy writes it at t + 1 + k), and a delete that stalls the copy's last
    // word into the cycle the lookup reads it.
    let t = c + 35;
    stage(&mut sched, t - 12, b);
    w(&mut sched, t, cls::FLOW_CMD, 1 << 31 | cmd(s));
    w(&mut sched, t + 6, cls::FLOW_CMD, cmd(other));
    let mut m = vl::Model::new();
    let mut out = vl::Out::default();
    let mut got = Vec::new();
    let mut pop = false;
    for cycle in 0..c + 500 {
        let mut i = sched.get(&cycle).copied().unwrap_or_default();
        if pop {
            got.push((out.res_vi, out.res_filter));
        }
        i.res_pop = pop as u8;
        m.tick(&i, &mut out);
        pop = out.res_empty == 0;
    }
    assert_eq!(
        got[0],
        (0, FILTER_NONE),
        "flow {b}'s frame: a miss, not flow {a}"
    );
    // The stalled copy still wrote every word: flow b's entry is whole.
    assert_eq!(
        got[1],
        (1 + b as u16, filter_of(b)),
        "flow {b}'s frame, later"
    );
    assert_eq!(got.len(), 2);
    assert_eq!(out.cnt_flow_hits, 1);
}
