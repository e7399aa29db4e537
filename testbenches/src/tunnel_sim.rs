//! The board's card (`arsenic_hdl::tunnel::TunnelNic`) in Verilator, as a [`FrameLink`]: the
//! host's tunnel frames go in on port 1 and the card's come back from it, while the bench puts
//! network frames on port 0 and reads port 0's transmit wire.

use crate::wire::{Wire, WireFrame};
use crate::wire_tx::GmiiMonitor;
use arsenic_bridge::tunnel_nic::{In, Model, Out};
use arsenic_host::FrameLink;
use arsenic_interface::{eth, fcs, params::Speed};
use std::collections::VecDeque;

/// The board's card with both its ports' wires.
pub struct TunnelSim {
    model: Model,
    input: In,
    output: Out,
    cycle: u64,
    /// Port 0's receive wire: frames from the network.
    pub net: Wire,
    /// Port 0's transmit wire, read back.
    pub net_tx: GmiiMonitor,
    host: Wire,
    host_tx: GmiiMonitor,
    from_card: VecDeque<Vec<u8>>,
}

impl Default for TunnelSim {
    fn default() -> Self {
        Self::new()
    }
}

impl TunnelSim {
    /// The card at power-on, both wires idle.
    pub fn new() -> Self {
        TunnelSim {
            model: Model::new(),
            input: In::default(),
            output: Out::default(),
            cycle: 0,
            net: Wire::new(Speed::Gbe1, []),
            net_tx: GmiiMonitor::default(),
            host: Wire::new(Speed::Gbe1, []),
            host_tx: GmiiMonitor::default(),
            from_card: VecDeque::new(),
        }
    }

    /// Puts `frame` (without FCS) on port 0's wire as soon as the wire is free.
    pub fn send_net(&mut self, frame: &[u8]) {
        self.net.push(WireFrame {
            bytes: fcs::append_fcs(&eth::padded(frame)),
            earliest: self.cycle,
            inject: None,
        });
    }

    /// Records cycles `from..to` of the card into a VCD file at `path` (4 ns a cycle).
    pub fn record_vcd(
        &mut self,
        path: &std::path::Path,
        from: u64,
        to: u64,
    ) -> Result<(), arsenic_bridge::BridgeError> {
        self.model.record_vcd(path, from, to, 4_000)
    }

    /// What the monitor of the tunnel port's transmit wire found wrong (gaps, TX_ER).
    pub fn tunnel_wire_faults(&self) -> &[crate::wire_tx::WireFault] {
        &self.host_tx.faults
    }

    /// The card's outputs after the last cycle (its counters among them).
    pub fn output(&self) -> &Out {
        &self.output
    }

    /// Puts raw octets (FCS included, as given) on the tunnel port's wire.
    pub fn send_raw_host(&mut self, bytes: Vec<u8>) {
        self.host.push(WireFrame {
            bytes,
            earliest: self.cycle,
            inject: None,
        });
    }

    fn step(&mut self) {
        let now = self.cycle;
        let s = self.net.gmii(now);
        self.input.gmii0_rxd = s.rxd;
        self.input.gmii0_rx_dv = s.rx_dv as u8;
        self.input.gmii0_rx_er = s.rx_er as u8;
        let s = self.host.gmii(now);
        self.input.gmii1_rxd = s.rxd;
        self.input.gmii1_rx_dv = s.rx_dv as u8;
        self.input.gmii1_rx_er = s.rx_er as u8;
        self.model.tick(&self.input, &mut self.output);
        let o = &self.output;
        self.net_tx
            .cycle(now, o.gmii0_txd, o.gmii0_tx_en != 0, o.gmii0_tx_er != 0);
        self.host_tx
            .cycle(now, o.gmii1_txd, o.gmii1_tx_en != 0, o.gmii1_tx_er != 0);
        self.from_card
            .extend(self.host_tx.frames.drain(..).map(|f| f.bytes));
        self.cycle += 1;
    }
}

impl FrameLink for TunnelSim {
    fn send(&mut self, frame: &[u8]) {
        self.send_raw_host(fcs::append_fcs(&eth::padded(frame)));
    }

    fn recv(&mut self) -> Option<Vec<u8>> {
        self.from_card.pop_front()
    }

    fn advance(&mut self, cycles: u64) {
        for _ in 0..cycles {
            self.step();
        }
    }

    fn now(&self) -> u64 {
        self.cycle
    }
}
