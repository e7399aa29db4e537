//! The card's top level: PHY pins, the MMIO slave, the DMA master, and the blocks between.

use crate::classifier::Classifier;
use crate::desc_fetch::DescFetch;
use crate::mac_rx::MacRx;
use crate::regfile::RegFile;
use crate::rx_buffer::RxBuffer;
use crate::rx_dma::RxDma;
use arsenic_interface::params::{DMA_TAG_BITS, MMIO_ADDR_BITS};
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct Nic {
    pub clock: Signal<In, Clock>,
    // GMII receive (1 GbE).
    pub gmii_rxd: Signal<In, Bits<8>>,
    pub gmii_rx_dv: Signal<In, Bit>,
    pub gmii_rx_er: Signal<In, Bit>,
    // XGMII receive (10 GbE).
    pub xgmii_rxd: Signal<In, Bits<64>>,
    pub xgmii_rxc: Signal<In, Bits<8>>,
    // MMIO slave: one request per cycle; a read answers with `mmio_rvalid` later.
    pub mmio_addr: Signal<In, Bits<MMIO_ADDR_BITS>>,
    pub mmio_wdata: Signal<In, Bits<32>>,
    pub mmio_write: Signal<In, Bit>,
    pub mmio_read: Signal<In, Bit>,
    pub mmio_rdata: Signal<Out, Bits<32>>,
    pub mmio_rvalid: Signal<Out, Bit>,
    // DMA write channel: posted writes of one 8-byte beat with byte strobes.
    pub dma_wr_valid: Signal<Out, Bit>,
    pub dma_wr_addr: Signal<Out, Bits<64>>,
    pub dma_wr_data: Signal<Out, Bits<64>>,
    pub dma_wr_strb: Signal<Out, Bits<8>>,
    pub dma_wr_ready: Signal<In, Bit>,
    // DMA read channel: tagged requests of `dma_rd_beats` beats.
    pub dma_rd_valid: Signal<Out, Bit>,
    pub dma_rd_addr: Signal<Out, Bits<64>>,
    pub dma_rd_beats: Signal<Out, Bits<4>>,
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
    fetch: DescFetch,
    dma: RxDma,
    regs: RegFile,
}

impl Nic {
    /// The card with a classifier of `params` (the default is the simulation configuration).
    pub fn new(params: arsenic_interface::classifier::ClassifierParams) -> Self {
        Nic {
            cls: Classifier::new(params),
            ..Default::default()
        }
    }
}

impl Logic for Nic {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, mac, rxbuf, cls, fetch, dma, regs);
        // Register file.
        self.regs.addr.next = self.mmio_addr.val();
        self.regs.wdata.next = self.mmio_wdata.val();
        self.regs.write.next = self.mmio_write.val();
        self.regs.read.next = self.mmio_read.val();
        self.mmio_rdata.next = self.regs.rdata.val();
        self.mmio_rvalid.next = self.regs.rvalid.val();
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
        // Descriptor fetch.
        self.fetch.reset.next = self.regs.reset.val();
        self.fetch.ring_base.next = self.regs.rxq_base.val();
        self.fetch.ring_size_log2.next = self.regs.rxq_size_log2.val();
        self.fetch.host_prod.next = self.regs.rxq_prod.val();
        self.dma_rd_valid.next = self.fetch.rd_valid.val();
        self.dma_rd_addr.next = self.fetch.rd_addr.val();
        self.dma_rd_beats.next = self.fetch.rd_beats.val();
        self.dma_rd_tag.next = self.fetch.rd_tag.val();
        self.fetch.rd_ready.next = self.dma_rd_ready.val();
        self.fetch.cpl_valid.next = self.dma_cpl_valid.val();
        self.fetch.cpl_tag.next = self.dma_cpl_tag.val();
        self.fetch.cpl_data.next = self.dma_cpl_data.val();
        self.fetch.cpl_last.next = self.dma_cpl_last.val();
        self.fetch.take.next = self.dma.desc_take.val();
        // RX DMA. (The filters' choice of queue will arrive here.)
        self.dma.reset.next = self.regs.reset.val();
        self.dma.buf_size.next = self.regs.rxq_buf_size.val();
        self.dma.evq_base.next = self.regs.evq_base.val();
        self.dma.evq_size_log2.next = self.regs.evq_size_log2.val();
        self.dma.evq_cons.next = self.regs.evq_cons.val();
        self.dma.timestamp.next = self.regs.timestamp.val().get_bits::<48>(0);
        self.dma.info_empty.next = self.rxbuf.info_empty.val();
        self.dma.info_len.next = self.rxbuf.info_len.val();
        self.dma.rd_data.next = self.rxbuf.rd_data.val();
        self.dma.desc_valid.next = self.fetch.desc_valid.val();
        self.dma.desc_addr.next = self.fetch.desc_addr.val();
        self.dma.desc_index.next = self.fetch.desc_index.val();
        self.dma.posted_none.next = self.fetch.posted_none.val();
        self.dma_wr_valid.next = self.dma.wr_valid.val();
        self.dma_wr_addr.next = self.dma.wr_addr.val();
        self.dma_wr_data.next = self.dma.wr_data.val();
        self.dma_wr_strb.next = self.dma.wr_strb.val();
        self.dma.wr_ready.next = self.dma_wr_ready.val();
        // Status and counters. The index is the counter's position in `regs::Counter`
        // (rust-hdl needs literal indices here); the replay and drop tests read every
        // counter through its register and check its value.
        self.regs.rx_idle.next = self.rxbuf.info_empty.val()
            & !self.rxbuf.busy.val()
            & self.dma.idle.val()
            & (self.rxbuf.commit_ptr.val() == self.dma.free_ptr.val())
            & !self.cls.busy.val();
        self.regs.rxq_cons.next = self.fetch.desc_index.val();
        self.regs.evq_prod.next = self.dma.evq_prod.val();
        self.regs.counters[0].next = self.mac.cnt_frames.val();
        self.regs.counters[1].next = self.mac.cnt_ok.val();
        self.regs.counters[2].next = self.mac.cnt_fcs.val();
        self.regs.counters[3].next = self.mac.cnt_runt.val();
        self.regs.counters[4].next = self.mac.cnt_giant.val();
        self.regs.counters[5].next = self.mac.cnt_phy.val();
        self.regs.counters[6].next = self.mac.cnt_pre.val();
        self.regs.counters[7].next = self.rxbuf.cnt_overflow.val();
        self.regs.counters[8].next = self.dma.cnt_no_desc.val();
        self.regs.counters[9].next = self.dma.cnt_too_big.val();
        self.regs.counters[10].next = self.mac.cnt_disabled.val();
        self.regs.counters[11].next = self.dma.cnt_delivered.val();
        self.regs.counters[12].next = self.dma.cnt_bytes.val().get_bits::<32>(0);
        self.regs.counters[13].next = self.dma.cnt_bytes.val().get_bits::<32>(32);
        self.regs.counters[14].next = self.cls.cnt_rule_hits.val();
        self.regs.counters[15].next = self.cls.cnt_flow_hits.val();
        self.regs.counters[16].next = self.cls.cnt_overrun.val();
    }
}
