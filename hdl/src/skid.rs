//! A register slice for the card's frame stream (64-bit beats, `nbytes`, `last`), with
//! valid and ready both registered, that a card can leave out.
//!
//! Between two blocks whose handshake is combinational both ways (the consumer's ready
//! decides the producer's pop, which decides the consumer's next beat), one clock period
//! has to cover both blocks' logic and the route between them. The slice holds up to two
//! beats: its outputs and its ready come from its own registers, so each side's logic ends
//! at the slice. It passes a beat every cycle when the consumer takes one every cycle, and
//! adds a cycle of latency. With [`StreamSkid::set_registered`]`(false)` it is wires (the
//! simulation card, whose 10 GbE MAC cannot afford the cycle).

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct StreamSkid {
    pub clock: Signal<In, Clock>,
    /// Empties the slice (the card's reset).
    pub reset: Signal<In, Bit>,
    pub s_valid: Signal<In, Bit>,
    pub s_data: Signal<In, Bits<64>>,
    pub s_nbytes: Signal<In, Bits<4>>,
    pub s_last: Signal<In, Bit>,
    pub s_ready: Signal<Out, Bit>,
    pub m_valid: Signal<Out, Bit>,
    pub m_data: Signal<Out, Bits<64>>,
    pub m_nbytes: Signal<Out, Bits<4>>,
    pub m_last: Signal<Out, Bit>,
    pub m_ready: Signal<In, Bit>,
    /// No beat held.
    pub empty: Signal<Out, Bit>,
    k_registered: Constant<Bit>,
    // The beat offered downstream.
    o_v: DFF<Bit>,
    o_data: DFF<Bits<64>>,
    o_nbytes: DFF<Bits<4>>,
    o_last: DFF<Bit>,
    // The beat taken while the output was stalled.
    k_v: DFF<Bit>,
    k_data: DFF<Bits<64>>,
    k_nbytes: DFF<Bits<4>>,
    k_last: DFF<Bit>,
    load: Signal<Local, Bit>,
}

impl Default for StreamSkid {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            s_valid: Default::default(),
            s_data: Default::default(),
            s_nbytes: Default::default(),
            s_last: Default::default(),
            s_ready: Default::default(),
            m_valid: Default::default(),
            m_data: Default::default(),
            m_nbytes: Default::default(),
            m_last: Default::default(),
            m_ready: Default::default(),
            empty: Default::default(),
            k_registered: Constant::new(true),
            o_v: Default::default(),
            o_data: Default::default(),
            o_nbytes: Default::default(),
            o_last: Default::default(),
            k_v: Default::default(),
            k_data: Default::default(),
            k_nbytes: Default::default(),
            k_last: Default::default(),
            load: Default::default(),
        }
    }
}

impl StreamSkid {
    /// Registered (the default) or wires.
    pub fn set_registered(&mut self, registered: bool) {
        self.k_registered = Constant::new(registered);
    }
}

impl Logic for StreamSkid {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, o_v, o_data, o_nbytes, o_last, k_v, k_data, k_nbytes, k_last);
        // The output register takes a beat when it is empty or its beat leaves.
        self.load.next = self.m_ready.val() | !self.o_v.q.val();
        if self.load.val() {
            if self.k_v.q.val() {
                self.o_v.d.next = true;
                self.o_data.d.next = self.k_data.q.val();
                self.o_nbytes.d.next = self.k_nbytes.q.val();
                self.o_last.d.next = self.k_last.q.val();
                self.k_v.d.next = false;
            } else {
                self.o_v.d.next = self.s_valid.val();
                self.o_data.d.next = self.s_data.val();
                self.o_nbytes.d.next = self.s_nbytes.val();
                self.o_last.d.next = self.s_last.val();
            }
        } else if self.s_valid.val() & !self.k_v.q.val() {
            self.k_v.d.next = true;
            self.k_data.d.next = self.s_data.val();
            self.k_nbytes.d.next = self.s_nbytes.val();
            self.k_last.d.next = self.s_last.val();
        }
        if self.reset.val() {
            self.o_v.d.next = false;
            self.k_v.d.next = false;
        }
        if self.k_registered.val() {
            self.s_ready.next = !self.k_v.q.val();
            self.m_valid.next = self.o_v.q.val();
            self.m_data.next = self.o_data.q.val();
            self.m_nbytes.next = self.o_nbytes.q.val();
            self.m_last.next = self.o_last.q.val();
            self.empty.next = !self.o_v.q.val() & !self.k_v.q.val();
        } else {
            self.s_ready.next = self.m_ready.val();
            self.m_valid.next = self.s_valid.val();
            self.m_data.next = self.s_data.val();
            self.m_nbytes.next = self.s_nbytes.val();
            self.m_last.next = self.s_last.val();
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
        let mut uut = StreamSkid::default();
        uut.set_registered(registered);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<StreamSkid>| x.clock.next = !x.clock.val());
        let (tx, rx) = std::sync::mpsc::channel();
        sim.add_testbench(move |mut sim: Sim<StreamSkid>| {
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
                x.s_nbytes.next = (next % 8).into();
                x.s_last.next = next.is_multiple_of(5);
                x.m_ready.next = !(r >> 8).is_multiple_of(3);
                x = sim.wait(1, x)?;
                if x.m_valid.val() && x.m_ready.val() {
                    let d = x.m_data.val().to_u64();
                    sim_assert_eq!(sim, x.m_nbytes.val().to_u64(), d % 8, x);
                    sim_assert_eq!(sim, x.m_last.val(), d.is_multiple_of(5), x);
                    got.push(d);
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
        let mut uut = StreamSkid::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<StreamSkid>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<StreamSkid>| {
            let mut x = sim.init()?;
            x.s_valid.next = true;
            x.m_ready.next = true;
            let mut taken = 0;
            for i in 0..20u64 {
                x.s_data.next = i.into();
                x = sim.wait(1, x)?;
                // Ready upstream whatever the consumer does in this cycle.
                sim_assert!(sim, x.s_ready.val(), x);
                if x.m_valid.val() {
                    // One cycle of latency.
                    sim_assert_eq!(sim, x.m_data.val().to_u64() + 1, i, x);
                    taken += 1;
                }
                wait_clock_cycle!(sim, clock, x);
            }
            sim_assert_eq!(sim, taken, 19, x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }
}
