//! The servicer of the card's DMA master, run once per card clock cycle.
//!
//! Timing contract (the card's DMA outputs depend only on its registers): in cycle `t` the
//! servicer sees the card's outputs after edge `t-1` ([`DmaRequests`]) and answers with the
//! card's inputs for cycle `t` ([`DmaResponses`]); a write beat or read request moves at edge
//! `t` when the card showed it valid and the servicer said ready.
//!
//! - Writes are posted and land in host memory when accepted, in order.
//! - Reads are tagged; each completes `read_latency` cycles (plus a seeded random jitter of up
//!   to `read_jitter`) after it was accepted, so reads with different tags can complete out of
//!   order. One beat per cycle at most; the beats of one tag come together and in order, the
//!   last one flagged.
//! - At most `max_outstanding_reads` reads are in flight; beyond that `rd_ready` is low.
//! - Each direction has a bandwidth in bytes per cycle (token bucket with a small burst).
//!
//! A DMA outside host memory is counted in [`DmaStats::errors`] (a read returns zeros), never
//! a panic: it is the card's or the driver's bug, and the bench reports it.

use crate::memory::{HostMemory, MemoryError};

/// Bytes per beat.
const BEAT: f64 = arsenic_interface::params::BEAT_BYTES as f64;

/// The card's DMA outputs in one cycle.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DmaRequests {
    pub wr_valid: bool,
    pub wr_addr: u64,
    pub wr_data: u64,
    pub wr_strb: u8,
    pub rd_valid: bool,
    pub rd_addr: u64,
    pub rd_beats: u8,
    pub rd_tag: u8,
}

/// The card's DMA inputs in one cycle.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DmaResponses {
    pub wr_ready: bool,
    pub rd_ready: bool,
    pub cpl_valid: bool,
    pub cpl_tag: u8,
    pub cpl_data: u64,
    pub cpl_last: bool,
}

/// Parameters of the host bus model.
#[derive(Debug, Clone, PartialEq)]
pub struct DmaConfig {
    /// Cycles from a read's acceptance to its first completion beat.
    pub read_latency: u64,
    /// Extra cycles, uniformly random in `0..=read_jitter`, per read.
    pub read_jitter: u64,
    /// Reads in flight at most.
    pub max_outstanding_reads: usize,
    /// Card-to-host bandwidth in bytes per card cycle.
    pub write_bytes_per_cycle: f64,
    /// Host-to-card bandwidth in bytes per card cycle.
    pub read_bytes_per_cycle: f64,
    /// Seed of the jitter's generator (runs are reproducible).
    pub seed: u64,
}

impl DmaConfig {
    /// Near a PCIe Gen3 x8 slot: about 7.9 GB/s each way, 600 ns read latency with up to
    /// 200 ns of jitter, 32 reads in flight; in cycles of a card clocked at `clock_hz`.
    pub fn pcie_gen3_x8(clock_hz: u64) -> Self {
        let ns = |n: f64| (n * clock_hz as f64 / 1e9).round() as u64;
        let bw = 7.88e9 / clock_hz as f64;
        DmaConfig {
            read_latency: ns(600.0),
            read_jitter: ns(200.0),
            max_outstanding_reads: 32,
            write_bytes_per_cycle: bw,
            read_bytes_per_cycle: bw,
            seed: 1,
        }
    }
}

/// What the servicer has done.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DmaStats {
    pub write_beats: u64,
    pub read_requests: u64,
    pub read_beats: u64,
    /// DMAs outside host memory.
    pub errors: u64,
    /// Cycles the card wanted to write and was held off.
    pub write_stalls: u64,
}

#[derive(Debug, Clone)]
struct PendingRead {
    seq: u64,
    tag: u8,
    addr: u64,
    beats: u8,
    sent: u8,
    due: u64,
}

/// The DMA servicer.
#[derive(Debug, Clone)]
pub struct DmaServicer {
    cfg: DmaConfig,
    wr_tokens: f64,
    rd_tokens: f64,
    pending: Vec<PendingRead>,
    current: Option<usize>,
    seq: u64,
    rng: u64,
    stats: DmaStats,
    last_error: Option<MemoryError>,
    write_log: Option<Vec<(u64, u64)>>,
}

impl DmaServicer {
    /// A servicer with `cfg`.
    pub fn new(cfg: DmaConfig) -> Self {
        let rng = cfg.seed.max(1);
        DmaServicer {
            cfg,
            wr_tokens: 0.0,
            rd_tokens: 0.0,
            pending: Vec::new(),
            current: None,
            seq: 0,
            rng,
            stats: DmaStats::default(),
            last_error: None,
            write_log: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &DmaConfig {
        &self.cfg
    }

    /// Counts so far.
    pub fn stats(&self) -> &DmaStats {
        &self.stats
    }

    /// The most recent DMA outside host memory, if any.
    pub fn last_error(&self) -> Option<&MemoryError> {
        self.last_error.as_ref()
    }

    /// Starts (or stops) keeping the cycle and address of every write beat, for tests that
    /// check where the card writes.
    pub fn record_writes(&mut self, on: bool) {
        self.write_log = on.then(Vec::new);
    }

    /// The write beats recorded since the last call: (cycle, address).
    pub fn take_write_log(&mut self) -> Vec<(u64, u64)> {
        self.write_log
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Reads in flight.
    pub fn outstanding_reads(&self) -> usize {
        self.pending.len()
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64*: small, fast and reproducible.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn error(&mut self, e: MemoryError) {
        self.stats.errors += 1;
        self.last_error = Some(e);
    }

    /// Services cycle `now`: `req` is what the card showed after the previous edge.
    pub fn cycle(&mut self, now: u64, mem: &mut HostMemory, req: &DmaRequests) -> DmaResponses {
        let mut rsp = DmaResponses::default();
        let burst = (4.0 * BEAT).max(2.0 * self.cfg.write_bytes_per_cycle);
        self.wr_tokens = (self.wr_tokens + self.cfg.write_bytes_per_cycle).min(burst);
        let burst = (4.0 * BEAT).max(2.0 * self.cfg.read_bytes_per_cycle);
        self.rd_tokens = (self.rd_tokens + self.cfg.read_bytes_per_cycle).min(burst);

        // Posted writes.
        rsp.wr_ready = self.wr_tokens >= BEAT;
        if req.wr_valid {
            if rsp.wr_ready {
                self.wr_tokens -= BEAT;
                self.stats.write_beats += 1;
                if let Some(log) = &mut self.write_log {
                    log.push((now, req.wr_addr));
                }
                if let Err(e) = mem.write_beat(req.wr_addr, req.wr_data, req.wr_strb) {
                    self.error(e);
                }
            } else {
                self.stats.write_stalls += 1;
            }
        }

        // Read requests.
        rsp.rd_ready = self.pending.len() < self.cfg.max_outstanding_reads;
        if req.rd_valid && rsp.rd_ready {
            let jitter = if self.cfg.read_jitter > 0 {
                self.next_random() % (self.cfg.read_jitter + 1)
            } else {
                0
            };
            self.stats.read_requests += 1;
            self.pending.push(PendingRead {
                seq: self.seq,
                tag: req.rd_tag,
                addr: req.rd_addr,
                beats: req.rd_beats.max(1),
                sent: 0,
                due: now + self.cfg.read_latency + jitter,
            });
            self.seq += 1;
        }

        // Completions: finish the read being sent, else start the one due first.
        if self.current.is_none() {
            self.current = self
                .pending
                .iter()
                .enumerate()
                .filter(|(_, r)| r.due <= now)
                .min_by_key(|(_, r)| (r.due, r.seq))
                .map(|(i, _)| i);
        }
        if let Some(i) = self.current {
            if self.rd_tokens >= BEAT {
                self.rd_tokens -= BEAT;
                let r = &mut self.pending[i];
                let addr = r.addr + 8 * r.sent as u64;
                r.sent += 1;
                let last = r.sent == r.beats;
                rsp.cpl_valid = true;
                rsp.cpl_tag = r.tag;
                rsp.cpl_last = last;
                self.stats.read_beats += 1;
                rsp.cpl_data = match mem.read_u64(addr) {
                    Ok(v) => v,
                    Err(e) => {
                        self.error(e);
                        0
                    }
                };
                if last {
                    self.pending.swap_remove(i);
                    self.current = None;
                }
            }
        }
        rsp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> DmaConfig {
        DmaConfig {
            read_latency: 10,
            read_jitter: 30,
            max_outstanding_reads: 2,
            write_bytes_per_cycle: 4.0,
            read_bytes_per_cycle: 8.0,
            seed: 7,
        }
    }

    #[test]
    fn writes_are_limited_by_bandwidth() {
        let mut mem = HostMemory::new(0, 1 << 16);
        let mut s = DmaServicer::new(cfg());
        let req = DmaRequests {
            wr_valid: true,
            wr_addr: 0x100,
            wr_data: 1,
            wr_strb: 0xFF,
            ..Default::default()
        };
        let accepted = (0..1000)
            .filter(|&t| s.cycle(t, &mut mem, &req).wr_ready)
            .count();
        // 4 bytes per cycle is one 8-byte beat every other cycle.
        assert!((499..=501).contains(&accepted), "{accepted}");
    }

    #[test]
    fn reads_complete_after_latency_whole_and_limited() {
        let mut mem = HostMemory::new(0, 1 << 16);
        for i in 0..64u64 {
            mem.write(i * 8, &i.to_le_bytes()).unwrap();
        }
        let mut s = DmaServicer::new(cfg());
        let mut got: Vec<(u8, u64, bool, u64)> = Vec::new();
        let mut accepted = 0;
        for t in 0..400 {
            let tag = accepted as u8;
            let req = DmaRequests {
                rd_valid: accepted < 6,
                rd_addr: 8 * 4 * accepted as u64,
                rd_beats: 4,
                rd_tag: tag,
                ..Default::default()
            };
            let rsp = s.cycle(t, &mut mem, &req);
            if req.rd_valid && rsp.rd_ready {
                accepted += 1;
                assert!(s.outstanding_reads() <= 2);
            }
            if rsp.cpl_valid {
                got.push((rsp.cpl_tag, rsp.cpl_data, rsp.cpl_last, t));
            }
        }
        assert_eq!(accepted, 6);
        assert_eq!(got.len(), 24);
        for tag in 0..6u8 {
            let beats: Vec<_> = got.iter().filter(|g| g.0 == tag).collect();
            let data: Vec<u64> = beats.iter().map(|b| b.1).collect();
            let base = 4 * tag as u64;
            assert_eq!(data, vec![base, base + 1, base + 2, base + 3]);
            assert!(beats[3].2 && !beats[0].2);
        }
        // The first completion comes no earlier than the latency allows.
        assert!(got[0].3 >= 10);
        // With jitter, some read overtakes one issued before it.
        let order: Vec<u8> = got.iter().filter(|g| g.2).map(|g| g.0).collect();
        assert!(
            order.windows(2).any(|w| w[1] < w[0]),
            "completions in order {order:?}"
        );
    }

    #[test]
    fn out_of_range_dma_is_counted() {
        let mut mem = HostMemory::new(0x1000, 64);
        let mut s = DmaServicer::new(cfg());
        let req = DmaRequests {
            wr_valid: true,
            wr_addr: 0x10,
            wr_strb: 0xFF,
            ..Default::default()
        };
        for t in 0..4 {
            s.cycle(t, &mut mem, &req);
        }
        assert!(s.stats().errors > 0);
        assert!(s.last_error().is_some());
    }
}
