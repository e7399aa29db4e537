//! The card's top level: PHY pins, the MMIO slave, the DMA master, and the blocks between.

use crate::classifier::Classifier;
use crate::desc_fetch::DescFetch;
use crate::gmii_tx::GmiiTx;
use crate::irq::IrqTimers;
use crate::mac_rx::MacRx;
use crate::mac_tx::MacTx;
use crate::regfile::{MmioDecode, RegFile, COUNTER_LOW_BITS};
use crate::rx_buffer::RxBuffer;
use crate::rx_dma::RxDma;
use crate::skid::Skid;
use crate::stage::Stage;
use crate::tx_dma::{TxDma, SIM_SLOT_BITS, SLOT_BEAT_BITS};
use crate::tx_engine::{TxEngine, TX_DESC_BITS};
use crate::vi_engine::ViEngine;
use arsenic_interface::classifier::ClassifierParams;
use arsenic_interface::params::{
    build_size, BUFTBL_BITS, DESC_PER_VI_BITS, DMA_TAG_BITS, MMIO_ADDR_BITS, VI_BITS,
};

/// The card of the simulation configuration: 1024 VIs, 16384 buffer-table entries, 32
/// transmit frame slots.
pub type SimNic = Nic<
    VI_BITS,
    { VI_BITS + DESC_PER_VI_BITS },
    BUFTBL_BITS,
    { VI_BITS + TX_DESC_BITS },
    SIM_SLOT_BITS,
    { SIM_SLOT_BITS + 1 },
    { SIM_SLOT_BITS + SLOT_BEAT_BITS },
    { SIM_SLOT_BITS + 4 },
    { 1 << SIM_SLOT_BITS },
>;
/// log2 of the small card's transmit frame slots: 4 slots of 2 KiB, 4 DP16KD instead of
/// the simulation card's 32 (enough reads in flight for 1 GbE).
pub const BOARD_SLOT_BITS: usize = 2;
/// Width of the RX DMA's write slice: address, beat, event word, strobes, which word.
const WSKID_W: usize = 201;
/// log2 of the small card's VIs: 4 (16 VIs), or `ARSENIC_BOARD_VI_BITS` at build time
/// (1..=10; `arsenic_interface::params::build_size`).
pub const BOARD_VI_BITS: usize = build_size(option_env!("ARSENIC_BOARD_VI_BITS"), 4);
/// log2 of the small card's buffer-table entries: 10 (1024), or `ARSENIC_BOARD_BUFTBL_BITS`
/// at build time (4..=14).
pub const BOARD_BUFTBL_BITS: usize = build_size(option_env!("ARSENIC_BOARD_BUFTBL_BITS"), 10);
const _: () = assert!(
    BOARD_VI_BITS >= 1 && BOARD_VI_BITS <= VI_BITS,
    "ARSENIC_BOARD_VI_BITS must be 1..=10"
);
const _: () = assert!(
    BOARD_BUFTBL_BITS >= 4 && BOARD_BUFTBL_BITS <= BUFTBL_BITS,
    "ARSENIC_BOARD_BUFTBL_BITS must be 4..=14"
);
/// A small card, as a board can afford: 16 VIs, 1024 buffer-table entries, 4 transmit frame
/// slots.
pub type SmallNic = Nic<
    BOARD_VI_BITS,
    { BOARD_VI_BITS + DESC_PER_VI_BITS },
    BOARD_BUFTBL_BITS,
    { BOARD_VI_BITS + TX_DESC_BITS },
    BOARD_SLOT_BITS,
    { BOARD_SLOT_BITS + 1 },
    { BOARD_SLOT_BITS + SLOT_BEAT_BITS },
    { BOARD_SLOT_BITS + 4 },
    { 1 << BOARD_SLOT_BITS },
>;
use rust_hdl::prelude::*;

/// The card. `VB`: log2 of the VIs; `CB`: `VB + DESC_PER_VI_BITS`; `BB`: log2 of the buffer
/// table's entries; `TB`: `VB + TX_DESC_BITS`.
///
/// DMA read tags: 0..=7 the receive descriptor reads, 8 and 9 the transmit descriptor reads,
/// 32 and up the transmit data reads (one per frame slot). `SB`, `PB`, `DA`, `HA`, `NS`: the
/// transmit DMA's frame slots (`tx_dma::TxDma`).
#[derive(LogicBlock)]
pub struct Nic<
    const VB: usize,
    const CB: usize,
    const BB: usize,
    const TB: usize,
    const SB: usize,
    const PB: usize,
    const DA: usize,
    const HA: usize,
    const NS: usize,
> {
    pub clock: Signal<In, Clock>,
    // GMII receive (1 GbE).
    pub gmii_rxd: Signal<In, Bits<8>>,
    pub gmii_rx_dv: Signal<In, Bit>,
    pub gmii_rx_er: Signal<In, Bit>,
    // XGMII receive (10 GbE).
    pub xgmii_rxd: Signal<In, Bits<64>>,
    pub xgmii_rxc: Signal<In, Bits<8>>,
    // GMII transmit (1 GbE).
    pub gmii_txd: Signal<Out, Bits<8>>,
    pub gmii_tx_en: Signal<Out, Bit>,
    pub gmii_tx_er: Signal<Out, Bit>,
    // XGMII transmit (10 GbE).
    pub xgmii_txd: Signal<Out, Bits<64>>,
    pub xgmii_txc: Signal<Out, Bits<8>>,
    // MMIO slave: one request per cycle while `mmio_ready`; a read answers with
    // `mmio_rvalid` later.
    pub mmio_addr: Signal<In, Bits<MMIO_ADDR_BITS>>,
    pub mmio_wdata: Signal<In, Bits<32>>,
    pub mmio_write: Signal<In, Bit>,
    pub mmio_read: Signal<In, Bit>,
    pub mmio_rdata: Signal<Out, Bits<32>>,
    pub mmio_rvalid: Signal<Out, Bit>,
    pub mmio_ready: Signal<Out, Bit>,
    // Interrupts: one message a cycle at most, the vector is the VI.
    pub irq_valid: Signal<Out, Bit>,
    pub irq_vector: Signal<Out, Bits<16>>,
    // DMA write channel: posted writes of one 8-byte beat with byte strobes.
    pub dma_wr_valid: Signal<Out, Bit>,
    pub dma_wr_addr: Signal<Out, Bits<64>>,
    pub dma_wr_data: Signal<Out, Bits<64>>,
    pub dma_wr_strb: Signal<Out, Bits<8>>,
    pub dma_wr_ready: Signal<In, Bit>,
    // DMA read channel: tagged requests of `dma_rd_beats` beats.
    pub dma_rd_valid: Signal<Out, Bit>,
    pub dma_rd_addr: Signal<Out, Bits<64>>,
    pub dma_rd_beats: Signal<Out, Bits<8>>,
    pub dma_rd_tag: Signal<Out, Bits<DMA_TAG_BITS>>,
    pub dma_rd_ready: Signal<In, Bit>,
    // DMA read completions: beats of one tag in order, `last` on its final beat.
    pub dma_cpl_valid: Signal<In, Bit>,
    pub dma_cpl_tag: Signal<In, Bits<DMA_TAG_BITS>>,
    pub dma_cpl_data: Signal<In, Bits<64>>,
    pub dma_cpl_last: Signal<In, Bit>,
    mac: MacRx,
    rxbuf: RxBuffer,
    cls: Classifier,
    // The classifier's view of the receive stream and of the buffer's verdict: registered on
    // the gigabit card (beats come at most one in eight cycles there, so the classifier sees
    // the same stream a cycle later), wires on the simulation card.
    ci_valid: Stage<Bit>,
    ci_data: Stage<Bits<64>>,
    ci_nbytes: Stage<Bits<4>>,
    /// The octets the MAC's beat holds, a bit each (the classifier's `s_lanes`).
    ci_lanes: Stage<Bits<8>>,
    ci_last: Stage<Bit>,
    ci_len: Stage<Bits<16>>,
    ci_commit: Stage<Bit>,
    // The host's MMIO request, registered on the gigabit card before the blocks see it (a
    // request then takes a cycle longer, and `mmio_ready` falls while one is in the
    // register), wires on the simulation card.
    mi_addr: Stage<Bits<MMIO_ADDR_BITS>>,
    mi_wdata: Stage<Bits<32>>,
    mi_write: Stage<Bit>,
    mi_read: Stage<Bit>,
    // The request's decode, computed before the register and staged with it: the register
    // file's doorbell and command flags, and the transmit filters' window.
    mdec: MmioDecode,
    mi_db: Stage<Bit>,
    mi_tx_db: Stage<Bit>,
    mi_tx_cmd: Stage<Bit>,
    mi_vi_cmd: Stage<Bit>,
    mi_op_create: Stage<Bit>,
    mi_op_destroy: Stage<Bit>,
    mi_ctl: Stage<Bit>,
    mi_shadow: Stage<Bit>,
    mi_bt: Stage<Bit>,
    mi_ctrl: Stage<Bit>,
    mi_txwin: Stage<Bit>,
    // The blocks ready for a request (`mmio_ready` on the simulation card); registered on
    // the gigabit card, low the cycle after a request (the request's own register and the
    // blocks' buffers keep it low after that), so that the host side sees a register.
    ready_now: Signal<Local, Bit>,
    // Each interrupt source's deadline (the time plus its holdoff), summed beside the source
    // so that the choice between the two passes no sum.
    dl_dma: Signal<Local, Bits<32>>,
    dl_eng: Signal<Local, Bits<32>>,
    mi_ready: Stage<Bit>,
    // The card's idle flags on their way to the status register (a cycle old on the board:
    // each gathers some ten blocks' flags).
    st_rx_idle: Stage<Bit>,
    st_tx_idle: Stage<Bit>,
    // The loopback flag and the longest frame, a cycle old on the board: registered beside
    // the receive MAC (its input multiplexer, its length checks), not beside the register
    // file.
    lb: Stage<Bit>,
    mf: Stage<Bits<16>>,
    // The transmit MAC's wire on its way back in loopback, registered on the board between
    // the transmitter and the receive MAC's front end.
    lw_txd: Stage<Bits<8>>,
    lw_en: Stage<Bit>,
    lw_er: Stage<Bit>,
    k_mmio_staged: Constant<Bit>,
    // The host's DMA read completions, routed by tag (descriptor fetch, transmit engine,
    // transmit DMA) and registered on the gigabit card before the blocks take them (a
    // completion beat then arrives a cycle later; the channel has no back-pressure), wires on
    // the simulation card.
    cp_fetch: Stage<Bit>,
    cp_txe: Stage<Bit>,
    cp_txd: Stage<Bit>,
    cp_tag: Stage<Bits<DMA_TAG_BITS>>,
    cp_data: Stage<Bits<64>>,
    cp_last: Stage<Bit>,
    // The transmit engine's take of the transmit DMA's outcome, registered on the board's
    // card (a wire on the simulation card): the DMA's outcome queue shifts a cycle after the
    // engine decides, while the engine is busy with the outcome it took.
    dn_take_s: Stage<Bit>,
    // The transmit DMA's header stream to the transmit filters, registered on the board's
    // card: the header's block RAM drives these flip-flops, not the filters' header RAM
    // across the die, and the filters' queue counts a frame from registers. (The DMA sends
    // a frame's last beat only while the filters are not busy; a frame before it made them
    // busy two cycles after its own last beat, and a checked frame is two beats at least.)
    vs_valid: Stage<Bit>,
    // The MMIO read's answer, registered on the board's card as it leaves: the engines'
    // answers are chosen in their decision cycle, the host link's register is across the die.
    mr_valid: Stage<Bit>,
    mr_data: Stage<Bits<32>>,
    // A register write into the receive classifier's tables, registered on the board's card
    // (its RAMs' write enables are many and spread out).
    cc_write: Stage<Bit>,
    cc_addr: Stage<Bits<MMIO_ADDR_BITS>>,
    cc_wdata: Stage<Bits<32>>,
    vs_data: Stage<Bits<64>>,
    vs_nbytes: Stage<Bits<4>>,
    vs_lanes: Stage<Bits<8>>,
    vs_last: Stage<Bit>,
    vs_len: Stage<Bits<16>>,
    vs_vi: Stage<Bits<16>>,
    fetch: DescFetch<VB, CB, BB>,
    eng: ViEngine<VB, CB>,
    dma: RxDma,
    irq: IrqTimers,
    regs: RegFile,
    txe: TxEngine<VB, TB>,
    txd: TxDma<VB, BB, SB, PB, DA, HA, NS>,
    txcls: Classifier,
    mac_tx: MacTx,
    // The gigabit-only card's transmit MAC (an octet a cycle); `mac_tx` serves otherwise.
    gtx: GmiiTx,
    // Register slices, registered on the board's card: the transmit DMA's frame stream to
    // `gtx` (data, octet count << 64, last << 68), and the RX DMA's writes to the host
    // (address, beat << 64, event word << 128, strobes << 192, which word << 200).
    gskid: Skid<69>,
    wskid: Skid<WSKID_W>,
    k_has_10g: Constant<Bit>,
    // The transmit wire of whichever MAC serves.
    w_txd: Signal<Local, Bits<8>>,
    w_en: Signal<Local, Bit>,
    w_er: Signal<Local, Bit>,
    // The DMA read arbiter's choice: 0 receive descriptors, 1 transmit descriptors, 2
    // transmit data.
    rd_sel: Signal<Local, Bits<2>>,
    k_tag_txd: Constant<Bits<DMA_TAG_BITS>>,
    k_tag_txdata: Constant<Bits<DMA_TAG_BITS>>,
    k_tx_win_lo: Constant<Bits<MMIO_ADDR_BITS>>,
    k_tx_win_hi: Constant<Bits<MMIO_ADDR_BITS>>,
    k_tx_win_off: Constant<Bits<MMIO_ADDR_BITS>>,
    /// A beat's octets as a bit each (`ci_lanes`, `vs_lanes`): 1 << nbytes, less one.
    rx_lanes: Signal<Local, Bits<16>>,
    tx_lanes: Signal<Local, Bits<16>>,
    k_one16: Constant<Bits<16>>,
}

impl<
        const VB: usize,
        const CB: usize,
        const BB: usize,
        const TB: usize,
        const SB: usize,
        const PB: usize,
        const DA: usize,
        const HA: usize,
        const NS: usize,
    > Nic<VB, CB, BB, TB, SB, PB, DA, HA, NS>
{
    /// The card without its 10 GbE paths (a board with gigabit PHYs): the receive MAC checks
    /// the FCS an octet a cycle, the transmit MAC is the octet-a-cycle `GmiiTx`, and the speed
    /// register is ignored. Its transmit and VI engines keep their pipelines' stage registers,
    /// for a board's 125 MHz: at a gigabit a 64-byte frame lasts 84 cycles, time enough for
    /// the transmit engine's thirteen-cycle scheduling decision and the VI engine's seven-cycle
    /// admission.
    pub fn gmii_only(mut self) -> Self {
        self.mac = MacRx::gmii_only();
        self.txe.set_deep(true);
        self.eng.set_deep(true);
        self.txd.set_deep(true);
        self.set_board_stages(true);
        self.regs.set_staged_read(true);
        self.k_has_10g = Constant::new(false);
        self.narrow_counters();
        self
    }

    /// Whether the classifier sees the receive stream, and the card's blocks the host's MMIO
    /// requests, through a register stage.
    fn set_board_stages(&mut self, registered: bool) {
        self.ci_valid.set_registered(registered);
        self.ci_data.set_registered(registered);
        self.ci_nbytes.set_registered(registered);
        self.ci_lanes.set_registered(registered);
        self.ci_last.set_registered(registered);
        self.ci_len.set_registered(registered);
        self.ci_commit.set_registered(registered);
        self.mi_addr.set_registered(registered);
        self.mi_wdata.set_registered(registered);
        self.mi_write.set_registered(registered);
        self.mi_read.set_registered(registered);
        self.mi_db.set_registered(registered);
        self.mi_tx_db.set_registered(registered);
        self.mi_tx_cmd.set_registered(registered);
        self.mi_vi_cmd.set_registered(registered);
        self.mi_op_create.set_registered(registered);
        self.mi_op_destroy.set_registered(registered);
        self.mi_ctl.set_registered(registered);
        self.mi_shadow.set_registered(registered);
        self.mi_bt.set_registered(registered);
        self.mi_ctrl.set_registered(registered);
        self.mi_txwin.set_registered(registered);
        self.mi_ready.set_registered(registered);
        self.st_rx_idle.set_registered(registered);
        self.st_tx_idle.set_registered(registered);
        self.lb.set_registered(registered);
        self.lw_txd.set_registered(registered);
        self.lw_en.set_registered(registered);
        self.lw_er.set_registered(registered);
        self.mf.set_registered(registered);
        self.cp_fetch.set_registered(registered);
        self.cp_txe.set_registered(registered);
        self.cp_txd.set_registered(registered);
        self.dn_take_s.set_registered(registered);
        self.vs_valid.set_registered(registered);
        self.mr_valid.set_registered(registered);
        self.mr_data.set_registered(registered);
        self.cc_write.set_registered(registered);
        self.cc_addr.set_registered(registered);
        self.cc_wdata.set_registered(registered);
        self.vs_data.set_registered(registered);
        self.vs_nbytes.set_registered(registered);
        self.vs_lanes.set_registered(registered);
        self.vs_last.set_registered(registered);
        self.vs_len.set_registered(registered);
        self.vs_vi.set_registered(registered);
        self.cp_tag.set_registered(registered);
        self.cp_data.set_registered(registered);
        self.cp_last.set_registered(registered);
        self.gskid.set_registered(registered);
        self.wskid.set_registered(registered);
        self.dma.set_write_slice(registered);
        self.dma.set_staged_admission(registered);
        self.rxbuf.set_head_register(registered);
        self.k_mmio_staged = Constant::new(registered);
    }

    /// The blocks keep the low `COUNTER_LOW_BITS` of their event counters; the register
    /// file's counter bank keeps the full counts.
    fn narrow_counters(&mut self) {
        let mask = Constant::new(((1u64 << COUNTER_LOW_BITS) - 1).into());
        self.mac.k_cmask = mask;
        self.rxbuf.k_cmask = mask;
        self.eng.k_cmask = mask;
        self.dma.k_cmask = mask;
        self.irq.k_cmask = mask;
        self.txe.k_cmask = mask;
        self.txd.k_cmask = mask;
        self.mac_tx.k_cmask = mask;
        self.gtx.k_cmask = mask;
    }

    /// The card with a receive classifier of `params` and transmit filters of `tx_params`.
    pub fn new(params: ClassifierParams, tx_params: ClassifierParams) -> Self {
        let mut nic = Nic {
            clock: Default::default(),
            gmii_rxd: Default::default(),
            gmii_rx_dv: Default::default(),
            gmii_rx_er: Default::default(),
            xgmii_rxd: Default::default(),
            xgmii_rxc: Default::default(),
            gmii_txd: Default::default(),
            gmii_tx_en: Default::default(),
            gmii_tx_er: Default::default(),
            xgmii_txd: Default::default(),
            xgmii_txc: Default::default(),
            mmio_addr: Default::default(),
            mmio_wdata: Default::default(),
            mmio_write: Default::default(),
            mmio_read: Default::default(),
            mmio_rdata: Default::default(),
            mmio_rvalid: Default::default(),
            mmio_ready: Default::default(),
            irq_valid: Default::default(),
            irq_vector: Default::default(),
            dma_wr_valid: Default::default(),
            dma_wr_addr: Default::default(),
            dma_wr_data: Default::default(),
            dma_wr_strb: Default::default(),
            dma_wr_ready: Default::default(),
            dma_rd_valid: Default::default(),
            dma_rd_addr: Default::default(),
            dma_rd_beats: Default::default(),
            dma_rd_tag: Default::default(),
            dma_rd_ready: Default::default(),
            dma_cpl_valid: Default::default(),
            dma_cpl_tag: Default::default(),
            dma_cpl_data: Default::default(),
            dma_cpl_last: Default::default(),
            mac: Default::default(),
            rxbuf: Default::default(),
            cls: Classifier::new(params).with_counter_bits(COUNTER_LOW_BITS),
            ci_valid: Default::default(),
            ci_data: Default::default(),
            ci_nbytes: Default::default(),
            ci_lanes: Default::default(),
            ci_last: Default::default(),
            ci_len: Default::default(),
            ci_commit: Default::default(),
            mi_addr: Default::default(),
            mi_wdata: Default::default(),
            mi_write: Default::default(),
            mi_read: Default::default(),
            mdec: MmioDecode::new(BB),
            mi_db: Default::default(),
            mi_tx_db: Default::default(),
            mi_tx_cmd: Default::default(),
            mi_vi_cmd: Default::default(),
            mi_op_create: Default::default(),
            mi_op_destroy: Default::default(),
            mi_ctl: Default::default(),
            mi_shadow: Default::default(),
            mi_bt: Default::default(),
            mi_ctrl: Default::default(),
            mi_txwin: Default::default(),
            dl_dma: Default::default(),
            dl_eng: Default::default(),
            ready_now: Default::default(),
            mi_ready: Default::default(),
            st_rx_idle: Default::default(),
            st_tx_idle: Default::default(),
            lb: Default::default(),
            lw_txd: Default::default(),
            lw_en: Default::default(),
            lw_er: Default::default(),
            mf: Default::default(),
            k_mmio_staged: Constant::new(false),
            cp_fetch: Default::default(),
            cp_txe: Default::default(),
            cp_txd: Default::default(),
            dn_take_s: Default::default(),
            vs_valid: Default::default(),
            mr_valid: Default::default(),
            mr_data: Default::default(),
            cc_write: Default::default(),
            cc_addr: Default::default(),
            cc_wdata: Default::default(),
            vs_data: Default::default(),
            vs_nbytes: Default::default(),
            vs_lanes: Default::default(),
            vs_last: Default::default(),
            vs_len: Default::default(),
            vs_vi: Default::default(),
            cp_tag: Default::default(),
            cp_data: Default::default(),
            cp_last: Default::default(),
            fetch: Default::default(),
            eng: Default::default(),
            dma: Default::default(),
            irq: Default::default(),
            regs: RegFile::new(VB, BB),
            txe: Default::default(),
            txd: Default::default(),
            txcls: Classifier::new_tx(tx_params).with_counter_bits(COUNTER_LOW_BITS),
            mac_tx: Default::default(),
            gtx: Default::default(),
            gskid: Default::default(),
            wskid: Default::default(),
            k_has_10g: Constant::new(true),
            w_txd: Default::default(),
            w_en: Default::default(),
            w_er: Default::default(),
            rd_sel: Default::default(),
            k_tag_txd: Constant::new(8u64.into()),
            k_tag_txdata: Constant::new(32u64.into()),
            k_tx_win_lo:
                Constant::new(
                    ((arsenic_interface::classifier::WINDOW
                        + arsenic_interface::regs::TX_FILTER_OFFSET) as u64)
                        .into(),
                ),
            k_tx_win_hi: Constant::new(
                ((arsenic_interface::classifier::WINDOW
                    + arsenic_interface::classifier::WINDOW_SIZE
                    + arsenic_interface::regs::TX_FILTER_OFFSET) as u64)
                    .into(),
            ),
            k_tx_win_off: Constant::new((arsenic_interface::regs::TX_FILTER_OFFSET as u64).into()),
            rx_lanes: Default::default(),
            tx_lanes: Default::default(),
            k_one16: Constant::new(1u64.into()),
        };
        nic.narrow_counters();
        // A 10 GbE link sends a 64-byte frame every 10.5 cycles: the transmit and VI engines
        // decide without their stage registers (see `TxEngine::set_deep`).
        nic.txe.set_deep(false);
        nic.eng.set_deep(false);
        nic.set_board_stages(false);
        nic
    }
}

impl<
        const VB: usize,
        const CB: usize,
        const BB: usize,
        const TB: usize,
        const SB: usize,
        const PB: usize,
        const DA: usize,
        const HA: usize,
        const NS: usize,
    > Default for Nic<VB, CB, BB, TB, SB, PB, DA, HA, NS>
{
    /// The card with the simulation configuration's classifiers.
    fn default() -> Self {
        Self::new(ClassifierParams::SIM, ClassifierParams::TX_SIM)
    }
}

impl<
        const VB: usize,
        const CB: usize,
        const BB: usize,
        const TB: usize,
        const SB: usize,
        const PB: usize,
        const DA: usize,
        const HA: usize,
        const NS: usize,
    > Logic for Nic<VB, CB, BB, TB, SB, PB, DA, HA, NS>
{
    #[hdl_gen]
    fn update(&mut self) {
        clock!(
            self,
            clock,
            mac,
            rxbuf,
            cls,
            ci_valid,
            ci_data,
            ci_nbytes,
            ci_lanes,
            ci_last,
            ci_len,
            ci_commit,
            mi_addr,
            mi_wdata,
            mi_write,
            mi_read,
            mi_db,
            mi_tx_db,
            mi_tx_cmd,
            mi_vi_cmd,
            mi_op_create,
            mi_op_destroy,
            mi_ctl,
            mi_shadow,
            mi_bt,
            mi_ctrl,
            mi_txwin,
            mi_ready,
            st_rx_idle,
            st_tx_idle,
            lb,
            mf,
            lw_txd,
            lw_en,
            lw_er,
            cp_fetch,
            cp_txe,
            cp_txd,
            dn_take_s,
            vs_valid,
            mr_valid,
            mr_data,
            cc_write,
            cc_addr,
            cc_wdata,
            vs_data,
            vs_nbytes,
            vs_lanes,
            vs_last,
            vs_len,
            vs_vi,
            cp_tag,
            cp_data,
            cp_last,
            fetch,
            eng,
            dma,
            irq,
            regs,
            txe,
            txd,
            txcls,
            mac_tx,
            gtx,
            gskid,
            wskid
        );
        if self.k_has_10g.val() {
            self.w_txd.next = self.mac_tx.gmii_txd.val();
            self.w_en.next = self.mac_tx.gmii_tx_en.val();
            self.w_er.next = self.mac_tx.gmii_tx_er.val();
        } else {
            self.w_txd.next = self.gtx.gmii_txd.val();
            self.w_en.next = self.gtx.gmii_tx_en.val();
            self.w_er.next = self.gtx.gmii_tx_er.val();
        }
        // Register file.
        self.mi_addr.d.next = self.mmio_addr.val();
        self.mi_wdata.d.next = self.mmio_wdata.val();
        self.mi_write.d.next = self.mmio_write.val();
        self.mi_read.d.next = self.mmio_read.val();
        self.regs.addr.next = self.mi_addr.q.val();
        self.regs.wdata.next = self.mi_wdata.q.val();
        self.regs.write.next = self.mi_write.q.val();
        self.regs.read.next = self.mi_read.q.val();
        self.mdec.addr.next = self.mmio_addr.val();
        self.mdec.wdata.next = self.mmio_wdata.val();
        self.mi_db.d.next = self.mdec.db.val();
        self.mi_tx_db.d.next = self.mdec.tx_db.val();
        self.mi_tx_cmd.d.next = self.mdec.tx_cmd.val();
        self.mi_vi_cmd.d.next = self.mdec.vi_cmd.val();
        self.mi_op_create.d.next = self.mdec.op_create.val();
        self.mi_op_destroy.d.next = self.mdec.op_destroy.val();
        self.mi_ctl.d.next = self.mdec.ctl.val();
        self.mi_shadow.d.next = self.mdec.shadow.val();
        self.mi_bt.d.next = self.mdec.bt.val();
        self.mi_ctrl.d.next = self.mdec.ctrl.val();
        self.mi_txwin.d.next = (self.mmio_addr.val() >= self.k_tx_win_lo.val())
            & (self.mmio_addr.val() < self.k_tx_win_hi.val());
        self.regs.dec_db.next = self.mi_db.q.val();
        self.regs.dec_tx_db.next = self.mi_tx_db.q.val();
        self.regs.dec_tx_cmd.next = self.mi_tx_cmd.q.val();
        self.regs.dec_vi_cmd.next = self.mi_vi_cmd.q.val();
        self.regs.dec_op_create.next = self.mi_op_create.q.val();
        self.regs.dec_op_destroy.next = self.mi_op_destroy.q.val();
        self.regs.dec_ctl.next = self.mi_ctl.q.val();
        self.regs.dec_shadow.next = self.mi_shadow.q.val();
        self.regs.dec_bt.next = self.mi_bt.q.val();
        self.regs.dec_ctrl.next = self.mi_ctrl.q.val();
        self.mr_data.d.next = self.regs.rdata.val();
        if self.eng.rd_valid.val() {
            self.mr_data.d.next = self.eng.rd_data.val();
        }
        if self.txe.rd_valid.val() {
            self.mr_data.d.next = self.txe.rd_data.val();
        }
        self.mr_valid.d.next =
            self.regs.rvalid.val() | self.eng.rd_valid.val() | self.txe.rd_valid.val();
        self.mmio_rdata.next = self.mr_data.q.val();
        self.mmio_rvalid.next = self.mr_valid.q.val();
        self.ready_now.next = self.eng.mm_ready.val()
            & self.txe.mm_ready.val()
            & !(self.k_mmio_staged.val() & (self.mi_write.q.val() | self.mi_read.q.val()));
        self.mi_ready.d.next =
            self.ready_now.val() & !(self.mmio_write.val() | self.mmio_read.val());
        self.mmio_ready.next = self.ready_now.val();
        if self.k_mmio_staged.val() {
            self.mmio_ready.next = self.mi_ready.q.val();
        }
        // MAC: from the PHY, or in loopback from the transmit MAC's wire.
        self.mac.gmii_rxd.next = self.gmii_rxd.val();
        self.mac.gmii_rx_dv.next = self.gmii_rx_dv.val();
        self.mac.gmii_rx_er.next = self.gmii_rx_er.val();
        self.mac.xgmii_rxd.next = self.xgmii_rxd.val();
        self.mac.xgmii_rxc.next = self.xgmii_rxc.val();
        self.lb.d.next = self.regs.loopback.val();
        self.lw_txd.d.next = self.w_txd.val();
        self.lw_en.d.next = self.w_en.val();
        self.lw_er.d.next = self.w_er.val();
        if self.lb.q.val() {
            self.mac.gmii_rxd.next = self.lw_txd.q.val();
            self.mac.gmii_rx_dv.next = self.lw_en.q.val();
            self.mac.gmii_rx_er.next = self.lw_er.q.val();
            self.mac.xgmii_rxd.next = self.mac_tx.xgmii_txd.val();
            self.mac.xgmii_rxc.next = self.mac_tx.xgmii_txc.val();
        }
        self.mac.speed_10g.next = self.regs.speed_10g.val();
        self.mac.rx_enable.next = self.regs.rx_enable.val();
        self.mf.d.next = self.regs.max_frame.val();
        self.mac.max_frame.next = self.mf.q.val();
        self.mac.reset.next = self.regs.reset.val();
        // Receive buffer.
        self.rxbuf.reset.next = self.regs.reset.val();
        self.rxbuf.in_valid.next = self.mac.valid.val();
        self.rxbuf.in_data.next = self.mac.data.val();
        self.rxbuf.in_nbytes.next = self.mac.nbytes.val();
        self.rxbuf.in_last.next = self.mac.last.val();
        self.rxbuf.in_ok.next = self.mac.ok.val();
        self.rxbuf.in_len.next = self.mac.len.val();
        self.rxbuf.info_pop.next = self.dma.info_pop.val();
        self.rxbuf.rd_addr.next = self.dma.rd_addr.val();
        self.rxbuf.free_ptr.next = self.dma.free_ptr.val();
        // Classifier: sees the MAC's stream and the buffer's verdict; tables through MMIO.
        self.cls.reset.next = self.regs.reset.val();
        self.ci_valid.d.next = self.mac.valid.val();
        self.ci_data.d.next = self.mac.data.val();
        self.ci_nbytes.d.next = self.mac.nbytes.val();
        self.rx_lanes.next = (self.k_one16.val() << self.mac.nbytes.val()) - 1;
        self.ci_lanes.d.next = 0.into();
        if self.mac.valid.val() {
            self.ci_lanes.d.next = self.rx_lanes.val().get_bits::<8>(0);
        }
        self.ci_last.d.next = self.mac.last.val();
        self.ci_len.d.next = self.mac.len.val();
        self.ci_commit.d.next = self.rxbuf.committed.val();
        self.cls.s_valid.next = self.ci_valid.q.val();
        self.cls.s_data.next = self.ci_data.q.val();
        self.cls.s_nbytes.next = self.ci_nbytes.q.val();
        self.cls.s_lanes.next = self.ci_lanes.q.val();
        self.cls.s_last.next = self.ci_last.q.val();
        self.cls.s_len.next = self.ci_len.q.val();
        self.cls.s_commit.next = self.ci_commit.q.val();
        self.cls.s_vi.next = 0.into();
        self.cc_write.d.next = self.mi_write.q.val();
        self.cc_addr.d.next = self.mi_addr.q.val();
        self.cc_wdata.d.next = self.mi_wdata.q.val();
        self.cls.cfg_write.next = self.cc_write.q.val();
        self.cls.cfg_addr.next = self.cc_addr.q.val();
        self.cls.cfg_wdata.next = self.cc_wdata.q.val();
        self.cls.res_pop.next = self.dma.cls_pop.val();
        self.dma.cls_empty.next = self.cls.res_empty.val();
        self.dma.cls_vi.next = self.cls.res_vi.val();
        self.dma.cls_filter.next = self.cls.res_filter.val();
        self.dma.cls_flags.next = self.cls.res_flags.val();
        // The VI engine: MMIO requests, admission, descriptor reads.
        self.eng.reset.next = self.regs.reset.val();
        self.eng.mm_valid.next = self.regs.mm_valid.val();
        self.eng.mm_op.next = self.regs.mm_op.val();
        self.eng.mm_vi.next = self.regs.mm_vi.val();
        self.eng.mm_reg.next = self.regs.mm_reg.val();
        self.eng.mm_data.next = self.regs.mm_data.val();
        self.eng.cf_word.next = self.regs.cf_word.val();
        self.regs.eng_status.next = self.eng.cmd_status.val();
        self.regs.eng_seq.next = self.eng.cmd_seq.val();
        self.eng.adm_valid.next = self.dma.adm_valid.val();
        self.eng.adm_vi.next = self.dma.adm_vi.val();
        self.eng.adm_len.next = self.dma.adm_len.val();
        self.dma.adm_take.next = self.eng.adm_take.val();
        self.dma.res_valid.next = self.eng.res_valid.val();
        self.dma.res_action.next = self.eng.res_action.val();
        self.dma.res_code.next = self.eng.res_code.val();
        self.dma.res_addr.next = self.eng.res_addr.val();
        self.dma.res_evq.next = self.eng.res_evq.val();
        self.dma.res_phase.next = self.eng.res_phase.val();
        self.dma.res_desc.next = self.eng.res_desc.val();
        self.dma.res_irq.next = self.eng.res_irq.val();
        self.dma.res_holdoff.next = self.eng.res_holdoff.val();
        self.dma.aux_valid.next = self.eng.aux_valid.val();
        self.dma.aux_vi.next = self.eng.aux_vi.val();
        self.dma.aux_code.next = self.eng.aux_code.val();
        self.dma.aux_value.next = self.eng.aux_value.val();
        self.dma.aux_evq.next = self.eng.aux_evq.val();
        self.dma.aux_phase.next = self.eng.aux_phase.val();
        self.dma.aux_kind.next = self.eng.aux_kind.val();
        self.dma.aux_len.next = self.eng.aux_len.val();
        self.dma.aux_irq.next = self.eng.aux_irq.val();
        self.dma.aux_holdoff.next = self.eng.aux_holdoff.val();
        self.eng.aux_take.next = self.dma.aux_take.val();
        self.eng.done_seq.next = self.dma.done_seq.val();
        // Descriptor fetch and the buffer table.
        self.fetch.reset.next = self.regs.reset.val();
        self.fetch.fi_valid.next = self.eng.fi_valid.val();
        self.fetch.fi_vi.next = self.eng.fi_vi.val();
        self.fetch.fi_addr.next = self.eng.fi_addr.val();
        self.fetch.fi_n.next = self.eng.fi_n.val();
        self.fetch.fi_slot.next = self.eng.fi_slot.val();
        self.fetch.fi_first.next = self.eng.fi_first.val();
        self.fetch.fi_count.next = self.eng.fi_count.val();
        self.fetch.fi_buf_size.next = self.eng.fi_buf_size.val();
        self.eng.fi_take.next = self.fetch.fi_take.val();
        self.eng.fd_valid.next = self.fetch.fd_valid.val();
        self.eng.fd_vi.next = self.fetch.fd_vi.val();
        self.fetch.fd_take.next = self.eng.fd_take.val();
        self.eng.cw_en.next = self.fetch.cw_en.val();
        self.eng.cw_addr.next = self.fetch.cw_addr.val();
        self.eng.cw_data.next = self.fetch.cw_data.val();
        self.fetch.bt_we.next = self.regs.bt_we.val();
        self.fetch.bt_addr.next = self.regs.bt_addr.val().get_bits::<BB>(0);
        self.fetch.bt_data.next = self.regs.bt_data.val();
        // DMA reads: receive descriptors first, then transmit descriptors, then frame data.
        self.rd_sel.next = 2.into();
        if self.txe.rq_valid.val() {
            self.rd_sel.next = 1.into();
        }
        if self.fetch.rd_valid.val() {
            self.rd_sel.next = 0.into();
        }
        self.fetch.rd_ready.next = self.dma_rd_ready.val() & (self.rd_sel.val() == 0);
        self.txe.rq_ready.next = self.dma_rd_ready.val() & (self.rd_sel.val() == 1);
        self.txd.rd_ready.next = self.dma_rd_ready.val() & (self.rd_sel.val() == 2);
        self.dma_rd_valid.next = self.txd.rd_valid.val();
        self.dma_rd_addr.next = self.txd.rd_addr.val();
        self.dma_rd_beats.next = self.txd.rd_beats.val();
        self.dma_rd_tag.next =
            self.k_tag_txdata.val() | bit_cast::<DMA_TAG_BITS, SB>(self.txd.rd_tag.val());
        if self.rd_sel.val() == 1 {
            self.dma_rd_valid.next = true;
            self.dma_rd_addr.next = self.txe.rq_addr.val();
            self.dma_rd_beats.next = self.txe.rq_beats.val();
            self.dma_rd_tag.next =
                self.k_tag_txd.val() | bit_cast::<DMA_TAG_BITS, 1>(self.txe.rq_tag.val().into());
        }
        if self.rd_sel.val() == 0 {
            self.dma_rd_valid.next = true;
            self.dma_rd_addr.next = self.fetch.rd_addr.val();
            self.dma_rd_beats.next = bit_cast::<8, 5>(self.fetch.rd_beats.val());
            self.dma_rd_tag.next = bit_cast::<DMA_TAG_BITS, 3>(self.fetch.rd_tag.val());
        }
        // Completions by tag, decoded before their stage.
        self.cp_fetch.d.next =
            self.dma_cpl_valid.val() & (self.dma_cpl_tag.val().get_bits::<3>(3) == 0);
        self.cp_txe.d.next =
            self.dma_cpl_valid.val() & (self.dma_cpl_tag.val().get_bits::<3>(3) == 1);
        self.cp_txd.d.next = self.dma_cpl_valid.val() & self.dma_cpl_tag.val().get_bit(5);
        self.cp_tag.d.next = self.dma_cpl_tag.val();
        self.cp_data.d.next = self.dma_cpl_data.val();
        self.cp_last.d.next = self.dma_cpl_last.val();
        self.fetch.cpl_valid.next = self.cp_fetch.q.val();
        self.fetch.cpl_tag.next = self.cp_tag.q.val().get_bits::<3>(0);
        self.fetch.cpl_data.next = self.cp_data.q.val();
        self.fetch.cpl_last.next = self.cp_last.q.val();
        self.txe.cpl_valid.next = self.cp_txe.q.val();
        self.txe.cpl_tag.next = self.cp_tag.q.val().get_bit(0);
        self.txe.cpl_data.next = self.cp_data.q.val();
        self.txe.cpl_last.next = self.cp_last.q.val();
        self.txd.cpl_valid.next = self.cp_txd.q.val();
        self.txd.cpl_tag.next = self.cp_tag.q.val().get_bits::<SB>(0);
        self.txd.cpl_data.next = self.cp_data.q.val();
        self.txd.cpl_last.next = self.cp_last.q.val();
        // The transmit engine: doorbells, `TX_CMD`, scheduling, descriptor reads.
        self.txe.reset.next = self.regs.reset.val();
        self.txe.now.next = self.regs.timestamp.val().get_bits::<48>(0);
        self.txe.mm_valid.next = self.regs.tx_valid.val();
        self.txe.mm_write.next = self.regs.tx_write.val();
        self.txe.mm_cmd.next = self.regs.tx_cmd.val();
        self.txe.mm_vi.next = self.regs.tx_vi.val();
        self.txe.mm_reg.next = self.mi_addr.q.val().get_bits::<12>(0);
        self.txe.mm_data.next = self.regs.tx_data.val();
        self.txe.tf_word.next = self.regs.tf_word.val();
        self.regs.tx_status.next = self.txe.cmd_status.val();
        self.txd.job_valid.next = self.txe.job_valid.val();
        self.txd.job_vi.next = self.txe.job_vi.val();
        self.txd.job_idx.next = self.txe.job_idx.val();
        self.txd.job_desc.next = self.txe.job_desc.val();
        self.txd.job_unres.next = self.txe.job_unres.val();
        self.txe.job_take.next = self.txd.job_take.val();
        self.txe.dn_valid.next = self.txd.dn_valid.val();
        self.txe.dn_vi.next = self.txd.dn_vi.val();
        self.txe.dn_idx.next = self.txd.dn_idx.val();
        self.txe.dn_len.next = self.txd.dn_len.val();
        self.txe.dn_code.next = self.txd.dn_code.val();
        self.txe.dn_event.next = self.txd.dn_event.val();
        self.dn_take_s.d.next = self.txe.dn_take.val();
        self.txd.dn_take.next = self.dn_take_s.q.val();
        self.eng.tx_ev_valid.next = self.txe.ev_valid.val();
        self.eng.tx_ev_vi.next = self.txe.ev_vi.val();
        self.eng.tx_ev_error.next = self.txe.ev_error.val();
        self.eng.tx_ev_code.next = self.txe.ev_code.val();
        self.eng.tx_ev_value.next = self.txe.ev_value.val();
        self.eng.tx_ev_len.next = self.txe.ev_len.val();
        self.txe.ev_take.next = self.eng.tx_ev_take.val();
        // Transmit DMA, the transmit filters, the transmit MAC.
        self.txd.reset.next = self.regs.reset.val();
        self.txd.max_frame.next = self.regs.max_frame.val();
        self.txd.bt_we.next = self.regs.bt_we.val();
        self.txd.bt_addr.next = self.regs.bt_addr.val().get_bits::<BB>(0);
        self.txd.bt_data.next = self.regs.bt_data.val();
        self.txcls.reset.next = self.regs.reset.val();
        self.vs_valid.d.next = self.txd.v_valid.val();
        self.vs_data.d.next = self.txd.v_data.val();
        self.vs_nbytes.d.next = self.txd.v_nbytes.val();
        self.tx_lanes.next = (self.k_one16.val() << self.txd.v_nbytes.val()) - 1;
        self.vs_lanes.d.next = 0.into();
        if self.txd.v_valid.val() {
            self.vs_lanes.d.next = self.tx_lanes.val().get_bits::<8>(0);
        }
        self.vs_last.d.next = self.txd.v_last.val();
        self.vs_len.d.next = self.txd.v_len.val();
        self.vs_vi.d.next = self.txd.v_vi.val();
        self.txcls.s_valid.next = self.vs_valid.q.val();
        self.txcls.s_data.next = self.vs_data.q.val();
        self.txcls.s_nbytes.next = self.vs_nbytes.q.val();
        self.txcls.s_lanes.next = self.vs_lanes.q.val();
        self.txcls.s_last.next = self.vs_last.q.val();
        self.txcls.s_len.next = self.vs_len.q.val();
        self.txcls.s_commit.next = self.vs_last.q.val();
        self.txcls.s_vi.next = self.vs_vi.q.val();
        self.txcls.cfg_write.next = self.mi_write.q.val() & self.mi_txwin.q.val();
        self.txcls.cfg_addr.next = self.mi_addr.q.val() - self.k_tx_win_off.val();
        self.txcls.cfg_wdata.next = self.mi_wdata.q.val();
        self.txcls.res_pop.next = self.txd.res_pop.val();
        self.txd.cls_busy.next = self.txcls.busy.val();
        self.txd.res_empty.next = self.txcls.res_empty.val();
        self.txd.res_filter.next = self.txcls.res_filter.val();
        self.mac_tx.reset.next = self.regs.reset.val();
        self.mac_tx.speed_10g.next = self.regs.speed_10g.val();
        self.mac_tx.s_valid.next = self.txd.m_valid.val() & self.k_has_10g.val();
        self.mac_tx.s_data.next = self.txd.m_data.val();
        self.mac_tx.s_nbytes.next = self.txd.m_nbytes.val();
        self.mac_tx.s_last.next = self.txd.m_last.val();
        self.gtx.reset.next = self.regs.reset.val();
        self.gskid.reset.next = self.regs.reset.val();
        self.gskid.s_valid.next = self.txd.m_valid.val() & !self.k_has_10g.val();
        // (A card with 10 GbE holds the unused MAC's inputs still: a simulator then has
        // nothing of it to evaluate.)
        self.gskid.s_data.next = 0.into();
        if !self.k_has_10g.val() {
            self.gskid.s_data.next = bit_cast::<69, 64>(self.txd.m_data.val())
                | (bit_cast::<69, 4>(self.txd.m_nbytes.val()) << 64)
                | (bit_cast::<69, 1>(self.txd.m_last.val().into()) << 68);
        }
        self.gtx.s_valid.next = self.gskid.m_valid.val();
        self.gtx.s_data.next = self.gskid.m_data.val().get_bits::<64>(0);
        self.gtx.s_nbytes.next = self.gskid.m_data.val().get_bits::<4>(64);
        self.gtx.s_last.next = self.gskid.m_data.val().get_bit(68);
        self.gskid.m_ready.next = self.gtx.s_ready.val();
        if self.k_has_10g.val() {
            self.txd.m_ready.next = self.mac_tx.s_ready.val();
        } else {
            self.txd.m_ready.next = self.gskid.s_ready.val();
        }
        self.gmii_txd.next = self.w_txd.val();
        self.gmii_tx_en.next = self.w_en.val();
        self.gmii_tx_er.next = self.w_er.val();
        self.xgmii_txd.next = self.mac_tx.xgmii_txd.val();
        self.xgmii_txc.next = self.mac_tx.xgmii_txc.val();
        // RX DMA.
        self.dma.reset.next = self.regs.reset.val();
        self.dma.timestamp.next = self.regs.timestamp.val().get_bits::<48>(0);
        self.dma.info_empty.next = self.rxbuf.info_empty.val();
        self.dma.info_len.next = self.rxbuf.info_len.val();
        self.dma.rd_data.next = self.rxbuf.rd_data.val();
        self.wskid.reset.next = self.regs.reset.val();
        self.wskid.s_valid.next = self.dma.wr_valid.val();
        // (The beat and the event word both pass the slice; the word is chosen after it.)
        self.wskid.s_data.next = bit_cast::<WSKID_W, 64>(self.dma.wr_addr.val())
            | (bit_cast::<WSKID_W, 64>(self.dma.wr_beat.val()) << 64)
            | (bit_cast::<WSKID_W, 64>(self.dma.wr_event.val()) << 128)
            | (bit_cast::<WSKID_W, 8>(self.dma.wr_strb.val()) << 192)
            | (bit_cast::<WSKID_W, 1>(self.dma.wr_is_beat.val().into()) << 200);
        self.dma.wr_ready.next = self.wskid.s_ready.val();
        self.dma.wr_empty.next = self.wskid.empty.val();
        self.dma_wr_valid.next = self.wskid.m_valid.val();
        self.dma_wr_addr.next = self.wskid.m_data.val().get_bits::<64>(0);
        self.dma_wr_data.next = self.wskid.m_data.val().get_bits::<64>(128);
        if self.wskid.m_data.val().get_bit(200) {
            self.dma_wr_data.next = self.wskid.m_data.val().get_bits::<64>(64);
        }
        self.dma_wr_strb.next = self.wskid.m_data.val().get_bits::<8>(192);
        self.wskid.m_ready.next = self.dma_wr_ready.val();
        // Interrupts: the RX DMA's requests first, an arm that found events waiting next.
        self.irq.reset.next = self.regs.reset.val();
        self.irq.now.next = self.regs.timestamp.val().get_bits::<32>(0);
        self.irq.req_valid.next = self.dma.irq_req.val() | self.eng.irq_valid.val();
        self.irq.req_vi.next = self.dma.irq_vi.val();
        self.dl_dma.next = self.regs.timestamp.val().get_bits::<32>(0)
            + bit_cast::<32, 16>(self.dma.irq_holdoff.val());
        self.dl_eng.next = self.regs.timestamp.val().get_bits::<32>(0)
            + bit_cast::<32, 16>(self.eng.irq_holdoff.val());
        self.irq.req_deadline.next = self.dl_dma.val();
        self.eng.irq_take.next = false;
        if !self.dma.irq_req.val() {
            self.irq.req_vi.next = self.eng.irq_vi.val();
            self.irq.req_deadline.next = self.dl_eng.val();
            self.eng.irq_take.next = self.eng.irq_valid.val();
        }
        self.irq_valid.next = self.irq.irq_valid.val();
        self.irq_vector.next = self.irq.irq_vector.val();
        // Status and counters. The index is the counter's position in `regs::Counter`
        // (rust-hdl needs literal indices here); the replay and drop tests read every
        // counter through its register and check its value.
        self.st_rx_idle.d.next = self.rxbuf.info_empty.val()
            & !self.rxbuf.busy.val()
            & self.dma.idle.val()
            & self.wskid.empty.val()
            & self.eng.idle.val()
            & self.fetch.idle.val()
            & self.irq.idle.val()
            & (self.rxbuf.commit_ptr.val() == self.dma.free_ptr.val())
            & !self.cls.busy.val();
        self.regs.rx_idle.next = self.st_rx_idle.q.val();
        self.regs.tx_idle.next = self.st_tx_idle.q.val();
        self.regs.done_seq.next = self.dma.done_seq.val();
        self.regs.counters[0].next = self.mac.cnt_frames.val();
        self.regs.counters[1].next = self.mac.cnt_ok.val();
        self.regs.counters[2].next = self.mac.cnt_fcs.val();
        self.regs.counters[3].next = self.mac.cnt_runt.val();
        self.regs.counters[4].next = self.mac.cnt_giant.val();
        self.regs.counters[5].next = self.mac.cnt_phy.val();
        self.regs.counters[6].next = self.mac.cnt_pre.val();
        self.regs.counters[7].next = self.rxbuf.cnt_overflow.val();
        self.regs.counters[8].next = self.eng.cnt_no_desc.val();
        self.regs.counters[9].next = self.eng.cnt_too_big.val();
        self.regs.counters[10].next = self.mac.cnt_disabled.val();
        self.regs.counters[11].next = self.dma.cnt_delivered.val();
        self.regs.counters[12].next = self.dma.cnt_bytes.val().get_bits::<32>(0);
        self.regs.counters[13].next = self.dma.cnt_bytes.val().get_bits::<32>(32);
        self.regs.counters[14].next = self.cls.cnt_rule_hits.val();
        self.regs.counters[15].next = self.cls.cnt_flow_hits.val();
        self.regs.counters[16].next = self.cls.cnt_overrun.val();
        self.regs.counters[17].next = self.eng.cnt_evq_full.val();
        self.regs.counters[18].next = self.eng.cnt_bad_buffer.val();
        self.regs.counters[19].next = self.eng.cnt_vi_disabled.val();
        self.regs.counters[20].next = self.eng.cnt_db_errors.val();
        self.regs.counters[21].next = self.irq.cnt_irq.val();
        if self.k_has_10g.val() {
            self.st_tx_idle.d.next =
                self.txe.idle.val() & self.txd.idle.val() & self.mac_tx.idle.val();
            self.regs.tx_counters[0].next = self.mac_tx.cnt_frames.val();
            self.regs.tx_counters[1].next = self.mac_tx.cnt_octets.val();
            self.regs.tx_counters[2].next = self.mac_tx.cnt_padded.val();
            self.regs.tx_counters[3].next = self.mac_tx.cnt_underrun.val();
        } else {
            self.st_tx_idle.d.next = self.txe.idle.val()
                & self.txd.idle.val()
                & self.gskid.empty.val()
                & self.gtx.idle.val();
            self.regs.tx_counters[0].next = self.gtx.cnt_frames.val();
            self.regs.tx_counters[1].next = self.gtx.cnt_octets.val();
            self.regs.tx_counters[2].next = self.gtx.cnt_padded.val();
            self.regs.tx_counters[3].next = self.gtx.cnt_underrun.val();
        }
        self.regs.tx_counters[4].next = self.txd.cnt_spoofed.val();
        self.regs.tx_counters[5].next = self.txd.cnt_bad_buffer.val();
        self.regs.tx_counters[6].next = self.txd.cnt_bad_desc.val();
        self.regs.tx_counters[7].next = self.txe.cnt_disabled.val();
        self.regs.tx_counters[8].next = self.txe.cnt_db_errors.val();
        self.regs.tx_counters[9].next = self.eng.cnt_tx_ev_lost.val();
    }
}
