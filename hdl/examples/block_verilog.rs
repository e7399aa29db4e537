//! Writes one block's Verilog to stdout: `mac_tx`, `classifier_tx_small` (a classifier of
//! the sizes of the small card's transmit filters), `nic_small`, `tunnel` (the host tunnel
//! alone), `tunnel_nic` (the board's card with its tunnel), or `classifier LITERALS TERMS
//! FLOW_BANK_BITS LITERALS_PER_CYCLE [seq]` (`seq`: the sequential build, one literal a cycle).
//!
//! `cargo run --release -p arsenic-hdl --example block_verilog <block> [args]`

use rust_hdl::prelude::*;

fn main() {
    let v = match std::env::args().nth(1).as_deref() {
        Some("mac_tx") => arsenic_hdl::verilog::mac_tx(),
        Some("classifier_tx_small") => arsenic_hdl::verilog::classifier_with(
            arsenic_interface::classifier::ClassifierParams::TX_SMALL,
        ),
        Some("nic_small") => arsenic_hdl::verilog::nic_small(),
        Some("tunnel_nic") => arsenic_hdl::verilog::tunnel_nic(),
        Some("tunnel") => {
            let mut uut = arsenic_hdl::tunnel::Tunnel::default();
            uut.connect_all();
            arsenic_hdl::verilog::wire_clocks(&generate_verilog(&uut))
        }
        Some("classifier") => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            let sequential = args.last().is_some_and(|a| a == "seq");
            let n: Vec<usize> = args
                .iter()
                .filter(|a| *a != "seq")
                .map(|a| a.parse().expect("a number"))
                .collect();
            let [literals, terms, flow_bank_bits, literals_per_cycle] = n[..] else {
                panic!("classifier LITERALS TERMS FLOW_BANK_BITS LITERALS_PER_CYCLE [seq]");
            };
            arsenic_hdl::verilog::classifier_with(arsenic_interface::classifier::ClassifierParams {
                literals,
                terms,
                flow_bank_bits,
                literals_per_cycle,
                sequential,
            })
        }
        other => panic!("unknown block {other:?}"),
    };
    print!("{v}");
}
