//! Writes the Verilog of every design, and of the card with the small classifier
//! (`nic_small.v`), into the folder given as the first argument.
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let mut all = arsenic_hdl::verilog::designs();
    all.push(arsenic_hdl::verilog::Design {
        name: "nic_small",
        verilog: arsenic_hdl::verilog::nic_small(),
    });
    for d in all {
        let path = std::path::Path::new(&dir).join(format!("{}.v", d.name));
        std::fs::write(&path, d.verilog).expect("write Verilog");
        println!("{}", path.display());
    }
}
