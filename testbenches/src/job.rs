//! The `arsenic sim` job: a capture replayed through the card with the device manager in the
//! loop, the host's frames written to a pcap, and a summary.

use crate::config::{ConfigError, SimConfigFile};
use crate::replay::{
    expected, replay, wire_frames, Expected, Progress, ReplayError, ReplayOptions, ReplayReport,
};
use crate::trace::{self, TraceError};
use arsenic_host::delivered_bytes;
use arsenic_interface::params::Speed;
use arsenic_interface::regs::{Counter, ViCounter};
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
}

impl SimSummary {
    /// Frames in = delivered + dropped, and every frame the MAC must pass arrived intact.
    pub fn balanced(&self) -> bool {
        let r = &self.report;
        r.counter(Counter::RxFrames) == r.frames_in
            && r.frames_in == r.received.len() as u64 + r.dropped()
            && self.matching_deliveries == self.expected_deliveries
            && r.dma_errors == 0
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
    Ok(SimSummary {
        input: name,
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
                let d: Vec<String> = st
                    .iter()
                    .filter(|(c, n)| {
                        **n != 0 && !matches!(c, ViCounter::RxFrames | ViCounter::RxBytes)
                    })
                    .map(|(c, n)| format!("{} {n}", c.name()))
                    .collect();
                if d.is_empty() {
                    "no drops".to_string()
                } else {
                    d.join(", ")
                }
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
