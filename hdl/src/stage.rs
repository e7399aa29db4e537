//! A pipeline stage whose register a card can leave out.
//!
//! A block pipelined for the board's clock spends a cycle in each stage. The same block on a
//! card whose link is faster than its clock needs (the simulation card's 10 GbE MAC sends a
//! 64-byte frame in about 11 cycles) cannot afford those cycles, and has no clock to meet.
//! A [`Stage`] is either: registered (`q` is `d` one cycle later) or, with
//! [`Stage::set_registered`]`(false)`, a wire (`q` is `d`). The choice is a constant of the
//! Verilog, so synthesis keeps only the path chosen.

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Stage<T: Synth> {
    pub clock: Signal<In, Clock>,
    pub d: Signal<In, T>,
    pub q: Signal<Out, T>,
    k_registered: Constant<Bit>,
    r: DFF<T>,
}

impl<T: Synth> Default for Stage<T> {
    fn default() -> Self {
        Stage {
            clock: Default::default(),
            d: Default::default(),
            q: Default::default(),
            k_registered: Constant::new(true),
            r: Default::default(),
        }
    }
}

impl<T: Synth> Stage<T> {
    /// A stage that starts as a wire.
    pub fn wire() -> Self {
        let mut s = Self::default();
        s.set_registered(false);
        s
    }

    /// Registered (the default) or a wire.
    pub fn set_registered(&mut self, registered: bool) {
        self.k_registered = Constant::new(registered);
    }
}

impl<T: Synth> Logic for Stage<T> {
    #[hdl_gen]
    fn update(&mut self) {
        self.r.clock.next = self.clock.val();
        self.r.d.next = self.d.val();
        self.q.next = self.d.val();
        if self.k_registered.val() {
            self.q.next = self.r.q.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(LogicBlock, Default)]
    struct Pair {
        clock: Signal<In, Clock>,
        d: Signal<In, Bits<8>>,
        reg_q: Signal<Out, Bits<8>>,
        wire_q: Signal<Out, Bits<8>>,
        a: Stage<Bits<8>>,
        b: Stage<Bits<8>>,
    }

    impl Logic for Pair {
        #[hdl_gen]
        fn update(&mut self) {
            self.a.clock.next = self.clock.val();
            self.b.clock.next = self.clock.val();
            self.a.d.next = self.d.val();
            self.b.d.next = self.d.val();
            self.reg_q.next = self.a.q.val();
            self.wire_q.next = self.b.q.val();
        }
    }

    #[test]
    fn a_registered_stage_delays_a_cycle_and_a_wire_does_not() {
        let mut uut = Pair::default();
        uut.b.set_registered(false);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Pair>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<Pair>| {
            let mut x = sim.init()?;
            x.d.next = 7.into();
            wait_clock_cycle!(sim, clock, x);
            x.d.next = 9.into();
            x = sim.wait(1, x)?;
            // The wire follows at once; the register still holds the value before the edge.
            sim_assert_eq!(sim, x.wire_q.val(), 9, x);
            sim_assert_eq!(sim, x.reg_q.val(), 7, x);
            wait_clock_cycle!(sim, clock, x);
            x = sim.wait(1, x)?;
            sim_assert_eq!(sim, x.reg_q.val(), 9, x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 100).unwrap();
    }
}
