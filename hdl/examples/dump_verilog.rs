//! Writes the Verilog of every design, of the card with the small classifier (`nic_small.v`)
//! of the small classifier alone (`classifier_small.v`) and of the per-VI state for 16 and 64
//! VIs (`vi_engine_*.v`, `desc_fetch_*.v`) into the folder given as the first argument.
use arsenic_hdl::verilog::{self, Design};
use arsenic_interface::classifier::ClassifierParams;
use arsenic_interface::params::DESC_PER_VI_BITS;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let mut all = verilog::designs();
    all.push(Design {
        name: "nic_small",
        verilog: verilog::nic_small(),
    });
    all.push(Design {
        name: "classifier_small",
        verilog: verilog::classifier_with(ClassifierParams::SMALL),
    });
    // The per-VI state of the small card (16 VIs, 1024 buffer-table entries) and of a 64-VI
    // card, for the board's resource figures.
    let (e, f) = verilog::vi_state::<4, { 4 + DESC_PER_VI_BITS }, 10>();
    all.push(Design {
        name: "vi_engine_16",
        verilog: e,
    });
    all.push(Design {
        name: "desc_fetch_16",
        verilog: f,
    });
    let (e, f) = verilog::vi_state::<6, { 6 + DESC_PER_VI_BITS }, 12>();
    all.push(Design {
        name: "vi_engine_64",
        verilog: e,
    });
    all.push(Design {
        name: "desc_fetch_64",
        verilog: f,
    });
    for d in all {
        let path = std::path::Path::new(&dir).join(format!("{}.v", d.name));
        std::fs::write(&path, d.verilog).expect("write Verilog");
        println!("{}", path.display());
    }
}
