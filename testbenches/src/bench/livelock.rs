//! The receive-livelock experiment (Mogul and Ramakrishnan 1997; Druschel and Banga 1996) on
//! the cycle-accurate card, with a host whose CPU has a budget.
//!
//! The host CPU runs at [`HostModel::hz`] and pays, in its cycles, `irq` per interrupt,
//! `rx` per frame of receive processing (driver and protocol) and `app` per frame of
//! application work; what the application finishes is delivered. Two flows arrive at 1 GbE:
//! flow A (64-octet UDP frames to port 7000) at the offered rate swept, flow B (to port 8000)
//! at a low fixed rate. Three hosts:
//!
//! - **eager** (4.2BSD-like): one shared queue, an interrupt per frame; the handler does the
//!   receive processing of every frame at interrupt priority, before anything else, into a
//!   protocol input queue of [`IPQ`] frames (full: dropped after the work was spent); the
//!   application gets the CPU that is left.
//! - **polling** (moderated interrupts, NAPI-like): one shared queue; an interrupt (after a
//!   holdoff) switches the host to polling: it takes a frame from the card only when it can
//!   also finish it (`rx + app`), and re-arms when the ring is empty. Frames it cannot take
//!   wait in the card's ring; when the ring is full the card drops them, at no cost to the
//!   host.
//! - **early demux**: the card's filters put each flow into its own VI (its own ring, early
//!   drop per VI), and the host serves the VIs that have work in turn, polling as above.

use crate::sim::{Sim, SimConfig};
use crate::wire::WireFrame;
use arsenic_host::{
    DeviceManager, DriverError, FilterManager, QueueConfig, UserVi, ViConfig, ViEvent,
};
use arsenic_interface::classifier::ClassifierParams;
use arsenic_interface::fcs;
use arsenic_interface::params::Speed;
use std::collections::VecDeque;

/// Frames the protocol input queue of the eager host holds.
pub const IPQ: usize = 64;

/// The host's CPU and its costs.
#[derive(Debug, Clone, Copy)]
pub struct HostModel {
    /// Host CPU cycles per second.
    pub hz: f64,
    /// Host cycles per interrupt (entry, exit, re-arm).
    pub irq: u64,
    /// Host cycles of receive processing per frame (driver, protocol).
    pub rx: u64,
    /// Host cycles of application work per frame.
    pub app: u64,
}

impl HostModel {
    /// The model of the experiment: a 1 GHz CPU, 5,000 cycles per interrupt, 1,500 of receive
    /// processing and 3,500 of application work per frame: 200,000 frames/s at most, and the
    /// eager host's interrupt level alone saturates at 667,000 frames/s.
    pub const DEFAULT: HostModel = HostModel {
        hz: 1e9,
        irq: 5_000,
        rx: 1_500,
        app: 3_500,
    };
    /// Frames per second the host can finish.
    pub fn capacity(&self) -> f64 {
        self.hz / (self.rx + self.app) as f64
    }
}

/// The host's receive discipline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discipline {
    Eager,
    Polling,
    EarlyDemux,
}

impl Discipline {
    pub const ALL: [Discipline; 3] = [
        Discipline::Eager,
        Discipline::Polling,
        Discipline::EarlyDemux,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Discipline::Eager => "eager interrupts, shared queue",
            Discipline::Polling => "moderated interrupts + polling, shared queue",
            Discipline::EarlyDemux => "early demultiplexing into per-VI queues",
        }
    }
}

/// One point of the sweep.
#[derive(Debug, Clone, Copy)]
pub struct Point {
    /// Offered frames per second, both flows.
    pub offered: f64,
    /// Delivered (application-finished) frames per second, both flows and flow B alone.
    pub delivered: f64,
    pub delivered_b: f64,
    /// Flow B's offered rate.
    pub offered_b: f64,
    /// Frames dropped by the card, and by the host after spending work on them.
    pub card_drops: u64,
    pub host_drops: u64,
}

fn udp(dport: u16, seq: u32) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00];
    f.extend_from_slice(&[0x45, 0, 0, 46, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 2]);
    f.extend_from_slice(&[10, 0, 0, 1]);
    f.extend_from_slice(&1234u16.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&[0, 26, 0, 0]);
    f.extend_from_slice(&seq.to_be_bytes());
    f.resize(60, 0);
    f
}

const PORT_A: u16 = 7000;
const PORT_B: u16 = 8000;

fn flow_of(data: &[u8]) -> u16 {
    u16::from_be_bytes([data[36], data[37]])
}

/// Frames of flow A at `rate_a` and flow B at `rate_b` frames per second for `cycles` card
/// cycles at 1 GbE.
fn traffic(rate_a: f64, rate_b: f64, cycles: u64) -> Vec<WireFrame> {
    let hz = Speed::Gbe1.clock_hz() as f64;
    let mut v: Vec<(u64, u16, u32)> = Vec::new();
    for (rate, port) in [(rate_a, PORT_A), (rate_b, PORT_B)] {
        if rate <= 0.0 {
            continue;
        }
        let period = hz / rate;
        let n = (cycles as f64 / period) as u32;
        v.extend((0..n).map(|i| ((i as f64 * period) as u64, port, i)));
    }
    v.sort();
    v.into_iter()
        .map(|(t, port, seq)| WireFrame {
            bytes: fcs::append_fcs(&udp(port, seq)),
            earliest: t,
            inject: None,
        })
        .collect()
}

/// Runs one point: `discipline` at offered rate `rate_a` of flow A (and `rate_b` of flow B)
/// for `cycles` card cycles.
pub fn run_point(
    discipline: Discipline,
    host: HostModel,
    rate_a: f64,
    rate_b: f64,
    cycles: u64,
) -> Result<Point, DriverError> {
    let speed = Speed::Gbe1;
    let mut sim = Sim::new(SimConfig::new(speed));
    DeviceManager::probe(&mut sim, speed, 1522)?;
    let ring = ViConfig {
        ring_log2: 8,
        evq_log2: 9,
        buffers: 256,
        batch: 32,
        holdoff: if discipline == Discipline::Eager {
            0
        } else {
            1000
        },
        tx_buffers: 0,
        ..Default::default()
    };
    let mut dm = DeviceManager::open_default_queue(&mut sim, QueueConfig { ..ring.clone() })?;
    let mut fm = FilterManager::new(ClassifierParams::SIM);
    fm.clear(&mut sim);
    let mut vis: Vec<UserVi> = Vec::new();
    if discipline == Discipline::EarlyDemux {
        for port in [PORT_A, PORT_B] {
            let mut u = dm.create_vi(&mut sim, ring.clone())?;
            u.refill(&mut sim, true)?;
            fm.install(&mut sim, &format!("udp dst port {port}"), u.vi(), 1)
                .map_err(|e| DriverError::BadConfig(e.to_string()))?;
            vis.push(u);
        }
    }
    sim.drain_writes();
    let start = sim.cycle();
    sim.send(traffic(rate_a, rate_b, cycles).into_iter().map(|mut f| {
        f.earliest += start;
        f
    }));
    // Arm every queue the host sleeps on.
    let queues: Vec<u16> = if vis.is_empty() {
        vec![0]
    } else {
        vis.iter().map(|u| u.vi()).collect()
    };
    for &q in &queues {
        vi_mut(&mut dm, &mut vis, q).arm(&mut sim);
    }
    const STEP: u64 = 32;
    let per_step = (host.hz / speed.clock_hz() as f64 * STEP as f64) as i64;
    let mut credit: i64 = 0;
    let mut polling = vec![false; queues.len()];
    let mut in_handler = false;
    let mut ipq: VecDeque<u16> = VecDeque::new();
    let (mut done_a, mut done_b, mut host_drops) = (0u64, 0u64, 0u64);
    let mut evs = Vec::new();
    let mut rr = 0usize;
    while sim.cycle() - start < cycles {
        for _ in 0..STEP {
            sim.step();
        }
        credit += per_step;
        let woken = dm.wakeups(&mut sim);
        match discipline {
            Discipline::Eager => {
                if !in_handler && woken.contains(&0) {
                    in_handler = true;
                    credit -= host.irq as i64;
                }
                if in_handler {
                    // Interrupt priority: receive processing first, as far as the CPU goes;
                    // the handler returns only when it finds the ring empty.
                    while credit >= host.rx as i64 {
                        evs.clear();
                        if dm.os_vi().poll_at_most(&mut sim, &mut evs, 1)? == 0 {
                            in_handler = false;
                            dm.os_vi().arm(&mut sim);
                            break;
                        }
                        credit -= host.rx as i64;
                        if let Some(ViEvent::Rx(f)) = evs.first() {
                            if ipq.len() < IPQ {
                                ipq.push_back(flow_of(&f.data));
                            } else {
                                host_drops += 1;
                            }
                        }
                    }
                }
                if !in_handler {
                    // The application gets what is left.
                    while credit >= host.app as i64 {
                        match ipq.pop_front() {
                            Some(p) => {
                                credit -= host.app as i64;
                                if p == PORT_B {
                                    done_b += 1;
                                } else {
                                    done_a += 1;
                                }
                            }
                            None => break,
                        }
                    }
                    if ipq.is_empty() && !in_handler {
                        credit = credit.min(0);
                    }
                }
            }
            Discipline::Polling | Discipline::EarlyDemux => {
                for (k, &q) in queues.iter().enumerate() {
                    if !polling[k] && woken.contains(&q) {
                        polling[k] = true;
                        credit -= host.irq as i64;
                    }
                }
                // Serve the polling queues in turn, a frame at a time, taking a frame only
                // when it can be finished.
                let cost = (host.rx + host.app) as i64;
                let n = queues.len();
                let mut idle_round = false;
                while credit >= cost && polling.iter().any(|&p| p) && !idle_round {
                    idle_round = true;
                    for i in 0..n {
                        let k = (rr + i) % n;
                        if !polling[k] || credit < cost {
                            continue;
                        }
                        evs.clear();
                        let got = vi_mut(&mut dm, &mut vis, queues[k])
                            .poll_at_most(&mut sim, &mut evs, 1)?;
                        if got == 0 {
                            polling[k] = false;
                            vi_mut(&mut dm, &mut vis, queues[k]).arm(&mut sim);
                            continue;
                        }
                        idle_round = false;
                        credit -= cost;
                        if let Some(ViEvent::Rx(f)) = evs.first() {
                            if flow_of(&f.data) == PORT_B {
                                done_b += 1;
                            } else {
                                done_a += 1;
                            }
                        }
                    }
                    rr = (rr + 1) % n;
                }
                if !polling.iter().any(|&p| p) {
                    credit = credit.min(0);
                }
            }
        }
    }
    let secs = cycles as f64 / speed.clock_hz() as f64;
    let c = DeviceManager::counters(&mut sim);
    let card_drops = arsenic_host::dropped(&c);
    Ok(Point {
        offered: rate_a + rate_b,
        delivered: (done_a + done_b) as f64 / secs,
        delivered_b: done_b as f64 / secs,
        offered_b: rate_b,
        card_drops,
        host_drops,
    })
}

fn vi_mut<'a>(dm: &'a mut DeviceManager, vis: &'a mut [UserVi], q: u16) -> &'a mut UserVi {
    if q == 0 {
        dm.os_vi()
    } else {
        vis.iter_mut()
            .find(|u| u.vi() == q)
            .expect("a queue of the run")
    }
}

/// The offered rates of flow A of a sweep of `points` from 25,000 frames/s to 1 GbE's line
/// rate for 64-octet frames (1,488,095 frames/s), geometric.
pub fn sweep_rates(points: usize) -> Vec<f64> {
    let (lo, hi): (f64, f64) = (25_000.0, 1_488_000.0 - RATE_B);
    (0..points)
        .map(|i| lo * (hi / lo).powf(i as f64 / (points - 1) as f64))
        .collect()
}

/// Flow B's rate: 5% of the host's capacity.
pub const RATE_B: f64 = 10_000.0;
