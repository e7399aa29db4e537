//! Writes the Verilog of every design into the folder given as the first argument.
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    for d in arsenic_hdl::verilog::designs() {
        let path = std::path::Path::new(&dir).join(format!("{}.v", d.name));
        std::fs::write(&path, d.verilog).expect("write Verilog");
        println!("{}", path.display());
    }
}
