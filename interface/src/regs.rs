//! The register map: byte offsets of 32-bit registers in the card's MMIO space.
//!
//! The control page (offsets below [`CONTROL_PAGE_SIZE`]) belongs to the device manager. The
//! receive queue of the default (OS) virtual interface is configured here too until the
//! per-VI doorbell pages arrive. All registers are 32 bits wide and 4-byte aligned; 64-bit
//! quantities are split in `_LO`/`_HI` pairs (read `HI`, `LO`, `HI` and retry if `HI`
//! changed).

/// Size of the control page.
pub const CONTROL_PAGE_SIZE: u32 = 0x1000;

/// Identification, read-only: [`ID_VALUE`].
pub const ID: u32 = 0x000;
/// Layout version, read-only: [`VERSION_VALUE`].
pub const VERSION: u32 = 0x004;
/// Control bits, read/write: [`ctrl`].
pub const CTRL: u32 = 0x008;
/// Status bits, read-only: [`status`].
pub const STATUS: u32 = 0x00C;
/// Free-running cycle counter, low half.
pub const TIME_LO: u32 = 0x010;
/// Free-running cycle counter, high half.
pub const TIME_HI: u32 = 0x014;
/// Largest frame accepted, FCS included, in bytes (read/write; reset value
/// [`crate::eth::MAX_FRAME_DEFAULT`]).
pub const MAX_FRAME: u32 = 0x018;
/// Build parameters, read-only: [`params`].
pub const PARAMS: u32 = 0x01C;

/// Receive descriptor ring base address (host bus address, 8-byte aligned), low half.
pub const RXQ_BASE_LO: u32 = 0x100;
/// Receive descriptor ring base address, high half.
pub const RXQ_BASE_HI: u32 = 0x104;
/// log2 of the receive ring's entries (1..=15).
pub const RXQ_SIZE_LOG2: u32 = 0x108;
/// Bytes in every posted receive buffer (a multiple of 8).
pub const RXQ_BUF_SIZE: u32 = 0x10C;
/// Receive doorbell: the host's free-running 16-bit producer index.
pub const RXQ_PROD: u32 = 0x110;
/// The card's free-running 16-bit consumer index (descriptors used), read-only.
pub const RXQ_CONS: u32 = 0x114;
/// Event queue base address (host bus address, 16-byte aligned), low half.
pub const EVQ_BASE_LO: u32 = 0x120;
/// Event queue base address, high half.
pub const EVQ_BASE_HI: u32 = 0x124;
/// log2 of the event queue's entries (1..=15).
pub const EVQ_SIZE_LOG2: u32 = 0x128;
/// The host's free-running 16-bit count of events it has consumed; the card never writes an
/// entry the host has not consumed.
pub const EVQ_CONS: u32 = 0x12C;
/// The card's free-running 16-bit count of events written, read-only.
pub const EVQ_PROD: u32 = 0x130;

/// Value of [`ID`]: "ARSN".
pub const ID_VALUE: u32 = 0x4152_534E;
/// Value of [`VERSION`]: layout 1.0.
pub const VERSION_VALUE: u32 = 0x0001_0000;

/// Cycles a soft reset lasts: long enough to drain every queue on card. `STATUS.RX_IDLE` reads
/// 0 until it is over.
pub const RESET_CYCLES: u32 = 255;

/// Bits of [`CTRL`].
pub mod ctrl {
    /// Accept frames from the wire.
    pub const RX_ENABLE: u32 = 1 << 0;
    /// Use the 64-bit XGMII-style front end (10 GbE) instead of GMII (1 GbE).
    pub const SPEED_10G: u32 = 1 << 1;
    /// Write 1: return every counter, index and queue to its reset state (self-clearing).
    pub const SOFT_RESET: u32 = 1 << 2;
}

/// Bits of [`STATUS`].
pub mod status {
    /// Nothing is buffered or in flight on the receive path.
    pub const RX_IDLE: u32 = 1 << 0;
}

/// Fields of [`PARAMS`].
pub mod params {
    /// log2 of the receive buffer's beats, bits 7..0.
    pub const RX_BUF_BITS_SHIFT: u32 = 0;
    /// log2 of the descriptor cache's entries, bits 15..8.
    pub const DESC_CACHE_BITS_SHIFT: u32 = 8;
    /// log2 of the DMA read tags, bits 23..16.
    pub const DMA_TAG_BITS_SHIFT: u32 = 16;
}

/// Statistics counters (32 bits, wrapping, read-only), in register order from
/// [`COUNTER_BASE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Counter {
    /// Frames that began on the wire (a GMII data-valid rise or an XGMII start).
    RxFrames,
    /// Frames that passed the MAC's checks.
    RxMacOk,
    /// Dropped: frame check sequence wrong.
    DropFcs,
    /// Dropped: shorter than 64 bytes.
    DropRunt,
    /// Dropped: longer than `MAX_FRAME`.
    DropGiant,
    /// Dropped: the PHY signalled an error (GMII RX_ER, an XGMII error or stray control).
    DropPhy,
    /// Dropped: malformed preamble or start-of-frame delimiter.
    DropPreamble,
    /// Dropped: the receive buffer had no room.
    DropOverflow,
    /// Dropped: the queue had no receive buffer posted.
    DropNoDesc,
    /// Dropped: the frame is longer than the posted receive buffers.
    DropTooBig,
    /// Dropped: receive disabled, or the queue not configured.
    DropDisabled,
    /// Frames written to host memory with their event.
    RxDelivered,
    /// Bytes written to host memory, low half.
    RxDeliveredBytesLo,
    /// Bytes written to host memory, high half.
    RxDeliveredBytesHi,
    /// Frames a masked-rule term matched.
    RxRuleHits,
    /// Frames an exact flow matched.
    RxFlowHits,
    /// Frames that ended while the classifier was busy (sent to the default VI): the
    /// classifier is built to make this impossible.
    RxClassifyOverrun,
}

/// Offset of the first counter.
pub const COUNTER_BASE: u32 = 0x200;

impl Counter {
    /// Every counter, in register order.
    pub const ALL: [Counter; 17] = [
        Counter::RxFrames,
        Counter::RxMacOk,
        Counter::DropFcs,
        Counter::DropRunt,
        Counter::DropGiant,
        Counter::DropPhy,
        Counter::DropPreamble,
        Counter::DropOverflow,
        Counter::DropNoDesc,
        Counter::DropTooBig,
        Counter::DropDisabled,
        Counter::RxDelivered,
        Counter::RxDeliveredBytesLo,
        Counter::RxDeliveredBytesHi,
        Counter::RxRuleHits,
        Counter::RxFlowHits,
        Counter::RxClassifyOverrun,
    ];

    /// The counters that count dropped frames, one per reason.
    pub const DROPS: [Counter; 9] = [
        Counter::DropFcs,
        Counter::DropRunt,
        Counter::DropGiant,
        Counter::DropPhy,
        Counter::DropPreamble,
        Counter::DropOverflow,
        Counter::DropNoDesc,
        Counter::DropTooBig,
        Counter::DropDisabled,
    ];

    /// The counter's register offset.
    pub const fn offset(self) -> u32 {
        COUNTER_BASE + 4 * self as u32
    }

    /// A short name for summaries.
    pub const fn name(self) -> &'static str {
        match self {
            Counter::RxFrames => "rx_frames",
            Counter::RxMacOk => "rx_mac_ok",
            Counter::DropFcs => "fcs",
            Counter::DropRunt => "runt",
            Counter::DropGiant => "giant",
            Counter::DropPhy => "phy_error",
            Counter::DropPreamble => "preamble",
            Counter::DropOverflow => "rx_buffer_full",
            Counter::DropNoDesc => "no_buffer_posted",
            Counter::DropTooBig => "larger_than_buffer",
            Counter::DropDisabled => "rx_disabled",
            Counter::RxDelivered => "delivered",
            Counter::RxDeliveredBytesLo => "delivered_bytes_lo",
            Counter::RxDeliveredBytesHi => "delivered_bytes_hi",
            Counter::RxRuleHits => "rule_hits",
            Counter::RxFlowHits => "flow_hits",
            Counter::RxClassifyOverrun => "classify_overrun",
        }
    }
}

/// The named registers: offset, name, access, meaning.
pub const MAP: &[(u32, &str, &str, &str)] = &[
    (ID, "ID", "ro", "identification, \"ARSN\""),
    (VERSION, "VERSION", "ro", "layout version"),
    (
        CTRL,
        "CTRL",
        "rw",
        "bit 0 RX_ENABLE, bit 1 SPEED_10G, bit 2 SOFT_RESET (self-clearing)",
    ),
    (
        STATUS,
        "STATUS",
        "ro",
        "bit 0 RX_IDLE (0 during a soft reset)",
    ),
    (
        TIME_LO,
        "TIME_LO",
        "ro",
        "free-running cycle counter, low half",
    ),
    (
        TIME_HI,
        "TIME_HI",
        "ro",
        "free-running cycle counter, high half",
    ),
    (
        MAX_FRAME,
        "MAX_FRAME",
        "rw",
        "largest frame accepted, FCS included",
    ),
    (
        PARAMS,
        "PARAMS",
        "ro",
        "log2 RX buffer beats [7:0], log2 descriptor cache [15:8], log2 DMA tags [23:16]",
    ),
    (
        RXQ_BASE_LO,
        "RXQ_BASE_LO",
        "rw",
        "receive ring base address, low half",
    ),
    (
        RXQ_BASE_HI,
        "RXQ_BASE_HI",
        "rw",
        "receive ring base address, high half",
    ),
    (
        RXQ_SIZE_LOG2,
        "RXQ_SIZE_LOG2",
        "rw",
        "log2 receive ring entries",
    ),
    (
        RXQ_BUF_SIZE,
        "RXQ_BUF_SIZE",
        "rw",
        "bytes per receive buffer",
    ),
    (
        RXQ_PROD,
        "RXQ_PROD",
        "rw",
        "doorbell: host's 16-bit producer index",
    ),
    (RXQ_CONS, "RXQ_CONS", "ro", "card's 16-bit consumer index"),
    (
        EVQ_BASE_LO,
        "EVQ_BASE_LO",
        "rw",
        "event queue base address, low half",
    ),
    (
        EVQ_BASE_HI,
        "EVQ_BASE_HI",
        "rw",
        "event queue base address, high half",
    ),
    (
        EVQ_SIZE_LOG2,
        "EVQ_SIZE_LOG2",
        "rw",
        "log2 event queue entries",
    ),
    (
        EVQ_CONS,
        "EVQ_CONS",
        "rw",
        "host's 16-bit count of events consumed",
    ),
    (
        EVQ_PROD,
        "EVQ_PROD",
        "ro",
        "card's 16-bit count of events written",
    ),
];

/// The register map as a table, for people.
pub fn describe() -> String {
    let mut s = String::from("offset  name                   access  meaning\n");
    for (off, name, acc, what) in MAP {
        s.push_str(&format!("{off:#06x}  {name:<22} {acc:<7} {what}\n"));
    }
    for c in Counter::ALL {
        s.push_str(&format!(
            "{:#06x}  {:<22} {:<7} counter: {}\n",
            c.offset(),
            format!("{c:?}"),
            "ro",
            c.name()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_do_not_overlap_other_registers() {
        for (i, c) in Counter::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
            assert!(c.offset() >= COUNTER_BASE && c.offset() < CONTROL_PAGE_SIZE);
        }
        const { assert!(EVQ_PROD < COUNTER_BASE) };
    }

    #[test]
    fn map_offsets_are_distinct_and_aligned() {
        let mut offs: Vec<u32> = MAP
            .iter()
            .map(|m| m.0)
            .chain(Counter::ALL.iter().map(|c| c.offset()))
            .collect();
        assert!(offs.iter().all(|o| o % 4 == 0));
        offs.sort();
        offs.dedup();
        assert_eq!(offs.len(), MAP.len() + Counter::ALL.len());
    }
}
