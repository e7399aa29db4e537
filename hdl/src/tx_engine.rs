//! The transmit engine: every VI's transmit state, in block RAM, the scheduler, and the
//! reads of transmit descriptors.
//!
//! Per VI the engine keeps two words at the VI's number: its transmit configuration (ring
//! base and size, quantum, shaping rate and burst, flags: written only by the device
//! manager's `TX_CMD`) and its state (host producer index, descriptors read, started and
//! finished, the deficit, the shaper's theoretical arrival time, flags). Its counters
//! (`regs::TxViCounter`) are words of a [`CounterBank`], updated after the decision that
//! names them. A third RAM holds up to [`TX_DESC_PER_VI`] descriptors per VI,
//! read ahead of need; a fourth the queue of VIs that want descriptors read; a fifth the
//! scheduler's list of active VIs, those with a descriptor on card.
//!
//! **Scheduling** is deficit round robin over the active list. The VI at the head gets its
//! quantum once per visit; it starts frames while its deficit covers the next frame's size on
//! the wire (padded frame plus FCS), then goes to the tail, or leaves the list when it has no
//! descriptor left on card (its deficit returns to 0, as DRR does for an empty queue). A
//! shaped VI also needs its token bucket, kept as a theoretical arrival time (GCRA): a frame
//! may start only if the VI's bytes, this frame included, stay within `rate * t + burst`; a
//! VI that must wait goes to the tail without a new quantum. A VI with nothing on card is in
//! no list and costs nothing.
//!
//! The engine runs one command at a time, pipelined for the board's clock: the cycle it is
//! accepted, the cycle its VI's RAMs are addressed, three cycles of registered arithmetic
//! (seven for a scheduling decision: its descriptor out of block RAM, the frame's cost, the
//! shaper's 64-bit time), the cycle it decides, and the cycle the decision is written back.
//! Nine cycles a command, thirteen for a scheduling decision; a 64-byte frame lasts 84 cycles
//! on a gigabit wire. A card with a 10 GbE link, which sends a 64-byte frame every 10.5
//! cycles, leaves the stage registers out ([`TxEngine::set_deep`]) and addresses the VI's
//! RAMs the cycle a command is accepted: three cycles a command, four a scheduling decision,
//! and no board clock to meet. Commands, in priority order:
//!
//! 1. `DONE`: the transmit DMA finished a descriptor (sent, or refused with an error code):
//!    counters, the finished index, and the event the VI asked for or its error event;
//! 2. `FETCH_DONE`: a descriptor read landed;
//! 3. an MMIO request: the doorbell page's transmit registers (write `TX_PROD`, reads);
//! 4. a `TX_CMD` (`SETUP`, `SCHEDULE`, `DISABLE`);
//! 5. `FETCH_ISSUE`: the VI at the head of the fetch queue gets a descriptor read;
//! 6. `SCHED`: the scheduling decision for the VI at the head of the active list.

use crate::counter_bank::CounterBank;
use crate::mul::PipeMul16;
use crate::occupancy::QueueOccupancy;
use crate::reg_ram::RegRam;
use crate::stage::Stage;
use arsenic_interface::event::error;
use arsenic_interface::regs::{db, tx_cmd, vi_cmd, TxViCounter};
use rust_hdl::prelude::*;

/// log2 of the transmit descriptors kept on card per VI.
pub const TX_DESC_BITS: usize = 5;
/// Transmit descriptors kept on card per VI.
pub const TX_DESC_PER_VI: usize = 1 << TX_DESC_BITS;
/// Descriptors one read fetches at most.
pub const TX_FETCH_MAX: usize = 16;
const _: () = assert!(
    TX_FETCH_MAX == 16,
    "the read-ahead's bit tests are written for 16"
);
const _: () = assert!(
    TX_FETCH_MAX < 63,
    "the read sizing saturates its operands at 63"
);
/// Width of a VI's transmit configuration word: see [`tcfg`].
pub const TCFG_W: usize = 139;
/// Width of a VI's transmit state word.
pub const TDYN_W: usize = 157;

/// Bit positions of the transmit configuration word (literal positions in the Verilog; the
/// register file packs the staged registers in this layout).
pub mod tcfg {
    pub const RING_BASE: usize = 0;
    pub const RING_BITS: usize = 64;
    pub const QUANTUM: usize = 68;
    pub const RATE_M: usize = 84;
    pub const RATE_E: usize = 100;
    pub const BURST: usize = 105;
    pub const SHAPED: usize = 137;
    pub const UNRESTRICTED: usize = 138;
}

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum TxPhase {
    Idle,
    Read,
    Calc,
    Decide,
    Commit,
}

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum TxCmd {
    Done,
    FetchDone,
    Mmio,
    Config,
    FetchIssue,
    Sched,
}

const TDB: usize = TX_DESC_BITS;

/// `VB`: log2 of the VIs; `TB`: `VB + TX_DESC_BITS` (the descriptor cache's address).
#[derive(LogicBlock)]
pub struct TxEngine<const VB: usize, const TB: usize> {
    pub clock: Signal<In, Clock>,
    /// Mask of the card-wide counters' bits: all 32 alone; the card keeps only the low
    /// `regfile::COUNTER_LOW_BITS` and its register file's counter bank the rest.
    pub(crate) k_cmask: Constant<Bits<32>>,
    pub reset: Signal<In, Bit>,
    /// The card's cycle counter.
    pub now: Signal<In, Bits<48>>,
    // MMIO requests: doorbell-page transmit registers, and `TX_CMD` (`mm_cmd`, operation in
    // `mm_data[31:28]`, staged configuration in `tf_word`).
    pub mm_valid: Signal<In, Bit>,
    pub mm_write: Signal<In, Bit>,
    pub mm_cmd: Signal<In, Bit>,
    pub mm_vi: Signal<In, Bits<16>>,
    pub mm_reg: Signal<In, Bits<12>>,
    pub mm_data: Signal<In, Bits<32>>,
    pub tf_word: Signal<In, Bits<TCFG_W>>,
    pub mm_ready: Signal<Out, Bit>,
    pub rd_valid: Signal<Out, Bit>,
    pub rd_data: Signal<Out, Bits<32>>,
    pub cmd_status: Signal<Out, Bits<32>>,
    // Descriptor reads (two tags), held until taken.
    pub rq_valid: Signal<Out, Bit>,
    pub rq_addr: Signal<Out, Bits<64>>,
    pub rq_beats: Signal<Out, Bits<8>>,
    pub rq_tag: Signal<Out, Bit>,
    pub rq_ready: Signal<In, Bit>,
    pub cpl_valid: Signal<In, Bit>,
    pub cpl_tag: Signal<In, Bit>,
    pub cpl_data: Signal<In, Bits<64>>,
    pub cpl_last: Signal<In, Bit>,
    // Frames the scheduler started, held until taken.
    pub job_valid: Signal<Out, Bit>,
    pub job_vi: Signal<Out, Bits<16>>,
    pub job_idx: Signal<Out, Bits<16>>,
    pub job_desc: Signal<Out, Bits<64>>,
    pub job_unres: Signal<Out, Bit>,
    pub job_take: Signal<In, Bit>,
    // Descriptors the transmit DMA finished.
    pub dn_valid: Signal<In, Bit>,
    pub dn_vi: Signal<In, Bits<16>>,
    pub dn_idx: Signal<In, Bits<16>>,
    pub dn_len: Signal<In, Bits<16>>,
    pub dn_code: Signal<In, Bits<4>>,
    pub dn_event: Signal<In, Bit>,
    pub dn_take: Signal<Out, Bit>,
    // Events for the VI engine to place in the VI's event queue, held until taken.
    pub ev_valid: Signal<Out, Bit>,
    pub ev_vi: Signal<Out, Bits<16>>,
    pub ev_error: Signal<Out, Bit>,
    pub ev_code: Signal<Out, Bits<4>>,
    pub ev_value: Signal<Out, Bits<16>>,
    pub ev_len: Signal<Out, Bits<16>>,
    pub ev_take: Signal<In, Bit>,
    // Counters and status.
    pub cnt_db_errors: Signal<Out, Bits<32>>,
    pub cnt_disabled: Signal<Out, Bits<32>>,
    pub idle: Signal<Out, Bit>,
    // The transmit configuration in two RAMs: the ring (bits 0..68 of `tcfg`, written by
    // SETUP) and the schedule (bits 68.., written by SETUP and SCHEDULE).
    cfg_ring: RAM<Bits<68>, VB>,
    cfg_sched: RAM<Bits<71>, VB>,
    cfgw: Signal<Local, Bits<TCFG_W>>,
    dynr: RAM<Bits<TDYN_W>, VB>,
    /// The VIs' counters (`regs::TxViCounter` order), word `(vi << 3) | counter`.
    cbank: CounterBank<TB>,
    cache: RegRam<64, TB>,
    fq: RAM<Bits<16>, VB>,
    aq: RAM<Bits<16>, VB>,
    phase: DFF<TxPhase>,
    cmd: DFF<TxCmd>,
    cvi: DFF<Bits<16>>,
    // The buffered MMIO request.
    mm_pend: DFF<Bit>,
    mm_write_r: DFF<Bit>,
    mm_cmd_r: DFF<Bit>,
    mm_vi_r: DFF<Bits<16>>,
    mm_reg_r: DFF<Bits<12>>,
    // Which register a read names, decoded as the request is buffered (so the read's
    // answer is chosen by flags, not by comparisons in the decision's cycle).
    rs_prod: DFF<Bit>,
    rs_fetched: DFF<Bit>,
    rs_started: DFF<Bit>,
    rs_done: DFF<Bit>,
    rs_status: DFF<Bit>,
    rs_cnt: DFF<Bit>,
    mm_data_r: DFF<Bits<32>>,
    // The buffered `DONE`.
    dn_idx_r: DFF<Bits<16>>,
    dn_len_r: DFF<Bits<16>>,
    dn_code_r: DFF<Bits<4>>,
    dn_event_r: DFF<Bit>,
    fq_head: DFF<Bits<16>>,
    fq_tail: DFF<Bits<16>>,
    fq_tail_d: DFF<Bits<16>>,
    // The fetch queue's occupancy as the choice sees it (`fq_tail_d - fq_head`): its
    // not-empty flag is a register, so the choice of command tests a flip-flop, not a
    // pointer compare.
    fq_occ: QueueOccupancy,
    fq_pop: Signal<Local, Bit>,
    aq_head: DFF<Bits<16>>,
    aq_tail: DFF<Bits<16>>,
    aq_tail_d: DFF<Bits<16>>,
    status_r: DFF<Bits<32>>,
    rd_v: DFF<Bit>,
    rd_d: DFF<Bits<32>>,
    // Descriptor-read tags.
    t0_busy: DFF<Bit>,
    t0_done: DFF<Bit>,
    t0_vi: DFF<Bits<16>>,
    t0_slot: DFF<Bits<TDB>>,
    t0_n: DFF<Bits<8>>,
    t1_busy: DFF<Bit>,
    t1_done: DFF<Bit>,
    t1_vi: DFF<Bits<16>>,
    t1_slot: DFF<Bits<TDB>>,
    t1_n: DFF<Bits<8>>,
    // A read in flight at a soft reset: its completion is awaited and ignored.
    t0_stale: DFF<Bit>,
    t1_stale: DFF<Bit>,
    cbeat: DFF<Bits<TDB>>,
    fd_tag: DFF<Bit>,
    rq_v: DFF<Bit>,
    rq_addr_r: DFF<Bits<64>>,
    rq_beats_r: DFF<Bits<8>>,
    rq_tag_r: DFF<Bit>,
    job_v: DFF<Bit>,
    job_vi_r: DFF<Bits<16>>,
    job_idx_r: DFF<Bits<16>>,
    job_desc_r: DFF<Bits<64>>,
    job_unres_r: DFF<Bit>,
    ev_v: DFF<Bit>,
    ev_vi_r: DFF<Bits<16>>,
    ev_error_r: DFF<Bit>,
    ev_code_r: DFF<Bits<4>>,
    ev_value_r: DFF<Bits<16>>,
    ev_len_r: DFF<Bits<16>>,
    c_db_errors: DFF<Bits<32>>,
    c_disabled: DFF<Bits<32>>,
    sweeping: DFF<Bit>,
    sweep: DFF<Bits<16>>,
    // The command's pipeline: the card's time when it started, the calculation cycles left,
    // and the stage registers (assigned every cycle from the stage before; the command's
    // inputs are held while it runs, so each stage settles in turn).
    now_c: DFF<Bits<48>>,
    /// The stage registers are in (the default); see [`TxEngine::set_deep`].
    k_deep: Constant<Bit>,
    calc_n: DFF<Bits<4>>,
    s_vi_ok: Stage<Bit>,
    s_undone: Stage<Bit>,
    s_db_write: Stage<Bit>,
    wcfg_r: DFF<Bit>,
    wring_r: DFF<Bit>,
    s_inflight: Stage<Bits<16>>,
    s_pending: Stage<Bits<16>>,
    s_room: Stage<Bits<16>>,
    s_to_end: Stage<Bits<16>>,
    s_ring_mask: Stage<Bits<16>>,
    s_ring_n: Stage<Bits<16>>,
    s_dnew: Stage<Bits<16>>,
    s_d1: Stage<Bits<24>>,
    // Whether the card's time is past the VI's theoretical arrival time, a stage ahead of
    // the later of the two (a 64-bit compare, then the choice).
    s_now_gt: Stage<Bit>,
    s_tat_eff: Stage<Bits<64>>,
    s_limit: Stage<Bits<64>>,
    // The indices a decision advances, advanced a stage ahead of it (one more frame started,
    // a read's descriptors fetched, one more frame done), so that the decision only chooses
    // among registered words and the write-back word has no carry chain before it.
    s_started1: Stage<Bits<16>>,
    s_fetched_n: Stage<Bits<16>>,
    s_done1: Stage<Bits<16>>,
    s_pr: Stage<Bits<6>>,
    s_em: Stage<Bits<6>>,
    s_nfetch: Stage<Bits<16>>,
    // The read's address in two stages: its low 19 bits and their carry, then the base's
    // upper bits plus that carry (a 64-bit sum is too long a chain for a cycle).
    s_rq_lo: Stage<Bits<20>>,
    s_rq_addr: Stage<Bits<64>>,
    s_db_bad: Stage<Bit>,
    // A doorbell write on an enabled VI, refused or taken: a stage after its check, so that
    // the decision only chooses.
    s_db_err: Stage<Bit>,
    s_db_ok: Stage<Bit>,
    // A SETUP that goes ahead (the VI's number valid, nothing of its last life on its way),
    // a stage ahead of the decision, which writes a fresh state on its strength.
    s_setup_go: Stage<Bit>,
    s_charge: Stage<Bits<16>>,
    s_product: Stage<Bits<32>>,
    // On the board the product comes from the DSP block with its own input and output
    // registers (`mul`, two cycles) into `s_product`; elsewhere from `product`, a wire.
    mul: PipeMul16,
    s_cover: Stage<Bit>,
    /// The shaping rate (cycles per byte, 2^-16) out of the VI's configuration word, next to
    /// the multiplier.
    s_rate: Stage<Bits<16>>,
    /// Nothing on card (`inflight == 0`), and one frame on card, decided in stage 1.
    s_infl_z: Stage<Bit>,
    s_infl_1: Stage<Bit>,
    s_dleft: Stage<Bits<24>>,
    s_inc: Stage<Bits<64>>,
    s_finish: Stage<Bits<64>>,
    s_conform: Stage<Bit>,
    // The decision, registered: the VI's new words, whether they are written, and whether
    // a descriptor read is wanted (decided from the new words the cycle after).
    wd_r: DFF<Bits<TDYN_W>>,
    wb_r: DFF<Bit>,
    fqp_r: DFF<Bit>,
    // In `Decide` with that command: decoded a cycle early, so that the decision's
    // choices start from one flip-flop rather than the phase's and the command's bits.
    dec_done: DFF<Bit>,
    dec_fetch_done: DFF<Bit>,
    dec_mmio: DFF<Bit>,
    dec_config: DFF<Bit>,
    dec_fetch_issue: DFF<Bit>,
    dec_sched: DFF<Bit>,
    to_decide: Signal<Local, Bit>,
    aqpush_r: DFF<Bit>,
    aqpop_r: DFF<Bit>,
    // The VI's words, unpacked, and their new values.
    prod: Signal<Local, Bits<16>>,
    fetched: Signal<Local, Bits<16>>,
    // The VI's word's flags and indices as read, for the decision's conditions and a read's
    // answer (a read changes nothing); and its counters as read.
    w_enabled: Signal<Local, Bit>,
    w_fetching: Signal<Local, Bit>,
    w_active: Signal<Local, Bit>,
    w_fetched: Signal<Local, Bits<16>>,
    w_prod: Signal<Local, Bits<16>>,
    w_started: Signal<Local, Bits<16>>,
    w_done: Signal<Local, Bits<16>>,
    started: Signal<Local, Bits<16>>,
    done: Signal<Local, Bits<16>>,
    deficit: Signal<Local, Bits<24>>,
    fresh: Signal<Local, Bit>,
    active: Signal<Local, Bit>,
    fetching: Signal<Local, Bit>,
    fqueued: Signal<Local, Bit>,
    enabled: Signal<Local, Bit>,
    tat: Signal<Local, Bits<64>>,
    // The decision's counter update (`cnt_idx` one up; `cnt_frame`: and the next by the
    // frame's length), or its read.
    cnt_count: Signal<Local, Bit>,
    infl_le: Signal<Local, Bit>,
    infl_le1: Signal<Local, Bit>,
    infl_n_le: Signal<Local, Bit>,
    cnt_frame: Signal<Local, Bit>,
    cnt_read: Signal<Local, Bit>,
    cnt_idx: Signal<Local, Bits<3>>,
    write_back: Signal<Local, Bit>,
    write_cfg: Signal<Local, Bit>,
    clr: Signal<Local, Bit>,
    k_fresh_state: Constant<Bits<TDYN_W>>,
    k_keep_state: Constant<Bits<TDYN_W>>,
    write_ring: Signal<Local, Bit>,
    vi_ok: Signal<Local, Bit>,
    ring_mask: Signal<Local, Bits<16>>,
    ring_n: Signal<Local, Bits<16>>,
    inflight: Signal<Local, Bits<16>>,
    pending: Signal<Local, Bits<16>>,
    room: Signal<Local, Bits<16>>,
    to_end: Signal<Local, Bits<16>>,
    nfetch: Signal<Local, Bits<16>>,
    p6: Signal<Local, Bits<6>>,
    r6: Signal<Local, Bits<6>>,
    e6: Signal<Local, Bits<6>>,
    n6: Signal<Local, Bits<6>>,
    k_sat6: Constant<Bits<6>>,
    k_fetch_max6: Constant<Bits<6>>,
    dnew: Signal<Local, Bits<16>>,
    want_fetch: Signal<Local, Bit>,
    n_sel: Signal<Local, Bits<16>>,
    s_infl_n: Stage<Bits<16>>,
    s_pend_n: Stage<Bit>,
    s_fq_ok: Stage<Bit>,
    fq_push: Signal<Local, Bit>,
    aq_push: Signal<Local, Bit>,
    aq_push_vi: Signal<Local, Bits<16>>,
    aq_pop: Signal<Local, Bit>,
    // Scheduling arithmetic.
    dlen: Signal<Local, Bits<16>>,
    charge: Signal<Local, Bits<16>>,
    d1: Signal<Local, Bits<24>>,
    product: Signal<Local, Bits<32>>,
    inc: Signal<Local, Bits<64>>,
    now16: Signal<Local, Bits<64>>,
    tat_eff: Signal<Local, Bits<64>>,
    finish: Signal<Local, Bits<64>>,
    limit: Signal<Local, Bits<64>>,
    conform: Signal<Local, Bit>,
    start: Signal<Local, Bit>,
    start_cmd: Signal<Local, TxCmd>,
    start_vi: Signal<Local, Bits<16>>,
    // The command's VI as an AND-OR of its sources, each masked by its choice (one-hot among
    // those that start; without a start the VI is not used): no chain of priority muxes
    // between the flags and `cvi`.
    c_dn: Signal<Local, Bit>,
    c_mm: Signal<Local, Bit>,
    c_fi: Signal<Local, Bit>,
    m_dn: Signal<Local, Bits<16>>,
    m_t0: Signal<Local, Bits<16>>,
    m_t1: Signal<Local, Bits<16>>,
    m_mm: Signal<Local, Bits<16>>,
    m_fi: Signal<Local, Bits<16>>,
    m_sc: Signal<Local, Bits<16>>,
    k_nv: Constant<Bits<16>>,
    k_tdb: Constant<Bits<8>>,
    k_one: Constant<Bits<16>>,
    k_ones: Constant<Bits<16>>,
    k_per_vi: Constant<Bits<16>>,
    k_min_frame: Constant<Bits<16>>,
    k_max_charge: Constant<Bits<16>>,
    k_fcs: Constant<Bits<16>>,
    k_tx_prod: Constant<Bits<12>>,
    k_tx_fetched: Constant<Bits<12>>,
    k_tx_started: Constant<Bits<12>>,
    k_tx_done: Constant<Bits<12>>,
    k_tx_status: Constant<Bits<12>>,
    k_cnt_base: Constant<Bits<7>>,
    k_ncnt: Constant<Bits<3>>,
    k_op_setup: Constant<Bits<4>>,
    k_op_schedule: Constant<Bits<4>>,
    k_op_disable: Constant<Bits<4>>,
    k_err_db: Constant<Bits<4>>,
    k_err_bad_buffer: Constant<Bits<4>>,
    k_err_bad_desc: Constant<Bits<4>>,
    k_err_spoofed: Constant<Bits<4>>,
    k_st_ok: Constant<Bits<32>>,
    k_st_busy: Constant<Bits<32>>,
    k_st_bad: Constant<Bits<32>>,
}

impl<const VB: usize, const TB: usize> Default for TxEngine<VB, TB> {
    fn default() -> Self {
        assert_eq!(TB, VB + TDB);
        let c12 = |v: u32| Constant::new((v as u64).into());
        TxEngine {
            clock: Default::default(),
            k_cmask: Constant::new(0xFFFF_FFFFu64.into()),
            reset: Default::default(),
            now: Default::default(),
            mm_valid: Default::default(),
            mm_write: Default::default(),
            mm_cmd: Default::default(),
            mm_vi: Default::default(),
            mm_reg: Default::default(),
            mm_data: Default::default(),
            tf_word: Default::default(),
            mm_ready: Default::default(),
            rd_valid: Default::default(),
            rd_data: Default::default(),
            cmd_status: Default::default(),
            rq_valid: Default::default(),
            rq_addr: Default::default(),
            rq_beats: Default::default(),
            rq_tag: Default::default(),
            rq_ready: Default::default(),
            cpl_valid: Default::default(),
            cpl_tag: Default::default(),
            cpl_data: Default::default(),
            cpl_last: Default::default(),
            job_valid: Default::default(),
            job_vi: Default::default(),
            job_idx: Default::default(),
            job_desc: Default::default(),
            job_unres: Default::default(),
            job_take: Default::default(),
            dn_valid: Default::default(),
            dn_vi: Default::default(),
            dn_idx: Default::default(),
            dn_len: Default::default(),
            dn_code: Default::default(),
            dn_event: Default::default(),
            dn_take: Default::default(),
            ev_valid: Default::default(),
            ev_vi: Default::default(),
            ev_error: Default::default(),
            ev_code: Default::default(),
            ev_value: Default::default(),
            ev_len: Default::default(),
            ev_take: Default::default(),
            cnt_db_errors: Default::default(),
            cnt_disabled: Default::default(),
            idle: Default::default(),
            cfg_ring: Default::default(),
            cfg_sched: Default::default(),
            cfgw: Default::default(),
            dynr: Default::default(),
            cbank: CounterBank::new(1 << VB, true),
            cache: Default::default(),
            fq: Default::default(),
            aq: Default::default(),
            phase: Default::default(),
            cmd: Default::default(),
            cvi: Default::default(),
            mm_pend: Default::default(),
            mm_write_r: Default::default(),
            mm_cmd_r: Default::default(),
            mm_vi_r: Default::default(),
            mm_reg_r: Default::default(),
            rs_prod: Default::default(),
            rs_fetched: Default::default(),
            rs_started: Default::default(),
            rs_done: Default::default(),
            rs_status: Default::default(),
            rs_cnt: Default::default(),
            mm_data_r: Default::default(),
            dn_idx_r: Default::default(),
            dn_len_r: Default::default(),
            dn_code_r: Default::default(),
            dn_event_r: Default::default(),
            fq_head: Default::default(),
            fq_tail: Default::default(),
            fq_tail_d: Default::default(),
            fq_occ: Default::default(),
            fq_pop: Default::default(),
            aq_head: Default::default(),
            aq_tail: Default::default(),
            aq_tail_d: Default::default(),
            status_r: Default::default(),
            rd_v: Default::default(),
            rd_d: Default::default(),
            t0_busy: Default::default(),
            t0_done: Default::default(),
            t0_vi: Default::default(),
            t0_slot: Default::default(),
            t0_n: Default::default(),
            t1_busy: Default::default(),
            t1_done: Default::default(),
            t1_vi: Default::default(),
            t1_slot: Default::default(),
            t1_n: Default::default(),
            t0_stale: Default::default(),
            t1_stale: Default::default(),
            cbeat: Default::default(),
            fd_tag: Default::default(),
            rq_v: Default::default(),
            rq_addr_r: Default::default(),
            rq_beats_r: Default::default(),
            rq_tag_r: Default::default(),
            job_v: Default::default(),
            job_vi_r: Default::default(),
            job_idx_r: Default::default(),
            job_desc_r: Default::default(),
            job_unres_r: Default::default(),
            ev_v: Default::default(),
            ev_vi_r: Default::default(),
            ev_error_r: Default::default(),
            ev_code_r: Default::default(),
            ev_value_r: Default::default(),
            ev_len_r: Default::default(),
            c_db_errors: Default::default(),
            c_disabled: Default::default(),
            sweeping: Default::default(),
            sweep: Default::default(),
            now_c: Default::default(),
            k_deep: Constant::new(true),
            calc_n: Default::default(),
            s_vi_ok: Default::default(),
            s_undone: Default::default(),
            s_db_write: Default::default(),
            wcfg_r: Default::default(),
            wring_r: Default::default(),
            s_inflight: Default::default(),
            s_pending: Default::default(),
            s_room: Default::default(),
            s_to_end: Default::default(),
            s_ring_mask: Default::default(),
            s_ring_n: Default::default(),
            s_dnew: Default::default(),
            s_d1: Default::default(),
            s_now_gt: Default::default(),
            s_tat_eff: Default::default(),
            s_limit: Default::default(),
            s_started1: Default::default(),
            s_fetched_n: Default::default(),
            s_done1: Default::default(),
            s_pr: Default::default(),
            s_em: Default::default(),
            s_nfetch: Default::default(),
            s_rq_lo: Default::default(),
            s_rq_addr: Default::default(),
            s_db_bad: Default::default(),
            s_db_err: Default::default(),
            s_db_ok: Default::default(),
            s_setup_go: Default::default(),
            s_charge: Default::default(),
            s_product: Default::default(),
            mul: Default::default(),
            s_cover: Default::default(),
            s_rate: Default::default(),
            s_infl_z: Default::default(),
            s_infl_1: Default::default(),
            s_dleft: Default::default(),
            s_inc: Default::default(),
            s_finish: Default::default(),
            s_conform: Default::default(),
            wd_r: Default::default(),
            wb_r: Default::default(),
            fqp_r: Default::default(),
            dec_done: Default::default(),
            dec_fetch_done: Default::default(),
            dec_mmio: Default::default(),
            dec_config: Default::default(),
            dec_fetch_issue: Default::default(),
            dec_sched: Default::default(),
            to_decide: Default::default(),
            aqpush_r: Default::default(),
            aqpop_r: Default::default(),
            prod: Default::default(),
            fetched: Default::default(),
            w_enabled: Default::default(),
            w_fetching: Default::default(),
            w_active: Default::default(),
            w_fetched: Default::default(),
            w_prod: Default::default(),
            w_started: Default::default(),
            w_done: Default::default(),
            started: Default::default(),
            done: Default::default(),
            deficit: Default::default(),
            fresh: Default::default(),
            active: Default::default(),
            fetching: Default::default(),
            fqueued: Default::default(),
            enabled: Default::default(),
            tat: Default::default(),
            cnt_count: Default::default(),
            infl_le: Default::default(),
            infl_le1: Default::default(),
            infl_n_le: Default::default(),
            cnt_frame: Default::default(),
            cnt_read: Default::default(),
            cnt_idx: Default::default(),
            write_back: Default::default(),
            write_cfg: Default::default(),
            clr: Default::default(),
            // `fresh` (bit 88) and `enabled` (bit 92) set, everything else 0.
            k_fresh_state: Constant::new(
                Bits::<TDYN_W>::default()
                    .replace_bit(88, true)
                    .replace_bit(92, true),
            ),
            // `active` (89), `fetching` (90), `fqueued` (91).
            k_keep_state: Constant::new(
                Bits::<TDYN_W>::default()
                    .replace_bit(89, true)
                    .replace_bit(90, true)
                    .replace_bit(91, true),
            ),
            write_ring: Default::default(),
            vi_ok: Default::default(),
            ring_mask: Default::default(),
            ring_n: Default::default(),
            inflight: Default::default(),
            pending: Default::default(),
            room: Default::default(),
            to_end: Default::default(),
            nfetch: Default::default(),
            p6: Default::default(),
            r6: Default::default(),
            e6: Default::default(),
            n6: Default::default(),
            k_sat6: Constant::new(63u64.into()),
            k_fetch_max6: Constant::new((TX_FETCH_MAX as u64).into()),
            dnew: Default::default(),
            want_fetch: Default::default(),
            n_sel: Default::default(),
            s_infl_n: Default::default(),
            s_pend_n: Default::default(),
            s_fq_ok: Default::default(),
            fq_push: Default::default(),
            aq_push: Default::default(),
            aq_push_vi: Default::default(),
            aq_pop: Default::default(),
            dlen: Default::default(),
            charge: Default::default(),
            d1: Default::default(),
            product: Default::default(),
            inc: Default::default(),
            now16: Default::default(),
            tat_eff: Default::default(),
            finish: Default::default(),
            limit: Default::default(),
            conform: Default::default(),
            start: Default::default(),
            start_cmd: Default::default(),
            start_vi: Default::default(),
            c_dn: Default::default(),
            c_mm: Default::default(),
            c_fi: Default::default(),
            m_dn: Default::default(),
            m_t0: Default::default(),
            m_t1: Default::default(),
            m_mm: Default::default(),
            m_fi: Default::default(),
            m_sc: Default::default(),
            k_nv: Constant::new((1u64 << VB).into()),
            k_tdb: Constant::new((TDB as u64).into()),
            k_one: Constant::new(1u64.into()),
            k_ones: Constant::new(0xFFFFu64.into()),
            k_per_vi: Constant::new((TX_DESC_PER_VI as u64).into()),
            k_min_frame: Constant::new(60u64.into()),
            k_max_charge: Constant::new(2048u64.into()),
            k_fcs: Constant::new(4u64.into()),
            k_tx_prod: c12(db::TX_PROD),
            k_tx_fetched: c12(db::TX_FETCHED),
            k_tx_started: c12(db::TX_STARTED),
            k_tx_done: c12(db::TX_DONE),
            k_tx_status: c12(db::TX_STATUS),
            // (The counters' registers: 6 words from `TX_COUNTER_BASE`, a multiple of 32.)
            k_cnt_base: Constant::new(((db::TX_COUNTER_BASE >> 5) as u64).into()),
            k_ncnt: Constant::new((TxViCounter::ALL.len() as u64).into()),
            k_op_setup: Constant::new((tx_cmd::SETUP as u64).into()),
            k_op_schedule: Constant::new((tx_cmd::SCHEDULE as u64).into()),
            k_op_disable: Constant::new((tx_cmd::DISABLE as u64).into()),
            k_err_db: Constant::new((error::TX_DOORBELL as u64).into()),
            k_err_bad_buffer: Constant::new((error::TX_BAD_BUFFER as u64).into()),
            k_err_bad_desc: Constant::new((error::TX_BAD_DESC as u64).into()),
            k_err_spoofed: Constant::new((error::TX_SPOOFED as u64).into()),
            k_st_ok: Constant::new((vi_cmd::STATUS_OK as u64).into()),
            k_st_busy: Constant::new((vi_cmd::STATUS_BUSY as u64).into()),
            k_st_bad: Constant::new((vi_cmd::STATUS_BAD as u64).into()),
        }
    }
}

impl<const VB: usize, const TB: usize> TxEngine<VB, TB> {
    /// With `deep` (the default) the stage registers are in: nine cycles a command, thirteen
    /// a scheduling decision, for the board's 125 MHz. Without, the VI's RAMs are addressed
    /// the cycle a command is accepted and the arithmetic settles within the cycle after:
    /// three cycles a command, four a scheduling decision, enough for 10 GbE line
    /// rate on the simulation card (a 64-byte frame every 10.5 cycles) but not for a board's
    /// clock.
    pub fn set_deep(&mut self, deep: bool) {
        self.k_deep = Constant::new(deep);
        self.cbank.set_registered(deep);
        self.s_vi_ok.set_registered(deep);
        self.s_undone.set_registered(deep);
        self.s_db_write.set_registered(deep);
        self.s_inflight.set_registered(deep);
        self.s_pending.set_registered(deep);
        self.s_room.set_registered(deep);
        self.s_to_end.set_registered(deep);
        self.s_ring_mask.set_registered(deep);
        self.s_ring_n.set_registered(deep);
        self.s_dnew.set_registered(deep);
        self.s_d1.set_registered(deep);
        self.cache.set_registered(deep);
        self.s_now_gt.set_registered(deep);
        self.s_tat_eff.set_registered(deep);
        self.s_limit.set_registered(deep);
        self.s_started1.set_registered(deep);
        self.s_fetched_n.set_registered(deep);
        self.s_done1.set_registered(deep);
        self.s_pr.set_registered(deep);
        self.s_em.set_registered(deep);
        self.s_nfetch.set_registered(deep);
        self.s_rq_lo.set_registered(deep);
        self.s_rq_addr.set_registered(deep);
        self.s_db_bad.set_registered(deep);
        self.s_db_err.set_registered(deep);
        self.s_db_ok.set_registered(deep);
        self.s_setup_go.set_registered(deep);
        self.s_charge.set_registered(deep);
        self.s_product.set_registered(deep);
        self.s_cover.set_registered(deep);
        self.s_rate.set_registered(deep);
        self.s_infl_z.set_registered(deep);
        self.s_infl_1.set_registered(deep);
        self.s_dleft.set_registered(deep);
        self.s_inc.set_registered(deep);
        self.s_finish.set_registered(deep);
        self.s_conform.set_registered(deep);
        self.s_infl_n.set_registered(deep);
        self.s_pend_n.set_registered(deep);
        self.s_fq_ok.set_registered(deep);
    }
}

impl<const VB: usize, const TB: usize> Logic for TxEngine<VB, TB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            phase,
            cmd,
            cvi,
            mm_pend,
            mm_write_r,
            mm_cmd_r,
            mm_vi_r,
            mm_reg_r,
            rs_prod,
            rs_fetched,
            rs_started,
            rs_done,
            rs_status,
            mm_data_r,
            dn_idx_r,
            dn_len_r,
            dn_code_r,
            dn_event_r,
            fq_head,
            fq_tail,
            fq_tail_d,
            aq_head,
            aq_tail,
            aq_tail_d,
            status_r,
            rd_v,
            rd_d,
            t0_busy,
            t0_done,
            t0_vi,
            t0_slot,
            t0_n,
            t1_busy,
            t1_done,
            t1_vi,
            t1_slot,
            t1_n,
            t0_stale,
            t1_stale,
            cbeat,
            fd_tag,
            rq_v,
            rq_addr_r,
            rq_beats_r,
            rq_tag_r,
            job_v,
            job_vi_r,
            job_idx_r,
            job_desc_r,
            job_unres_r,
            ev_v,
            ev_vi_r,
            ev_error_r,
            ev_code_r,
            ev_value_r,
            ev_len_r,
            c_db_errors,
            c_disabled,
            sweeping,
            sweep,
            now_c,
            calc_n,
            wcfg_r,
            wring_r,
            wd_r,
            rs_cnt,
            wb_r,
            fqp_r,
            dec_done,
            dec_fetch_done,
            dec_mmio,
            dec_config,
            dec_fetch_issue,
            dec_sched,
            aqpush_r,
            aqpop_r
        );
        self.fq_occ.clock.next = self.clock.val();
        self.s_vi_ok.clock.next = self.clock.val();
        self.s_undone.clock.next = self.clock.val();
        self.s_db_write.clock.next = self.clock.val();
        self.s_inflight.clock.next = self.clock.val();
        self.s_pending.clock.next = self.clock.val();
        self.s_room.clock.next = self.clock.val();
        self.s_to_end.clock.next = self.clock.val();
        self.s_ring_mask.clock.next = self.clock.val();
        self.s_ring_n.clock.next = self.clock.val();
        self.s_dnew.clock.next = self.clock.val();
        self.s_d1.clock.next = self.clock.val();
        self.s_now_gt.clock.next = self.clock.val();
        self.s_tat_eff.clock.next = self.clock.val();
        self.s_limit.clock.next = self.clock.val();
        self.s_started1.clock.next = self.clock.val();
        self.s_fetched_n.clock.next = self.clock.val();
        self.s_done1.clock.next = self.clock.val();
        self.s_pr.clock.next = self.clock.val();
        self.s_em.clock.next = self.clock.val();
        self.s_nfetch.clock.next = self.clock.val();
        self.s_rq_lo.clock.next = self.clock.val();
        self.s_rq_addr.clock.next = self.clock.val();
        self.s_db_bad.clock.next = self.clock.val();
        self.s_db_err.clock.next = self.clock.val();
        self.s_db_ok.clock.next = self.clock.val();
        self.s_setup_go.clock.next = self.clock.val();
        self.s_charge.clock.next = self.clock.val();
        self.s_product.clock.next = self.clock.val();
        self.mul.clock.next = self.clock.val();
        self.s_cover.clock.next = self.clock.val();
        self.s_rate.clock.next = self.clock.val();
        self.s_infl_z.clock.next = self.clock.val();
        self.s_infl_1.clock.next = self.clock.val();
        self.s_dleft.clock.next = self.clock.val();
        self.s_inc.clock.next = self.clock.val();
        self.s_finish.clock.next = self.clock.val();
        self.s_conform.clock.next = self.clock.val();
        self.s_infl_n.clock.next = self.clock.val();
        self.s_pend_n.clock.next = self.clock.val();
        self.s_fq_ok.clock.next = self.clock.val();
        self.cfg_ring.read_clock.next = self.clock.val();
        self.cfg_ring.write_clock.next = self.clock.val();
        self.cfg_sched.read_clock.next = self.clock.val();
        self.cfg_sched.write_clock.next = self.clock.val();
        self.cfgw.next = bit_cast::<TCFG_W, 68>(self.cfg_ring.read_data.val())
            | (bit_cast::<TCFG_W, 71>(self.cfg_sched.read_data.val()) << 68);
        self.dynr.read_clock.next = self.clock.val();
        self.dynr.write_clock.next = self.clock.val();
        self.cbank.clock.next = self.clock.val();
        self.cbank.reset.next = self.reset.val();
        self.cache.clock.next = self.clock.val();
        self.fq.read_clock.next = self.clock.val();
        self.fq.write_clock.next = self.clock.val();
        self.aq.read_clock.next = self.clock.val();
        self.aq.write_clock.next = self.clock.val();
        self.fq_tail_d.d.next = self.fq_tail.q.val();
        self.aq_tail_d.d.next = self.aq_tail.q.val();
        self.rd_v.d.next = false;
        // The MMIO request buffer: ready again once the previous MMIO command completed.
        self.mm_ready.next = !self.mm_pend.q.val()
            & !(((self.cmd.q.val() == TxCmd::Mmio) | (self.cmd.q.val() == TxCmd::Config))
                & (self.phase.q.val() != TxPhase::Idle))
            & !self.reset.val()
            & !self.sweeping.q.val()
            & !self.cbank.busy.val();
        if self.mm_valid.val() & !self.mm_pend.q.val() {
            self.mm_pend.d.next = true;
            self.mm_write_r.d.next = self.mm_write.val();
            self.mm_cmd_r.d.next = self.mm_cmd.val();
            self.mm_vi_r.d.next = self.mm_vi.val();
            self.mm_reg_r.d.next = self.mm_reg.val();
            self.rs_prod.d.next = self.mm_reg.val() == self.k_tx_prod.val();
            self.rs_fetched.d.next = self.mm_reg.val() == self.k_tx_fetched.val();
            self.rs_started.d.next = self.mm_reg.val() == self.k_tx_started.val();
            self.rs_done.d.next = self.mm_reg.val() == self.k_tx_done.val();
            self.rs_status.d.next = self.mm_reg.val() == self.k_tx_status.val();
            self.rs_cnt.d.next = (self.mm_reg.val().get_bits::<7>(5) == self.k_cnt_base.val())
                & (self.mm_reg.val().get_bits::<3>(2) < self.k_ncnt.val())
                & (self.mm_reg.val().get_bits::<2>(0) == 0);
            self.mm_data_r.d.next = self.mm_data.val();
        }
        // Held outputs are released when taken.
        if self.rq_ready.val() {
            self.rq_v.d.next = false;
        }
        if self.job_take.val() {
            self.job_v.d.next = false;
        }
        if self.ev_take.val() {
            self.ev_v.d.next = false;
        }
        // Descriptor completions go straight into the cache: the beats of one read arrive
        // together and in order.
        self.cache.write_enable.next = false;
        self.cache.write_data.next = self.cpl_data.val();
        self.cache.write_address.next = (bit_cast::<TB, 16>(self.t0_vi.q.val())
            << self.k_tdb.val())
            | bit_cast::<TB, TDB>(self.t0_slot.q.val() + self.cbeat.q.val());
        if self.cpl_tag.val() {
            self.cache.write_address.next = (bit_cast::<TB, 16>(self.t1_vi.q.val())
                << self.k_tdb.val())
                | bit_cast::<TB, TDB>(self.t1_slot.q.val() + self.cbeat.q.val());
        }
        if self.cpl_valid.val() {
            self.cache.write_enable.next = !((self.cpl_tag.val() & self.t1_stale.q.val())
                | (!self.cpl_tag.val() & self.t0_stale.q.val()));
            self.cbeat.d.next = self.cbeat.q.val() + 1;
            if self.cpl_last.val() {
                self.cbeat.d.next = 0.into();
                if self.cpl_tag.val() {
                    if self.t1_stale.q.val() {
                        self.t1_stale.d.next = false;
                        self.t1_busy.d.next = false;
                    } else {
                        self.t1_done.d.next = true;
                    }
                } else if self.t0_stale.q.val() {
                    self.t0_stale.d.next = false;
                    self.t0_busy.d.next = false;
                } else {
                    self.t0_done.d.next = true;
                }
            }
        }
        // Choose the next command.
        self.dn_take.next = false;
        self.start.next = false;
        self.fq_pop.next = false;
        self.start_cmd.next = TxCmd::Sched;
        // Each source's condition, in the order of the choice below.
        self.c_dn.next = self.dn_valid.val()
            & (!self.ev_v.q.val() | (!self.dn_event.val() & (self.dn_code.val() == 0)));
        self.c_mm.next = self.mm_pend.q.val() & (self.mm_cmd_r.q.val() | !self.ev_v.q.val());
        self.c_fi.next = self.fq_occ.nonempty.val()
            & !self.rq_v.q.val()
            & (!self.t0_busy.q.val() | !self.t1_busy.q.val());
        self.m_dn.next = 0.into();
        self.m_t0.next = 0.into();
        self.m_t1.next = 0.into();
        self.m_mm.next = 0.into();
        self.m_fi.next = 0.into();
        self.m_sc.next = 0.into();
        if self.c_dn.val() {
            self.m_dn.next = self.k_ones.val();
        } else if self.t0_done.q.val() {
            self.m_t0.next = self.k_ones.val();
        } else if self.t1_done.q.val() {
            self.m_t1.next = self.k_ones.val();
        } else if self.c_mm.val() {
            self.m_mm.next = self.k_ones.val();
        } else if self.c_fi.val() {
            self.m_fi.next = self.k_ones.val();
        } else {
            self.m_sc.next = self.k_ones.val();
        }
        self.start_vi.next = (self.dn_vi.val() & self.m_dn.val())
            | (self.t0_vi.q.val() & self.m_t0.val())
            | (self.t1_vi.q.val() & self.m_t1.val())
            | (self.mm_vi_r.q.val() & self.m_mm.val())
            | (self.fq.read_data.val() & self.m_fi.val())
            | (self.aq.read_data.val() & self.m_sc.val());
        if (self.phase.q.val() == TxPhase::Idle)
            & !self.reset.val()
            & !self.sweeping.q.val()
            & !self.cbank.hold.val()
        {
            if self.c_dn.val() {
                self.start.next = true;
                self.start_cmd.next = TxCmd::Done;
                self.dn_take.next = true;
                self.dn_idx_r.d.next = self.dn_idx.val();
                self.dn_len_r.d.next = self.dn_len.val();
                self.dn_code_r.d.next = self.dn_code.val();
                self.dn_event_r.d.next = self.dn_event.val();
            } else if self.t0_done.q.val() {
                self.start.next = true;
                self.start_cmd.next = TxCmd::FetchDone;
                self.fd_tag.d.next = false;
            } else if self.t1_done.q.val() {
                self.start.next = true;
                self.start_cmd.next = TxCmd::FetchDone;
                self.fd_tag.d.next = true;
            } else if self.mm_pend.q.val() & !self.mm_cmd_r.q.val() & !self.ev_v.q.val() {
                self.start.next = true;
                self.start_cmd.next = TxCmd::Mmio;
                self.mm_pend.d.next = false;
            } else if self.mm_pend.q.val() & self.mm_cmd_r.q.val() {
                self.start.next = true;
                self.start_cmd.next = TxCmd::Config;
                self.mm_pend.d.next = false;
            } else if self.c_fi.val() {
                self.start.next = true;
                self.start_cmd.next = TxCmd::FetchIssue;
                self.fq_head.d.next = self.fq_head.q.val() + 1;
                self.fq_pop.next = true;
            } else if (self.aq_tail_d.q.val() != self.aq_head.q.val()) & !self.job_v.q.val() {
                self.start.next = true;
                self.start_cmd.next = TxCmd::Sched;
            }
        }
        // (Its entry counts the cycle after `fq_tail` advances, as `fq_tail_d` does; a pop
        // counts a cycle late too, as the head's next entry is read.)
        self.fq_occ.push.next = self.fqp_r.q.val() & !self.sweeping.q.val();
        self.fq_occ.pop.next = self.fq_pop.val();
        self.fq_occ.clear.next = self.reset.val();
        // The command, its VI and its start time are loaded every idle cycle, so that the
        // choice to start drives the phase alone, not their enables: the last load is the
        // start's (nothing reads them while idle; the last command's writes happened in
        // `Commit`).
        if self.phase.q.val() == TxPhase::Idle {
            self.now_c.d.next = self.now.val();
            self.cmd.d.next = self.start_cmd.val();
            self.cvi.d.next = self.start_vi.val();
        }
        if self.start.val() {
            self.phase.d.next = TxPhase::Read;
            // Without the stage registers, the VI's RAMs are addressed the cycle the command
            // starts and its words decide the cycle after; a scheduling decision waits one
            // more cycle for its descriptor out of the cache.
            if !self.k_deep.val() {
                self.phase.d.next = TxPhase::Decide;
                if self.start_cmd.val() == TxCmd::Sched {
                    self.phase.d.next = TxPhase::Calc;
                    self.calc_n.d.next = 1.into();
                }
            }
        }
        // (Addressed from the registered VI: its words arrive the cycle after `Read`.)
        self.cfg_ring.read_address.next = self.cvi.q.val().get_bits::<VB>(0);
        self.cfg_sched.read_address.next = self.cvi.q.val().get_bits::<VB>(0);
        self.dynr.read_address.next = self.cvi.q.val().get_bits::<VB>(0);
        if self.start.val() & !self.k_deep.val() {
            self.cfg_ring.read_address.next = self.start_vi.val().get_bits::<VB>(0);
            self.cfg_sched.read_address.next = self.start_vi.val().get_bits::<VB>(0);
            self.dynr.read_address.next = self.start_vi.val().get_bits::<VB>(0);
        }
        // The fetch queue is read at its registered head: after a pop the next entry is out
        // of the RAM two cycles later, before the next command can start (a command spends
        // at least a cycle outside `Idle`), and the RAM's address waits for no decision.
        self.fq.read_address.next = self.fq_head.q.val().get_bits::<VB>(0);
        // The VI's words, unpacked.
        self.w_prod.next = self.dynr.read_data.val().get_bits::<16>(0);
        self.prod.next = self.w_prod.val();
        self.w_fetched.next = self.dynr.read_data.val().get_bits::<16>(16);
        self.fetched.next = self.w_fetched.val();
        self.w_started.next = self.dynr.read_data.val().get_bits::<16>(32);
        self.started.next = self.w_started.val();
        self.w_done.next = self.dynr.read_data.val().get_bits::<16>(48);
        self.done.next = self.w_done.val();
        self.deficit.next = self.dynr.read_data.val().get_bits::<24>(64);
        self.fresh.next = self.dynr.read_data.val().get_bit(88);
        self.w_active.next = self.dynr.read_data.val().get_bit(89);
        self.active.next = self.w_active.val();
        self.w_fetching.next = self.dynr.read_data.val().get_bit(90);
        self.fetching.next = self.w_fetching.val();
        self.fqueued.next = self.dynr.read_data.val().get_bit(91);
        self.w_enabled.next = self.dynr.read_data.val().get_bit(92);
        self.enabled.next = self.w_enabled.val();
        self.tat.next = self.dynr.read_data.val().get_bits::<64>(93);
        // The command's pipeline. Stage 1, from the VI's words: the ring's mask, the
        // descriptor counts, the deficit with this visit's quantum.
        self.s_vi_ok.d.next = self.cvi.q.val() < self.k_nv.val();
        self.vi_ok.next = self.s_vi_ok.q.val();
        // (The ring's size and mask by shifts alone, no carry chain.)
        self.ring_n.next = self.k_one.val() << bit_cast::<16, 4>(self.cfgw.val().get_bits::<4>(64));
        self.ring_mask.next =
            !(self.k_ones.val() << bit_cast::<16, 4>(self.cfgw.val().get_bits::<4>(64)));
        self.inflight.next = self.fetched.val() - self.started.val();
        self.pending.next = self.prod.val() - self.fetched.val();
        self.room.next = self.k_per_vi.val() - self.inflight.val();
        self.to_end.next = self.ring_n.val() - (self.fetched.val() & self.ring_mask.val());
        self.dnew.next = self.mm_data_r.q.val().get_bits::<16>(0) - self.fetched.val();
        self.d1.next = self.deficit.val();
        if self.fresh.val() {
            self.d1.next =
                self.deficit.val() + bit_cast::<24, 16>(self.cfgw.val().get_bits::<16>(68));
        }
        self.s_ring_mask.d.next = self.ring_mask.val();
        self.s_ring_n.d.next = self.ring_n.val();
        self.s_inflight.d.next = self.inflight.val();
        self.s_infl_z.d.next = self.inflight.val() == 0;
        self.s_infl_1.d.next = self.inflight.val() == 1;
        self.s_rate.d.next = self.cfgw.val().get_bits::<16>(84);
        self.s_pending.d.next = self.pending.val();
        self.s_room.d.next = self.room.val();
        self.s_to_end.d.next = self.to_end.val();
        self.s_dnew.d.next = self.dnew.val();
        self.s_d1.d.next = self.d1.val();
        self.s_db_write.d.next =
            self.mm_write_r.q.val() & (self.mm_reg_r.q.val() == self.k_tx_prod.val());
        self.s_undone.d.next = self.started.val() != self.done.val();
        // The cache entry at the VI's next descriptor, registered out of the block RAM.
        self.cache.read_address.next = (bit_cast::<TB, 16>(self.cvi.q.val()) << self.k_tdb.val())
            | bit_cast::<TB, TDB>(self.started.val().get_bits::<TDB>(0));
        // The shaper's clock: the card's time at the command's start, in 2^-16 cycles.
        self.now16.next = bit_cast::<64, 48>(self.now_c.q.val()) << 16;
        // (The VI's words and the start time stay put for the whole command, and the finish
        // time that reads the later of the two is four stages further on.)
        self.s_now_gt.d.next = self.now16.val() > self.tat.val();
        self.tat_eff.next = self.tat.val();
        if self.s_now_gt.q.val() {
            self.tat_eff.next = self.now16.val();
        }
        self.s_tat_eff.d.next = self.tat_eff.val();
        self.limit.next =
            self.now16.val() + (bit_cast::<64, 32>(self.cfgw.val().get_bits::<32>(105)) << 16);
        self.s_limit.d.next = self.limit.val();
        // Stage 2 and 3: descriptor-read sizing, the least of pending, room and the ring's end, at
        // most TX_FETCH_MAX (taken on 6 bits, each saturated at 63); the read's address; a
        // doorbell's check.
        self.p6.next = self.s_pending.q.val().get_bits::<6>(0);
        if self.s_pending.q.val().get_bits::<10>(6) != 0 {
            self.p6.next = self.k_sat6.val();
        }
        self.r6.next = self.s_room.q.val().get_bits::<6>(0);
        if self.s_room.q.val().get_bits::<10>(6) != 0 {
            self.r6.next = self.k_sat6.val();
        }
        self.e6.next = self.s_to_end.q.val().get_bits::<6>(0);
        if self.s_to_end.q.val().get_bits::<10>(6) != 0 {
            self.e6.next = self.k_sat6.val();
        }
        // (Pairwise here, the least of the two pairs in stage 3.)
        self.s_pr.d.next = self.p6.val();
        if self.r6.val() < self.p6.val() {
            self.s_pr.d.next = self.r6.val();
        }
        self.s_em.d.next = self.k_fetch_max6.val();
        if self.e6.val() < self.k_fetch_max6.val() {
            self.s_em.d.next = self.e6.val();
        }
        self.n6.next = self.s_pr.q.val();
        if self.s_em.q.val() < self.s_pr.q.val() {
            self.n6.next = self.s_em.q.val();
        }
        self.nfetch.next = bit_cast::<16, 6>(self.n6.val());
        self.s_nfetch.d.next = self.nfetch.val();
        self.s_rq_lo.d.next = bit_cast::<20, 19>(self.cfgw.val().get_bits::<19>(0))
            + (bit_cast::<20, 16>(self.fetched.val() & self.s_ring_mask.q.val()) << 3);
        self.s_rq_addr.d.next = ((bit_cast::<64, 45>(self.cfgw.val().get_bits::<45>(19))
            + bit_cast::<64, 1>(self.s_rq_lo.q.val().get_bit(19).into()))
            << 19)
            | bit_cast::<64, 19>(self.s_rq_lo.q.val().get_bits::<19>(0));
        // (Refused if it goes backwards or past the ring.)
        // (The ring's size is its mask plus one, both on 16 bits.)
        self.s_db_bad.d.next = (self.s_dnew.q.val() > self.s_ring_n.q.val())
            | (self.s_dnew.q.val() < self.s_pending.q.val());
        self.s_db_err.d.next =
            self.s_db_write.q.val() & self.vi_ok.val() & self.enabled.val() & self.s_db_bad.q.val();
        self.s_db_ok.d.next = self.s_db_write.q.val()
            & self.vi_ok.val()
            & self.enabled.val()
            & !self.s_db_bad.q.val();
        self.s_setup_go.d.next = self.vi_ok.val()
            & (self.mm_data_r.q.val().get_bits::<4>(28) == self.k_op_setup.val())
            & !self.fetching.val()
            & !self.s_undone.q.val();
        // Whether a descriptor read is wanted after the decision: descriptors still wait in
        // the ring and no more than TX_FETCH_MAX are on card. A scheduling decision starts
        // one, a read landed adds its count, a doorbell moves the producer index.
        self.n_sel.next = bit_cast::<16, 8>(self.t0_n.q.val());
        if self.fd_tag.q.val() {
            self.n_sel.next = bit_cast::<16, 8>(self.t1_n.q.val());
        }
        self.s_infl_n.d.next = self.s_inflight.q.val() + self.n_sel.val();
        self.s_fetched_n.d.next = self.fetched.val() + self.n_sel.val();
        self.s_started1.d.next = self.started.val() + 1;
        self.s_done1.d.next = self.dn_idx_r.q.val() + 1;
        self.s_pend_n.d.next = self.s_pending.q.val() != self.n_sel.val();
        // (At most `TX_FETCH_MAX` = 16 or 17 on card, as bit tests rather than compares: no
        // carry chain between the registers and the flag.)
        self.infl_le.next = (self.s_inflight.q.val().get_bits::<11>(5) == 0)
            & (!self.s_inflight.q.val().get_bit(4)
                | (self.s_inflight.q.val().get_bits::<4>(0) == 0));
        self.infl_le1.next = (self.s_inflight.q.val().get_bits::<11>(5) == 0)
            & (!self.s_inflight.q.val().get_bit(4)
                | (self.s_inflight.q.val().get_bits::<3>(1) == 0));
        self.infl_n_le.next = (self.s_infl_n.q.val().get_bits::<11>(5) == 0)
            & (!self.s_infl_n.q.val().get_bit(4) | (self.s_infl_n.q.val().get_bits::<4>(0) == 0));
        self.s_fq_ok.d.next = (self.s_pending.q.val() != 0) & self.infl_le1.val();
        if self.cmd.q.val() == TxCmd::FetchDone {
            self.s_fq_ok.d.next = self.s_pend_n.q.val() & self.infl_n_le.val();
        }
        if self.cmd.q.val() == TxCmd::Mmio {
            self.s_fq_ok.d.next = (self.s_dnew.q.val() != 0) & self.infl_le.val();
        }
        // Stage 3: the frame's size on the wire (padded, FCS).
        self.dlen.next = bit_cast::<16, 15>(self.cache.read_data.val().get_bits::<15>(48));
        self.charge.next = self.dlen.val() + self.k_fcs.val();
        if self.dlen.val() < self.k_min_frame.val() {
            self.charge.next = self.k_min_frame.val() + self.k_fcs.val();
        }
        if self.dlen.val() > self.k_max_charge.val() {
            self.charge.next = self.k_max_charge.val() + self.k_fcs.val();
        }
        self.s_charge.d.next = self.charge.val();
        // Stage 4: its cost in the token bucket (size * cycles per byte, in 2^-16 cycles,
        // mantissa here, exponent next), and in the deficit.
        self.product.next = self.s_charge.q.val() * self.s_rate.q.val();
        self.mul.a.next = self.s_charge.q.val();
        self.mul.b.next = self.s_rate.q.val();
        self.s_product.d.next = self.product.val();
        if self.k_deep.val() {
            self.s_product.d.next = self.mul.p.val();
        }
        self.s_cover.d.next = self.s_d1.q.val() >= bit_cast::<24, 16>(self.s_charge.q.val());
        self.s_dleft.d.next = self.s_d1.q.val() - bit_cast::<24, 16>(self.s_charge.q.val());
        // Stage 5, 6, 7: the cost's exponent, the frame's finish time, and whether it stays
        // within the burst.
        self.inc.next = bit_cast::<64, 32>(self.s_product.q.val())
            << bit_cast::<64, 5>(self.cfgw.val().get_bits::<5>(100));
        self.s_inc.d.next = self.inc.val();
        self.finish.next = self.s_tat_eff.q.val() + self.s_inc.q.val();
        self.s_finish.d.next = self.finish.val();
        self.conform.next =
            !self.cfgw.val().get_bit(137) | (self.s_finish.q.val() <= self.s_limit.q.val());
        self.s_conform.d.next = self.conform.val();

        // Defaults of the decision.
        self.write_back.next = false;
        self.write_cfg.next = false;
        self.clr.next = false;
        self.cnt_count.next = false;
        self.cnt_frame.next = false;
        self.cnt_read.next = false;
        self.cnt_idx.next = self.mm_reg_r.q.val().get_bits::<3>(2);
        self.write_ring.next = false;
        self.want_fetch.next = false;
        self.fq_push.next = false;
        self.aq_push.next = false;
        self.aq_push_vi.next = self.cvi.q.val();
        self.aq_pop.next = false;
        match self.phase.q.val() {
            TxPhase::Idle => {}
            TxPhase::Read => {
                // The VI's words arrive next cycle, stage 3 settles three cycles after it, the
                // shaper's stage 7 seven, and two more with the multiplier's own registers.
                self.phase.d.next = TxPhase::Calc;
                self.calc_n.d.next = 3.into();
                if self.cmd.q.val() == TxCmd::Sched {
                    self.calc_n.d.next = 9.into();
                }
            }
            TxPhase::Calc => {
                self.calc_n.d.next = self.calc_n.q.val() - 1;
                if self.calc_n.q.val() == 1 {
                    self.phase.d.next = TxPhase::Decide;
                }
            }
            TxPhase::Commit => {
                self.phase.d.next = TxPhase::Idle;
            }
            TxPhase::Decide => {
                self.phase.d.next = TxPhase::Commit;
            }
        }
        // The decision, one command at a time (the `dec_*` flags: in `Decide` with that command).
        // The commands exclude each other, so their conditions read the VI's word as it came
        // out of the RAM (`w_*`), not as an earlier command's branch may have changed it.
        if self.dec_done.q.val() {
            self.write_back.next = true;
            self.done.next = self.s_done1.q.val();
            self.ev_vi_r.d.next = self.cvi.q.val();
            self.ev_error_r.d.next = self.dn_code_r.q.val() != 0;
            self.ev_code_r.d.next = self.dn_code_r.q.val();
            self.ev_value_r.d.next = self.dn_idx_r.q.val();
            self.ev_len_r.d.next = self.dn_len_r.q.val();
            self.ev_v.d.next = self.dn_event_r.q.val() | (self.dn_code_r.q.val() != 0);
            if self.dn_code_r.q.val() == 0 {
                self.cnt_frame.next = true;
                self.cnt_idx.next = 0.into();
            }
            if self.dn_code_r.q.val() == self.k_err_spoofed.val() {
                self.cnt_count.next = true;
                self.cnt_idx.next = 2.into();
            }
            if self.dn_code_r.q.val() == self.k_err_bad_buffer.val() {
                self.cnt_count.next = true;
                self.cnt_idx.next = 3.into();
            }
            if self.dn_code_r.q.val() == self.k_err_bad_desc.val() {
                self.cnt_count.next = true;
                self.cnt_idx.next = 4.into();
            }
        }
        if self.dec_fetch_done.q.val() {
            self.write_back.next = true;
            self.fetching.next = false;
            self.fetched.next = self.s_fetched_n.q.val();
            if self.fd_tag.q.val() {
                self.t1_busy.d.next = false;
                self.t1_done.d.next = false;
            } else {
                self.t0_busy.d.next = false;
                self.t0_done.d.next = false;
            }
            if !self.w_active.val() & self.w_enabled.val() {
                self.active.next = true;
                self.fresh.next = true;
                self.deficit.next = 0.into();
                self.aq_push.next = true;
            }
            self.want_fetch.next = true;
        }
        if self.dec_mmio.q.val() {
            self.rd_v.d.next = !self.mm_write_r.q.val();
            self.rd_d.d.next = 0.into();
            // Refused if it goes backwards or past the ring.
            if self.s_db_err.q.val() {
                self.write_back.next = true;
                self.cnt_count.next = true;
                self.cnt_idx.next = 5.into();
                self.c_db_errors.d.next = (self.c_db_errors.q.val() + 1) & self.k_cmask.val();
                self.ev_v.d.next = true;
                self.ev_vi_r.d.next = self.cvi.q.val();
                self.ev_error_r.d.next = true;
                self.ev_code_r.d.next = self.k_err_db.val();
                self.ev_value_r.d.next = self.mm_data_r.q.val().get_bits::<16>(0);
                self.ev_len_r.d.next = 0.into();
            }
            if self.s_db_ok.q.val() {
                self.write_back.next = true;
                self.prod.next = self.mm_data_r.q.val().get_bits::<16>(0);
                self.want_fetch.next = true;
            }
            if self.vi_ok.val() {
                if self.rs_prod.q.val() {
                    self.rd_d.d.next = bit_cast::<32, 16>(self.w_prod.val());
                }
                if self.rs_fetched.q.val() {
                    self.rd_d.d.next = bit_cast::<32, 16>(self.w_fetched.val());
                }
                if self.rs_started.q.val() {
                    self.rd_d.d.next = bit_cast::<32, 16>(self.w_started.val());
                }
                if self.rs_done.q.val() {
                    self.rd_d.d.next = bit_cast::<32, 16>(self.w_done.val());
                }
                if self.rs_status.q.val() {
                    self.rd_d.d.next = bit_cast::<32, 1>(self.w_enabled.val().into())
                        | (bit_cast::<32, 1>(self.w_active.val().into()) << 1)
                        | (bit_cast::<32, 1>(self.w_fetching.val().into()) << 2);
                }
                // (A counter is answered by the counter bank, a few cycles later;
                // `mm_ready` waits for it.)
                if self.rs_cnt.q.val() & !self.mm_write_r.q.val() {
                    self.rd_v.d.next = false;
                    self.cnt_read.next = true;
                }
            }
        }
        if self.dec_config.q.val() {
            self.status_r.d.next = self.k_st_bad.val();
            if self.s_setup_go.q.val() {
                self.status_r.d.next = self.k_st_ok.val();
                self.write_back.next = true;
                self.write_cfg.next = true;
                self.write_ring.next = true;
                // A fresh state: written below, over the packed words.
                self.clr.next = true;
            }
            if self.vi_ok.val() {
                if (self.mm_data_r.q.val().get_bits::<4>(28) == self.k_op_setup.val())
                    & !self.s_setup_go.q.val()
                {
                    // A descriptor read, or frames of the VI's last life, are
                    // still on their way: retry.
                    self.status_r.d.next = self.k_st_busy.val();
                }
                if (self.mm_data_r.q.val().get_bits::<4>(28) == self.k_op_schedule.val())
                    & self.w_enabled.val()
                {
                    // The ring stays; quantum, rate, burst and flags change.
                    self.status_r.d.next = self.k_st_ok.val();
                    self.write_cfg.next = true;
                }
                if self.mm_data_r.q.val().get_bits::<4>(28) == self.k_op_disable.val() {
                    self.status_r.d.next = self.k_st_ok.val();
                    self.write_back.next = true;
                    self.enabled.next = false;
                }
            }
        }
        if self.dec_fetch_issue.q.val() {
            self.write_back.next = true;
            self.fqueued.next = false;
            if self.w_enabled.val() & !self.w_fetching.val() & (self.s_nfetch.q.val() != 0) {
                self.fetching.next = true;
                // (The read's address, size and tag, and the free tag's VI,
                // slot and count, are loaded below every cycle they are free.)
                self.rq_v.d.next = true;
                if !self.t0_busy.q.val() {
                    self.t0_busy.d.next = true;
                } else {
                    self.t1_busy.d.next = true;
                }
            }
        }
        if self.dec_sched.q.val() {
            self.write_back.next = true;
            if !self.w_enabled.val() & (self.s_undone.q.val()) {
                // Disabled with frames still in the transmit DMA: they finish
                // first, so that `done` counts every started descriptor in order.
                self.aq_pop.next = true;
                self.aq_push.next = true;
            } else if !self.w_enabled.val() {
                // Transmit was disabled: what is on card is dropped.
                self.c_disabled.d.next =
                    self.c_disabled.q.val() + bit_cast::<32, 16>(self.s_inflight.q.val());
                self.started.next = self.w_fetched.val();
                self.done.next = self.w_fetched.val();
                self.active.next = false;
                self.aq_pop.next = true;
            } else if self.s_infl_z.q.val() {
                self.active.next = false;
                self.deficit.next = 0.into();
                self.fresh.next = true;
                self.aq_pop.next = true;
            } else if !self.s_conform.q.val() {
                // Shaped and out of tokens: to the tail, no new quantum.
                self.deficit.next = self.s_d1.q.val();
                self.fresh.next = false;
                self.aq_pop.next = true;
                self.aq_push.next = true;
            } else if self.s_cover.q.val() {
                // Start the frame.
                self.job_v.d.next = true;
                self.job_vi_r.d.next = self.cvi.q.val();
                self.job_idx_r.d.next = self.started.val();
                self.job_desc_r.d.next = self.cache.read_data.val();
                self.job_unres_r.d.next = self.cfgw.val().get_bit(138);
                self.started.next = self.s_started1.q.val();
                self.deficit.next = self.s_dleft.q.val();
                self.fresh.next = false;
                if self.cfgw.val().get_bit(137) {
                    self.tat.next = self.s_finish.q.val();
                }
                if self.s_infl_1.q.val() {
                    // Nothing left on card: leave the list.
                    self.active.next = false;
                    self.deficit.next = 0.into();
                    self.fresh.next = true;
                    self.aq_pop.next = true;
                }
                self.want_fetch.next = true;
            } else {
                // The deficit does not cover the frame: next round.
                self.deficit.next = self.s_d1.q.val();
                self.fresh.next = true;
                self.aq_pop.next = true;
                self.aq_push.next = true;
            }
        }
        // A descriptor read's request, and the free tag's record of it, are loaded every
        // cycle that they are free, so that the decision to issue the read (above) drives
        // only the valid and busy flags, not the enables of some hundred flip-flops. (They
        // are read only while valid or busy; the tag is 1 while tag 0 is busy.)
        if !self.rq_v.q.val() {
            self.rq_addr_r.d.next = self.s_rq_addr.q.val();
            self.rq_beats_r.d.next = self.s_nfetch.q.val().get_bits::<8>(0);
            self.rq_tag_r.d.next = self.t0_busy.q.val();
        }
        if !self.t0_busy.q.val() {
            self.t0_vi.d.next = self.cvi.q.val();
            self.t0_slot.d.next = self.fetched.val().get_bits::<TDB>(0);
            self.t0_n.d.next = self.s_nfetch.q.val().get_bits::<8>(0);
        }
        if !self.t1_busy.q.val() {
            self.t1_vi.d.next = self.cvi.q.val();
            self.t1_slot.d.next = self.fetched.val().get_bits::<TDB>(0);
            self.t1_n.d.next = self.s_nfetch.q.val().get_bits::<8>(0);
        }
        // A descriptor read is wanted when descriptors wait in the ring and the cache has
        // room for a full read (or for all of them), both counted after the decision
        // (`s_fq_ok`).
        if self.want_fetch.val()
            & self.enabled.val()
            & !self.fetching.val()
            & !self.fqueued.val()
            & self.s_fq_ok.q.val()
        {
            self.fqueued.next = true;
            self.fq_push.next = true;
        }
        // The decision is registered and written back the cycle after.
        self.fqp_r.d.next = self.fq_push.val();
        self.fq.write_enable.next = self.fqp_r.q.val() & !self.sweeping.q.val();
        self.fq.write_address.next = self.fq_tail.q.val().get_bits::<VB>(0);
        self.fq.write_data.next = self.cvi.q.val();
        if self.fqp_r.q.val() & !self.sweeping.q.val() {
            self.fq_tail.d.next = self.fq_tail.q.val() + 1;
        }
        self.aqpush_r.d.next = self.aq_push.val();
        self.aqpop_r.d.next = self.aq_pop.val();
        self.aq.write_enable.next = self.aqpush_r.q.val() & !self.sweeping.q.val();
        self.aq.write_address.next = self.aq_tail.q.val().get_bits::<VB>(0);
        self.aq.write_data.next = self.aq_push_vi.val();
        if self.aqpush_r.q.val() & !self.sweeping.q.val() {
            self.aq_tail.d.next = self.aq_tail.q.val() + 1;
        }
        if self.aqpop_r.q.val() & !self.sweeping.q.val() {
            self.aq_head.d.next = self.aq_head.q.val() + 1;
        }
        // (Addressed by the next head, after this cycle's pop, so that the head's entry is
        // there when the next command starts.)
        self.aq.read_address.next = self.aq_head.d.val().get_bits::<VB>(0);
        // Write-back.
        self.wcfg_r.d.next = self.write_cfg.val() & self.vi_ok.val();
        self.wring_r.d.next = self.write_cfg.val() & self.write_ring.val() & self.vi_ok.val();
        self.cfg_ring.write_enable.next = self.wring_r.q.val();
        self.cfg_ring.write_address.next = self.cvi.q.val().get_bits::<VB>(0);
        self.cfg_ring.write_data.next = self.tf_word.val().get_bits::<68>(0);
        self.cfg_sched.write_enable.next = self.wcfg_r.q.val();
        self.cfg_sched.write_address.next = self.cvi.q.val().get_bits::<VB>(0);
        self.cfg_sched.write_data.next = self.tf_word.val().get_bits::<71>(68);
        self.wb_r.d.next = self.write_back.val() & self.vi_ok.val();
        self.wd_r.d.next = bit_cast::<TDYN_W, 16>(self.prod.val())
            | (bit_cast::<TDYN_W, 16>(self.fetched.val()) << 16)
            | (bit_cast::<TDYN_W, 16>(self.started.val()) << 32)
            | (bit_cast::<TDYN_W, 16>(self.done.val()) << 48)
            | (bit_cast::<TDYN_W, 24>(self.deficit.val()) << 64)
            | (bit_cast::<TDYN_W, 1>(self.fresh.val().into()) << 88)
            | (bit_cast::<TDYN_W, 1>(self.active.val().into()) << 89)
            | (bit_cast::<TDYN_W, 1>(self.fetching.val().into()) << 90)
            | (bit_cast::<TDYN_W, 1>(self.fqueued.val().into()) << 91)
            | (bit_cast::<TDYN_W, 1>(self.enabled.val().into()) << 92)
            | (bit_cast::<TDYN_W, 64>(self.tat.val()) << 93);
        // SETUP: indices, deficit, time and counters start at 0, the VI fresh and enabled.
        if self.clr.val() {
            // (`active`, `fetching` and `fqueued` stay: the VI may still be in the active list
            // or the fetch queue.)
            self.wd_r.d.next =
                self.k_fresh_state.val() | (self.dynr.read_data.val() & self.k_keep_state.val());
        }
        self.dynr.write_enable.next = self.wb_r.q.val();
        self.dynr.write_address.next = self.cvi.q.val().get_bits::<VB>(0);
        self.dynr.write_data.next = self.wd_r.q.val();
        // The decision's counter update, read or clear, for the counter bank (which registers
        // it before its RAM).
        self.cbank.count.next = self.cnt_count.val() & self.vi_ok.val();
        self.cbank.frame.next = self.cnt_frame.val() & self.vi_ok.val();
        self.cbank.read.next = self.cnt_read.val();
        self.cbank.clear.next = self.clr.val() & self.vi_ok.val();
        self.cbank.vi.next = self.cvi.q.val();
        self.cbank.idx.next = self.cnt_idx.val();
        self.cbank.len.next = self.dn_len_r.q.val();
        // Reset: every VI's state and counters cleared, one VI a cycle.
        if self.sweeping.q.val() {
            self.dynr.write_enable.next = true;
            self.dynr.write_address.next = self.sweep.q.val().get_bits::<VB>(0);
            self.dynr.write_data.next = 0.into();
            self.sweep.d.next = self.sweep.q.val() + 1;
            if self.sweep.q.val() == self.k_nv.val() - 1 {
                self.sweeping.d.next = false;
            }
        }
        if self.reset.val() {
            self.sweeping.d.next = true;
            self.sweep.d.next = 0.into();
            self.phase.d.next = TxPhase::Idle;
            self.mm_pend.d.next = false;
            self.fq_head.d.next = 0.into();
            self.fq_tail.d.next = 0.into();
            self.aq_head.d.next = 0.into();
            self.aq_tail.d.next = 0.into();
            self.rq_v.d.next = false;
            self.job_v.d.next = false;
            self.ev_v.d.next = false;
            // A read already issued (not merely waiting to be) stays busy, stale, until its
            // last beat comes back; one whose last beat comes now is over.
            self.t0_stale.d.next = (self.t0_stale.q.val()
                | (self.t0_busy.q.val()
                    & !self.t0_done.q.val()
                    & !(self.rq_v.q.val() & !self.rq_tag_r.q.val())))
                & !(self.cpl_valid.val() & self.cpl_last.val() & !self.cpl_tag.val());
            self.t0_busy.d.next = self.t0_stale.d.val();
            self.t0_done.d.next = false;
            self.t1_stale.d.next = (self.t1_stale.q.val()
                | (self.t1_busy.q.val()
                    & !self.t1_done.q.val()
                    & !(self.rq_v.q.val() & self.rq_tag_r.q.val())))
                & !(self.cpl_valid.val() & self.cpl_last.val() & self.cpl_tag.val());
            self.t1_busy.d.next = self.t1_stale.d.val();
            self.t1_done.d.next = false;
            self.cbeat.d.next = 0.into();
            self.status_r.d.next = 0.into();
            self.c_db_errors.d.next = 0.into();
            self.c_disabled.d.next = 0.into();
        }
        // Outputs.
        self.rd_valid.next = self.rd_v.q.val();
        self.rd_data.next = self.rd_d.q.val();
        if self.cbank.rd_valid.val() {
            self.rd_valid.next = true;
            self.rd_data.next = self.cbank.rd_data.val();
        }
        self.cmd_status.next = self.status_r.q.val();
        self.rq_valid.next = self.rq_v.q.val();
        self.rq_addr.next = self.rq_addr_r.q.val();
        self.rq_beats.next = self.rq_beats_r.q.val();
        self.rq_tag.next = self.rq_tag_r.q.val();
        self.job_valid.next = self.job_v.q.val();
        self.job_vi.next = self.job_vi_r.q.val();
        self.job_idx.next = self.job_idx_r.q.val();
        self.job_desc.next = self.job_desc_r.q.val();
        self.job_unres.next = self.job_unres_r.q.val();
        self.ev_valid.next = self.ev_v.q.val();
        self.ev_vi.next = self.ev_vi_r.q.val();
        self.ev_error.next = self.ev_error_r.q.val();
        self.ev_code.next = self.ev_code_r.q.val();
        self.ev_value.next = self.ev_value_r.q.val();
        self.ev_len.next = self.ev_len_r.q.val();
        self.cnt_db_errors.next = self.c_db_errors.q.val();
        self.cnt_disabled.next = self.c_disabled.q.val();
        // (After every write of the phase and the command above.)
        self.to_decide.next = self.phase.d.val() == TxPhase::Decide;
        self.dec_done.d.next = self.to_decide.val() & (self.cmd.d.val() == TxCmd::Done);
        self.dec_fetch_done.d.next = self.to_decide.val() & (self.cmd.d.val() == TxCmd::FetchDone);
        self.dec_mmio.d.next = self.to_decide.val() & (self.cmd.d.val() == TxCmd::Mmio);
        self.dec_config.d.next = self.to_decide.val() & (self.cmd.d.val() == TxCmd::Config);
        self.dec_fetch_issue.d.next =
            self.to_decide.val() & (self.cmd.d.val() == TxCmd::FetchIssue);
        self.dec_sched.d.next = self.to_decide.val() & (self.cmd.d.val() == TxCmd::Sched);
        self.idle.next = (self.phase.q.val() == TxPhase::Idle)
            & !self.mm_pend.q.val()
            & (self.fq_tail.q.val() == self.fq_head.q.val())
            & (self.aq_tail.q.val() == self.aq_head.q.val())
            & !self.t0_busy.q.val()
            & !self.t1_busy.q.val()
            & !self.rq_v.q.val()
            & !self.job_v.q.val()
            & !self.ev_v.q.val()
            & !self.sweeping.q.val()
            & !self.cbank.busy.val();
    }
}
