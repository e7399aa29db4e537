//! Writes one block's Verilog to stdout: `mac_tx`, `classifier_tx_small` (a classifier of
//! the sizes of the small card's transmit filters), `nic_small`.
//!
//! `cargo run --release -p arsenic-hdl --example block_verilog <block>`

fn main() {
    let v = match std::env::args().nth(1).as_deref() {
        Some("mac_tx") => arsenic_hdl::verilog::mac_tx(),
        Some("classifier_tx_small") => arsenic_hdl::verilog::classifier_with(
            arsenic_interface::classifier::ClassifierParams::TX_SMALL,
        ),
        Some("nic_small") => arsenic_hdl::verilog::nic_small(),
        other => panic!("unknown block {other:?}"),
    };
    print!("{v}");
}
