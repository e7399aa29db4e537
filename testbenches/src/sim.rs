//! The co-simulation: the card's Verilator model, the wire, and the host (memory, DMA,
//! MMIO), advanced together one clock cycle at a time, deterministically.
//!
//! [`Sim`] implements [`Device`], so the real device manager drives the simulated card: a
//! register write is queued and put on the MMIO port on a later cycle when the card is ready
//! for it (posted, in order); a register read first lets queued writes go, then runs the card
//! until it answers. Interrupts the card raises are queued until the driver takes them.

use crate::wire::{Wire, WireFrame, XGMII_IDLE};
use crate::wire_tx::{GmiiMonitor, TxFrame, WireFault, XgmiiMonitor};
use arsenic_bridge::nic::{In, Model, Out};
use arsenic_host::dma::{DmaRequests, DmaResponses};
use arsenic_host::{Device, DmaConfig, DmaServicer, HostMemory};
use arsenic_interface::params::Speed;
use std::collections::VecDeque;

/// Parameters of a simulation.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Link speed: selects the front end the wire drives and the clock.
    pub speed: Speed,
    /// Host bus model.
    pub dma: DmaConfig,
    /// Bus address of host memory.
    pub mem_base: u64,
    /// Bytes of host memory.
    pub mem_size: usize,
}

impl SimConfig {
    /// Defaults for `speed`: a PCIe Gen3 x8-like host and 256 MiB of memory at 4 GiB.
    pub fn new(speed: Speed) -> Self {
        SimConfig {
            speed,
            dma: DmaConfig::pcie_gen3_x8(speed.clock_hz()),
            mem_base: 0x1_0000_0000,
            mem_size: 256 << 20,
        }
    }
}

/// The card, its wire and its host.
pub struct Sim {
    model: Model,
    input: In,
    output: Out,
    mem: HostMemory,
    dma: DmaServicer,
    writes: VecDeque<(u32, u32)>,
    interrupts: VecDeque<u16>,
    wire: Wire,
    tx_gmii: GmiiMonitor,
    tx_xgmii: XgmiiMonitor,
    speed: Speed,
    cycle: u64,
    recording: Option<Vec<(In, Out)>>,
}

impl Sim {
    /// A powered-on card with an idle wire.
    pub fn new(cfg: SimConfig) -> Self {
        Sim {
            model: Model::new(),
            input: In::default(),
            output: Out::default(),
            mem: HostMemory::new(cfg.mem_base, cfg.mem_size),
            dma: DmaServicer::new(cfg.dma),
            writes: VecDeque::new(),
            interrupts: VecDeque::new(),
            wire: Wire::new(cfg.speed, []),
            tx_gmii: GmiiMonitor::default(),
            tx_xgmii: XgmiiMonitor::default(),
            speed: cfg.speed,
            cycle: 0,
            recording: None,
        }
    }

    /// Queues frames on the wire.
    pub fn send(&mut self, frames: impl IntoIterator<Item = WireFrame>) {
        for f in frames {
            self.wire.push(f);
        }
    }

    /// The wire.
    pub fn wire(&self) -> &Wire {
        &self.wire
    }

    /// Frames the card has put on its transmit wire so far (FCS included), read back by an
    /// independent monitor of the front end in use.
    pub fn tx_frames(&self) -> &[TxFrame] {
        match self.speed {
            Speed::Gbe1 => &self.tx_gmii.frames,
            Speed::Gbe10 => &self.tx_xgmii.frames,
        }
    }

    /// Takes the frames seen on the transmit wire so far.
    pub fn take_tx_frames(&mut self) -> Vec<TxFrame> {
        match self.speed {
            Speed::Gbe1 => std::mem::take(&mut self.tx_gmii.frames),
            Speed::Gbe10 => std::mem::take(&mut self.tx_xgmii.frames),
        }
    }

    /// What the transmit wire's monitor found against the standard (none on a good card).
    pub fn tx_faults(&self) -> &[WireFault] {
        match self.speed {
            Speed::Gbe1 => &self.tx_gmii.faults,
            Speed::Gbe10 => &self.tx_xgmii.faults,
        }
    }

    /// The DMA servicer (statistics, errors).
    pub fn dma(&self) -> &DmaServicer {
        &self.dma
    }

    /// The DMA servicer, to change what it records.
    pub fn dma_mut(&mut self) -> &mut DmaServicer {
        &mut self.dma
    }

    /// The link speed.
    pub fn speed(&self) -> Speed {
        self.speed
    }

    /// Cycles so far.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// The model, for waveform recording.
    pub fn model_mut(&mut self) -> &mut Model {
        &mut self.model
    }

    /// Starts recording every cycle's inputs and outputs at the card's ports, to replay the
    /// same stimulus into another simulator of the same Verilog. Start before the first cycle
    /// to record a run another simulator can reproduce from power-on.
    pub fn start_recording(&mut self) {
        self.recording = Some(Vec::new());
    }

    /// The cycles recorded since [`Sim::start_recording`] (inputs applied before the clock's
    /// rising edge, outputs after it), and stops recording.
    pub fn take_recording(&mut self) -> Vec<(In, Out)> {
        self.recording.take().unwrap_or_default()
    }

    /// Runs one clock cycle.
    #[inline]
    pub fn step(&mut self) {
        let now = self.cycle;
        match self.speed {
            Speed::Gbe1 => {
                let s = self.wire.gmii(now);
                self.input.gmii_rxd = s.rxd;
                self.input.gmii_rx_dv = s.rx_dv as u8;
                self.input.gmii_rx_er = s.rx_er as u8;
                self.input.xgmii_rxd = XGMII_IDLE.rxd;
                self.input.xgmii_rxc = XGMII_IDLE.rxc;
            }
            Speed::Gbe10 => {
                let s = self.wire.xgmii(now);
                self.input.xgmii_rxd = s.rxd;
                self.input.xgmii_rxc = s.rxc;
            }
        }
        self.input.mmio_write = 0;
        if self.output.mmio_ready != 0 && self.input.mmio_read == 0 {
            if let Some((addr, value)) = self.writes.pop_front() {
                self.input.mmio_write = 1;
                self.input.mmio_addr = addr;
                self.input.mmio_wdata = value;
            }
        }
        let o = &self.output;
        let req = DmaRequests {
            wr_valid: o.dma_wr_valid != 0,
            wr_addr: o.dma_wr_addr,
            wr_data: o.dma_wr_data,
            wr_strb: o.dma_wr_strb,
            rd_valid: o.dma_rd_valid != 0,
            rd_addr: o.dma_rd_addr,
            rd_beats: o.dma_rd_beats,
            rd_tag: o.dma_rd_tag,
        };
        let DmaResponses {
            wr_ready,
            rd_ready,
            cpl_valid,
            cpl_tag,
            cpl_data,
            cpl_last,
        } = self.dma.cycle(now, &mut self.mem, &req);
        self.input.dma_wr_ready = wr_ready as u8;
        self.input.dma_rd_ready = rd_ready as u8;
        self.input.dma_cpl_valid = cpl_valid as u8;
        self.input.dma_cpl_tag = cpl_tag;
        self.input.dma_cpl_data = cpl_data;
        self.input.dma_cpl_last = cpl_last as u8;
        self.model.tick(&self.input, &mut self.output);
        if let Some(r) = &mut self.recording {
            r.push((self.input, self.output));
        }
        self.input.mmio_read = 0;
        let o = &self.output;
        match self.speed {
            Speed::Gbe1 => {
                self.tx_gmii
                    .cycle(now, o.gmii_txd, o.gmii_tx_en != 0, o.gmii_tx_er != 0)
            }
            Speed::Gbe10 => self.tx_xgmii.cycle(now, o.xgmii_txd, o.xgmii_txc),
        }
        if self.output.irq_valid != 0 {
            self.interrupts.push_back(self.output.irq_vector);
        }
        self.cycle += 1;
    }

    /// Runs until every queued register write has reached the card.
    pub fn drain_writes(&mut self) {
        while !self.writes.is_empty() {
            self.step();
        }
    }
}

impl Device for Sim {
    fn write32(&mut self, offset: u32, value: u32) {
        self.writes.push_back((offset, value));
    }

    fn read32(&mut self, offset: u32) -> u32 {
        self.drain_writes();
        while self.output.mmio_ready == 0 {
            self.step();
        }
        self.input.mmio_read = 1;
        self.input.mmio_addr = offset;
        self.step();
        let mut waited = 0;
        while self.output.mmio_rvalid == 0 {
            self.step();
            waited += 1;
            if waited >= 1000 {
                // A read nobody answers completes with all ones, as on PCIe.
                return u32::MAX;
            }
        }
        self.output.mmio_rdata
    }

    fn mem(&mut self) -> &mut HostMemory {
        &mut self.mem
    }

    fn now(&self) -> u64 {
        self.cycle
    }

    fn wait(&mut self, cycles: u64) {
        for _ in 0..cycles {
            self.step();
        }
    }

    fn take_interrupts(&mut self) -> Vec<u16> {
        self.interrupts.drain(..).collect()
    }
}
