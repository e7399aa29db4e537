//! Per-VI statistics counters in one RAM of 32-bit words, updated one word at a time.
//!
//! Each engine counts events against a VI (frames and bytes delivered or sent, and one
//! counter per reason to drop) and answers the device manager's reads of them. A command
//! changes at most two counters of one VI, so the counters live in one RAM of 32-bit words,
//! word `(vi << 3) | counter`, and the bank reads, adds and writes back one word a cycle
//! after the engine's decision, with one 32-bit adder. The RAM is a [`RegRam`]; on the
//! board's card, with its register, two DP16KD hold all of an engine's counters, and no
//! counter logic sits beside the engine's decision.
//!
//! Requests (`count`, `frame`, `read`, `clear`: at most one a cycle, with `vi`, `idx` and
//! `len`):
//!
//! - `count`: counter `idx` one up;
//! - `frame`: counter `idx` (even) one up and counter `idx + 1` up by `len` (a frame and its
//!   bytes);
//! - `read`: the counter's value on `rd_data` with `rd_valid`, two cycles after the request
//!   (five on the registered RAM, which registers each request before it acts on it);
//! - `clear`: the VI's eight counters to zero, one a cycle (`hold` meanwhile).
//!
//! `reset` forgets what is in flight and writes every word to zero, one a cycle (`hold`
//! meanwhile). `busy` is set while anything is in flight (on the registered RAM, from
//! registers, until a cycle after).
//!
//! A request's words are written back by the end of the third cycle after it (the sixth on
//! the registered RAM), so the next request may come three cycles after it (five): the
//! engines take three cycles (seven on the board) from one decision to the next, and start
//! no command while `hold` is set.

use crate::reg_ram::RegRam;
use rust_hdl::prelude::*;

/// Counters a VI may have in a bank: a VI's words are `(vi << 3) | counter`.
pub const COUNTERS_PER_VI: usize = 8;
const IDX_BITS: usize = 3;

#[derive(LogicBlock)]
pub struct CounterBank<const AB: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub count: Signal<In, Bit>,
    pub frame: Signal<In, Bit>,
    pub read: Signal<In, Bit>,
    pub clear: Signal<In, Bit>,
    pub vi: Signal<In, Bits<16>>,
    pub idx: Signal<In, Bits<IDX_BITS>>,
    pub len: Signal<In, Bits<16>>,
    pub rd_valid: Signal<Out, Bit>,
    pub rd_data: Signal<Out, Bits<32>>,
    pub busy: Signal<Out, Bit>,
    pub hold: Signal<Out, Bit>,
    ram: RegRam<32, AB>,
    k_registered: Constant<Bit>,
    k_last: Constant<Bits<AB>>,
    k_shift: Constant<Bits<4>>,
    // The word whose address the RAM has now, and the second word of a frame.
    a_v: DFF<Bit>,
    a_addr: DFF<Bits<AB>>,
    a_add: DFF<Bits<32>>,
    a_rd: DFF<Bit>,
    b_v: DFF<Bit>,
    b_addr: DFF<Bits<AB>>,
    b_add: DFF<Bits<32>>,
    // The same words while the RAM reads them (`p2` only on the registered RAM).
    p1_v: DFF<Bit>,
    p1_addr: DFF<Bits<AB>>,
    p1_add: DFF<Bits<32>>,
    p1_rd: DFF<Bit>,
    p2_v: DFF<Bit>,
    p2_addr: DFF<Bits<AB>>,
    p2_add: DFF<Bits<32>>,
    p2_rd: DFF<Bit>,
    // The registered RAM's write-back and answer.
    w_v: DFF<Bit>,
    w_addr: DFF<Bits<AB>>,
    w_sum: DFF<Bits<32>>,
    w_rd: DFF<Bit>,
    w_old: DFF<Bits<32>>,
    // A VI's clear, and the sweep after a reset.
    clr_v: DFF<Bit>,
    clr_addr: DFF<Bits<AB>>,
    clr_n: DFF<Bits<IDX_BITS>>,
    sw_v: DFF<Bit>,
    sw_addr: DFF<Bits<AB>>,
    req_addr: Signal<Local, Bits<AB>>,
    d_v: Signal<Local, Bit>,
    d_addr: Signal<Local, Bits<AB>>,
    d_add: Signal<Local, Bits<32>>,
    d_rd: Signal<Local, Bit>,
    sum: Signal<Local, Bits<32>>,
    // On the registered RAM the request is registered first (`i_*`), so the bank's logic
    // starts from flip-flops, not from the engine's decision; `r_*` is the request the
    // bank acts on. `busy_was`: something was in flight a cycle ago.
    i_count: DFF<Bit>,
    i_frame: DFF<Bit>,
    i_read: DFF<Bit>,
    i_clear: DFF<Bit>,
    i_vi: DFF<Bits<16>>,
    i_idx: DFF<Bits<IDX_BITS>>,
    i_len: DFF<Bits<16>>,
    busy_was: DFF<Bit>,
    hold_r: DFF<Bit>,
    r_count: Signal<Local, Bit>,
    r_frame: Signal<Local, Bit>,
    r_read: Signal<Local, Bit>,
    r_clear: Signal<Local, Bit>,
    r_vi: Signal<Local, Bits<16>>,
    r_idx: Signal<Local, Bits<IDX_BITS>>,
    r_len: Signal<Local, Bits<16>>,
    in_flight: Signal<Local, Bit>,
    /// A request is in the request register.
    i_any: Signal<Local, Bit>,
}

impl<const AB: usize> CounterBank<AB> {
    /// A bank for `vis` VIs (the sweep after a reset zeroes their words), on the registered
    /// RAM or not.
    pub fn new(vis: usize, registered: bool) -> Self {
        assert!(
            vis * COUNTERS_PER_VI <= 1 << AB,
            "{vis} VIs' counters need more than {AB} address bits"
        );
        let mut ram = RegRam::default();
        ram.set_registered(registered);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            count: Default::default(),
            frame: Default::default(),
            read: Default::default(),
            clear: Default::default(),
            vi: Default::default(),
            idx: Default::default(),
            len: Default::default(),
            rd_valid: Default::default(),
            rd_data: Default::default(),
            busy: Default::default(),
            hold: Default::default(),
            ram,
            k_registered: Constant::new(registered),
            k_last: Constant::new(((vis * COUNTERS_PER_VI - 1) as u64).into()),
            k_shift: Constant::new((IDX_BITS as u64).into()),
            a_v: Default::default(),
            a_addr: Default::default(),
            a_add: Default::default(),
            a_rd: Default::default(),
            b_v: Default::default(),
            b_addr: Default::default(),
            b_add: Default::default(),
            p1_v: Default::default(),
            p1_addr: Default::default(),
            p1_add: Default::default(),
            p1_rd: Default::default(),
            p2_v: Default::default(),
            p2_addr: Default::default(),
            p2_add: Default::default(),
            p2_rd: Default::default(),
            w_v: Default::default(),
            w_addr: Default::default(),
            w_sum: Default::default(),
            w_rd: Default::default(),
            w_old: Default::default(),
            clr_v: Default::default(),
            clr_addr: Default::default(),
            clr_n: Default::default(),
            sw_v: Default::default(),
            sw_addr: Default::default(),
            req_addr: Default::default(),
            d_v: Default::default(),
            d_addr: Default::default(),
            d_add: Default::default(),
            d_rd: Default::default(),
            sum: Default::default(),
            i_count: Default::default(),
            i_frame: Default::default(),
            i_read: Default::default(),
            i_clear: Default::default(),
            i_vi: Default::default(),
            i_idx: Default::default(),
            i_len: Default::default(),
            busy_was: Default::default(),
            hold_r: Default::default(),
            r_count: Default::default(),
            r_frame: Default::default(),
            r_read: Default::default(),
            r_clear: Default::default(),
            r_vi: Default::default(),
            r_idx: Default::default(),
            r_len: Default::default(),
            in_flight: Default::default(),
            i_any: Default::default(),
        }
    }

    /// Registered or not: the engine's choice follows its own pipeline's.
    pub fn set_registered(&mut self, registered: bool) {
        self.ram.set_registered(registered);
        self.k_registered = Constant::new(registered);
    }
}

impl<const AB: usize> Logic for CounterBank<AB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, a_v, a_addr, a_add, a_rd, b_v, b_addr, b_add, p1_v, p1_addr, p1_add,
            p1_rd, p2_v, p2_addr, p2_add, p2_rd, w_v, w_addr, w_sum, w_rd, w_old, clr_v, clr_addr,
            clr_n, sw_v, sw_addr, i_count, i_frame, i_read, i_clear, i_vi, i_idx, i_len, busy_was,
            hold_r
        );
        self.ram.clock.next = self.clock.val();
        self.i_count.d.next = self.count.val() & !self.reset.val();
        self.i_frame.d.next = self.frame.val() & !self.reset.val();
        self.i_read.d.next = self.read.val() & !self.reset.val();
        self.i_clear.d.next = self.clear.val() & !self.reset.val();
        self.i_vi.d.next = self.vi.val();
        self.i_idx.d.next = self.idx.val();
        self.i_len.d.next = self.len.val();
        self.r_count.next = self.count.val();
        self.r_frame.next = self.frame.val();
        self.r_read.next = self.read.val();
        self.r_clear.next = self.clear.val();
        self.r_vi.next = self.vi.val();
        self.r_idx.next = self.idx.val();
        self.r_len.next = self.len.val();
        if self.k_registered.val() {
            self.r_count.next = self.i_count.q.val();
            self.r_frame.next = self.i_frame.q.val();
            self.r_read.next = self.i_read.q.val();
            self.r_clear.next = self.i_clear.q.val();
            self.r_vi.next = self.i_vi.q.val();
            self.r_idx.next = self.i_idx.q.val();
            self.r_len.next = self.i_len.q.val();
        }
        self.req_addr.next = (bit_cast::<AB, 16>(self.r_vi.val()) << self.k_shift.val())
            | bit_cast::<AB, IDX_BITS>(self.r_idx.val());
        // The word to read next: a new request's first, else a frame's second.
        self.a_v.d.next = self.b_v.q.val();
        self.a_addr.d.next = self.b_addr.q.val();
        self.a_add.d.next = self.b_add.q.val();
        self.a_rd.d.next = false;
        self.b_v.d.next = false;
        if self.r_count.val() | self.r_frame.val() | self.r_read.val() {
            self.a_v.d.next = true;
            self.a_addr.d.next = self.req_addr.val();
            self.a_add.d.next = 1.into();
            if self.r_read.val() {
                self.a_add.d.next = 0.into();
            }
            self.a_rd.d.next = self.r_read.val();
            self.b_v.d.next = self.r_frame.val();
            // (`idx` is even for a frame: its second word by an OR, not a sum.)
            self.b_addr.d.next = self.req_addr.val() | 1;
            self.b_add.d.next = bit_cast::<32, 16>(self.r_len.val());
        }
        self.ram.read_address.next = self.a_addr.q.val();
        self.p1_v.d.next = self.a_v.q.val();
        self.p1_addr.d.next = self.a_addr.q.val();
        self.p1_add.d.next = self.a_add.q.val();
        self.p1_rd.d.next = self.a_rd.q.val();
        self.p2_v.d.next = self.p1_v.q.val() & self.k_registered.val();
        self.p2_addr.d.next = self.p1_addr.q.val();
        self.p2_add.d.next = self.p1_add.q.val();
        self.p2_rd.d.next = self.p1_rd.q.val();
        // The word out of the RAM, and the op it belongs to.
        self.d_v.next = self.p1_v.q.val();
        self.d_addr.next = self.p1_addr.q.val();
        self.d_add.next = self.p1_add.q.val();
        self.d_rd.next = self.p1_rd.q.val();
        if self.k_registered.val() {
            self.d_v.next = self.p2_v.q.val();
            self.d_addr.next = self.p2_addr.q.val();
            self.d_add.next = self.p2_add.q.val();
            self.d_rd.next = self.p2_rd.q.val();
        }
        self.sum.next = self.ram.read_data.val() + self.d_add.val();
        self.w_v.d.next = self.d_v.val() & !self.d_rd.val() & self.k_registered.val();
        self.w_addr.d.next = self.d_addr.val();
        self.w_sum.d.next = self.sum.val();
        self.w_rd.d.next = self.d_v.val() & self.d_rd.val() & self.k_registered.val();
        self.w_old.d.next = self.ram.read_data.val();
        // Write back: at once from the RAM's word, or on the registered RAM from registers.
        self.ram.write_enable.next = self.d_v.val() & !self.d_rd.val();
        self.ram.write_address.next = self.d_addr.val();
        self.ram.write_data.next = self.sum.val();
        self.rd_valid.next = self.d_v.val() & self.d_rd.val();
        self.rd_data.next = self.ram.read_data.val();
        if self.k_registered.val() {
            self.ram.write_enable.next = self.w_v.q.val();
            self.ram.write_address.next = self.w_addr.q.val();
            self.ram.write_data.next = self.w_sum.q.val();
            self.rd_valid.next = self.w_rd.q.val();
            self.rd_data.next = self.w_old.q.val();
        }
        // A VI's clear: its eight words, one a cycle.
        if self.r_clear.val() {
            self.clr_v.d.next = true;
            self.clr_addr.d.next = bit_cast::<AB, 16>(self.r_vi.val()) << self.k_shift.val();
            self.clr_n.d.next = 0.into();
        }
        if self.clr_v.q.val() {
            self.ram.write_enable.next = true;
            self.ram.write_address.next = self.clr_addr.q.val();
            self.ram.write_data.next = 0.into();
            self.clr_addr.d.next = self.clr_addr.q.val() + 1;
            self.clr_n.d.next = self.clr_n.q.val() + 1;
            if self.clr_n.q.val().all() {
                self.clr_v.d.next = false;
            }
        }
        // The sweep after a reset: every word, one a cycle.
        if self.sw_v.q.val() {
            self.ram.write_enable.next = true;
            self.ram.write_address.next = self.sw_addr.q.val();
            self.ram.write_data.next = 0.into();
            self.sw_addr.d.next = self.sw_addr.q.val() + 1;
            if self.sw_addr.q.val() == self.k_last.val() {
                self.sw_v.d.next = false;
            }
        }
        if self.reset.val() {
            self.a_v.d.next = false;
            self.b_v.d.next = false;
            self.p1_v.d.next = false;
            self.p2_v.d.next = false;
            self.w_v.d.next = false;
            self.w_rd.d.next = false;
            self.clr_v.d.next = false;
            self.sw_v.d.next = true;
            self.sw_addr.d.next = 0.into();
        }
        self.in_flight.next = self.a_v.q.val()
            | self.b_v.q.val()
            | self.p1_v.q.val()
            | self.p2_v.q.val()
            | self.w_v.q.val()
            | self.w_rd.q.val()
            | self.clr_v.q.val()
            | self.sw_v.q.val();
        self.busy.next = self.in_flight.val();
        self.hold.next = self.clr_v.q.val() | self.sw_v.q.val();
        // On the registered RAM, busy from flip-flops: the request register, and whether
        // anything was in flight (or a reset came) a cycle ago: everything in flight now
        // was then, or is the request. Busy lasts a cycle longer than the work.
        self.i_any.next = self.i_count.q.val()
            | self.i_frame.q.val()
            | self.i_read.q.val()
            | self.i_clear.q.val();
        self.busy_was.d.next = self.in_flight.val() | self.reset.val() | self.i_any.val();
        // (`hold` on the registered RAM: a clear or a sweep next cycle, or a clear just
        // requested, which is in the request register next cycle.)
        self.hold_r.d.next =
            self.clr_v.d.val() | self.sw_v.d.val() | (self.clear.val() & !self.reset.val());
        if self.k_registered.val() {
            self.busy.next = self.busy_was.q.val() | self.i_any.val();
            self.hold.next = self.hold_r.q.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The bank under test: 8 VIs, 64 words.
    type Bench = CounterBank<6>;

    #[derive(Clone, Copy, Debug)]
    enum Op {
        Count(u64, u64),
        Frame(u64, u64, u64),
        Read(u64, u64),
        Clear(u64),
        Reset,
    }

    /// A deterministic mix of every request, on VIs 0..8 of a bank for 8.
    fn ops() -> Vec<Op> {
        let mut v = Vec::new();
        let mut x = 0x2545_f491_u64;
        for _ in 0..400 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let vi = x % 8;
            let idx = (x >> 8) % 8;
            v.push(match (x >> 16) % 16 {
                0..=4 => Op::Count(vi, idx),
                5..=8 => Op::Frame(vi, idx & 6, (x >> 24) % 65536),
                9..=13 => Op::Read(vi, idx),
                14 => Op::Clear(vi),
                _ => {
                    if (x >> 32).is_multiple_of(8) {
                        Op::Reset
                    } else {
                        Op::Read(vi, 1)
                    }
                }
            });
        }
        // Wrap one counter past 2^32.
        for _ in 0..3 {
            v.push(Op::Frame(3, 0, 0xFFFF));
        }
        v.push(Op::Read(3, 1));
        v
    }

    /// Runs the ops `gap` cycles apart (waiting out `hold`), checks every answer against a
    /// model and returns how many reads answered, and the cycles from request to answer.
    fn run(registered: bool, gap: usize) -> (usize, usize) {
        let mut b: Bench = CounterBank::new(8, registered);
        b.connect_all();
        let result = std::sync::Arc::new(std::sync::Mutex::new((0usize, 0usize)));
        let out = result.clone();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Bench>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<Bench>| {
            let mut x = sim.init()?;
            let mut model: HashMap<(u64, u64), u32> = HashMap::new();
            let mut answered = 0usize;
            let mut latency = 0usize;
            for op in ops() {
                while x.hold.val() {
                    wait_clock_cycle!(sim, clock, x);
                }
                let mut expect = None;
                match op {
                    Op::Count(vi, idx) => {
                        x.count.next = true;
                        x.vi.next = vi.into();
                        x.idx.next = idx.into();
                        let c = model.entry((vi, idx)).or_default();
                        *c = c.wrapping_add(1);
                    }
                    Op::Frame(vi, idx, len) => {
                        x.frame.next = true;
                        x.vi.next = vi.into();
                        x.idx.next = idx.into();
                        x.len.next = len.into();
                        let c = model.entry((vi, idx)).or_default();
                        *c = c.wrapping_add(1);
                        let c = model.entry((vi, idx + 1)).or_default();
                        *c = c.wrapping_add(len as u32);
                    }
                    Op::Read(vi, idx) => {
                        x.read.next = true;
                        x.vi.next = vi.into();
                        x.idx.next = idx.into();
                        expect = Some(model.get(&(vi, idx)).copied().unwrap_or(0));
                    }
                    Op::Clear(vi) => {
                        x.clear.next = true;
                        x.vi.next = vi.into();
                        model.retain(|k, _| k.0 != vi);
                    }
                    Op::Reset => {
                        x.reset.next = true;
                        model.clear();
                    }
                }
                wait_clock_cycle!(sim, clock, x);
                x.count.next = false;
                x.frame.next = false;
                x.read.next = false;
                x.clear.next = false;
                x.reset.next = false;
                x.len.next = 0.into();
                // Cycles since the request; the next request comes `gap` cycles after it
                // (later after a read, once it answered).
                let mut waited = 1;
                let mut seen = false;
                loop {
                    if x.rd_valid.val() {
                        sim_assert!(sim, !seen, x);
                        seen = true;
                        let got = x.rd_data.val().index() as u32;
                        sim_assert_eq!(sim, Some(got), expect, x);
                        answered += 1;
                        latency = waited;
                    }
                    if waited >= gap && (expect.is_none() || seen) {
                        break;
                    }
                    sim_assert!(sim, waited < 20, x);
                    wait_clock_cycle!(sim, clock, x);
                    waited += 1;
                }
            }
            *out.lock().unwrap() = (answered, latency);
            sim.done(x)
        });
        sim.run(Box::new(b), 200_000).unwrap();
        let r = *result.lock().unwrap();
        r
    }

    #[test]
    fn counts_frames_reads_and_clears_three_cycles_apart() {
        let (answered, latency) = run(false, 3);
        assert!(answered > 100, "{answered} reads");
        assert_eq!(latency, 2);
    }

    #[test]
    fn the_registered_bank_does_the_same_five_cycles_apart() {
        let (answered, latency) = run(true, 5);
        assert!(answered > 100, "{answered} reads");
        assert_eq!(latency, 5);
    }

    #[test]
    fn the_verilog_is_accepted() {
        let mut b: CounterBank<7> = CounterBank::new(16, true);
        b.connect_all();
        let v = generate_verilog(&b);
        assert!(v.contains("module top"));
        // (Every name in the logic is a signal or a constant of the block.)
        assert!(!v.contains("IDX_"), "{v}");
    }
}
