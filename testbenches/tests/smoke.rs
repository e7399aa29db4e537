use arsenic_interface::fcs;
use arsenic_interface::params::Speed;
use arsenic_testbenches::replay::{expected, replay, Expected, ReplayOptions};
use arsenic_testbenches::wire::WireFrame;

#[test]
fn a_few_frames_arrive_at_both_speeds() {
    for speed in [Speed::Gbe1, Speed::Gbe10] {
        let frames: Vec<WireFrame> = (0..20)
            .map(|i| WireFrame {
                bytes: fcs::append_fcs(&vec![i as u8; 60 + i * 37]),
                earliest: 0,
                inject: None,
            })
            .collect();
        let want: Vec<Vec<u8>> = frames
            .iter()
            .map(|f| match expected(f, 1522) {
                Expected::Deliver(d) => d,
                _ => panic!(),
            })
            .collect();
        let r = replay(frames, &ReplayOptions::new(speed), &mut |_| {}).unwrap();
        println!("{:?} {:?} cycles {}", speed, r.counters, r.cycles);
        let got: Vec<Vec<u8>> = r.received.iter().map(|f| f.data.clone()).collect();
        assert_eq!(got, want);
    }
}
