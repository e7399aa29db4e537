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

/// Runs `f` on a thread of its own with a 256 MiB stack and returns its result (a panic in
/// `f` is raised again here). The whole card's rust-hdl structure is built on the stack,
/// and the board's image outgrows the 2 MiB a test's thread has; the stack is address space,
/// used only as deep as the build goes.
pub fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let worker = std::thread::Builder::new()
        .name("arsenic-hdl-build".into())
        .stack_size(256 << 20)
        .spawn(f)
        .expect("a thread to build the design on");
    match worker.join() {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e),
    }
}

/// Verilog of the whole card.
pub fn nic() -> String {
    on_big_stack(|| {
        let mut uut = SimNic::default();
        uut.connect_all();
        unchecked_rams(&wire_clocks(&generate_verilog(&uut)))
    })
}

/// The plain block RAMs whose reads are never used in the cycle their address is written
/// (the receive buffers, the transmit DMA's frame and header buffers: each reads only what
/// was written cycles before, and a read of a place being written goes nowhere). For them
/// the board's Yosys is told not to keep a read's old data when the same address is written
/// in the same cycle (`no_rw_check`): that would cost a bypass register and a LUT per bit
/// between the RAM's output and its register, which the ECP5's block RAM cannot do itself
/// across its two ports. The descriptor caches and the buffer tables are the same kind of
/// RAM with a register after it, and say so themselves (`reg_ram::RegRam`).
///
/// On the board such a read returns what the RAM gives (undefined); in simulation it returns
/// the old word inverted, so that a read the card did use would break the benches.
pub const UNCHECKED_RAMS: [&str; 3] = ["$rxbuf$ram", "$txd$data", "$txd$hdr"];

/// Applies [`UNCHECKED_RAMS`] to rust-hdl's Verilog, module by module.
pub fn unchecked_rams(verilog: &str) -> String {
    per_module(verilog, unchecked_module)
}

/// `verilog` with `f` applied to each module's text (from its `module` line to the next).
fn per_module(verilog: &str, f: fn(&str) -> String) -> String {
    let mut out = String::with_capacity(verilog.len() + 4096);
    let mut module = String::new();
    for line in verilog.split_inclusive('\n') {
        if line.starts_with("module ") && !module.is_empty() {
            out.push_str(&f(&module));
            module.clear();
        }
        module.push_str(line);
    }
    out.push_str(&f(&module));
    out
}

fn unchecked_module(module: &str) -> String {
    let name = module
        .strip_prefix("module ")
        .and_then(|m| m.split('(').next())
        .unwrap_or("");
    if !UNCHECKED_RAMS.iter().any(|r| name.ends_with(r)) {
        return module.to_string();
    }
    let mut out = String::with_capacity(module.len() + 512);
    for line in module.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with("reg[") && t.contains("] mem[") && t.ends_with(';') {
            out.push_str(&format!(
                "`ifdef SYNTHESIS\n    (* no_rw_check *) {t}\n`else\n    {t}\n`endif\n"
            ));
        } else if t == "read_data <= mem[read_address];" {
            out.push_str(concat!(
                "`ifdef SYNTHESIS\n",
                "       read_data <= mem[read_address];\n",
                "`else\n",
                "       read_data <= (write_enable && write_address == read_address)\n",
                "           ? ~mem[read_address] : mem[read_address];\n",
                "`endif\n"
            ));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// rust-hdl hands every child its clock by an assignment inside the parent's combinational
/// `always` block (`child$clock = clock;`). That makes each block's whole combinational logic
/// depend on the clock, so a simulator evaluates all of it again at every clock edge. This
/// turns each such assignment into a continuous `assign` of a `wire`: the same circuit, and
/// combinational logic that runs only when its real inputs change.
pub fn wire_clocks(verilog: &str) -> String {
    per_module(verilog, wire_module_clocks)
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
    on_big_stack(|| {
        let mut uut = SmallNic::new(
            arsenic_interface::classifier::ClassifierParams::BOARD,
            arsenic_interface::classifier::ClassifierParams::TX_BOARD,
        );
        uut.connect_all();
        unchecked_rams(&wire_clocks(&generate_verilog(&uut)))
    })
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
    on_big_stack(|| {
        let mut uut = crate::tunnel::TunnelNic::default();
        uut.connect_all();
        unchecked_rams(&wire_clocks(&generate_verilog(&uut)))
    })
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

    #[test]
    fn each_unchecked_ram_is_found() {
        let v = crate::board::nic_image_verilog();
        let modules: Vec<&str> = v.split("\nmodule ").skip(1).collect();
        for r in UNCHECKED_RAMS {
            let found: Vec<&&str> = modules
                .iter()
                .filter(|m| m.split('(').next().unwrap().ends_with(r))
                .collect();
            assert!(!found.is_empty(), "no RAM module ends with {r}");
            for m in found {
                assert_eq!(m.matches("(* no_rw_check *)").count(), 1, "{r}");
                assert_eq!(m.matches("? ~mem[read_address]").count(), 1, "{r}");
            }
        }
        assert_eq!(
            v.matches("(* no_rw_check *)").count(),
            // The card's three, the tunnel's receive buffer, and the six RAMs with a
            // register after them (two descriptor caches, two buffer tables, two counter
            // banks), in their form for any tool but the ECP5's.
            UNCHECKED_RAMS.len() + 1 + 6
        );
    }

    /// The board's descriptor caches and buffer tables read through the block RAM's own
    /// output register: 64 or 66 bits each, four 18-bit primitives each; so do the two
    /// counter banks, 32 bits each, two primitives each.
    #[test]
    fn the_boards_registered_rams_use_the_block_rams_output_register() {
        let v = crate::board::nic_image_verilog();
        for (r, n) in [
            ("$eng$cache", 4),
            ("$txe$cache", 4),
            ("$fetch$bt$ram", 4),
            ("$txd$bt$ram", 4),
            ("$eng$cbank$ram", 2),
            ("$txe$cbank$ram", 2),
        ] {
            let m = v
                .split("\nmodule ")
                .find(|m| m.split('(').next().unwrap().ends_with(r))
                .unwrap_or_else(|| panic!("no module ends with {r}"));
            assert_eq!(m.matches(".REGMODE_B(\"OUTREG\")").count(), n, "{r}");
        }
        assert_eq!(v.matches(".REGMODE_B(\"OUTREG\")").count(), 20);
    }
}
