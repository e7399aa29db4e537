//! RX DMA: admission, the frame's DMA into its posted buffer, and its event.
//!
//! For the frame at the head of the receive buffer: a frame longer than the queue's buffers is
//! dropped (`too_big`); a queue with nothing posted drops it at once (`no_desc`, early drop:
//! it never waits for a buffer the host has not given); otherwise, once its descriptor is on
//! card and the event queue has room, the frame's beats are written to the buffer with posted
//! DMA writes (byte strobes on the last beat, the FCS never leaves the card), then the event:
//! word 1 first, word 0 (with the phase bit) last. The next frame starts on the cycle the
//! event's last word is accepted, so the write port carries no idle cycle between frames.
//!
//! The classifier's result for the frame (its VI and filter id) goes into the event; every
//! frame is written through the one descriptor ring until per-VI queues exist.

use crate::rx_buffer::{A, P};
use arsenic_interface::event::{self, w0, w1, Kind};
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum RxDmaState {
    Idle,
    Data,
    EventHi,
    EventLo,
}

#[derive(LogicBlock)]
pub struct RxDma {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Queue configuration.
    pub buf_size: Signal<In, Bits<16>>,
    pub evq_base: Signal<In, Bits<64>>,
    pub evq_size_log2: Signal<In, Bits<4>>,
    pub evq_cons: Signal<In, Bits<16>>,
    pub timestamp: Signal<In, Bits<48>>,
    // The receive buffer.
    pub info_empty: Signal<In, Bit>,
    pub info_len: Signal<In, Bits<16>>,
    pub info_pop: Signal<Out, Bit>,
    pub rd_addr: Signal<Out, Bits<A>>,
    pub rd_data: Signal<In, Bits<64>>,
    pub free_ptr: Signal<Out, Bits<P>>,
    // Descriptors.
    pub desc_valid: Signal<In, Bit>,
    pub desc_addr: Signal<In, Bits<64>>,
    pub desc_index: Signal<In, Bits<16>>,
    pub desc_take: Signal<Out, Bit>,
    pub posted_none: Signal<In, Bit>,
    // The classifier's result for the head frame.
    pub cls_empty: Signal<In, Bit>,
    pub cls_vi: Signal<In, Bits<16>>,
    pub cls_filter: Signal<In, Bits<16>>,
    pub cls_flags: Signal<In, Bits<4>>,
    pub cls_pop: Signal<Out, Bit>,
    // DMA write port (posted writes of one beat).
    pub wr_valid: Signal<Out, Bit>,
    pub wr_addr: Signal<Out, Bits<64>>,
    pub wr_data: Signal<Out, Bits<64>>,
    pub wr_strb: Signal<Out, Bits<8>>,
    pub wr_ready: Signal<In, Bit>,
    // Status and counters.
    pub evq_prod: Signal<Out, Bits<16>>,
    pub idle: Signal<Out, Bit>,
    pub cnt_no_desc: Signal<Out, Bits<32>>,
    pub cnt_too_big: Signal<Out, Bits<32>>,
    pub cnt_delivered: Signal<Out, Bits<32>>,
    pub cnt_bytes: Signal<Out, Bits<64>>,
    state: DFF<RxDmaState>,
    free: DFF<Bits<P>>,
    cur: DFF<Bits<P>>,
    left: DFF<Bits<16>>,
    addr: DFF<Bits<64>>,
    flen: DFF<Bits<16>>,
    fwords: DFF<Bits<P>>,
    fdesc: DFF<Bits<16>>,
    fvi: DFF<Bits<16>>,
    ffilter: DFF<Bits<16>>,
    fflags: DFF<Bits<4>>,
    strb_last: DFF<Bits<8>>,
    evq: DFF<Bits<16>>,
    c_no_desc: DFF<Bits<32>>,
    c_too_big: DFF<Bits<32>>,
    c_delivered: DFF<Bits<32>>,
    c_bytes: DFF<Bits<64>>,
    can_load: Signal<Local, Bit>,
    total_words: Signal<Local, Bits<16>>,
    ev_slot: Signal<Local, Bits<64>>,
    evq_space: Signal<Local, Bit>,
    evq_pass: Signal<Local, Bits<16>>,
    phase: Signal<Local, Bit>,
    k_one: Constant<Bits<16>>,
    k_fcs_round: Constant<Bits<16>>,
    k_round: Constant<Bits<16>>,
    k_ev_shift: Constant<Bits<64>>,
    k_w0_fixed: Constant<Bits<64>>,
    k_len_shift: Constant<Bits<64>>,
    k_phase_shift: Constant<Bits<64>>,
    k_vi_shift: Constant<Bits<64>>,
    k_filter_shift: Constant<Bits<64>>,
    k_status_shift: Constant<Bits<64>>,
    k_ts_shift: Constant<Bits<64>>,
    k_desc_shift: Constant<Bits<64>>,
    k_word_bytes: Constant<Bits<64>>,
    k_all_bytes: Constant<Bits<8>>,
}

impl Default for RxDma {
    fn default() -> Self {
        let w0_fixed =
            arsenic_interface::set_field(0, w0::KIND_SHIFT, w0::KIND_BITS, Kind::RX as u64);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            buf_size: Default::default(),
            evq_base: Default::default(),
            evq_size_log2: Default::default(),
            evq_cons: Default::default(),
            timestamp: Default::default(),
            info_empty: Default::default(),
            info_len: Default::default(),
            info_pop: Default::default(),
            rd_addr: Default::default(),
            rd_data: Default::default(),
            free_ptr: Default::default(),
            desc_valid: Default::default(),
            desc_addr: Default::default(),
            desc_index: Default::default(),
            desc_take: Default::default(),
            posted_none: Default::default(),
            cls_empty: Default::default(),
            cls_vi: Default::default(),
            cls_filter: Default::default(),
            cls_flags: Default::default(),
            cls_pop: Default::default(),
            wr_valid: Default::default(),
            wr_addr: Default::default(),
            wr_data: Default::default(),
            wr_strb: Default::default(),
            wr_ready: Default::default(),
            evq_prod: Default::default(),
            idle: Default::default(),
            cnt_no_desc: Default::default(),
            cnt_too_big: Default::default(),
            cnt_delivered: Default::default(),
            cnt_bytes: Default::default(),
            state: Default::default(),
            free: Default::default(),
            cur: Default::default(),
            left: Default::default(),
            addr: Default::default(),
            flen: Default::default(),
            fwords: Default::default(),
            fdesc: Default::default(),
            fvi: Default::default(),
            ffilter: Default::default(),
            fflags: Default::default(),
            strb_last: Default::default(),
            evq: Default::default(),
            c_no_desc: Default::default(),
            c_too_big: Default::default(),
            c_delivered: Default::default(),
            c_bytes: Default::default(),
            can_load: Default::default(),
            total_words: Default::default(),
            ev_slot: Default::default(),
            evq_space: Default::default(),
            evq_pass: Default::default(),
            phase: Default::default(),
            k_one: Constant::new(1u64.into()),
            // Beats of a frame with its FCS: (len + 4 + 7) / 8; without: (len + 7) / 8.
            k_fcs_round: Constant::new(11u64.into()),
            k_round: Constant::new(7u64.into()),
            k_ev_shift: Constant::new((event::SIZE_LOG2 as u64).into()),
            k_w0_fixed: Constant::new(w0_fixed.into()),
            k_len_shift: Constant::new((w0::LEN_SHIFT as u64).into()),
            k_phase_shift: Constant::new((w0::PHASE_SHIFT as u64).into()),
            k_vi_shift: Constant::new((w0::VI_SHIFT as u64).into()),
            k_filter_shift: Constant::new((w0::FILTER_SHIFT as u64).into()),
            k_status_shift: Constant::new((w0::STATUS_SHIFT as u64).into()),
            k_ts_shift: Constant::new((w1::TIMESTAMP_SHIFT as u64).into()),
            k_desc_shift: Constant::new((w1::DESC_SHIFT as u64).into()),
            k_word_bytes: Constant::new(8u64.into()),
            k_all_bytes: Constant::new(0xFFu64.into()),
        }
    }
}

impl Logic for RxDma {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            free,
            cur,
            left,
            addr,
            flen,
            fwords,
            fdesc,
            fvi,
            ffilter,
            fflags,
            strb_last,
            evq,
            c_no_desc,
            c_too_big,
            c_delivered,
            c_bytes
        );
        self.info_pop.next = false;
        self.cls_pop.next = false;
        self.desc_take.next = false;
        self.wr_valid.next = false;
        self.wr_addr.next = self.addr.q.val();
        self.wr_data.next = self.rd_data.val();
        self.wr_strb.next = self.k_all_bytes.val();
        self.rd_addr.next = self.cur.q.val().get_bits::<A>(0);
        self.ev_slot.next = self.evq_base.val()
            + (bit_cast::<64, 16>(
                self.evq.q.val()
                    & ((self.k_one.val() << bit_cast::<16, 4>(self.evq_size_log2.val())) - 1),
            ) << self.k_ev_shift.val());
        self.evq_space.next = (self.evq_size_log2.val() != 0)
            & ((self.evq.q.val() - self.evq_cons.val())
                < (self.k_one.val() << bit_cast::<16, 4>(self.evq_size_log2.val())));
        self.total_words.next = (self.info_len.val() + self.k_fcs_round.val()) >> 3;
        self.evq_pass.next = self.evq.q.val() >> bit_cast::<16, 4>(self.evq_size_log2.val());
        self.phase.next = !self.evq_pass.val().get_bit(0);
        self.can_load.next = false;
        match self.state.q.val() {
            RxDmaState::Idle => {
                self.can_load.next = true;
            }
            RxDmaState::Data => {
                self.wr_valid.next = true;
                if self.left.q.val() == 1 {
                    self.wr_strb.next = self.strb_last.q.val();
                }
                if self.wr_ready.val() {
                    self.addr.d.next = self.addr.q.val() + self.k_word_bytes.val();
                    self.cur.d.next = self.cur.q.val() + 1;
                    self.rd_addr.next = bit_cast::<A, P>(self.cur.q.val() + 1);
                    self.left.d.next = self.left.q.val() - 1;
                    if self.left.q.val() == 1 {
                        // All data written: release the frame's space, FCS beats included.
                        self.free.d.next = self.free.q.val() + self.fwords.q.val();
                        self.state.d.next = RxDmaState::EventHi;
                    }
                }
            }
            RxDmaState::EventHi => {
                self.wr_valid.next = true;
                self.wr_addr.next = self.ev_slot.val() + self.k_word_bytes.val();
                self.wr_data.next = (bit_cast::<64, 48>(self.timestamp.val())
                    << self.k_ts_shift.val())
                    | (bit_cast::<64, 16>(self.fdesc.q.val()) << self.k_desc_shift.val());
                if self.wr_ready.val() {
                    self.state.d.next = RxDmaState::EventLo;
                }
            }
            RxDmaState::EventLo => {
                self.wr_valid.next = true;
                self.wr_addr.next = self.ev_slot.val();
                self.wr_data.next = self.k_w0_fixed.val()
                    | (bit_cast::<64, 16>(self.flen.q.val()) << self.k_len_shift.val())
                    | (bit_cast::<64, 16>(self.fvi.q.val()) << self.k_vi_shift.val())
                    | (bit_cast::<64, 16>(self.ffilter.q.val()) << self.k_filter_shift.val())
                    | (bit_cast::<64, 4>(self.fflags.q.val()) << self.k_status_shift.val())
                    | (bit_cast::<64, 1>(self.phase.val().into()) << self.k_phase_shift.val());
                if self.wr_ready.val() {
                    self.evq.d.next = self.evq.q.val() + 1;
                    self.c_delivered.d.next = self.c_delivered.q.val() + 1;
                    self.c_bytes.d.next =
                        self.c_bytes.q.val() + bit_cast::<64, 16>(self.flen.q.val());
                    self.state.d.next = RxDmaState::Idle;
                    self.can_load.next = true;
                }
            }
        }
        // Admission of the next frame.
        if self.can_load.val() & !self.info_empty.val() & !self.cls_empty.val() & !self.reset.val()
        {
            if self.info_len.val() > self.buf_size.val() {
                self.info_pop.next = true;
                self.cls_pop.next = true;
                self.free.d.next = self.free.q.val() + self.total_words.val().get_bits::<P>(0);
                self.c_too_big.d.next = self.c_too_big.q.val() + 1;
            } else if self.posted_none.val() {
                self.info_pop.next = true;
                self.cls_pop.next = true;
                self.free.d.next = self.free.q.val() + self.total_words.val().get_bits::<P>(0);
                self.c_no_desc.d.next = self.c_no_desc.q.val() + 1;
            } else if self.desc_valid.val() & self.evq_space.val() {
                self.info_pop.next = true;
                self.cls_pop.next = true;
                self.fvi.d.next = self.cls_vi.val();
                self.ffilter.d.next = self.cls_filter.val();
                self.fflags.d.next = self.cls_flags.val();
                self.desc_take.next = true;
                self.state.d.next = RxDmaState::Data;
                self.cur.d.next = self.free.q.val();
                self.rd_addr.next = self.free.q.val().get_bits::<A>(0);
                self.left.d.next = (self.info_len.val() + self.k_round.val()) >> 3;
                self.addr.d.next = self.desc_addr.val();
                self.flen.d.next = self.info_len.val();
                self.fwords.d.next = self.total_words.val().get_bits::<P>(0);
                self.fdesc.d.next = self.desc_index.val();
                self.strb_last.d.next = self.k_all_bytes.val();
                if self.info_len.val().get_bits::<3>(0) != 0 {
                    self.strb_last.d.next = bit_cast::<8, 9>(
                        (bits::<9>(1) << bit_cast::<9, 3>(self.info_len.val().get_bits::<3>(0)))
                            - 1,
                    );
                }
            }
        }
        self.free_ptr.next = self.free.q.val();
        self.evq_prod.next = self.evq.q.val();
        self.idle.next = (self.state.q.val() == RxDmaState::Idle) & self.info_empty.val();
        self.cnt_no_desc.next = self.c_no_desc.q.val();
        self.cnt_too_big.next = self.c_too_big.q.val();
        self.cnt_delivered.next = self.c_delivered.q.val();
        self.cnt_bytes.next = self.c_bytes.q.val();
        if self.reset.val() {
            self.state.d.next = RxDmaState::Idle;
            self.free.d.next = 0.into();
            self.cur.d.next = 0.into();
            self.evq.d.next = 0.into();
            self.c_no_desc.d.next = 0.into();
            self.c_too_big.d.next = 0.into();
            self.c_delivered.d.next = 0.into();
            self.c_bytes.d.next = 0.into();
        }
    }
}
