//! Verilog generation for the card and for blocks the benches model on their own.

use crate::classifier::Classifier;
use crate::mac_rx::MacRx;
use crate::nic::Nic;
use rust_hdl::prelude::*;

/// A design the bridge can build: its name and its Verilog (top module `top`).
pub struct Design {
    pub name: &'static str,
    pub verilog: String,
}

/// Verilog of the whole card.
pub fn nic() -> String {
    let mut uut = Nic::default();
    uut.connect_all();
    generate_verilog(&uut)
}

/// Verilog of the whole card with the small classifier (what a board build can afford).
pub fn nic_small() -> String {
    let mut uut = Nic::new(arsenic_interface::classifier::ClassifierParams::SMALL);
    uut.connect_all();
    generate_verilog(&uut)
}

/// Verilog of the MAC receive block alone.
pub fn mac_rx() -> String {
    let mut uut = MacRx::default();
    uut.connect_all();
    generate_verilog(&uut)
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
    generate_verilog(&uut)
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
            let mut uut = Nic::default();
            uut.connect_all();
            Some(ports(&uut))
        }
        "mac_rx" => {
            let mut uut = MacRx::default();
            uut.connect_all();
            Some(ports(&uut))
        }
        "classifier" => {
            let mut uut = Classifier::default();
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
