//! Reconfiguration under load: while 64-byte frames arrive at 10 GbE line rate, user VIs are
//! created and destroyed and their filters installed and removed, over and over. Nothing is
//! misrouted, nothing is written into a VI's memory after its destroy returned, the counters
//! balance, and the VI numbers and buffer ids are reused safely.

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
