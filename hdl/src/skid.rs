//! A register slice for a valid/ready channel (a `W`-bit word a beat), with valid and
//! ready both registered, that a card can leave out.
//!
//! Between two blocks whose handshake is combinational both ways (the consumer's ready
//! decides the producer's pop, which decides the consumer's next beat), one clock period
//! has to cover both blocks' logic and the route between them. The slice is a two-entry
//! ring: a beat offered goes straight into the entry the write pointer names (no choice in
//! front of the register, so a block RAM's output feeding the slice meets only the
//! producer's own logic), the consumer sees the entry the read pointer names, and its
//! ready and valid are registered flags (not full, not empty). It passes a beat every
//! cycle when the consumer takes one every cycle, and adds a cycle of latency. With
//! [`Skid::set_registered`]`(false)` it is wires (the simulation card, whose 10 GbE link
//! cannot afford the cycle).
//!
//! The board's card has two: the frame stream from the transmit DMA to the gigabit
//! transmit MAC (data, octet count and last flag in one word), and the RX DMA's writes to
//! the host (address, data and byte strobes).

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Skid<const W: usize> {
    pub clock: Signal<In, Clock>,
    /// Empties the slice (the card's reset).
    pub reset: Signal<In, Bit>,
    pub s_valid: Signal<In, Bit>,
    pub s_data: Signal<In, Bits<W>>,
    pub s_ready: Signal<Out, Bit>,
    pub m_valid: Signal<Out, Bit>,
    pub m_data: Signal<Out, Bits<W>>,
    pub m_ready: Signal<In, Bit>,
    /// No beat held.
    pub empty: Signal<Out, Bit>,
    k_registered: Constant<Bit>,
    e0: DFF<Bits<W>>,
    e1: DFF<Bits<W>>,
    wp: DFF<Bit>,
    rp: DFF<Bit>,
    // Beats held: none (!nempty), one (nempty & !full) or two (full).
    full: DFF<Bit>,
    nempty: DFF<Bit>,
    // Each entry holds a beat. A free entry loads the offered word every cycle (the entry
    // the write pointer names is free whenever a push can happen), so an entry's enable is
    // a register of its own, not the push decided from the producer's valid.
    o0: DFF<Bit>,
    o1: DFF<Bit>,
    // `!full`, kept in a register of its own for the producer (so it is placed by the
    // producer's logic, not by the slice's). It is 0 in the first cycle after power-up, so
    // the slice takes nothing in that cycle.
    rdy: DFF<Bit>,
    full_next: Signal<Local, Bit>,
    push: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
}

impl<const W: usize> Default for Skid<W> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            s_valid: Default::default(),
            s_data: Default::default(),
            s_ready: Default::default(),
            m_valid: Default::default(),
            m_data: Default::default(),
            m_ready: Default::default(),
            empty: Default::default(),
            k_registered: Constant::new(true),
            e0: Default::default(),
            e1: Default::default(),
            wp: Default::default(),
            rp: Default::default(),
            full: Default::default(),
            nempty: Default::default(),
            o0: Default::default(),
            o1: Default::default(),
            rdy: Default::default(),
            full_next: Default::default(),
            push: Default::default(),
            pop: Default::default(),
        }
    }
}

impl<const W: usize> Skid<W> {
    /// Registered (the default) or wires.
    pub fn set_registered(&mut self, registered: bool) {
        self.k_registered = Constant::new(registered);
    }
}

impl<const W: usize> Logic for Skid<W> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, e0, e1, wp, rp, full, nempty, o0, o1, rdy);
        self.push.next = self.s_valid.val() & self.rdy.q.val();
        self.pop.next = self.m_ready.val() & self.nempty.q.val();
        if !self.o0.q.val() {
            self.e0.d.next = self.s_data.val();
        }
        if !self.o1.q.val() {
            self.e1.d.next = self.s_data.val();
        }
        if self.push.val() {
            self.wp.d.next = !self.wp.q.val();
            if self.wp.q.val() {
                self.o1.d.next = true;
            } else {
                self.o0.d.next = true;
            }
        }
        if self.pop.val() {
            self.rp.d.next = !self.rp.q.val();
            if self.rp.q.val() {
                self.o1.d.next = false;
            } else {
                self.o0.d.next = false;
            }
        }
        self.full_next.next = self.full.q.val();
        if self.push.val() & !self.pop.val() {
            // (A push finds room: one beat held becomes two.)
            self.nempty.d.next = true;
            self.full_next.next = self.nempty.q.val();
        }
        if self.pop.val() & !self.push.val() {
            // (A pop finds a beat: two held leave one.)
            self.full_next.next = false;
            self.nempty.d.next = self.full.q.val();
        }
        if self.reset.val() {
            self.full_next.next = false;
        }
        self.full.d.next = self.full_next.val();
        self.rdy.d.next = !self.full_next.val();
        if self.reset.val() {
            self.wp.d.next = false;
            self.rp.d.next = false;
            self.nempty.d.next = false;
            self.o0.d.next = false;
            self.o1.d.next = false;
        }
        if self.k_registered.val() {
            self.s_ready.next = self.rdy.q.val();
            self.m_valid.next = self.nempty.q.val();
            self.m_data.next = self.e0.q.val();
            if self.rp.q.val() {
                self.m_data.next = self.e1.q.val();
            }
            self.empty.next = !self.nempty.q.val();
        } else {
            self.s_ready.next = self.m_ready.val();
            self.m_valid.next = self.s_valid.val();
            self.m_data.next = self.s_data.val();
            self.empty.next = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Beats numbered 1, 2, ... offered and taken on pseudo-random cycles: each leaves once,
    /// in order, and the ready offered upstream never takes a beat the slice has no room
    /// for.
    fn run(registered: bool, seed: u64) -> (Vec<u64>, u64) {
        let mut uut = Skid::<16>::default();
        uut.set_registered(registered);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Skid<16>>| x.clock.next = !x.clock.val());
        let (tx, rx) = std::sync::mpsc::channel();
        sim.add_testbench(move |mut sim: Sim<Skid<16>>| {
            let mut x = sim.init()?;
            let mut r = seed;
            let mut next = 1u64;
            let mut got = Vec::new();
            let mut cycles = 0u64;
            x.reset.next = false;
            while next <= 200 && cycles < 2000 {
                r ^= r << 13;
                r ^= r >> 7;
                r ^= r << 17;
                // Offer the next beat on most cycles, take on most cycles.
                x.s_valid.next = !r.is_multiple_of(4);
                x.s_data.next = next.into();
                x.m_ready.next = !(r >> 8).is_multiple_of(3);
                x = sim.wait(1, x)?;
                if x.m_valid.val() && x.m_ready.val() {
                    got.push(x.m_data.val().to_u64());
                }
                if x.s_valid.val() && x.s_ready.val() {
                    next += 1;
                }
                wait_clock_cycle!(sim, clock, x);
                cycles += 1;
            }
            // Drain.
            x.s_valid.next = false;
            x.m_ready.next = true;
            for _ in 0..4 {
                x = sim.wait(1, x)?;
                if x.m_valid.val() {
                    got.push(x.m_data.val().to_u64());
                }
                wait_clock_cycle!(sim, clock, x);
            }
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.empty.val(), x);
            tx.send((got, cycles)).unwrap();
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
        rx.recv().unwrap()
    }

    #[test]
    fn every_beat_leaves_once_in_order_registered_or_not() {
        for registered in [true, false] {
            for seed in [1, 0x9e37_79b9, 12345] {
                let (got, _) = run(registered, seed);
                let want: Vec<u64> = (1..=got.len() as u64).collect();
                assert_eq!(got, want, "registered {registered}, seed {seed}");
                assert!(
                    got.len() >= 200,
                    "registered {registered}: {} beats",
                    got.len()
                );
            }
        }
    }

    #[test]
    fn a_beat_every_cycle_when_both_sides_are_always_ready() {
        let mut uut = Skid::<16>::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Skid<16>>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<Skid<16>>| {
            let mut x = sim.init()?;
            x.s_valid.next = true;
            x.m_ready.next = true;
            let mut taken = 0;
            for i in 0..20u64 {
                x.s_data.next = i.into();
                x = sim.wait(1, x)?;
                // Ready upstream whatever the consumer does in this cycle, from the second
                // cycle after power-up.
                sim_assert_eq!(sim, x.s_ready.val(), i > 0, x);
                if x.m_valid.val() {
                    // One cycle of latency.
                    sim_assert_eq!(sim, x.m_data.val().to_u64() + 1, i, x);
                    taken += 1;
                }
                wait_clock_cycle!(sim, clock, x);
            }
            sim_assert_eq!(sim, taken, 18, x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }
}
