//! The VI engine: every virtual interface's state, in block RAM, and the one place that
//! changes it.
//!
//! Per VI the engine keeps two words, at the VI's number in two RAMs: its configuration
//! (ring and event-queue bases and sizes, buffer size, buffer-table range, interrupt holdoff:
//! written only by the device manager's `CREATE`) and its indices (host producer, fetched,
//! landed and consumed descriptors, events written and consumed, flags). Its counters
//! (`regs::ViCounter`) are words of a [`CounterBank`]: a decision names the one to count
//! (or a frame and its bytes), and the bank adds it after the decision. A third RAM holds
//! each VI's on-card descriptors (already translated through the buffer table by
//! [`crate::desc_fetch::DescFetch`]), a fourth the queue of VIs
//! that want descriptors fetched (each VI at most once).
//!
//! The engine runs one command at a time, three cycles each: the cycle it is accepted (the
//! RAMs are addressed), the cycle the VI's words arrive (the descriptor cache is addressed),
//! and the cycle it decides, writes the words back and answers. That is the simulation
//! card's engine; the board's ([`ViEngine::set_deep`]) addresses the RAMs from the registered
//! VI, registers the words and the cache entry out of block RAM, then comparisons and sums
//! from them, and the decision's words before the write: seven cycles a command, for 125 MHz (a 64-byte frame lasts 84 cycles at a
//! gigabit). One command never overlaps the next, so a command always sees its
//! predecessor's writes. Commands, in priority order:
//!
//! 1. `FETCH_DONE`: a descriptor read for the VI has landed;
//! 2. `ADMIT`: the frame at the head of the receive buffer, for the VI its filters chose:
//!    deliver (buffer address, event slot), raise an error event (the descriptor named a
//!    buffer the VI does not own), or drop at once with a reason counted against the VI. The
//!    head never waits for a VI: a frame whose VI has no descriptor on card (none posted, or
//!    posted so late that its read is still in flight) is dropped (`no_buffer_posted`). The
//!    engine reads up to `DESC_FETCH_MAX` descriptors as soon as they are posted and keeps up
//!    to `2^DESC_PER_VI_BITS` per VI, so a process that posts one host read latency ahead of
//!    its traffic loses nothing to this;
//! 3. `TX_EVENT`: a transmit completion or error event from the transmit engine: placed in
//!    the VI's event queue (and an interrupt if armed), or counted lost if the queue is full
//!    or the VI is gone;
//! 4. an MMIO request buffered from the register file: a doorbell-page write or read, or the
//!    control page's `CREATE` / `DESTROY`;
//! 5. `FETCH_ISSUE`: the VI at the head of the fetch queue gets a descriptor read.

use crate::counter_bank::CounterBank;
use crate::occupancy::QueueOccupancy;
use crate::reg_ram::RegRam;
use crate::stage::Stage;
use arsenic_interface::event::error;
use arsenic_interface::params::{DESC_FETCH_MAX, DESC_PER_VI_BITS};
use arsenic_interface::regs::{db, vi_cmd};
use rust_hdl::prelude::*;

/// Width of a VI's configuration word: see [`cfg`].
pub const CFG_W: usize = 232;
/// Width of a VI's index word.
pub const DYN_W: usize = 100;
/// Width of an on-card descriptor: bus address [63:0], error code [65:64] (`event::error`).
pub const CACHE_W: usize = 66;

/// Bit positions of the configuration word. (The blocks' Verilog needs literal positions:
/// `update` writes these numbers out, and the register file checks them at compile time.)
pub mod cfg {
    pub const RXQ_BASE: usize = 0;
    pub const EVQ_BASE: usize = 64;
    pub const BUF_FIRST: usize = 128;
    pub const BUF_COUNT: usize = 160;
    pub const BUF_SIZE: usize = 192;
    pub const HOLDOFF: usize = 208;
    pub const RXQ_SIZE: usize = 224;
    pub const EVQ_SIZE: usize = 228;
}

/// MMIO operations the register file hands the engine.
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum MmioOp {
    DbWrite,
    DbRead,
    Create,
    Destroy,
}

/// Admission results.
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum AdmitAction {
    /// Drop the frame (the reason is counted).
    Drop,
    /// Write the frame into `res_addr`, then its event.
    Deliver,
    /// Drop the frame and write an error event (`res_code`).
    Error,
}

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum EnginePhase {
    Idle,
    Read,
    Calc,
    Decide,
    Commit,
}

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum EngineCmd {
    FetchDone,
    Admit,
    TxEvent,
    Mmio,
    FetchIssue,
}

const DPV: usize = DESC_PER_VI_BITS;

/// `VB`: log2 of the VIs; `CB`: `VB + DESC_PER_VI_BITS` (the descriptor cache's address).
#[derive(LogicBlock)]
pub struct ViEngine<const VB: usize, const CB: usize> {
    pub clock: Signal<In, Clock>,
    /// Mask of the card-wide counters' bits: all 32 alone; the card keeps only the low
    /// `regfile::COUNTER_LOW_BITS` and its register file's counter bank the rest.
    pub(crate) k_cmask: Constant<Bits<32>>,
    pub reset: Signal<In, Bit>,
    // MMIO requests (held by the register file until `mm_ready`).
    pub mm_valid: Signal<In, Bit>,
    pub mm_op: Signal<In, MmioOp>,
    pub mm_vi: Signal<In, Bits<16>>,
    pub mm_reg: Signal<In, Bits<12>>,
    pub mm_data: Signal<In, Bits<32>>,
    pub mm_ready: Signal<Out, Bit>,
    pub rd_valid: Signal<Out, Bit>,
    pub rd_data: Signal<Out, Bits<32>>,
    pub cmd_status: Signal<Out, Bits<32>>,
    pub cmd_seq: Signal<Out, Bits<32>>,
    /// The staged configuration, in the layout of [`cfg`].
    pub cf_word: Signal<In, Bits<CFG_W>>,
    // Admission of the head frame.
    pub adm_valid: Signal<In, Bit>,
    pub adm_vi: Signal<In, Bits<16>>,
    pub adm_len: Signal<In, Bits<16>>,
    pub adm_take: Signal<Out, Bit>,
    pub res_valid: Signal<Out, Bit>,
    pub res_action: Signal<Out, AdmitAction>,
    /// The error event's code; read only with `AdmitAction::Error`.
    pub res_code: Signal<Out, Bits<4>>,
    pub res_addr: Signal<Out, Bits<64>>,
    pub res_evq: Signal<Out, Bits<64>>,
    pub res_phase: Signal<Out, Bit>,
    pub res_desc: Signal<Out, Bits<16>>,
    pub res_irq: Signal<Out, Bit>,
    pub res_holdoff: Signal<Out, Bits<16>>,
    // Error events of refused doorbells, held until taken.
    pub aux_valid: Signal<Out, Bit>,
    pub aux_vi: Signal<Out, Bits<16>>,
    pub aux_code: Signal<Out, Bits<4>>,
    pub aux_value: Signal<Out, Bits<16>>,
    pub aux_evq: Signal<Out, Bits<64>>,
    pub aux_phase: Signal<Out, Bit>,
    /// The event's kind (`event::Kind`) and length: transmit events use them.
    pub aux_kind: Signal<Out, Bits<4>>,
    pub aux_len: Signal<Out, Bits<16>>,
    pub aux_irq: Signal<Out, Bit>,
    pub aux_holdoff: Signal<Out, Bits<16>>,
    pub aux_take: Signal<In, Bit>,
    // Transmit events from the transmit engine.
    pub tx_ev_valid: Signal<In, Bit>,
    pub tx_ev_vi: Signal<In, Bits<16>>,
    pub tx_ev_error: Signal<In, Bit>,
    pub tx_ev_code: Signal<In, Bits<4>>,
    pub tx_ev_value: Signal<In, Bits<16>>,
    pub tx_ev_len: Signal<In, Bits<16>>,
    pub tx_ev_take: Signal<Out, Bit>,
    pub cnt_tx_ev_lost: Signal<Out, Bits<32>>,
    // Interrupt requests of an arm that found events waiting, held until taken.
    pub irq_valid: Signal<Out, Bit>,
    pub irq_vi: Signal<Out, Bits<16>>,
    pub irq_holdoff: Signal<Out, Bits<16>>,
    pub irq_take: Signal<In, Bit>,
    /// Events the RX DMA has written (its `done_seq`): an arm's interrupt waits for the
    /// events allocated before it.
    pub done_seq: Signal<In, Bits<32>>,
    // Descriptor reads to issue, held until taken.
    pub fi_valid: Signal<Out, Bit>,
    pub fi_vi: Signal<Out, Bits<16>>,
    pub fi_addr: Signal<Out, Bits<64>>,
    pub fi_n: Signal<Out, Bits<5>>,
    pub fi_slot: Signal<Out, Bits<CB>>,
    pub fi_first: Signal<Out, Bits<32>>,
    pub fi_count: Signal<Out, Bits<32>>,
    pub fi_buf_size: Signal<Out, Bits<16>>,
    pub fi_take: Signal<In, Bit>,
    // Descriptor reads that landed.
    pub fd_valid: Signal<In, Bit>,
    pub fd_vi: Signal<In, Bits<16>>,
    pub fd_take: Signal<Out, Bit>,
    // Translated descriptors into the cache.
    pub cw_en: Signal<In, Bit>,
    pub cw_addr: Signal<In, Bits<CB>>,
    pub cw_data: Signal<In, Bits<CACHE_W>>,
    // Card-wide counters and status.
    pub cnt_no_desc: Signal<Out, Bits<32>>,
    pub cnt_too_big: Signal<Out, Bits<32>>,
    pub cnt_evq_full: Signal<Out, Bits<32>>,
    pub cnt_bad_buffer: Signal<Out, Bits<32>>,
    pub cnt_vi_disabled: Signal<Out, Bits<32>>,
    pub cnt_db_errors: Signal<Out, Bits<32>>,
    pub idle: Signal<Out, Bit>,
    cfgr: RAM<Bits<CFG_W>, VB>,
    dynr: RAM<Bits<DYN_W>, VB>,
    /// The VIs' counters (`regs::ViCounter` order), word `(vi << 3) | counter`.
    cbank: CounterBank<CB>,
    cache: RegRam<CACHE_W, CB>,
    fq: RAM<Bits<16>, VB>,
    phase: DFF<EnginePhase>,
    cmd: DFF<EngineCmd>,
    cvi: DFF<Bits<16>>,
    clen: DFF<Bits<16>>,
    cop: DFF<MmioOp>,
    creg: DFF<Bits<12>>,
    // The doorbell registers a write names, decoded when the command starts.
    creg_rx_prod: DFF<Bit>,
    creg_cnt: DFF<Bit>,
    creg_evq_cons: DFF<Bit>,
    creg_irq_arm: DFF<Bit>,
    cdata: DFF<Bits<32>>,
    mm_pend: DFF<Bit>,
    mm_op_r: DFF<MmioOp>,
    mm_vi_r: DFF<Bits<16>>,
    mm_reg_r: DFF<Bits<12>>,
    mm_data_r: DFF<Bits<32>>,
    fq_head: DFF<Bits<16>>,
    fq_tail: DFF<Bits<16>>,
    fq_tail_d: DFF<Bits<16>>,
    // The fetch queue's occupancy as the choice sees it (`fq_tail_d - fq_head`): its
    // not-empty flag is a register, so the choice of command tests a flip-flop, not a
    // pointer compare.
    fq_occ: QueueOccupancy,
    fq_pop: Signal<Local, Bit>,
    status_r: DFF<Bits<32>>,
    seq_r: DFF<Bits<32>>,
    decided: DFF<Bits<32>>,
    aux_v: DFF<Bit>,
    aux_vi_r: DFF<Bits<16>>,
    aux_code_r: DFF<Bits<4>>,
    aux_value_r: DFF<Bits<16>>,
    aux_evq_r: DFF<Bits<64>>,
    aux_phase_r: DFF<Bit>,
    aux_kind_r: DFF<Bits<4>>,
    aux_len_r: DFF<Bits<16>>,
    aux_irq_r: DFF<Bit>,
    aux_holdoff_r: DFF<Bits<16>>,
    tev_error: DFF<Bit>,
    tev_code: DFF<Bits<4>>,
    tev_value: DFF<Bits<16>>,
    tev_len: DFF<Bits<16>>,
    c_tx_ev_lost: DFF<Bits<32>>,
    k_kind_error: Constant<Bits<4>>,
    k_kind_tx_done: Constant<Bits<4>>,
    irq_v: DFF<Bit>,
    irq_vi_r: DFF<Bits<16>>,
    irq_holdoff_r: DFF<Bits<16>>,
    irq_seq: DFF<Bits<32>>,
    irq_gap: Signal<Local, Bits<32>>,
    fi_v: DFF<Bit>,
    fi_vi_r: DFF<Bits<16>>,
    fi_addr_r: DFF<Bits<64>>,
    fi_n_r: DFF<Bits<5>>,
    fi_slot_r: DFF<Bits<CB>>,
    fi_first_r: DFF<Bits<32>>,
    fi_count_r: DFF<Bits<32>>,
    fi_buf_size_r: DFF<Bits<16>>,
    c_no_desc: DFF<Bits<32>>,
    c_too_big: DFF<Bits<32>>,
    c_evq_full: DFF<Bits<32>>,
    c_bad_buffer: DFF<Bits<32>>,
    c_vi_disabled: DFF<Bits<32>>,
    c_db_errors: DFF<Bits<32>>,
    // The VI's words as read, and as they will be written back.
    prod: Signal<Local, Bits<16>>,
    fetch: Signal<Local, Bits<16>>,
    ready: Signal<Local, Bits<16>>,
    cons: Signal<Local, Bits<16>>,
    evq_prod: Signal<Local, Bits<16>>,
    evq_cons: Signal<Local, Bits<16>>,
    enabled: Signal<Local, Bit>,
    busy: Signal<Local, Bit>,
    queued: Signal<Local, Bit>,
    armed: Signal<Local, Bit>,
    // The decision's counter update: `ViCounter` `cnt_idx` one up (`cnt_frame`: and the next
    // by the frame's length), or its read.
    cnt_count: Signal<Local, Bit>,
    cnt_frame: Signal<Local, Bit>,
    cnt_read: Signal<Local, Bit>,
    cnt_idx: Signal<Local, Bits<3>>,
    write_back: Signal<Local, Bit>,
    write_cfg: Signal<Local, Bit>,
    clr: Signal<Local, Bit>,
    k_created: Constant<Bits<DYN_W>>,
    push: Signal<Local, Bit>,
    // Derived values.
    vi_ok: Signal<Local, Bit>,
    ring_mask: Signal<Local, Bits<16>>,
    ring_n: Signal<Local, Bits<16>>,
    evq_n: Signal<Local, Bits<16>>,
    evq_mask: Signal<Local, Bits<16>>,
    evq_slot: Signal<Local, Bits<64>>,
    evq_phase: Signal<Local, Bit>,
    err: Signal<Local, Bit>,
    start: Signal<Local, Bit>,
    start_cmd: Signal<Local, EngineCmd>,
    start_vi: Signal<Local, Bits<16>>,
    m_fd: Signal<Local, Bits<16>>,
    m_adm: Signal<Local, Bits<16>>,
    m_tev: Signal<Local, Bits<16>>,
    m_mm: Signal<Local, Bits<16>>,
    m_fi: Signal<Local, Bits<16>>,
    k_nv: Constant<Bits<16>>,
    // The room on card is counted in DPV + 1 bits (see `u_room`).
    k_per_vi8: Constant<Bits<8>>,
    k_room_mask: Constant<Bits<8>>,
    k_fetch_max8: Constant<Bits<8>>,
    k_fetch_max: Constant<Bits<16>>,
    k_dpv: Constant<Bits<CB>>,
    k_one: Constant<Bits<16>>,
    k_ones: Constant<Bits<16>>,
    k_rx_prod: Constant<Bits<12>>,
    k_evq_cons: Constant<Bits<12>>,
    k_irq_arm: Constant<Bits<12>>,
    k_rx_cons: Constant<Bits<12>>,
    k_evq_prod: Constant<Bits<12>>,
    k_status: Constant<Bits<12>>,
    k_cnt_base: Constant<Bits<7>>,
    k_err_rx: Constant<Bits<4>>,
    k_err_evq: Constant<Bits<4>>,
    k_st_ok: Constant<Bits<32>>,
    k_st_busy: Constant<Bits<32>>,
    k_st_bad: Constant<Bits<32>>,
    sweeping: DFF<Bit>,
    sweep: DFF<Bits<16>>,
    // The pipeline for the board's clock (see `set_deep`): the VI's words registered out of
    // block RAM, and the words to write back registered before the write.
    k_deep: Constant<Bit>,
    calc_n: DFF<Bits<3>>,
    sa_cfg: Stage<Bits<CFG_W>>,
    sa_dyn: Stage<Bits<DYN_W>>,
    sw_cfg: Stage<Bits<CFG_W>>,
    sw_dyn: Stage<Bits<DYN_W>>,
    sw_cfg_en: Stage<Bit>,
    sw_dyn_en: Stage<Bit>,
    // The fetch queue's push, registered like the words.
    sb_vi_ok: Stage<Bit>,
    sw_fq_en: Stage<Bit>,
    // Comparisons and sums from the VI's words, a stage after them (the descriptor read's
    // size a stage later), so that the decision is a choice among them.
    // (Each of the three is clamped to DESC_FETCH_MAX as it is registered, so the least of
    // them is taken among narrow words.)
    sb_pend: Stage<Bits<8>>,
    sb_room: Stage<Bits<8>>,
    sb_to_end: Stage<Bits<8>>,
    sb_nfetch: Stage<Bits<16>>,
    sb_too_big: Stage<Bit>,
    sb_no_desc: Stage<Bit>,
    sb_evq_full: Stage<Bit>,
    sb_evq_slot: Stage<Bits<64>>,
    sb_evq_phase: Stage<Bit>,
    sb_fi_addr: Stage<Bits<64>>,
    sb_rx_bad: Stage<Bit>,
    sb_evq_bad: Stage<Bit>,
    sb_arm_now: Stage<Bit>,
    sb_prod_ne: Stage<Bit>,
    sb_cdata_ne: Stage<Bit>,
    sb_room_ok: Stage<Bit>,
    sb_room_ok1: Stage<Bit>,
    // The indices a decision advances, one more, and a doorbell write's own checks (the
    // write on an enabled VI; each refusal with the register it names), so that the
    // decision only chooses.
    // The differences a doorbell's checks and the event queue's room compare, taken as the
    // VI's words are registered (each check is then one compare of registers).
    sa_dnew: Stage<Bits<16>>,
    sa_rx_pend: Stage<Bits<16>>,
    // The doorbell's new count less one, and whether it is zero (for the ring-size check).
    sa_dnew_m1: Stage<Bits<16>>,
    sa_dnew_z: Stage<Bit>,
    sa_evq_used: Stage<Bits<16>>,
    sa_evq_back: Stage<Bits<16>>,
    sb_evq_prod1: Stage<Bits<16>>,
    sb_cons1: Stage<Bits<16>>,
    // A doorbell register's read answer, chosen a stage ahead of the decision.
    sb_rd: Stage<Bits<32>>,
    // Each per-VI counter one step on (the byte count by the frame's length), a stage ahead
    // of the decision that picks the one to write back.
    sb_db_go: Stage<Bit>,
    // A decision's count, added a cycle after it on the board (no decision reads it sooner).
    dec_inc: Stage<Bit>,
    m_er: Signal<Local, Bit>,
    m_ep: Signal<Local, Bit>,
    m_rp: Signal<Local, Bit>,
    m_nf: Signal<Local, Bits<8>>,
    u_pend: Signal<Local, Bits<16>>,
    u_room: Signal<Local, Bits<8>>,
    u_off: Signal<Local, Bits<16>>,
    u_near: Signal<Local, Bit>,
    u_end5: Signal<Local, Bits<5>>,
    k_fm_low: Constant<Bits<16>>,
    k_fm_log: Constant<Bits<4>>,
    prod_set: Signal<Local, Bit>,
    cons_adv: Signal<Local, Bit>,
    prod_ne: Signal<Local, Bit>,
    room_ok: Signal<Local, Bit>,
}

// A descriptor read's size is chosen among 8-bit words; the ring's end and the room on card
// are compared with it bit by bit, on five bits. The room on card takes DPV + 1 of 8 bits.
const _: () = assert!(DESC_FETCH_MAX == 16 && DESC_PER_VI_BITS >= 4 && DESC_PER_VI_BITS < 8);

impl<const VB: usize, const CB: usize> Default for ViEngine<VB, CB> {
    fn default() -> Self {
        assert_eq!(
            CB,
            VB + DPV,
            "the descriptor cache holds 2^DESC_PER_VI_BITS per VI"
        );
        assert!(
            (1..=11).contains(&VB),
            "VI numbers fit the buffer table's owner field"
        );
        Self {
            clock: Default::default(),
            k_cmask: Constant::new(0xFFFF_FFFFu64.into()),
            reset: Default::default(),
            mm_valid: Default::default(),
            mm_op: Default::default(),
            mm_vi: Default::default(),
            mm_reg: Default::default(),
            mm_data: Default::default(),
            mm_ready: Default::default(),
            rd_valid: Default::default(),
            rd_data: Default::default(),
            cmd_status: Default::default(),
            cmd_seq: Default::default(),
            cf_word: Default::default(),
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
            tx_ev_valid: Default::default(),
            tx_ev_vi: Default::default(),
            tx_ev_error: Default::default(),
            tx_ev_code: Default::default(),
            tx_ev_value: Default::default(),
            tx_ev_len: Default::default(),
            tx_ev_take: Default::default(),
            cnt_tx_ev_lost: Default::default(),
            irq_valid: Default::default(),
            irq_vi: Default::default(),
            irq_holdoff: Default::default(),
            irq_take: Default::default(),
            done_seq: Default::default(),
            fi_valid: Default::default(),
            fi_vi: Default::default(),
            fi_addr: Default::default(),
            fi_n: Default::default(),
            fi_slot: Default::default(),
            fi_first: Default::default(),
            fi_count: Default::default(),
            fi_buf_size: Default::default(),
            fi_take: Default::default(),
            fd_valid: Default::default(),
            fd_vi: Default::default(),
            fd_take: Default::default(),
            cw_en: Default::default(),
            cw_addr: Default::default(),
            cw_data: Default::default(),
            cnt_no_desc: Default::default(),
            cnt_too_big: Default::default(),
            cnt_evq_full: Default::default(),
            cnt_bad_buffer: Default::default(),
            cnt_vi_disabled: Default::default(),
            cnt_db_errors: Default::default(),
            idle: Default::default(),
            cfgr: Default::default(),
            dynr: Default::default(),
            cbank: CounterBank::new(1 << VB, true),
            cache: Default::default(),
            fq: Default::default(),
            phase: Default::default(),
            cmd: Default::default(),
            cvi: Default::default(),
            clen: Default::default(),
            cop: Default::default(),
            creg: Default::default(),
            creg_rx_prod: Default::default(),
            creg_cnt: Default::default(),
            creg_evq_cons: Default::default(),
            creg_irq_arm: Default::default(),
            cdata: Default::default(),
            mm_pend: Default::default(),
            mm_op_r: Default::default(),
            mm_vi_r: Default::default(),
            mm_reg_r: Default::default(),
            mm_data_r: Default::default(),
            fq_head: Default::default(),
            fq_tail: Default::default(),
            fq_tail_d: Default::default(),
            fq_occ: Default::default(),
            fq_pop: Default::default(),
            status_r: Default::default(),
            seq_r: Default::default(),
            decided: Default::default(),
            aux_v: Default::default(),
            aux_vi_r: Default::default(),
            aux_code_r: Default::default(),
            aux_value_r: Default::default(),
            aux_evq_r: Default::default(),
            aux_phase_r: Default::default(),
            aux_kind_r: Default::default(),
            aux_len_r: Default::default(),
            aux_irq_r: Default::default(),
            aux_holdoff_r: Default::default(),
            tev_error: Default::default(),
            tev_code: Default::default(),
            tev_value: Default::default(),
            tev_len: Default::default(),
            c_tx_ev_lost: Default::default(),
            k_kind_error: Constant::new((arsenic_interface::event::Kind::ERROR as u64).into()),
            k_kind_tx_done: Constant::new((arsenic_interface::event::Kind::TX_DONE as u64).into()),
            irq_v: Default::default(),
            irq_vi_r: Default::default(),
            irq_holdoff_r: Default::default(),
            irq_seq: Default::default(),
            irq_gap: Default::default(),
            fi_v: Default::default(),
            fi_vi_r: Default::default(),
            fi_addr_r: Default::default(),
            fi_n_r: Default::default(),
            fi_slot_r: Default::default(),
            fi_first_r: Default::default(),
            fi_count_r: Default::default(),
            fi_buf_size_r: Default::default(),
            c_no_desc: Default::default(),
            c_too_big: Default::default(),
            c_evq_full: Default::default(),
            c_bad_buffer: Default::default(),
            c_vi_disabled: Default::default(),
            c_db_errors: Default::default(),
            prod: Default::default(),
            fetch: Default::default(),
            ready: Default::default(),
            cons: Default::default(),
            evq_prod: Default::default(),
            evq_cons: Default::default(),
            enabled: Default::default(),
            busy: Default::default(),
            queued: Default::default(),
            armed: Default::default(),
            cnt_count: Default::default(),
            cnt_frame: Default::default(),
            cnt_read: Default::default(),
            cnt_idx: Default::default(),
            write_back: Default::default(),
            write_cfg: Default::default(),
            clr: Default::default(),
            // `enabled` (bit 96) set, everything else 0.
            k_created: Constant::new(Bits::<DYN_W>::default().replace_bit(96, true)),
            push: Default::default(),
            vi_ok: Default::default(),
            ring_mask: Default::default(),
            ring_n: Default::default(),
            evq_n: Default::default(),
            evq_mask: Default::default(),
            evq_slot: Default::default(),
            evq_phase: Default::default(),
            err: Default::default(),
            start: Default::default(),
            start_cmd: Default::default(),
            start_vi: Default::default(),
            m_fd: Default::default(),
            m_adm: Default::default(),
            m_tev: Default::default(),
            m_mm: Default::default(),
            m_fi: Default::default(),
            k_nv: Constant::new((1u64 << VB).into()),
            k_per_vi8: Constant::new((1u64 << DPV).into()),
            k_room_mask: Constant::new(((2u64 << DPV) - 1).into()),
            k_fetch_max8: Constant::new((DESC_FETCH_MAX as u64).into()),
            k_fetch_max: Constant::new((DESC_FETCH_MAX as u64).into()),
            k_dpv: Constant::new((DPV as u64).into()),
            k_one: Constant::new(1u64.into()),
            k_ones: Constant::new(0xFFFFu64.into()),
            k_rx_prod: Constant::new((db::RX_PROD as u64).into()),
            k_evq_cons: Constant::new((db::EVQ_CONS as u64).into()),
            k_irq_arm: Constant::new((db::IRQ_ARM as u64).into()),
            k_rx_cons: Constant::new((db::RX_CONS as u64).into()),
            k_evq_prod: Constant::new((db::EVQ_PROD as u64).into()),
            k_status: Constant::new((db::STATUS as u64).into()),
            // (The counters' registers: 8 words from `COUNTER_BASE`, a multiple of 32.)
            k_cnt_base: Constant::new(((db::COUNTER_BASE >> 5) as u64).into()),
            k_err_rx: Constant::new((error::RX_DOORBELL as u64).into()),
            k_err_evq: Constant::new((error::EVQ_DOORBELL as u64).into()),
            k_st_ok: Constant::new((vi_cmd::STATUS_OK as u64).into()),
            k_st_busy: Constant::new((vi_cmd::STATUS_BUSY as u64).into()),
            k_st_bad: Constant::new((vi_cmd::STATUS_BAD as u64).into()),
            sweeping: Default::default(),
            sweep: Default::default(),
            k_deep: Constant::new(true),
            calc_n: Default::default(),
            sa_cfg: Default::default(),
            sa_dyn: Default::default(),
            sw_cfg: Default::default(),
            sw_dyn: Default::default(),
            sw_cfg_en: Default::default(),
            sw_dyn_en: Default::default(),
            sw_fq_en: Default::default(),
            sb_vi_ok: Default::default(),
            sb_pend: Default::default(),
            sb_room: Default::default(),
            sb_to_end: Default::default(),
            sb_nfetch: Default::default(),
            sb_too_big: Default::default(),
            sb_no_desc: Default::default(),
            sb_evq_full: Default::default(),
            sb_evq_slot: Default::default(),
            sb_evq_phase: Default::default(),
            sb_fi_addr: Default::default(),
            sb_rx_bad: Default::default(),
            sb_evq_bad: Default::default(),
            sb_arm_now: Default::default(),
            sb_prod_ne: Default::default(),
            sb_cdata_ne: Default::default(),
            sb_room_ok: Default::default(),
            sb_room_ok1: Default::default(),
            sa_dnew: Default::default(),
            sa_rx_pend: Default::default(),
            sa_dnew_m1: Default::default(),
            sa_dnew_z: Default::default(),
            sa_evq_used: Default::default(),
            sa_evq_back: Default::default(),
            sb_evq_prod1: Default::default(),
            sb_cons1: Default::default(),
            sb_rd: Default::default(),
            sb_db_go: Default::default(),
            dec_inc: Default::default(),
            m_er: Default::default(),
            m_ep: Default::default(),
            m_rp: Default::default(),
            m_nf: Default::default(),
            u_pend: Default::default(),
            u_room: Default::default(),
            u_off: Default::default(),
            u_near: Default::default(),
            u_end5: Default::default(),
            k_fm_low: Constant::new(((DESC_FETCH_MAX - 1) as u64).into()),
            k_fm_log: Constant::new((DESC_FETCH_MAX.trailing_zeros() as u64).into()),
            prod_set: Default::default(),
            cons_adv: Default::default(),
            prod_ne: Default::default(),
            room_ok: Default::default(),
        }
    }
}

impl<const VB: usize, const CB: usize> ViEngine<VB, CB> {
    /// With `deep` (the default) the engine is pipelined for the board's 125 MHz: the VI's
    /// RAMs are addressed from the registered VI the cycle after a command is accepted, their
    /// words registered out of block RAM, and the decision's words registered before they
    /// are written back: seven cycles a command. Without, three cycles a command, enough for
    /// 10 GbE line rate on the simulation card (a 64-byte frame every 10.5 cycles) but not for
    /// a board's clock.
    pub fn set_deep(&mut self, deep: bool) {
        self.k_deep = Constant::new(deep);
        self.sa_cfg.set_registered(deep);
        self.sa_dyn.set_registered(deep);
        self.cache.set_registered(deep);
        self.cbank.set_registered(deep);
        self.sw_cfg.set_registered(deep);
        self.sw_dyn.set_registered(deep);
        self.sw_cfg_en.set_registered(deep);
        self.sw_dyn_en.set_registered(deep);
        self.sw_fq_en.set_registered(deep);
        self.sb_vi_ok.set_registered(deep);
        self.sb_pend.set_registered(deep);
        self.sb_room.set_registered(deep);
        self.sb_to_end.set_registered(deep);
        self.sb_nfetch.set_registered(deep);
        self.sb_too_big.set_registered(deep);
        self.sb_no_desc.set_registered(deep);
        self.sb_evq_full.set_registered(deep);
        self.sb_evq_slot.set_registered(deep);
        self.sb_evq_phase.set_registered(deep);
        self.sb_fi_addr.set_registered(deep);
        self.sb_rx_bad.set_registered(deep);
        self.sb_evq_bad.set_registered(deep);
        self.sb_arm_now.set_registered(deep);
        self.sb_prod_ne.set_registered(deep);
        self.sb_cdata_ne.set_registered(deep);
        self.sb_room_ok.set_registered(deep);
        self.sb_room_ok1.set_registered(deep);
        self.sa_dnew.set_registered(deep);
        self.sa_rx_pend.set_registered(deep);
        self.sa_dnew_m1.set_registered(deep);
        self.sa_dnew_z.set_registered(deep);
        self.sa_evq_used.set_registered(deep);
        self.sa_evq_back.set_registered(deep);
        self.sb_evq_prod1.set_registered(deep);
        self.sb_cons1.set_registered(deep);
        self.sb_rd.set_registered(deep);
        self.sb_db_go.set_registered(deep);
        self.dec_inc.set_registered(deep);
    }
}

impl<const VB: usize, const CB: usize> Logic for ViEngine<VB, CB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            phase,
            cmd,
            cvi,
            clen,
            cop,
            creg,
            creg_rx_prod,
            creg_cnt,
            creg_evq_cons,
            creg_irq_arm,
            cdata,
            mm_pend,
            mm_op_r,
            mm_vi_r,
            mm_reg_r,
            mm_data_r,
            fq_head,
            fq_tail,
            fq_tail_d,
            status_r,
            seq_r,
            decided,
            aux_v,
            aux_vi_r,
            aux_code_r,
            aux_value_r,
            aux_evq_r,
            aux_phase_r,
            aux_kind_r,
            aux_len_r,
            aux_irq_r,
            aux_holdoff_r,
            tev_error,
            tev_code,
            tev_value,
            tev_len,
            c_tx_ev_lost,
            irq_v,
            irq_vi_r,
            irq_holdoff_r,
            irq_seq,
            fi_v,
            fi_vi_r,
            fi_addr_r,
            fi_n_r,
            fi_slot_r,
            fi_first_r,
            fi_count_r,
            fi_buf_size_r,
            c_no_desc,
            c_too_big,
            c_evq_full,
            c_bad_buffer,
            c_vi_disabled,
            c_db_errors,
            sweeping,
            sweep,
            calc_n
        );
        self.fq_occ.clock.next = self.clock.val();
        self.sa_cfg.clock.next = self.clock.val();
        self.sa_dyn.clock.next = self.clock.val();
        self.sw_cfg.clock.next = self.clock.val();
        self.sw_dyn.clock.next = self.clock.val();
        self.sw_cfg_en.clock.next = self.clock.val();
        self.sw_dyn_en.clock.next = self.clock.val();
        self.sw_fq_en.clock.next = self.clock.val();
        self.sb_vi_ok.clock.next = self.clock.val();
        self.sb_pend.clock.next = self.clock.val();
        self.sb_room.clock.next = self.clock.val();
        self.sb_to_end.clock.next = self.clock.val();
        self.sb_nfetch.clock.next = self.clock.val();
        self.sb_too_big.clock.next = self.clock.val();
        self.sb_no_desc.clock.next = self.clock.val();
        self.sb_evq_full.clock.next = self.clock.val();
        self.sb_evq_slot.clock.next = self.clock.val();
        self.sb_evq_phase.clock.next = self.clock.val();
        self.sb_fi_addr.clock.next = self.clock.val();
        self.sb_rx_bad.clock.next = self.clock.val();
        self.sb_evq_bad.clock.next = self.clock.val();
        self.sb_arm_now.clock.next = self.clock.val();
        self.sb_prod_ne.clock.next = self.clock.val();
        self.sb_cdata_ne.clock.next = self.clock.val();
        self.sb_room_ok.clock.next = self.clock.val();
        self.sb_room_ok1.clock.next = self.clock.val();
        self.sa_dnew.clock.next = self.clock.val();
        self.sa_rx_pend.clock.next = self.clock.val();
        self.sa_dnew_m1.clock.next = self.clock.val();
        self.sa_dnew_z.clock.next = self.clock.val();
        self.sa_evq_used.clock.next = self.clock.val();
        self.sa_evq_back.clock.next = self.clock.val();
        self.sb_evq_prod1.clock.next = self.clock.val();
        self.sb_cons1.clock.next = self.clock.val();
        self.sb_rd.clock.next = self.clock.val();
        self.sb_db_go.clock.next = self.clock.val();
        self.dec_inc.clock.next = self.clock.val();

        self.cfgr.read_clock.next = self.clock.val();
        self.cfgr.write_clock.next = self.clock.val();
        self.dynr.read_clock.next = self.clock.val();
        self.dynr.write_clock.next = self.clock.val();
        self.cbank.clock.next = self.clock.val();
        self.cbank.reset.next = self.reset.val();
        self.cache.clock.next = self.clock.val();
        self.fq.read_clock.next = self.clock.val();
        self.fq.write_clock.next = self.clock.val();
        self.fq_tail_d.d.next = self.fq_tail.q.val();
        // The MMIO request buffer: one request, taken when the engine gets to it.
        // Ready again once the previous MMIO command has completed, so that a read after a
        // command sees its effect.
        self.mm_ready.next = !self.mm_pend.q.val()
            & !((self.cmd.q.val() == EngineCmd::Mmio) & (self.phase.q.val() != EnginePhase::Idle))
            & !self.reset.val()
            & !self.sweeping.q.val()
            & !self.cbank.busy.val();
        if self.mm_valid.val() & !self.mm_pend.q.val() {
            self.mm_pend.d.next = true;
            self.mm_op_r.d.next = self.mm_op.val();
            self.mm_vi_r.d.next = self.mm_vi.val();
            self.mm_reg_r.d.next = self.mm_reg.val();
            self.mm_data_r.d.next = self.mm_data.val();
        }
        // Held outputs are released when taken.
        if self.aux_take.val() {
            self.aux_v.d.next = false;
        }
        if self.irq_take.val() {
            self.irq_v.d.next = false;
        }
        if self.fi_take.val() {
            self.fi_v.d.next = false;
        }
        // Descriptor-cache writes from the fetch block.
        self.cache.write_enable.next = self.cw_en.val();
        self.cache.write_address.next = self.cw_addr.val();
        self.cache.write_data.next = self.cw_data.val();
        // Choose the next command.
        self.adm_take.next = false;
        self.fd_take.next = false;
        self.tx_ev_take.next = false;
        self.start.next = false;
        self.fq_pop.next = false;
        self.start_cmd.next = EngineCmd::Admit;
        // The command's VI: an AND-OR of the sources, each masked by its choice (one-hot
        // among those that start; without a start the VI is not used), so no chain of
        // priority muxes lies between the flags and `cvi`.
        self.m_fd.next = 0.into();
        self.m_adm.next = 0.into();
        self.m_tev.next = 0.into();
        self.m_mm.next = 0.into();
        self.m_fi.next = 0.into();
        if self.fd_valid.val() {
            self.m_fd.next = self.k_ones.val();
        } else if self.adm_valid.val() & !self.aux_v.q.val() {
            self.m_adm.next = self.k_ones.val();
        } else if self.tx_ev_valid.val() & !self.aux_v.q.val() {
            self.m_tev.next = self.k_ones.val();
        } else if self.mm_pend.q.val() & !self.aux_v.q.val() & !self.irq_v.q.val() {
            self.m_mm.next = self.k_ones.val();
        } else {
            self.m_fi.next = self.k_ones.val();
        }
        self.start_vi.next = (self.fd_vi.val() & self.m_fd.val())
            | (self.adm_vi.val() & self.m_adm.val())
            | (self.tx_ev_vi.val() & self.m_tev.val())
            | (self.mm_vi_r.q.val() & self.m_mm.val())
            | (self.fq.read_data.val() & self.m_fi.val());
        if (self.phase.q.val() == EnginePhase::Idle)
            & !self.reset.val()
            & !self.sweeping.q.val()
            & !self.cbank.hold.val()
        {
            if self.fd_valid.val() {
                self.start.next = true;
                self.start_cmd.next = EngineCmd::FetchDone;
                self.fd_take.next = true;
            } else if self.adm_valid.val() & !self.aux_v.q.val() {
                // (While a doorbell's error event waits, no new decision is taken: the RX DMA
                // writes events in the order the engine allocated them, which `DESTROY`'s
                // sequence count relies on.)
                self.start.next = true;
                self.start_cmd.next = EngineCmd::Admit;
                self.adm_take.next = true;
            } else if self.tx_ev_valid.val() & !self.aux_v.q.val() {
                self.start.next = true;
                self.start_cmd.next = EngineCmd::TxEvent;
                self.tx_ev_take.next = true;
                self.tev_error.d.next = self.tx_ev_error.val();
                self.tev_code.d.next = self.tx_ev_code.val();
                self.tev_value.d.next = self.tx_ev_value.val();
                self.tev_len.d.next = self.tx_ev_len.val();
            } else if self.mm_pend.q.val() & !self.aux_v.q.val() & !self.irq_v.q.val() {
                self.start.next = true;
                self.start_cmd.next = EngineCmd::Mmio;
                self.mm_pend.d.next = false;
            } else if self.fq_occ.nonempty.val() & !self.fi_v.q.val() {
                self.start.next = true;
                self.start_cmd.next = EngineCmd::FetchIssue;
                self.fq_head.d.next = self.fq_head.q.val() + 1;
                self.fq_pop.next = true;
            }
        }
        // (Its entry counts the cycle after `fq_tail` advances, as `fq_tail_d` does; a pop
        // counts a cycle late too, as the head's next entry is read.)
        self.fq_occ.push.next = self.sw_fq_en.q.val();
        self.fq_occ.pop.next = self.fq_pop.val();
        self.fq_occ.clear.next = self.reset.val();
        // The command's words are loaded every idle cycle, so that the choice to start drives
        // the phase alone, not their enables: the last load is the start's (nothing reads
        // them while idle; the last command's writes happened in `Commit`).
        if self.phase.q.val() == EnginePhase::Idle {
            self.cmd.d.next = self.start_cmd.val();
            self.cvi.d.next = self.start_vi.val();
            self.clen.d.next = self.adm_len.val();
            self.cop.d.next = self.mm_op_r.q.val();
            self.creg.d.next = self.mm_reg_r.q.val();
            self.creg_rx_prod.d.next = self.mm_reg_r.q.val() == self.k_rx_prod.val();
            self.creg_cnt.d.next = (self.mm_reg_r.q.val().get_bits::<7>(5)
                == self.k_cnt_base.val())
                & (self.mm_reg_r.q.val().get_bits::<2>(0) == 0);
            self.creg_evq_cons.d.next = self.mm_reg_r.q.val() == self.k_evq_cons.val();
            self.creg_irq_arm.d.next = self.mm_reg_r.q.val() == self.k_irq_arm.val();
            self.cdata.d.next = self.mm_data_r.q.val();
        }
        if self.start.val() {
            self.phase.d.next = EnginePhase::Read;
        }
        // (Without the pipeline, addressed the cycle the command starts: its words arrive in
        // `Read`. With it, addressed in `Read` from the registered VI.)
        self.cfgr.read_address.next = self.cvi.q.val().get_bits::<VB>(0);
        self.dynr.read_address.next = self.cvi.q.val().get_bits::<VB>(0);
        if self.start.val() & !self.k_deep.val() {
            self.cfgr.read_address.next = self.start_vi.val().get_bits::<VB>(0);
            self.dynr.read_address.next = self.start_vi.val().get_bits::<VB>(0);
        }
        self.sa_cfg.d.next = self.cfgr.read_data.val();
        self.sa_dyn.d.next = self.dynr.read_data.val();
        // (Fields of the word: the receive producer at 0, consumer at 48; the event queue's
        // producer at 64, consumer at 80.)
        self.sa_dnew.d.next =
            self.cdata.q.val().get_bits::<16>(0) - self.dynr.read_data.val().get_bits::<16>(48);
        self.sa_dnew_m1.d.next =
            self.cdata.q.val().get_bits::<16>(0) + !self.dynr.read_data.val().get_bits::<16>(48);
        self.sa_dnew_z.d.next =
            self.cdata.q.val().get_bits::<16>(0) == self.dynr.read_data.val().get_bits::<16>(48);
        self.sa_rx_pend.d.next = self.dynr.read_data.val().get_bits::<16>(0)
            - self.dynr.read_data.val().get_bits::<16>(48);
        self.sa_evq_used.d.next = self.dynr.read_data.val().get_bits::<16>(64)
            - self.dynr.read_data.val().get_bits::<16>(80);
        self.sa_evq_back.d.next =
            self.dynr.read_data.val().get_bits::<16>(64) - self.cdata.q.val().get_bits::<16>(0);
        // The fetch queue is read at its registered head: after a pop the next entry is out
        // of the RAM two cycles later, before the next command can start (a command spends
        // at least a cycle outside `Idle`), and the RAM's address waits for no decision.
        self.fq.read_address.next = self.fq_head.q.val().get_bits::<VB>(0);
        // The VI's words, unpacked.
        self.prod.next = self.sa_dyn.q.val().get_bits::<16>(0);
        self.fetch.next = self.sa_dyn.q.val().get_bits::<16>(16);
        self.ready.next = self.sa_dyn.q.val().get_bits::<16>(32);
        self.cons.next = self.sa_dyn.q.val().get_bits::<16>(48);
        self.evq_prod.next = self.sa_dyn.q.val().get_bits::<16>(64);
        self.evq_cons.next = self.sa_dyn.q.val().get_bits::<16>(80);
        self.enabled.next = self.sa_dyn.q.val().get_bit(96);
        self.busy.next = self.sa_dyn.q.val().get_bit(97);
        self.queued.next = self.sa_dyn.q.val().get_bit(98);
        self.armed.next = self.sa_dyn.q.val().get_bit(99);
        self.sb_vi_ok.d.next = self.cvi.q.val() < self.k_nv.val();
        self.vi_ok.next = self.sb_vi_ok.q.val();
        // (Sizes and masks by shifts alone: a mask taken as size - 1 puts a carry chain in
        // front of the address sums.)
        self.ring_n.next =
            self.k_one.val() << bit_cast::<16, 4>(self.sa_cfg.q.val().get_bits::<4>(224));
        self.ring_mask.next =
            !(self.k_ones.val() << bit_cast::<16, 4>(self.sa_cfg.q.val().get_bits::<4>(224)));
        self.evq_n.next =
            self.k_one.val() << bit_cast::<16, 4>(self.sa_cfg.q.val().get_bits::<4>(228));
        self.evq_mask.next =
            !(self.k_ones.val() << bit_cast::<16, 4>(self.sa_cfg.q.val().get_bits::<4>(228)));
        self.evq_slot.next = self.sa_cfg.q.val().get_bits::<64>(64)
            + (bit_cast::<64, 16>(self.evq_prod.val() & self.evq_mask.val()) << 4);
        self.evq_phase.next = ((self.evq_prod.val()
            >> bit_cast::<16, 4>(self.sa_cfg.q.val().get_bits::<4>(228)))
            & 1)
            == 0;

        self.sb_evq_slot.d.next = self.evq_slot.val();
        self.sb_evq_phase.d.next = self.evq_phase.val();
        self.sb_too_big.d.next = self.clen.q.val() > self.sa_cfg.q.val().get_bits::<16>(192);
        self.sb_no_desc.d.next = self.ready.val() == self.cons.val();
        self.sb_evq_full.d.next = self.sa_evq_used.q.val() >= self.evq_n.val();
        // A descriptor read's size: the least of what is posted, the room on card, the ring's
        // end and DESC_FETCH_MAX (pairwise here, the least of the pairs a stage later).
        self.u_pend.next = self.prod.val() - self.fetch.val();
        // The room on card, `2^DPV - (fetch - cons)` with `fetch - cons` the descriptors on
        // card (never more than `2^DPV`), lies in 0..=2^DPV: DPV + 1 bits of `cons - fetch`,
        // with bit DPV flipped, give it. One short carry chain, no 16-bit difference.
        self.u_room.next = ((self.cons.val().get_bits::<8>(0) - self.fetch.val().get_bits::<8>(0))
            & self.k_room_mask.val())
            ^ self.k_per_vi8.val();
        // The ring's end, `ring_n - off` with `off` the next read's place in the ring, is
        // nearer than DESC_FETCH_MAX when the ring is smaller than that, or when `off`'s bits
        // from the fourth up to the ring's size are all ones and its low four bits are not
        // all zeros (`off > ring_n - 16`). Then it is at most 16, and five bits of the
        // difference give it: no 16-bit carry chain before the clamp.
        self.u_off.next = self.fetch.val() & self.ring_mask.val();
        self.u_near.next = (self.sa_cfg.q.val().get_bits::<4>(224) < self.k_fm_log.val())
            | (((self.u_off.val() | !self.ring_mask.val() | self.k_fm_low.val())
                == self.k_ones.val())
                & ((self.u_off.val() & self.k_fm_low.val()) != 0));
        self.u_end5.next = self.ring_n.val().get_bits::<5>(0) - self.u_off.val().get_bits::<5>(0);
        self.sb_pend.d.next = self.k_fetch_max.val().get_bits::<8>(0);
        if self.u_pend.val() < self.k_fetch_max.val() {
            self.sb_pend.d.next = self.u_pend.val().get_bits::<8>(0);
        }
        self.sb_room.d.next = self.k_fetch_max8.val();
        if self.u_room.val() < self.k_fetch_max8.val() {
            self.sb_room.d.next = self.u_room.val();
        }
        self.sb_to_end.d.next = self.k_fetch_max.val().get_bits::<8>(0);
        if self.u_near.val() {
            self.sb_to_end.d.next = bit_cast::<8, 5>(self.u_end5.val());
        }
        // (Each of the three is at most DESC_FETCH_MAX, 16: five bits compare them, the three
        // pairs side by side, then one choice.)
        self.m_er.next =
            self.sb_to_end.q.val().get_bits::<5>(0) < self.sb_room.q.val().get_bits::<5>(0);
        self.m_ep.next =
            self.sb_to_end.q.val().get_bits::<5>(0) < self.sb_pend.q.val().get_bits::<5>(0);
        self.m_rp.next =
            self.sb_room.q.val().get_bits::<5>(0) < self.sb_pend.q.val().get_bits::<5>(0);
        self.m_nf.next = self.sb_pend.q.val();
        if self.m_er.val() & self.m_ep.val() {
            self.m_nf.next = self.sb_to_end.q.val();
        } else if self.m_rp.val() & !self.m_er.val() {
            self.m_nf.next = self.sb_room.q.val();
        }
        self.sb_nfetch.d.next = bit_cast::<16, 8>(self.m_nf.val());
        self.sb_fi_addr.d.next = self.sa_cfg.q.val().get_bits::<64>(0)
            + (bit_cast::<64, 16>(self.fetch.val() & self.ring_mask.val()) << 3);
        // A doorbell's checks: the receive producer index refused if it goes backwards or
        // past the ring, the event consumer index unless between the old value and the
        // events written. (`dnew > ring_n`, with `ring_n` a power of two, is `dnew - 1` having
        // a bit at or above the ring's size: no shifted size before a carry chain.)
        self.sb_rx_bad.d.next = self.creg_rx_prod.q.val()
            & ((!self.sa_dnew_z.q.val()
                & ((self.sa_dnew_m1.q.val() & !self.ring_mask.val()) != 0))
                | (self.sa_dnew.q.val() < self.sa_rx_pend.q.val()));
        self.sb_evq_bad.d.next = (self.creg_evq_cons.q.val() | self.creg_irq_arm.q.val())
            & (self.sa_evq_back.q.val() > self.sa_evq_used.q.val());
        self.sb_db_go.d.next = (self.cop.q.val() == MmioOp::DbWrite)
            & (self.cvi.q.val() < self.k_nv.val())
            & self.enabled.val();
        self.sb_evq_prod1.d.next = self.evq_prod.val() + 1;
        self.sb_cons1.d.next = self.cons.val() + 1;
        // A doorbell register's read answer, a stage ahead of the decision that sends it.
        self.sb_rd.d.next = 0.into();
        if self.creg.q.val() == self.k_rx_prod.val() {
            self.sb_rd.d.next = bit_cast::<32, 16>(self.prod.val());
        }
        if self.creg.q.val() == self.k_evq_cons.val() {
            self.sb_rd.d.next = bit_cast::<32, 16>(self.evq_cons.val());
        }
        if self.creg.q.val() == self.k_irq_arm.val() {
            self.sb_rd.d.next = bit_cast::<32, 1>(self.armed.val().into());
        }
        if self.creg.q.val() == self.k_rx_cons.val() {
            self.sb_rd.d.next = bit_cast::<32, 16>(self.cons.val());
        }
        if self.creg.q.val() == self.k_evq_prod.val() {
            self.sb_rd.d.next = bit_cast::<32, 16>(self.evq_prod.val());
        }
        if self.creg.q.val() == self.k_status.val() {
            self.sb_rd.d.next = bit_cast::<32, 1>(self.enabled.val().into())
                | (bit_cast::<32, 1>(self.busy.val().into()) << 1)
                | (bit_cast::<32, 1>(self.queued.val().into()) << 2);
        }
        self.sb_arm_now.d.next = self.evq_prod.val() != self.cdata.q.val().get_bits::<16>(0);
        // Whether the VI still wants descriptors after the decision (see `push` below).
        self.sb_prod_ne.d.next = self.prod.val() != self.fetch.val();
        self.sb_cdata_ne.d.next = self.cdata.q.val().get_bits::<16>(0) != self.fetch.val();
        // Room for a descriptor now, and after this command consumes one: the room then grows
        // by one, so there is room unless none was on card to consume (the room all `2^DPV`).
        self.sb_room_ok.d.next = self.u_room.val() != 0;
        self.sb_room_ok1.d.next = self.u_room.val() != self.k_per_vi8.val();

        // Read phase: address the VI's next on-card descriptor.
        self.cache.read_address.next = (bit_cast::<CB, 16>(self.cvi.q.val()) << self.k_dpv.val())
            | bit_cast::<CB, DPV>(self.dynr.read_data.val().get_bits::<DPV>(48));
        self.dec_inc.d.next = false;
        self.write_back.next = false;
        self.write_cfg.next = false;
        self.clr.next = false;
        self.push.next = false;
        self.prod_set.next = false;
        self.cons_adv.next = false;
        self.prod_ne.next = false;
        self.room_ok.next = false;
        self.err.next = false;
        self.res_valid.next = false;
        self.res_action.next = AdmitAction::Drop;
        // (The buffer's refusal, read only with an `Error`: it is that whenever the decision
        // gets as far as the buffer, so it waits for no decision.)
        self.res_code.next = bit_cast::<4, 2>(self.cache.read_data.val().get_bits::<2>(64));
        self.res_addr.next = self.cache.read_data.val().get_bits::<64>(0);
        self.res_evq.next = self.sb_evq_slot.q.val();
        self.res_phase.next = self.sb_evq_phase.q.val();
        self.res_desc.next = self.cons.val();
        self.res_irq.next = false;
        self.res_holdoff.next = self.sa_cfg.q.val().get_bits::<16>(208);
        self.rd_valid.next = false;
        self.rd_data.next = 0.into();
        self.cnt_count.next = false;
        self.cnt_frame.next = false;
        self.cnt_read.next = false;
        self.cnt_idx.next = self.creg.q.val().get_bits::<3>(2);
        // The words of an event and of a descriptor read are loaded every cycle their output
        // is free, so the decision drives only the valid flag (on the board the decision's
        // inputs are far from these registers). An event is the transmit engine's (a
        // `TxEvent`) or a refused doorbell's error (an `Mmio`); a refused doorbell names its
        // register in the error's code.
        if !self.aux_v.q.val() {
            self.aux_vi_r.d.next = self.cvi.q.val();
            self.aux_evq_r.d.next = self.sb_evq_slot.q.val();
            self.aux_phase_r.d.next = self.sb_evq_phase.q.val();
            self.aux_holdoff_r.d.next = self.sa_cfg.q.val().get_bits::<16>(208);
            if self.cmd.q.val() == EngineCmd::TxEvent {
                self.aux_code_r.d.next = self.tev_code.q.val();
                self.aux_value_r.d.next = self.tev_value.q.val();
                self.aux_kind_r.d.next = self.k_kind_tx_done.val();
                if self.tev_error.q.val() {
                    self.aux_kind_r.d.next = self.k_kind_error.val();
                }
                self.aux_len_r.d.next = self.tev_len.q.val();
                self.aux_irq_r.d.next = self.sa_dyn.q.val().get_bit(99);
            } else {
                self.aux_code_r.d.next = self.k_err_evq.val();
                if self.creg_rx_prod.q.val() {
                    self.aux_code_r.d.next = self.k_err_rx.val();
                }
                self.aux_value_r.d.next = self.cdata.q.val().get_bits::<16>(0);
                self.aux_kind_r.d.next = self.k_kind_error.val();
                self.aux_len_r.d.next = 0.into();
                self.aux_irq_r.d.next = false;
            }
        }
        if !self.fi_v.q.val() {
            self.fi_vi_r.d.next = self.cvi.q.val();
            self.fi_addr_r.d.next = self.sb_fi_addr.q.val();
            self.fi_n_r.d.next = self.sb_nfetch.q.val().get_bits::<5>(0);
            self.fi_slot_r.d.next = (bit_cast::<CB, 16>(self.cvi.q.val()) << self.k_dpv.val())
                | bit_cast::<CB, DPV>(self.sa_dyn.q.val().get_bits::<DPV>(16));
            self.fi_first_r.d.next = self.sa_cfg.q.val().get_bits::<32>(128);
            self.fi_count_r.d.next = self.sa_cfg.q.val().get_bits::<32>(160);
            self.fi_buf_size_r.d.next = self.sa_cfg.q.val().get_bits::<16>(192);
        }
        match self.phase.q.val() {
            EnginePhase::Idle => {}
            EnginePhase::Read => {
                self.phase.d.next = EnginePhase::Decide;
                // The words arrive the cycle after `Read` and are registered; the cache entry
                // they address arrives a cycle later and is registered too.
                if self.k_deep.val() {
                    self.phase.d.next = EnginePhase::Calc;
                    self.calc_n.d.next = 3.into();
                }
            }
            EnginePhase::Calc => {
                self.calc_n.d.next = self.calc_n.q.val() - 1;
                if self.calc_n.q.val() == 1 {
                    self.phase.d.next = EnginePhase::Decide;
                }
            }
            EnginePhase::Commit => {
                self.phase.d.next = EnginePhase::Idle;
            }
            EnginePhase::Decide => {
                self.phase.d.next = EnginePhase::Idle;
                if self.k_deep.val() {
                    self.phase.d.next = EnginePhase::Commit;
                }
                match self.cmd.q.val() {
                    EngineCmd::Admit => {
                        self.res_valid.next = true;
                        if !self.vi_ok.val() {
                            self.c_vi_disabled.d.next =
                                (self.c_vi_disabled.q.val() + 1) & self.k_cmask.val();
                        } else if !self.enabled.val() {
                            self.cnt_count.next = true;
                            self.cnt_idx.next = 6.into();
                            self.write_back.next = true;
                            self.c_vi_disabled.d.next =
                                (self.c_vi_disabled.q.val() + 1) & self.k_cmask.val();
                        } else if self.sb_too_big.q.val() {
                            self.cnt_count.next = true;
                            self.cnt_idx.next = 3.into();
                            self.write_back.next = true;
                            self.c_too_big.d.next =
                                (self.c_too_big.q.val() + 1) & self.k_cmask.val();
                        } else if self.sb_no_desc.q.val() {
                            // No descriptor on card: nothing posted, or not fetched yet.
                            self.cnt_count.next = true;
                            self.cnt_idx.next = 2.into();
                            self.write_back.next = true;
                            self.c_no_desc.d.next =
                                (self.c_no_desc.q.val() + 1) & self.k_cmask.val();
                        } else if self.sb_evq_full.q.val() {
                            self.cnt_count.next = true;
                            self.cnt_idx.next = 4.into();
                            self.write_back.next = true;
                            self.c_evq_full.d.next =
                                (self.c_evq_full.q.val() + 1) & self.k_cmask.val();
                        } else if self.cache.read_data.val().get_bits::<2>(64) != 0 {
                            self.res_action.next = AdmitAction::Error;
                            self.res_irq.next = self.armed.val();
                            self.armed.next = false;
                            self.cons.next = self.sb_cons1.q.val();
                            self.cons_adv.next = true;
                            self.evq_prod.next = self.sb_evq_prod1.q.val();
                            self.cnt_count.next = true;
                            self.cnt_idx.next = 5.into();
                            self.write_back.next = true;
                            self.c_bad_buffer.d.next =
                                (self.c_bad_buffer.q.val() + 1) & self.k_cmask.val();
                            self.dec_inc.d.next = true;
                        } else {
                            self.res_action.next = AdmitAction::Deliver;
                            self.res_irq.next = self.armed.val();
                            self.armed.next = false;
                            self.cons.next = self.sb_cons1.q.val();
                            self.cons_adv.next = true;
                            self.evq_prod.next = self.sb_evq_prod1.q.val();
                            self.cnt_frame.next = true;
                            self.cnt_idx.next = 0.into();
                            self.write_back.next = true;
                            self.dec_inc.d.next = true;
                        }
                    }
                    EngineCmd::TxEvent => {
                        if self.vi_ok.val() & self.enabled.val() & !self.sb_evq_full.q.val() {
                            self.write_back.next = true;
                            // (The event's words are loaded below, every cycle the
                            // output is free.)
                            self.aux_v.d.next = true;
                            self.armed.next = false;
                            self.evq_prod.next = self.sb_evq_prod1.q.val();
                            self.dec_inc.d.next = true;
                        } else {
                            self.c_tx_ev_lost.d.next =
                                (self.c_tx_ev_lost.q.val() + 1) & self.k_cmask.val();
                        }
                    }
                    EngineCmd::FetchDone => {
                        if self.vi_ok.val() {
                            self.busy.next = false;
                            self.ready.next = self.fetch.val();
                            self.write_back.next = true;
                        }
                    }
                    EngineCmd::FetchIssue => {
                        self.queued.next = false;
                        self.write_back.next = self.vi_ok.val();
                        if self.vi_ok.val()
                            & self.enabled.val()
                            & !self.busy.val()
                            & (self.sb_nfetch.q.val() != 0)
                        {
                            // (The read's words are loaded below, every cycle the output
                            // is free.)
                            self.fi_v.d.next = true;
                            self.fetch.next = self.fetch.val() + self.sb_nfetch.q.val();
                            self.busy.next = true;
                        }
                    }
                    EngineCmd::Mmio => {
                        if self.cop.q.val() == MmioOp::DbRead {
                            // (A counter is answered by the counter bank, a few cycles
                            // later; `mm_ready` waits for it.)
                            if self.vi_ok.val() & self.creg_cnt.q.val() {
                                self.cnt_read.next = true;
                            } else {
                                self.rd_valid.next = true;
                                if self.vi_ok.val() {
                                    self.rd_data.next = self.sb_rd.q.val();
                                }
                            }
                        }
                        if self.sb_db_go.q.val() {
                            // (Each refusal flag includes the register it checks.)
                            if self.sb_rx_bad.q.val() {
                                self.err.next = true;
                            } else if self.creg_rx_prod.q.val() {
                                self.prod.next = self.cdata.q.val().get_bits::<16>(0);
                                self.prod_set.next = true;
                                self.write_back.next = true;
                            }
                            if self.sb_evq_bad.q.val() {
                                self.err.next = true;
                            } else if self.creg_evq_cons.q.val() | self.creg_irq_arm.q.val() {
                                self.evq_cons.next = self.cdata.q.val().get_bits::<16>(0);
                                self.write_back.next = true;
                                if self.creg_irq_arm.q.val() {
                                    if self.sb_arm_now.q.val() {
                                        // Events already wait: interrupt after the holdoff.
                                        self.armed.next = false;
                                        self.irq_v.d.next = true;
                                        self.irq_seq.d.next = self.decided.q.val();
                                        self.irq_vi_r.d.next = self.cvi.q.val();
                                        self.irq_holdoff_r.d.next =
                                            self.sa_cfg.q.val().get_bits::<16>(208);
                                    } else {
                                        self.armed.next = true;
                                    }
                                }
                            }
                            if self.err.val() {
                                self.cnt_count.next = true;
                                self.cnt_idx.next = 7.into();
                                self.write_back.next = true;
                                self.c_db_errors.d.next =
                                    (self.c_db_errors.q.val() + 1) & self.k_cmask.val();
                                if !self.sb_evq_full.q.val() {
                                    self.aux_v.d.next = true;
                                    self.evq_prod.next = self.sb_evq_prod1.q.val();
                                    self.dec_inc.d.next = true;
                                }
                            }
                        }
                        if self.cop.q.val() == MmioOp::Create {
                            if !self.vi_ok.val() {
                                self.status_r.d.next = self.k_st_bad.val();
                            } else if self.busy.val() {
                                self.status_r.d.next = self.k_st_busy.val();
                            } else {
                                self.status_r.d.next = self.k_st_ok.val();
                                self.write_back.next = true;
                                self.write_cfg.next = true;
                                // A fresh state: written below, over the packed words.
                                self.clr.next = true;
                            }
                        }
                        if self.cop.q.val() == MmioOp::Destroy {
                            if !self.vi_ok.val() {
                                self.status_r.d.next = self.k_st_bad.val();
                            } else {
                                self.status_r.d.next = self.k_st_ok.val();
                                self.seq_r.d.next = self.decided.q.val();
                                self.enabled.next = false;
                                self.armed.next = false;
                                self.prod.next = self.cons.val();
                                self.write_back.next = true;
                            }
                        }
                    }
                }
                // Keep the VI in the fetch queue while it wants descriptors and none are on
                // their way. (A descriptor read in this command makes the VI busy; otherwise
                // only a doorbell moves the producer index and only an admission the consumer.)
                self.prod_ne.next = self.sb_prod_ne.q.val();
                if self.prod_set.val() {
                    self.prod_ne.next = self.sb_cdata_ne.q.val();
                }
                self.room_ok.next = self.sb_room_ok.q.val();
                if self.cons_adv.val() {
                    self.room_ok.next = self.sb_room_ok1.q.val();
                }
                if self.write_back.val()
                    & !self.clr.val()
                    & self.enabled.val()
                    & !self.busy.val()
                    & !self.queued.val()
                    & self.prod_ne.val()
                    & self.room_ok.val()
                {
                    self.queued.next = true;
                    self.push.next = true;
                }
            }
        }
        // The decision's counter update, read or clear, for the counter bank (which registers
        // it before its RAM), and the bank's answer to a read.
        self.cbank.count.next = self.cnt_count.val() & self.vi_ok.val();
        self.cbank.frame.next = self.cnt_frame.val() & self.vi_ok.val();
        self.cbank.read.next = self.cnt_read.val();
        self.cbank.clear.next = self.clr.val();
        self.cbank.vi.next = self.cvi.q.val();
        self.cbank.idx.next = self.cnt_idx.val();
        self.cbank.len.next = self.clen.q.val();
        if self.cbank.rd_valid.val() {
            self.rd_valid.next = true;
            self.rd_data.next = self.cbank.rd_data.val();
        }
        self.sw_fq_en.d.next = self.push.val();
        if self.sw_fq_en.q.val() {
            self.fq_tail.d.next = self.fq_tail.q.val() + 1;
        }
        self.fq.write_address.next = self.fq_tail.q.val().get_bits::<VB>(0);
        self.fq.write_data.next = self.cvi.q.val();
        self.fq.write_enable.next = self.sw_fq_en.q.val();
        // Write the VI's words back.
        self.dynr.write_address.next = self.cvi.q.val().get_bits::<VB>(0);
        self.cfgr.write_address.next = self.cvi.q.val().get_bits::<VB>(0);
        self.sw_dyn_en.d.next = self.write_back.val() & self.vi_ok.val();
        self.sw_cfg_en.d.next = self.write_cfg.val();
        self.sw_cfg.d.next = self.cf_word.val();
        self.sw_dyn.d.next = bit_cast::<DYN_W, 16>(self.prod.val())
            | (bit_cast::<DYN_W, 16>(self.fetch.val()) << 16)
            | (bit_cast::<DYN_W, 16>(self.ready.val()) << 32)
            | (bit_cast::<DYN_W, 16>(self.cons.val()) << 48)
            | (bit_cast::<DYN_W, 16>(self.evq_prod.val()) << 64)
            | (bit_cast::<DYN_W, 16>(self.evq_cons.val()) << 80)
            | (bit_cast::<DYN_W, 1>(self.enabled.val().into()) << 96)
            | (bit_cast::<DYN_W, 1>(self.busy.val().into()) << 97)
            | (bit_cast::<DYN_W, 1>(self.queued.val().into()) << 98)
            | (bit_cast::<DYN_W, 1>(self.armed.val().into()) << 99);
        // CREATE: indices and counters start at 0, the VI enabled and not armed (`queued`
        // stays: the VI may still be in the fetch queue from its last life).
        if self.clr.val() {
            self.sw_dyn.d.next =
                self.k_created.val() | (bit_cast::<DYN_W, 1>(self.queued.val().into()) << 98);
        }
        // (With the pipeline, written the cycle after the decision, in `Commit`; the VI's
        // address is held until then.)
        self.dynr.write_enable.next = self.sw_dyn_en.q.val();
        self.cfgr.write_enable.next = self.sw_cfg_en.q.val();
        self.dynr.write_data.next = self.sw_dyn.q.val();
        self.cfgr.write_data.next = self.sw_cfg.q.val();
        // A soft reset forgets every VI: the sweep writes each VI's indices and counters to
        // zero, one VI a cycle, after the reset pulse.
        if self.sweeping.q.val() & !self.reset.val() {
            self.dynr.write_address.next = self.sweep.q.val().get_bits::<VB>(0);
            self.dynr.write_data.next = 0.into();
            self.dynr.write_enable.next = true;
            self.sweep.d.next = self.sweep.q.val() + 1;
            if self.sweep.q.val() == self.k_nv.val() - 1 {
                self.sweeping.d.next = false;
            }
        }
        if self.dec_inc.q.val() {
            self.decided.d.next = self.decided.q.val() + 1;
        }
        if self.reset.val() {
            self.sweeping.d.next = true;
            self.sweep.d.next = 0.into();
            self.phase.d.next = EnginePhase::Idle;
            self.mm_pend.d.next = false;
            self.fq_head.d.next = 0.into();
            self.fq_tail.d.next = 0.into();
            self.status_r.d.next = 0.into();
            self.seq_r.d.next = 0.into();
            self.decided.d.next = 0.into();
            self.aux_v.d.next = false;
            self.irq_v.d.next = false;
            self.fi_v.d.next = false;
            self.c_no_desc.d.next = 0.into();
            self.c_too_big.d.next = 0.into();
            self.c_evq_full.d.next = 0.into();
            self.c_bad_buffer.d.next = 0.into();
            self.c_vi_disabled.d.next = 0.into();
            self.c_db_errors.d.next = 0.into();
            self.c_tx_ev_lost.d.next = 0.into();
        }
        // Outputs.
        self.aux_valid.next = self.aux_v.q.val();
        self.aux_vi.next = self.aux_vi_r.q.val();
        self.aux_code.next = self.aux_code_r.q.val();
        self.aux_value.next = self.aux_value_r.q.val();
        self.aux_evq.next = self.aux_evq_r.q.val();
        self.aux_phase.next = self.aux_phase_r.q.val();
        self.aux_kind.next = self.aux_kind_r.q.val();
        self.aux_len.next = self.aux_len_r.q.val();
        self.aux_irq.next = self.aux_irq_r.q.val();
        self.aux_holdoff.next = self.aux_holdoff_r.q.val();
        self.cnt_tx_ev_lost.next = self.c_tx_ev_lost.q.val();
        // The arm's interrupt leaves once every event allocated before the arm is written, so
        // the woken process finds them in memory.
        self.irq_gap.next = self.done_seq.val() - self.irq_seq.q.val();
        self.irq_valid.next = self.irq_v.q.val() & !self.irq_gap.val().get_bit(31);
        self.irq_vi.next = self.irq_vi_r.q.val();
        self.irq_holdoff.next = self.irq_holdoff_r.q.val();
        self.fi_valid.next = self.fi_v.q.val();
        self.fi_vi.next = self.fi_vi_r.q.val();
        self.fi_addr.next = self.fi_addr_r.q.val();
        self.fi_n.next = self.fi_n_r.q.val();
        self.fi_slot.next = self.fi_slot_r.q.val();
        self.fi_first.next = self.fi_first_r.q.val();
        self.fi_count.next = self.fi_count_r.q.val();
        self.fi_buf_size.next = self.fi_buf_size_r.q.val();
        self.cmd_status.next = self.status_r.q.val();
        self.cmd_seq.next = self.seq_r.q.val();
        self.cnt_no_desc.next = self.c_no_desc.q.val();
        self.cnt_too_big.next = self.c_too_big.q.val();
        self.cnt_evq_full.next = self.c_evq_full.q.val();
        self.cnt_bad_buffer.next = self.c_bad_buffer.q.val();
        self.cnt_vi_disabled.next = self.c_vi_disabled.q.val();
        self.cnt_db_errors.next = self.c_db_errors.q.val();
        self.idle.next = (self.phase.q.val() == EnginePhase::Idle)
            & !self.sweeping.q.val()
            & !self.cbank.busy.val()
            & !self.mm_pend.q.val()
            & (self.fq_tail.q.val() == self.fq_head.q.val())
            & !self.fi_v.q.val()
            & !self.aux_v.q.val()
            & !self.irq_v.q.val();
    }
}
