//! The classifier: which filter, and so which VI, claims each received frame.
//!
//! It keeps the first [`HEADER_BYTES`] octets of every frame as the MAC streams it (two banks:
//! one filling, one being classified) and, once the receive buffer commits the frame, decides:
//!
//! - **Masked rules**: `literals` entries, each a test of a 1-, 2- or 4-octet window of the
//!   header (at an offset from the frame's start, or from the end of the IPv4 header at a
//!   VLAN depth) or of the frame's length — value and mask, or "past the frame's end" — are
//!   evaluated `literals_per_cycle` at a time; then each of `terms` entries holds when the literals it names
//!   all hold and those it excludes do not. A term carries a filter id, a priority and a VI.
//! - **Exact flows**: the parser takes the frame's 5-tuple and local 3-tuple (untagged IPv4
//!   first fragments and IPv6) and looks both up in a table of two banks (one hash each) of
//!   two-way buckets: four slots per key, placed cuckoo-style by the device manager.
//! - **Decision**: the highest priority among matching terms and flows (ties: the lower filter
//!   id), else the default VI 0 with no filter. Results queue in frame order for the RX DMA:
//!   a frame's slot is reserved when its classification starts and filled when it ends.
//!
//! A term's valid bit is sampled when a frame's classification starts, so a filter that is
//! being written or removed never half-matches. The datapath is written as Verilog (arrays
//! and windows read by index, which Verilator and Yosys handle well); `update` is the same
//! machine in Rust for rust-hdl's simulator, and a test compares the two.

use arsenic_interface::classifier::{self as cls, ClassifierParams, FlowWords, HEADER_BYTES};
use arsenic_interface::event::FILTER_NONE;
use arsenic_interface::params::MMIO_ADDR_BITS;
use rust_hdl::prelude::*;
use std::collections::VecDeque;

/// Results the queue holds: as many frames as the receive buffer.
const RESULT_DEPTH: usize = 1 << arsenic_interface::params::RX_INFO_ADDR_BITS;

#[derive(LogicBlock)]
pub struct Classifier {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // The MAC's stream, and the receive buffer's verdict on the frame's last beat.
    pub s_valid: Signal<In, Bit>,
    pub s_data: Signal<In, Bits<64>>,
    pub s_nbytes: Signal<In, Bits<4>>,
    /// Bit j: the beat holds octet j (`s_valid` and `s_nbytes > j`). The feeder registers it
    /// beside `s_valid`, so each of the sequential build's header lanes takes its write
    /// enable from a flip-flop of its own. It must agree with `s_valid` and `s_nbytes`
    /// (rust-hdl's model checks that it does).
    pub s_lanes: Signal<In, Bits<8>>,
    pub s_last: Signal<In, Bit>,
    pub s_len: Signal<In, Bits<16>>,
    pub s_commit: Signal<In, Bit>,
    /// The VI a frame is sent by (a transmit checker's input; taken with the commit).
    pub s_vi: Signal<In, Bits<16>>,
    // Table writes (the classifier's MMIO window).
    pub cfg_write: Signal<In, Bit>,
    pub cfg_addr: Signal<In, Bits<MMIO_ADDR_BITS>>,
    pub cfg_wdata: Signal<In, Bits<32>>,
    // Results, in frame order.
    pub res_pop: Signal<In, Bit>,
    pub res_empty: Signal<Out, Bit>,
    pub res_vi: Signal<Out, Bits<16>>,
    pub res_filter: Signal<Out, Bits<16>>,
    /// The header parser's flags (`arsenic_interface::event::status`).
    pub res_flags: Signal<Out, Bits<4>>,
    pub busy: Signal<Out, Bit>,
    // Counters.
    pub cnt_rule_hits: Signal<Out, Bits<32>>,
    pub cnt_flow_hits: Signal<Out, Bits<32>>,
    pub cnt_overrun: Signal<Out, Bits<32>>,
    _params: ClassifierParams,
    _tx: bool,
    _cbits: usize,
    _sim: Box<Model>,
}

impl Classifier {
    /// A classifier with tables of `params`.
    pub fn new(params: ClassifierParams) -> Self {
        Self::build(params, false)
    }

    /// A transmit checker with tables of `params`: the same tables and evaluation, but a
    /// term or flow counts only when its VI is the frame's sender (`s_vi`); the result's
    /// filter is the best such match, [`FILTER_NONE`] when the sender's filters all miss.
    pub fn new_tx(params: ClassifierParams) -> Self {
        Self::build(params, true)
    }

    /// The same classifier keeping only the low `bits` of its counters (they wrap there): the
    /// card's register file keeps the full counts (`regfile::COUNTER_LOW_BITS`).
    pub fn with_counter_bits(mut self, bits: usize) -> Self {
        assert!((1..=32).contains(&bits));
        self._cbits = bits;
        self._sim.cmask = if bits == 32 {
            u32::MAX
        } else {
            (1 << bits) - 1
        };
        self
    }

    fn build(params: ClassifierParams, tx: bool) -> Self {
        assert!(!params.sequential || params.literals_per_cycle == 1);
        assert!(
            params.literals_per_cycle > 0
                && params.literals.is_multiple_of(params.literals_per_cycle)
                && params.literals <= 128
        );
        assert!(params.terms <= 64 && params.terms > 0);
        assert!(params.flow_bank_bits <= 16);
        assert!(
            params.exact_flows || params.sequential,
            "only the sequential build leaves the exact-flow table out"
        );
        Classifier {
            clock: Default::default(),
            reset: Default::default(),
            s_valid: Default::default(),
            s_data: Default::default(),
            s_nbytes: Default::default(),
            s_lanes: Default::default(),
            s_last: Default::default(),
            s_len: Default::default(),
            s_commit: Default::default(),
            s_vi: Default::default(),
            cfg_write: Default::default(),
            cfg_addr: Default::default(),
            cfg_wdata: Default::default(),
            res_pop: Default::default(),
            res_empty: Default::default(),
            res_vi: Default::default(),
            res_filter: Default::default(),
            res_flags: Default::default(),
            busy: Default::default(),
            cnt_rule_hits: Default::default(),
            cnt_flow_hits: Default::default(),
            cnt_overrun: Default::default(),
            _params: params,
            _tx: tx,
            _cbits: 32,
            _sim: Box::new(Model::new(params, tx)),
        }
    }
}

impl Default for Classifier {
    fn default() -> Self {
        Self::new(ClassifierParams::SIM)
    }
}

/// One exact-flow entry.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct FlowEntry {
    valid: bool,
    key: FlowWords,
    vi: u16,
    filter_prio: u32,
}

/// The classifier's state, for rust-hdl's simulator; mirrors the Verilog below.
struct Model {
    p: ClassifierParams,
    tx: bool,
    ev_vi: u16,
    hb: [[u8; HEADER_BYTES]; 2],
    cap_bank: usize,
    cap_beat: usize,
    busy: bool,
    step: usize,
    ev_bank: usize,
    ev_len: u32,
    litvec: u128,
    tvalid_snap: u64,
    lit_field: Vec<u32>,
    lit_value: Vec<u32>,
    lit_mask: Vec<u32>,
    term_pos: Vec<u128>,
    term_neg: Vec<u128>,
    term_fp: Vec<u32>,
    term_vi: Vec<u16>,
    term_valid: u64,
    stage: [u32; 12],
    /// Flow slots by [bank][way][index].
    ft: [[Vec<FlowEntry>; 2]; 2],
    keys: [FlowWords; 2],
    keys_ok: [bool; 2],
    flags: u8,
    idx: [[usize; 2]; 2],
    /// Entries read by [key][bank][way].
    rd: [[[FlowEntry; 2]; 2]; 2],
    /// Results in frame order; `None` is a slot reserved for the frame being classified.
    fifo: VecDeque<Option<(u16, u16, u8)>>,
    /// Absolute position of the queue's head, and of the slot the evaluation will fill.
    head_seq: u64,
    /// The sequential build's output register: the head's result, moved out of the queue
    /// when the register is free (the parallel build shows the queue's head).
    out: Option<(u16, u16, u8)>,
    ev_seq: Option<u64>,
    /// The sequential build writes a decided result into its slot a cycle after the
    /// decision (from registers): the slot and the result, until then.
    pending: Option<(u64, (u16, u16, u8))>,
    /// The sequential build writes the FNONE result of a frame that overran it a cycle
    /// after the frame's last beat: its slot, until then.
    pending_over: Option<u64>,
    /// The sequential build's test of the head, as of the last cycle (a take is never
    /// followed by another in the next cycle, so the head it tested is still the head).
    head_was_ready: bool,
    c_rule: u32,
    c_flow: u32,
    c_over: u32,
    cmask: u32,
}

impl Model {
    fn new(p: ClassifierParams, tx: bool) -> Self {
        let fb = 1usize << p.flow_bank_bits;
        Model {
            p,
            tx,
            ev_vi: 0,
            hb: [[0; HEADER_BYTES]; 2],
            cap_bank: 0,
            cap_beat: 0,
            busy: false,
            step: 0,
            ev_bank: 0,
            ev_len: 0,
            litvec: 0,
            tvalid_snap: 0,
            lit_field: vec![0; p.literals],
            lit_value: vec![0; p.literals],
            lit_mask: vec![0; p.literals],
            term_pos: vec![0; p.terms],
            term_neg: vec![0; p.terms],
            term_fp: vec![0; p.terms],
            term_vi: vec![0; p.terms],
            term_valid: 0,
            stage: [0; 12],
            ft: std::array::from_fn(|_| std::array::from_fn(|_| vec![FlowEntry::default(); fb])),
            keys: [[0; 10]; 2],
            keys_ok: [false; 2],
            flags: 0,
            idx: [[0; 2]; 2],
            rd: [[[FlowEntry::default(); 2]; 2]; 2],
            fifo: VecDeque::new(),
            head_seq: 0,
            out: None,
            ev_seq: None,
            pending: None,
            pending_over: None,
            head_was_ready: false,
            c_rule: 0,
            c_flow: 0,
            c_over: 0,
            cmask: u32::MAX,
        }
    }

    fn byte(&self, a: usize) -> u32 {
        if a < HEADER_BYTES {
            self.hb[self.ev_bank][a] as u32
        } else {
            0
        }
    }

    fn literal(&self, i: usize) -> bool {
        let f = self.lit_field[i];
        let off = (f >> cls::lit::OFFSET_SHIFT) & 0xFF;
        let size = (f >> cls::lit::SIZE_SHIFT) & 0x7;
        let base = (f >> cls::lit::BASE_SHIFT) & 0x3;
        let depth = (f >> cls::lit::DEPTH_SHIFT) & 0x3;
        let kind = (f >> cls::lit::KIND_SHIFT) & 0x3;
        let l3 = 14 + 4 * depth;
        let addr = if base == cls::lit::BASE_IPV4_PAYLOAD {
            l3 + 4 * (self.byte(l3 as usize) & 0xF) + off
        } else {
            off
        };
        let w = (0..4).fold(0u32, |w, k| (w << 8) | self.byte((addr + k) as usize));
        let v = match size {
            1 => w >> 24,
            2 => w >> 16,
            _ => w,
        };
        let oob = addr + size > self.ev_len || addr + size > HEADER_BYTES as u32;
        match kind {
            cls::lit::KIND_OOB => oob,
            cls::lit::KIND_LEN => self.ev_len & self.lit_mask[i] == self.lit_value[i],
            _ => !oob && v & self.lit_mask[i] == self.lit_value[i],
        }
    }

    /// The 5-tuple and 3-tuple keys of the frame in the evaluation bank.
    fn flow_keys(&self) -> ([FlowWords; 2], bool) {
        let b = |a: usize| self.byte(a);
        let be32 = |a: usize| (b(a) << 24) | (b(a + 1) << 16) | (b(a + 2) << 8) | b(a + 3);
        let etype = (b(12) << 8) | b(13);
        let (v6, ok, proto, src, dst, l4) = if etype == 0x0800 {
            let l4 = 14 + 4 * (b(14) & 0xF) as usize;
            let frag0 = ((b(20) << 8) | b(21)) & 0x1FFF == 0;
            (
                false,
                frag0,
                b(23),
                [be32(26), 0, 0, 0],
                [be32(30), 0, 0, 0],
                l4,
            )
        } else {
            let s = [be32(22), be32(26), be32(30), be32(34)];
            let d = [be32(38), be32(42), be32(46), be32(50)];
            (true, etype == 0x86DD, b(20), s, d, 54)
        };
        let ok = ok && l4 as u32 + 4 <= self.ev_len && l4 + 4 <= HEADER_BYTES;
        let ports = be32(l4.min(HEADER_BYTES - 4));
        let fam = (v6 as u32) << 9 | proto;
        let five = [
            fam | 1 << 8,
            src[0],
            src[1],
            src[2],
            src[3],
            dst[0],
            dst[1],
            dst[2],
            dst[3],
            ports,
        ];
        let three = [
            fam,
            0,
            0,
            0,
            0,
            dst[0],
            dst[1],
            dst[2],
            dst[3],
            ports & 0xFFFF,
        ];
        ([five, three], ok)
    }

    /// The header parser's flags for the frame in the evaluation bank.
    fn parse_flags(&self) -> u8 {
        use arsenic_interface::event::status::*;
        let b = |a: usize| self.byte(a);
        let tpid = |a: usize| matches!((b(a) << 8) | b(a + 1), 0x8100 | 0x88A8 | 0x9100);
        let depth = if tpid(12) {
            if tpid(16) {
                2
            } else {
                1
            }
        } else {
            0
        };
        let l3 = 14 + 4 * depth;
        let et = (b(l3 - 2) << 8) | b(l3 - 1);
        let ports = |p: u32| matches!(p, 6 | 17 | 132);
        let (mut f, need) = match et {
            0x0800 => {
                let vhl = b(l3);
                let mut f = 0;
                if vhl >> 4 != 4 || vhl & 0xF < 5 {
                    f |= MALFORMED;
                }
                let later = ((b(l3 + 6) << 8) | b(l3 + 7)) & 0x1FFF != 0;
                if later {
                    f |= LATER_FRAGMENT;
                }
                let hl = l3 as u32 + 4 * (vhl & 0xF);
                (f, hl + if !later && ports(b(l3 + 9)) { 4 } else { 0 })
            }
            0x86DD => {
                let mut f = if b(l3) >> 4 != 6 { MALFORMED } else { 0 };
                let nh = b(l3 + 6);
                if matches!(nh, 0 | 43 | 44 | 50 | 51 | 60 | 135) {
                    f |= IPV6_EXTENSION;
                }
                (f, l3 as u32 + 40 + if ports(nh) { 4 } else { 0 })
            }
            0x0806 => (0, l3 as u32 + 28),
            _ => (0, 0),
        };
        if need > self.ev_len {
            f |= TRUNCATED;
        }
        f
    }

    fn table_write(&mut self, i: &Inputs, fb_mask: usize) {
        if i.cfg_write {
            let a = i.cfg_addr;
            if (cls::LIT_BASE..cls::TERM_BASE).contains(&a) {
                let (e, w) = (((a - cls::LIT_BASE) / 16) as usize, (a / 4) % 4);
                if e < self.p.literals {
                    match w {
                        0 => self.lit_field[e] = i.cfg_wdata,
                        1 => self.lit_value[e] = i.cfg_wdata,
                        2 => self.lit_mask[e] = i.cfg_wdata,
                        _ => {}
                    }
                }
            } else if (cls::TERM_BASE..cls::FLOW_STAGE).contains(&a) {
                let (t, w) = (((a - cls::TERM_BASE) / 64) as usize, (a / 4) % 16);
                if t < self.p.terms {
                    let d = i.cfg_wdata as u128;
                    match w {
                        0..=3 => {
                            self.term_pos[t] =
                                self.term_pos[t] & !(0xFFFF_FFFFu128 << (32 * w)) | d << (32 * w)
                        }
                        4..=7 => {
                            let s = 32 * (w - 4);
                            self.term_neg[t] = self.term_neg[t] & !(0xFFFF_FFFFu128 << s) | d << s
                        }
                        8 => self.term_fp[t] = i.cfg_wdata,
                        9 => self.term_vi[t] = i.cfg_wdata as u16,
                        10 => {
                            self.term_valid =
                                self.term_valid & !(1 << t) | ((i.cfg_wdata as u64 & 1) << t)
                        }
                        _ => {}
                    }
                }
            } else if (cls::FLOW_STAGE..cls::FLOW_STAGE + 4 * cls::flow::WORDS).contains(&a) {
                self.stage[((a - cls::FLOW_STAGE) / 4) as usize] = i.cfg_wdata;
            } else if a == cls::FLOW_CMD {
                let bank = ((i.cfg_wdata >> 16) & 1) as usize;
                let way = ((i.cfg_wdata >> 17) & 1) as usize;
                let idx = (i.cfg_wdata & 0xFFFF) as usize & fb_mask;
                self.ft[bank][way][idx] = if i.cfg_wdata >> 31 == 1 {
                    FlowEntry {
                        valid: true,
                        key: self.stage[..10].try_into().unwrap(),
                        vi: self.stage[cls::flow::VI as usize] as u16,
                        filter_prio: self.stage[cls::flow::FILTER as usize],
                    }
                } else {
                    FlowEntry::default()
                };
            }
        }
    }

    fn clock(&mut self, i: &Inputs) {
        let lanes = if i.s_valid {
            (1u32 << i.s_nbytes.min(8)) - 1
        } else {
            0
        };
        assert_eq!(
            i.s_lanes, lanes,
            "the classifier's s_lanes disagrees with s_valid and s_nbytes"
        );
        let fb_mask = (1usize << self.p.flow_bank_bits) - 1;
        // The consumer sees the head only once its result is in.
        let head_ready = matches!(self.fifo.front(), Some(Some(_)));
        // (Written after the head's test: a result written this cycle is seen the next.)
        if let Some((seq, r)) = self.pending.take() {
            self.fifo[(seq - self.head_seq) as usize] = Some(r);
        }
        if let Some(seq) = self.pending_over.take() {
            self.fifo[(seq - self.head_seq) as usize] = Some((0, FILTER_NONE, 0));
        }
        let lpc = self.p.literals_per_cycle;
        let nsteps = self.p.literals / lpc;
        // Evaluation.
        if self.busy {
            let s = self.step;
            if s < nsteps {
                for k in 0..lpc {
                    let n = s * lpc + k;
                    if self.literal(n) {
                        self.litvec |= 1 << n;
                    }
                }
            }
            if s == 0 {
                self.flags = self.parse_flags();
                let (keys, ok) = self.flow_keys();
                self.keys = keys;
                self.keys_ok = [ok, ok];
                for (k, key) in keys.iter().enumerate() {
                    for bank in 0..2 {
                        self.idx[k][bank] = cls::flow_hash(key, bank) as usize & fb_mask;
                    }
                }
            } else if s == 1 || s == 2 {
                let k = s - 1;
                for bank in 0..2 {
                    for way in 0..2 {
                        self.rd[k][bank][way] = self.ft[bank][way][self.idx[k][bank]];
                    }
                }
            }
            if s == self.p.latency() - 1 {
                let mut best: Option<(u32, u32, u16)> = None; // (prio, filter, vi)
                let better =
                    |prio: u32, filter: u32, vi: u16, best: &mut Option<(u32, u32, u16)>| {
                        if best.is_none_or(|(bp, bf, _)| prio > bp || (prio == bp && filter < bf)) {
                            *best = Some((prio, filter, vi));
                        }
                    };
                let mut rule = false;
                for t in 0..self.p.terms {
                    let hit = self.tvalid_snap >> t & 1 == 1
                        && (!self.tx || self.term_vi[t] == self.ev_vi)
                        && self.litvec & self.term_pos[t] == self.term_pos[t]
                        && self.litvec & self.term_neg[t] == 0;
                    if hit {
                        rule = true;
                        better(
                            self.term_fp[t] >> 16,
                            self.term_fp[t] & 0x7FFF,
                            self.term_vi[t],
                            &mut best,
                        );
                    }
                }
                let mut flow = false;
                for k in 0..2 {
                    for bank in 0..2 {
                        for way in 0..2 {
                            let e = self.rd[k][bank][way];
                            if self.p.exact_flows
                                && self.keys_ok[k]
                                && e.valid
                                && e.key == self.keys[k]
                                && (!self.tx || e.vi == self.ev_vi)
                            {
                                flow = true;
                                better(
                                    e.filter_prio >> 16,
                                    e.filter_prio & 0x7FFF,
                                    e.vi,
                                    &mut best,
                                );
                            }
                        }
                    }
                }
                let (vi, filter) = best.map_or((0, FILTER_NONE), |(_, f, vi)| (vi, f as u16));
                if let Some(seq) = self.ev_seq.take() {
                    if self.p.sequential {
                        self.pending = Some((seq, (vi, filter, self.flags)));
                    } else {
                        self.fifo[(seq - self.head_seq) as usize] = Some((vi, filter, self.flags));
                    }
                }
                self.c_rule = self.c_rule.wrapping_add(rule as u32);
                self.c_flow = self.c_flow.wrapping_add(flow as u32);
                self.busy = false;
            }
            self.step += 1;
        }
        // Capture.
        if i.s_valid {
            if self.cap_beat < HEADER_BYTES / 8 {
                for k in 0..(i.s_nbytes as usize).min(8) {
                    self.hb[self.cap_bank][self.cap_beat * 8 + k] = (i.s_data >> (8 * k)) as u8;
                }
                self.cap_beat += 1;
            }
            if i.s_last {
                self.cap_beat = 0;
                if i.s_commit {
                    if self.busy {
                        self.c_over = self.c_over.wrapping_add(1);
                        if self.fifo.len() < RESULT_DEPTH {
                            if self.p.sequential {
                                self.fifo.push_back(None);
                                self.pending_over =
                                    Some(self.head_seq + self.fifo.len() as u64 - 1);
                            } else {
                                self.fifo.push_back(Some((0, FILTER_NONE, 0)));
                            }
                        }
                    } else {
                        self.busy = true;
                        self.step = 0;
                        self.ev_bank = self.cap_bank;
                        self.cap_bank ^= 1;
                        self.ev_len = i.s_len;
                        self.ev_vi = i.s_vi;
                        self.litvec = 0;
                        self.tvalid_snap = self.term_valid;
                        // The frame's place in the queue, kept while it is classified.
                        self.ev_seq = (self.fifo.len() < RESULT_DEPTH).then(|| {
                            self.fifo.push_back(None);
                            self.head_seq + self.fifo.len() as u64 - 1
                        });
                    }
                }
            }
        }
        // Table writes take effect after this cycle's reads, as the Verilog's do.
        self.table_write(i, fb_mask);
        if self.p.sequential {
            // A pop empties the output register; the queue's head moves into it when it is
            // ready and the register is free (as of this cycle: the consumer's pop does not
            // reach the queue in the same cycle, so results leave at most every other cycle).
            let take = self.head_was_ready && self.out.is_none();
            self.head_was_ready = head_ready;
            if i.res_pop {
                self.out = None;
            }
            if take {
                self.out = self.fifo.pop_front().flatten();
                self.head_seq += 1;
            }
        } else if i.res_pop && head_ready {
            // A pop takes the head the consumer saw: none when it was empty or not ready.
            self.fifo.pop_front();
            self.head_seq += 1;
        }
        if i.reset {
            self.head_seq += self.fifo.len() as u64;
            self.fifo.clear();
            self.out = None;
            self.ev_seq = None;
            self.pending = None;
            self.pending_over = None;
            self.head_was_ready = false;
            self.busy = false;
            self.cap_beat = 0;
            self.term_valid = 0;
            self.c_rule = 0;
            self.c_flow = 0;
            self.c_over = 0;
        }
    }
}

struct Inputs {
    reset: bool,
    s_valid: bool,
    s_data: u64,
    s_nbytes: u32,
    s_lanes: u32,
    s_last: bool,
    s_len: u32,
    s_commit: bool,
    s_vi: u16,
    cfg_write: bool,
    cfg_addr: u32,
    cfg_wdata: u32,
    res_pop: bool,
}

impl Logic for Classifier {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let i = Inputs {
                reset: self.reset.val(),
                s_valid: self.s_valid.val(),
                s_data: self.s_data.val().to_u64(),
                s_nbytes: self.s_nbytes.val().to_u32(),
                s_lanes: self.s_lanes.val().to_u32(),
                s_last: self.s_last.val(),
                s_len: self.s_len.val().to_u32(),
                s_commit: self.s_commit.val(),
                s_vi: self.s_vi.val().to_u32() as u16,
                cfg_write: self.cfg_write.val(),
                cfg_addr: self.cfg_addr.val().to_u32(),
                cfg_wdata: self.cfg_wdata.val().to_u32(),
                res_pop: self.res_pop.val(),
            };
            self._sim.clock(&i);
        }
        let m = &self._sim;
        let head = if m.p.sequential {
            m.out
        } else {
            m.fifo.front().copied().flatten()
        };
        let (vi, filter, flags) = head.unwrap_or((0, 0, 0));
        self.res_empty.next = head.is_none();
        self.res_vi.next = (vi as u64).into();
        self.res_filter.next = (filter as u64).into();
        self.res_flags.next = (flags as u64).into();
        self.busy.next = m.busy;
        self.cnt_rule_hits.next = ((m.c_rule & m.cmask) as u64).into();
        self.cnt_flow_hits.next = ((m.c_flow & m.cmask) as u64).into();
        self.cnt_overrun.next = ((m.c_over & m.cmask) as u64).into();
    }

    fn connect(&mut self) {
        self.res_empty.connect();
        self.res_vi.connect();
        self.res_filter.connect();
        self.res_flags.connect();
        self.busy.connect();
        self.cnt_rule_hits.connect();
        self.cnt_flow_hits.connect();
        self.cnt_overrun.connect();
    }

    fn hdl(&self) -> Verilog {
        let v = verilog(self._params, self._tx);
        let decl = "reg [31:0] c_rule, c_flow, c_over;";
        assert!(v.contains(decl));
        Verilog::Custom(v.replace(
            decl,
            &format!("reg [{}:0] c_rule, c_flow, c_over;", self._cbits - 1),
        ))
    }
}

fn verilog(p: ClassifierParams, tx: bool) -> String {
    if p.sequential {
        return crate::classifier_seq::verilog(p, tx, RESULT_DEPTH);
    }
    // A transmit checker counts only the sender's own terms and flows.
    let (t_own, f_own) = if tx {
        (" && (term_vi[t] == ev_vi)", " && (e[335:320] == ev_vi)")
    } else {
        ("", "")
    };
    let nl = p.literals;
    let nt = p.terms;
    let fb = 1usize << p.flow_bank_bits;
    let lpc = p.literals_per_cycle;
    let nsteps = nl / lpc;
    let decide = p.latency() - 1;
    let rd = RESULT_DEPTH;
    let rb = RESULT_DEPTH.trailing_zeros();
    let hb = HEADER_BYTES;
    let [seed0, seed1] = cls::FLOW_HASH_SEED;
    let (lit_base, term_base, stage, cmd) = (
        cls::LIT_BASE,
        cls::TERM_BASE,
        cls::FLOW_STAGE,
        cls::FLOW_CMD,
    );
    let stage_end = cls::FLOW_STAGE + 4 * cls::flow::WORDS;
    let (vi_w, filt_w) = (cls::flow::VI, cls::flow::FILTER);
    let (osh, ssh, bsh, dsh, ksh) = (
        cls::lit::OFFSET_SHIFT,
        cls::lit::SIZE_SHIFT,
        cls::lit::BASE_SHIFT,
        cls::lit::DEPTH_SHIFT,
        cls::lit::KIND_SHIFT,
    );
    let (k_oob, k_len, b_pay) = (
        cls::lit::KIND_OOB,
        cls::lit::KIND_LEN,
        cls::lit::BASE_IPV4_PAYLOAD,
    );
    let fnone = FILTER_NONE;
    let fbm = fb - 1;
    let lb = (nl as u32).next_power_of_two().trailing_zeros().max(1);
    let tb = (nt as u32).next_power_of_two().trailing_zeros().max(1);
    format!(
        r#"
// State: header banks, tables, evaluation, result queue.
reg [7:0] hb [0:{hb2}];
reg cap_bank;
reg [4:0] cap_beat;
reg busy_r;
reg [7:0] step;
reg ev_bank;
reg [15:0] ev_len;
reg [15:0] ev_vi;
reg [127:0] litvec;
reg [63:0] tvalid_snap;
reg [31:0] lit_field [0:{nl1}];
reg [31:0] lit_value [0:{nl1}];
reg [31:0] lit_mask [0:{nl1}];
reg [127:0] term_pos [0:{nt1}];
reg [127:0] term_neg [0:{nt1}];
reg [31:0] term_fp [0:{nt1}];
reg [15:0] term_vi [0:{nt1}];
reg [63:0] term_valid;
reg [31:0] stage [0:11];
reg [368:0] ft00 [0:{fb1}];
reg [368:0] ft01 [0:{fb1}];
reg [368:0] ft10 [0:{fb1}];
reg [368:0] ft11 [0:{fb1}];
reg [319:0] key5, key3;
reg keys_ok;
reg [3:0] flags_r;
reg [31:0] idx5_0, idx5_1, idx3_0, idx3_1;
reg [368:0] rd5_00, rd5_01, rd5_10, rd5_11, rd3_00, rd3_01, rd3_10, rd3_11;
reg [35:0] fifo [0:{rd1}];
reg [{rd1}:0] ready;
reg [{rb}:0] ev_slot;
reg ev_has_slot;
reg [{rb}:0] f_head, f_tail;
reg [31:0] c_rule, c_flow, c_over;

// Combinational: this step's literals, the frame's flow keys, the decision.
integer k, t, b, n;
reg [{lpc1}:0] hits;
reg [15:0] addr, l3, l4;
reg [31:0] f, w, v, h;
reg [7:0] b8;
reg oob;
reg [15:0] etype;
reg [3:0] pflags;
reg [15:0] pl3, pneed, pet, pfrag;
reg [7:0] pv, pnh;
reg [7:0] proto;
reg k_ok;
reg [319:0] k5, k3;
reg [31:0] be [0:9];
reg have, rule, flow;
reg [31:0] best_p, best_f;
reg [15:0] best_vi;
reg [368:0] e;
reg [319:0] ek;
reg [{rb}:0] fcount;
reg [{lb1}:0] cfg_lit;
reg [{tb1}:0] cfg_term;
reg [319:0] stage_key;
reg [368:0] flow_entry;

function [7:0] byt;
    input [15:0] a;
    begin
        byt = (a < {hb}) ? hb[{{ev_bank, a[6:0]}}] : 8'd0;
    end
endfunction

function [31:0] mix;
    input [319:0] key;
    input [31:0] seed;
    integer j;
    reg [31:0] x;
    begin
        x = seed;
        for (j = 0; j < 10; j = j + 1) begin
            x = x + key[j*32 +: 32];
            x = x + (x << 10);
            x = x ^ (x >> 6);
        end
        x = x + (x << 3);
        x = x ^ (x >> 11);
        mix = x + (x << 15);
    end
endfunction

always @(*) begin
    // Defaults: every temporary is assigned on every path (no latches); the work below runs
    // only in the cycles that use it, which keeps an idle classifier cheap to simulate.
    hits = 0; f = 0; w = 0; v = 0; h = 0; b8 = 0; addr = 0; l3 = 0; l4 = 0; oob = 0; n = 0;
    k = 0; t = 0; etype = 0; proto = 0; k_ok = 0; k5 = 0; k3 = 0; e = 0; ek = 0;
    pflags = 0; pl3 = 0; pneed = 0; pet = 0; pfrag = 0; pv = 0; pnh = 0;
    have = 0; rule = 0; flow = 0; best_p = 0; best_f = 0; best_vi = 0;
    for (b = 0; b < 10; b = b + 1) be[b] = 0;
    // Literals of this step.
    if (busy_r && step < {nsteps}) begin
    for (k = 0; k < {lpc}; k = k + 1) begin
        n = step * {lpc} + k;
        f = (n < {nl}) ? lit_field[n] : 32'd0;
        l3 = 16'd14 + {{12'd0, f[{dsh}+1:{dsh}], 2'b00}};
        b8 = byt(l3);
        if (f[{bsh}+1:{bsh}] == {b_pay}) addr = l3 + {{10'd0, b8[3:0], 2'b00}} + {{8'd0, f[{osh}+7:{osh}]}};
        else addr = {{8'd0, f[{osh}+7:{osh}]}};
        w = {{byt(addr), byt(addr + 16'd1), byt(addr + 16'd2), byt(addr + 16'd3)}};
        v = (f[{ssh}+2:{ssh}] == 3'd1) ? (w >> 24) : (f[{ssh}+2:{ssh}] == 3'd2) ? (w >> 16) : w;
        oob = ({{16'd0, addr}} + {{29'd0, f[{ssh}+2:{ssh}]}} > {{16'd0, ev_len}}) || ({{16'd0, addr}} + {{29'd0, f[{ssh}+2:{ssh}]}} > {hb});
        if (f[{ksh}+1:{ksh}] == {k_oob}) hits[k] = oob;
        else if (f[{ksh}+1:{ksh}] == {k_len}) hits[k] = (({{16'd0, ev_len}} & lit_mask[n]) == lit_value[n]);
        else hits[k] = !oob && ((v & lit_mask[n]) == lit_value[n]);
    end
    end
    // The frame's 5-tuple and 3-tuple, and the parser's flags (used at step 0).
    if (busy_r && step == 0) begin
    etype = {{byt(12), byt(13)}};
    if (etype == 16'h0800) begin
        b8 = byt(14);
        l4 = 16'd14 + {{10'd0, b8[3:0], 2'b00}};
        k_ok = ((({{byt(20), byt(21)}}) & 16'h1fff) == 0);
        be[0] = {{byt(26), byt(27), byt(28), byt(29)}};
        be[4] = {{byt(30), byt(31), byt(32), byt(33)}};
        proto = byt(23);
    end else begin
        l4 = 54;
        k_ok = (etype == 16'h86dd);
        be[0] = {{byt(22), byt(23), byt(24), byt(25)}};
        be[1] = {{byt(26), byt(27), byt(28), byt(29)}};
        be[2] = {{byt(30), byt(31), byt(32), byt(33)}};
        be[3] = {{byt(34), byt(35), byt(36), byt(37)}};
        be[4] = {{byt(38), byt(39), byt(40), byt(41)}};
        be[5] = {{byt(42), byt(43), byt(44), byt(45)}};
        be[6] = {{byt(46), byt(47), byt(48), byt(49)}};
        be[7] = {{byt(50), byt(51), byt(52), byt(53)}};
        proto = byt(20);
    end
    k_ok = k_ok && (l4 + 16'd4 <= ev_len) && (l4 + 16'd4 <= 16'd{hb});
    if (l4 + 16'd4 > 16'd{hb}) l4 = 16'd{hb} - 16'd4;
    h = {{byt(l4), byt(l4 + 16'd1), byt(l4 + 16'd2), byt(l4 + 16'd3)}};
    k5[31:0] = {{22'd0, (etype != 16'h0800), 1'b1, proto}};
    k3[31:0] = {{22'd0, (etype != 16'h0800), 1'b0, proto}};
    for (n = 0; n < 8; n = n + 1) begin
        k5[(n+1)*32 +: 32] = be[n];
        k3[(n+1)*32 +: 32] = (n < 4) ? 32'd0 : be[n];
    end
    k5[319:288] = h;
    k3[319:288] = {{16'd0, h[15:0]}};
    // The header parser's flags.
    pflags = 0;
    pl3 = 14;
    if ({{byt(12), byt(13)}} == 16'h8100 || {{byt(12), byt(13)}} == 16'h88a8 || {{byt(12), byt(13)}} == 16'h9100) begin
        pl3 = 18;
        if ({{byt(16), byt(17)}} == 16'h8100 || {{byt(16), byt(17)}} == 16'h88a8 || {{byt(16), byt(17)}} == 16'h9100) pl3 = 22;
    end
    pet = {{byt(pl3 - 16'd2), byt(pl3 - 16'd1)}};
    pneed = 0;
    if (pet == 16'h0800) begin
        pv = byt(pl3);
        if (pv[7:4] != 4 || pv[3:0] < 5) pflags = pflags | 4'd2;
        pfrag = {{byt(pl3 + 16'd6), byt(pl3 + 16'd7)}} & 16'h1fff;
        if (pfrag != 0) pflags = pflags | 4'd8;
        pnh = byt(pl3 + 16'd9);
        pneed = pl3 + {{10'd0, pv[3:0], 2'b00}} + ((pfrag == 0 && (pnh == 6 || pnh == 17 || pnh == 132)) ? 16'd4 : 16'd0);
    end else if (pet == 16'h86dd) begin
        pv = byt(pl3);
        if (pv[7:4] != 6) pflags = pflags | 4'd2;
        pnh = byt(pl3 + 16'd6);
        if (pnh == 0 || pnh == 43 || pnh == 44 || pnh == 50 || pnh == 51 || pnh == 60 || pnh == 135) pflags = pflags | 4'd4;
        pneed = pl3 + 16'd40 + ((pnh == 6 || pnh == 17 || pnh == 132) ? 16'd4 : 16'd0);
    end else if (pet == 16'h0806) begin
        pneed = pl3 + 16'd28;
    end
    if (pneed > ev_len) pflags = pflags | 4'd1;
    end
    // The decision, from the registered evaluation.
    if (busy_r && step == {decide}) begin
    for (t = 0; t < {nt}; t = t + 1) begin
        if (tvalid_snap[t] && ((litvec & term_pos[t]) == term_pos[t]) && ((litvec & term_neg[t]) == 0){t_own}) begin
            rule = 1;
            if (!have || ({{16'd0, term_fp[t][31:16]}} > best_p) || ({{16'd0, term_fp[t][31:16]}} == best_p && {{17'd0, term_fp[t][14:0]}} < best_f)) begin
                have = 1; best_p = {{16'd0, term_fp[t][31:16]}}; best_f = {{17'd0, term_fp[t][14:0]}}; best_vi = term_vi[t];
            end
        end
    end
    for (b = 0; b < 8; b = b + 1) begin
        case (b)
            0: begin e = rd5_00; ek = key5; end
            1: begin e = rd5_01; ek = key5; end
            2: begin e = rd5_10; ek = key5; end
            3: begin e = rd5_11; ek = key5; end
            4: begin e = rd3_00; ek = key3; end
            5: begin e = rd3_01; ek = key3; end
            6: begin e = rd3_10; ek = key3; end
            default: begin e = rd3_11; ek = key3; end
        endcase
        if (keys_ok && e[368] && e[319:0] == ek{f_own}) begin
            flow = 1;
            if (!have || ({{16'd0, e[367:352]}} > best_p) || ({{16'd0, e[367:352]}} == best_p && {{17'd0, e[350:336]}} < best_f)) begin
                have = 1; best_p = {{16'd0, e[367:352]}}; best_f = {{17'd0, e[350:336]}}; best_vi = e[335:320];
            end
        end
    end
    end
    fcount = f_tail - f_head;
    cfg_lit = cfg_addr[{lb1}+4:4];
    cfg_term = cfg_addr[{tb1}+6:6];
    for (n = 0; n < 10; n = n + 1) stage_key[n*32 +: 32] = stage[n];
    flow_entry = {{1'b1, stage[{filt_w}], stage[{vi_w}][15:0], stage_key}};
    // Outputs.
    res_empty = (f_head == f_tail) || !ready[f_head[{rb1}:0]];
    res_vi = res_empty ? 16'd0 : fifo[f_head[{rb1}:0]][15:0];
    res_filter = res_empty ? 16'd0 : fifo[f_head[{rb1}:0]][31:16];
    res_flags = res_empty ? 4'd0 : fifo[f_head[{rb1}:0]][35:32];
    busy = busy_r;
    cnt_rule_hits = c_rule;
    cnt_flow_hits = c_flow;
    cnt_overrun = c_over;
end

integer i;
initial begin
    cap_bank = 0; cap_beat = 0; busy_r = 0; step = 0; ev_bank = 0; ev_len = 0; ev_vi = 0; litvec = 0;
    tvalid_snap = 0; term_valid = 0; f_head = 0; f_tail = 0; c_rule = 0; c_flow = 0; c_over = 0;
    keys_ok = 0; flags_r = 0; key5 = 0; key3 = 0;
    rd5_00 = 0; rd5_01 = 0; rd5_10 = 0; rd5_11 = 0; rd3_00 = 0; rd3_01 = 0; rd3_10 = 0; rd3_11 = 0;
    idx5_0 = 0; idx5_1 = 0; idx3_0 = 0; idx3_1 = 0;
    for (i = 0; i < {hb2p1}; i = i + 1) hb[i] = 0;
    for (i = 0; i < {nl}; i = i + 1) begin lit_field[i] = 0; lit_value[i] = 0; lit_mask[i] = 0; end
    for (i = 0; i < {nt}; i = i + 1) begin term_pos[i] = 0; term_neg[i] = 0; term_fp[i] = 0; term_vi[i] = 0; end
    for (i = 0; i < 12; i = i + 1) stage[i] = 0;
    for (i = 0; i < {rd}; i = i + 1) fifo[i] = 0;
    ready = 0; ev_slot = 0; ev_has_slot = 0;
    for (i = 0; i < {fb}; i = i + 1) begin ft00[i] = 0; ft01[i] = 0; ft10[i] = 0; ft11[i] = 0; end
end

// Table writes.
always @(posedge clock) begin
    if (cfg_write) begin
        if (cfg_addr >= {lit_base} && cfg_addr < {lit_base} + 16 * {nl}) begin
            if (cfg_addr[3:2] == 2'd0) lit_field[cfg_lit] <= cfg_wdata;
            if (cfg_addr[3:2] == 2'd1) lit_value[cfg_lit] <= cfg_wdata;
            if (cfg_addr[3:2] == 2'd2) lit_mask[cfg_lit] <= cfg_wdata;
        end
        if (cfg_addr >= {term_base} && cfg_addr < {term_base} + 64 * {nt}) begin
            case (cfg_addr[5:2])
                4'd0: term_pos[cfg_term][31:0] <= cfg_wdata;
                4'd1: term_pos[cfg_term][63:32] <= cfg_wdata;
                4'd2: term_pos[cfg_term][95:64] <= cfg_wdata;
                4'd3: term_pos[cfg_term][127:96] <= cfg_wdata;
                4'd4: term_neg[cfg_term][31:0] <= cfg_wdata;
                4'd5: term_neg[cfg_term][63:32] <= cfg_wdata;
                4'd6: term_neg[cfg_term][95:64] <= cfg_wdata;
                4'd7: term_neg[cfg_term][127:96] <= cfg_wdata;
                4'd8: term_fp[cfg_term] <= cfg_wdata;
                4'd9: term_vi[cfg_term] <= cfg_wdata[15:0];
                default: ;
            endcase
        end
        if (cfg_addr >= {stage} && cfg_addr < {stage_end}) stage[cfg_addr[5:2]] <= cfg_wdata;
        if (cfg_addr == {cmd}) begin
            case (cfg_wdata[17:16])
                2'd0: ft00[cfg_wdata[15:0] & {fbm}] <= cfg_wdata[31] ? flow_entry : 369'd0;
                2'd2: ft01[cfg_wdata[15:0] & {fbm}] <= cfg_wdata[31] ? flow_entry : 369'd0;
                2'd1: ft10[cfg_wdata[15:0] & {fbm}] <= cfg_wdata[31] ? flow_entry : 369'd0;
                default: ft11[cfg_wdata[15:0] & {fbm}] <= cfg_wdata[31] ? flow_entry : 369'd0;
            endcase
        end
    end
end

// Term valid bits: written by the device manager, cleared by reset.
always @(posedge clock) begin
    if (reset) term_valid <= 0;
    else if (cfg_write && cfg_addr >= {term_base} && cfg_addr < {term_base} + 64 * {nt} && cfg_addr[5:2] == 4'd10)
        term_valid[cfg_term] <= cfg_wdata[0];
end

// Flow-table reads (registered, for block RAM).
always @(posedge clock) begin
    if (busy_r && step == 1) begin
        rd5_00 <= ft00[idx5_0 & {fbm}];
        rd5_01 <= ft01[idx5_0 & {fbm}];
        rd5_10 <= ft10[idx5_1 & {fbm}];
        rd5_11 <= ft11[idx5_1 & {fbm}];
    end
    if (busy_r && step == 2) begin
        rd3_00 <= ft00[idx3_0 & {fbm}];
        rd3_01 <= ft01[idx3_0 & {fbm}];
        rd3_10 <= ft10[idx3_1 & {fbm}];
        rd3_11 <= ft11[idx3_1 & {fbm}];
    end
end

// Header capture.
reg [31:0] kb;
always @(posedge clock) begin
    if (s_valid && cap_beat < {beats}) begin
        for (kb = 0; kb < 8; kb = kb + 1)
            if (kb < {{28'd0, s_nbytes}}) hb[{{cap_bank, cap_beat[3:0], kb[2:0]}}] <= s_data[kb*8 +: 8];
    end
end

// Evaluation and results.
always @(posedge clock) begin
    if (busy_r) begin
        if (step < {nsteps}) litvec[step * {lpc} +: {lpc}] <= hits;
        if (step == 0) begin
            key5 <= k5;
            key3 <= k3;
            keys_ok <= k_ok;
            flags_r <= pflags;
            idx5_0 <= mix(k5, 32'h{seed0:08x});
            idx5_1 <= mix(k5, 32'h{seed1:08x});
            idx3_0 <= mix(k3, 32'h{seed0:08x});
            idx3_1 <= mix(k3, 32'h{seed1:08x});
        end
        if (step == {decide}) begin
            if (ev_has_slot) begin
                fifo[ev_slot[{rb1}:0]] <= have ? {{flags_r, 1'b0, best_f[14:0], best_vi}} : {{flags_r, 16'd{fnone}, 16'd0}};
                ready[ev_slot[{rb1}:0]] <= 1'b1;
            end
            if (rule) c_rule <= c_rule + 1;
            if (flow) c_flow <= c_flow + 1;
            busy_r <= 0;
        end
        step <= step + 1;
    end
    if (s_valid) begin
        if (cap_beat < {beats}) cap_beat <= cap_beat + 1;
        if (s_last) begin
            cap_beat <= 0;
            if (s_commit) begin
                if (busy_r && step != {decide}) begin
                    c_over <= c_over + 1;
                    if (fcount < {rd}) begin
                        fifo[f_tail[{rb1}:0]] <= {{4'd0, 16'd{fnone}, 16'd0}};
                        ready[f_tail[{rb1}:0]] <= 1'b1;
                        f_tail <= f_tail + 1;
                    end
                end else begin
                    busy_r <= 1;
                    step <= 0;
                    ev_bank <= cap_bank;
                    cap_bank <= ~cap_bank;
                    ev_len <= s_len;
                    ev_vi <= s_vi;
                    litvec <= 0;
                    tvalid_snap <= term_valid;
                    // The frame's place in the queue, kept while it is classified.
                    ev_has_slot <= (fcount < {rd});
                    ev_slot <= f_tail;
                    if (fcount < {rd}) begin
                        ready[f_tail[{rb1}:0]] <= 1'b0;
                        f_tail <= f_tail + 1;
                    end
                end
            end
        end
    end
    if (res_pop && !res_empty) f_head <= f_head + 1;
    if (reset) begin
        f_head <= 0; f_tail <= 0; busy_r <= 0; cap_beat <= 0; ev_has_slot <= 0; ready <= 0;
        c_rule <= 0; c_flow <= 0; c_over <= 0;
    end
end
"#,
        hb2 = 2 * hb - 1,
        t_own = t_own,
        f_own = f_own,
        hb2p1 = 2 * hb,
        nl1 = nl - 1,
        nt1 = nt - 1,
        fb1 = fb - 1,
        rd1 = rd - 1,
        rb1 = rb - 1,
        lpc1 = lpc - 1,
        lb1 = lb - 1,
        tb1 = tb - 1,
        beats = hb / 8,
    )
}
