//! Store-and-forward receive buffer.
//!
//! Beats from the MAC are written into block RAM as they arrive; when a frame's last beat says
//! it is good, the frame is committed (its length queued for the DMA), otherwise the write
//! pointer returns to the last commit and the frame leaves no trace. A good frame that finds
//! the buffer (or the queue of frame lengths) full is dropped whole and counted. The DMA side
//! reads beats at `rd_addr` (one cycle of read latency) and releases space by moving
//! `free_ptr` past a frame. Frames are stored with their FCS: a frame of `len` octets takes
//! `(len + 4 + 7) / 8` beats. On the board's card (`RxBuffer::set_head_register`) the
//! buffer decides 'full' from a register a cycle old and keeps one beat unused.

use arsenic_interface::params::{RX_BUF_ADDR_BITS, RX_INFO_ADDR_BITS};
use rust_hdl::prelude::*;

/// Width of a beat address in the buffer.
pub const A: usize = RX_BUF_ADDR_BITS;
/// Width of a buffer pointer: one more bit than an address tells full from empty.
pub const P: usize = RX_BUF_ADDR_BITS + 1;

#[derive(LogicBlock)]
pub struct RxBuffer {
    pub clock: Signal<In, Clock>,
    /// Mask of the card-wide counters' bits: all 32 alone; the card keeps only the low
    /// `regfile::COUNTER_LOW_BITS` and its register file's counter bank the rest.
    pub(crate) k_cmask: Constant<Bits<32>>,
    pub reset: Signal<In, Bit>,
    // From the MAC.
    pub in_valid: Signal<In, Bit>,
    pub in_data: Signal<In, Bits<64>>,
    pub in_nbytes: Signal<In, Bits<4>>,
    pub in_last: Signal<In, Bit>,
    pub in_ok: Signal<In, Bit>,
    pub in_len: Signal<In, Bits<16>>,
    // To the DMA: committed frames' lengths, first in first out.
    pub info_empty: Signal<Out, Bit>,
    pub info_len: Signal<Out, Bits<16>>,
    pub info_pop: Signal<In, Bit>,
    // Beat reads, and the release of space.
    pub rd_addr: Signal<In, Bits<A>>,
    pub rd_data: Signal<Out, Bits<64>>,
    pub free_ptr: Signal<In, Bits<P>>,
    /// Everything committed so far ends here.
    pub commit_ptr: Signal<Out, Bits<P>>,
    /// A frame is being written.
    pub busy: Signal<Out, Bit>,
    /// The frame whose last beat is in this cycle is kept (its length is queued).
    pub committed: Signal<Out, Bit>,
    pub cnt_overflow: Signal<Out, Bits<32>>,
    ram: RAM<Bits<64>, A>,
    info: SynchronousFIFO<Bits<16>, RX_INFO_ADDR_BITS, { RX_INFO_ADDR_BITS + 1 }, 1>,
    wr_ptr: DFF<Bits<P>>,
    commit: DFF<Bits<P>>,
    dropping: DFF<Bit>,
    c_over: DFF<Bits<32>>,
    /// The board card's queue of frame lengths (`set_head_register`): a RAM read at its
    /// registered read pointer, its head in registers, every decision from registers.
    k_head: Constant<Bit>,
    q_mem: RAM<Bits<16>, RX_INFO_ADDR_BITS>,
    q_wp: DFF<Bits<{ RX_INFO_ADDR_BITS + 1 }>>,
    q_rp: DFF<Bits<{ RX_INFO_ADDR_BITS + 1 }>>,
    /// The RAM's output is the entry at the read pointer (it has held still a cycle).
    q_fresh: DFF<Bit>,
    /// The RAM holds 63 lengths (counting the one queued in the last cycle): no frame is
    /// queued in this one.
    q_full: DFF<Bit>,
    /// A length to write into the RAM, registered after its frame's last beat (so the
    /// RAM's write enables hang off a register, not the MAC's valid).
    qw_v: DFF<Bit>,
    qw_len: DFF<Bits<16>>,
    h_valid: DFF<Bit>,
    h_len: DFF<Bits<16>>,
    h_load: Signal<Local, Bit>,
    q_push: Signal<Local, Bit>,
    info_full: Signal<Local, Bit>,
    q_count: Signal<Local, Bits<{ RX_INFO_ADDR_BITS + 1 }>>,
    k_qfull: Constant<Bits<{ RX_INFO_ADDR_BITS + 1 }>>,
    k_qfull1: Constant<Bits<{ RX_INFO_ADDR_BITS + 1 }>>,
    write_beat: Signal<Local, Bit>,
    lost: Signal<Local, Bit>,
    wr_next: Signal<Local, Bits<P>>,
    k_depth: Constant<Bits<P>>,
    /// The board's card (`set_head_register`): the buffer counts as full when, a cycle
    /// ago, at most one beat was free (`b_full`), so a beat's write decides from a
    /// register rather than a compare of the pointers. The buffer then keeps one beat
    /// unused.
    b_full: DFF<Bit>,
    occ: Signal<Local, Bits<P>>,
    k_depth1: Constant<Bits<P>>,
}

impl Default for RxBuffer {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            k_cmask: Constant::new(0xFFFF_FFFFu64.into()),
            reset: Default::default(),
            in_valid: Default::default(),
            in_data: Default::default(),
            in_nbytes: Default::default(),
            in_last: Default::default(),
            in_ok: Default::default(),
            in_len: Default::default(),
            info_empty: Default::default(),
            info_len: Default::default(),
            info_pop: Default::default(),
            rd_addr: Default::default(),
            rd_data: Default::default(),
            free_ptr: Default::default(),
            commit_ptr: Default::default(),
            busy: Default::default(),
            committed: Default::default(),
            cnt_overflow: Default::default(),
            ram: Default::default(),
            info: Default::default(),
            wr_ptr: Default::default(),
            commit: Default::default(),
            dropping: Default::default(),
            c_over: Default::default(),
            k_head: Constant::new(false),
            q_mem: Default::default(),
            q_wp: Default::default(),
            q_rp: Default::default(),
            q_fresh: Default::default(),
            q_full: Default::default(),
            qw_v: Default::default(),
            qw_len: Default::default(),
            h_valid: Default::default(),
            h_len: Default::default(),
            h_load: Default::default(),
            q_push: Default::default(),
            info_full: Default::default(),
            q_count: Default::default(),
            k_qfull: Constant::new(((1u64 << RX_INFO_ADDR_BITS) - 2).into()),
            k_qfull1: Constant::new(((1u64 << RX_INFO_ADDR_BITS) - 3).into()),
            write_beat: Default::default(),
            lost: Default::default(),
            wr_next: Default::default(),
            k_depth: Constant::new((1u64 << A).into()),
            b_full: Default::default(),
            occ: Default::default(),
            k_depth1: Constant::new(((1u64 << A) - 1).into()),
        }
    }
}

impl RxBuffer {
    /// Whether the queue of frame lengths is the board's: its head in registers, loaded at
    /// most every other cycle, read from a RAM at a registered pointer; the RAM holds 63
    /// lengths (one of them may still wait in the write register) and the head one more, as
    /// many frames as the simulation card's queue. A length reaches the DMA four cycles
    /// after its frame's last beat rather than one; the DMA takes a frame in many more
    /// cycles than that.
    pub fn set_head_register(&mut self, registered: bool) {
        self.k_head = Constant::new(registered);
    }
}

impl Logic for RxBuffer {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, wr_ptr, commit, dropping, c_over, q_wp, q_rp, q_fresh, q_full, h_valid,
            h_len, qw_v, qw_len, b_full
        );
        clock!(self, clock, info);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.ram.read_address.next = self.rd_addr.val();
        self.rd_data.next = self.ram.read_data.val();
        self.ram.write_address.next = self.wr_ptr.q.val().get_bits::<A>(0);
        self.ram.write_data.next = self.in_data.val();
        self.ram.write_enable.next = false;
        self.info.data_in.next = self.in_len.val();
        self.info.read.next = self.info_pop.val() | self.reset.val();
        self.q_mem.read_clock.next = self.clock.val();
        self.q_mem.write_clock.next = self.clock.val();
        self.q_mem.read_address.next = self.q_rp.q.val().get_bits::<RX_INFO_ADDR_BITS>(0);
        self.q_mem.write_address.next = self.q_wp.q.val().get_bits::<RX_INFO_ADDR_BITS>(0);
        self.q_mem.write_data.next = self.qw_len.q.val();
        self.qw_len.d.next = self.in_len.val();
        self.q_push.next = false;
        self.committed.next = false;
        self.info_empty.next = self.info.empty.val();
        self.info_len.next = self.info.data_out.val();
        self.info_full.next = self.info.full.val();
        self.h_load.next = false;
        if self.k_head.val() {
            // The head is loaded when it is empty or being taken and the RAM shows the entry
            // at the read pointer.
            self.h_load.next = self.q_fresh.q.val() & (!self.h_valid.q.val() | self.info_pop.val());
            self.q_fresh.d.next = !self.h_load.val() & (self.q_wp.q.val() != self.q_rp.q.val());
            if self.info_pop.val() {
                self.h_valid.d.next = false;
            }
            if self.h_load.val() {
                self.q_rp.d.next = self.q_rp.q.val() + 1;
                self.h_valid.d.next = true;
                self.h_len.d.next = self.q_mem.read_data.val();
            }
            self.info_empty.next = !self.h_valid.q.val();
            self.info_len.next = self.h_len.q.val();
            self.info_full.next = self.q_full.q.val();
        }
        // A beat with octets needs a slot; the buffer is full when the writer is a whole
        // buffer ahead of the released space (`wr_ptr - free_ptr == depth`: the same slot,
        // the other lap, which needs no subtraction).
        // On the board's card, full when at most one beat was free a cycle ago: since then
        // the writer has moved at most one beat on, and the DMA only frees space.
        self.occ.next = self.wr_ptr.q.val() - self.free_ptr.val();
        self.b_full.d.next = (self.occ.val() >= self.k_depth1.val()) & !self.reset.val();
        self.write_beat.next = false;
        self.lost.next = self.dropping.q.val();
        if self.in_valid.val() & (self.in_nbytes.val() != 0) {
            if (!self.k_head.val()
                & ((self.wr_ptr.q.val() ^ self.free_ptr.val()) == self.k_depth.val()))
                | (self.k_head.val() & self.b_full.q.val())
                | self.dropping.q.val()
            {
                self.lost.next = true;
            } else {
                self.write_beat.next = true;
            }
        }
        self.wr_next.next = self.wr_ptr.q.val();
        if self.write_beat.val() {
            self.ram.write_enable.next = true;
            self.wr_next.next = self.wr_ptr.q.val() + 1;
        }
        self.wr_ptr.d.next = self.wr_next.val();
        self.dropping.d.next = self.lost.val();
        if self.in_valid.val() & self.in_last.val() {
            self.dropping.d.next = false;
            if self.in_ok.val() & !self.lost.val() & !self.info_full.val() {
                self.commit.d.next = self.wr_next.val();
                self.q_push.next = true;
                self.committed.next = true;
            } else {
                self.wr_ptr.d.next = self.commit.q.val();
                if self.in_ok.val() {
                    self.c_over.d.next = (self.c_over.q.val() + 1) & self.k_cmask.val();
                }
            }
        }
        if self.reset.val() {
            self.wr_ptr.d.next = 0.into();
            self.commit.d.next = 0.into();
            self.dropping.d.next = false;
            self.c_over.d.next = 0.into();
            self.q_push.next = false;
            self.committed.next = false;
            self.q_wp.d.next = 0.into();
            self.q_rp.d.next = 0.into();
            self.q_fresh.d.next = false;
            self.h_valid.d.next = false;
        }
        // A frame's length goes into one queue or the other.
        self.info.write.next = self.q_push.val() & !self.k_head.val();
        self.qw_v.d.next = self.q_push.val() & self.k_head.val();
        self.q_mem.write_enable.next = self.qw_v.q.val();
        if self.qw_v.q.val() & !self.reset.val() {
            self.q_wp.d.next = self.q_wp.q.val() + 1;
        }
        // Full for the next cycle: 63 lengths in the RAM after this one and the one waiting
        // to be written.
        self.q_count.next = self.q_wp.q.val() - self.q_rp.q.val();
        self.q_full.d.next = ((self.q_count.val() > self.k_qfull.val())
            | ((self.q_count.val() == self.k_qfull.val())
                & (self.q_push.val() | self.qw_v.q.val()))
            | ((self.q_count.val() == self.k_qfull1.val())
                & self.q_push.val()
                & self.qw_v.q.val()))
            & !self.reset.val();
        self.commit_ptr.next = self.commit.q.val();
        self.busy.next = self.wr_ptr.q.val() != self.commit.q.val();
        self.cnt_overflow.next = self.c_over.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One-beat frames of lengths 1, 2, ... offered on pseudo-random cycles, at most every
    /// other cycle (a frame on the wire takes eight or more), and their
    /// lengths taken on pseudo-random cycles (or never, with `take` false): the lengths
    /// taken, in order, and the frames counted as overflow.
    fn run(head: bool, take: bool, seed: u64) -> (Vec<u64>, u64) {
        let mut uut = RxBuffer::default();
        uut.set_head_register(head);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<RxBuffer>| x.clock.next = !x.clock.val());
        let (tx, rx) = std::sync::mpsc::channel();
        sim.add_testbench(move |mut sim: Sim<RxBuffer>| {
            let mut x = sim.init()?;
            let mut r = seed;
            let mut got = Vec::new();
            x.reset.next = false;
            x.in_nbytes.next = 8.into();
            x.in_last.next = true;
            x.in_ok.next = true;
            x.in_data.next = 0.into();
            for len in 1..=300u64 {
                loop {
                    r ^= r << 13;
                    r ^= r >> 7;
                    r ^= r << 17;
                    let offer = !r.is_multiple_of(3);
                    x.in_valid.next = offer;
                    x.in_len.next = len.into();
                    // Space is released as soon as it is committed.
                    x.free_ptr.next = x.commit_ptr.val();
                    x.info_pop.next = take && !x.info_empty.val() && !(r >> 9).is_multiple_of(4);
                    x = sim.wait(1, x)?;
                    if x.info_pop.val() {
                        got.push(x.info_len.val().to_u64());
                    }
                    wait_clock_cycle!(sim, clock, x);
                    if offer {
                        x.in_valid.next = false;
                        x.free_ptr.next = x.commit_ptr.val();
                        x.info_pop.next = take && !x.info_empty.val() && (r & 1) == 1;
                        x = sim.wait(1, x)?;
                        if x.info_pop.val() {
                            got.push(x.info_len.val().to_u64());
                        }
                        wait_clock_cycle!(sim, clock, x);
                        break;
                    }
                }
            }
            x.in_valid.next = false;
            for _ in 0..400 {
                x.free_ptr.next = x.commit_ptr.val();
                x.info_pop.next = take && !x.info_empty.val();
                x = sim.wait(1, x)?;
                if x.info_pop.val() {
                    got.push(x.info_len.val().to_u64());
                }
                wait_clock_cycle!(sim, clock, x);
            }
            x.info_pop.next = false;
            x = sim.wait(1, x)?;
            let over = x.cnt_overflow.val().to_u64();
            tx.send((got, over)).unwrap();
            sim.done(x)
        });
        sim.run(Box::new(uut), 200_000).unwrap();
        rx.recv().unwrap()
    }

    #[test]
    fn every_committed_length_leaves_once_in_order_either_queue() {
        for head in [false, true] {
            for seed in [1, 0x9e37_79b9] {
                let (got, over) = run(head, true, seed);
                assert_eq!(over, 0, "head {head}, seed {seed}: nothing lost");
                let want: Vec<u64> = (1..=300).collect();
                assert_eq!(got, want, "head {head}, seed {seed}");
            }
        }
    }

    #[test]
    fn a_full_queue_counts_the_frames_it_cannot_keep() {
        // 64 lengths either way (the board's: 63 in its RAM, one in its head).
        for (head, kept) in [(false, 64u64), (true, 64)] {
            let (got, over) = run(head, false, 7);
            assert!(got.is_empty());
            assert_eq!(over, 300 - kept, "head {head}");
        }
    }
}
