//! A buffer table: a block RAM of 64-bit entries whose read is answered two cycles after its
//! address, through a register, and which gives a read that meets a write of the same entry
//! the new entry, never a mixture.
//!
//! The ECP5's block RAM cannot order a read and a write of the same address on its two ports
//! in one cycle: the read's data is undefined. A RAM that must answer such a read is
//! normally given a bypass by the synthesis tool, a compare and a multiplexer on the read's
//! output, the block RAM's slow output (5.8 ns) passing a LUT before its register. Here the
//! RAM is never read where it is written (`reg_ram::RegRam`), its output goes straight into
//! a register (on the board, the block RAM's own), and the bypass is made a stage later: the
//! read's address and the write are registered while the RAM reads, the collision is found
//! from those registers beside the RAM's output register, and the entry chosen after both.
//! The device manager rewrites an entry while a DMA may look it up (freeing a buffer, giving
//! it to another VI), so the lookup must see the old entry or the new one.

use crate::reg_ram::RegRam;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct TableRam<const AB: usize> {
    pub clock: Signal<In, Clock>,
    pub write_enable: Signal<In, Bit>,
    pub write_address: Signal<In, Bits<AB>>,
    pub write_data: Signal<In, Bits<64>>,
    pub read_address: Signal<In, Bits<AB>>,
    /// The entry at `read_address` two cycles before (the new entry if it was written in
    /// that cycle).
    pub entry: Signal<Out, Bits<64>>,
    /// The RAM and its output register (on the ECP5, the block RAM's own).
    ram: RegRam<64, AB>,
    /// The read's address and the write, registered while the RAM reads (the collision is
    /// found from these flip-flops, not from the logic that chose the addresses).
    ra1: DFF<Bits<AB>>,
    we1: DFF<Bit>,
    wa1: DFF<Bits<AB>>,
    wd1: DFF<Bits<64>>,
    /// The read met a write of its entry, and the written entry, beside the RAM's output
    /// register.
    hit2: DFF<Bit>,
    wd2: DFF<Bits<64>>,
}

impl<const AB: usize> Default for TableRam<AB> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            write_enable: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            read_address: Default::default(),
            entry: Default::default(),
            ram: Default::default(),
            ra1: Default::default(),
            we1: Default::default(),
            wa1: Default::default(),
            wd1: Default::default(),
            hit2: Default::default(),
            wd2: Default::default(),
        }
    }
}

impl<const AB: usize> Logic for TableRam<AB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, ra1, we1, wa1, wd1, hit2, wd2);
        self.ram.clock.next = self.clock.val();
        self.ram.write_enable.next = self.write_enable.val();
        self.ram.write_address.next = self.write_address.val();
        self.ram.write_data.next = self.write_data.val();
        self.ram.read_address.next = self.read_address.val();
        self.ra1.d.next = self.read_address.val();
        self.we1.d.next = self.write_enable.val();
        self.wa1.d.next = self.write_address.val();
        self.wd1.d.next = self.write_data.val();
        self.hit2.d.next = self.we1.q.val() & (self.wa1.q.val() == self.ra1.q.val());
        self.wd2.d.next = self.wd1.q.val();
        self.entry.next = self.ram.read_data.val();
        if self.hit2.q.val() {
            self.entry.next = self.wd2.q.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes and reads on pseudo-random cycles over four entries, so that reads meet writes
    /// of their entry often: each read's answer, two cycles later, is the entry as it was
    /// before that cycle, or the one written in that cycle.
    #[test]
    fn a_read_that_meets_a_write_sees_the_new_entry() {
        let mut uut = TableRam::<4>::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<TableRam<4>>| x.clock.next = !x.clock.val());
        let (tx, rx) = std::sync::mpsc::channel();
        sim.add_testbench(move |mut sim: Sim<TableRam<4>>| {
            let mut x = sim.init()?;
            let mut r = 0x2545_f491_4f6c_dd1du64;
            let mut mem = [0u64; 16];
            let mut want: Vec<u64> = Vec::new();
            let mut got: Vec<u64> = Vec::new();
            let mut hits = 0;
            for i in 0..400 {
                r ^= r << 13;
                r ^= r >> 7;
                r ^= r << 17;
                let we = r & 1 == 1;
                let wa = (r >> 1) & 3;
                let ra = (r >> 3) & 3;
                let wd = r.rotate_left(17);
                x.write_enable.next = we;
                x.write_address.next = wa.into();
                x.write_data.next = wd.into();
                x.read_address.next = ra.into();
                x = sim.wait(1, x)?;
                if i >= 2 {
                    got.push(x.entry.val().to_u64());
                }
                if we && wa == ra {
                    want.push(wd);
                    hits += 1;
                } else {
                    want.push(mem[ra as usize]);
                }
                if we {
                    mem[wa as usize] = wd;
                }
                wait_clock_cycle!(sim, clock, x);
            }
            want.truncate(got.len());
            tx.send((want, got, hits)).unwrap();
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
        let (want, got, hits) = rx.recv().unwrap();
        assert!(hits > 20, "only {hits} reads met a write");
        assert_eq!(want.len(), 398);
        assert_eq!(got, want);
    }
}
