//! The `arsenic sim` job: a capture replayed through the card with the device manager in the
//! loop, the host's frames written to a pcap, and a summary.

use crate::config::{ConfigError, SimConfigFile, TxSource};
use crate::replay::{
    expected, replay, wire_frames, Expected, Progress, ReplayError, ReplayOptions, ReplayReport,
    TxPlan,
};
use crate::trace::{self, TraceError};
use crate::txwork::{generated, Attribution};
use arsenic_host::delivered_bytes;
use arsenic_host::{Shaping, TxSchedule};
use arsenic_interface::params::Speed;
use arsenic_interface::regs::{Counter, ViCounter};
use arsenic_interface::regs::{TxCounter, TxViCounter};
use std::fmt;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The capture the job replays when none is named: real traffic of real programs (see
/// `traces/PROVENANCE.md`).
pub const DEFAULT_TRACE: &[u8] = include_bytes!("../../traces/real-veth.pcap");
/// Its name in summaries.
pub const DEFAULT_TRACE_NAME: &str = "traces/real-veth.pcap (embedded default)";

/// Errors of the job, each with its exit code.
#[derive(Debug, Error)]
pub enum JobError {
    #[error("{0}")]
    Trace(#[from] TraceError),
    #[error("{0}")]
    Replay(#[from] ReplayError),
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("cannot write {path}: {source}")]
    Output {
        path: String,
        source: std::io::Error,
    },
}

impl JobError {
    /// The process exit code for this error (documented in the README).
    pub fn exit_code(&self) -> i32 {
        match self {
            JobError::Trace(TraceError::Write { .. }) | JobError::Output { .. } => 5,
            JobError::Trace(_) => 3,
            JobError::Replay(_) => 4,
            JobError::Config(_) => 6,
        }
    }
}

/// What to replay and how.
#[derive(Debug, Clone)]
pub struct SimJob {
    /// The capture; `None` for the embedded default.
    pub input: Option<PathBuf>,
    pub options: ReplayOptions,
    /// Virtual interfaces and their filters; `None` sends everything to the OS VI.
    pub config: Option<SimConfigFile>,
    /// Folder for the output pcaps.
    pub out_dir: PathBuf,
}

/// What one VI received.
#[derive(Debug, Clone)]
pub struct ViOutput {
    pub id: u16,
    pub name: String,
    pub frames: usize,
    pub bytes: u64,
    pub path: PathBuf,
    /// The VI's own counters on the card (absent for a VI that does not exist).
    pub stats: Option<arsenic_host::ViStats>,
}

/// The job's result.
#[derive(Debug, Clone)]
pub struct SimSummary {
    pub input: String,
    pub report: ReplayReport,
    pub line_rate: bool,
    pub max_gap_ns: Option<u64>,
    /// Frames the MAC's rules say must arrive, and those that arrived byte-identical in order.
    pub expected_deliveries: usize,
    pub matching_deliveries: usize,
    /// Latency from a frame's last octet on the pins to its event, in cycles, sorted.
    pub latencies: Vec<u64>,
    /// One pcap per VI, the OS's first.
    pub outputs: Vec<ViOutput>,
    /// Frames the capture cut short (replayed as captured).
    pub snapped: usize,
    /// What each sending VI did.
    pub tx: Vec<TxOutput>,
    /// Everything that left the transmit wire.
    pub tx_path: PathBuf,
    /// Frames on the transmit wire whose FCS is wrong (0 on a good card).
    pub tx_bad_fcs: usize,
    /// Frames on the transmit wire no VI sent (0 on a good card).
    pub tx_unknown: usize,
}

/// What one VI sent.
#[derive(Debug, Clone)]
pub struct TxOutput {
    pub id: u16,
    pub name: String,
    /// Frames it offered.
    pub offered: usize,
    /// Frames and bytes (FCS included) of it on the wire.
    pub frames: usize,
    pub bytes: u64,
    /// Its rate on the wire, from its first frame's start to its last frame's end, in Mb/s
    /// (frame octets with FCS; 0 with fewer than two frames).
    pub mbps: f64,
    /// The VI's transmit counters on the card.
    pub stats: Option<arsenic_host::TxViStats>,
}

impl SimSummary {
    /// Frames in = delivered + dropped, and every frame the MAC must pass arrived intact;
    /// on transmit, [`tx_balanced`](Self::tx_balanced).
    pub fn balanced(&self) -> bool {
        let r = &self.report;
        r.counter(Counter::RxFrames) == r.frames_in
            && r.frames_in == r.received.len() as u64 + r.dropped()
            && self.matching_deliveries == self.expected_deliveries
            && r.dma_errors == 0
            && self.tx_balanced()
    }

    /// Every frame on the transmit wire has a correct FCS and was sent by a VI, and each
    /// VI's offered frames are all accounted for: on the wire, or refused with a reason.
    pub fn tx_balanced(&self) -> bool {
        self.tx_bad_fcs == 0
            && self.tx_unknown == 0
            && self.tx.iter().all(|v| {
                v.stats.as_ref().is_some_and(|s| {
                    let refused: u64 = [
                        TxViCounter::DropSpoofed,
                        TxViCounter::DropBadBuffer,
                        TxViCounter::DropBadDesc,
                    ]
                    .iter()
                    .map(|c| s.get(c).copied().unwrap_or(0) as u64)
                    .sum();
                    v.frames as u64 == s.get(&TxViCounter::Frames).copied().unwrap_or(0) as u64
                        && v.offered as u64 == v.frames as u64 + refused
                })
            })
    }
}

/// Runs the job; `progress` is called now and then on long runs.
pub fn run(job: &SimJob, progress: &mut dyn FnMut(Progress)) -> Result<SimSummary, JobError> {
    let (name, frames) = match &job.input {
        Some(p) => (p.display().to_string(), trace::read_file(p)?),
        None => (
            DEFAULT_TRACE_NAME.to_string(),
            trace::read_bytes(DEFAULT_TRACE, DEFAULT_TRACE_NAME)?,
        ),
    };
    let snapped = frames
        .iter()
        .filter(|f| (f.data.len() as u32) < f.orig_len)
        .count();
    let t0 = frames.first().map(|f| f.ts_ns).unwrap_or(0);
    let mut options = job.options.clone();
    if let Some(c) = &job.config {
        options.filters = c.filters.clone();
        options.vis = c.vis.iter().map(|v| v.id).collect();
        options.tx = tx_plans(c, options.speed)?;
    }
    let o = &options;
    let wire = wire_frames(&frames, o.speed, o.line_rate, o.max_gap_ns);
    let want: Vec<Option<Vec<u8>>> = wire
        .iter()
        .map(|f| match expected(f, o.max_frame as usize) {
            Expected::Deliver(d) => Some(d),
            Expected::Drop(_) => None,
        })
        .collect();
    let report = replay(wire, o, progress)?;
    // Pair deliveries with the frames expected to arrive, in order.
    let expected_idx: Vec<usize> = want
        .iter()
        .enumerate()
        .filter_map(|(i, w)| w.as_ref().map(|_| i))
        .collect();
    let matching = report
        .received
        .iter()
        .zip(&expected_idx)
        .filter(|(got, &i)| want[i].as_deref() == Some(&got.data[..]))
        .count();
    let mut latencies: Vec<u64> = report
        .received
        .iter()
        .zip(&expected_idx)
        .filter_map(|(got, &i)| {
            report
                .last_octet_cycles
                .get(i)
                .map(|&lo| got.timestamp.saturating_sub(lo))
        })
        .collect();
    latencies.sort_unstable();
    std::fs::create_dir_all(&job.out_dir).map_err(|source| JobError::Output {
        path: job.out_dir.display().to_string(),
        source,
    })?;
    // pcap seconds are 32 bits: a capture whose clock would run past them starts the output
    // at time zero instead.
    let t0 = if (t0 + report.sim_time().as_nanos() as u64) / 1_000_000_000 > u32::MAX as u64 {
        0
    } else {
        t0
    };
    let ns = o.speed.ns_per_cycle();
    let start = report.start_cycle;
    let mut vis: Vec<(u16, String)> = vec![(0, "os".to_string())];
    if let Some(c) = &job.config {
        vis.extend(c.vis.iter().map(|v| (v.id, v.name.clone())));
    }
    for f in &report.received {
        if !vis.iter().any(|(id, _)| *id == f.vi) {
            vis.push((f.vi, "unknown".to_string()));
        }
    }
    let mut outputs = Vec::new();
    for (id, name) in vis {
        let path = job.out_dir.join(format!("rx-vi{id}-{name}.pcap"));
        let mine: Vec<&arsenic_host::RxFrame> =
            report.received.iter().filter(|f| f.vi == id).collect();
        write_atomically(&path, |tmp| {
            trace::write_pcap(
                tmp,
                mine.iter().map(|f| {
                    (
                        t0 + ((f.timestamp.saturating_sub(start)) as f64 * ns) as u64,
                        f.data.clone(),
                    )
                }),
            )
        })?;
        outputs.push(ViOutput {
            id,
            name,
            frames: mine.len(),
            bytes: mine.iter().map(|f| f.data.len() as u64).sum(),
            stats: report.vi_stats.get(&id).cloned(),
            path,
        });
    }
    // The transmit wire: who sent each frame, its FCS, and the pcap of it all.
    let mut attr = Attribution::default();
    for p in &o.tx {
        for f in &p.frames {
            attr.add(p.vi, f);
        }
    }
    let mut per_vi: std::collections::BTreeMap<u16, (usize, u64, u64, u64)> = Default::default();
    let (mut tx_bad_fcs, mut tx_unknown) = (0, 0);
    for w in &report.tx_wire {
        if w.bytes.len() < 4 || !arsenic_interface::fcs::check(&w.bytes) {
            tx_bad_fcs += 1;
        }
        match attr.take(&w.bytes) {
            Some(vi) => {
                let e = per_vi.entry(vi).or_insert((0, 0, w.start_cycle, 0));
                e.0 += 1;
                e.1 += w.bytes.len() as u64;
                // End of the frame: preamble and frame at the octets per cycle of the link.
                e.3 = w.start_cycle
                    + (8 + w.bytes.len() as u64).div_ceil(o.speed.octets_per_cycle() as u64);
            }
            None => tx_unknown += 1,
        }
    }
    let tx_path = job.out_dir.join("wire-tx.pcap");
    write_atomically(&tx_path, |tmp| {
        trace::write_pcap(
            tmp,
            report.tx_wire.iter().map(|w| {
                (
                    t0 + ((w.start_cycle.saturating_sub(start)) as f64 * ns) as u64,
                    w.bytes[..w.bytes.len().saturating_sub(4)].to_vec(),
                )
            }),
        )
    })?;
    let tx =
        o.tx.iter()
            .map(|p| {
                let (frames, bytes, first, end) = per_vi.get(&p.vi).copied().unwrap_or_default();
                let mbps = if frames >= 2 && end > first {
                    bytes as f64 * 8.0 / ((end - first) as f64 * ns) * 1e3
                } else {
                    0.0
                };
                TxOutput {
                    id: p.vi,
                    name: job
                        .config
                        .as_ref()
                        .and_then(|c| c.vi_name(p.vi))
                        .unwrap_or("unknown")
                        .to_string(),
                    offered: p.frames.len(),
                    frames,
                    bytes,
                    mbps,
                    stats: report.tx_vi_stats.get(&p.vi).cloned(),
                }
            })
            .collect();
    Ok(SimSummary {
        input: name,
        tx,
        tx_path,
        tx_bad_fcs,
        tx_unknown,
        line_rate: o.line_rate,
        max_gap_ns: o.max_gap_ns,
        expected_deliveries: expected_idx.len(),
        matching_deliveries: matching,
        latencies,
        outputs,
        snapped,
        report,
    })
}

/// The transmit plans of a configuration: schedules, filters, and frames (captures read,
/// generators run), paced for `speed`.
fn tx_plans(c: &SimConfigFile, speed: Speed) -> Result<Vec<TxPlan>, JobError> {
    let mut plans = Vec::new();
    let cycles_per_sec = speed.clock_hz() as f64;
    for t in &c.tx {
        let mut schedule = TxSchedule::weighted(t.weight).map_err(|e| ConfigError::Invalid {
            what: format!("VI {}", t.vi),
            detail: e.to_string(),
        })?;
        schedule.unrestricted = t.filter.is_none();
        if let Some((mbps, burst)) = t.shaping {
            schedule.shaping = Some(Shaping {
                bytes_per_cycle: mbps * 1e6 / 8.0 / cycles_per_sec,
                burst_bytes: burst,
            });
        }
        let (frames, pace) = match &t.source {
            None => (Vec::new(), None),
            Some(TxSource::Pcap(p)) => {
                let frames = trace::read_file(p)?;
                (frames.into_iter().map(|f| f.data).collect(), None)
            }
            Some(TxSource::Generate {
                size,
                count,
                rate_mbps,
            }) => {
                // A frame every (size + preamble + gap) * 8 bits at the offered rate.
                let pace =
                    rate_mbps.map(|r| (*size as f64 + 20.0) * 8.0 / (r * 1e6) * cycles_per_sec);
                (generated(t.vi, *size, *count), pace)
            }
        };
        plans.push(TxPlan {
            vi: t.vi,
            schedule,
            filter: t.filter.clone(),
            frames,
            pace,
        });
    }
    Ok(plans)
}

/// Writes `path` through a temporary file beside it, renamed into place only when complete.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), TraceError>,
) -> Result<(), JobError> {
    let tmp = path.with_extension("pcap.partial");
    let r = write(&tmp);
    if let Err(e) = r {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    std::fs::rename(&tmp, path).map_err(|source| JobError::Output {
        path: path.display().to_string(),
        source,
    })
}

/// `name n, name n` of the non-zero counters, or `no drops`.
fn drop_list<'a>(counters: impl Iterator<Item = (&'a str, u32)>) -> String {
    let d: Vec<String> = counters
        .filter(|(_, n)| *n != 0)
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    if d.is_empty() {
        "no drops".to_string()
    } else {
        d.join(", ")
    }
}

fn speed_name(s: Speed) -> &'static str {
    match s {
        Speed::Gbe1 => "1 GbE (GMII, 125 MHz)",
        Speed::Gbe10 => "10 GbE (XGMII, 156.25 MHz)",
    }
}

impl fmt::Display for SimSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.report;
        let timing = if self.line_rate {
            "back to back at line rate".to_string()
        } else if let Some(g) = self.max_gap_ns {
            format!("capture timestamps, gaps shortened to at most {g} ns")
        } else {
            "capture timestamps".to_string()
        };
        writeln!(f, "input        {}", self.input)?;
        writeln!(
            f,
            "link         {}, wire timing: {}",
            speed_name(r.speed),
            timing
        )?;
        if self.snapped > 0 {
            writeln!(f, "note         {} frames were cut short by the capture's snap length; replayed as captured", self.snapped)?;
        }
        writeln!(f, "frames in    {}", r.frames_in)?;
        writeln!(
            f,
            "delivered    {} ({} bytes); {} of {} expected frames arrived byte-identical and in order",
            r.received.len(),
            delivered_bytes(&r.counters),
            self.matching_deliveries,
            self.expected_deliveries
        )?;
        writeln!(f, "dropped      {}", r.dropped())?;
        for c in Counter::DROPS {
            let v = r.counter(c);
            if v > 0 {
                writeln!(f, "  {:<20} {}", c.name(), v)?;
            }
        }
        let secs = r.wall.as_secs_f64().max(1e-9);
        writeln!(
            f,
            "cycles       {} ({:.3} ms simulated)",
            r.cycles,
            r.sim_time().as_secs_f64() * 1e3
        )?;
        writeln!(
            f,
            "wall time    {:.3} s: {:.2} M cycles/s, {:.0} frames/s",
            secs,
            r.cycles as f64 / secs / 1e6,
            r.frames_in as f64 / secs
        )?;
        if !self.latencies.is_empty() {
            let l = &self.latencies;
            let ns = r.speed.ns_per_cycle();
            writeln!(
                f,
                "latency      last octet on the wire to event, cycles: min {} median {} p99 {} max {} ({:.0} ns median)",
                l[0],
                l[l.len() / 2],
                l[(l.len() * 99 / 100).min(l.len() - 1)],
                l[l.len() - 1],
                l[l.len() / 2] as f64 * ns
            )?;
        }
        if !r.filters.is_empty() {
            let (rules, flows) = (
                r.counter(Counter::RxRuleHits),
                r.counter(Counter::RxFlowHits),
            );
            writeln!(f, "filters      {} installed; frames claimed by masked rules {rules}, by exact flows {flows}", r.filters.len())?;
        }
        for v in &self.outputs {
            let drops = v.stats.as_ref().map_or("no such VI".to_string(), |st| {
                drop_list(
                    st.iter()
                        .filter(|(c, _)| !matches!(c, ViCounter::RxFrames | ViCounter::RxBytes))
                        .map(|(c, n)| (c.name(), *n)),
                )
            });
            writeln!(
                f,
                "vi {:<8} {:<14} {:>7} frames {:>10} bytes  {:<24} {}",
                v.id,
                v.name,
                v.frames,
                v.bytes,
                drops,
                v.path.display()
            )?;
        }
        if !self.tx.is_empty() || !r.tx_wire.is_empty() {
            let c = &r.tx_counters;
            let get = |k: TxCounter| c.get(&k).copied().unwrap_or(0);
            writeln!(
                f,
                "transmit     {} frames on the wire ({} octets with FCS), {} padded; {}",
                r.tx_wire.len(),
                r.tx_wire.iter().map(|w| w.bytes.len() as u64).sum::<u64>(),
                get(TxCounter::Padded),
                self.tx_path.display()
            )?;
            for v in &self.tx {
                let drops = v.stats.as_ref().map_or("no such VI".to_string(), |st| {
                    drop_list(
                        st.iter()
                            .filter(|(c, _)| !matches!(c, TxViCounter::Frames | TxViCounter::Bytes))
                            .map(|(c, n)| (c.name(), *n)),
                    )
                });
                writeln!(
                    f,
                    "tx vi {:<5} {:<14} {:>7} of {:>7} frames {:>10} bytes {:>9.1} Mb/s  {}",
                    v.id, v.name, v.frames, v.offered, v.bytes, v.mbps, drops
                )?;
            }
            if self.tx_balanced() {
                writeln!(
                    f,
                    "tx check     ok: every frame on the wire has a correct FCS and came from a VI; offered = sent + refused"
                )?;
            } else {
                writeln!(
                    f,
                    "tx check     FAILED: bad FCS {}, from no VI {}, card counters {:?}",
                    self.tx_bad_fcs, self.tx_unknown, c
                )?;
            }
        }
        if self.balanced() {
            write!(
                f,
                "check        ok: frames in = delivered + dropped; every good frame arrived intact"
            )
        } else {
            write!(
                f,
                "check        FAILED: rx_frames {} frames_in {} delivered {} dropped {} intact {}/{} dma_errors {}",
                r.counter(Counter::RxFrames),
                r.frames_in,
                r.received.len(),
                r.dropped(),
                self.matching_deliveries,
                self.expected_deliveries,
                r.dma_errors
            )
        }
    }
}
