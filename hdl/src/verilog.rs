//! Verilog generation for the card and for blocks the benches model on their own.

use crate::classifier::Classifier;
use crate::mac_rx::MacRx;
use crate::mac_tx::MacTx;
use crate::nic::{SimNic, SmallNic};
use rust_hdl::prelude::*;

/// A design the bridge can build: its name and its Verilog (top module `top`).
pub struct Design {
    pub name: &'static str,
    pub verilog: String,
}

/// Verilog of the whole card.
pub fn nic() -> String {
    let mut uut = SimNic::default();
    uut.connect_all();
    wire_clocks(&generate_verilog(&uut))
}

/// rust-hdl hands every child its clock by an assignment inside the parent's combinational
/// `always` block (`child$clock = clock;`). That makes each block's whole combinational logic
/// depend on the clock, so a simulator evaluates all of it again at every clock edge. This
/// turns each such assignment into a continuous `assign` of a `wire`: the same circuit, and
/// combinational logic that runs only when its real inputs change.
pub fn wire_clocks(verilog: &str) -> String {
    let mut out = String::with_capacity(verilog.len());
    let mut module = String::new();
    for line in verilog.split_inclusive('\n') {
        if line.starts_with("module ") && !module.is_empty() {
            out.push_str(&wire_module_clocks(&module));
            module.clear();
        }
        module.push_str(line);
    }
    out.push_str(&wire_module_clocks(&module));
    out
}

fn wire_module_clocks(module: &str) -> String {
    let is_clock_copy = |l: &str| {
        let t = l.trim();
        t.strip_suffix(" = clock;")
            .filter(|n| n.contains('$') && n.ends_with("clock") && !n.contains(' '))
            .map(str::to_string)
    };
    let names: std::collections::BTreeSet<String> =
        module.lines().filter_map(is_clock_copy).collect();
    if names.is_empty() {
        return module.to_string();
    }
    let mut out = String::with_capacity(module.len());
    for line in module.split_inclusive('\n') {
        if is_clock_copy(line).is_some() {
            continue;
        }
        let t = line.trim();
        if let Some(n) = t.strip_prefix("reg  ").and_then(|r| r.strip_suffix(';')) {
            if names.contains(n) {
                out.push_str(&format!("    wire {n};\n    assign {n} = clock;\n"));
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

/// Verilog of the board's card: the sequential classifier and transmit filters, 16 VIs, 1024
/// buffer-table entries (what a board build can afford).
pub fn nic_small() -> String {
    let mut uut = SmallNic::new(
        arsenic_interface::classifier::ClassifierParams::BOARD,
        arsenic_interface::classifier::ClassifierParams::TX_BOARD,
    );
    uut.connect_all();
    wire_clocks(&generate_verilog(&uut))
}

/// Verilog of the per-VI state alone for 2^`VB` VIs and 2^`BB` buffer-table entries: the VI
/// engine and the descriptor fetch with its buffer table (`CB` = `VB + DESC_PER_VI_BITS`).
/// For measuring what the VIs cost in a board's resources.
pub fn vi_state<const VB: usize, const CB: usize, const BB: usize>() -> (String, String) {
    let mut eng = crate::vi_engine::ViEngine::<VB, CB>::default();
    eng.connect_all();
    let mut fetch = crate::desc_fetch::DescFetch::<VB, CB, BB>::default();
    fetch.connect_all();
    (
        wire_clocks(&generate_verilog(&eng)),
        wire_clocks(&generate_verilog(&fetch)),
    )
}

/// Verilog of the transmit engine and the transmit DMA alone, for 2^`VB` VIs and 2^`BB`
/// buffer-table entries (`TB` = `VB + TX_DESC_BITS`), with the simulation card's 32 frame
/// slots: what transmit costs in a board's resources.
pub fn tx_state<const VB: usize, const TB: usize, const BB: usize>() -> (String, String) {
    let mut eng = crate::tx_engine::TxEngine::<VB, TB>::default();
    eng.connect_all();
    use crate::tx_dma::{SIM_SLOT_BITS as S, SLOT_BEAT_BITS};
    let mut dma = crate::tx_dma::TxDma::<
        VB,
        BB,
        S,
        { S + 1 },
        { S + SLOT_BEAT_BITS },
        { S + 4 },
        { 1 << S },
    >::default();
    dma.connect_all();
    (
        wire_clocks(&generate_verilog(&eng)),
        wire_clocks(&generate_verilog(&dma)),
    )
}

/// Verilog of the MAC receive block alone.
pub fn mac_rx() -> String {
    let mut uut = MacRx::default();
    uut.connect_all();
    wire_clocks(&generate_verilog(&uut))
}

/// Verilog of the board's card with its host tunnel (`tunnel::TunnelNic`), one clock domain.
pub fn tunnel_nic() -> String {
    let mut uut = crate::tunnel::TunnelNic::default();
    uut.connect_all();
    wire_clocks(&generate_verilog(&uut))
}

/// Verilog of the gigabit-only receive MAC (`MacRx::gmii_only`): the iCE40 smoke test's
/// design.
pub fn mac_rx_gmii() -> String {
    let mut uut = MacRx::gmii_only();
    uut.connect_all();
    wire_clocks(&generate_verilog(&uut))
}

/// Verilog of the MAC transmit block alone.
pub fn mac_tx() -> String {
    let mut uut = MacTx::default();
    uut.connect_all();
    wire_clocks(&generate_verilog(&uut))
}

/// Every design the bridge builds.
pub fn designs() -> Vec<Design> {
    vec![
        Design {
            name: "nic",
            verilog: nic(),
        },
        Design {
            name: "mac_rx",
            verilog: mac_rx(),
        },
        Design {
            name: "classifier",
            verilog: classifier(),
        },
        Design {
            name: "classifier_seq",
            verilog: classifier_with(arsenic_interface::classifier::ClassifierParams::SEQ_FLOWS),
        },
        Design {
            name: "mac_tx",
            verilog: mac_tx(),
        },
        Design {
            name: "tunnel_nic",
            verilog: tunnel_nic(),
        },
    ]
}

/// Verilog of the classifier alone (simulation configuration).
pub fn classifier() -> String {
    classifier_with(arsenic_interface::classifier::ClassifierParams::SIM)
}

/// Verilog of the classifier alone with tables of `params`.
pub fn classifier_with(params: arsenic_interface::classifier::ClassifierParams) -> String {
    let mut uut = Classifier::new(params);
    uut.connect_all();
    wire_clocks(&generate_verilog(&uut))
}

/// Direction of a top-level port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortDir {
    In,
    Out,
}

/// A top-level port of a design, as the bridge exposes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub width: usize,
    pub dir: PortDir,
}

#[derive(Default)]
struct PortLister {
    depth: usize,
    ports: Vec<Port>,
}

impl Probe for PortLister {
    fn visit_start_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth += 1;
    }
    fn visit_end_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth -= 1;
    }
    fn visit_atom(&mut self, name: &str, signal: &dyn Atom) {
        if self.depth != 1 {
            return;
        }
        let dir = match signal.kind() {
            AtomKind::InputParameter => PortDir::In,
            AtomKind::OutputParameter => PortDir::Out,
            _ => return,
        };
        self.ports.push(Port {
            name: name.to_string(),
            width: signal.bits(),
            dir,
        });
    }
}

/// The top-level ports of `uut` in declaration order.
pub fn ports<B: Block>(uut: &B) -> Vec<Port> {
    let mut lister = PortLister::default();
    uut.accept("top", &mut lister);
    lister.ports
}

/// Ports of a design by name (see [`designs`]).
pub fn design_ports(name: &str) -> Option<Vec<Port>> {
    match name {
        "nic" => {
            let mut uut = SimNic::default();
            uut.connect_all();
            Some(ports(&uut))
        }
        "mac_rx" => {
            let mut uut = MacRx::default();
            uut.connect_all();
            Some(ports(&uut))
        }
        "mac_tx" => {
            let mut uut = MacTx::default();
            uut.connect_all();
            Some(ports(&uut))
        }
        "classifier" => {
            let mut uut = Classifier::default();
            uut.connect_all();
            Some(ports(&uut))
        }
        "classifier_seq" => {
            let mut uut =
                Classifier::new(arsenic_interface::classifier::ClassifierParams::SEQ_FLOWS);
            uut.connect_all();
            Some(ports(&uut))
        }
        "tunnel_nic" => {
            let mut uut = crate::tunnel::TunnelNic::default();
            uut.connect_all();
            Some(ports(&uut))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_ports_are_listed() {
        let p = design_ports("nic").unwrap();
        assert!(p
            .iter()
            .any(|p| p.name == "clock" && p.dir == PortDir::In && p.width == 1));
        assert!(p
            .iter()
            .any(|p| p.name == "dma_wr_data" && p.dir == PortDir::Out && p.width == 64));
        assert!(!p.iter().any(|p| p.name.contains('$')));
    }
}
