//! The card, written with rust-hdl. One block per file; [`nic::Nic`] is the top level.
//!
//! Receive path, one frame at a time:
//! [`gmii_rx::GmiiRx`] / [`xgmii_rx::XgmiiRx`] → [`mac_rx::MacRx`] (FCS, runt, giant, counters)
//! → [`rx_buffer::RxBuffer`] (store and forward) → [`rx_dma::RxDma`] (admission, DMA into the
//! posted buffer, event) with [`desc_fetch::DescFetch`] keeping posted descriptors on card.
//! [`regfile::RegFile`] decodes the MMIO space defined in `arsenic_interface::regs`.
//!
//! [`classifier::Classifier`] chooses each frame's VI between the receive buffer and the RX
//! DMA (its sequential build, for small FPGAs, is `classifier_seq`).

pub mod board;
pub mod cdc_fifo;
pub mod classifier;
mod classifier_seq;
pub mod counter_bank;
pub mod crc;
pub mod desc_fetch;
pub mod gmii_rx;
pub mod gmii_tx;
pub mod irq;
pub mod mac_rx;
pub mod mac_tx;
pub mod mul;
pub mod nic;
pub mod occupancy;
pub mod reg_ram;
pub mod regfile;
pub mod rx_buffer;
pub mod rx_dma;
pub mod skid;
pub mod stage;
pub mod table_ram;
pub mod tunnel;
pub mod tx_dma;
pub mod tx_engine;
pub mod verilog;
pub mod vi_engine;
pub mod xgmii_rx;

pub use nic::{Nic, SimNic, SmallNic};
