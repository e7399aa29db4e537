//! Interrupt holdoff timers and the interrupt port (one MSI-X-style vector per VI).
//!
//! A request names a VI and its holdoff: the interrupt for that VI is raised once `holdoff`
//! cycles have passed (one cycle later, and at least three, since the request is registered
//! before it takes a timer and each timer's deadline is compared a cycle ahead), so that
//! one interrupt covers every event of the holdoff. The VI engine disarms a VI when it asks
//! for its interrupt, so a VI has at most one request waiting; the host re-arms through its
//! doorbell page. Up to `IRQ_TIMERS` requests wait at once; a request that finds every timer
//! busy is raised at once (never lost).
//! The timer that fires is chosen a cycle ahead, from flip-flops alone, and leaves the
//! next cycle; so each timer's deadline is compared with the time one cycle ahead.
//! One interrupt leaves per cycle: `irq_valid` with `irq_vector`, the VI.

use arsenic_interface::params::IRQ_TIMERS;
use rust_hdl::prelude::*;

const N: usize = IRQ_TIMERS;
// `update` writes the OR over the timers out term by term.
const _: () = assert!(N == 8, "IrqTimers::update ORs exactly eight timers");

#[derive(LogicBlock)]
pub struct IrqTimers {
    pub clock: Signal<In, Clock>,
    /// Mask of the card-wide counters' bits: all 32 alone; the card keeps only the low
    /// `regfile::COUNTER_LOW_BITS` and its register file's counter bank the rest.
    pub(crate) k_cmask: Constant<Bits<32>>,
    pub reset: Signal<In, Bit>,
    /// The free-running time, low bits: it advances by one every cycle (the timers compare
    /// each deadline with `now` + 1, kept as a register of `now` + 2).
    pub now: Signal<In, Bits<32>>,
    pub req_valid: Signal<In, Bit>,
    pub req_vi: Signal<In, Bits<16>>,
    /// The request's deadline: `now` plus its holdoff (the card sums it beside each source).
    pub req_deadline: Signal<In, Bits<32>>,
    pub irq_valid: Signal<Out, Bit>,
    pub irq_vector: Signal<Out, Bits<16>>,
    pub cnt_irq: Signal<Out, Bits<32>>,
    pub idle: Signal<Out, Bit>,
    v: [DFF<Bit>; N],
    vi: [DFF<Bits<16>>; N],
    deadline: [DFF<Bits<32>>; N],
    out_v: DFF<Bit>,
    out_vi: DFF<Bits<16>>,
    count: DFF<Bits<32>>,
    active: DFF<Bit>,
    // The request, registered with its deadline.
    r_v: DFF<Bit>,
    r_vi: DFF<Bits<16>>,
    r_deadline: DFF<Bits<32>>,
    // The time one cycle ahead (`now` + 1).
    now1: DFF<Bits<32>>,
    // Per timer: its deadline has come at the next cycle's time (the deadline it holds then:
    // a request's, if the timer takes it this cycle).
    due: [DFF<Bit>; N],
    due_now: [Signal<Local, Bit>; N],
    due_req: Signal<Local, Bit>,
    placed: Signal<Local, Bit>,
    placing: [Signal<Local, Bit>; N],
    // Every timer runs, and a request waits: the request leaves this cycle.
    full: Signal<Local, Bit>,
    blocked: Signal<Local, Bit>,
    // The timer chosen last cycle to fire this cycle (one flag each; `pk_any` is their OR),
    // and whether it does (unless `blocked`).
    pk: [DFF<Bit>; N],
    pk_any: DFF<Bit>,
    fire: [Signal<Local, Bit>; N],
    // The choice for the next cycle: the first timer that runs now and still will, whose
    // deadline will have come.
    seen: Signal<Local, Bit>,
    cand: [Signal<Local, Bit>; N],
    sel_vi: Signal<Local, Bits<16>>,
    pending: Signal<Local, Bit>,
    k_half: Constant<Bits<32>>,
}

impl Default for IrqTimers {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            k_cmask: Constant::new(0xFFFF_FFFFu64.into()),
            reset: Default::default(),
            now: Default::default(),
            req_valid: Default::default(),
            req_vi: Default::default(),
            req_deadline: Default::default(),
            irq_valid: Default::default(),
            irq_vector: Default::default(),
            cnt_irq: Default::default(),
            idle: Default::default(),
            v: Default::default(),
            vi: Default::default(),
            deadline: Default::default(),
            out_v: Default::default(),
            out_vi: Default::default(),
            count: Default::default(),
            active: Default::default(),
            r_v: Default::default(),
            r_vi: Default::default(),
            r_deadline: Default::default(),
            now1: Default::default(),
            due: Default::default(),
            due_now: Default::default(),
            due_req: Default::default(),
            placed: Default::default(),
            placing: Default::default(),
            full: Default::default(),
            blocked: Default::default(),
            pk: Default::default(),
            pk_any: Default::default(),
            fire: Default::default(),
            seen: Default::default(),
            cand: Default::default(),
            sel_vi: Default::default(),
            pending: Default::default(),
            // A deadline has come when the time is at most 2^31 cycles past it.
            k_half: Constant::new((1u64 << 31).into()),
        }
    }
}

impl Logic for IrqTimers {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, out_v, out_vi, count, active, r_v, r_vi, r_deadline, now1, pk_any);
        self.r_v.d.next = self.req_valid.val();
        self.r_vi.d.next = self.req_vi.val();
        self.r_deadline.d.next = self.req_deadline.val();
        self.now1.d.next = self.now.val() + 2;
        self.due_req.next = (self.now1.q.val() - self.r_deadline.q.val()) < self.k_half.val();
        for i in 0..N {
            self.v[i].clock.next = self.clock.val();
            self.v[i].d.next = self.v[i].q.val();
            self.vi[i].clock.next = self.clock.val();
            self.vi[i].d.next = self.vi[i].q.val();
            self.deadline[i].clock.next = self.clock.val();
            self.deadline[i].d.next = self.deadline[i].q.val();
            self.due[i].clock.next = self.clock.val();
            self.due_now[i].next =
                (self.now1.q.val() - self.deadline[i].q.val()) < self.k_half.val();
            self.pk[i].clock.next = self.clock.val();
        }
        self.out_v.d.next = false;
        self.pending.next = false;
        self.full.next = self.v[0].q.val()
            & self.v[1].q.val()
            & self.v[2].q.val()
            & self.v[3].q.val()
            & self.v[4].q.val()
            & self.v[5].q.val()
            & self.v[6].q.val()
            & self.v[7].q.val();
        self.blocked.next = self.r_v.q.val() & self.full.val();
        // A request with no free timer is raised at once; otherwise the first free timer
        // takes it.
        self.placed.next = false;
        for i in 0..N {
            self.placing[i].next = false;
            if self.r_v.q.val() & !self.v[i].q.val() & !self.placed.val() {
                self.placed.next = true;
                self.placing[i].next = true;
                self.v[i].d.next = true;
                self.vi[i].d.next = self.r_vi.q.val();
                self.deadline[i].d.next = self.r_deadline.q.val();
            }
            self.due[i].d.next = self.due_now[i].val();
            if self.placing[i].val() {
                self.due[i].d.next = self.due_req.val();
            }
        }
        if self.blocked.val() {
            self.out_v.d.next = true;
            self.out_vi.d.next = self.r_vi.q.val();
        }
        // Otherwise the timer chosen last cycle: its VI as an OR of the one chosen.
        self.sel_vi.next = 0.into();
        for i in 0..N {
            self.fire[i].next = self.pk[i].q.val() & !self.blocked.val();
            if self.pk[i].q.val() {
                self.sel_vi.next = self.sel_vi.val() | self.vi[i].q.val();
            }
            if self.fire[i].val() {
                self.v[i].d.next = false;
            }
        }
        if self.pk_any.q.val() & !self.blocked.val() {
            self.out_v.d.next = true;
            self.out_vi.d.next = self.sel_vi.val();
        }
        // The choice for the next cycle, from flip-flops: a timer that runs, does not fire
        // now, and whose deadline will have come. (A timer that runs runs since last cycle
        // at least by the next, and while one runs `active` is set.)
        self.seen.next = false;
        for i in 0..N {
            self.cand[i].next = self.v[i].q.val() & self.due[i].q.val() & !self.fire[i].val();
            self.pk[i].d.next = self.cand[i].val() & !self.seen.val();
            if self.cand[i].val() {
                self.seen.next = true;
            }
        }
        self.pk_any.d.next = self.seen.val();
        if self.r_v.q.val() | self.active.q.val() {
            // (An OR over the timers written out: a signal computed from itself would mean
            // something else in rust-hdl's simulator than in the Verilog.)
            self.pending.next = self.v[0].d.val()
                | self.v[1].d.val()
                | self.v[2].d.val()
                | self.v[3].d.val()
                | self.v[4].d.val()
                | self.v[5].d.val()
                | self.v[6].d.val()
                | self.v[7].d.val();
            self.active.d.next = self.pending.val();
        }
        if self.out_v.q.val() {
            self.count.d.next = (self.count.q.val() + 1) & self.k_cmask.val();
        }
        self.irq_valid.next = self.out_v.q.val();
        self.irq_vector.next = self.out_vi.q.val();
        self.cnt_irq.next = self.count.q.val();
        self.idle.next = !self.active.q.val() & !self.out_v.q.val() & !self.r_v.q.val();
        if self.reset.val() {
            for i in 0..N {
                self.v[i].d.next = false;
                self.pk[i].d.next = false;
            }
            self.pk_any.d.next = false;
            self.out_v.d.next = false;
            self.r_v.d.next = false;
            self.active.d.next = false;
            self.count.d.next = 0.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Requests `(cycle, vi, holdoff)` into the timers; the interrupts out, `(cycle, vi)`.
    fn run(reqs: Vec<(u64, u64, u64)>, cycles: u64) -> Vec<(u64, u64)> {
        let mut uut = IrqTimers::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<IrqTimers>| x.clock.next = !x.clock.val());
        let (tx, rx) = std::sync::mpsc::channel();
        sim.add_testbench(move |mut sim: Sim<IrqTimers>| {
            let mut x = sim.init()?;
            let mut out = Vec::new();
            for cycle in 0..cycles {
                x.reset.next = cycle == 0;
                x.now.next = cycle.into();
                x.req_valid.next = false;
                if let Some(&(_, vi, holdoff)) = reqs.iter().find(|r| r.0 == cycle) {
                    x.req_valid.next = true;
                    x.req_vi.next = vi.into();
                    x.req_deadline.next = (cycle + holdoff).into();
                }
                x = sim.wait(1, x)?;
                if x.irq_valid.val() {
                    out.push((cycle, x.irq_vector.val().to_u64()));
                }
                wait_clock_cycle!(sim, clock, x);
            }
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.idle.val(), x);
            tx.send(out).unwrap();
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
        rx.recv().unwrap()
    }

    /// Twelve requests on consecutive cycles: the first eight take the timers and fire, each
    /// once, `holdoff` + 2 cycles after its request (the latest deadline first here); the four
    /// that find every timer busy fire at once. Then the freed timers take new requests.
    #[test]
    fn every_request_fires_once_at_its_deadline_or_at_once_when_the_timers_are_full() {
        let mut reqs = Vec::new();
        for k in 0..12u64 {
            reqs.push((10 + k, 100 + k, 60 - 4 * k));
        }
        // Two requests with the same deadline, later: one interrupt a cycle, the first timer
        // first.
        reqs.push((200, 7, 20));
        reqs.push((201, 9, 19));
        let out = run(reqs.clone(), 300);
        for &(cycle, vi, holdoff) in &reqs {
            let fired: Vec<u64> = out.iter().filter(|o| o.1 == vi).map(|o| o.0).collect();
            assert_eq!(fired.len(), 1, "VI {vi}: {out:?}");
            let want = if (18..=21).contains(&cycle) {
                // Every timer busy: raised two cycles after the request, the registered
                // request's cycle.
                cycle + 2
            } else {
                cycle + holdoff + 2
            };
            if (cycle, vi) == (201, 9) {
                // Its deadline is VI 7's: it waits the cycle VI 7 fires.
                assert_eq!(fired[0], want + 1, "VI {vi}: {out:?}");
            } else {
                assert_eq!(fired[0], want, "VI {vi}: {out:?}");
            }
        }
        assert_eq!(out.len(), reqs.len());
    }

    /// A request that finds every timer busy in the cycle the first timer was to fire leaves
    /// first; the timer fires the next cycle, and each later timer (deadlines one cycle
    /// apart) one cycle after its deadline's, one interrupt a cycle.
    #[test]
    fn a_request_raised_at_once_delays_the_timer_due_that_cycle() {
        let mut reqs: Vec<(u64, u64, u64)> = (0..8u64).map(|k| (10 + k, 200 + k, 40)).collect();
        reqs.push((50, 300, 5));
        let out = run(reqs, 120);
        let mut want = vec![(52, 300)];
        want.extend((0..8u64).map(|k| (53 + k, 200 + k)));
        assert_eq!(out, want);
    }
}
