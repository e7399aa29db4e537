//! The transmit path through the Verilator model, driven by user processes of the user-level
//! library: frames leave whole with a correct FCS (checked by a bitwise CRC-32 written here),
//! 64 VIs keep a 10 GbE wire busy with minimum frames, deficit round robin shares the wire by
//! weight, the token bucket holds a VI to its rate and burst, spoofed frames never reach the
//! wire, and loopback delivers a VI's frames to the VI whose filter matches them.

mod common;
use arsenic_host::ViEvent;
use arsenic_host::{Device, DeviceManager, QueueConfig, Shaping, TxSchedule, UserVi, ViConfig};
use arsenic_interface::event::error;
use arsenic_interface::params::Speed;
use arsenic_interface::regs::{self, ctrl, TxCounter, TxViCounter};
use arsenic_interface::txdesc::TxDescRepr;
use arsenic_testbenches::sim::{Sim, SimConfig};
use arsenic_testbenches::wire_tx::TxFrame;
use common::crc32_bitwise;
use std::collections::BTreeMap;

/// What the wire must carry for `frame`: padded to 60 octets, then the FCS.
fn on_wire(frame: &[u8]) -> Vec<u8> {
    let mut f = frame.to_vec();
    if f.len() < 60 {
        f.resize(60, 0);
    }
    let c = crc32_bitwise(&f);
    f.extend_from_slice(&c.to_le_bytes());
    f
}

/// A UDP/IPv4 frame of `len` octets (FCS excluded) from VI `vi`'s addresses
/// (02:00:00:00:00:vi, 10.0.0.vi, port 1000 + vi) to 10.9.9.9:`dport`, carrying `seq`.
fn udp_from(vi: u8, dport: u16, seq: u32, len: usize) -> Vec<u8> {
    udp_custom(
        [2, 0, 0, 0, 0, vi],
        [10, 0, 0, vi],
        1000 + vi as u16,
        dport,
        seq,
        len,
    )
}

fn udp_custom(mac: [u8; 6], ip: [u8; 4], sport: u16, dport: u16, seq: u32, len: usize) -> Vec<u8> {
    assert!(len >= 46);
    let mut f = vec![0x02, 0x09, 0x09, 0x09, 0x09, 0x09];
    f.extend_from_slice(&mac);
    f.extend_from_slice(&[0x08, 0x00]);
    let ip_len = (len - 14) as u16;
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&ip_len.to_be_bytes());
    f.extend_from_slice(&[0, 0, 0x40, 0, 64, 17, 0, 0]);
    f.extend_from_slice(&ip);
    f.extend_from_slice(&[10, 9, 9, 9]);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&(ip_len - 20).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(&seq.to_be_bytes());
    f.resize(len, 0xA5);
    f
}

/// The sending VI of a frame built by [`udp_from`] (the last octet of its source MAC).
fn vi_of(f: &TxFrame) -> u8 {
    f.bytes[11]
}

/// The sequence number of a frame built by [`udp_from`].
fn seq_of(f: &TxFrame) -> u32 {
    u32::from_be_bytes(f.bytes[42..46].try_into().unwrap())
}

fn card(speed: Speed) -> Sim {
    let mut sim = Sim::new(SimConfig::new(speed));
    DeviceManager::probe(&mut sim, speed, 1522).unwrap();
    sim
}

fn small_rx() -> QueueConfig {
    QueueConfig {
        ring_log2: 4,
        evq_log2: 8,
        buffers: 16,
        batch: 4,
        tx_ring_log2: 7,
        tx_buffers: 64,
        ..Default::default()
    }
}

/// A VI that sends: a small receive side, `tx_buffers` transmit buffers.
fn tx_vi(tx_buffers: usize, tx: TxSchedule) -> ViConfig {
    ViConfig {
        ring_log2: 4,
        evq_log2: 10,
        buffers: 16,
        batch: 4,
        tx_ring_log2: 9,
        tx_buffers,
        tx,
        ..Default::default()
    }
}

fn unrestricted() -> TxSchedule {
    TxSchedule {
        unrestricted: true,
        ..Default::default()
    }
}

/// A process per VI with frames to send: keeps its ring as full as its buffers allow,
/// polls its completions. Runs until every frame is on the wire or `max_cycles` pass.
fn run(
    sim: &mut Sim,
    vis: &mut [(UserVi, Vec<Vec<u8>>)],
    expect_on_wire: usize,
    max_cycles: u64,
) -> Vec<ViEvent> {
    run_until(sim, vis, max_cycles, |s| {
        s.tx_frames().len() >= expect_on_wire
    })
}

/// [`run`] until `done`.
fn run_until(
    sim: &mut Sim,
    vis: &mut [(UserVi, Vec<Vec<u8>>)],
    max_cycles: u64,
    done: impl Fn(&Sim) -> bool,
) -> Vec<ViEvent> {
    let start = sim.cycle();
    let mut next = vec![0usize; vis.len()];
    let mut events = Vec::new();
    let mut scratch = Vec::new();
    while !done(sim) && sim.cycle() - start < max_cycles {
        for (i, (u, frames)) in vis.iter_mut().enumerate() {
            scratch.clear();
            u.poll(sim, &mut scratch).unwrap();
            events.append(&mut scratch);
            if next[i] < frames.len() && u.tx_free() > 0 {
                next[i] += u.transmit(sim, &frames[next[i]..]).unwrap();
            }
        }
        sim.wait(64);
    }
    // Let the last completions arrive.
    sim.wait(2000);
    for (u, _) in vis.iter_mut() {
        scratch.clear();
        u.poll(sim, &mut scratch).unwrap();
        events.append(&mut scratch);
    }
    events
}

#[test]
fn frames_leave_whole_with_a_correct_fcs_at_both_speeds() {
    for speed in [Speed::Gbe1, Speed::Gbe10] {
        let mut sim = card(speed);
        let mut dm = DeviceManager::open_default_queue(&mut sim, small_rx()).unwrap();
        let u = dm.create_vi(&mut sim, tx_vi(32, unrestricted())).unwrap();
        let sizes = [
            14usize, 15, 33, 59, 60, 61, 63, 64, 65, 100, 127, 128, 129, 512, 1000, 1514,
        ];
        let frames: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                let mut f = udp_from(1, 9, i as u32, n.max(46));
                f.truncate(n);
                f
            })
            .collect();
        let mut vis = vec![(u, frames.clone())];
        let events = run(&mut sim, &mut vis, frames.len(), 400_000);
        let wire = sim.take_tx_frames();
        assert_eq!(wire.len(), frames.len(), "{speed:?}");
        for (w, f) in wire.iter().zip(&frames) {
            assert_eq!(
                w.bytes,
                on_wire(f),
                "{speed:?}: frame of {} octets",
                f.len()
            );
        }
        assert!(sim.tx_faults().is_empty(), "{:?}", sim.tx_faults());
        assert!(events.is_empty(), "no error events: {events:?}");
        let c = DeviceManager::tx_counters(&mut sim);
        assert_eq!(c[&TxCounter::Frames], frames.len() as u64);
        assert_eq!(
            c[&TxCounter::Octets],
            frames
                .iter()
                .map(|f| f.len().max(60) as u64 + 4)
                .sum::<u64>()
        );
        assert_eq!(
            c[&TxCounter::Padded],
            sizes.iter().filter(|&&n| n < 60).count() as u64
        );
        assert_eq!(c[&TxCounter::Underruns], 0);
        let s = vis[0].0.tx_stats(&mut sim);
        assert_eq!(s[&TxViCounter::Frames], frames.len() as u32);
        assert_eq!(
            s[&TxViCounter::Bytes],
            frames.iter().map(|f| f.len() as u32).sum::<u32>()
        );
        assert_eq!(vis[0].0.tx_in_flight(), 0, "every buffer came back");
        assert!(DeviceManager::tx_idle(&mut sim));
    }
}

#[test]
fn sixty_four_vis_keep_a_10g_wire_busy_with_minimum_frames() {
    let mut sim = card(Speed::Gbe10);
    let mut dm = DeviceManager::open_default_queue(&mut sim, small_rx()).unwrap();
    let per_vi = 100;
    let mut vis = Vec::new();
    for v in 1..=64u8 {
        let u = dm.create_vi(&mut sim, tx_vi(128, unrestricted())).unwrap();
        let frames = (0..per_vi).map(|s| udp_from(v, 9, s, 60)).collect();
        vis.push((u, frames));
    }
    let total = 64 * per_vi as usize;
    run(&mut sim, &mut vis, total, 400_000);
    let wire = sim.take_tx_frames();
    assert_eq!(wire.len(), total);
    // Minimum frames back to back: every gap is the minimum, 12 octets (84 octet times a
    // frame), from the end of the pipeline's fill (the first FILL frames, whose data the
    // card is still reading from the host for the first time) to the last frame.
    const FILL: usize = 8;
    let long: Vec<(usize, u64)> = wire
        .iter()
        .enumerate()
        .skip(FILL)
        .filter(|(_, f)| f.gap_octets != 12)
        .map(|(i, f)| (i, f.gap_octets))
        .collect();
    assert!(
        long.is_empty(),
        "{} gaps above the minimum, first (index, gap): {:?}",
        long.len(),
        &long[..long.len().min(20)]
    );
    let span = wire.last().unwrap().start_cycle - wire[FILL - 1].start_cycle;
    assert_eq!(
        span * 8,
        (total - FILL) as u64 * 84,
        "line rate, in octet times"
    );
    // Every VI's frames, in its order.
    let mut seen: BTreeMap<u8, u32> = BTreeMap::new();
    for f in &wire {
        let v = vi_of(f);
        let seq = seq_of(f);
        let n = seen.entry(v).or_default();
        assert_eq!(seq, *n, "VI {v} in order");
        *n += 1;
    }
    assert!(seen.values().all(|&n| n == per_vi));
}

/// Wire bytes (frame with FCS) per sending VI over `frames`.
fn bytes_by_vi(frames: &[TxFrame]) -> BTreeMap<u8, u64> {
    let mut m = BTreeMap::new();
    for f in frames {
        *m.entry(vi_of(f)).or_default() += f.bytes.len() as u64;
    }
    m
}

#[test]
fn deficit_round_robin_shares_the_wire_by_weight() {
    let mut sim = card(Speed::Gbe10);
    let mut dm = DeviceManager::open_default_queue(&mut sim, small_rx()).unwrap();
    let weights = [(1u8, 1u16), (2, 2), (3, 5)];
    let mut vis = Vec::new();
    let per_vi = 9000;
    for &(v, w) in &weights {
        let tx = TxSchedule {
            unrestricted: true,
            ..TxSchedule::weighted(w).unwrap()
        };
        let u = dm.create_vi(&mut sim, tx_vi(128, tx)).unwrap();
        assert_eq!(u.vi(), v as u16);
        // Sizes differ per VI and within a VI, so that shares are of bytes, not frames.
        let frames = (0..per_vi)
            .map(|s| {
                let len = match v {
                    1 => 1514,
                    2 => 60 + (s as usize * 37) % 1455,
                    _ => 300 + (s as usize % 3) * 100,
                };
                udp_from(v, 9, s, len)
            })
            .collect();
        vis.push((u, frames));
    }
    // 10,000 frames while all three stay saturated (none runs out: each has 9,000).
    let warm = 500;
    let window = 10_000;
    run(&mut sim, &mut vis, warm + window, 20_000_000);
    let wire = sim.take_tx_frames();
    assert!(wire.len() >= warm + window);
    let by = bytes_by_vi(&wire[warm..warm + window]);
    let total: u64 = by.values().sum();
    let wsum: u16 = weights.iter().map(|w| w.1).sum();
    for &(v, w) in &weights {
        let share = by[&v] as f64 / total as f64;
        let want = w as f64 / wsum as f64;
        assert!(
            (share - want).abs() <= 0.01 * want,
            "VI {v}: share {share:.4}, weight share {want:.4} (bytes {by:?})"
        );
    }
}

#[test]
fn the_token_bucket_holds_a_vi_to_its_rate_and_burst() {
    let mut cfg = SimConfig::new(Speed::Gbe10);
    // Host reads with a fixed latency, so that the wire shows the shaper's times exactly
    // (up to the MAC's start-lane alignment).
    cfg.dma.read_jitter = 0;
    let mut sim = Sim::new(cfg);
    DeviceManager::probe(&mut sim, Speed::Gbe10, 1522).unwrap();
    let mut dm = DeviceManager::open_default_queue(&mut sim, small_rx()).unwrap();
    // VI 1 shaped to 1 Gb/s (0.8 octets a cycle at 156.25 MHz) with a 4000-octet burst; VI 2
    // unshaped and saturating, so the wire is never what holds VI 1 back.
    let rate = 1e9 / 8.0 / Speed::Gbe10.clock_hz() as f64;
    let burst = 4000u32;
    let shaped = TxSchedule {
        unrestricted: true,
        shaping: Some(Shaping {
            bytes_per_cycle: rate,
            burst_bytes: burst,
        }),
        ..Default::default()
    };
    let u1 = dm.create_vi(&mut sim, tx_vi(128, shaped)).unwrap();
    let u2 = dm.create_vi(&mut sim, tx_vi(128, unrestricted())).unwrap();
    let n1 = 1500;
    let f1: Vec<Vec<u8>> = (0..n1)
        .map(|s| udp_from(1, 9, s, 60 + (s as usize * 53) % 900))
        .collect();
    let f2: Vec<Vec<u8>> = (0..60_000).map(|s| udp_from(2, 9, s, 1000)).collect();
    let mut vis = vec![(u1, f1), (u2, f2)];
    let events = run_until(&mut sim, &mut vis, 20_000_000, |s| {
        s.tx_frames()
            .iter()
            .rev()
            .take(64)
            .any(|f| vi_of(f) == 1 && seq_of(f) == n1 - 1)
    });
    assert!(events.is_empty());
    let mine: Vec<&TxFrame> = sim.tx_frames().iter().filter(|f| vi_of(f) == 1).collect();
    assert_eq!(mine.len(), n1 as usize);
    // The long-run rate, after the burst: within 1%.
    let skip = 50;
    let bytes: u64 = mine[skip..mine.len() - 1]
        .iter()
        .map(|f| f.bytes.len() as u64)
        .sum();
    let cycles = (mine[mine.len() - 1].start_cycle - mine[skip].start_cycle) as f64;
    let got = bytes as f64 / cycles;
    assert!(
        (got - rate).abs() <= 0.01 * rate,
        "rate {got:.5} octets/cycle, shaped to {rate:.5}"
    );
    // Never more than the burst above the rate: over every run of frames i..=j, the octets
    // sent by the start of j stay within rate * (start_j - start_i) + burst, plus one start
    // lane (4 octet times) of slack.
    let mut prefix = vec![0u64];
    for f in &mine {
        prefix.push(prefix.last().unwrap() + f.bytes.len() as u64);
    }
    let mut worst = f64::MIN;
    for i in 0..mine.len() {
        for j in i..mine.len() {
            let sent = (prefix[j + 1] - prefix[i]) as f64;
            let allowed = rate * (mine[j].start_cycle - mine[i].start_cycle) as f64 + burst as f64;
            worst = worst.max(sent - allowed);
        }
    }
    assert!(
        worst <= rate * 1.0,
        "{worst:.1} octets above rate * t + burst"
    );
    // The other VI had the rest of the wire.
    assert!(sim.tx_frames().iter().any(|f| vi_of(f) == 2));
}

#[test]
fn spoofed_and_bad_descriptors_never_reach_the_wire() {
    let mut sim = card(Speed::Gbe1);
    let mut dm = DeviceManager::open_default_queue(&mut sim, small_rx()).unwrap();
    let mut u1 = dm
        .create_vi(&mut sim, tx_vi(32, TxSchedule::default()))
        .unwrap();
    let u2 = dm
        .create_vi(&mut sim, tx_vi(32, TxSchedule::default()))
        .unwrap();
    let u3 = dm
        .create_vi(&mut sim, tx_vi(32, TxSchedule::default()))
        .unwrap();
    // VI 1 and 2 may send UDP from their own MAC, address and port; VI 3 has no filter.
    for v in [1u8, 2] {
        dm.install_tx_filter(
            &mut sim,
            v as u16,
            &format!(
                "ether src 02:00:00:00:00:{v:02x} and src host 10.0.0.{v} and udp src port {}",
                1000 + v as u16
            ),
        )
        .unwrap();
    }
    let good1 = |s| udp_from(1, 9, s, 100);
    let frames1 = [
        good1(0),
        udp_custom([2, 0, 0, 0, 0, 2], [10, 0, 0, 1], 1001, 9, 1, 100), // another VI's MAC
        udp_custom([2, 0, 0, 0, 0, 1], [10, 0, 0, 7], 1001, 9, 2, 100), // wrong address
        udp_custom([2, 0, 0, 0, 0, 1], [10, 0, 0, 1], 53, 9, 3, 100),   // wrong port
        good1(4),
        {
            let mut f = good1(5);
            f[23] = 6; // TCP, not UDP
            f
        },
        good1(6),
    ];
    let frames2: Vec<Vec<u8>> = (0..5).map(|s| udp_from(2, 9, s, 200)).collect();
    let frames3 = vec![udp_from(3, 9, 0, 100)];
    let mut vis = vec![(u2, frames2.clone()), (u3, frames3)];
    // VI 1 also writes descriptors naming another VI's buffer and a misaligned offset.
    u1.transmit(&mut sim, &frames1[..4]).unwrap();
    let foreign = vis[0].0.tx_buffer_ids().start;
    u1.post_tx_raw(
        &mut sim,
        TxDescRepr {
            buffer_id: foreign,
            offset: 0,
            len: 100,
            request_event: true,
        }
        .word(),
    )
    .unwrap();
    let own = u1.tx_buffer_ids().start;
    u1.post_tx_raw(
        &mut sim,
        TxDescRepr {
            buffer_id: own,
            offset: 4,
            len: 100,
            request_event: true,
        }
        .word(),
    )
    .unwrap();
    u1.transmit(&mut sim, &frames1[4..]).unwrap();
    vis.insert(0, (u1, Vec::new()));
    let events = run(&mut sim, &mut vis, 3 + frames2.len(), 2_000_000);
    sim.wait(20_000);
    let wire = sim.take_tx_frames();
    let want: Vec<Vec<u8>> = [good1(0), good1(4), good1(6)]
        .iter()
        .chain(frames2.iter())
        .map(|f| on_wire(f))
        .collect();
    let mut got: Vec<Vec<u8>> = wire.iter().map(|f| f.bytes.clone()).collect();
    let mut want_sorted = want.clone();
    got.sort();
    want_sorted.sort();
    assert_eq!(got, want_sorted, "exactly the allowed frames left");
    // VI 1's errors, at the ring indices of the refused descriptors.
    let errs: Vec<(u8, u16)> = events
        .iter()
        .filter_map(|e| match e {
            ViEvent::Error { code, index } => Some((*code, *index)),
            _ => None,
        })
        .collect();
    let s1 = vis[0].0.tx_stats(&mut sim);
    assert_eq!(s1[&TxViCounter::DropSpoofed], 4, "{errs:?}");
    assert_eq!(s1[&TxViCounter::DropBadBuffer], 1);
    assert_eq!(s1[&TxViCounter::DropBadDesc], 1);
    assert_eq!(s1[&TxViCounter::Frames], 3);
    let mut want_errs = vec![
        (error::TX_SPOOFED, 1),
        (error::TX_SPOOFED, 2),
        (error::TX_SPOOFED, 3),
        (error::TX_BAD_BUFFER, 4),
        (error::TX_BAD_DESC, 5),
        (error::TX_SPOOFED, 7),
        (error::TX_SPOOFED, 0), // VI 3, which has no filter
    ];
    want_errs.sort();
    let mut errs_sorted = errs.clone();
    errs_sorted.sort();
    assert_eq!(errs_sorted, want_errs);
    let s2 = vis[1].0.tx_stats(&mut sim);
    assert_eq!(s2[&TxViCounter::Frames], frames2.len() as u32);
    assert_eq!(s2[&TxViCounter::DropSpoofed], 0);
    let s3 = vis[2].0.tx_stats(&mut sim);
    assert_eq!(s3[&TxViCounter::DropSpoofed], 1);
    assert_eq!(s3[&TxViCounter::Frames], 0);
    let c = DeviceManager::tx_counters(&mut sim);
    assert_eq!(c[&TxCounter::DropSpoofed], 4 + 1);
    assert_eq!(c[&TxCounter::DropBadBuffer], 1);
    assert_eq!(c[&TxCounter::DropBadDesc], 1);
    assert_eq!(c[&TxCounter::Frames], 3 + frames2.len() as u64);
    // Every buffer came back, refused ones included.
    for (u, _) in &vis {
        assert_eq!(u.tx_in_flight(), 0, "VI {}", u.vi());
    }
}

#[test]
fn loopback_delivers_a_vis_frames_to_the_vi_its_filter_names() {
    let mut sim = card(Speed::Gbe10);
    let roomy = QueueConfig {
        ring_log2: 6,
        evq_log2: 8,
        buffers: 64,
        batch: 8,
        ..Default::default()
    };
    let mut dm = DeviceManager::open_default_queue(&mut sim, roomy.clone()).unwrap();
    let c = sim.read32(regs::CTRL);
    sim.write32(regs::CTRL, c | ctrl::LOOPBACK);
    let mut rx = dm
        .create_vi(
            &mut sim,
            ViConfig {
                tx_buffers: 0,
                ..roomy
            },
        )
        .unwrap();
    rx.refill(&mut sim, true).unwrap();
    rx.wait_prefetched(&mut sim, 100_000);
    let mut fm =
        arsenic_host::FilterManager::new(arsenic_interface::classifier::ClassifierParams::SIM);
    fm.install(&mut sim, "udp dst port 7000", rx.vi(), 1)
        .unwrap();
    let tx = dm.create_vi(&mut sim, tx_vi(64, unrestricted())).unwrap();
    let frames: Vec<Vec<u8>> = (0..40)
        .map(|s| {
            udp_from(
                2,
                if s % 2 == 0 { 7000 } else { 8000 },
                s,
                64 + s as usize * 20,
            )
        })
        .collect();
    let mut vis = vec![(tx, frames.clone())];
    run(&mut sim, &mut vis, frames.len(), 2_000_000);
    sim.wait(5000);
    let mut got = Vec::new();
    let mut evs = Vec::new();
    rx.poll(&mut sim, &mut evs).unwrap();
    for e in evs {
        if let ViEvent::Rx(f) = e {
            got.push(f.data);
        }
    }
    let want: Vec<Vec<u8>> = frames.iter().step_by(2).cloned().collect();
    let brief = |v: &[Vec<u8>]| v.iter().map(|f| (f.len(), f[45])).collect::<Vec<_>>();
    assert_eq!(
        brief(&got),
        brief(&want),
        "the VI whose filter matches got its frames"
    );
    assert!(got == want, "and their contents");
    let mut os = Vec::new();
    dm.poll(&mut sim, &mut os).unwrap();
    let os_frames: Vec<Vec<u8>> = os.into_iter().map(|f| f.data).collect();
    let want_os: Vec<Vec<u8>> = frames.iter().skip(1).step_by(2).cloned().collect();
    assert_eq!(
        brief(&os_frames),
        brief(&want_os),
        "the rest went to the OS path"
    );
    assert!(os_frames == want_os);
}

#[test]
fn receive_load_never_cuts_a_frame_on_the_transmit_wire() {
    // 1518-octet frames arrive back to back at 10 GbE while a VI sends minimum frames one at
    // a time, each asking for its completion event: the events wait for the receive DMA,
    // and frames on the wire must never wait in the middle.
    let mut sim = card(Speed::Gbe10);
    let mut dm = DeviceManager::open_default_queue(
        &mut sim,
        QueueConfig {
            ring_log2: 9,
            evq_log2: 10,
            buffers: 512,
            batch: 32,
            ..Default::default()
        },
    )
    .unwrap();
    let mut u = dm.create_vi(&mut sim, tx_vi(64, unrestricted())).unwrap();
    let rx: Vec<arsenic_testbenches::wire::WireFrame> = (0..3000u32)
        .map(|s| arsenic_testbenches::wire::WireFrame {
            bytes: arsenic_interface::fcs::append_fcs(&udp_from(9, 7000, s, 1514)),
            earliest: 0,
            inject: None,
        })
        .collect();
    let start = sim.cycle();
    sim.send(rx.into_iter().map(|mut f| {
        f.earliest += start;
        f
    }));
    let frames: Vec<Vec<u8>> = (0..2000).map(|s| udp_from(1, 9, s, 60)).collect();
    let mut next = 0;
    let mut evs = Vec::new();
    let mut got = Vec::new();
    while (next < frames.len() || u.tx_in_flight() > 0) && sim.cycle() - start < 3_000_000 {
        evs.clear();
        u.poll(&mut sim, &mut evs).unwrap();
        dm.poll(&mut sim, &mut got).unwrap();
        if next < frames.len() && u.tx_free() > 0 {
            // One frame a call: every descriptor asks for its event.
            next += u.transmit(&mut sim, &frames[next..next + 1]).unwrap();
        }
        sim.wait(16);
    }
    sim.wait(5000);
    let wire = sim.take_tx_frames();
    assert_eq!(wire.len(), frames.len());
    for (w, f) in wire.iter().zip(&frames) {
        assert_eq!(w.bytes, on_wire(f));
    }
    assert!(sim.tx_faults().is_empty(), "{:?}", &sim.tx_faults()[..1]);
    let c = DeviceManager::tx_counters(&mut sim);
    assert_eq!(c[&TxCounter::Underruns], 0);
    assert_eq!(c[&TxCounter::EventsLost], 0);
    assert!(
        got.len() > 1000,
        "receive ran alongside: {} frames",
        got.len()
    );
}

#[test]
fn a_soft_reset_while_frames_are_read_leaves_no_stale_data() {
    // Many large frames in flight from the host when the card is reset: what the host reads
    // afterwards for the reads of before is dropped, and the card sends exactly what is
    // posted after the reset.
    let mut sim = card(Speed::Gbe10);
    let mut dm = DeviceManager::open_default_queue(&mut sim, small_rx()).unwrap();
    let mut u = dm.create_vi(&mut sim, tx_vi(128, unrestricted())).unwrap();
    let before: Vec<Vec<u8>> = (0..200).map(|s| udp_from(1, 9, s, 1514)).collect();
    let mut next = 0;
    while sim.tx_frames().len() < 20 {
        if next < before.len() && u.tx_free() > 0 {
            next += u.transmit(&mut sim, &before[next..]).unwrap();
        }
        sim.wait(8);
    }
    DeviceManager::reset(&mut sim).unwrap();
    assert!(DeviceManager::tx_idle(&mut sim));
    sim.take_tx_frames();
    DeviceManager::probe(&mut sim, Speed::Gbe10, 1522).unwrap();
    let mut dm = DeviceManager::open_default_queue(&mut sim, small_rx()).unwrap();
    let u = dm.create_vi(&mut sim, tx_vi(128, unrestricted())).unwrap();
    let after: Vec<Vec<u8>> = (0..100)
        .map(|s| udp_from(2, 9, s, 60 + s as usize * 9))
        .collect();
    let mut vis = vec![(u, after.clone())];
    run(&mut sim, &mut vis, after.len(), 1_000_000);
    let wire = sim.take_tx_frames();
    let got: Vec<Vec<u8>> = wire.iter().map(|w| w.bytes.clone()).collect();
    let want: Vec<Vec<u8>> = after.iter().map(|f| on_wire(f)).collect();
    assert_eq!(got.len(), want.len());
    assert!(got == want, "exactly the frames posted after the reset");
}
