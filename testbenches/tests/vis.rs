//! Virtual interfaces through the Verilator model: 1024 VIs, isolation of a flooded VI,
//! protection against hostile users, destroying a VI under traffic, interrupt moderation.
//! Every VI is driven by its own user of the user-level library.

use arsenic_host::{DbReg, Device, DeviceManager, FilterManager, QueueConfig, RxFrame, ViConfig};
use arsenic_interface::classifier::ClassifierParams;
use arsenic_interface::event::{error, FILTER_NONE};
use arsenic_interface::fcs;
use arsenic_interface::params::{Speed, BUFTBL_BITS, VI_COUNT};
use arsenic_interface::regs::{Counter, ViCounter};
use arsenic_interface::rxdesc;
use arsenic_testbenches::host::Host;
use arsenic_testbenches::sim::{Sim, SimConfig};
use arsenic_testbenches::wire::WireFrame;
use proptest::prelude::*;

/// A UDP/IPv4 frame to `dst`:`dport`, 64 bytes on the wire, carrying `tag` and `seq`.
fn udp(dst: [u8; 4], dport: u16, tag: u16, seq: u32) -> WireFrame {
    let mut f = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00];
    let ip_len = 20 + 8 + 18;
    f.extend_from_slice(&[0x45, 0, 0, ip_len, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1]);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&1234u16.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&[0, 26, 0, 0]);
    f.extend_from_slice(&tag.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.resize(60, 0);
    WireFrame {
        bytes: fcs::append_fcs(&f),
        earliest: 0,
        inject: None,
    }
}

fn tag_of(f: &RxFrame) -> (u16, u32) {
    (
        u16::from_be_bytes(f.data[42..44].try_into().unwrap()),
        u32::from_be_bytes(f.data[44..48].try_into().unwrap()),
    )
}

fn small_vi() -> ViConfig {
    ViConfig {
        ring_log2: 4,
        evq_log2: 5,
        buffers: 16,
        batch: 4,
        ..Default::default()
    }
}

fn card(speed: Speed) -> Sim {
    let mut sim = Sim::new(SimConfig::new(speed));
    DeviceManager::probe(&mut sim, speed, 1522).unwrap();
    sim
}

fn filters(sim: &mut Sim) -> FilterManager {
    let mut fm = FilterManager::new(ClassifierParams::SIM);
    fm.clear(sim);
    fm
}

/// Steps and polls until the wire is quiet and the card idle.
fn settle(sim: &mut Sim, host: &mut Host, got: &mut Vec<RxFrame>) {
    for _ in 0..200_000 {
        for _ in 0..64 {
            sim.step();
        }
        host.poll(sim, got).unwrap();
        if sim.wire().idle() && DeviceManager::rx_idle(sim) {
            host.poll(sim, got).unwrap();
            return;
        }
    }
    panic!("the card did not go idle");
}

fn counter(sim: &mut Sim, c: Counter) -> u64 {
    sim.read32(c.offset()) as u64
}

fn drops(sim: &mut Sim) -> u64 {
    Counter::DROPS.iter().map(|&c| counter(sim, c)).sum()
}

#[test]
fn a_thousand_and_twenty_four_vis_each_get_their_own_frames() {
    let mut sim = card(Speed::Gbe10);
    let n = VI_COUNT as u16;
    let mut host = Host::open(&mut sim, QueueConfig::default(), &small_vi(), 1..n).unwrap();
    let mut fm = filters(&mut sim);
    for v in 1..n {
        let e = format!(
            "udp and dst host 10.3.{}.{} and dst port 7000",
            v >> 8,
            v & 0xFF
        );
        fm.install(&mut sim, &e, v, 0).unwrap();
    }
    sim.drain_writes();
    // Three rounds over every VI, the OS path's frames (VI 0) among them, at line rate.
    let mut frames = Vec::new();
    for round in 0..3u32 {
        for v in 0..n {
            frames.push(udp([10, 3, (v >> 8) as u8, v as u8], 7000, v, round));
        }
    }
    let sent = frames.len();
    sim.send(frames);
    let mut got = Vec::new();
    settle(&mut sim, &mut host, &mut got);
    assert_eq!(got.len(), sent, "every frame delivered");
    let mut per_vi = vec![0u32; n as usize];
    for f in &got {
        let (tag, _) = tag_of(f);
        assert_eq!(f.vi, tag, "frame for VI {tag} went to VI {}", f.vi);
        assert_eq!(f.filter == FILTER_NONE, tag == 0);
        per_vi[tag as usize] += 1;
    }
    assert!(per_vi.iter().all(|&c| c == 3));
    let stats = host.vi_stats(&mut sim);
    assert_eq!(stats.len(), VI_COUNT);
    for (v, st) in stats {
        assert_eq!(st[&ViCounter::RxFrames], 3, "VI {v}");
        assert_eq!(st[&ViCounter::DropNoDesc], 0, "VI {v}");
    }
    assert_eq!(drops(&mut sim), 0);
    assert_eq!(sim.dma().stats().errors, 0);
}

#[test]
fn a_flooded_vi_without_buffers_costs_no_other_vi_a_frame() {
    let mut sim = card(Speed::Gbe10);
    let mut host = Host::open(&mut sim, QueueConfig::default(), &small_vi(), [2]).unwrap();
    // VI 1 exists but its process never posts a buffer.
    let flooded = host.dm.create_vi_at(&mut sim, 1, small_vi()).unwrap();
    let mut fm = filters(&mut sim);
    fm.install(&mut sim, "udp and dst port 9001", 1, 0).unwrap();
    fm.install(&mut sim, "udp and dst port 9002", 2, 0).unwrap();
    sim.drain_writes();
    // 64-byte frames back to back at 10 GbE: mostly for the flooded VI, every 25th for the
    // low-rate VI, every 10th for the OS path.
    let n = 30_000u32;
    let (mut to_flood, mut to_low, mut to_os) = (0u64, 0u64, 0u64);
    let frames: Vec<WireFrame> = (0..n)
        .map(|i| {
            if i % 25 == 0 {
                to_low += 1;
                udp([10, 0, 0, 2], 9002, 2, i)
            } else if i % 10 == 0 {
                to_os += 1;
                udp([10, 0, 0, 3], 53, 0, i)
            } else {
                to_flood += 1;
                udp([10, 0, 0, 1], 9001, 1, i)
            }
        })
        .collect();
    sim.send(frames);
    let mut got = Vec::new();
    settle(&mut sim, &mut host, &mut got);
    let low = got.iter().filter(|f| f.vi == 2).count() as u64;
    let os = got.iter().filter(|f| f.vi == 0).count() as u64;
    assert_eq!(
        (low, os),
        (to_low, to_os),
        "the low-rate VI and the OS path lose nothing"
    );
    assert!(got.iter().all(|f| f.vi != 1));
    let st = flooded.stats(&mut sim);
    assert_eq!(
        st[&ViCounter::DropNoDesc] as u64,
        to_flood,
        "drops counted on the flooded VI"
    );
    assert_eq!(
        counter(&mut sim, Counter::DropNoDesc),
        to_flood,
        "and only there"
    );
    assert_eq!(drops(&mut sim), to_flood);
    for (v, st) in host.vi_stats(&mut sim) {
        assert_eq!(st[&ViCounter::DropNoDesc], 0, "VI {v}");
    }
    // The wire ran at line rate: 84 octets per frame, eight a cycle.
    let lo = sim.wire().last_octet_cycles();
    assert!(lo[n as usize - 1] - lo[0] <= ((n as u64 - 1) * 84).div_ceil(8) + 1);
}

/// What a hostile process does with its own VI.
#[derive(Debug, Clone)]
enum Abuse {
    /// A descriptor naming another VI's buffer.
    ForeignBuffer,
    /// A buffer id beyond the buffer table, or beyond the VI's range.
    OutOfRange(u32),
    /// Its own buffer at a misaligned offset, or one where the buffer does not fit the page.
    BadOffset(u16),
    /// Its own buffer posted again while posted (a replayed descriptor).
    Replay,
    /// A receive doorbell past the ring.
    DoorbellPast(u16),
    /// A receive doorbell going backwards.
    DoorbellBack(u16),
    /// An events-consumed value past the events written.
    EvqPast(u16),
    /// Frames for the three VIs.
    Traffic(u8),
}

fn abuse() -> impl Strategy<Value = Abuse> {
    prop_oneof![
        Just(Abuse::ForeignBuffer),
        (0u32..1000).prop_map(Abuse::OutOfRange),
        prop_oneof![Just(4u16), Just(2050), Just(4088)].prop_map(Abuse::BadOffset),
        Just(Abuse::Replay),
        (1u16..100).prop_map(Abuse::DoorbellPast),
        (1u16..8).prop_map(Abuse::DoorbellBack),
        (1u16..500).prop_map(Abuse::EvqPast),
        (1u8..40).prop_map(Abuse::Traffic),
    ]
}

fn inside(regions: &[(u64, u64)], a: u64) -> bool {
    regions.iter().any(|&(s, e)| s <= a && a < e)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn hostile_users_reach_nothing_but_their_own_buffers(
        seq in proptest::collection::vec(abuse(), 1..20),
    ) {
        let mut sim = card(Speed::Gbe10);
        sim.dma_mut().record_writes(true);
        let mut host = Host::open(&mut sim, QueueConfig::default(), &small_vi(), [1, 2]).unwrap();
        let mut fm = filters(&mut sim);
        fm.install(&mut sim, "udp and dst port 9001", 1, 0).unwrap();
        fm.install(&mut sim, "udp and dst port 9002", 2, 0).unwrap();
        sim.drain_writes();
        let victim_first = host.vis[&2].buffer_ids().start;
        let (mut sent_b, mut sent_os, mut sent_a) = (0u32, 0u32, 0u32);
        let mut doorbell_abuses = 0u32;
        let mut got = Vec::new();
        for act in &seq {
            let a = host.vis.get_mut(&1).unwrap();
            let own = a.buffer_ids().start;
            match *act {
                Abuse::ForeignBuffer => { let _ = a.post_raw(&mut sim, rxdesc::word(victim_first, 0)); },
                Abuse::OutOfRange(k) => {
                    let id = if k % 2 == 0 { (1 << BUFTBL_BITS) + k } else { a.buffer_ids().end + k };
                    { let _ = a.post_raw(&mut sim, rxdesc::word(id, 0)); }
                }
                Abuse::BadOffset(o) => { let _ = a.post_raw(&mut sim, rxdesc::word(own, o)); },
                Abuse::Replay => { let _ = a.post_raw(&mut sim, rxdesc::word(own, 0)); },
                Abuse::DoorbellPast(k) => {
                    doorbell_abuses += 1;
                    let cons = a.page().read(&mut sim, DbReg::RxCons) as u16;
                    a.doorbell_raw(&mut sim, DbReg::RxProd, cons.wrapping_add(16 + k) as u32);
                }
                Abuse::DoorbellBack(k) => {
                    doorbell_abuses += 1;
                    let prod = a.page().read(&mut sim, DbReg::RxProd) as u16;
                    a.doorbell_raw(&mut sim, DbReg::RxProd, prod.wrapping_sub(k) as u32);
                }
                Abuse::EvqPast(k) => {
                    doorbell_abuses += 1;
                    let p = a.page().read(&mut sim, DbReg::EvqProd) as u16;
                    a.doorbell_raw(&mut sim, DbReg::EvqCons, p.wrapping_add(k) as u32);
                }
                Abuse::Traffic(k) => {
                    let mut fr = Vec::new();
                    for i in 0..k as u32 {
                        match i % 3 {
                            0 => { sent_a += 1; fr.push(udp([10, 0, 0, 1], 9001, 1, i)) }
                            1 => { sent_b += 1; fr.push(udp([10, 0, 0, 2], 9002, 2, i)) }
                            _ => { sent_os += 1; fr.push(udp([10, 0, 0, 3], 53, 0, i)) }
                        }
                    }
                    sim.send(fr);
                }
            }
            for _ in 0..4 {
                for _ in 0..200 { sim.step(); }
                host.poll(&mut sim, &mut got).unwrap();
            }
        }
        settle(&mut sim, &mut host, &mut got);
        // The victims received exactly their frames, intact.
        let b: Vec<_> = got.iter().filter(|f| f.vi == 2).collect();
        let os: Vec<_> = got.iter().filter(|f| f.vi == 0).collect();
        prop_assert_eq!(b.len() as u32, sent_b);
        prop_assert_eq!(os.len() as u32, sent_os);
        prop_assert!(b.iter().all(|f| tag_of(f).0 == 2) && os.iter().all(|f| tag_of(f).0 == 0));
        prop_assert!(got.iter().filter(|f| f.vi == 1).all(|f| tag_of(f).0 == 1));
        prop_assert!(got.iter().filter(|f| f.vi == 1).count() as u32 <= sent_a);
        // Errors reached the offender only, and its counters agree.
        prop_assert!(host.errors.iter().all(|e| e.vi == 1));
        let st = host.vis[&1].stats(&mut sim);
        let bad_buf = host.errors.iter().filter(|e| matches!(e.code, error::BAD_BUFFER | error::BAD_OFFSET)).count() as u32;
        let bad_db = host.errors.iter().filter(|e| matches!(e.code, error::RX_DOORBELL | error::EVQ_DOORBELL)).count() as u32;
        prop_assert_eq!(st[&ViCounter::DropBadBuffer], bad_buf);
        prop_assert_eq!(st[&ViCounter::DoorbellErrors], bad_db);
        // Every refused doorbell was refused (and said so), and none was taken.
        prop_assert_eq!(bad_db, doorbell_abuses);
        prop_assert_eq!(st[&ViCounter::DropEvqFull], 0);
        for v in [0u16, 2] {
            let st = if v == 0 { host.dm.os_vi().stats(&mut sim) } else { host.vis[&v].stats(&mut sim) };
            prop_assert_eq!(st[&ViCounter::DropBadBuffer] + st[&ViCounter::DoorbellErrors] + st[&ViCounter::DropNoDesc], 0);
        }
        // Every write of the card went into a VI's own memory; into the victims' memory,
        // exactly their frames and events.
        let log = sim.dma_mut().take_write_log();
        let ra = host.vis[&1].card_writable();
        let rb = host.vis[&2].card_writable();
        let ros = host.dm.os_vi().card_writable();
        prop_assert!(log.iter().all(|&(_, a)| inside(&ra, a) || inside(&rb, a) || inside(&ros, a)));
        let beats = |fs: &[&RxFrame]| fs.iter().map(|f| f.data.len().div_ceil(8) as u64 + 2).sum::<u64>();
        prop_assert_eq!(log.iter().filter(|&&(_, a)| inside(&rb, a)).count() as u64, beats(&b));
        prop_assert_eq!(log.iter().filter(|&&(_, a)| inside(&ros, a)).count() as u64, beats(&os));
        prop_assert_eq!(sim.dma().stats().errors, 0);
    }
}

#[test]
fn destroying_a_vi_under_traffic_stops_every_write_to_it() {
    let mut sim = card(Speed::Gbe10);
    sim.dma_mut().record_writes(true);
    // A VI that takes every other frame at 10 GbE posts buffers in batches of 16; VI 2 rings
    // refused doorbells all along (their error events share the write stage with VI 1's
    // frames).
    let mut host = Host::open(&mut sim, QueueConfig::default(), &ViConfig::default(), [1]).unwrap();
    let mut noisy = host.dm.create_vi_at(&mut sim, 2, small_vi()).unwrap();
    let mut fm = filters(&mut sim);
    let fid = fm.install(&mut sim, "udp and dst port 9001", 1, 0).unwrap();
    sim.drain_writes();
    let n = 20_000u32;
    sim.send((0..n).map(|i| {
        if i % 2 == 0 {
            udp([10, 0, 0, 1], 9001, 1, i)
        } else {
            udp([10, 0, 0, 3], 53, 0, i)
        }
    }));
    let mut got = Vec::new();
    // (One refused doorbell every 8 polls: each costs the shared write port an event.)
    let mut noise = |sim: &mut Sim, k: u32| {
        if k.is_multiple_of(8) {
            noisy.doorbell_raw(sim, DbReg::RxProd, 1000 + k);
        }
        let mut evs = Vec::new();
        noisy.poll(sim, &mut evs).unwrap();
    };
    let mut k = 0;
    while sim.wire().started() < n as u64 / 3 {
        for _ in 0..64 {
            sim.step();
        }
        host.poll(&mut sim, &mut got).unwrap();
        noise(&mut sim, k);
        k += 1;
    }
    let a = host.vis.remove(&1).unwrap();
    let regions = a.card_writable();
    noise(&mut sim, k);
    host.dm.destroy_vi(&mut sim, a).unwrap();
    let destroyed_at = sim.now();
    let before_removal = sim.wire().started();
    // Its filter still claims frames for a while: they are dropped and counted.
    while sim.wire().started() < 2 * n as u64 / 3 {
        for _ in 0..64 {
            sim.step();
        }
        host.poll(&mut sim, &mut got).unwrap();
        noise(&mut sim, k);
        k += 1;
    }
    fm.remove(&mut sim, fid).unwrap();
    settle(&mut sim, &mut host, &mut got);
    let log = sim.dma_mut().take_write_log();
    assert!(
        log.iter()
            .all(|&(c, a)| c < destroyed_at || !inside(&regions, a)),
        "a write into the destroyed VI's memory"
    );
    assert!(log
        .iter()
        .any(|&(c, a)| c < destroyed_at && inside(&regions, a)));
    let missing = counter(&mut sim, Counter::DropViDisabled);
    assert!(missing > 0 && before_removal < 2 * n as u64 / 3);
    // Once the filter is gone the VI's traffic takes the OS path; nothing is lost otherwise.
    assert!(got.iter().any(|f| f.vi == 0 && tag_of(f).0 == 1));
    let delivered = counter(&mut sim, Counter::RxDelivered);
    assert_eq!(delivered + drops(&mut sim), n as u64);
    assert_eq!(
        drops(&mut sim),
        missing,
        "{:?}",
        DeviceManager::counters(&mut sim)
    );
    // What the card wrote into the VI between its last poll and the destroy was never read.
    assert!(
        delivered - got.len() as u64 <= 16,
        "{delivered} delivered, {} read",
        got.len()
    );
}

/// Delivers `n` frames at 1 GbE line rate to a VI whose process sleeps between polls;
/// returns the interrupts it took.
fn sleeping_receiver(holdoff: u16, n: u32) -> u64 {
    let mut sim = card(Speed::Gbe1);
    let cfg = ViConfig {
        holdoff,
        ring_log2: 9,
        evq_log2: 10,
        buffers: 512,
        ..Default::default()
    };
    let mut host = Host::open(&mut sim, QueueConfig::default(), &cfg, [1]).unwrap();
    let mut fm = filters(&mut sim);
    fm.install(&mut sim, "udp and dst port 9001", 1, 0).unwrap();
    sim.drain_writes();
    sim.send((0..n).map(|i| udp([10, 0, 0, 1], 9001, 1, i)));
    let mut got = Vec::new();
    let mut wakeups = 0u64;
    let mut evs = Vec::new();
    while got.len() < n as usize {
        let vi = host.vis.get_mut(&1).unwrap();
        vi.arm(&mut sim);
        let woken = host.dm.wait_for(&mut sim, &[1], 10_000_000);
        assert_eq!(woken, vec![1], "no interrupt while frames wait");
        wakeups += 1;
        let vi = host.vis.get_mut(&1).unwrap();
        evs.clear();
        vi.poll(&mut sim, &mut evs).unwrap();
        // An interrupt comes only once its events are in memory.
        assert!(!evs.is_empty(), "woken with nothing to read");
        got.append(&mut evs);
    }
    assert_eq!(got.len(), n as usize);
    assert_eq!(counter(&mut sim, Counter::Interrupts), wakeups);
    wakeups
}

#[test]
fn interrupt_moderation_covers_a_burst_with_few_interrupts() {
    let n = 400;
    let moderated = sleeping_receiver(4000, n);
    let eager = sleeping_receiver(0, n);
    // 400 frames take 400 * 84 cycles on the wire; one interrupt per holdoff, about.
    assert!(
        moderated <= (n as u64 * 84) / 4000 + 3,
        "{moderated} interrupts"
    );
    assert!(eager > 10 * moderated, "{eager} interrupts without holdoff");
}

#[test]
fn the_card_refuses_what_a_vi_cannot_be() {
    let mut sim = card(Speed::Gbe1);
    let mut host = Host::open(&mut sim, QueueConfig::default(), &small_vi(), []).unwrap();
    // Past the card's VIs.
    assert!(host
        .dm
        .create_vi_at(&mut sim, VI_COUNT as u16, small_vi())
        .is_err());
    // A second VI on the same number, and sizes that cannot work.
    let v = host.dm.create_vi(&mut sim, small_vi()).unwrap();
    assert!(host.dm.create_vi_at(&mut sim, v.vi(), small_vi()).is_err());
    let bad = ViConfig {
        buf_size: 5000,
        ..small_vi()
    };
    assert!(host.dm.create_vi(&mut sim, bad).is_err());
    // Destroy and create again: the number and the buffer ids come back.
    let (num, ids) = (v.vi(), v.buffer_ids());
    host.dm.destroy_vi(&mut sim, v).unwrap();
    let again = host.dm.create_vi(&mut sim, small_vi()).unwrap();
    assert_eq!((again.vi(), again.buffer_ids()), (num, ids));
    // Every VI's buffer ids are its own.
    let other = host.dm.create_vi(&mut sim, small_vi()).unwrap();
    assert!(other.buffer_ids().start >= again.buffer_ids().end);
    // The card itself refuses a VI number past its VIs and an unknown operation.
    use arsenic_interface::regs::{self, vi_cmd};
    sim.write32(regs::VI_CMD, vi_cmd::word(vi_cmd::CREATE, VI_COUNT as u16));
    assert_eq!(sim.read32(regs::VI_CMD_STATUS), vi_cmd::STATUS_BAD);
    sim.write32(regs::VI_CMD, vi_cmd::word(vi_cmd::DESTROY, 3));
    assert_eq!(sim.read32(regs::VI_CMD_STATUS), vi_cmd::STATUS_OK);
    sim.write32(regs::VI_CMD, vi_cmd::word(7, 3));
    assert_eq!(sim.read32(regs::VI_CMD_STATUS), vi_cmd::STATUS_BAD);
    // A destroyed VI's page reads as not existing.
    assert_eq!(
        other.page().read(&mut sim, DbReg::Status) & regs::db::STATUS_EXISTS,
        1
    );
    assert_eq!(
        again.page().read(&mut sim, DbReg::Status) & regs::db::STATUS_EXISTS,
        1
    );
}
