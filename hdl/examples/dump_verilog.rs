//! Writes the Verilog of every design, of the card with the small classifier (`nic_small.v`)
//! and of the small classifier alone (`classifier_small.v`) into the folder given as the
//! first argument.
use arsenic_hdl::verilog::{self, Design};
use arsenic_interface::classifier::ClassifierParams;

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
    for d in all {
        let path = std::path::Path::new(&dir).join(format!("{}.v", d.name));
        std::fs::write(&path, d.verilog).expect("write Verilog");
        println!("{}", path.display());
    }
}
