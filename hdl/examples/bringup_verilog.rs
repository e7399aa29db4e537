//! Writes the PHY bring-up image's Verilog and the 5A-75B constraints into a folder.
fn main() {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "out/board".into()),
    );
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("top.v"), arsenic_hdl::board::bringup_verilog()).unwrap();
    let b = arsenic_hdl::board::board("colorlight-5a-75b").unwrap();
    std::fs::write(dir.join("board.lpf"), arsenic_hdl::board::lpf(b)).unwrap();
}
