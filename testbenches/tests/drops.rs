//! Every way the receive path can lose a frame is a counted drop that loses nothing else:
//! no buffer posted, a frame larger than the buffers, the receive buffer full while the host
//! bus is slow, receive disabled. And a soft reset clears the counters.

use arsenic_host::{Device, DeviceManager, DmaConfig, QueueConfig, RxFrame};
use arsenic_interface::fcs;
use arsenic_interface::params::Speed;
use arsenic_interface::regs::{self, Counter};
use arsenic_testbenches::sim::{Sim, SimConfig};
use arsenic_testbenches::wire::WireFrame;

fn frame(i: usize, len: usize) -> WireFrame {
    let mut f: Vec<u8> = (0..len).map(|k| (k * 7 + i) as u8).collect();
    f[0..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 1]);
    f[12..16].copy_from_slice(&(i as u32).to_be_bytes());
    WireFrame {
        bytes: fcs::append_fcs(&f),
        earliest: 0,
        inject: None,
    }
}

fn counter(sim: &mut Sim, c: Counter) -> u64 {
    sim.read32(c.offset()) as u64
}

/// Runs until the wire is quiet and the card idle, polling the queue (if any).
fn settle(sim: &mut Sim, dm: Option<&mut DeviceManager>, got: &mut Vec<RxFrame>) {
    let mut dm = dm;
    for _ in 0..200_000 {
        for _ in 0..32 {
            sim.step();
        }
        if let Some(dm) = dm.as_deref_mut() {
            dm.poll(sim, got).unwrap();
        }
        if sim.wire().idle() && DeviceManager::rx_idle(sim) {
            if let Some(dm) = dm.as_deref_mut() {
                dm.poll(sim, got).unwrap();
            }
            return;
        }
    }
    panic!("the card did not go idle");
}

fn setup(
    speed: Speed,
    dma: Option<DmaConfig>,
    q: Option<QueueConfig>,
) -> (Sim, Option<DeviceManager>) {
    let mut cfg = SimConfig::new(speed);
    if let Some(d) = dma {
        cfg.dma = d;
    }
    let mut sim = Sim::new(cfg);
    DeviceManager::probe(&mut sim, speed, 1522).unwrap();
    let dm = q.map(|q| DeviceManager::open_default_queue(&mut sim, q).unwrap());
    sim.drain_writes();
    (sim, dm)
}

#[test]
fn no_buffer_posted_is_dropped_at_once_and_counted() {
    let q = QueueConfig {
        ring_log2: 4,
        evq_log2: 5,
        buf_size: 2048,
        batch: 4,
        ..Default::default()
    };
    let (mut sim, dm) = setup(Speed::Gbe1, None, Some(q));
    let mut dm = dm.unwrap();
    dm.hold_buffers(&mut sim, true).unwrap();
    let mut got = Vec::new();
    sim.send((0..50).map(|i| frame(i, 100)));
    settle(&mut sim, Some(&mut dm), &mut got);
    assert_eq!(got.len(), 16, "one frame per posted buffer");
    assert_eq!(counter(&mut sim, Counter::DropNoDesc), 34);
    // Buffers back: traffic flows again, nothing else was lost.
    dm.hold_buffers(&mut sim, false).unwrap();
    sim.send((50..60).map(|i| frame(i, 100)));
    settle(&mut sim, Some(&mut dm), &mut got);
    assert_eq!(got.len(), 26);
    let ids: Vec<u32> = got
        .iter()
        .map(|f| u32::from_be_bytes(f.data[12..16].try_into().unwrap()))
        .collect();
    assert_eq!(ids, (0..16).chain(50..60).collect::<Vec<u32>>());
    assert_eq!(counter(&mut sim, Counter::RxFrames), 60);
}

#[test]
fn frames_larger_than_the_buffers_are_counted() {
    let q = QueueConfig {
        ring_log2: 6,
        evq_log2: 6,
        buf_size: 256,
        batch: 8,
        ..Default::default()
    };
    let (mut sim, dm) = setup(Speed::Gbe10, None, Some(q));
    let mut dm = dm.unwrap();
    let mut got = Vec::new();
    sim.send((0..40).map(|i| frame(i, if i % 4 == 0 { 1000 } else { 200 + i })));
    settle(&mut sim, Some(&mut dm), &mut got);
    assert_eq!(counter(&mut sim, Counter::DropTooBig), 10);
    assert_eq!(got.len(), 30);
    assert!(got.iter().all(|f| f.data.len() <= 256));
}

#[test]
fn a_full_receive_buffer_drops_whole_frames_and_counts_them() {
    // A host bus far slower than the wire: the receive buffer fills.
    let mut dma = DmaConfig::pcie_gen3_x8(Speed::Gbe10.clock_hz());
    dma.write_bytes_per_cycle = 1.0;
    let (mut sim, dm) = setup(Speed::Gbe10, Some(dma), Some(QueueConfig::default()));
    let mut dm = dm.unwrap();
    let sent: Vec<WireFrame> = (0..300).map(|i| frame(i, 1000)).collect();
    let want: Vec<Vec<u8>> = sent.iter().map(|f| f.bytes[..1000].to_vec()).collect();
    sim.send(sent);
    let mut got = Vec::new();
    settle(&mut sim, Some(&mut dm), &mut got);
    let overflow = counter(&mut sim, Counter::DropOverflow);
    assert!(overflow > 100, "overflow drops {overflow}");
    assert_eq!(got.len() as u64 + overflow, 300);
    // What arrived is whole and in order: a subsequence of what was sent.
    let mut it = want.iter();
    assert!(got.iter().all(|g| it.any(|w| *w == g.data)));
}

#[test]
fn frames_while_receive_is_disabled_are_counted() {
    let (mut sim, _) = setup(Speed::Gbe1, None, None);
    sim.send((0..5).map(|i| frame(i, 80)));
    settle(&mut sim, None, &mut Vec::new());
    assert_eq!(counter(&mut sim, Counter::DropDisabled), 5);
    assert_eq!(counter(&mut sim, Counter::RxFrames), 5);
    // Then the queue opens and frames arrive.
    let mut dm = DeviceManager::open_default_queue(&mut sim, QueueConfig::default()).unwrap();
    let mut got = Vec::new();
    sim.send((5..10).map(|i| frame(i, 80)));
    settle(&mut sim, Some(&mut dm), &mut got);
    assert_eq!(got.len(), 5);
}

#[test]
fn soft_reset_clears_counters_and_queues() {
    let (mut sim, dm) = setup(Speed::Gbe1, None, Some(QueueConfig::default()));
    let mut dm = dm.unwrap();
    let mut got = Vec::new();
    sim.send((0..5).map(|i| frame(i, 80)));
    settle(&mut sim, Some(&mut dm), &mut got);
    assert_eq!(counter(&mut sim, Counter::RxDelivered), 5);
    DeviceManager::reset(&mut sim).unwrap();
    for c in Counter::ALL {
        assert_eq!(counter(&mut sim, c), 0, "{c:?} after reset");
    }
    assert_eq!(sim.read32(regs::db_page(0) + regs::db::RX_CONS), 0);
    assert_eq!(sim.read32(regs::CTRL) & regs::ctrl::RX_ENABLE, 0);
    assert_eq!(sim.read32(regs::MAX_FRAME), 1522);
}

#[test]
fn descriptor_reads_completing_out_of_order_keep_frames_in_order() {
    // Long, very uneven read latency and one descriptor per doorbell: the card's fetches
    // overtake each other all the time.
    let mut dma = DmaConfig::pcie_gen3_x8(Speed::Gbe10.clock_hz());
    dma.read_latency = 20;
    dma.read_jitter = 400;
    let q = QueueConfig {
        ring_log2: 5,
        evq_log2: 5,
        buf_size: 2048,
        batch: 1,
        ..Default::default()
    };
    let (mut sim, dm) = setup(Speed::Gbe10, Some(dma), Some(q));
    let mut dm = dm.unwrap();
    let sent: Vec<WireFrame> = (0..400).map(|i| frame(i, 60 + (i * 13) % 900)).collect();
    let want: Vec<Vec<u8>> = sent
        .iter()
        .map(|f| f.bytes[..f.bytes.len() - 4].to_vec())
        .collect();
    sim.send(sent);
    let mut got = Vec::new();
    settle(&mut sim, Some(&mut dm), &mut got);
    let lost = counter(&mut sim, Counter::DropNoDesc) + counter(&mut sim, Counter::DropOverflow);
    assert_eq!(got.len() as u64 + lost, 400);
    let mut it = want.iter();
    assert!(
        got.iter().all(|g| it.any(|w| *w == g.data)),
        "frames out of order or corrupt"
    );
    assert!(got.len() > 300, "only {} delivered", got.len());
    assert_eq!(sim.dma().stats().errors, 0);
}
