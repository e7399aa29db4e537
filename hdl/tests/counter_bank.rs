//! The register file's counter bank in rust-hdl's simulator: the card's blocks keep only the
//! low `COUNTER_LOW_BITS` of their event counters, and every read of a counter register must
//! still return the full count, whatever the scan is doing, across many wraps of the low
//! bits, with the whole (unbanked) counters read as they are, and back at zero after soft
//! resets at any phase of the bank's scan.

use arsenic_hdl::regfile::{
    counter_banked, tx_counter_banked, RegFile, COUNTER_LOW_BITS, NCOUNTERS, NTX_COUNTERS,
};
use arsenic_interface::regs::{self, ctrl, Counter, TxCounter};
use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};

const LOW: u32 = (1 << COUNTER_LOW_BITS) - 1;

/// Counter `i` of the 32: `Counter::ALL` then `TxCounter::ALL`.
fn offset(i: usize) -> u32 {
    if i < NCOUNTERS {
        Counter::ALL[i].offset()
    } else {
        TxCounter::ALL[i - NCOUNTERS].offset()
    }
}

fn banked(i: usize) -> bool {
    if i < NCOUNTERS {
        counter_banked(Counter::ALL[i])
    } else {
        tx_counter_banked(TxCounter::ALL[i - NCOUNTERS])
    }
}

/// What the blocks show: the low bits of a banked counter, all of a whole one.
fn shown(i: usize, count: u32) -> u64 {
    (if banked(i) { count & LOW } else { count }) as u64
}

#[test]
fn counter_reads_are_exact_across_wraps_scans_and_a_reset() {
    check_counter_reads(false);
}

/// The board's card: reads answered three cycles later, the scan's write-back three cycles
/// after its read.
#[test]
fn staged_counter_reads_are_exact_across_wraps_scans_and_a_reset() {
    check_counter_reads(true);
}

fn check_counter_reads(staged: bool) {
    // Cycles from a read to its answer; the counters' values are those shown at the start of
    // `seen` cycles after the read (the answer's own cycle unstaged, the first stage's when
    // staged).
    let (latency, seen) = if staged { (3usize, 2usize) } else { (1, 1) };
    let results = Arc::new(Mutex::new((0usize, 0usize, Vec::<String>::new())));
    let out = results.clone();
    let mut sim = Simulation::new();
    sim.add_clock(4, |x: &mut Box<RegFile>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<RegFile>| {
        let mut x = sim.init()?;
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut count = [0u32; 32];
        // Reads waiting for their answers: the counter and the cycle of the read.
        let mut pending: std::collections::VecDeque<(usize, usize)> = Default::default();
        // The counts at the start of each recent cycle.
        let mut history: std::collections::VecDeque<[u32; 32]> = Default::default();
        let (mut reads, mut wraps) = (0usize, 0usize);
        let mut errors = Vec::new();
        for cycle in 0..12000 {
            let in_reset = x.reset.val();
            history.push_back(count);
            if history.len() > 4 {
                history.pop_front();
            }
            // Check the answer to the read `latency` cycles ago against what the blocks showed
            // `seen` cycles after it.
            let due = pending
                .front()
                .is_some_and(|&(_, at)| at + latency == cycle);
            if due {
                let (i, at) = pending.pop_front().unwrap();
                let want = history[history.len() - 1 - (cycle - (at + seen))][i];
                let got = x.rdata.val().to_u32();
                if !x.rvalid.val() || got != want {
                    errors.push(format!(
                        "cycle {cycle}: counter {i} read {got}, count {want} (rvalid {})",
                        x.rvalid.val()
                    ));
                }
                reads += 1;
            } else if x.rvalid.val() {
                errors.push(format!("cycle {cycle}: an answer without a read"));
            }
            // The blocks' events: each counter at most once a cycle (whole ones by more);
            // nothing counts while the card is in reset, which clears every counter.
            for (i, c) in count.iter_mut().enumerate() {
                if in_reset {
                    *c = 0;
                } else if next() % 3 == 0 {
                    let by = if banked(i) {
                        1
                    } else {
                        1 + (next() % 1500) as u32
                    };
                    if banked(i) && (*c & LOW) == LOW {
                        wraps += 1;
                    }
                    *c = c.wrapping_add(by);
                }
            }
            for (i, c) in count.iter().take(NCOUNTERS).enumerate() {
                x.counters[i].next = shown(i, *c).into();
            }
            for m in 0..NTX_COUNTERS {
                x.tx_counters[m].next = shown(NCOUNTERS + m, count[NCOUNTERS + m]).into();
            }
            x.read.next = false;
            x.write.next = false;
            // The request's decode (`dec_*`, as the card's `MmioDecode` gives it): `CTRL` and
            // the counters are in the control page; neither is a doorbell or command
            // register.
            x.dec_ctl.next = true;
            x.dec_ctrl.next = false;
            // Soft resets 289 cycles apart (289 = 9 x 32 + 1): at every phase of the bank's
            // 32-cycle scan in turn.
            // (No read is left unanswered when a reset starts.)
            let reset_at =
                |c: usize| (1000..1000 + 32 * 289).contains(&c) && (c - 1000).is_multiple_of(289);
            if reset_at(cycle) {
                x.write.next = true;
                x.addr.next = (regs::CTRL as u64).into();
                x.dec_ctrl.next = true;
                x.wdata.next = (ctrl::SOFT_RESET as u64).into();
            } else if !in_reset && !(1..=latency).any(|d| reset_at(cycle + d)) && next() % 2 == 0 {
                let i = (next() % 32) as usize;
                x.read.next = true;
                x.addr.next = (offset(i) as u64).into();
                pending.push_back((i, cycle));
            }
            wait_clock_cycle!(sim, clock, x);
        }
        *out.lock().unwrap() = (reads, wraps, errors);
        sim.done(x)
    });
    let mut regs = RegFile::new(4, 10);
    regs.set_staged_read(staged);
    sim.run(Box::new(regs), 100_000).unwrap();
    let (reads, wraps, errors) = results.lock().unwrap().clone();
    assert!(
        errors.is_empty(),
        "{} wrong reads: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    // The run must have exercised what it claims.
    assert!(reads > 1500, "only {reads} reads");
    assert!(wraps > 300, "only {wraps} wraps of the low bits");
}
