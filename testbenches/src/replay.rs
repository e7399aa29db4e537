//! Replay: frames onto the wire of a simulated card, the device manager in the loop, and
//! what the host received, with the card's counters.

use crate::host::{ErrorEvent, Host};
use crate::sim::{Sim, SimConfig};
use crate::trace::TraceFrame;
use crate::wire::{Inject, WireFrame};
use crate::wire_tx::TxFrame;
use arsenic_host::{
    Counters, Device, DeviceManager, DmaConfig, DriverError, FilterInfo, FilterManager,
    QueueConfig, RxFrame, TxCounters, TxSchedule, TxViStats, ViConfig, ViStats,
};
use arsenic_interface::classifier::ClassifierParams;
use arsenic_interface::eth;
use arsenic_interface::fcs;
use arsenic_interface::params::Speed;
use arsenic_interface::regs::Counter;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use thiserror::Error;

/// Errors of a replay.
#[derive(Debug, Error)]
pub enum ReplayError {
    #[error("driver: {0}")]
    Driver(#[from] DriverError),
    #[error("the card did not go idle within {0} cycles after the last frame")]
    Hang(u64),
    #[error("waveform: {0}")]
    Vcd(#[from] arsenic_bridge::BridgeError),
}

/// How to run a replay.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    pub speed: Speed,
    /// Ignore capture timestamps: frames back to back at line rate.
    pub line_rate: bool,
    /// Shorten idle gaps between frames to at most this many nanoseconds.
    pub max_gap_ns: Option<u64>,
    /// Largest frame the card accepts (FCS included).
    pub max_frame: u32,
    pub queue: QueueConfig,
    /// Sizes of every other VI the filters name (each run as its own user process).
    pub vi_queue: ViConfig,
    /// Cycles between two polls of the device manager.
    pub poll_interval: u64,
    /// Host bus model; `None` for the default of the speed.
    pub dma: Option<DmaConfig>,
    /// Record cycles `from..to` (counted from the first frame's earliest start) as VCD.
    pub vcd: Option<(PathBuf, u64, u64)>,
    /// Cycles to wait for the card to go idle after the wire is quiet.
    pub drain_limit: u64,
    /// Filters to install before the first frame.
    pub filters: Vec<FilterSpec>,
    /// User VIs to create besides those the filters name.
    pub vis: Vec<u16>,
    /// What user VIs send.
    pub tx: Vec<TxPlan>,
    /// Record every cycle's inputs and outputs at the card's ports from power-on
    /// ([`ReplayReport::recording`]), to run the same stimulus through another simulator.
    pub record: bool,
}

/// A VI's transmit side in a replay: its schedule, its transmit filter, its frames.
#[derive(Debug, Clone)]
pub struct TxPlan {
    pub vi: u16,
    pub schedule: TxSchedule,
    /// The transmit filter its frames must match (`None`: the VI is unrestricted).
    pub filter: Option<String>,
    /// Frames, FCS excluded.
    pub frames: Vec<Vec<u8>>,
    /// Cycles between two offers; `None`: as fast as the card takes them.
    pub pace: Option<f64>,
}

/// Transmit buffers of a VI with a transmit plan (enough for line rate).
pub const TX_BUFFERS: usize = 128;

/// A filter to install: expression, VI, priority (higher wins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterSpec {
    pub expr: String,
    pub vi: u16,
    pub priority: u16,
}

impl ReplayOptions {
    /// Defaults for `speed`.
    pub fn new(speed: Speed) -> Self {
        ReplayOptions {
            speed,
            line_rate: false,
            max_gap_ns: None,
            max_frame: eth::MAX_FRAME_DEFAULT as u32,
            queue: QueueConfig::default(),
            vi_queue: ViConfig {
                ring_log2: 6,
                evq_log2: 7,
                buffers: 64,
                batch: 8,
                ..ViConfig::default()
            },
            poll_interval: 32,
            dma: None,
            vcd: None,
            drain_limit: 1_000_000,
            filters: Vec::new(),
            vis: Vec::new(),
            tx: Vec::new(),
            record: false,
        }
    }
}

/// The wire frames of a capture: padded and given an FCS unless the capture holds it, with
/// start times from the capture (relative to its first frame) or back to back.
pub fn wire_frames(
    frames: &[TraceFrame],
    speed: Speed,
    line_rate: bool,
    max_gap_ns: Option<u64>,
) -> Vec<WireFrame> {
    let t0 = frames.first().map(|f| f.ts_ns).unwrap_or(0);
    let mut prev_ts = t0;
    let mut shifted_ns = 0u64;
    frames
        .iter()
        .map(|f| {
            let bytes = if f.fcs_included {
                f.data.clone()
            } else {
                fcs::append_fcs(&eth::padded(&f.data))
            };
            let gap = f.ts_ns.saturating_sub(prev_ts);
            prev_ts = prev_ts.max(f.ts_ns);
            shifted_ns += max_gap_ns.map_or(gap, |m| gap.min(m));
            let earliest = if line_rate {
                0
            } else {
                (shifted_ns as u128 * speed.clock_hz() as u128 / 1_000_000_000) as u64
            };
            WireFrame {
                bytes,
                earliest,
                inject: None,
            }
        })
        .collect()
}

/// What a correct card does with a wire frame, by the MAC's rules alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// Delivered: these octets (FCS excluded).
    Deliver(Vec<u8>),
    /// Dropped, counted under this reason.
    Drop(Counter),
}

/// The reference model of the MAC's checks.
pub fn expected(f: &WireFrame, max_frame: usize) -> Expected {
    match f.inject {
        Some(Inject::BadPreamble) => return Expected::Drop(Counter::DropPreamble),
        Some(Inject::PhyError) => return Expected::Drop(Counter::DropPhy),
        None => {}
    }
    let n = f.bytes.len();
    if n < eth::MIN_FRAME {
        Expected::Drop(Counter::DropRunt)
    } else if n > max_frame {
        Expected::Drop(Counter::DropGiant)
    } else if !fcs::check(&f.bytes) {
        Expected::Drop(Counter::DropFcs)
    } else {
        Expected::Deliver(f.bytes[..n - eth::FCS_LEN].to_vec())
    }
}

/// Progress of a long replay.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub frames_started: u64,
    pub frames_total: u64,
    pub cycles: u64,
}

/// The outcome of a replay.
#[derive(Debug, Clone)]
pub struct ReplayReport {
    pub speed: Speed,
    /// Frames put on the wire.
    pub frames_in: u64,
    /// What the host received, every VI's together, in the order the card wrote them.
    pub received: Vec<RxFrame>,
    /// Every VI's counters at the end.
    pub vi_stats: BTreeMap<u16, ViStats>,
    /// Error events the VIs reported.
    pub errors: Vec<ErrorEvent>,
    /// What left the card's transmit wire, in order (frames with their FCS).
    pub tx_wire: Vec<TxFrame>,
    /// The transmit counters of every VI with a transmit plan, and the card's.
    pub tx_vi_stats: BTreeMap<u16, TxViStats>,
    pub tx_counters: TxCounters,
    /// The card's counters at the end.
    pub counters: Counters,
    /// Cycle at which the first frame could start (timestamps count from power-on).
    pub start_cycle: u64,
    /// Cycles from the first frame's earliest start to the end.
    pub cycles: u64,
    /// For each frame on the wire, the cycle of its last octet.
    pub last_octet_cycles: Vec<u64>,
    /// Wall-clock time of the simulation loop.
    pub wall: Duration,
    /// DMAs outside host memory (a bug if not zero).
    pub dma_errors: u64,
    /// The filters installed, with their ids and table entries.
    pub filters: Vec<FilterInfo>,
    /// Every cycle at the card's ports from power-on, when [`ReplayOptions::record`] asked.
    pub recording: Vec<(arsenic_bridge::nic::In, arsenic_bridge::nic::Out)>,
}

impl ReplayReport {
    /// Simulated time of the run.
    pub fn sim_time(&self) -> Duration {
        Duration::from_nanos((self.cycles as f64 * self.speed.ns_per_cycle()) as u64)
    }
    /// Counter value (0 if absent).
    pub fn counter(&self, c: Counter) -> u64 {
        self.counters.get(&c).copied().unwrap_or(0)
    }
    /// Frames dropped, all reasons.
    pub fn dropped(&self) -> u64 {
        arsenic_host::dropped(&self.counters)
    }
}

/// Replays `frames` through a fresh card with the default queue open.
pub fn replay(
    frames: Vec<WireFrame>,
    opts: &ReplayOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ReplayReport, ReplayError> {
    let mut cfg = SimConfig::new(opts.speed);
    if let Some(d) = &opts.dma {
        cfg.dma = d.clone();
    }
    let mut sim = Sim::new(cfg);
    if opts.record {
        sim.start_recording();
    }
    DeviceManager::probe(&mut sim, opts.speed, opts.max_frame)?;
    let vi_cfg = |v: u16| match opts.tx.iter().find(|t| t.vi == v) {
        Some(t) => {
            let mut c = opts.vi_queue.clone();
            c.tx_buffers = TX_BUFFERS;
            c.tx_ring_log2 = c.tx_ring_log2.max(TX_BUFFERS.trailing_zeros() as u8);
            // Room in the event queue for every transmit descriptor in flight.
            let want = (1usize << c.ring_log2) + TX_BUFFERS;
            c.evq_log2 = c
                .evq_log2
                .max(want.next_power_of_two().trailing_zeros() as u8);
            c.tx = t.schedule;
            c
        }
        None => opts.vi_queue.clone(),
    };
    let mut host = Host::open_each(
        &mut sim,
        opts.queue.clone(),
        &vi_cfg,
        opts.filters
            .iter()
            .map(|f| f.vi)
            .chain(opts.vis.iter().copied())
            .chain(opts.tx.iter().map(|t| t.vi)),
    )?;
    let mut fm = FilterManager::new(ClassifierParams::SIM);
    fm.clear(&mut sim);
    for f in &opts.filters {
        fm.install(&mut sim, &f.expr, f.vi, f.priority)?;
    }
    for t in &opts.tx {
        if let Some(f) = &t.filter {
            host.dm.install_tx_filter(&mut sim, t.vi, f)?;
        }
    }
    let mut tx_next = vec![0usize; opts.tx.len()];
    sim.drain_writes();
    let start = sim.cycle();
    if let Some((path, from, to)) = &opts.vcd {
        let half_ps = (opts.speed.ns_per_cycle() * 500.0) as u64;
        sim.model_mut()
            .record_vcd(path, start + from, start + to, half_ps)?;
    }
    let total = frames.len() as u64;
    sim.send(frames.into_iter().map(|mut f| {
        f.earliest += start;
        f
    }));
    let wall = Instant::now();
    let mut received = Vec::new();
    let mut quiet_since: Option<u64> = None;
    let mut next_progress = 0u64;
    let mut tx_seen = 0usize;
    loop {
        for _ in 0..opts.poll_interval {
            sim.step();
        }
        host.poll(&mut sim, &mut received)?;
        // Each sending VI offers what its pace allows and its buffers take.
        let now = (sim.cycle() - start) as f64;
        let mut tx_pending = false;
        for (t, next) in opts.tx.iter().zip(tx_next.iter_mut()) {
            let due = match t.pace {
                Some(p) => ((now / p) as usize + 1).min(t.frames.len()),
                None => t.frames.len(),
            };
            if *next < due {
                if let Some(u) = host.vis.get_mut(&t.vi) {
                    if u.tx_free() > 0 {
                        *next += u.transmit(&mut sim, &t.frames[*next..due])?;
                    }
                }
            }
            let in_flight = host.vis.get(&t.vi).map_or(0, |u| u.tx_in_flight());
            tx_pending |= *next < t.frames.len() || in_flight > 0;
        }
        let tx_progress = sim.tx_frames().len()
            + host
                .vis
                .values()
                .map(|u| u.tx_completed() as usize)
                .sum::<usize>()
            + tx_next.iter().sum::<usize>();
        if tx_progress != tx_seen {
            // Transmit is making progress: the wait for the card restarts.
            tx_seen = tx_progress;
            quiet_since = None;
        }
        if sim.cycle() >= next_progress {
            progress(Progress {
                frames_started: sim.wire().started(),
                frames_total: total,
                cycles: sim.cycle() - start,
            });
            next_progress = sim.cycle() + (1 << 20);
        }
        if !sim.wire().idle() {
            continue;
        }
        if tx_pending {
            // (A paced VI may rightly offer nothing for long.)
            let paced = opts.tx.iter().any(|t| t.pace.is_some());
            let since = *quiet_since.get_or_insert(sim.cycle());
            if !paced && sim.cycle() - since > opts.drain_limit {
                return Err(ReplayError::Hang(opts.drain_limit));
            }
            continue;
        }
        let since = *quiet_since.get_or_insert(sim.cycle());
        // Let the last frame clear the MAC's pipeline before asking the card.
        if sim.cycle() - since < 64 {
            continue;
        }
        if DeviceManager::rx_idle(&mut sim) && DeviceManager::tx_idle(&mut sim) {
            host.poll(&mut sim, &mut received)?;
            let delivered = sim.read32(Counter::RxDelivered.offset()) as u64;
            if delivered == received.len() as u64 & 0xFFFF_FFFF {
                break;
            }
        }
        if sim.cycle() - since > opts.drain_limit {
            return Err(ReplayError::Hang(opts.drain_limit));
        }
    }
    let wall = wall.elapsed();
    let end = sim.cycle();
    let counters = DeviceManager::counters(&mut sim);
    let vi_stats = host.vi_stats(&mut sim);
    let mut tx_vi_stats = BTreeMap::new();
    for t in &opts.tx {
        if let Some(u) = host.vis.get(&t.vi) {
            tx_vi_stats.insert(t.vi, u.tx_stats(&mut sim));
        }
    }
    let tx_counters = DeviceManager::tx_counters(&mut sim);
    let tx_wire = sim.take_tx_frames();
    // The card writes in one order; the timestamps keep it.
    received.sort_by_key(|f| f.timestamp);
    progress(Progress {
        frames_started: sim.wire().started(),
        frames_total: total,
        cycles: end - start,
    });
    Ok(ReplayReport {
        speed: opts.speed,
        frames_in: total,
        received,
        vi_stats,
        errors: host.errors,
        tx_wire,
        tx_vi_stats,
        tx_counters,
        counters,
        start_cycle: start,
        cycles: end - start,
        last_octet_cycles: sim.wire().last_octet_cycles().to_vec(),
        wall,
        dma_errors: sim.dma().stats().errors,
        filters: fm.list().cloned().collect(),
        recording: sim.take_recording(),
    })
}
