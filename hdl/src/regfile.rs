//! The register file: decodes the MMIO space of `arsenic_interface::regs`.
//!
//! Writes take effect on the cycle after they arrive; reads answer on the next cycle
//! (`rvalid`). Writing `CTRL.SOFT_RESET` holds `reset` for `regs::RESET_CYCLES` cycles (long
//! enough to drain every queue on card) and returns the configuration to its reset values.
//! The free-running timestamp counter lives here.
//!
//! The control page stages a VI's configuration (`VI_*`) and hands `VI_CMD` to the VI
//! engine; the buffer-table window stages an entry's low word and writes the entry with the
//! high word; doorbell-page requests go to the VI engine, which answers their reads itself.
//! Every request waits for `mmio_ready` (the engine's request buffer has room).

use crate::vi_engine::{cfg, MmioOp, CFG_W};
use arsenic_interface::eth;
use arsenic_interface::params::{self, MMIO_ADDR_BITS};

const _: () = assert!(
    cfg::RXQ_BASE == 0
        && cfg::EVQ_BASE == 64
        && cfg::BUF_FIRST == 128
        && cfg::BUF_COUNT == 160
        && cfg::BUF_SIZE == 192
        && cfg::HOLDOFF == 208
        && cfg::RXQ_SIZE == 224
        && cfg::EVQ_SIZE == 228
);
use crate::stage::Stage;
use crate::tx_engine::{tcfg, TCFG_W};
use arsenic_interface::regs::{self, ctrl, db, status, tx_cmd, vi_cmd, Counter, TxCounter};
use rust_hdl::prelude::*;

const AW: usize = MMIO_ADDR_BITS;
/// The staged VI configuration registers, `VI_RXQ_BASE_LO` to `VI_HOLDOFF`, in order.
const STAGED: [u32; 10] = [
    regs::VI_RXQ_BASE_LO,
    regs::VI_RXQ_BASE_HI,
    regs::VI_RXQ_SIZE_LOG2,
    regs::VI_BUF_SIZE,
    regs::VI_EVQ_BASE_LO,
    regs::VI_EVQ_BASE_HI,
    regs::VI_EVQ_SIZE_LOG2,
    regs::VI_BUF_FIRST,
    regs::VI_BUF_COUNT,
    regs::VI_HOLDOFF,
];
const NSTAGED: usize = STAGED.len();
/// The staged transmit configuration registers, `TX_RING_BASE_LO` to `TX_FLAGS`, in order.
const TX_STAGED: [u32; 7] = [
    regs::TX_RING_BASE_LO,
    regs::TX_RING_BASE_HI,
    regs::TX_RING_SIZE_LOG2,
    regs::TX_QUANTUM,
    regs::TX_RATE,
    regs::TX_BURST,
    regs::TX_FLAGS,
];
const NTX: usize = TX_STAGED.len();
/// The window of the control page whose writes the read-back copy keeps (32 words).
const SHADOW_BASE: u32 = 0x100;
const _: () = {
    let mut i = 0;
    while i < NSTAGED {
        assert!(STAGED[i] >= SHADOW_BASE && STAGED[i] < SHADOW_BASE + 0x80);
        i += 1;
    }
    let mut i = 0;
    while i < NTX {
        assert!(TX_STAGED[i] >= SHADOW_BASE && TX_STAGED[i] < SHADOW_BASE + 0x80);
        i += 1;
    }
    assert!(
        regs::RESET_CYCLES >= 32,
        "the reset clears the copy's 32 words"
    );
};
/// Number of transmit counter registers.
pub const NTX_COUNTERS: usize = TxCounter::ALL.len();
/// Number of counter registers.
pub const NCOUNTERS: usize = Counter::ALL.len();
/// Low bits of each event counter the card's blocks keep (`k_cmask`); the register file's
/// counter bank keeps the full 32-bit counts. A block's counter may advance at most once a
/// cycle, so less than 2^6 between two visits of the bank's scan (every 32 cycles).
pub const COUNTER_LOW_BITS: usize = 6;
const CL: usize = COUNTER_LOW_BITS;
/// The counters that advance by more than one at a time stay whole in their blocks and are
/// read directly: the received and sent octets, and frames dropped with a disabled VI's
/// transmit queue (a queue's worth at once).
pub const fn counter_banked(c: Counter) -> bool {
    !matches!(c, Counter::RxDeliveredBytesLo | Counter::RxDeliveredBytesHi)
}
/// See [`counter_banked`].
pub const fn tx_counter_banked(c: TxCounter) -> bool {
    !matches!(c, TxCounter::Octets | TxCounter::DropDisabled)
}
const _: () = assert!(NCOUNTERS + NTX_COUNTERS == 32, "the bank has 32 entries");
const _: () = assert!(
    regs::COUNTER_BASE == 0x200 && regs::TX_COUNTER_BASE == 0x300 && NCOUNTERS <= 32,
    "bank entries are taken from the counters' word indices"
);

#[derive(LogicBlock)]
pub struct RegFile {
    pub clock: Signal<In, Clock>,
    // MMIO slave.
    pub addr: Signal<In, Bits<AW>>,
    pub wdata: Signal<In, Bits<32>>,
    pub write: Signal<In, Bit>,
    pub read: Signal<In, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
    pub rvalid: Signal<Out, Bit>,
    // Configuration out.
    pub reset: Signal<Out, Bit>,
    pub rx_enable: Signal<Out, Bit>,
    pub speed_10g: Signal<Out, Bit>,
    pub max_frame: Signal<Out, Bits<16>>,
    pub timestamp: Signal<Out, Bits<64>>,
    // To the VI engine.
    pub mm_valid: Signal<Out, Bit>,
    pub mm_op: Signal<Out, MmioOp>,
    pub mm_vi: Signal<Out, Bits<16>>,
    pub mm_reg: Signal<Out, Bits<12>>,
    pub mm_data: Signal<Out, Bits<32>>,
    pub cf_word: Signal<Out, Bits<CFG_W>>,
    pub eng_status: Signal<In, Bits<32>>,
    // To the transmit engine: its doorbell registers and `TX_CMD`.
    pub tx_valid: Signal<Out, Bit>,
    pub tx_write: Signal<Out, Bit>,
    pub tx_cmd: Signal<Out, Bit>,
    pub tx_vi: Signal<Out, Bits<16>>,
    pub tx_data: Signal<Out, Bits<32>>,
    pub tf_word: Signal<Out, Bits<TCFG_W>>,
    pub tx_status: Signal<In, Bits<32>>,
    pub tx_idle: Signal<In, Bit>,
    pub loopback: Signal<Out, Bit>,
    /// Transmit counters in `regs::TxCounter` order.
    pub tx_counters: [Signal<In, Bits<32>>; NTX_COUNTERS],
    pub eng_seq: Signal<In, Bits<32>>,
    // To the buffer table.
    pub bt_we: Signal<Out, Bit>,
    pub bt_addr: Signal<Out, Bits<16>>,
    pub bt_data: Signal<Out, Bits<64>>,
    // Status in.
    pub rx_idle: Signal<In, Bit>,
    pub done_seq: Signal<In, Bits<32>>,
    /// Counters in `regs::Counter` order.
    pub counters: [Signal<In, Bits<32>>; NCOUNTERS],
    /// The request's address and data decoded by [`MmioDecode`], beside `addr` and `wdata`
    /// (the card registers the decode with the request, so that no compare of the address
    /// sits between the request's register and the engines).
    pub dec_db: Signal<In, Bit>,
    pub dec_tx_db: Signal<In, Bit>,
    pub dec_tx_cmd: Signal<In, Bit>,
    pub dec_vi_cmd: Signal<In, Bit>,
    pub dec_op_create: Signal<In, Bit>,
    pub dec_op_destroy: Signal<In, Bit>,
    /// In the control page (below 0x400), in the staged registers' window, in the buffer
    /// table's window; `CTRL` itself.
    pub dec_ctl: Signal<In, Bit>,
    pub dec_shadow: Signal<In, Bit>,
    pub dec_bt: Signal<In, Bit>,
    pub dec_ctrl: Signal<In, Bit>,
    ctrl_r: DFF<Bits<32>>,
    reset_cnt: DFF<Bits<8>>,
    max_frame_r: DFFWithInit<Bits<16>>,
    st: [DFF<Bits<32>>; NSTAGED],
    bt_lo: DFF<Bits<32>>,
    cf_r: DFF<Bits<CFG_W>>,
    tst: [DFF<Bits<32>>; NTX],
    tf_r: DFF<Bits<TCFG_W>>,
    // Staged writes and the two commands that take the staged words, decoded into a flag
    // each and carried out a cycle later, with the written word (see the writes below).
    w_st: [DFF<Bit>; NSTAGED],
    w_tst: [DFF<Bit>; NTX],
    w_vi_cmd: DFF<Bit>,
    w_tx_cmd: DFF<Bit>,
    wdata_d: DFF<Bits<32>>,
    k_tx_staged: [Constant<Bits<10>>; NTX],
    k_tx_status: Constant<Bits<10>>,
    k_op_disable: Constant<Bits<32>>,
    k_loopback: Constant<Bits<32>>,
    k_status_tx_idle: Constant<Bits<32>>,
    lo10: Signal<Local, Bits<10>>,
    db_hi: Signal<Local, Bits<2>>,
    soft_w: Signal<Local, Bit>,
    ticks: DFF<Bits<64>>,
    // The single registers' read-back flags (as for the wide ones, below), and the values
    // that change on their own, sampled every cycle.
    sel_id: DFF<Bit>,
    sel_version: DFF<Bit>,
    sel_time_lo: DFF<Bit>,
    sel_time_hi: DFF<Bit>,
    sel_params: DFF<Bit>,
    sel_params2: DFF<Bit>,
    sel_vi_status: DFF<Bit>,
    sel_vi_seq: DFF<Bit>,
    sel_done_seq: DFF<Bit>,
    sel_tx_status: DFF<Bit>,
    sel_status: DFF<Bit>,
    ticks_s: DFF<Bits<64>>,
    eng_status_s: DFF<Bits<32>>,
    eng_seq_s: DFF<Bits<32>>,
    done_seq_s: DFF<Bits<32>>,
    tx_status_s: DFF<Bits<32>>,
    rx_idle_s: DFF<Bit>,
    tx_idle_s: DFF<Bit>,
    // Read-back of the wide registers: the cycle a read arrives, one flag per register
    // remembers which it asked for; the next cycle the answer is the OR of each register
    // masked by its flag. (A multiplexer steered by registered one-hot flags maps to about
    // two thirds of a LUT4 per input bit on the ECP5; the same choice decoded from the address
    // in one cycle costs three times that.)
    is_ctl: Signal<Local, Bit>,
    widx: Signal<Local, Bits<8>>,
    sel_ctrl: DFF<Bit>,
    sel_max_frame: DFF<Bit>,
    // The staged registers read back from a copy in distributed RAM, by `addr[6:2]`: every
    // write to 0x100..0x17F lands there, and a soft reset writes it to zero.
    shadow: RAM<Bits<32>, 5>,
    sel_shadow: DFF<Bit>,
    is_staged: Signal<Local, Bit>,
    sel_cnt: [DFF<Bit>; NCOUNTERS],
    sel_tcnt: [DFF<Bit>; NTX_COUNTERS],
    rd_or: Signal<Local, Bits<32>>,
    // The counter bank: entry k is `Counter::ALL[k]`, entry 22 + m `TxCounter::ALL[m]`; a
    // word is {seen, count}: the full count when the block's low bits were `seen`. A scan
    // visits one entry a cycle and adds what the low bits advanced since; a read adds what
    // they advanced since the entry's last visit. Two copies: one for the scan, one for
    // reads.
    bank_s: RAM<Bits<38>, 5>,
    bank_r: RAM<Bits<38>, 5>,
    scan_oh: DFFWithInit<Bits<32>>,
    scan_j: DFF<Bits<5>>,
    scan_jd: DFF<Bits<5>>,
    scan_low: DFF<Bits<CL>>,
    scan_hi: Signal<Local, Bits<NTX_COUNTERS>>,
    sel_bank: DFF<Bit>,
    rd_low: Signal<Local, Bits<CL>>,
    scan_acc: Signal<Local, Bits<CL>>,
    after_reset: DFF<Bit>,
    // The reset count is not zero, as a register of its own: the card's reset leaves this
    // block from a flip-flop.
    in_reset: DFF<Bit>,
    rd_adv: Signal<Local, Bits<CL>>,
    scan_adv: Signal<Local, Bits<CL>>,
    scan_sum: Signal<Local, Bits<32>>,
    bw_addr: Signal<Local, Bits<5>>,
    bw_data: Signal<Local, Bits<38>>,
    k_banked: Constant<Bits<NCOUNTERS>>,
    k_tbanked: Constant<Bits<NTX_COUNTERS>>,
    k_tx_bank_base: Constant<Bits<5>>,
    k_ctrl_w: Constant<Bits<8>>,
    k_max_frame_w: Constant<Bits<8>>,
    k_staged_w: [Constant<Bits<8>>; NSTAGED],
    k_tx_staged_w: [Constant<Bits<8>>; NTX],
    k_counter_w: [Constant<Bits<8>>; NCOUNTERS],
    k_tx_counter_w: [Constant<Bits<8>>; NTX_COUNTERS],
    rvalid_r: DFF<Bit>,
    // The read's answer, registered once more on the board's card (see `set_staged_read`).
    // First the counter's parts (its low bits, its bank entry, the other words' OR), then the
    // sum.
    ra_low: Stage<Bits<CL>>,
    ra_bank: Stage<Bits<38>>,
    ra_or: Stage<Bits<32>>,
    ra_sel: Stage<Bit>,
    ra_valid: Stage<Bit>,
    rd_sum: Signal<Local, Bits<32>>,
    // The scan's entry and low bits, registered before the sum on the board's card.
    sb_bank: Stage<Bits<38>>,
    sb_low: Stage<Bits<CL>>,
    sb_j: Stage<Bits<5>>,
    sb_after: Stage<Bit>,
    // Then the advance (the low bits less the entry's `seen`) and the entry's count, registered
    // before the 32-bit sum on the board's card: the difference and the sum in one cycle are
    // two carry chains in series.
    sc_adv: Stage<Bits<CL>>,
    sc_cnt: Stage<Bits<32>>,
    sc_low: Stage<Bits<CL>>,
    sc_j: Stage<Bits<5>>,
    sc_after: Stage<Bit>,
    rd_stage: Stage<Bits<32>>,
    rv_stage: Stage<Bit>,
    k_id: Constant<Bits<10>>,
    k_version: Constant<Bits<10>>,
    k_ctrl: Constant<Bits<10>>,
    k_status: Constant<Bits<10>>,
    k_time_lo: Constant<Bits<10>>,
    k_time_hi: Constant<Bits<10>>,
    k_max_frame: Constant<Bits<10>>,
    k_params: Constant<Bits<10>>,
    k_params2: Constant<Bits<10>>,
    k_staged: [Constant<Bits<10>>; NSTAGED],
    k_vi_status: Constant<Bits<10>>,
    k_vi_seq: Constant<Bits<10>>,
    k_done_seq: Constant<Bits<10>>,
    k_no_vi: Constant<Bits<16>>,
    k_params2_value: Constant<Bits<32>>,
    k_id_value: Constant<Bits<32>>,
    k_version_value: Constant<Bits<32>>,
    k_params_value: Constant<Bits<32>>,
    k_rx_enable: Constant<Bits<32>>,
    k_speed_10g: Constant<Bits<32>>,
    k_soft_reset: Constant<Bits<32>>,
    k_reset_cycles: Constant<Bits<8>>,
    k_max_frame_default: Constant<Bits<16>>,
    k_status_idle: Constant<Bits<32>>,
}

/// A control-page register's address bits (`addr[9:0]`; the page is below 0x400).
fn reg(offset: u32) -> Constant<Bits<10>> {
    assert!(offset < 0x400);
    Constant::new((offset as u64).into())
}

/// A control-page register's word index (`addr[9:2]`).
fn widx(offset: u32) -> Constant<Bits<8>> {
    assert!(offset < 0x400 && offset.is_multiple_of(4));
    Constant::new(((offset >> 2) as u64).into())
}

fn word(v: u32) -> Constant<Bits<32>> {
    Constant::new((v as u64).into())
}

impl Default for RegFile {
    fn default() -> Self {
        Self::new(params::VI_BITS, params::BUFTBL_BITS)
    }
}

impl RegFile {
    /// Answers reads three cycles after the read instead of one: the board's card, where a
    /// counter's value (its low bits chosen among the blocks', then the bank's count added)
    /// takes more than a cycle at 125 MHz. The parts are registered, then the sum. The counter
    /// bank's scan likewise writes an entry back three cycles after reading it, not one: the
    /// parts registered, then the advance, then the sum.
    pub fn set_staged_read(&mut self, staged: bool) {
        self.ra_low.set_registered(staged);
        self.ra_bank.set_registered(staged);
        self.ra_or.set_registered(staged);
        self.ra_sel.set_registered(staged);
        self.ra_valid.set_registered(staged);
        self.rd_stage.set_registered(staged);
        self.rv_stage.set_registered(staged);
        self.sb_bank.set_registered(staged);
        self.sb_low.set_registered(staged);
        self.sb_j.set_registered(staged);
        self.sb_after.set_registered(staged);
        self.sc_adv.set_registered(staged);
        self.sc_cnt.set_registered(staged);
        self.sc_low.set_registered(staged);
        self.sc_j.set_registered(staged);
        self.sc_after.set_registered(staged);
    }

    /// The register file of a card with 2^`vi_bits` VIs and 2^`buftbl_bits` buffer-table
    /// entries (what `PARAMS` reports and where the buffer-table window ends).
    pub fn new(vi_bits: usize, buftbl_bits: usize) -> Self {
        let params_value = (params::RX_BUF_ADDR_BITS as u32) << regs::params::RX_BUF_BITS_SHIFT
            | (params::DESC_PER_VI_BITS as u32) << regs::params::DESC_PER_VI_BITS_SHIFT
            | (params::DMA_TAG_BITS as u32) << regs::params::DMA_TAG_BITS_SHIFT
            | (vi_bits as u32) << regs::params::VI_BITS_SHIFT;
        let params2_value = (buftbl_bits as u32) << regs::params2::BUFTBL_BITS_SHIFT
            | (params::IRQ_TIMERS as u32) << regs::params2::IRQ_TIMERS_SHIFT;
        Self {
            clock: Default::default(),
            addr: Default::default(),
            wdata: Default::default(),
            write: Default::default(),
            read: Default::default(),
            rdata: Default::default(),
            rvalid: Default::default(),
            reset: Default::default(),
            rx_enable: Default::default(),
            speed_10g: Default::default(),
            max_frame: Default::default(),
            timestamp: Default::default(),
            mm_valid: Default::default(),
            mm_op: Default::default(),
            mm_vi: Default::default(),
            mm_reg: Default::default(),
            mm_data: Default::default(),
            cf_word: Default::default(),
            eng_status: Default::default(),
            tx_valid: Default::default(),
            tx_write: Default::default(),
            tx_cmd: Default::default(),
            tx_vi: Default::default(),
            tx_data: Default::default(),
            tf_word: Default::default(),
            tx_status: Default::default(),
            tx_idle: Default::default(),
            loopback: Default::default(),
            tx_counters: Default::default(),
            eng_seq: Default::default(),
            bt_we: Default::default(),
            bt_addr: Default::default(),
            bt_data: Default::default(),
            rx_idle: Default::default(),
            done_seq: Default::default(),
            counters: Default::default(),
            ctrl_r: Default::default(),
            reset_cnt: Default::default(),
            max_frame_r: DFFWithInit::new((eth::MAX_FRAME_DEFAULT as u64).into()),
            st: Default::default(),
            bt_lo: Default::default(),
            cf_r: Default::default(),
            tst: Default::default(),
            tf_r: Default::default(),
            w_st: Default::default(),
            w_tst: Default::default(),
            w_vi_cmd: Default::default(),
            w_tx_cmd: Default::default(),
            wdata_d: Default::default(),
            dec_db: Default::default(),
            dec_tx_db: Default::default(),
            dec_tx_cmd: Default::default(),
            dec_vi_cmd: Default::default(),
            dec_op_create: Default::default(),
            dec_op_destroy: Default::default(),
            dec_ctl: Default::default(),
            dec_shadow: Default::default(),
            dec_bt: Default::default(),
            dec_ctrl: Default::default(),
            k_tx_staged: std::array::from_fn(|i| reg(TX_STAGED[i])),
            k_tx_status: reg(regs::TX_CMD_STATUS),
            k_op_disable: word(tx_cmd::word(tx_cmd::DISABLE, 0)),
            k_loopback: word(ctrl::LOOPBACK),
            k_status_tx_idle: word(status::TX_IDLE),
            lo10: Default::default(),
            db_hi: Default::default(),
            soft_w: Default::default(),
            ticks: Default::default(),
            sel_id: Default::default(),
            sel_version: Default::default(),
            sel_time_lo: Default::default(),
            sel_time_hi: Default::default(),
            sel_params: Default::default(),
            sel_params2: Default::default(),
            sel_vi_status: Default::default(),
            sel_vi_seq: Default::default(),
            sel_done_seq: Default::default(),
            sel_tx_status: Default::default(),
            sel_status: Default::default(),
            ticks_s: Default::default(),
            eng_status_s: Default::default(),
            eng_seq_s: Default::default(),
            done_seq_s: Default::default(),
            tx_status_s: Default::default(),
            rx_idle_s: Default::default(),
            tx_idle_s: Default::default(),
            is_ctl: Default::default(),
            widx: Default::default(),
            sel_ctrl: Default::default(),
            sel_max_frame: Default::default(),
            shadow: Default::default(),
            sel_shadow: Default::default(),
            is_staged: Default::default(),
            sel_cnt: Default::default(),
            sel_tcnt: Default::default(),
            rd_or: Default::default(),
            bank_s: Default::default(),
            bank_r: Default::default(),
            scan_oh: DFFWithInit::new(1u64.into()),
            scan_j: Default::default(),
            scan_jd: Default::default(),
            scan_low: Default::default(),
            scan_hi: Default::default(),
            sel_bank: Default::default(),
            rd_low: Default::default(),
            scan_acc: Default::default(),
            after_reset: Default::default(),
            in_reset: Default::default(),
            rd_adv: Default::default(),
            scan_adv: Default::default(),
            scan_sum: Default::default(),
            bw_addr: Default::default(),
            bw_data: Default::default(),
            k_banked: Constant::new(
                (0..NCOUNTERS)
                    .filter(|&k| counter_banked(Counter::ALL[k]))
                    .fold(0u64, |m, k| m | 1 << k)
                    .into(),
            ),
            k_tbanked: Constant::new(
                (0..NTX_COUNTERS)
                    .filter(|&k| tx_counter_banked(TxCounter::ALL[k]))
                    .fold(0u64, |m, k| m | 1 << k)
                    .into(),
            ),
            k_tx_bank_base: Constant::new((NCOUNTERS as u64).into()),
            k_ctrl_w: widx(regs::CTRL),
            k_max_frame_w: widx(regs::MAX_FRAME),
            k_staged_w: std::array::from_fn(|i| widx(STAGED[i])),
            k_tx_staged_w: std::array::from_fn(|i| widx(TX_STAGED[i])),
            k_counter_w: std::array::from_fn(|i| widx(Counter::ALL[i].offset())),
            k_tx_counter_w: std::array::from_fn(|i| widx(TxCounter::ALL[i].offset())),
            rvalid_r: Default::default(),
            ra_low: Stage::wire(),
            ra_bank: Stage::wire(),
            ra_or: Stage::wire(),
            ra_sel: Stage::wire(),
            ra_valid: Stage::wire(),
            rd_sum: Default::default(),
            sb_bank: Stage::wire(),
            sb_low: Stage::wire(),
            sb_j: Stage::wire(),
            sb_after: Stage::wire(),
            sc_adv: Stage::wire(),
            sc_cnt: Stage::wire(),
            sc_low: Stage::wire(),
            sc_j: Stage::wire(),
            sc_after: Stage::wire(),
            rd_stage: Stage::wire(),
            rv_stage: Stage::wire(),
            k_id: reg(regs::ID),
            k_version: reg(regs::VERSION),
            k_ctrl: reg(regs::CTRL),
            k_status: reg(regs::STATUS),
            k_time_lo: reg(regs::TIME_LO),
            k_time_hi: reg(regs::TIME_HI),
            k_max_frame: reg(regs::MAX_FRAME),
            k_params: reg(regs::PARAMS),
            k_params2: reg(regs::PARAMS2),
            k_staged: std::array::from_fn(|i| reg(STAGED[i])),
            k_vi_status: reg(regs::VI_CMD_STATUS),
            k_vi_seq: reg(regs::VI_CMD_SEQ),
            k_done_seq: reg(regs::RX_DONE_SEQ),
            k_no_vi: Constant::new(0xFFFFu64.into()),
            k_params2_value: word(params2_value),
            k_id_value: word(regs::ID_VALUE),
            k_version_value: word(regs::VERSION_VALUE),
            k_params_value: word(params_value),
            k_rx_enable: word(ctrl::RX_ENABLE),
            k_speed_10g: word(ctrl::SPEED_10G),
            k_soft_reset: word(ctrl::SOFT_RESET),
            k_reset_cycles: Constant::new((regs::RESET_CYCLES as u64).into()),
            k_max_frame_default: Constant::new((eth::MAX_FRAME_DEFAULT as u64).into()),
            k_status_idle: word(status::RX_IDLE),
        }
    }
}

impl Logic for RegFile {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            ctrl_r,
            reset_cnt,
            max_frame_r,
            bt_lo,
            cf_r,
            tf_r,
            w_vi_cmd,
            w_tx_cmd,
            wdata_d,
            ticks,
            sel_id,
            sel_version,
            sel_time_lo,
            sel_time_hi,
            sel_params,
            sel_params2,
            sel_vi_status,
            sel_vi_seq,
            sel_done_seq,
            sel_tx_status,
            sel_status,
            ticks_s,
            eng_status_s,
            eng_seq_s,
            done_seq_s,
            tx_status_s,
            rx_idle_s,
            tx_idle_s,
            rvalid_r,
            sel_ctrl,
            sel_max_frame,
            sel_shadow,
            scan_oh,
            scan_j,
            scan_jd,
            scan_low,
            sel_bank,
            after_reset,
            in_reset
        );
        self.bank_s.read_clock.next = self.clock.val();
        self.bank_s.write_clock.next = self.clock.val();
        self.bank_r.read_clock.next = self.clock.val();
        self.bank_r.write_clock.next = self.clock.val();
        self.shadow.read_clock.next = self.clock.val();
        self.shadow.write_clock.next = self.clock.val();
        clock!(
            self, clock, ra_low, ra_bank, ra_or, ra_sel, ra_valid, rd_stage, rv_stage, sb_bank,
            sb_low, sb_j, sb_after, sc_adv, sc_cnt, sc_low, sc_j, sc_after
        );
        for i in 0..NCOUNTERS {
            self.sel_cnt[i].clock.next = self.clock.val();
        }
        for i in 0..NTX_COUNTERS {
            self.sel_tcnt[i].clock.next = self.clock.val();
        }
        for i in 0..NSTAGED {
            self.st[i].clock.next = self.clock.val();
            self.st[i].d.next = self.st[i].q.val();
            self.w_st[i].clock.next = self.clock.val();
        }
        for i in 0..NTX {
            self.tst[i].clock.next = self.clock.val();
            self.tst[i].d.next = self.tst[i].q.val();
            self.w_tst[i].clock.next = self.clock.val();
        }
        self.ticks.d.next = self.ticks.q.val() + 1;
        // The address's windows come decoded with the request (`MmioDecode`): no compare of
        // the address sits behind its register. A control-page register is told by the
        // address's low ten bits inside the page.
        self.lo10.next = self.addr.val().get_bits::<10>(0);
        self.bt_we.next = false;
        // (The window starts at a multiple of its size: the entry is the address's bits.)
        self.bt_addr.next = self.addr.val().get_bits::<16>(3);
        self.bt_data.next =
            (bit_cast::<64, 32>(self.wdata.val()) << 32) | bit_cast::<64, 32>(self.bt_lo.q.val());
        // Doorbell pages and VI commands go to the VI engine.
        self.mm_valid.next = false;
        self.mm_op.next = MmioOp::DbRead;
        // (`addr - DB_BASE` >> 12: the window starts at bit 22, so only the top two bits
        // take the difference.)
        self.db_hi.next = self.addr.val().get_bits::<2>(22) - 1;
        self.mm_vi.next = bit_cast::<16, 10>(self.addr.val().get_bits::<10>(12))
            | (bit_cast::<16, 2>(self.db_hi.val()) << 10);
        self.mm_reg.next = self.addr.val().get_bits::<12>(0);
        self.mm_data.next = self.wdata.val();
        // The transmit registers of a doorbell page go to the transmit engine.
        self.tx_valid.next = false;
        self.tx_write.next = self.write.val();
        self.tx_cmd.next = false;
        self.tx_vi.next = self.mm_vi.val();
        self.tx_data.next = self.wdata.val();
        if self.dec_db.val() & !self.dec_tx_db.val() & (self.write.val() | self.read.val()) {
            self.mm_valid.next = true;
            if self.write.val() {
                self.mm_op.next = MmioOp::DbWrite;
            }
        }
        if self.dec_tx_db.val() & (self.write.val() | self.read.val()) {
            self.tx_valid.next = true;
        }
        if self.write.val() & self.dec_tx_cmd.val() {
            self.tx_valid.next = true;
            self.tx_cmd.next = true;
            self.tx_vi.next = self.wdata.val().get_bits::<16>(0);
        }
        if self.write.val() & self.dec_vi_cmd.val() {
            self.mm_vi.next = self.wdata.val().get_bits::<16>(0);
            if self.dec_op_create.val() {
                self.mm_valid.next = true;
                self.mm_op.next = MmioOp::Create;
            }
            if self.dec_op_destroy.val() {
                self.mm_valid.next = true;
                self.mm_op.next = MmioOp::Destroy;
                // A destroyed VI stops transmitting too.
                self.tx_valid.next = true;
                self.tx_cmd.next = true;
                self.tx_vi.next = self.wdata.val().get_bits::<16>(0);
                self.tx_data.next = self.k_op_disable.val()
                    | bit_cast::<32, 16>(self.wdata.val().get_bits::<16>(0));
            }
            if !self.dec_op_create.val() & !self.dec_op_destroy.val() {
                // An unknown operation: a CREATE of no VI, which the engine answers BAD.
                self.mm_valid.next = true;
                self.mm_op.next = MmioOp::Create;
                self.mm_vi.next = self.k_no_vi.val();
            }
        }
        if self.in_reset.q.val() {
            self.reset_cnt.d.next = self.reset_cnt.q.val() - 1;
        }
        self.soft_w.next = self.write.val()
            & self.dec_ctrl.val()
            & ((self.wdata.val() & self.k_soft_reset.val()) != 0);
        // Writes.
        if self.write.val() {
            if self.dec_ctrl.val() {
                self.ctrl_r.d.next = self.wdata.val() & !self.k_soft_reset.val();
                if self.soft_w.val() {
                    self.reset_cnt.d.next = self.k_reset_cycles.val();
                }
            }
            if self.dec_ctl.val() & (self.lo10.val() == self.k_max_frame.val()) {
                self.max_frame_r.d.next = self.wdata.val().get_bits::<16>(0);
            }
            if self.dec_bt.val() {
                if self.addr.val().get_bit(2) {
                    self.bt_we.next = true;
                } else {
                    self.bt_lo.d.next = self.wdata.val();
                }
            }
        }
        // A staged word lands a cycle after its write, from its own flag (one flip-flop
        // enables the register's 32), and the commands take the staged words a cycle late
        // too, so they see every staged write before them. Reads of them answer from the
        // read-back copy (`shadow`), written at once; the engines use a command's words
        // cycles after it.
        self.wdata_d.d.next = self.wdata.val();
        for i in 0..NSTAGED {
            self.w_st[i].d.next =
                self.write.val() & self.dec_ctl.val() & (self.lo10.val() == self.k_staged[i].val());
            if self.w_st[i].q.val() {
                self.st[i].d.next = self.wdata_d.q.val();
            }
        }
        for i in 0..NTX {
            self.w_tst[i].d.next = self.write.val()
                & self.dec_ctl.val()
                & (self.lo10.val() == self.k_tx_staged[i].val());
            if self.w_tst[i].q.val() {
                self.tst[i].d.next = self.wdata_d.q.val();
            }
        }
        self.w_vi_cmd.d.next = self.write.val() & self.dec_vi_cmd.val();
        self.w_tx_cmd.d.next = self.write.val() & self.dec_tx_cmd.val();
        if self.in_reset.q.val() {
            self.ctrl_r.d.next = 0.into();
            self.max_frame_r.d.next = self.k_max_frame_default.val();
            for i in 0..NSTAGED {
                self.st[i].d.next = 0.into();
            }
            for i in 0..NTX {
                self.tst[i].d.next = 0.into();
            }
        }
        // Reads answer on the next cycle: the cycle a read arrives sets its register's flag,
        // and the answer's cycle ORs each register masked by its flag. The registers that
        // change on their own (status, time, sequence numbers) are answered from a sample
        // taken every cycle, so with their value the cycle the read arrived. The flags follow
        // the address every cycle, read or not (a read has no side effect here), and the
        // answer is cleared below unless a read came: the read strobe, from across the card,
        // meets one gate a cycle later instead of every flag's decode.
        self.rvalid_r.d.next = self.read.val() & !self.dec_db.val();
        self.is_ctl.next = self.dec_ctl.val();
        self.widx.next = self.addr.val().get_bits::<8>(2);
        self.sel_ctrl.d.next = self.is_ctl.val() & (self.widx.val() == self.k_ctrl_w.val());
        self.sel_max_frame.d.next =
            self.is_ctl.val() & (self.widx.val() == self.k_max_frame_w.val());
        self.is_staged.next = false;
        for i in 0..NSTAGED {
            if self.widx.val() == self.k_staged_w[i].val() {
                self.is_staged.next = true;
            }
        }
        for i in 0..NTX {
            if self.widx.val() == self.k_tx_staged_w[i].val() {
                self.is_staged.next = true;
            }
        }
        self.sel_shadow.d.next = self.is_ctl.val() & self.is_staged.val();
        self.shadow.read_address.next = self.widx.val().get_bits::<5>(0);
        self.shadow.write_address.next = self.widx.val().get_bits::<5>(0);
        self.shadow.write_data.next = self.wdata.val();
        self.shadow.write_enable.next = self.write.val() & self.dec_shadow.val();
        if self.in_reset.q.val() {
            self.shadow.write_address.next = self.reset_cnt.q.val().get_bits::<5>(0);
            self.shadow.write_data.next = 0.into();
            self.shadow.write_enable.next = true;
        }
        for i in 0..NCOUNTERS {
            self.sel_cnt[i].d.next =
                self.is_ctl.val() & (self.widx.val() == self.k_counter_w[i].val());
        }
        for i in 0..NTX_COUNTERS {
            self.sel_tcnt[i].d.next =
                self.is_ctl.val() & (self.widx.val() == self.k_tx_counter_w[i].val());
        }
        // (Counter k at word 0x80 + k, transmit counter m at 0xC0 + m: bank entries k, 22 + m.)
        self.bank_r.read_address.next = self.widx.val().get_bits::<5>(0);
        if self.widx.val().get_bit(6) {
            self.bank_r.read_address.next =
                self.widx.val().get_bits::<5>(0) + self.k_tx_bank_base.val();
        }
        self.sel_bank.d.next = false;
        for i in 0..NCOUNTERS {
            if self.k_banked.val().get_bit(i)
                & self.is_ctl.val()
                & (self.widx.val() == self.k_counter_w[i].val())
            {
                self.sel_bank.d.next = true;
            }
        }
        for i in 0..NTX_COUNTERS {
            if self.k_tbanked.val().get_bit(i)
                & self.is_ctl.val()
                & (self.widx.val() == self.k_tx_counter_w[i].val())
            {
                self.sel_bank.d.next = true;
            }
        }
        // The single registers' flags, and the samples their answers are taken from.
        self.sel_id.d.next = self.is_ctl.val() & (self.lo10.val() == self.k_id.val());
        self.sel_version.d.next = self.is_ctl.val() & (self.lo10.val() == self.k_version.val());
        self.sel_time_lo.d.next = self.is_ctl.val() & (self.lo10.val() == self.k_time_lo.val());
        self.sel_time_hi.d.next = self.is_ctl.val() & (self.lo10.val() == self.k_time_hi.val());
        self.sel_params.d.next = self.is_ctl.val() & (self.lo10.val() == self.k_params.val());
        self.sel_params2.d.next = self.is_ctl.val() & (self.lo10.val() == self.k_params2.val());
        self.sel_vi_status.d.next = self.is_ctl.val() & (self.lo10.val() == self.k_vi_status.val());
        self.sel_vi_seq.d.next = self.is_ctl.val() & (self.lo10.val() == self.k_vi_seq.val());
        self.sel_done_seq.d.next = self.is_ctl.val() & (self.lo10.val() == self.k_done_seq.val());
        self.sel_tx_status.d.next = self.is_ctl.val() & (self.lo10.val() == self.k_tx_status.val());
        self.sel_status.d.next =
            self.is_ctl.val() & (self.lo10.val() == self.k_status.val()) & !self.in_reset.q.val();
        self.ticks_s.d.next = self.ticks.q.val();
        self.eng_status_s.d.next = self.eng_status.val();
        self.eng_seq_s.d.next = self.eng_seq.val();
        self.done_seq_s.d.next = self.done_seq.val();
        self.tx_status_s.d.next = self.tx_status.val();
        self.rx_idle_s.d.next = self.rx_idle.val();
        self.tx_idle_s.d.next = self.tx_idle.val();
        self.rd_or.next = 0.into();
        if self.sel_id.q.val() {
            self.rd_or.next = self.rd_or.val() | self.k_id_value.val();
        }
        if self.sel_version.q.val() {
            self.rd_or.next = self.rd_or.val() | self.k_version_value.val();
        }
        if self.sel_time_lo.q.val() {
            self.rd_or.next = self.rd_or.val() | self.ticks_s.q.val().get_bits::<32>(0);
        }
        if self.sel_time_hi.q.val() {
            self.rd_or.next = self.rd_or.val() | self.ticks_s.q.val().get_bits::<32>(32);
        }
        if self.sel_params.q.val() {
            self.rd_or.next = self.rd_or.val() | self.k_params_value.val();
        }
        if self.sel_params2.q.val() {
            self.rd_or.next = self.rd_or.val() | self.k_params2_value.val();
        }
        if self.sel_vi_status.q.val() {
            self.rd_or.next = self.rd_or.val() | self.eng_status_s.q.val();
        }
        if self.sel_vi_seq.q.val() {
            self.rd_or.next = self.rd_or.val() | self.eng_seq_s.q.val();
        }
        if self.sel_done_seq.q.val() {
            self.rd_or.next = self.rd_or.val() | self.done_seq_s.q.val();
        }
        if self.sel_tx_status.q.val() {
            self.rd_or.next = self.rd_or.val() | self.tx_status_s.q.val();
        }
        if self.sel_status.q.val() & self.rx_idle_s.q.val() {
            self.rd_or.next = self.rd_or.val() | self.k_status_idle.val();
        }
        if self.sel_status.q.val() & self.tx_idle_s.q.val() {
            self.rd_or.next = self.rd_or.val() | self.k_status_tx_idle.val();
        }
        if self.sel_ctrl.q.val() {
            self.rd_or.next = self.rd_or.val() | self.ctrl_r.q.val();
        }
        if self.sel_max_frame.q.val() {
            self.rd_or.next = self.rd_or.val() | bit_cast::<32, 16>(self.max_frame_r.q.val());
        }
        if self.sel_shadow.q.val() {
            self.rd_or.next = self.rd_or.val() | self.shadow.read_data.val();
        }
        // Counters: the whole ones directly, the banked ones as the bank's count plus what
        // their low bits advanced since it was taken.
        self.rd_low.next = 0.into();
        for i in 0..NCOUNTERS {
            if self.sel_cnt[i].q.val() {
                if self.k_banked.val().get_bit(i) {
                    self.rd_low.next = self.rd_low.val() | self.counters[i].val().get_bits::<CL>(0);
                } else {
                    self.rd_or.next = self.rd_or.val() | self.counters[i].val();
                }
            }
        }
        for i in 0..NTX_COUNTERS {
            if self.sel_tcnt[i].q.val() {
                if self.k_tbanked.val().get_bit(i) {
                    self.rd_low.next =
                        self.rd_low.val() | self.tx_counters[i].val().get_bits::<CL>(0);
                } else {
                    self.rd_or.next = self.rd_or.val() | self.tx_counters[i].val();
                }
            }
        }
        // (The advance is taken on CL bits in a signal of its own: in the Verilog, a difference
        // written inside a wider expression would be taken at that width.)
        self.ra_low.d.next = self.rd_low.val();
        self.ra_bank.d.next = self.bank_r.read_data.val();
        self.ra_or.d.next = self.rd_or.val();
        self.ra_sel.d.next = self.sel_bank.q.val() & self.rvalid_r.q.val();
        if !self.rvalid_r.q.val() {
            self.ra_or.d.next = 0.into();
        }
        self.ra_valid.d.next = self.rvalid_r.q.val();
        self.rd_adv.next = self.ra_low.q.val() - self.ra_bank.q.val().get_bits::<CL>(32);
        self.rd_sum.next = self.ra_or.q.val();
        if self.ra_sel.q.val() {
            self.rd_sum.next = self.ra_or.q.val()
                | (self.ra_bank.q.val().get_bits::<32>(0) + bit_cast::<32, CL>(self.rd_adv.val()));
        }
        // The scan: entry `scan_j` is read while the low bits of its counter are taken
        // (`scan_oh` has its bit set), and written back the next cycle.
        self.scan_oh.d.next = (self.scan_oh.q.val() << 1) | (self.scan_oh.q.val() >> 31);
        self.scan_j.d.next = self.scan_j.q.val() + 1;
        self.scan_jd.d.next = self.scan_j.q.val();
        self.bank_s.read_address.next = self.scan_j.q.val();
        self.scan_hi.next = bit_cast::<NTX_COUNTERS, 32>(self.scan_oh.q.val() >> 22);
        self.scan_acc.next = 0.into();
        for i in 0..NCOUNTERS {
            if self.k_banked.val().get_bit(i) & self.scan_oh.q.val().get_bit(i) {
                self.scan_acc.next = self.scan_acc.val() | self.counters[i].val().get_bits::<CL>(0);
            }
        }
        for i in 0..NTX_COUNTERS {
            if self.k_tbanked.val().get_bit(i) & self.scan_hi.val().get_bit(i) {
                self.scan_acc.next =
                    self.scan_acc.val() | self.tx_counters[i].val().get_bits::<CL>(0);
            }
        }
        self.scan_low.d.next = self.scan_acc.val();
        self.sb_bank.d.next = self.bank_s.read_data.val();
        self.sb_low.d.next = self.scan_low.q.val();
        self.sb_j.d.next = self.scan_jd.q.val();
        self.scan_adv.next = self.sb_low.q.val() - self.sb_bank.q.val().get_bits::<CL>(32);
        self.sc_adv.d.next = self.scan_adv.val();
        self.sc_cnt.d.next = self.sb_bank.q.val().get_bits::<32>(0);
        self.sc_low.d.next = self.sb_low.q.val();
        self.sc_j.d.next = self.sb_j.q.val();
        self.bw_addr.next = self.sc_j.q.val();
        self.scan_sum.next = self.sc_cnt.q.val() + bit_cast::<32, CL>(self.sc_adv.q.val());
        self.bw_data.next = (bit_cast::<38, CL>(self.sc_low.q.val()) << 32)
            | bit_cast::<38, 32>(self.scan_sum.val());
        if self.in_reset.q.val() {
            // Every count to zero, with the blocks' counters.
            self.bw_addr.next = self.reset_cnt.q.val().get_bits::<5>(0);
            self.bw_data.next = 0.into();
        }
        // The first write-back after the reset carries what the scan read during it (perhaps
        // an entry not yet cleared): zero instead.
        // (Three write-backs when the scan is staged.)
        self.after_reset.d.next = self.in_reset.q.val();
        self.sb_after.d.next = self.after_reset.q.val();
        self.sc_after.d.next = self.sb_after.q.val();
        if self.after_reset.q.val() | self.sb_after.q.val() | self.sc_after.q.val() {
            self.bw_data.next = 0.into();
        }
        self.bank_s.write_enable.next = true;
        self.bank_s.write_address.next = self.bw_addr.val();
        self.bank_s.write_data.next = self.bw_data.val();
        self.bank_r.write_enable.next = true;
        self.bank_r.write_address.next = self.bw_addr.val();
        self.bank_r.write_data.next = self.bw_data.val();
        self.rd_stage.d.next = self.rd_sum.val();
        self.rv_stage.d.next = self.ra_valid.q.val();
        self.rdata.next = self.rd_stage.q.val();
        self.rvalid.next = self.rv_stage.q.val();
        self.reset.next = self.in_reset.q.val();
        // (`in_reset` is `reset_cnt != 0`, kept from the count's parts rather than its next
        // value: a soft reset's write, or a count that does not end this cycle.)
        self.in_reset.d.next =
            self.soft_w.val() | (self.in_reset.q.val() & (self.reset_cnt.q.val() != 1));
        self.rx_enable.next = (self.ctrl_r.q.val() & self.k_rx_enable.val()) != 0;
        self.speed_10g.next = (self.ctrl_r.q.val() & self.k_speed_10g.val()) != 0;
        self.max_frame.next = self.max_frame_r.q.val();
        // At a VI command, the staged configuration in the VI engine's layout.
        if self.w_vi_cmd.q.val() {
            // The staged configuration in the VI engine's layout (`vi_engine::cfg`; the shifts
            // are literals for the Verilog, checked against it below).
            self.cf_r.d.next = (bit_cast::<CFG_W, 32>(self.st[1].q.val()) << 32)
                | (bit_cast::<CFG_W, 32>(self.st[0].q.val()) << 0)
                | (bit_cast::<CFG_W, 4>(self.st[2].q.val().get_bits::<4>(0)) << 224)
                | (bit_cast::<CFG_W, 16>(self.st[3].q.val().get_bits::<16>(0)) << 192)
                | (bit_cast::<CFG_W, 32>(self.st[5].q.val()) << 96)
                | (bit_cast::<CFG_W, 32>(self.st[4].q.val()) << 64)
                | (bit_cast::<CFG_W, 4>(self.st[6].q.val().get_bits::<4>(0)) << 228)
                | (bit_cast::<CFG_W, 32>(self.st[7].q.val()) << 128)
                | (bit_cast::<CFG_W, 32>(self.st[8].q.val()) << 160)
                | (bit_cast::<CFG_W, 16>(self.st[9].q.val().get_bits::<16>(0)) << 208);
        }
        self.cf_word.next = self.cf_r.q.val();
        // At a transmit command, the staged transmit configuration in the transmit engine's
        // layout (`tx_engine::tcfg`, checked below).
        if self.w_tx_cmd.q.val() {
            self.tf_r.d.next = bit_cast::<TCFG_W, 32>(self.tst[0].q.val())
                | (bit_cast::<TCFG_W, 32>(self.tst[1].q.val()) << 32)
                | (bit_cast::<TCFG_W, 4>(self.tst[2].q.val().get_bits::<4>(0)) << 64)
                | (bit_cast::<TCFG_W, 16>(self.tst[3].q.val().get_bits::<16>(0)) << 68)
                | (bit_cast::<TCFG_W, 21>(self.tst[4].q.val().get_bits::<21>(0)) << 84)
                | (bit_cast::<TCFG_W, 32>(self.tst[5].q.val()) << 105)
                | (bit_cast::<TCFG_W, 2>(self.tst[6].q.val().get_bits::<2>(0)) << 137);
        }
        self.tf_word.next = self.tf_r.q.val();
        self.loopback.next = (self.ctrl_r.q.val() & self.k_loopback.val()) != 0;
        self.timestamp.next = self.ticks.q.val();
    }
}

// The buffer table's entry is the address's bits 3..18 and a VI's doorbell page its bits
// 12..21 with the two above them less one (`bt_addr`, `mm_vi`).
const _: () = assert!(regs::BUFTBL_BASE.is_multiple_of(1 << 19) && regs::DB_BASE == 1 << 22);

// The transmit configuration's layout, as the register file packs it.
const _: () = assert!(
    tcfg::RING_BASE == 0
        && tcfg::RING_BITS == 64
        && tcfg::QUANTUM == 68
        && tcfg::RATE_M == 84
        && tcfg::RATE_E == 100
        && tcfg::BURST == 105
        && tcfg::SHAPED == 137
        && tcfg::UNRESTRICTED == 138
);

/// The decode of an MMIO request that the register file acts on at once: which doorbell,
/// command or VI-command register it addresses, and the VI command's operation. The card
/// computes it from the request as it arrives and registers it with the request; the
/// register file takes it on its `dec_*` inputs.
#[derive(LogicBlock)]
pub struct MmioDecode {
    pub addr: Signal<In, Bits<AW>>,
    pub wdata: Signal<In, Bits<32>>,
    /// In a VI's doorbell page.
    pub db: Signal<Out, Bit>,
    /// One of a doorbell page's transmit registers (the transmit engine's).
    pub tx_db: Signal<Out, Bit>,
    /// `TX_CMD`.
    pub tx_cmd: Signal<Out, Bit>,
    /// `VI_CMD`.
    pub vi_cmd: Signal<Out, Bit>,
    /// The data's operation field: `vi_cmd::CREATE`, `vi_cmd::DESTROY`.
    pub op_create: Signal<Out, Bit>,
    pub op_destroy: Signal<Out, Bit>,
    /// The control page (below 0x400).
    pub ctl: Signal<Out, Bit>,
    /// The staged registers' window (their copy in distributed RAM).
    pub shadow: Signal<Out, Bit>,
    /// The buffer table's window, as long as the card's table.
    pub bt: Signal<Out, Bit>,
    /// `CTRL`.
    pub ctrl: Signal<Out, Bit>,
    low: Signal<Local, Bits<12>>,
    op: Signal<Local, Bits<4>>,
    k_db_base: Constant<Bits<AW>>,
    k_tx_cmd: Constant<Bits<AW>>,
    k_vi_cmd: Constant<Bits<AW>>,
    k_tx_db_lo: Constant<Bits<12>>,
    k_tx_db_hi: Constant<Bits<12>>,
    k_tx_cnt_lo: Constant<Bits<12>>,
    k_tx_cnt_hi: Constant<Bits<12>>,
    k_op_create: Constant<Bits<4>>,
    k_op_destroy: Constant<Bits<4>>,
    // Each window by its address bits above its size (each starts at a multiple of it).
    k_ctl_mask: Constant<Bits<AW>>,
    k_shadow_mask: Constant<Bits<AW>>,
    k_shadow_base: Constant<Bits<AW>>,
    k_bt_mask: Constant<Bits<AW>>,
    k_bt_base: Constant<Bits<AW>>,
    k_ctrl: Constant<Bits<AW>>,
}

impl Default for MmioDecode {
    fn default() -> Self {
        Self::new(params::BUFTBL_BITS)
    }
}

impl MmioDecode {
    /// The decode for a card with 2^`buftbl_bits` buffer-table entries.
    pub fn new(buftbl_bits: usize) -> Self {
        let reg = |a: u32| Constant::new((a as u64).into());
        // A window of 2^`bits` bytes at `base`: the mask of the address bits that name it.
        let window = |base: u32, bits: usize| {
            assert!(bits < AW && base.is_multiple_of(1 << bits));
            reg(((1u32 << AW) - 1) & !((1u32 << bits) - 1))
        };
        MmioDecode {
            addr: Default::default(),
            wdata: Default::default(),
            db: Default::default(),
            tx_db: Default::default(),
            tx_cmd: Default::default(),
            vi_cmd: Default::default(),
            op_create: Default::default(),
            op_destroy: Default::default(),
            ctl: Default::default(),
            shadow: Default::default(),
            bt: Default::default(),
            ctrl: Default::default(),
            low: Default::default(),
            op: Default::default(),
            k_db_base: reg(regs::DB_BASE),
            k_tx_cmd: reg(regs::TX_CMD),
            k_vi_cmd: reg(regs::VI_CMD),
            k_tx_db_lo: Constant::new((db::TX_PROD as u64).into()),
            k_tx_db_hi: Constant::new(0x40u64.into()),
            k_tx_cnt_lo: Constant::new((db::TX_COUNTER_BASE as u64).into()),
            k_tx_cnt_hi: Constant::new(0x200u64.into()),
            k_op_create: Constant::new((vi_cmd::CREATE as u64).into()),
            k_op_destroy: Constant::new((vi_cmd::DESTROY as u64).into()),
            k_ctl_mask: window(0, 10),
            k_shadow_mask: window(SHADOW_BASE, 7),
            k_shadow_base: reg(SHADOW_BASE),
            k_bt_mask: window(regs::BUFTBL_BASE, buftbl_bits + 3),
            k_bt_base: reg(regs::BUFTBL_BASE),
            k_ctrl: reg(regs::CTRL),
        }
    }
}

impl Logic for MmioDecode {
    #[hdl_gen]
    fn update(&mut self) {
        self.low.next = self.addr.val().get_bits::<12>(0);
        self.op.next = self.wdata.val().get_bits::<4>(28);
        self.db.next = self.addr.val() >= self.k_db_base.val();
        self.tx_db.next = (self.addr.val() >= self.k_db_base.val())
            & (((self.low.val() >= self.k_tx_db_lo.val())
                & (self.low.val() < self.k_tx_db_hi.val()))
                | ((self.low.val() >= self.k_tx_cnt_lo.val())
                    & (self.low.val() < self.k_tx_cnt_hi.val())));
        self.tx_cmd.next = self.addr.val() == self.k_tx_cmd.val();
        self.vi_cmd.next = self.addr.val() == self.k_vi_cmd.val();
        self.op_create.next = self.op.val() == self.k_op_create.val();
        self.op_destroy.next = self.op.val() == self.k_op_destroy.val();
        self.ctl.next = (self.addr.val() & self.k_ctl_mask.val()) == 0;
        self.shadow.next = (self.addr.val() & self.k_shadow_mask.val()) == self.k_shadow_base.val();
        self.bt.next = (self.addr.val() & self.k_bt_mask.val()) == self.k_bt_base.val();
        self.ctrl.next = self.addr.val() == self.k_ctrl.val();
    }
}
