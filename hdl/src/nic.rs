//! The card's top level: PHY pins, the MMIO slave, the DMA master, and the blocks between.

use crate::classifier::Classifier;
use crate::desc_fetch::DescFetch;
use crate::irq::IrqTimers;
use crate::mac_rx::MacRx;
use crate::regfile::RegFile;
use crate::rx_buffer::RxBuffer;
use crate::rx_dma::RxDma;
use crate::vi_engine::ViEngine;
use arsenic_interface::params::{
    BUFTBL_BITS, DESC_PER_VI_BITS, DMA_TAG_BITS, MMIO_ADDR_BITS, VI_BITS,
};

/// The card of the simulation configuration: 1024 VIs, 16384 buffer-table entries.
pub type SimNic = Nic<VI_BITS, { VI_BITS + DESC_PER_VI_BITS }, BUFTBL_BITS>;
/// A small card, as a board can afford: 16 VIs, 1024 buffer-table entries.
pub type SmallNic = Nic<4, { 4 + DESC_PER_VI_BITS }, 10>;
use rust_hdl::prelude::*;

/// The card. `VB`: log2 of the VIs; `CB`: `VB + DESC_PER_VI_BITS`; `BB`: log2 of the buffer
/// table's entries.
#[derive(LogicBlock)]
pub struct Nic<const VB: usize, const CB: usize, const BB: usize> {
    pub clock: Signal<In, Clock>,
    // GMII receive (1 GbE).
    pub gmii_rxd: Signal<In, Bits<8>>,
    pub gmii_rx_dv: Signal<In, Bit>,
    pub gmii_rx_er: Signal<In, Bit>,
    // XGMII receive (10 GbE).
    pub xgmii_rxd: Signal<In, Bits<64>>,
    pub xgmii_rxc: Signal<In, Bits<8>>,
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
    pub dma_rd_beats: Signal<Out, Bits<5>>,
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
    fetch: DescFetch<VB, CB, BB>,
    eng: ViEngine<VB, CB>,
    dma: RxDma,
    irq: IrqTimers,
    regs: RegFile,
}

impl<const VB: usize, const CB: usize, const BB: usize> Nic<VB, CB, BB> {
    /// The card with a classifier of `params`.
    pub fn new(params: arsenic_interface::classifier::ClassifierParams) -> Self {
        Nic {
            clock: Default::default(),
            gmii_rxd: Default::default(),
            gmii_rx_dv: Default::default(),
            gmii_rx_er: Default::default(),
            xgmii_rxd: Default::default(),
            xgmii_rxc: Default::default(),
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
            cls: Classifier::new(params),
            fetch: Default::default(),
            eng: Default::default(),
            dma: Default::default(),
            irq: Default::default(),
            regs: RegFile::new(VB, BB),
        }
    }
}

impl<const VB: usize, const CB: usize, const BB: usize> Default for Nic<VB, CB, BB> {
    /// The card with the simulation configuration's classifier.
    fn default() -> Self {
        Self::new(arsenic_interface::classifier::ClassifierParams::SIM)
    }
}

impl<const VB: usize, const CB: usize, const BB: usize> Logic for Nic<VB, CB, BB> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, mac, rxbuf, cls, fetch, eng, dma, irq, regs);
        // Register file.
        self.regs.addr.next = self.mmio_addr.val();
        self.regs.wdata.next = self.mmio_wdata.val();
        self.regs.write.next = self.mmio_write.val();
        self.regs.read.next = self.mmio_read.val();
        self.mmio_rdata.next = self.regs.rdata.val();
        if self.eng.rd_valid.val() {
            self.mmio_rdata.next = self.eng.rd_data.val();
        }
        self.mmio_rvalid.next = self.regs.rvalid.val() | self.eng.rd_valid.val();
        self.mmio_ready.next = self.eng.mm_ready.val();
        // MAC.
        self.mac.gmii_rxd.next = self.gmii_rxd.val();
        self.mac.gmii_rx_dv.next = self.gmii_rx_dv.val();
        self.mac.gmii_rx_er.next = self.gmii_rx_er.val();
        self.mac.xgmii_rxd.next = self.xgmii_rxd.val();
        self.mac.xgmii_rxc.next = self.xgmii_rxc.val();
        self.mac.speed_10g.next = self.regs.speed_10g.val();
        self.mac.rx_enable.next = self.regs.rx_enable.val();
        self.mac.max_frame.next = self.regs.max_frame.val();
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
        self.cls.s_valid.next = self.mac.valid.val();
        self.cls.s_data.next = self.mac.data.val();
        self.cls.s_nbytes.next = self.mac.nbytes.val();
        self.cls.s_last.next = self.mac.last.val();
        self.cls.s_len.next = self.mac.len.val();
        self.cls.s_commit.next = self.rxbuf.committed.val();
        self.cls.cfg_write.next = self.mmio_write.val();
        self.cls.cfg_addr.next = self.mmio_addr.val();
        self.cls.cfg_wdata.next = self.mmio_wdata.val();
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
        self.dma_rd_valid.next = self.fetch.rd_valid.val();
        self.dma_rd_addr.next = self.fetch.rd_addr.val();
        self.dma_rd_beats.next = self.fetch.rd_beats.val();
        self.dma_rd_tag.next = self.fetch.rd_tag.val();
        self.fetch.rd_ready.next = self.dma_rd_ready.val();
        self.fetch.cpl_valid.next = self.dma_cpl_valid.val();
        self.fetch.cpl_tag.next = self.dma_cpl_tag.val();
        self.fetch.cpl_data.next = self.dma_cpl_data.val();
        self.fetch.cpl_last.next = self.dma_cpl_last.val();
        // RX DMA.
        self.dma.reset.next = self.regs.reset.val();
        self.dma.timestamp.next = self.regs.timestamp.val().get_bits::<48>(0);
        self.dma.info_empty.next = self.rxbuf.info_empty.val();
        self.dma.info_len.next = self.rxbuf.info_len.val();
        self.dma.rd_data.next = self.rxbuf.rd_data.val();
        self.dma_wr_valid.next = self.dma.wr_valid.val();
        self.dma_wr_addr.next = self.dma.wr_addr.val();
        self.dma_wr_data.next = self.dma.wr_data.val();
        self.dma_wr_strb.next = self.dma.wr_strb.val();
        self.dma.wr_ready.next = self.dma_wr_ready.val();
        // Interrupts: the RX DMA's requests first, an arm that found events waiting next.
        self.irq.reset.next = self.regs.reset.val();
        self.irq.now.next = self.regs.timestamp.val().get_bits::<32>(0);
        self.irq.req_valid.next = self.dma.irq_req.val() | self.eng.irq_valid.val();
        self.irq.req_vi.next = self.dma.irq_vi.val();
        self.irq.req_holdoff.next = self.dma.irq_holdoff.val();
        self.eng.irq_take.next = false;
        if !self.dma.irq_req.val() {
            self.irq.req_vi.next = self.eng.irq_vi.val();
            self.irq.req_holdoff.next = self.eng.irq_holdoff.val();
            self.eng.irq_take.next = self.eng.irq_valid.val();
        }
        self.irq_valid.next = self.irq.irq_valid.val();
        self.irq_vector.next = self.irq.irq_vector.val();
        // Status and counters. The index is the counter's position in `regs::Counter`
        // (rust-hdl needs literal indices here); the replay and drop tests read every
        // counter through its register and check its value.
        self.regs.rx_idle.next = self.rxbuf.info_empty.val()
            & !self.rxbuf.busy.val()
            & self.dma.idle.val()
            & self.eng.idle.val()
            & self.fetch.idle.val()
            & self.irq.idle.val()
            & (self.rxbuf.commit_ptr.val() == self.dma.free_ptr.val())
            & !self.cls.busy.val();
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
    }
}
