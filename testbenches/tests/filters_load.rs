//! The classifier under load: 64-byte frames at 10 GbE line rate with both tables full, and
//! filters installed and removed while traffic runs.

use arsenic_filters::{compile, matches, parse};
use arsenic_host::{Device, DeviceManager, FilterManager, QueueConfig, RxFrame, ViConfig};
use arsenic_interface::classifier::ClassifierParams;
use arsenic_interface::event::FILTER_NONE;
use arsenic_interface::fcs;
use arsenic_interface::params::Speed;
use arsenic_interface::regs::{Counter, ViCounter};
use arsenic_testbenches::host::Host;
use arsenic_testbenches::sim::{Sim, SimConfig};
use arsenic_testbenches::wire::WireFrame;

/// A 60-octet IPv4 frame (FCS added) of protocol `proto` to `dst`:`dport`.
fn ipv4(proto: u8, dst: [u8; 4], dport: u16, seq: u32) -> WireFrame {
    let mut f = vec![0u8; 60];
    f[0..6].copy_from_slice(&[0x02, 0, 0, 0, 0, 1]);
    f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 2]);
    f[12..14].copy_from_slice(&[0x08, 0x00]);
    f[14] = 0x45;
    f[16..18].copy_from_slice(&46u16.to_be_bytes());
    f[22] = 64;
    f[23] = proto;
    f[26..30].copy_from_slice(&[192, 0, 2, 1]);
    f[30..34].copy_from_slice(&dst);
    f[34..36].copy_from_slice(&40000u16.to_be_bytes());
    f[36..38].copy_from_slice(&dport.to_be_bytes());
    f[38..42].copy_from_slice(&seq.to_be_bytes());
    WireFrame {
        bytes: fcs::append_fcs(&f),
        earliest: 0,
        inject: None,
    }
}

fn flow_dst(k: usize) -> [u8; 4] {
    [10, 1, (k >> 8) as u8, k as u8]
}

/// The card with the OS path and user VIs `vis`, each polled by its own user.
fn setup(vis: impl IntoIterator<Item = u16>) -> (Sim, Host, FilterManager) {
    let mut sim = Sim::new(SimConfig::new(Speed::Gbe10));
    DeviceManager::probe(&mut sim, Speed::Gbe10, 1522).unwrap();
    let dm = Host::open(
        &mut sim,
        QueueConfig {
            ring_log2: 12,
            evq_log2: 13,
            buf_size: 2048,
            buffers: 4096,
            batch: 32,
            ..Default::default()
        },
        &ViConfig {
            ring_log2: 4,
            evq_log2: 5,
            buffers: 16,
            batch: 4,
            ..Default::default()
        },
        vis,
    )
    .unwrap();
    let mut fm = FilterManager::new(ClassifierParams::SIM);
    fm.clear(&mut sim);
    sim.drain_writes();
    (sim, dm, fm)
}

/// Runs until the card is idle; `got` ends in the order the card wrote the frames.
fn run(sim: &mut Sim, dm: &mut Host, got: &mut Vec<RxFrame>) {
    for _ in 0..100_000 {
        for _ in 0..32 {
            sim.step();
        }
        dm.poll(sim, got).unwrap();
        if sim.wire().idle() && DeviceManager::rx_idle(sim) {
            dm.poll(sim, got).unwrap();
            got.sort_by_key(|f| f.timestamp);
            assert!(dm.errors.is_empty(), "{:?}", dm.errors);
            return;
        }
    }
    panic!("the card did not go idle");
}

#[test]
fn line_rate_with_both_tables_full() {
    let (mut sim, mut dm, mut fm) = setup(1..=1021);
    // 4096 exact flows (local 3-tuples) to 1000 VIs and 32 UDP-port filters taking all 64
    // terms: 1022 VIs in all, the OS path's included.
    let mut flow_ids = Vec::new();
    for k in 0..4096 {
        let d = flow_dst(k);
        let e = format!(
            "tcp and dst host {}.{}.{}.{} and dst port 80",
            d[0], d[1], d[2], d[3]
        );
        flow_ids.push(fm.install(&mut sim, &e, 1 + (k % 1000) as u16, 1).unwrap());
    }
    let mut rule_ids = Vec::new();
    for p in 0..32u16 {
        rule_ids.push(
            fm.install(
                &mut sim,
                &format!("udp and dst port {}", 5000 + p),
                990 + p,
                0,
            )
            .unwrap(),
        );
    }
    assert!(
        fm.install(&mut sim, "udp and dst port 6000", 1, 0).is_err(),
        "the terms are full"
    );
    let used_terms: usize = fm.list().map(|f| f.terms.len()).sum();
    let flows = fm.list().filter(|f| f.flow.is_some()).count();
    assert_eq!((used_terms, flows), (64, 4096));
    sim.drain_writes();
    // 30,000 minimum frames back to back: flows, rule ports and frames no filter claims.
    let n = 30_000usize;
    let mut want = Vec::new();
    let mut frames = Vec::new();
    for i in 0..n {
        let (f, w) = match i % 3 {
            0 => {
                let k = (i * 7919) % 4096;
                (
                    ipv4(6, flow_dst(k), 80, i as u32),
                    (flow_ids[k], 1 + (k % 1000) as u16),
                )
            }
            1 => {
                let p = (i / 3) % 32;
                (
                    ipv4(17, [10, 9, 9, 9], 5000 + p as u16, i as u32),
                    (rule_ids[p], 990 + p as u16),
                )
            }
            _ => (ipv4(6, [10, 2, 0, 1], 80, i as u32), (FILTER_NONE, 0)),
        };
        frames.push(f);
        want.push(w);
    }
    sim.send(frames);
    let mut got = Vec::new();
    run(&mut sim, &mut dm, &mut got);
    assert_eq!(sim.read32(Counter::DropOverflow.offset()), 0);
    assert_eq!(sim.read32(Counter::DropNoDesc.offset()), 0);
    assert_eq!(sim.read32(Counter::RxClassifyOverrun.offset()), 0);
    assert_eq!(got.len(), n, "zero loss");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!((g.filter, g.vi), *w, "frame {i}");
    }
    let lo = sim.wire().last_octet_cycles();
    assert!(
        lo[n - 1] - lo[0] <= ((n as u64 - 1) * 84).div_ceil(8) + 1,
        "the wire ran at line rate"
    );
}

#[test]
fn filters_change_while_traffic_runs() {
    let (mut sim, mut dm, mut fm) = setup(1..=7);
    let exprs = [
        "udp and dst port 5000",
        "ip and udp",
        "tcp and dst host 10.1.0.7 and dst port 80",
        "not tcp",
        "ip[9] = 17 and udp[2:2] > 4000",
        "udp dst portrange 4990-5010",
    ];
    let frames: Vec<WireFrame> = (0..12_000)
        .map(|i| match i % 4 {
            0 => ipv4(17, [10, 9, 9, 9], 5000, i),
            1 => ipv4(6, [10, 1, 0, 7], 80, i),
            2 => ipv4(17, [10, 9, 9, 9], 4995 + (i % 20) as u16, i),
            _ => ipv4(6, [10, 2, 0, 1], 443, i),
        })
        .collect();
    sim.send(frames);
    // Lifetimes of every filter installed: (id, expr, installed from, removed by).
    let mut life: Vec<(u16, &str, u64, u64)> = Vec::new();
    let mut live: Vec<(u16, &str, u64)> = Vec::new();
    let mut got = Vec::new();
    let mut step = 0usize;
    while !sim.wire().idle() {
        for _ in 0..200 {
            sim.step();
        }
        dm.poll(&mut sim, &mut got).unwrap();
        step += 1;
        if step.is_multiple_of(3) && live.len() < 4 {
            let e = exprs[step % exprs.len()];
            let from = sim.now();
            if let Ok(id) = fm.install(&mut sim, e, 1 + (step % 7) as u16, (step % 3) as u16) {
                live.push((id, e, from));
            }
        } else if step % 3 == 1 && !live.is_empty() {
            let (id, e, from) = live.remove(step % live.len());
            fm.remove(&mut sim, id).unwrap();
            life.push((id, e, from, sim.now()));
        }
    }
    run(&mut sim, &mut dm, &mut got);
    let end = sim.now();
    for (vi, st) in dm.vi_stats(&mut sim) {
        let drops: u32 = st
            .iter()
            .filter(|(c, _)| !matches!(c, ViCounter::RxFrames | ViCounter::RxBytes))
            .map(|(_, v)| v)
            .sum();
        assert_eq!(drops, 0, "VI {vi}: {st:?}");
    }
    life.extend(live.iter().map(|&(id, e, from)| (id, e, from, end)));
    assert_eq!(got.len(), 12_000);
    let (mut claimed, mut default) = (0, 0);
    for g in &got {
        if g.filter == FILTER_NONE {
            default += 1;
            continue;
        }
        claimed += 1;
        // The filter that claimed the frame matches it, and was installed around the time the
        // card classified it (between its last octet and its event).
        let lives: Vec<_> = life.iter().filter(|l| l.0 == g.filter).collect();
        assert!(!lives.is_empty(), "unknown filter {}", g.filter);
        let e = lives[0].1;
        assert!(
            matches(&parse(e).unwrap(), &g.data),
            "filter {e:?} claimed a frame it does not match"
        );
        assert!(
            lives
                .iter()
                .any(|l| l.2 <= g.timestamp && g.timestamp.saturating_sub(64) <= l.3),
            "filter {e:?} claimed a frame at cycle {} outside its lifetimes {lives:?}",
            g.timestamp
        );
    }
    assert!(
        claimed > 1000 && default > 1000,
        "claimed {claimed}, default {default}"
    );
    // Every compiled expression was installable.
    for e in exprs {
        compile(&parse(e).unwrap()).unwrap();
    }
}
