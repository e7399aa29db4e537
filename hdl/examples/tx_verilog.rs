//! Writes the transmit engine's and the transmit DMA's Verilog (16 VIs, 1024 buffer-table
//! entries) into a folder, for synthesis on their own.
//!
//! `cargo run --release -p arsenic-hdl --example tx_verilog <folder>`

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir).expect("output folder");
    let (eng, dma) =
        arsenic_hdl::verilog::tx_state::<4, { 4 + arsenic_hdl::tx_engine::TX_DESC_BITS }, 10>();
    std::fs::write(dir.join("tx_engine.v"), eng).expect("write");
    std::fs::write(dir.join("tx_dma.v"), dma).expect("write");
}
