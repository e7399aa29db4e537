//! The register file: decodes the MMIO space of `arsenic_interface::regs`.
//!
//! Writes take effect on the cycle after they arrive; reads answer on the next cycle
//! (`rvalid`). Writing `CTRL.SOFT_RESET` holds `reset` for `regs::RESET_CYCLES` cycles (long
//! enough to drain every queue on card) and returns the configuration to its reset values.
//! The free-running timestamp counter lives here.

use arsenic_interface::eth;
use arsenic_interface::params::{self, MMIO_ADDR_BITS};
use arsenic_interface::regs::{self, ctrl, status, Counter};
use rust_hdl::prelude::*;

const AW: usize = MMIO_ADDR_BITS;
/// Number of counter registers.
pub const NCOUNTERS: usize = Counter::ALL.len();

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
    pub rxq_base: Signal<Out, Bits<64>>,
    pub rxq_size_log2: Signal<Out, Bits<4>>,
    pub rxq_buf_size: Signal<Out, Bits<16>>,
    pub rxq_prod: Signal<Out, Bits<16>>,
    pub evq_base: Signal<Out, Bits<64>>,
    pub evq_size_log2: Signal<Out, Bits<4>>,
    pub evq_cons: Signal<Out, Bits<16>>,
    pub timestamp: Signal<Out, Bits<64>>,
    // Status in.
    pub rx_idle: Signal<In, Bit>,
    pub rxq_cons: Signal<In, Bits<16>>,
    pub evq_prod: Signal<In, Bits<16>>,
    /// Counters in `regs::Counter` order.
    pub counters: [Signal<In, Bits<32>>; NCOUNTERS],
    ctrl_r: DFF<Bits<32>>,
    reset_cnt: DFF<Bits<8>>,
    max_frame_r: DFFWithInit<Bits<16>>,
    rxq_base_lo: DFF<Bits<32>>,
    rxq_base_hi: DFF<Bits<32>>,
    rxq_size_r: DFF<Bits<4>>,
    rxq_buf_r: DFF<Bits<16>>,
    rxq_prod_r: DFF<Bits<16>>,
    evq_base_lo: DFF<Bits<32>>,
    evq_base_hi: DFF<Bits<32>>,
    evq_size_r: DFF<Bits<4>>,
    evq_cons_r: DFF<Bits<16>>,
    ticks: DFF<Bits<64>>,
    rdata_r: DFF<Bits<32>>,
    rvalid_r: DFF<Bit>,
    k_id: Constant<Bits<AW>>,
    k_version: Constant<Bits<AW>>,
    k_ctrl: Constant<Bits<AW>>,
    k_status: Constant<Bits<AW>>,
    k_time_lo: Constant<Bits<AW>>,
    k_time_hi: Constant<Bits<AW>>,
    k_max_frame: Constant<Bits<AW>>,
    k_params: Constant<Bits<AW>>,
    k_rxq_base_lo: Constant<Bits<AW>>,
    k_rxq_base_hi: Constant<Bits<AW>>,
    k_rxq_size: Constant<Bits<AW>>,
    k_rxq_buf: Constant<Bits<AW>>,
    k_rxq_prod: Constant<Bits<AW>>,
    k_rxq_cons: Constant<Bits<AW>>,
    k_evq_base_lo: Constant<Bits<AW>>,
    k_evq_base_hi: Constant<Bits<AW>>,
    k_evq_size: Constant<Bits<AW>>,
    k_evq_cons: Constant<Bits<AW>>,
    k_evq_prod: Constant<Bits<AW>>,
    k_counter: [Constant<Bits<AW>>; NCOUNTERS],
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

fn reg(offset: u32) -> Constant<Bits<AW>> {
    Constant::new((offset as u64).into())
}

fn word(v: u32) -> Constant<Bits<32>> {
    Constant::new((v as u64).into())
}

impl Default for RegFile {
    fn default() -> Self {
        let params_value = (params::RX_BUF_ADDR_BITS as u32) << regs::params::RX_BUF_BITS_SHIFT
            | (params::DESC_CACHE_BITS as u32) << regs::params::DESC_CACHE_BITS_SHIFT
            | (params::DMA_TAG_BITS as u32) << regs::params::DMA_TAG_BITS_SHIFT;
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
            rxq_base: Default::default(),
            rxq_size_log2: Default::default(),
            rxq_buf_size: Default::default(),
            rxq_prod: Default::default(),
            evq_base: Default::default(),
            evq_size_log2: Default::default(),
            evq_cons: Default::default(),
            timestamp: Default::default(),
            rx_idle: Default::default(),
            rxq_cons: Default::default(),
            evq_prod: Default::default(),
            counters: Default::default(),
            ctrl_r: Default::default(),
            reset_cnt: Default::default(),
            max_frame_r: DFFWithInit::new((eth::MAX_FRAME_DEFAULT as u64).into()),
            rxq_base_lo: Default::default(),
            rxq_base_hi: Default::default(),
            rxq_size_r: Default::default(),
            rxq_buf_r: Default::default(),
            rxq_prod_r: Default::default(),
            evq_base_lo: Default::default(),
            evq_base_hi: Default::default(),
            evq_size_r: Default::default(),
            evq_cons_r: Default::default(),
            ticks: Default::default(),
            rdata_r: Default::default(),
            rvalid_r: Default::default(),
            k_id: reg(regs::ID),
            k_version: reg(regs::VERSION),
            k_ctrl: reg(regs::CTRL),
            k_status: reg(regs::STATUS),
            k_time_lo: reg(regs::TIME_LO),
            k_time_hi: reg(regs::TIME_HI),
            k_max_frame: reg(regs::MAX_FRAME),
            k_params: reg(regs::PARAMS),
            k_rxq_base_lo: reg(regs::RXQ_BASE_LO),
            k_rxq_base_hi: reg(regs::RXQ_BASE_HI),
            k_rxq_size: reg(regs::RXQ_SIZE_LOG2),
            k_rxq_buf: reg(regs::RXQ_BUF_SIZE),
            k_rxq_prod: reg(regs::RXQ_PROD),
            k_rxq_cons: reg(regs::RXQ_CONS),
            k_evq_base_lo: reg(regs::EVQ_BASE_LO),
            k_evq_base_hi: reg(regs::EVQ_BASE_HI),
            k_evq_size: reg(regs::EVQ_SIZE_LOG2),
            k_evq_cons: reg(regs::EVQ_CONS),
            k_evq_prod: reg(regs::EVQ_PROD),
            k_counter: std::array::from_fn(|i| reg(Counter::ALL[i].offset())),
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
            rxq_base_lo,
            rxq_base_hi,
            rxq_size_r,
            rxq_buf_r,
            rxq_prod_r,
            evq_base_lo,
            evq_base_hi,
            evq_size_r,
            evq_cons_r,
            ticks,
            rdata_r,
            rvalid_r
        );
        self.ticks.d.next = self.ticks.q.val() + 1;
        if self.reset_cnt.q.val() != 0 {
            self.reset_cnt.d.next = self.reset_cnt.q.val() - 1;
        }
        // Writes.
        if self.write.val() {
            if self.addr.val() == self.k_ctrl.val() {
                self.ctrl_r.d.next = self.wdata.val() & !self.k_soft_reset.val();
                if (self.wdata.val() & self.k_soft_reset.val()) != 0 {
                    self.reset_cnt.d.next = self.k_reset_cycles.val();
                }
            }
            if self.addr.val() == self.k_max_frame.val() {
                self.max_frame_r.d.next = self.wdata.val().get_bits::<16>(0);
            }
            if self.addr.val() == self.k_rxq_base_lo.val() {
                self.rxq_base_lo.d.next = self.wdata.val();
            }
            if self.addr.val() == self.k_rxq_base_hi.val() {
                self.rxq_base_hi.d.next = self.wdata.val();
            }
            if self.addr.val() == self.k_rxq_size.val() {
                self.rxq_size_r.d.next = self.wdata.val().get_bits::<4>(0);
            }
            if self.addr.val() == self.k_rxq_buf.val() {
                self.rxq_buf_r.d.next = self.wdata.val().get_bits::<16>(0);
            }
            if self.addr.val() == self.k_rxq_prod.val() {
                self.rxq_prod_r.d.next = self.wdata.val().get_bits::<16>(0);
            }
            if self.addr.val() == self.k_evq_base_lo.val() {
                self.evq_base_lo.d.next = self.wdata.val();
            }
            if self.addr.val() == self.k_evq_base_hi.val() {
                self.evq_base_hi.d.next = self.wdata.val();
            }
            if self.addr.val() == self.k_evq_size.val() {
                self.evq_size_r.d.next = self.wdata.val().get_bits::<4>(0);
            }
            if self.addr.val() == self.k_evq_cons.val() {
                self.evq_cons_r.d.next = self.wdata.val().get_bits::<16>(0);
            }
        }
        if self.reset_cnt.q.val() != 0 {
            self.ctrl_r.d.next = 0.into();
            self.max_frame_r.d.next = self.k_max_frame_default.val();
            self.rxq_base_lo.d.next = 0.into();
            self.rxq_base_hi.d.next = 0.into();
            self.rxq_size_r.d.next = 0.into();
            self.rxq_buf_r.d.next = 0.into();
            self.rxq_prod_r.d.next = 0.into();
            self.evq_base_lo.d.next = 0.into();
            self.evq_base_hi.d.next = 0.into();
            self.evq_size_r.d.next = 0.into();
            self.evq_cons_r.d.next = 0.into();
        }
        // Reads answer on the next cycle.
        self.rvalid_r.d.next = self.read.val();
        self.rdata_r.d.next = 0.into();
        if self.addr.val() == self.k_id.val() {
            self.rdata_r.d.next = self.k_id_value.val();
        }
        if self.addr.val() == self.k_version.val() {
            self.rdata_r.d.next = self.k_version_value.val();
        }
        if self.addr.val() == self.k_ctrl.val() {
            self.rdata_r.d.next = self.ctrl_r.q.val();
        }
        if (self.addr.val() == self.k_status.val())
            & self.rx_idle.val()
            & (self.reset_cnt.q.val() == 0)
        {
            self.rdata_r.d.next = self.k_status_idle.val();
        }
        if self.addr.val() == self.k_time_lo.val() {
            self.rdata_r.d.next = self.ticks.q.val().get_bits::<32>(0);
        }
        if self.addr.val() == self.k_time_hi.val() {
            self.rdata_r.d.next = self.ticks.q.val().get_bits::<32>(32);
        }
        if self.addr.val() == self.k_max_frame.val() {
            self.rdata_r.d.next = bit_cast::<32, 16>(self.max_frame_r.q.val());
        }
        if self.addr.val() == self.k_params.val() {
            self.rdata_r.d.next = self.k_params_value.val();
        }
        if self.addr.val() == self.k_rxq_base_lo.val() {
            self.rdata_r.d.next = self.rxq_base_lo.q.val();
        }
        if self.addr.val() == self.k_rxq_base_hi.val() {
            self.rdata_r.d.next = self.rxq_base_hi.q.val();
        }
        if self.addr.val() == self.k_rxq_size.val() {
            self.rdata_r.d.next = bit_cast::<32, 4>(self.rxq_size_r.q.val());
        }
        if self.addr.val() == self.k_rxq_buf.val() {
            self.rdata_r.d.next = bit_cast::<32, 16>(self.rxq_buf_r.q.val());
        }
        if self.addr.val() == self.k_rxq_prod.val() {
            self.rdata_r.d.next = bit_cast::<32, 16>(self.rxq_prod_r.q.val());
        }
        if self.addr.val() == self.k_rxq_cons.val() {
            self.rdata_r.d.next = bit_cast::<32, 16>(self.rxq_cons.val());
        }
        if self.addr.val() == self.k_evq_base_lo.val() {
            self.rdata_r.d.next = self.evq_base_lo.q.val();
        }
        if self.addr.val() == self.k_evq_base_hi.val() {
            self.rdata_r.d.next = self.evq_base_hi.q.val();
        }
        if self.addr.val() == self.k_evq_size.val() {
            self.rdata_r.d.next = bit_cast::<32, 4>(self.evq_size_r.q.val());
        }
        if self.addr.val() == self.k_evq_cons.val() {
            self.rdata_r.d.next = bit_cast::<32, 16>(self.evq_cons_r.q.val());
        }
        if self.addr.val() == self.k_evq_prod.val() {
            self.rdata_r.d.next = bit_cast::<32, 16>(self.evq_prod.val());
        }
        for i in 0..NCOUNTERS {
            if self.addr.val() == self.k_counter[i].val() {
                self.rdata_r.d.next = self.counters[i].val();
            }
        }
        self.rdata.next = self.rdata_r.q.val();
        self.rvalid.next = self.rvalid_r.q.val();
        self.reset.next = self.reset_cnt.q.val() != 0;
        self.rx_enable.next = (self.ctrl_r.q.val() & self.k_rx_enable.val()) != 0;
        self.speed_10g.next = (self.ctrl_r.q.val() & self.k_speed_10g.val()) != 0;
        self.max_frame.next = self.max_frame_r.q.val();
        self.rxq_base.next = (bit_cast::<64, 32>(self.rxq_base_hi.q.val()) << 32)
            | bit_cast::<64, 32>(self.rxq_base_lo.q.val());
        self.rxq_size_log2.next = self.rxq_size_r.q.val();
        self.rxq_buf_size.next = self.rxq_buf_r.q.val();
        self.rxq_prod.next = self.rxq_prod_r.q.val();
        self.evq_base.next = (bit_cast::<64, 32>(self.evq_base_hi.q.val()) << 32)
            | bit_cast::<64, 32>(self.evq_base_lo.q.val());
        self.evq_size_log2.next = self.evq_size_r.q.val();
        self.evq_cons.next = self.evq_cons_r.q.val();
        self.timestamp.next = self.ticks.q.val();
    }
}
