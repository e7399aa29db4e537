//! Back-to-back minimum frames at 10 GbE line rate with buffers kept posted: zero loss.

use arsenic_interface::fcs;
use arsenic_interface::params::Speed;
use arsenic_interface::regs::Counter;
use arsenic_testbenches::replay::{replay, ReplayOptions};
use arsenic_testbenches::wire::WireFrame;

fn min_frames(n: usize) -> Vec<WireFrame> {
    (0..n)
        .map(|i| {
            let mut f = vec![0u8; 60];
            f[0..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 1]);
            f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 2]);
            f[12..14].copy_from_slice(&[0x08, 0x00]);
            f[14..18].copy_from_slice(&(i as u32).to_be_bytes());
            WireFrame {
                bytes: fcs::append_fcs(&f),
                earliest: 0,
                inject: None,
            }
        })
        .collect()
}

#[test]
fn ten_gbe_line_rate_64_byte_frames_zero_loss() {
    let n = 20_000;
    let frames = min_frames(n);
    let want: Vec<Vec<u8>> = frames.iter().map(|f| f.bytes[..60].to_vec()).collect();
    let mut opts = ReplayOptions::new(Speed::Gbe10);
    opts.line_rate = true;
    let r = replay(frames, &opts, &mut |_| {}).unwrap();
    // The wire ran at line rate: 84 octets per frame, 8 per cycle.
    let lo = &r.last_octet_cycles;
    let span = lo[n - 1] - lo[0];
    assert!(
        span <= ((n as u64 - 1) * 84).div_ceil(8) + 1,
        "wire span {span}"
    );
    assert_eq!(r.counter(Counter::RxFrames), n as u64);
    assert_eq!(r.dropped(), 0, "{:?}", r.counters);
    assert_eq!(r.received.len(), n);
    assert!(r.received.iter().zip(&want).all(|(g, w)| g.data == *w));
    assert_eq!(r.dma_errors, 0);
    println!("cycles {} wall {:?}", r.cycles, r.wall);
}
