//! RX DMA: asks the VI engine what to do with the head frame, then writes the frame and its
//! event into the VI's memory.
//!
//! Two stages, so that the next frame's decision is taken while the current one is written:
//!
//! - **decide**: the frame at the head of the receive buffer and the classifier's result for
//!   it (its VI, filter id and parser flags) go to the engine (`adm_*`). The answer: deliver
//!   (buffer address, event slot), an error event (the descriptor named a buffer the VI does
//!   not own), or a drop (counted by the engine against the VI): the head never waits for a
//!   VI. A decision holds the frame's place in the buffer; it waits in one register for the
//!   write stage. On the board's card the request to the engine is a register
//!   (`set_staged_admission`), a cycle after the frame and its result are there.
//! - **write**: posted DMA writes of the frame's beats (byte strobes on the last, the FCS
//!   never leaves the card), then the event: word 1 first, word 0 (with the phase bit) last.
//!   Each event word is packed from the event's registers in the cycle it is offered (its
//!   timestamp that cycle's), and the write data leaves as two words, the receive buffer's
//!   output and the event word: the card chooses between them after its write slice.
//!   The next decision starts on the cycle the event's last word is accepted, so the write
//!   port carries no idle cycle between frames (on the board's card, the cycle after its
//!   write slice has emptied: a few cycles a frame; there a frame's beats are also read
//!   ahead, see `pf_addr`). Error events of refused doorbells
//!   (`aux_*`) go after the decision held before them (the engine takes no new decision while
//!   one waits), so events are written in the order they were allocated. After an event for
//!   an armed VI, the interrupt request goes to the holdoff timers (on the board's card,
//!   whose writes pass a register slice, once the slice has handed the event to the host).
//!
//! Space in the receive buffer is released in frame order as each frame's data has been read
//! (or at once for a dropped frame).

use crate::rx_buffer::{A, P};
use crate::vi_engine::AdmitAction;
use arsenic_interface::event::{self, w0, w1, Kind, FILTER_NONE};
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum DecideState {
    Idle,
    Wait,
}

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum MoveState {
    Idle,
    Data,
    EventHi,
    EventLo,
    /// On a card whose writes pass a register slice (`set_write_slice`): the event is out
    /// of the RX DMA but perhaps not yet accepted by the host; the interrupt request waits
    /// until the slice is empty, so that it never overtakes the event it announces.
    Settle,
}

/// What a held decision asks of the write stage.
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum Decision {
    /// Release the frame's space (dropped).
    Skip,
    /// Write the frame and its event.
    Deliver,
    /// Release the frame's space and write an error event.
    Error,
}

#[derive(LogicBlock)]
pub struct RxDma {
    pub clock: Signal<In, Clock>,
    /// Mask of the card-wide counters' bits: all 32 alone; the card keeps only the low
    /// `regfile::COUNTER_LOW_BITS` and its register file's counter bank the rest.
    pub(crate) k_cmask: Constant<Bits<32>>,
    pub reset: Signal<In, Bit>,
    pub timestamp: Signal<In, Bits<48>>,
    // The receive buffer.
    pub info_empty: Signal<In, Bit>,
    pub info_len: Signal<In, Bits<16>>,
    pub info_pop: Signal<Out, Bit>,
    pub rd_addr: Signal<Out, Bits<A>>,
    pub rd_data: Signal<In, Bits<64>>,
    pub free_ptr: Signal<Out, Bits<P>>,
    // The classifier's result for the head frame.
    pub cls_empty: Signal<In, Bit>,
    pub cls_vi: Signal<In, Bits<16>>,
    pub cls_filter: Signal<In, Bits<16>>,
    pub cls_flags: Signal<In, Bits<4>>,
    pub cls_pop: Signal<Out, Bit>,
    // The VI engine.
    pub adm_valid: Signal<Out, Bit>,
    pub adm_vi: Signal<Out, Bits<16>>,
    pub adm_len: Signal<Out, Bits<16>>,
    pub adm_take: Signal<In, Bit>,
    pub res_valid: Signal<In, Bit>,
    pub res_action: Signal<In, AdmitAction>,
    pub res_code: Signal<In, Bits<4>>,
    pub res_addr: Signal<In, Bits<64>>,
    pub res_evq: Signal<In, Bits<64>>,
    pub res_phase: Signal<In, Bit>,
    pub res_desc: Signal<In, Bits<16>>,
    pub res_irq: Signal<In, Bit>,
    pub res_holdoff: Signal<In, Bits<16>>,
    pub aux_valid: Signal<In, Bit>,
    pub aux_vi: Signal<In, Bits<16>>,
    pub aux_code: Signal<In, Bits<4>>,
    pub aux_value: Signal<In, Bits<16>>,
    pub aux_evq: Signal<In, Bits<64>>,
    pub aux_phase: Signal<In, Bit>,
    pub aux_kind: Signal<In, Bits<4>>,
    pub aux_len: Signal<In, Bits<16>>,
    pub aux_irq: Signal<In, Bit>,
    pub aux_holdoff: Signal<In, Bits<16>>,
    pub aux_take: Signal<Out, Bit>,
    // Interrupt requests to the holdoff timers (one-cycle pulses).
    pub irq_req: Signal<Out, Bit>,
    pub irq_vi: Signal<Out, Bits<16>>,
    pub irq_holdoff: Signal<Out, Bits<16>>,
    // DMA write port (posted writes of one beat).
    pub wr_valid: Signal<Out, Bit>,
    pub wr_addr: Signal<Out, Bits<64>>,
    /// The word written is `wr_beat` (a frame's beat, straight from the receive buffer)
    /// while `wr_is_beat`, else `wr_event` (a register): the card chooses after its write
    /// slice, so the receive buffer's block RAM drives the slice's flip-flops directly.
    pub wr_beat: Signal<Out, Bits<64>>,
    pub wr_event: Signal<Out, Bits<64>>,
    pub wr_is_beat: Signal<Out, Bit>,
    pub wr_strb: Signal<Out, Bits<8>>,
    pub wr_ready: Signal<In, Bit>,
    /// The register slice after `wr_*` holds no write (see `set_write_slice`).
    pub wr_empty: Signal<In, Bit>,
    // Status and counters.
    pub done_seq: Signal<Out, Bits<32>>,
    pub idle: Signal<Out, Bit>,
    pub cnt_delivered: Signal<Out, Bits<32>>,
    pub cnt_bytes: Signal<Out, Bits<64>>,
    dstate: DFF<DecideState>,
    mstate: DFF<MoveState>,
    // The receive buffer's length queue is popped the cycle after its head is taken (from a
    // register, so that the queue's read address waits for no decision): the held decision
    // (`dv`) keeps the next one off for at least that cycle.
    take_info: Signal<Local, Bit>,
    pop_r: DFF<Bit>,
    nstart: DFF<Bits<P>>,
    free: DFF<Bits<P>>,
    // The held decision.
    dv: DFF<Bit>,
    d_kind: DFF<Decision>,
    d_start: DFF<Bits<P>>,
    d_words: DFF<Bits<P>>,
    d_len: DFF<Bits<16>>,
    d_addr: DFF<Bits<64>>,
    d_evq: DFF<Bits<64>>,
    d_phase: DFF<Bit>,
    d_desc: DFF<Bits<16>>,
    d_irq: DFF<Bit>,
    d_holdoff: DFF<Bits<16>>,
    d_vi: DFF<Bits<16>>,
    d_filter: DFF<Bits<16>>,
    // The classifier's flags, and the engine's error code (the event's status when the
    // decision is an error).
    d_status: DFF<Bits<4>>,
    d_code: DFF<Bits<4>>,
    // The frame or event being written.
    cur: DFF<Bits<P>>,
    // `cur` + 1, kept, so that the buffer's read address is chosen among registers.
    cur_n: DFF<Bits<P>>,
    left: DFF<Bits<16>>,
    // A delivered frame counted the cycle after its event's last word is taken, with its
    // length (so the word's ready reaches two flags, not the counters' enables).
    dl_rx: DFF<Bit>,
    dl_len: DFF<Bits<16>>,
    // `left == 1` (the frame's last beat is the next), kept beside `left` so that the beat's
    // decisions do not wait for a 16-bit compare.
    left1: DFF<Bit>,
    left_is2: Signal<Local, Bit>,
    words: Signal<Local, Bits<16>>,
    addr: DFF<Bits<64>>,
    strb_last: DFF<Bits<8>>,
    e_end: DFF<Bits<P>>,
    e_evq: DFF<Bits<64>>,
    e_phase: DFF<Bit>,
    e_desc: DFF<Bits<16>>,
    e_len: DFF<Bits<16>>,
    e_vi: DFF<Bits<16>>,
    e_filter: DFF<Bits<16>>,
    e_status: DFF<Bits<4>>,
    e_kind: DFF<Bits<4>>,
    e_irq: DFF<Bit>,
    e_holdoff: DFF<Bits<16>>,
    e_rx: DFF<Bit>,
    seq: DFF<Bits<32>>,
    c_delivered: DFF<Bits<32>>,
    c_bytes: DFF<Bits<64>>,
    can_start: Signal<Local, Bit>,
    // A start would take the doorbell's error event (not the held decision).
    aux_sel: Signal<Local, Bit>,
    total_words: Signal<Local, Bits<16>>,
    k_fcs_round: Constant<Bits<16>>,
    k_round: Constant<Bits<16>>,
    k_len_shift: Constant<Bits<64>>,
    k_kind_shift: Constant<Bits<64>>,
    k_phase_shift: Constant<Bits<64>>,
    k_vi_shift: Constant<Bits<64>>,
    k_filter_shift: Constant<Bits<64>>,
    k_status_shift: Constant<Bits<64>>,
    k_ts_shift: Constant<Bits<64>>,
    k_desc_shift: Constant<Bits<64>>,
    k_word_bytes: Constant<Bits<64>>,
    k_all_bytes: Constant<Bits<8>>,
    k_kind_rx: Constant<Bits<4>>,
    k_kind_error: Constant<Bits<4>>,
    k_filter_none: Constant<Bits<16>>,
    k_sliced: Constant<Bit>,
    // The request to the engine, registered (`set_staged_admission`).
    k_adm_staged: Constant<Bit>,
    adm_now: Signal<Local, Bit>,
    adm_r: DFF<Bit>,
    // The write stage's data: a frame's beat (straight from the receive buffer) while
    // `in_data`, else `ev_w`, the event word for this state, packed from the event's
    // registers. Both leave as they are (`wr_beat`, `wr_event`); the card chooses after its
    // write slice. `ev_hi` chooses the event's second word; like `in_data` it is the next
    // state's test, set by the transitions, so the 64 choices hang off a flip-flop, not off
    // the state's decode.
    in_data: DFF<Bit>,
    ev_hi: DFF<Bit>,
    ev_w: Signal<Local, Bits<64>>,
    // On a card with the write slice (the board's), a frame's beats are read ahead into a
    // queue of four: the receive buffer is read at `pf_addr` (a register) every cycle, a
    // read counts when the queue has room for it and the two in flight; its beat is
    // registered once out of the block RAM (`pf_d2`, which the RAM's slow output drives
    // alone) and then queued. The write takes the queue's head.
    pf_addr: DFF<Bits<P>>,
    pf_left: DFF<Bits<16>>,
    pf_r1: DFF<Bit>,
    pf_r2: DFF<Bit>,
    pf_d2: DFF<Bits<64>>,
    pq0: DFF<Bits<64>>,
    pq1: DFF<Bits<64>>,
    pq2: DFF<Bits<64>>,
    pq3: DFF<Bits<64>>,
    pq_wp: DFF<Bits<2>>,
    pq_rp: DFF<Bits<2>>,
    pq_n: DFF<Bits<3>>,
    pf_issue: Signal<Local, Bit>,
    pq_pop: Signal<Local, Bit>,
    pq_head: Signal<Local, Bits<64>>,
    // A beat of the frame is written this cycle (offered and taken).
    beat_go: Signal<Local, Bit>,
}

impl Default for RxDma {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            k_cmask: Constant::new(0xFFFF_FFFFu64.into()),
            reset: Default::default(),
            timestamp: Default::default(),
            info_empty: Default::default(),
            info_len: Default::default(),
            info_pop: Default::default(),
            take_info: Default::default(),
            pop_r: Default::default(),
            rd_addr: Default::default(),
            rd_data: Default::default(),
            free_ptr: Default::default(),
            cls_empty: Default::default(),
            cls_vi: Default::default(),
            cls_filter: Default::default(),
            cls_flags: Default::default(),
            cls_pop: Default::default(),
            adm_valid: Default::default(),
            adm_vi: Default::default(),
            adm_len: Default::default(),
            adm_take: Default::default(),
            res_valid: Default::default(),
            res_action: Default::default(),
            res_code: Default::default(),
            res_addr: Default::default(),
            res_evq: Default::default(),
            res_phase: Default::default(),
            res_desc: Default::default(),
            res_irq: Default::default(),
            res_holdoff: Default::default(),
            aux_valid: Default::default(),
            aux_vi: Default::default(),
            aux_code: Default::default(),
            aux_value: Default::default(),
            aux_evq: Default::default(),
            aux_phase: Default::default(),
            aux_kind: Default::default(),
            aux_len: Default::default(),
            aux_irq: Default::default(),
            aux_holdoff: Default::default(),
            aux_take: Default::default(),
            irq_req: Default::default(),
            irq_vi: Default::default(),
            irq_holdoff: Default::default(),
            wr_valid: Default::default(),
            wr_addr: Default::default(),
            wr_beat: Default::default(),
            wr_event: Default::default(),
            wr_is_beat: Default::default(),
            wr_strb: Default::default(),
            wr_ready: Default::default(),
            wr_empty: Default::default(),
            done_seq: Default::default(),
            idle: Default::default(),
            cnt_delivered: Default::default(),
            cnt_bytes: Default::default(),
            dstate: Default::default(),
            mstate: Default::default(),
            nstart: Default::default(),
            free: Default::default(),
            dv: Default::default(),
            d_kind: Default::default(),
            d_start: Default::default(),
            d_words: Default::default(),
            d_len: Default::default(),
            d_addr: Default::default(),
            d_evq: Default::default(),
            d_phase: Default::default(),
            d_desc: Default::default(),
            d_irq: Default::default(),
            d_holdoff: Default::default(),
            d_vi: Default::default(),
            d_filter: Default::default(),
            d_status: Default::default(),
            d_code: Default::default(),
            cur: Default::default(),
            cur_n: Default::default(),
            left: Default::default(),
            dl_rx: Default::default(),
            dl_len: Default::default(),
            left1: Default::default(),
            left_is2: Default::default(),
            words: Default::default(),
            addr: Default::default(),
            strb_last: Default::default(),
            e_end: Default::default(),
            e_evq: Default::default(),
            e_phase: Default::default(),
            e_desc: Default::default(),
            e_len: Default::default(),
            e_vi: Default::default(),
            e_filter: Default::default(),
            e_status: Default::default(),
            e_kind: Default::default(),
            e_irq: Default::default(),
            e_holdoff: Default::default(),
            e_rx: Default::default(),
            seq: Default::default(),
            c_delivered: Default::default(),
            c_bytes: Default::default(),
            aux_sel: Default::default(),
            can_start: Default::default(),
            total_words: Default::default(),
            // Beats of a frame with its FCS: (len + 4 + 7) / 8; without: (len + 7) / 8.
            k_fcs_round: Constant::new(11u64.into()),
            k_round: Constant::new(7u64.into()),
            k_len_shift: Constant::new((w0::LEN_SHIFT as u64).into()),
            k_kind_shift: Constant::new((w0::KIND_SHIFT as u64).into()),
            k_phase_shift: Constant::new((w0::PHASE_SHIFT as u64).into()),
            k_vi_shift: Constant::new((w0::VI_SHIFT as u64).into()),
            k_filter_shift: Constant::new((w0::FILTER_SHIFT as u64).into()),
            k_status_shift: Constant::new((w0::STATUS_SHIFT as u64).into()),
            k_ts_shift: Constant::new((w1::TIMESTAMP_SHIFT as u64).into()),
            k_desc_shift: Constant::new((w1::DESC_SHIFT as u64).into()),
            k_word_bytes: Constant::new((event::SIZE as u64 / 2).into()),
            k_all_bytes: Constant::new(0xFFu64.into()),
            k_kind_rx: Constant::new((Kind::RX as u64).into()),
            k_kind_error: Constant::new((Kind::ERROR as u64).into()),
            k_filter_none: Constant::new((FILTER_NONE as u64).into()),
            k_sliced: Constant::new(false),
            k_adm_staged: Constant::new(false),
            adm_now: Default::default(),
            adm_r: Default::default(),
            in_data: Default::default(),
            ev_hi: Default::default(),
            pf_addr: Default::default(),
            pf_left: Default::default(),
            pf_r1: Default::default(),
            pf_r2: Default::default(),
            pf_d2: Default::default(),
            pq0: Default::default(),
            pq1: Default::default(),
            pq2: Default::default(),
            pq3: Default::default(),
            pq_wp: Default::default(),
            pq_rp: Default::default(),
            pq_n: Default::default(),
            pf_issue: Default::default(),
            pq_pop: Default::default(),
            pq_head: Default::default(),
            beat_go: Default::default(),
            ev_w: Default::default(),
        }
    }
}

impl RxDma {
    /// Whether the writes pass a register slice before the host accepts them: then a
    /// frame's interrupt request waits for the slice to empty (a few cycles a frame).
    pub fn set_write_slice(&mut self, sliced: bool) {
        self.k_sliced = Constant::new(sliced);
    }

    /// Whether the request to the VI engine comes from a register: set a cycle after the
    /// head frame and its classifier result are both there, so the engine's choice of command
    /// starts from a flip-flop instead of the receive buffer's and classifier's queues. It
    /// holds as long as it is not taken (the frame stays at the head, no decision can be
    /// held meanwhile), and a taken or reset request is not repeated. Admission then waits a
    /// cycle longer.
    pub fn set_staged_admission(&mut self, staged: bool) {
        self.k_adm_staged = Constant::new(staged);
    }
}

impl Logic for RxDma {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            dstate,
            mstate,
            pop_r,
            nstart,
            free,
            dv,
            d_kind,
            d_start,
            d_words,
            d_len,
            d_addr,
            d_evq,
            d_phase,
            d_desc,
            d_irq,
            d_holdoff,
            d_vi,
            d_filter,
            d_status,
            d_code,
            cur,
            cur_n,
            left,
            dl_rx,
            dl_len,
            left1,
            addr,
            strb_last,
            e_end,
            e_evq,
            e_phase,
            e_desc,
            e_len,
            e_vi,
            e_filter,
            e_status,
            e_kind,
            e_irq,
            e_holdoff,
            e_rx,
            seq,
            c_delivered,
            c_bytes,
            in_data,
            ev_hi,
            pf_addr,
            pf_left,
            pf_r1,
            pf_r2,
            pf_d2,
            pq0,
            pq1,
            pq2,
            pq3,
            pq_wp,
            pq_rp,
            pq_n,
            adm_r
        );
        self.take_info.next = false;
        self.cls_pop.next = false;
        self.aux_take.next = false;
        self.irq_req.next = false;
        self.irq_vi.next = self.e_vi.q.val();
        self.irq_holdoff.next = self.e_holdoff.q.val();
        self.total_words.next = (self.info_len.val() + self.k_fcs_round.val()) >> 3;
        // Decide.
        self.adm_vi.next = self.cls_vi.val();
        self.adm_len.next = self.info_len.val();
        self.adm_now.next = (self.dstate.q.val() == DecideState::Idle)
            & !self.info_empty.val()
            & !self.cls_empty.val()
            & !self.dv.q.val();
        // (Once true, `adm_now` stays so until taken: only the `Wait` state pops the queues
        // or sets `dv`.)
        self.adm_r.d.next = self.adm_now.val() & !self.adm_take.val() & !self.reset.val();
        self.adm_valid.next = self.adm_now.val();
        if self.k_adm_staged.val() {
            self.adm_valid.next = self.adm_r.q.val();
        }
        match self.dstate.q.val() {
            DecideState::Idle => {
                if self.adm_valid.val() & self.adm_take.val() {
                    self.dstate.d.next = DecideState::Wait;
                }
            }
            DecideState::Wait => {
                // The held decision's words are loaded every cycle of the wait (nothing reads
                // them until `dv`, and `dv` is clear while waiting), so the last load is the
                // engine's answer and the answer's valid drives only the flags below, not the
                // enables of some 250 flip-flops.
                self.d_kind.d.next = Decision::Skip;
                if self.res_action.val() == AdmitAction::Deliver {
                    self.d_kind.d.next = Decision::Deliver;
                }
                if self.res_action.val() == AdmitAction::Error {
                    self.d_kind.d.next = Decision::Error;
                }
                self.d_start.d.next = self.nstart.q.val();
                self.d_words.d.next = self.total_words.val().get_bits::<P>(0);
                self.d_len.d.next = self.info_len.val();
                self.d_addr.d.next = self.res_addr.val();
                self.d_evq.d.next = self.res_evq.val();
                self.d_phase.d.next = self.res_phase.val();
                self.d_desc.d.next = self.res_desc.val();
                self.d_irq.d.next = self.res_irq.val();
                self.d_holdoff.d.next = self.res_holdoff.val();
                self.d_vi.d.next = self.cls_vi.val();
                self.d_filter.d.next = self.cls_filter.val();
                self.d_status.d.next = self.cls_flags.val();
                self.d_code.d.next = self.res_code.val();
                if self.res_valid.val() {
                    self.dstate.d.next = DecideState::Idle;
                    self.take_info.next = true;
                    self.cls_pop.next = true;
                    self.dv.d.next = true;
                    self.nstart.d.next =
                        self.nstart.q.val() + self.total_words.val().get_bits::<P>(0);
                }
            }
        }
        // Write.
        self.wr_valid.next = false;
        self.wr_addr.next = self.addr.q.val();
        self.wr_beat.next = self.rd_data.val();
        // The read-ahead queue's head.
        self.pq_head.next = self.pq0.q.val();
        if self.pq_rp.q.val() == 1 {
            self.pq_head.next = self.pq1.q.val();
        }
        if self.pq_rp.q.val() == 2 {
            self.pq_head.next = self.pq2.q.val();
        }
        if self.pq_rp.q.val() == 3 {
            self.pq_head.next = self.pq3.q.val();
        }
        if self.k_sliced.val() {
            self.wr_beat.next = self.pq_head.val();
        }
        // The event word of this state, from the event's registers (loaded before the event's
        // first word is offered, held until its last is taken).
        self.ev_w.next = (bit_cast::<64, 16>(self.e_len.q.val()) << self.k_len_shift.val())
            | (bit_cast::<64, 4>(self.e_kind.q.val()) << self.k_kind_shift.val())
            | (bit_cast::<64, 16>(self.e_vi.q.val()) << self.k_vi_shift.val())
            | (bit_cast::<64, 16>(self.e_filter.q.val()) << self.k_filter_shift.val())
            | (bit_cast::<64, 4>(self.e_status.q.val()) << self.k_status_shift.val())
            | (bit_cast::<64, 1>(self.e_phase.q.val().into()) << self.k_phase_shift.val());
        if self.ev_hi.q.val() {
            self.ev_w.next = (bit_cast::<64, 48>(self.timestamp.val()) << self.k_ts_shift.val())
                | (bit_cast::<64, 16>(self.e_desc.q.val()) << self.k_desc_shift.val());
        }
        self.wr_event.next = self.ev_w.val();
        self.wr_is_beat.next = self.in_data.q.val();
        self.wr_strb.next = self.k_all_bytes.val();
        // The buffer is read at the beat being written, or at the next one as it is taken;
        // outside a frame's data at the start of the next frame to deliver, so that the
        // decision to start it does not reach the block RAM's address (the beats read there
        // go nowhere until the frame's data is written).
        self.rd_addr.next = self.d_start.q.val().get_bits::<A>(0);
        if self.mstate.q.val() == MoveState::Data {
            self.rd_addr.next = self.cur.q.val().get_bits::<A>(0);
            if self.wr_ready.val() {
                self.rd_addr.next = self.cur_n.q.val().get_bits::<A>(0);
            }
        }
        // Read ahead (with the write slice): a read counts while beats are left to read and
        // the queue has room for it beside the reads in flight (`pq_n + pf_r1 + pf_r2 < 4`).
        self.pf_issue.next = false;
        if self.k_sliced.val() {
            self.rd_addr.next = self.pf_addr.q.val().get_bits::<A>(0);
            self.pf_issue.next = (self.pf_left.q.val() != 0)
                & ((self.pq_n.q.val() < 2)
                    | ((self.pq_n.q.val() == 2) & !(self.pf_r1.q.val() & self.pf_r2.q.val()))
                    | ((self.pq_n.q.val() == 3) & !self.pf_r1.q.val() & !self.pf_r2.q.val()));
        }
        if self.pf_issue.val() {
            self.pf_addr.d.next = self.pf_addr.q.val() + 1;
            self.pf_left.d.next = self.pf_left.q.val() - 1;
        }
        self.pf_r1.d.next = self.pf_issue.val();
        self.pf_r2.d.next = self.pf_r1.q.val();
        self.pf_d2.d.next = self.rd_data.val();
        // A frame's beat is offered while the queue holds one (always, without the slice).
        self.beat_go.next = self.wr_ready.val() & (!self.k_sliced.val() | (self.pq_n.q.val() != 0));
        self.pq_pop.next =
            self.k_sliced.val() & (self.mstate.q.val() == MoveState::Data) & self.beat_go.val();
        if self.pf_r2.q.val() {
            self.pq_wp.d.next = self.pq_wp.q.val() + 1;
            if self.pq_wp.q.val() == 0 {
                self.pq0.d.next = self.pf_d2.q.val();
            }
            if self.pq_wp.q.val() == 1 {
                self.pq1.d.next = self.pf_d2.q.val();
            }
            if self.pq_wp.q.val() == 2 {
                self.pq2.d.next = self.pf_d2.q.val();
            }
            if self.pq_wp.q.val() == 3 {
                self.pq3.d.next = self.pf_d2.q.val();
            }
        }
        if self.pq_pop.val() {
            self.pq_rp.d.next = self.pq_rp.q.val() + 1;
        }
        if self.pf_r2.q.val() & !self.pq_pop.val() {
            self.pq_n.d.next = self.pq_n.q.val() + 1;
        }
        if !self.pf_r2.q.val() & self.pq_pop.val() {
            self.pq_n.d.next = self.pq_n.q.val() - 1;
        }
        self.can_start.next = false;
        self.aux_sel.next = false;
        self.dl_rx.d.next = false;
        self.dl_len.d.next = self.e_len.q.val();
        if self.dl_rx.q.val() {
            self.c_delivered.d.next = (self.c_delivered.q.val() + 1) & self.k_cmask.val();
            self.c_bytes.d.next = self.c_bytes.q.val() + bit_cast::<64, 16>(self.dl_len.q.val());
        }
        self.left_is2.next = self.left.q.val() == 2;
        self.words.next = (self.d_len.q.val() + self.k_round.val()) >> 3;
        match self.mstate.q.val() {
            MoveState::Idle => {
                self.can_start.next = true;
            }
            MoveState::Data => {
                self.wr_valid.next = !self.k_sliced.val() | (self.pq_n.q.val() != 0);
                if self.left1.q.val() {
                    self.wr_strb.next = self.strb_last.q.val();
                }
                if self.beat_go.val() {
                    self.addr.d.next = self.addr.q.val() + self.k_word_bytes.val();
                    self.cur.d.next = self.cur_n.q.val();
                    self.cur_n.d.next = self.cur_n.q.val() + 1;
                    self.left.d.next = self.left.q.val() - 1;
                    self.left1.d.next = self.left_is2.val();
                    if self.left1.q.val() {
                        // All data written: release the frame's space, FCS beats included.
                        self.free.d.next = self.e_end.q.val();
                        self.mstate.d.next = MoveState::EventHi;
                    }
                }
            }
            MoveState::EventHi => {
                self.wr_valid.next = true;
                self.wr_addr.next = self.e_evq.q.val() + self.k_word_bytes.val();
                if self.wr_ready.val() {
                    self.mstate.d.next = MoveState::EventLo;
                }
            }
            MoveState::EventLo => {
                self.wr_valid.next = true;
                self.wr_addr.next = self.e_evq.q.val();
                if self.wr_ready.val() {
                    self.seq.d.next = self.seq.q.val() + 1;
                    self.dl_rx.d.next = self.e_rx.q.val();
                    if self.k_sliced.val() {
                        self.mstate.d.next = MoveState::Settle;
                    } else {
                        self.irq_req.next = self.e_irq.q.val();
                        self.mstate.d.next = MoveState::Idle;
                        self.can_start.next = true;
                    }
                }
            }
            MoveState::Settle => {
                // (The next frame or event starts from `Idle`, a cycle later: the slice's
                // empty flag, from across the die, decides only this state's end.)
                if self.wr_empty.val() {
                    self.irq_req.next = self.e_irq.q.val();
                    self.mstate.d.next = MoveState::Idle;
                }
            }
        }
        if self.can_start.val() & !self.reset.val() {
            // The event's registers are loaded every cycle a start is possible, from the
            // doorbell's error event or the held decision (the engine's `aux_valid` chooses
            // between them; only the start itself waits for it). They are read only after a
            // start.
            self.aux_sel.next = self.aux_valid.val() & !self.dv.q.val();
            self.e_evq.d.next = self.d_evq.q.val();
            self.e_phase.d.next = self.d_phase.q.val();
            self.e_desc.d.next = self.d_desc.q.val();
            self.e_vi.d.next = self.d_vi.q.val();
            self.e_filter.d.next = self.d_filter.q.val();
            self.e_status.d.next = self.d_status.q.val();
            self.e_irq.d.next = self.d_irq.q.val();
            self.e_holdoff.d.next = self.d_holdoff.q.val();
            self.e_len.d.next = self.d_len.q.val();
            self.e_kind.d.next = self.k_kind_rx.val();
            self.e_rx.d.next = self.d_kind.q.val() == Decision::Deliver;
            if self.d_kind.q.val() == Decision::Error {
                self.e_status.d.next = self.d_code.q.val();
                self.e_len.d.next = 0.into();
                self.e_kind.d.next = self.k_kind_error.val();
            }
            if self.aux_sel.val() {
                self.e_evq.d.next = self.aux_evq.val();
                self.e_phase.d.next = self.aux_phase.val();
                self.e_desc.d.next = self.aux_value.val();
                self.e_len.d.next = self.aux_len.val();
                self.e_vi.d.next = self.aux_vi.val();
                self.e_filter.d.next = self.k_filter_none.val();
                self.e_status.d.next = self.aux_code.val();
                self.e_kind.d.next = self.aux_kind.val();
                self.e_irq.d.next = self.aux_irq.val();
                self.e_holdoff.d.next = self.aux_holdoff.val();
                self.e_rx.d.next = false;
                // A refused doorbell's error event, after the decision taken before it.
                self.aux_take.next = true;
                self.mstate.d.next = MoveState::EventHi;
            } else if self.dv.q.val() {
                self.dv.d.next = false;
                self.e_end.d.next = self.d_start.q.val() + self.d_words.q.val();
                match self.d_kind.q.val() {
                    Decision::Skip => {
                        self.free.d.next = self.d_start.q.val() + self.d_words.q.val();
                    }
                    Decision::Error => {
                        self.free.d.next = self.d_start.q.val() + self.d_words.q.val();
                        self.mstate.d.next = MoveState::EventHi;
                    }
                    Decision::Deliver => {
                        self.cur.d.next = self.d_start.q.val();
                        self.cur_n.d.next = self.d_start.q.val() + 1;
                        self.left.d.next = self.words.val();
                        self.left1.d.next = self.words.val() == 1;
                        self.pf_addr.d.next = self.d_start.q.val();
                        self.pf_left.d.next = self.words.val();
                        self.addr.d.next = self.d_addr.q.val();
                        self.strb_last.d.next = self.k_all_bytes.val();
                        if self.d_len.q.val().get_bits::<3>(0) != 0 {
                            self.strb_last.d.next = bit_cast::<8, 9>(
                                (bits::<9>(1)
                                    << bit_cast::<9, 3>(self.d_len.q.val().get_bits::<3>(0)))
                                    - 1,
                            );
                        }
                        self.mstate.d.next = MoveState::Data;
                    }
                }
            }
        }
        self.pop_r.d.next = self.take_info.val() & !self.reset.val();
        self.info_pop.next = self.pop_r.q.val();
        self.free_ptr.next = self.free.q.val();
        self.done_seq.next = self.seq.q.val();
        self.idle.next = (self.mstate.q.val() == MoveState::Idle)
            & (self.dstate.q.val() == DecideState::Idle)
            & !self.dv.q.val()
            & self.info_empty.val();
        self.cnt_delivered.next = self.c_delivered.q.val();
        self.cnt_bytes.next = self.c_bytes.q.val();
        if self.reset.val() {
            self.dstate.d.next = DecideState::Idle;
            self.mstate.d.next = MoveState::Idle;
            self.pf_left.d.next = 0.into();
            self.pf_r1.d.next = false;
            self.pf_r2.d.next = false;
            self.pq_wp.d.next = 0.into();
            self.pq_rp.d.next = 0.into();
            self.pq_n.d.next = 0.into();
            self.dv.d.next = false;
            self.nstart.d.next = 0.into();
            self.free.d.next = 0.into();
            self.cur.d.next = 0.into();
            self.cur_n.d.next = 1.into();
            self.seq.d.next = 0.into();
            self.dl_rx.d.next = false;
            self.c_delivered.d.next = 0.into();
            self.c_bytes.d.next = 0.into();
        }
        // The next cycle's choice of write data: whether the next state is `Data` or
        // `EventHi`, from the transitions into and out of each (a decode of the next state
        // would wait for the whole state machine).
        self.in_data.d.next = !self.reset.val()
            & (((self.mstate.q.val() == MoveState::Data)
                & !(self.beat_go.val() & self.left1.q.val()))
                | (self.can_start.val()
                    & self.dv.q.val()
                    & (self.d_kind.q.val() == Decision::Deliver)));
        self.ev_hi.d.next = !self.reset.val()
            & (((self.mstate.q.val() == MoveState::EventHi) & !self.wr_ready.val())
                | ((self.mstate.q.val() == MoveState::Data)
                    & self.beat_go.val()
                    & self.left1.q.val())
                | (self.can_start.val()
                    & (self.aux_sel.val()
                        | (self.dv.q.val() & (self.d_kind.q.val() == Decision::Error)))));
    }
}
