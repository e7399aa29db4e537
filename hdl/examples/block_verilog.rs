//! Writes one block's Verilog to stdout: `mac_tx`, `classifier_tx_small` (a classifier of
//! the sizes of the small card's transmit filters), `nic_small`, `tunnel` (the host tunnel
//! alone), `tunnel_nic` (the board's card with its tunnel), or `classifier LITERALS TERMS
//! FLOW_BANK_BITS LITERALS_PER_CYCLE [seq] [noflows]` (`seq`: the sequential build, one
//! literal a cycle; `noflows`: without the exact-flow table).
//!
//! `board BLOCK` writes one block of the board's card (`SmallNic`: 16 VIs, 1024 buffer-table
//! entries, 4 transmit frame slots) alone: `regs`, `eng`, `fetch`, `txe`, `txd`, `dma`, `irq`,
//! `rxbuf`, `mac`, `gtx`; `eng_short` and `txe_short` are the engines without their stage
//! registers, as the simulation card builds them.
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
            let sequential = args.iter().any(|a| a == "seq");
            let exact_flows = !args.iter().any(|a| a == "noflows");
            let n: Vec<usize> = args
                .iter()
                .filter(|a| *a != "seq" && *a != "noflows")
                .map(|a| a.parse().expect("a number"))
                .collect();
            let [literals, terms, flow_bank_bits, literals_per_cycle] = n[..] else {
                panic!(
                    "classifier LITERALS TERMS FLOW_BANK_BITS LITERALS_PER_CYCLE [seq] [noflows]"
                );
            };
            arsenic_hdl::verilog::classifier_with(arsenic_interface::classifier::ClassifierParams {
                literals,
                terms,
                flow_bank_bits,
                literals_per_cycle,
                sequential,
                exact_flows,
            })
        }
        Some("board") => board_block(std::env::args().nth(2).as_deref().unwrap_or("")),
        other => panic!("unknown block {other:?}"),
    };
    print!("{v}");
}

fn one<B: Block>(mut uut: B) -> String {
    uut.connect_all();
    arsenic_hdl::verilog::wire_clocks(&generate_verilog(&uut))
}

/// One block of the board's card, at the board's sizes.
fn board_block(name: &str) -> String {
    use arsenic_hdl::nic::BOARD_SLOT_BITS as S;
    use arsenic_hdl::nic::{BOARD_BUFTBL_BITS as BB, BOARD_VI_BITS as VB};
    use arsenic_hdl::tx_dma::SLOT_BEAT_BITS;
    use arsenic_interface::params::DESC_PER_VI_BITS;
    match name {
        "regs" => {
            let mut r = arsenic_hdl::regfile::RegFile::new(VB, BB);
            r.set_staged_read(true);
            one(r)
        }
        "eng" => one(arsenic_hdl::vi_engine::ViEngine::<
            VB,
            { VB + DESC_PER_VI_BITS },
        >::default()),
        // The engines as the simulation card builds them: without their stage registers.
        "eng_short" => {
            let mut e =
                arsenic_hdl::vi_engine::ViEngine::<VB, { VB + DESC_PER_VI_BITS }>::default();
            e.set_deep(false);
            one(e)
        }
        "txe_short" => {
            let mut e = arsenic_hdl::tx_engine::TxEngine::<
                VB,
                { VB + arsenic_hdl::tx_engine::TX_DESC_BITS },
            >::default();
            e.set_deep(false);
            one(e)
        }
        "fetch" => one(arsenic_hdl::desc_fetch::DescFetch::<
            VB,
            { VB + DESC_PER_VI_BITS },
            BB,
        >::default()),
        "txe" => one(arsenic_hdl::tx_engine::TxEngine::<
            VB,
            { VB + arsenic_hdl::tx_engine::TX_DESC_BITS },
        >::default()),
        "txd" => one(arsenic_hdl::tx_dma::TxDma::<
            VB,
            BB,
            S,
            { S + 1 },
            { S + SLOT_BEAT_BITS },
            { S + 4 },
            { 1 << S },
        >::default()),
        "dma" => one(arsenic_hdl::rx_dma::RxDma::default()),
        "irq" => one(arsenic_hdl::irq::IrqTimers::default()),
        "rxbuf" => one(arsenic_hdl::rx_buffer::RxBuffer::default()),
        "mac" => one(arsenic_hdl::mac_rx::MacRx::gmii_only()),
        "gtx" => one(arsenic_hdl::gmii_tx::GmiiTx::default()),
        other => {
            panic!(
                "unknown board block {other:?}: regs eng eng_short fetch txe txe_short txd dma \
                 irq rxbuf mac gtx"
            )
        }
    }
}
