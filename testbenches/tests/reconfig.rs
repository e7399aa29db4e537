//! Reconfiguration under load: while 64-byte frames arrive at 10 GbE line rate, user VIs are
//! created and destroyed and their filters installed and removed, over and over. Nothing is
//! misrouted, nothing is written into a VI's memory after its destroy returned, the counters
//! balance, and the VI numbers and buffer ids are reused safely. And on transmit: while VIs
//! send, one VI's weight and rate change every round, another's transmit filter goes and
//! comes back, a third is destroyed and created again: nothing refused reaches the wire,
//! nothing is lost that was not refused, nothing is written after a destroy.

use arsenic_host::{Device, DeviceManager, FilterManager, QueueConfig, RxFrame, UserVi, ViConfig};
use arsenic_interface::classifier::ClassifierParams;
use arsenic_interface::event::FILTER_NONE;
use arsenic_interface::fcs;
use arsenic_interface::params::Speed;
use arsenic_interface::regs::Counter;
use arsenic_testbenches::generate::Rng;
use arsenic_testbenches::host::Host;
use arsenic_testbenches::sim::{Sim, SimConfig};
use arsenic_testbenches::wire::WireFrame;

fn udp(dport: u16, seq: u32) -> WireFrame {
    let mut f = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00];
    f.extend_from_slice(&[0x45, 0, 0, 46, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1]);
    f.extend_from_slice(&[10, 0, 0, 9]);
    f.extend_from_slice(&1234u16.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&[0, 26, 0, 0]);
    f.extend_from_slice(&seq.to_be_bytes());
    f.resize(60, 0);
    WireFrame {
        bytes: fcs::append_fcs(&f),
        earliest: 0,
        inject: None,
    }
}

fn dport(f: &RxFrame) -> u16 {
    u16::from_be_bytes([f.data[36], f.data[37]])
}

/// One life of a user VI: its process, its filter, and where the card may write for it.
struct Life {
    vi: UserVi,
    port: u16,
    filter: Option<u16>,
}

fn inside(regions: &[(u64, u64)], a: u64) -> bool {
    regions.iter().any(|&(s, e)| s <= a && a < e)
}

#[test]
fn vis_and_filters_change_while_traffic_runs_at_line_rate() {
    let mut sim = Sim::new(SimConfig::new(Speed::Gbe10));
    DeviceManager::probe(&mut sim, Speed::Gbe10, 1522).unwrap();
    let mut host = Host::open(&mut sim, QueueConfig::default(), &ViConfig::default(), []).unwrap();
    let mut fm = FilterManager::new(ClassifierParams::SIM);
    fm.clear(&mut sim);
    sim.drain_writes();
    sim.dma_mut().record_writes(true);
    let n = 40_000u32;
    let ports: Vec<u16> = (9000..9008).collect();
    sim.send((0..n).map(|i| udp(ports[i as usize % ports.len()], i)));

    let cfg = ViConfig {
        ring_log2: 6,
        evq_log2: 7,
        buffers: 64,
        batch: 16,
        ..ViConfig::default()
    };
    let mut rng = Rng(0xC0FF_EE11);
    let mut lives: Vec<Life> = Vec::new();
    // Every destroyed life: its memory and the cycle its destroy returned.
    let mut gone: Vec<(Vec<(u64, u64)>, u64)> = Vec::new();
    let mut got: Vec<RxFrame> = Vec::new();
    let mut log: Vec<(u64, u64)> = Vec::new();
    let (mut created, mut destroyed, mut installs, mut removals) = (0, 0, 0, 0);
    let mut step = 0u64;
    while !sim.wire().idle() {
        for _ in 0..64 {
            sim.step();
        }
        host.poll(&mut sim, &mut got).unwrap();
        for l in lives.iter_mut() {
            let mut evs = Vec::new();
            l.vi.poll(&mut sim, &mut evs).unwrap();
            for e in evs {
                match e {
                    arsenic_host::ViEvent::Rx(f) => {
                        // Delivered to this life: its filter's port, and its filter claimed it.
                        assert_eq!(dport(&f), l.port, "VI {} got another port", f.vi);
                        assert_eq!(Some(f.filter), l.filter.or(Some(f.filter)));
                        assert_ne!(f.filter, FILTER_NONE);
                        got.push(f);
                    }
                    arsenic_host::ViEvent::Error { code, index } => {
                        panic!("error event {code} {index} on a well-behaved VI")
                    }
                }
            }
        }
        log.extend(sim.dma_mut().take_write_log());
        step += 1;
        if !step.is_multiple_of(24) {
            continue;
        }
        // Reconfigure: a new VI with a filter on a free port, or an old one goes (its filter
        // first, or - one time in three - the VI while its filter still claims frames).
        let free: Vec<u16> = ports
            .iter()
            .copied()
            .filter(|p| !lives.iter().any(|l| l.port == *p))
            .collect();
        if lives.len() < 5 && !free.is_empty() && rng.below(2) == 0 {
            let port = free[rng.below(free.len() as u64) as usize];
            let mut vi = host.dm.create_vi(&mut sim, cfg.clone()).unwrap();
            vi.refill(&mut sim, true).unwrap();
            let id = fm
                .install(&mut sim, &format!("udp and dst port {port}"), vi.vi(), 1)
                .unwrap();
            lives.push(Life {
                vi,
                port,
                filter: Some(id),
            });
            created += 1;
            installs += 1;
        } else if !lives.is_empty() {
            let k = rng.below(lives.len() as u64) as usize;
            let mut l = lives.swap_remove(k);
            let filter_last = rng.below(3) == 0;
            if !filter_last {
                fm.remove(&mut sim, l.filter.take().unwrap()).unwrap();
                removals += 1;
                // Frames already classified for the VI still arrive: read them.
                let mut evs = Vec::new();
                l.vi.poll(&mut sim, &mut evs).unwrap();
            }
            let regions = l.vi.card_writable();
            host.dm.destroy_vi(&mut sim, l.vi).unwrap();
            gone.push((regions, sim.now()));
            destroyed += 1;
            if let Some(id) = l.filter {
                fm.remove(&mut sim, id).unwrap();
                removals += 1;
            }
        }
    }
    // Settle.
    for _ in 0..2000 {
        for _ in 0..64 {
            sim.step();
        }
        host.poll(&mut sim, &mut got).unwrap();
        for l in lives.iter_mut() {
            let mut evs = Vec::new();
            l.vi.poll(&mut sim, &mut evs).unwrap();
            for e in evs {
                if let arsenic_host::ViEvent::Rx(f) = e {
                    assert_eq!(dport(&f), l.port);
                    got.push(f);
                }
            }
        }
        if DeviceManager::rx_idle(&mut sim) {
            break;
        }
    }
    log.extend(sim.dma_mut().take_write_log());
    assert!(
        created >= 10 && destroyed >= 8,
        "{created} created, {destroyed} destroyed"
    );
    assert!(installs >= 10 && removals >= 8);
    // Nothing written into a life's memory after its destroy returned.
    for (regions, at) in &gone {
        assert!(
            !log.iter().any(|&(c, a)| c >= *at && inside(regions, a)),
            "a write into a destroyed VI's memory"
        );
    }
    // The OS path got only frames no live filter claimed; every frame is accounted for.
    assert!(got
        .iter()
        .filter(|f| f.vi == 0)
        .all(|f| f.filter == FILTER_NONE));
    let delivered = sim.read32(Counter::RxDelivered.offset()) as u64;
    let dropped: u64 = Counter::DROPS
        .iter()
        .map(|c| sim.read32(c.offset()) as u64)
        .sum();
    assert_eq!(delivered + dropped, n as u64);
    let overflow = sim.read32(Counter::DropOverflow.offset());
    assert_eq!(overflow, 0, "the receive buffer never overflowed");
    // Frames unread are only those a VI got between its last poll and its destroy.
    assert!(delivered - got.len() as u64 <= 64 * destroyed as u64);
    assert_eq!(sim.dma().stats().errors, 0);
}

/// A UDP frame from VI-like addresses `02:00:00:00:00:mac`, source port `sport`, carrying
/// `seq` (FCS excluded).
fn udp_out(mac: u8, sport: u16, seq: u32, len: usize) -> Vec<u8> {
    let mut f = vec![0x02, 9, 9, 9, 9, 9, 0x02, 0, 0, 0, 0, mac, 0x08, 0x00];
    let ip_len = (len - 14) as u16;
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&ip_len.to_be_bytes());
    f.extend_from_slice(&[0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, mac, 10, 9, 9, 9]);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&9u16.to_be_bytes());
    f.extend_from_slice(&(ip_len - 20).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(&seq.to_be_bytes());
    f.resize(len, 0x5A);
    f
}

/// A sending process: its VI and what it still has to offer.
struct Sender {
    vi: UserVi,
    frames: Vec<Vec<u8>>,
    next: usize,
}

#[test]
fn schedules_rates_and_transmit_filters_change_while_vis_send() {
    use arsenic_host::{Shaping, TxSchedule, ViEvent};
    use arsenic_interface::event::error;
    use arsenic_interface::regs::{TxCounter, TxViCounter};
    let mut sim = Sim::new(SimConfig::new(Speed::Gbe10));
    DeviceManager::probe(&mut sim, Speed::Gbe10, 1522).unwrap();
    let q = QueueConfig {
        ring_log2: 4,
        evq_log2: 8,
        buffers: 16,
        batch: 4,
        ..Default::default()
    };
    let mut host = Host::open(&mut sim, q, &ViConfig::default(), []).unwrap();
    sim.dma_mut().record_writes(true);
    let cfg = |tx: TxSchedule| ViConfig {
        ring_log2: 4,
        evq_log2: 9,
        buffers: 16,
        batch: 4,
        tx_ring_log2: 8,
        tx_buffers: 96,
        tx,
        ..Default::default()
    };
    let per = 6000u32;
    // A: restricted to UDP from port 1001; every third frame it offers is from port 53.
    let mut a = Sender {
        vi: host
            .dm
            .create_vi(&mut sim, cfg(TxSchedule::default()))
            .unwrap(),
        frames: (0..per)
            .map(|s| {
                udp_out(
                    1,
                    if s % 3 == 2 { 53 } else { 1001 },
                    s,
                    60 + (s as usize * 7) % 500,
                )
            })
            .collect(),
        next: 0,
    };
    let filter_a = "udp src port 1001";
    let mut fa = Some(
        host.dm
            .install_tx_filter(&mut sim, a.vi.vi(), filter_a)
            .unwrap(),
    );
    let unres = TxSchedule {
        unrestricted: true,
        ..Default::default()
    };
    // B: unrestricted; its weight and rate change all the time.
    let mut b = Sender {
        vi: host.dm.create_vi(&mut sim, cfg(unres)).unwrap(),
        frames: (0..per)
            .map(|s| udp_out(2, 2000, s, 200 + (s as usize * 13) % 1300))
            .collect(),
        next: 0,
    };
    // C: unrestricted, destroyed and created again under load.
    let c_frames = |gen: u8| -> Vec<Vec<u8>> {
        (0..per)
            .map(|s| udp_out(3 + gen, 3000, s, 64 + (s as usize * 29) % 1400))
            .collect()
    };
    let mut c = Sender {
        vi: host.dm.create_vi(&mut sim, cfg(unres)).unwrap(),
        frames: c_frames(0),
        next: 0,
    };
    let mut rng = Rng(0x7A5E_0001);
    let mut gone: Vec<(Vec<(u64, u64)>, u64)> = Vec::new();
    let mut log: Vec<(u64, u64)> = Vec::new();
    let mut refused_a: Vec<(u8, u16)> = Vec::new();
    let (mut sched_changes, mut filter_changes, mut rebirths) = (0, 0, 0u8);
    let mut offered_b = 0usize;
    let mut evs = Vec::new();
    for round in 0..120u32 {
        for _ in 0..40 {
            for (k, s) in [&mut a, &mut b, &mut c].into_iter().enumerate() {
                evs.clear();
                s.vi.poll(&mut sim, &mut evs).unwrap();
                for e in &evs {
                    if let ViEvent::Error { code, index } = *e {
                        assert_eq!(k, 0, "only A has frames to refuse (code {code})");
                        refused_a.push((code, index));
                    }
                }
                if s.next < s.frames.len() && s.vi.tx_free() > 0 {
                    let n = s.vi.transmit(&mut sim, &s.frames[s.next..]).unwrap();
                    s.next += n;
                    if k == 1 {
                        offered_b += n;
                    }
                }
            }
            sim.wait(64);
        }
        log.extend(sim.dma_mut().take_write_log());
        // B's weight and rate change every round.
        let mut sch = TxSchedule::weighted(1 + rng.below(8) as u16).unwrap();
        sch.unrestricted = true;
        if rng.below(2) == 0 {
            sch.shaping = Some(Shaping {
                bytes_per_cycle: 0.5 + rng.below(30) as f64 / 10.0,
                burst_bytes: 3000 + rng.below(20_000) as u32,
            });
        }
        host.dm.set_tx_schedule(&mut sim, b.vi.vi(), &sch).unwrap();
        sched_changes += 1;
        // A's filter goes and comes back.
        if round % 5 == 0 {
            match fa.take() {
                Some(id) => host.dm.remove_tx_filter(&mut sim, id).unwrap(),
                None => {
                    fa = Some(
                        host.dm
                            .install_tx_filter(&mut sim, a.vi.vi(), filter_a)
                            .unwrap(),
                    )
                }
            }
            filter_changes += 1;
        }
        // C is destroyed with frames in flight, and a new C takes its place.
        if round % 30 == 29 {
            let regions = c.vi.card_writable();
            let old = std::mem::replace(
                &mut c,
                Sender {
                    vi: host.dm.create_vi(&mut sim, cfg(unres)).unwrap(),
                    frames: c_frames(rebirths + 1),
                    next: 0,
                },
            );
            host.dm.destroy_vi(&mut sim, old.vi).unwrap();
            gone.push((regions, sim.now()));
            rebirths += 1;
        }
    }
    // Settle: let everything on card finish.
    if fa.is_none() {
        host.dm
            .install_tx_filter(&mut sim, a.vi.vi(), filter_a)
            .unwrap();
    }
    // (`TX_IDLE` does not wait for the last events: they are written through the VI
    // engine after the transmit side is done with them, so the loop polls a few more times
    // once the card is idle.)
    let mut settled = 0;
    for _ in 0..400 {
        for s in [&mut a, &mut b, &mut c] {
            evs.clear();
            s.vi.poll(&mut sim, &mut evs).unwrap();
            for e in &evs {
                if let ViEvent::Error { code, index } = *e {
                    refused_a.push((code, index));
                }
            }
        }
        if settled == 4 {
            break;
        }
        sim.wait(256);
        if settled > 0
            || (DeviceManager::tx_idle(&mut sim)
                && a.vi.tx_in_flight() == 0
                && b.vi.tx_in_flight() == 0)
        {
            settled += 1;
        }
    }
    log.extend(sim.dma_mut().take_write_log());
    assert!(sched_changes >= 100 && filter_changes >= 20 && rebirths >= 4);
    let wire = sim.take_tx_frames();
    // Nothing from A that its filter refuses ever reached the wire; every refusal of A was
    // an anti-spoofing refusal, and A's frames balance: offered = sent + refused.
    let from = |mac: u8| wire.iter().filter(move |f| f.bytes[11] == mac);
    assert!(from(1).all(|f| u16::from_be_bytes([f.bytes[34], f.bytes[35]]) == 1001));
    assert!(refused_a.iter().all(|&(c, _)| c == error::TX_SPOOFED));
    let sa = a.vi.tx_stats(&mut sim);
    assert_eq!(sa[&TxViCounter::Frames] as usize, from(1).count());
    assert_eq!(
        a.next,
        from(1).count() + sa[&TxViCounter::DropSpoofed] as usize,
        "A: offered = sent + refused"
    );
    assert_eq!(refused_a.len(), sa[&TxViCounter::DropSpoofed] as usize);
    assert!(
        sa[&TxViCounter::DropSpoofed] as usize >= a.next / 3,
        "port-53 frames refused"
    );
    // B lost nothing to its changing schedule.
    assert_eq!(from(2).count(), offered_b, "B: every offered frame sent");
    // Every frame on the wire is one a VI offered, whole.
    assert!(wire.iter().all(|f| arsenic_interface::fcs::check(&f.bytes)));
    let c = DeviceManager::tx_counters(&mut sim);
    assert_eq!(c[&TxCounter::Frames], wire.len() as u64);
    assert_eq!(c[&TxCounter::Underruns], 0);
    // Nothing written into a destroyed VI's memory after its destroy returned.
    for (regions, at) in &gone {
        assert!(
            !log.iter().any(|&(cy, ad)| cy >= *at && inside(regions, ad)),
            "a write into a destroyed VI's memory"
        );
    }
    assert_eq!(sim.dma().stats().errors, 0);
}
