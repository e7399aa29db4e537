//! Store-and-forward receive buffer.
//!
//! Beats from the MAC are written into block RAM as they arrive; when a frame's last beat says
//! it is good, the frame is committed (its length queued for the DMA), otherwise the write
//! pointer returns to the last commit and the frame leaves no trace. A good frame that finds
//! the buffer (or the queue of frame lengths) full is dropped whole and counted. The DMA side
//! reads beats at `rd_addr` (one cycle of read latency) and releases space by moving
//! `free_ptr` past a frame. Frames are stored with their FCS: a frame of `len` octets takes
//! `(len + 4 + 7) / 8` beats.

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
    /// The queue's head in registers (board card): the DMA reads a frame's length from a
    /// flip-flop rather than through the queue's read logic and distributed RAM.
    k_head: Constant<Bit>,
    h_valid: DFF<Bit>,
    h_len: DFF<Bits<16>>,
    h_load: Signal<Local, Bit>,
    write_beat: Signal<Local, Bit>,
    lost: Signal<Local, Bit>,
    wr_next: Signal<Local, Bits<P>>,
    k_depth: Constant<Bits<P>>,
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
            h_valid: Default::default(),
            h_len: Default::default(),
            h_load: Default::default(),
            write_beat: Default::default(),
            lost: Default::default(),
            wr_next: Default::default(),
            k_depth: Constant::new((1u64 << A).into()),
        }
    }
}

impl RxBuffer {
    /// Whether the queue of frame lengths has its head in registers. It costs a cycle only
    /// when a frame's length enters an empty queue.
    pub fn set_head_register(&mut self, registered: bool) {
        self.k_head = Constant::new(registered);
    }
}

impl Logic for RxBuffer {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wr_ptr, commit, dropping, c_over, h_valid, h_len);
        clock!(self, clock, info);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.ram.read_address.next = self.rd_addr.val();
        self.rd_data.next = self.ram.read_data.val();
        self.ram.write_address.next = self.wr_ptr.q.val().get_bits::<A>(0);
        self.ram.write_data.next = self.in_data.val();
        self.ram.write_enable.next = false;
        self.info.data_in.next = self.in_len.val();
        self.info.write.next = false;
        self.committed.next = false;
        self.info.read.next = self.info_pop.val() | self.reset.val();
        self.info_empty.next = self.info.empty.val();
        self.info_len.next = self.info.data_out.val();
        if self.k_head.val() {
            // The head is loaded when it is empty or being taken.
            self.h_load.next =
                (!self.h_valid.q.val() | self.info_pop.val()) & !self.info.empty.val();
            self.info.read.next = self.h_load.val() | self.reset.val();
            if self.info_pop.val() {
                self.h_valid.d.next = false;
            }
            if self.h_load.val() {
                self.h_valid.d.next = true;
                self.h_len.d.next = self.info.data_out.val();
            }
            if self.reset.val() {
                self.h_valid.d.next = false;
            }
            self.info_empty.next = !self.h_valid.q.val();
            self.info_len.next = self.h_len.q.val();
        } else {
            self.h_load.next = false;
        }
        // A beat with octets needs a slot; the buffer is full when the writer is a whole
        // buffer ahead of the released space (`wr_ptr - free_ptr == depth`: the same slot,
        // the other lap, which needs no subtraction).
        self.write_beat.next = false;
        self.lost.next = self.dropping.q.val();
        if self.in_valid.val() & (self.in_nbytes.val() != 0) {
            if ((self.wr_ptr.q.val() ^ self.free_ptr.val()) == self.k_depth.val())
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
            if self.in_ok.val() & !self.lost.val() & !self.info.full.val() {
                self.commit.d.next = self.wr_next.val();
                self.info.write.next = true;
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
            self.info.write.next = false;
            self.committed.next = false;
        }
        self.commit_ptr.next = self.commit.q.val();
        self.busy.next = self.wr_ptr.q.val() != self.commit.q.val();
        self.cnt_overflow.next = self.c_over.q.val();
    }
}
