//! The classifier's tables as the device manager writes them, and the flow hash.
//!
//! The tables sit in their own MMIO window, write-only (the device manager keeps the copy it
//! reads): literals, terms and the exact-flow table.
//!
//! **Literal** `i` (words at `LIT_BASE + 16 * i`): word 0 is the field ([`lit`]), word 1 the
//! value, word 2 the mask. Each word takes effect when written: write a literal only while no
//! valid term uses it.
//!
//! **Term** `t` (words at `TERM_BASE + 64 * t`): words 0..=3 the literals that must hold
//! (bit `i` of word `i / 32`), words 4..=7 those that must not, word 8 the filter id (bits
//! 14..0) and priority (bits 31..16), word 9 the VI, word 10 valid (bit 0). The valid bits
//! are sampled when a frame's classification starts, the other words read when it ends: write
//! a term only while it is invalid, word 10 last.
//!
//! **Exact flows**: two banks, each hashed by its own function, each with two ways: a key may
//! sit in four slots. The key goes into the staging words at `FLOW_STAGE` ([`flow`]), then a
//! write of [`FLOW_CMD`] stores (or clears) the staged entry at a bank, way and index in one
//! cycle.

use crate::params::build_size;

/// `ARSENIC_BOARD_FLOW_BITS` of the build: 0, no exact-flow table on the board.
const BOARD_FLOW_BITS: usize = build_size(option_env!("ARSENIC_BOARD_FLOW_BITS"), 0);

/// Start of the classifier's MMIO window.
pub const WINDOW: u32 = 0x1_0000;
/// Size of the window.
pub const WINDOW_SIZE: u32 = 0x1_0000;
/// Literal entries.
pub const LIT_BASE: u32 = 0x1_0000;
/// Term entries.
pub const TERM_BASE: u32 = 0x1_4000;
/// Staging words of an exact-flow entry.
pub const FLOW_STAGE: u32 = 0x1_8000;
/// Exact-flow command: bit 31 write (1) or clear (0), bit 17 way, bit 16 bank, bits 15..0
/// index.
pub const FLOW_CMD: u32 = 0x1_8100;

/// Word 0 of a literal.
pub mod lit {
    /// Offset of the window in octets, bits 7..0.
    pub const OFFSET_SHIFT: u32 = 0;
    /// Size in octets (1, 2 or 4), bits 10..8.
    pub const SIZE_SHIFT: u32 = 8;
    /// Base: 0 the frame, 1 the IPv4 payload, bits 13..12.
    pub const BASE_SHIFT: u32 = 12;
    /// VLAN depth of an IPv4-payload base, bits 17..16.
    pub const DEPTH_SHIFT: u32 = 16;
    /// Kind: 0 window match, 1 window past the end, 2 frame length match; bits 21..20.
    pub const KIND_SHIFT: u32 = 20;
    pub const KIND_MATCH: u32 = 0;
    pub const KIND_OOB: u32 = 1;
    pub const KIND_LEN: u32 = 2;
    pub const BASE_FRAME: u32 = 0;
    pub const BASE_IPV4_PAYLOAD: u32 = 1;
}

/// The staging words of an exact-flow entry, in order from [`FLOW_STAGE`].
pub mod flow {
    /// Key words 0..=9 (see [`super::FlowWords`]).
    pub const KEY: u32 = 0;
    /// The VI, word 10.
    pub const VI: u32 = 10;
    /// Filter id (bits 14..0) and priority (bits 31..16), word 11.
    pub const FILTER: u32 = 11;
    /// Words of staging.
    pub const WORDS: u32 = 12;
}

/// Sizes of the classifier's tables in a build of the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassifierParams {
    /// Literal entries (at most 128, a multiple of `literals_per_cycle`; a power of two in
    /// the sequential build).
    pub literals: usize,
    /// Term entries (at most 64; a power of two in the sequential build).
    pub terms: usize,
    /// log2 of the buckets per bank of the exact-flow table (two banks of two-way buckets).
    pub flow_bank_bits: usize,
    /// Literals evaluated per cycle (divides `literals`).
    pub literals_per_cycle: usize,
    /// The sequential build for small FPGAs: the header in distributed RAM read one 4-octet
    /// window a cycle, tables in RAM, one literal and one term a cycle, flow keys hashed and
    /// compared a word at a time. Same tables, same MMIO layout, same results; a longer
    /// [`latency`](Self::latency). `literals_per_cycle` must be 1.
    pub sequential: bool,
    /// The exact-flow table is built. Without it (a transmit checker on a small FPGA), every
    /// filter goes into the masked rules, exact 5-tuples included, and the flow table's
    /// registers are ignored. Only the sequential build can leave it out.
    pub exact_flows: bool,
}

impl ClassifierParams {
    /// The simulation configuration: 128 literals (32 a cycle: a result every 5 cycles, as
    /// 64-byte frames at 10 GbE need), 64 terms, 2 banks x 2048 buckets x 2 ways of flows.
    pub const SIM: ClassifierParams = ClassifierParams {
        literals: 128,
        terms: 64,
        flow_bank_bits: 11,
        literals_per_cycle: 32,
        sequential: false,
        exact_flows: true,
    };
    /// A small configuration (32 literals, 4 a cycle; 16 terms; 2 x 128 x 2 flows), the size a
    /// 1 GbE board build can afford; the synthesis check builds the card with it.
    pub const SMALL: ClassifierParams = ClassifierParams {
        literals: 32,
        terms: 16,
        flow_bank_bits: 7,
        literals_per_cycle: 4,
        sequential: false,
        exact_flows: true,
    };
    /// The transmit filters of the simulation configuration: 128 literals (32 a cycle), 64
    /// terms (one VI's source address and port each), 2 x 64 x 2 flows.
    pub const TX_SIM: ClassifierParams = ClassifierParams {
        literals: 128,
        terms: 64,
        flow_bank_bits: 6,
        literals_per_cycle: 32,
        sequential: false,
        exact_flows: true,
    };
    /// The transmit filters of a small card: 16 literals (2 a cycle), 8 terms, 2 x 2 x 2
    /// flows: a source address, port and protocol for a handful of VIs.
    pub const TX_SMALL: ClassifierParams = ClassifierParams {
        literals: 16,
        terms: 8,
        flow_bank_bits: 1,
        literals_per_cycle: 2,
        sequential: false,
        exact_flows: true,
    };
    /// The receive classifier of the board build (sequential): 32 literals, 16 terms, no
    /// exact-flow table (an exact flow takes a term, `filters::compile_for`). Decided 72
    /// cycles after the commit, inside the 84 cycles of a minimum frame at 1 GbE (`latency`).
    /// The flow table would cost the LFE5U-25F about 2,350 of its 24,288 logic cells
    /// (docs/BOARD.md).
    /// `ARSENIC_BOARD_LITERALS`, `ARSENIC_BOARD_TERMS` (powers of two) and
    /// `ARSENIC_BOARD_FLOW_BITS` (0: no flow table; n: 2 x 2^n x 2 flows) resize it at build
    /// time (`params::build_size`); the result must still come inside a minimum frame.
    pub const BOARD: ClassifierParams = ClassifierParams {
        literals: build_size(option_env!("ARSENIC_BOARD_LITERALS"), 32),
        terms: build_size(option_env!("ARSENIC_BOARD_TERMS"), 16),
        flow_bank_bits: match BOARD_FLOW_BITS {
            0 => 6,
            n => n,
        },
        literals_per_cycle: 1,
        sequential: true,
        exact_flows: BOARD_FLOW_BITS != 0,
    };
    /// The sequential build with its exact-flow table (32 literals, 16 terms, 2 x 64 x 2
    /// flows), for a device larger than the LFE5U-25F; the tests check the sequential flow
    /// table with it.
    pub const SEQ_FLOWS: ClassifierParams = ClassifierParams {
        literals: 32,
        terms: 16,
        flow_bank_bits: 6,
        literals_per_cycle: 1,
        sequential: true,
        exact_flows: true,
    };
    /// The transmit filters of the board build (sequential): 16 literals, 8 terms, no
    /// exact-flow table (a VI's source address, protocol and port take a term and a few
    /// shared literals; the flow table would cost the LFE5U-25F 2,400 LUTs and 8 block RAMs).
    pub const TX_BOARD: ClassifierParams = ClassifierParams {
        literals: 16,
        terms: 8,
        flow_bank_bits: 4,
        literals_per_cycle: 1,
        sequential: true,
        exact_flows: false,
    };
    /// Step of the sequential build at which the flow lookups are done: the header windows
    /// (steps 0..=14), the 5-tuple hashed (13..=34) then the 3-tuple (37..=58), each key's
    /// slots read a 64-bit word at a time (36..=41, 59..=64), compared two steps later
    /// (the block RAM's output registered once more for the board's clock) and ranked
    /// (44..=47, 67..=70).
    pub const SEQ_FLOWS_DONE: usize = 71;
    /// Cycles from a frame's commit to its decision, when the classifier can take the next
    /// frame's commit (so a minimum frame's cycles bound it). The sequential build shows the
    /// result in its output register a cycle later; the board's card adds a cycle in front
    /// (its classifier input is registered).
    pub const fn latency(&self) -> usize {
        if self.sequential {
            // Literal n is read at step 14 + n and decided at 18 + n; term t is matched at
            // 18 + literals + t and ranked a step later; the result at the later of the
            // terms and the flows.
            let terms_done = 19 + self.literals + self.terms;
            let decide = if terms_done > Self::SEQ_FLOWS_DONE {
                terms_done
            } else {
                Self::SEQ_FLOWS_DONE
            };
            return decide + 1;
        }
        let steps = self.literals / self.literals_per_cycle;
        if steps > 3 {
            steps + 1
        } else {
            4
        }
    }
    /// Flow-table slots (none without the exact-flow table).
    pub const fn flows(&self) -> usize {
        if self.exact_flows {
            4 << self.flow_bank_bits
        } else {
            0
        }
    }
}

// A board build's receive classifier (`ARSENIC_BOARD_*`) must fit the sequential build and
// decide within a minimum frame at 1 GbE (84 cycles), or frames would be dropped unclassified.
const _: () = {
    let p = ClassifierParams::BOARD;
    assert!(
        p.literals >= 2 && p.literals <= 128 && p.literals.is_power_of_two(),
        "ARSENIC_BOARD_LITERALS must be a power of two, 2..=128"
    );
    assert!(
        p.terms >= 2 && p.terms <= 64 && p.terms.is_power_of_two(),
        "ARSENIC_BOARD_TERMS must be a power of two, 2..=64"
    );
    assert!(
        p.flow_bank_bits <= 12,
        "ARSENIC_BOARD_FLOW_BITS must be 0..=12"
    );
    assert!(
        p.latency() <= 84,
        "the board's receive classifier must decide within 84 cycles: fewer literals or terms"
    );
};

/// Octets of each frame the classifier keeps to read windows from.
pub const HEADER_BYTES: usize = 128;

/// The ten 32-bit words of an exact-flow key: word 0 is family (bit 9: IPv6), has-source
/// (bit 8) and protocol (bits 7..0); words 1..=4 the source address, 5..=8 the destination
/// (IPv4 in the first word of each, the rest zero); word 9 source port (31..16) and destination
/// port (15..0). A local 3-tuple has no source: words 1..=4 and the source port are zero.
pub type FlowWords = [u32; 10];

/// Seeds of the two flow hashes (one per bank).
pub const FLOW_HASH_SEED: [u32; 2] = [0x811C_9DC5, 0x2F69_3A0B];
/// The flow hash of bank `bank`: Jenkins' one-at-a-time construction over the key's
/// words (add, shift, XOR: no multiplier in the card), from a seed per bank.
pub fn flow_hash(key: &FlowWords, bank: usize) -> u32 {
    let mut h = FLOW_HASH_SEED[bank];
    for &w in key {
        h = h.wrapping_add(w);
        h = h.wrapping_add(h << 10);
        h ^= h >> 6;
    }
    h = h.wrapping_add(h << 3);
    h ^= h >> 11;
    h.wrapping_add(h << 15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_spread_sequential_flows() {
        let mut seen = std::collections::HashSet::new();
        for p in 0..2048u32 {
            let mut k: FlowWords = [0x0106, 0, 0, 0, 0, 0x0A00_0001, 0, 0, 0, 80];
            k[9] = p;
            seen.insert(flow_hash(&k, 0) & 2047);
        }
        assert!(seen.len() > 1200, "{}", seen.len());
        const { assert!(LIT_BASE + 16 * 128 <= TERM_BASE && TERM_BASE + 64 * 64 <= FLOW_STAGE) };
    }
}
