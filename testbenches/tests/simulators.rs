//! The same card under three simulators: a recorded co-simulation (the device manager probes
//! and configures the card, a user VI receives frames through a filter, another sends frames
//! through its transmit filter) is replayed at the card's ports into a fresh Verilator model,
//! into Icarus Verilog running the same generated Verilog, and into rust-hdl's simulator
//! running the Rust description the Verilog is generated from: every output agrees on every
//! cycle. The simulation-speed benchmark times the same three runs.

use arsenic_interface::params::Speed;
use arsenic_testbenches::bench::simspeed;

#[test]
fn three_simulators_agree_cycle_by_cycle() {
    for speed in [Speed::Gbe10, Speed::Gbe1] {
        let r = simspeed::record(speed, 8, 8).unwrap();
        assert_eq!(r.received.len(), 8, "{speed:?}: every frame reached the VI");
        assert_eq!(r.tx_wire.len(), 8, "{speed:?}: every frame was sent");
        let rec = &r.recording;
        assert_eq!(simspeed::frames_in(rec, speed), 16);
        let v = simspeed::verilator(rec, speed);
        assert_eq!(v.mismatches, 0, "Verilator: {:?}", v.first_mismatch);
        let dir = std::env::temp_dir().join(format!("arsenic-three-sims-{speed:?}"));
        let i = simspeed::icarus(rec, speed, &dir).unwrap();
        assert_eq!(i.cycles, rec.len() as u64);
        assert_eq!(i.mismatches, 0, "Icarus Verilog: {:?}", i.first_mismatch);
        let h = simspeed::rust_hdl(rec, speed).unwrap();
        assert_eq!(h.cycles, rec.len() as u64);
        assert_eq!(h.mismatches, 0, "rust-hdl: {:?}", h.first_mismatch);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_changed_output_is_reported_by_every_simulator() {
    // The comparison is not vacuous: one output bit changed in the recording is found.
    let r = simspeed::record(Speed::Gbe10, 2, 0).unwrap();
    let mut rec = r.recording.clone();
    let k = rec.len() / 2;
    rec[k].1.mmio_ready ^= 1;
    rec.truncate(k + 10);
    let v = simspeed::verilator(&rec, Speed::Gbe10);
    assert_eq!(v.mismatches, 1);
    assert!(v.first_mismatch.unwrap().contains("mmio_ready"));
    let dir = std::env::temp_dir().join("arsenic-three-sims-changed");
    let i = simspeed::icarus(&rec, Speed::Gbe10, &dir).unwrap();
    assert_eq!(i.mismatches, 1);
    assert!(i.first_mismatch.unwrap().contains("mmio_ready"));
    let h = simspeed::rust_hdl(&rec, Speed::Gbe10).unwrap();
    assert_eq!(h.mismatches, 1);
    let _ = std::fs::remove_dir_all(&dir);
}
