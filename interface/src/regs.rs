//! The register map: byte offsets of 32-bit registers in the card's MMIO space.
//!
//! The space has three parts:
//!
//! - the **control page** and the windows below [`DB_BASE`]: identification, control, the
//!   virtual-interface (VI) commands, card-wide counters, the classifier's tables
//!   ([`crate::classifier`]) and the buffer table ([`BUFTBL_BASE`]). Only the device manager
//!   maps these;
//! - one **doorbell page** per VI at `DB_BASE + vi * DB_PAGE_SIZE` ([`db`]): the VI's
//!   producer and consumer indices, interrupt arming and its own counters. A user process maps
//!   only its own page, and a write there can change only that VI.
//!
//! All registers are 32 bits wide and 4-byte aligned; 64-bit quantities are split in
//! `_LO`/`_HI` pairs (read `HI`, `LO`, `HI` and retry if `HI` changed). The card accepts a
//! request when its `mmio_ready` output is high (the posted-write flow control of the bus).

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
/// More build parameters, read-only: [`params2`].
pub const PARAMS2: u32 = 0x020;

/// VI configuration, staged for [`VI_CMD`]'s `CREATE`: receive ring base address (host bus
/// address, 8-byte aligned), low half.
pub const VI_RXQ_BASE_LO: u32 = 0x100;
/// Receive ring base address, high half.
pub const VI_RXQ_BASE_HI: u32 = 0x104;
/// log2 of the receive ring's entries (1..=15).
pub const VI_RXQ_SIZE_LOG2: u32 = 0x108;
/// Largest frame the VI's buffers take, in bytes (at most a page; a multiple of 8).
pub const VI_BUF_SIZE: u32 = 0x10C;
/// Event queue base address (host bus address, 16-byte aligned), low half.
pub const VI_EVQ_BASE_LO: u32 = 0x110;
/// Event queue base address, high half.
pub const VI_EVQ_BASE_HI: u32 = 0x114;
/// log2 of the event queue's entries (1..=15).
pub const VI_EVQ_SIZE_LOG2: u32 = 0x118;
/// First buffer-table id the VI owns.
pub const VI_BUF_FIRST: u32 = 0x11C;
/// Number of buffer-table ids the VI owns, from `VI_BUF_FIRST`.
pub const VI_BUF_COUNT: u32 = 0x120;
/// Interrupt holdoff in clock cycles: after an event for an armed VI the card waits this long
/// before interrupting, so one interrupt covers every event of the holdoff (0: at once).
pub const VI_HOLDOFF: u32 = 0x124;
/// Write: a VI command, [`vi_cmd`] (operation in bits 31..28, VI in bits 15..0).
pub const VI_CMD: u32 = 0x128;
/// Result of the last VI command, read-only: [`vi_cmd`]`::STATUS_*`.
pub const VI_CMD_STATUS: u32 = 0x12C;
/// Receive decisions the card had taken when the last `DESTROY` took effect (wrapping).
pub const VI_CMD_SEQ: u32 = 0x130;
/// Receive decisions whose DMA the card has finished (wrapping): once it has passed
/// `VI_CMD_SEQ`, nothing admitted before the `DESTROY` is still to be written.
pub const RX_DONE_SEQ: u32 = 0x134;

/// Transmit configuration, staged for [`TX_CMD`]: transmit ring base address (host bus
/// address, 8-byte aligned), low half.
pub const TX_RING_BASE_LO: u32 = 0x140;
/// Transmit ring base address, high half.
pub const TX_RING_BASE_HI: u32 = 0x144;
/// log2 of the transmit ring's entries (1..=15).
pub const TX_RING_SIZE_LOG2: u32 = 0x148;
/// Deficit-round-robin quantum in bytes (1..=65535): a VI's share of the wire is its
/// quantum's share of the active VIs' quanta.
pub const TX_QUANTUM: u32 = 0x14C;
/// Shaping rate as cycles per byte, a float: mantissa in bits 15..0, exponent in bits 20..16;
/// cycles per byte = mantissa * 2^(exponent - 16) (see [`tx_rate`]).
pub const TX_RATE: u32 = 0x150;
/// Shaping burst tolerance in clock cycles: at any time, the VI's bytes sent never exceed
/// rate * elapsed + burst_cycles / cycles_per_byte.
pub const TX_BURST: u32 = 0x154;
/// Transmit flags: [`tx_flags`].
pub const TX_FLAGS: u32 = 0x158;
/// Write: a transmit command, [`tx_cmd`] (operation in bits 31..28, VI in bits 15..0).
pub const TX_CMD: u32 = 0x15C;
/// Result of the last transmit command: [`vi_cmd`]`::STATUS_*` (1 ok, 3 bad).
pub const TX_CMD_STATUS: u32 = 0x160;

/// The classifier window of the transmit filters: the same layout as the receive
/// classifier's ([`crate::classifier`]), at this offset from it. A term or flow there names
/// the VI whose frames it lets out.
pub const TX_FILTER_OFFSET: u32 = 0x1_0000;

/// Buffer table: entry `id` at `BUFTBL_BASE + 8 * id` (write the low word, then the high word,
/// which commits both): [`buftbl`]. Write-only.
pub const BUFTBL_BASE: u32 = 0x10_0000;
/// First doorbell page.
pub const DB_BASE: u32 = 0x40_0000;
/// Bytes of one doorbell page.
pub const DB_PAGE_SIZE: u32 = 0x1000;

/// Offset of VI `vi`'s doorbell page.
pub const fn db_page(vi: u16) -> u32 {
    DB_BASE + vi as u32 * DB_PAGE_SIZE
}

/// Offset of buffer-table entry `id`'s low word.
pub const fn buftbl_entry(id: u32) -> u32 {
    BUFTBL_BASE + 8 * id
}

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
    /// Internal loopback: the transmit MAC's wire feeds the receive MAC instead of the PHY.
    pub const LOOPBACK: u32 = 1 << 3;
}

/// [`TX_CMD`] operations.
pub mod tx_cmd {
    /// Bit position of the operation.
    pub const OP_SHIFT: u32 = 28;
    /// Set the VI's transmit ring up from the staged `TX_*` registers: indices, deficit and
    /// shaping state start afresh, counters at 0, the VI takes transmit doorbells.
    pub const SETUP: u32 = 1;
    /// Change the VI's quantum, rate, burst and flags from the staged registers, keeping its
    /// ring and queue: takes effect from its next frame.
    pub const SCHEDULE: u32 = 2;
    /// Stop the VI's transmit: no more doorbells or descriptor reads; descriptors already
    /// on card are dropped as they reach the scheduler. `VI_CMD`'s `DESTROY` does this too.
    pub const DISABLE: u32 = 3;

    /// The command word for `op` on `vi`.
    pub const fn word(op: u32, vi: u16) -> u32 {
        op << OP_SHIFT | vi as u32
    }
}

/// Bits of [`TX_FLAGS`].
pub mod tx_flags {
    /// Shape the VI to `TX_RATE` and `TX_BURST`.
    pub const SHAPED: u32 = 1 << 0;
    /// Unrestricted: the VI's frames skip the transmit filters (the OS VI's setting).
    pub const UNRESTRICTED: u32 = 1 << 1;
}

/// The shaping rate's encoding in [`TX_RATE`].
pub mod tx_rate {
    /// The register value for a rate of `bytes_per_cycle` (> 0): the nearest float with a
    /// 16-bit mantissa. The relative error is at most 2^-16 up to 2 bytes a cycle and 2^-14
    /// at 8 (a 10 GbE line). `None` if the rate is too slow to encode (below 2^-16 bytes a
    /// cycle).
    pub fn encode(bytes_per_cycle: f64) -> Option<u32> {
        if bytes_per_cycle.is_nan() || bytes_per_cycle <= 0.0 || !bytes_per_cycle.is_finite() {
            return None;
        }
        let cpb = 1.0 / bytes_per_cycle;
        // cycles/byte = m * 2^(e-16), m < 2^16: pick the smallest e that fits, for precision.
        for e in 0..=31u32 {
            let m = (cpb * 2f64.powi(16 - e as i32)).round();
            if m < 65536.0 {
                return Some((e << 16) | m as u32);
            }
        }
        None
    }
    /// Cycles per byte of a register value.
    pub fn cycles_per_byte(reg: u32) -> f64 {
        let (m, e) = (reg & 0xFFFF, (reg >> 16) & 0x1F);
        m as f64 * 2f64.powi(e as i32 - 16)
    }
}

/// Bits of [`STATUS`].
pub mod status {
    /// Nothing is buffered or in flight on the receive path.
    pub const RX_IDLE: u32 = 1 << 0;
    /// Nothing is queued, in flight or on the wire on the transmit path. (A frame's
    /// completion or error event, once the transmit engine has handed it to the VI engine,
    /// may still be on its way to the VI's event queue: poll once more after this is set.)
    pub const TX_IDLE: u32 = 1 << 1;
}

/// Fields of [`PARAMS`].
pub mod params {
    /// log2 of the receive buffer's beats, bits 7..0.
    pub const RX_BUF_BITS_SHIFT: u32 = 0;
    /// log2 of the descriptors kept on card per VI, bits 15..8.
    pub const DESC_PER_VI_BITS_SHIFT: u32 = 8;
    /// log2 of the DMA read tags, bits 23..16.
    pub const DMA_TAG_BITS_SHIFT: u32 = 16;
    /// log2 of the VIs, bits 31..24.
    pub const VI_BITS_SHIFT: u32 = 24;
}

/// Fields of [`PARAMS2`].
pub mod params2 {
    /// log2 of the buffer table's entries, bits 7..0.
    pub const BUFTBL_BITS_SHIFT: u32 = 0;
    /// Interrupt holdoff timers, bits 15..8.
    pub const IRQ_TIMERS_SHIFT: u32 = 8;
}

/// [`VI_CMD`] operations and [`VI_CMD_STATUS`] values.
pub mod vi_cmd {
    /// Bit position of the operation.
    pub const OP_SHIFT: u32 = 28;
    /// Create (or re-create) the VI from the staged `VI_*` registers: indices and counters
    /// start at 0, the VI accepts frames and doorbells.
    pub const CREATE: u32 = 1;
    /// Destroy the VI: it takes no more frames, descriptors or doorbells. Wait until
    /// `RX_DONE_SEQ` has passed `VI_CMD_SEQ` before reusing its memory.
    pub const DESTROY: u32 = 2;
    /// No command has completed since reset.
    pub const STATUS_NONE: u32 = 0;
    /// The command took effect.
    pub const STATUS_OK: u32 = 1;
    /// A descriptor read for the VI is still in flight: retry the `CREATE`.
    pub const STATUS_BUSY: u32 = 2;
    /// The VI number is beyond the card's VIs, or the operation is unknown.
    pub const STATUS_BAD: u32 = 3;

    /// The command word for `op` on `vi`.
    pub const fn word(op: u32, vi: u16) -> u32 {
        op << OP_SHIFT | vi as u32
    }
}

/// Buffer-table entries (64 bits: low word first).
pub mod buftbl {
    /// Bit 0: the entry maps a page.
    pub const VALID: u64 = 1;
    /// Bits 11..1: the VI that owns the page.
    pub const OWNER_SHIFT: u32 = 1;
    /// Width of the owner field.
    pub const OWNER_BITS: u32 = 11;

    /// The entry mapping the page at `page_addr` (4 KiB aligned) to `owner`.
    pub const fn entry(page_addr: u64, owner: u16) -> u64 {
        (page_addr & !0xFFF) | ((owner as u64) << OWNER_SHIFT) | VALID
    }
}

/// A doorbell page: offsets within it.
pub mod db {
    /// Write: the host's new free-running 16-bit receive producer index (refused, with an
    /// error event, if it goes backwards or more than the ring past the card's consumer).
    /// Read: the producer index.
    pub const RX_PROD: u32 = 0x000;
    /// Write: the host's free-running 16-bit count of events consumed. Read: that count.
    pub const EVQ_CONS: u32 = 0x004;
    /// Write: events consumed (as `EVQ_CONS`) and arm the interrupt: the card interrupts
    /// once, after the holdoff, when an event is (or already was) in the queue. Read: 1 while
    /// armed.
    pub const IRQ_ARM: u32 = 0x008;
    /// Read-only: the card's receive consumer index (descriptors used).
    pub const RX_CONS: u32 = 0x00C;
    /// Read-only: the card's count of events written.
    pub const EVQ_PROD: u32 = 0x010;
    /// Read-only: bit 0 the VI exists, bit 1 a descriptor read is in flight, bit 2 the VI
    /// waits for a descriptor read.
    pub const STATUS: u32 = 0x014;
    /// Bits of `STATUS`.
    pub const STATUS_EXISTS: u32 = 1 << 0;
    /// A descriptor read is in flight.
    pub const STATUS_FETCHING: u32 = 1 << 1;
    /// The VI waits for a descriptor read.
    pub const STATUS_FETCH_QUEUED: u32 = 1 << 2;
    /// First per-VI counter ([`super::ViCounter`]).
    pub const COUNTER_BASE: u32 = 0x100;
    /// Write: the host's new free-running 16-bit transmit producer index (refused, with an
    /// error event, if it goes backwards or more than the ring past the descriptors the card
    /// has read). Read: the producer index.
    pub const TX_PROD: u32 = 0x020;
    /// Read-only: transmit descriptors the card has read.
    pub const TX_FETCHED: u32 = 0x024;
    /// Read-only: transmit descriptors the scheduler has started.
    pub const TX_STARTED: u32 = 0x028;
    /// Read-only: transmit descriptors finished (sent or refused).
    pub const TX_DONE: u32 = 0x02C;
    /// Read-only: bit 0 transmit is set up, bit 1 the VI is in the scheduler's active list,
    /// bit 2 a descriptor read is in flight.
    pub const TX_STATUS: u32 = 0x030;
    /// Bit of `TX_STATUS`: a transmit descriptor read is in flight.
    pub const TX_STATUS_FETCHING: u32 = 1 << 2;
    /// First per-VI transmit counter ([`super::TxViCounter`]).
    pub const TX_COUNTER_BASE: u32 = 0x180;
}

/// Per-VI transmit counters (32 bits, wrapping, read-only) in each doorbell page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TxViCounter {
    /// Frames the VI sent to the wire.
    Frames,
    /// Bytes (FCS excluded, before padding) the VI sent (wrapping).
    Bytes,
    /// Not sent: the frame failed the VI's transmit filter.
    DropSpoofed,
    /// Not sent: the descriptor named a buffer the VI does not own.
    DropBadBuffer,
    /// Not sent: a bad offset or length.
    DropBadDesc,
    /// Transmit doorbell writes refused.
    DoorbellErrors,
}

impl TxViCounter {
    /// Every per-VI transmit counter, in register order.
    pub const ALL: [TxViCounter; 6] = [
        TxViCounter::Frames,
        TxViCounter::Bytes,
        TxViCounter::DropSpoofed,
        TxViCounter::DropBadBuffer,
        TxViCounter::DropBadDesc,
        TxViCounter::DoorbellErrors,
    ];
    /// Offset within the doorbell page.
    pub const fn offset(self) -> u32 {
        db::TX_COUNTER_BASE + 4 * self as u32
    }
    /// A short name for summaries.
    pub const fn name(self) -> &'static str {
        match self {
            TxViCounter::Frames => "tx_frames",
            TxViCounter::Bytes => "tx_bytes",
            TxViCounter::DropSpoofed => "spoofed",
            TxViCounter::DropBadBuffer => "tx_bad_buffer",
            TxViCounter::DropBadDesc => "tx_bad_descriptor",
            TxViCounter::DoorbellErrors => "tx_doorbell_errors",
        }
    }
}

/// Card-wide transmit counters (32 bits, wrapping, read-only) from [`TX_COUNTER_BASE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TxCounter {
    /// Frames the MAC sent.
    Frames,
    /// Octets the MAC sent, FCS and padding included, preamble excluded (wrapping).
    Octets,
    /// Frames the MAC padded to the minimum.
    Padded,
    /// Frames cut because their data did not arrive in time (the design makes it impossible).
    Underruns,
    /// Not sent: failed a transmit filter.
    DropSpoofed,
    /// Not sent: a descriptor named a buffer its VI does not own.
    DropBadBuffer,
    /// Not sent: a bad offset or length.
    DropBadDesc,
    /// Not sent: the VI's transmit was disabled with the frame queued on card.
    DropDisabled,
    /// Transmit doorbells refused.
    DoorbellErrors,
    /// Transmit events not written: the VI's event queue was full or the VI is gone.
    EventsLost,
}

/// Offset of the first card-wide transmit counter.
pub const TX_COUNTER_BASE: u32 = 0x300;

impl TxCounter {
    /// Every transmit counter, in register order.
    pub const ALL: [TxCounter; 10] = [
        TxCounter::Frames,
        TxCounter::Octets,
        TxCounter::Padded,
        TxCounter::Underruns,
        TxCounter::DropSpoofed,
        TxCounter::DropBadBuffer,
        TxCounter::DropBadDesc,
        TxCounter::DropDisabled,
        TxCounter::DoorbellErrors,
        TxCounter::EventsLost,
    ];
    /// The counter's register offset.
    pub const fn offset(self) -> u32 {
        TX_COUNTER_BASE + 4 * self as u32
    }
    /// A short name for summaries.
    pub const fn name(self) -> &'static str {
        match self {
            TxCounter::Frames => "tx_frames",
            TxCounter::Octets => "tx_octets",
            TxCounter::Padded => "tx_padded",
            TxCounter::Underruns => "tx_underruns",
            TxCounter::DropSpoofed => "spoofed",
            TxCounter::DropBadBuffer => "tx_bad_buffer",
            TxCounter::DropBadDesc => "tx_bad_descriptor",
            TxCounter::DropDisabled => "tx_disabled",
            TxCounter::DoorbellErrors => "tx_doorbell_errors",
            TxCounter::EventsLost => "tx_events_lost",
        }
    }
}

/// Per-VI statistics counters (32 bits, wrapping, read-only) in each doorbell page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ViCounter {
    /// Frames written to the VI's buffers.
    RxFrames,
    /// Bytes written to the VI's buffers (wrapping).
    RxBytes,
    /// Dropped: the VI had no receive buffer posted.
    DropNoDesc,
    /// Dropped: longer than the VI's buffers.
    DropTooBig,
    /// Dropped: the VI's event queue was full.
    DropEvqFull,
    /// Dropped: the descriptor named a buffer the VI does not own (an error event said so).
    DropBadBuffer,
    /// Dropped: the VI had been destroyed.
    DropDisabled,
    /// Doorbell writes refused (an error event said so).
    DoorbellErrors,
}

impl ViCounter {
    /// Every per-VI counter, in register order.
    pub const ALL: [ViCounter; 8] = [
        ViCounter::RxFrames,
        ViCounter::RxBytes,
        ViCounter::DropNoDesc,
        ViCounter::DropTooBig,
        ViCounter::DropEvqFull,
        ViCounter::DropBadBuffer,
        ViCounter::DropDisabled,
        ViCounter::DoorbellErrors,
    ];

    /// Offset within the doorbell page.
    pub const fn offset(self) -> u32 {
        db::COUNTER_BASE + 4 * self as u32
    }

    /// A short name for summaries.
    pub const fn name(self) -> &'static str {
        match self {
            ViCounter::RxFrames => "frames",
            ViCounter::RxBytes => "bytes",
            ViCounter::DropNoDesc => "no_buffer_posted",
            ViCounter::DropTooBig => "larger_than_buffer",
            ViCounter::DropEvqFull => "event_queue_full",
            ViCounter::DropBadBuffer => "bad_buffer",
            ViCounter::DropDisabled => "vi_destroyed",
            ViCounter::DoorbellErrors => "doorbell_errors",
        }
    }
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
    /// Dropped: the frame's VI had no receive buffer posted.
    DropNoDesc,
    /// Dropped: the frame is longer than its VI's receive buffers.
    DropTooBig,
    /// Dropped: receive disabled.
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
    /// Dropped: the frame's VI had a full event queue.
    DropEvqFull,
    /// Dropped: the descriptor named a buffer its VI does not own.
    DropBadBuffer,
    /// Dropped: the frame's VI does not exist (never created, or destroyed).
    DropViDisabled,
    /// Doorbell writes refused.
    DoorbellErrors,
    /// Interrupts raised.
    Interrupts,
}

/// Offset of the first counter.
pub const COUNTER_BASE: u32 = 0x200;

impl Counter {
    /// Every counter, in register order.
    pub const ALL: [Counter; 22] = [
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
        Counter::DropEvqFull,
        Counter::DropBadBuffer,
        Counter::DropViDisabled,
        Counter::DoorbellErrors,
        Counter::Interrupts,
    ];

    /// The counters that count dropped frames, one per reason.
    pub const DROPS: [Counter; 12] = [
        Counter::DropFcs,
        Counter::DropRunt,
        Counter::DropGiant,
        Counter::DropPhy,
        Counter::DropPreamble,
        Counter::DropOverflow,
        Counter::DropNoDesc,
        Counter::DropTooBig,
        Counter::DropDisabled,
        Counter::DropEvqFull,
        Counter::DropBadBuffer,
        Counter::DropViDisabled,
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
            Counter::DropEvqFull => "event_queue_full",
            Counter::DropBadBuffer => "bad_buffer",
            Counter::DropViDisabled => "vi_missing",
            Counter::DoorbellErrors => "doorbell_errors",
            Counter::Interrupts => "interrupts",
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
        "log2 RX buffer beats [7:0], descriptors per VI [15:8], DMA tags [23:16], VIs [31:24]",
    ),
    (
        PARAMS2,
        "PARAMS2",
        "ro",
        "log2 buffer-table entries [7:0], holdoff timers [15:8]",
    ),
    (
        VI_RXQ_BASE_LO,
        "VI_RXQ_BASE_LO",
        "rw",
        "staged: receive ring base, low half",
    ),
    (
        VI_RXQ_BASE_HI,
        "VI_RXQ_BASE_HI",
        "rw",
        "staged: receive ring base, high half",
    ),
    (
        VI_RXQ_SIZE_LOG2,
        "VI_RXQ_SIZE_LOG2",
        "rw",
        "staged: log2 receive ring entries",
    ),
    (
        VI_BUF_SIZE,
        "VI_BUF_SIZE",
        "rw",
        "staged: largest frame the buffers take",
    ),
    (
        VI_EVQ_BASE_LO,
        "VI_EVQ_BASE_LO",
        "rw",
        "staged: event queue base, low half",
    ),
    (
        VI_EVQ_BASE_HI,
        "VI_EVQ_BASE_HI",
        "rw",
        "staged: event queue base, high half",
    ),
    (
        VI_EVQ_SIZE_LOG2,
        "VI_EVQ_SIZE_LOG2",
        "rw",
        "staged: log2 event queue entries",
    ),
    (
        VI_BUF_FIRST,
        "VI_BUF_FIRST",
        "rw",
        "staged: first buffer id owned",
    ),
    (
        VI_BUF_COUNT,
        "VI_BUF_COUNT",
        "rw",
        "staged: buffer ids owned",
    ),
    (
        VI_HOLDOFF,
        "VI_HOLDOFF",
        "rw",
        "staged: interrupt holdoff, cycles",
    ),
    (
        VI_CMD,
        "VI_CMD",
        "wo",
        "op [31:28] (1 CREATE, 2 DESTROY), VI [15:0]",
    ),
    (
        VI_CMD_STATUS,
        "VI_CMD_STATUS",
        "ro",
        "last command: 1 ok, 2 busy, 3 bad",
    ),
    (
        VI_CMD_SEQ,
        "VI_CMD_SEQ",
        "ro",
        "decisions taken at the last DESTROY",
    ),
    (
        RX_DONE_SEQ,
        "RX_DONE_SEQ",
        "ro",
        "decisions whose DMA has finished",
    ),
    (
        TX_RING_BASE_LO,
        "TX_RING_BASE_LO",
        "rw",
        "staged: transmit ring base, low half",
    ),
    (
        TX_RING_BASE_HI,
        "TX_RING_BASE_HI",
        "rw",
        "staged: transmit ring base, high half",
    ),
    (
        TX_RING_SIZE_LOG2,
        "TX_RING_SIZE_LOG2",
        "rw",
        "staged: log2 transmit ring entries",
    ),
    (
        TX_QUANTUM,
        "TX_QUANTUM",
        "rw",
        "staged: deficit-round-robin quantum, bytes",
    ),
    (
        TX_RATE,
        "TX_RATE",
        "rw",
        "staged: cycles per byte, mantissa [15:0] exponent [20:16]",
    ),
    (
        TX_BURST,
        "TX_BURST",
        "rw",
        "staged: burst tolerance, cycles",
    ),
    (
        TX_FLAGS,
        "TX_FLAGS",
        "rw",
        "staged: bit 0 SHAPED, bit 1 UNRESTRICTED",
    ),
    (
        TX_CMD,
        "TX_CMD",
        "wo",
        "op [31:28] (1 SETUP, 2 SCHEDULE, 3 DISABLE), VI [15:0]",
    ),
    (
        TX_CMD_STATUS,
        "TX_CMD_STATUS",
        "ro",
        "last transmit command: 1 ok, 3 bad",
    ),
];

/// The register map as a table, for people.
pub fn describe() -> String {
    let mut s = String::from("offset  name                   access  meaning\n");
    for (off, name, acc, what) in MAP {
        s.push_str(&format!("{off:#06x}  {name:<22} {acc:<7} {what}\n"));
    }
    s.push_str(&format!(
        "{BUFTBL_BASE:#08x}  buffer table: entry id at +8*id (low word, then high word commits)\n"
    ));
    s.push_str(&format!(
        "{DB_BASE:#08x}  doorbell pages: VI v at +{DB_PAGE_SIZE:#x}*v\n"
    ));
    for (off, name, what) in [
        (
            db::RX_PROD,
            "RX_PROD",
            "rw: receive producer index (doorbell)",
        ),
        (db::EVQ_CONS, "EVQ_CONS", "rw: events consumed"),
        (
            db::IRQ_ARM,
            "IRQ_ARM",
            "rw: events consumed, and arm the interrupt",
        ),
        (db::RX_CONS, "RX_CONS", "ro: card's receive consumer index"),
        (db::EVQ_PROD, "EVQ_PROD", "ro: events written"),
        (
            db::STATUS,
            "STATUS",
            "ro: bit 0 exists, 1 read in flight, 2 read waiting",
        ),
    ] {
        s.push_str(&format!("  +{off:#05x}  {name:<20} {what}\n"));
    }
    for c in ViCounter::ALL {
        s.push_str(&format!(
            "  +{:#05x}  {:<20} ro: VI counter {}\n",
            c.offset(),
            format!("{c:?}"),
            c.name()
        ));
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
        const { assert!(RX_DONE_SEQ < COUNTER_BASE) };
        const { assert!(db::COUNTER_BASE + 4 * ViCounter::ALL.len() as u32 <= DB_PAGE_SIZE) };
        const {
            assert!(
                BUFTBL_BASE + 8 * (1 << crate::params::BUFTBL_BITS) <= DB_BASE
                    && db_page(crate::params::VI_COUNT as u16 - 1) + DB_PAGE_SIZE
                        <= 1 << crate::params::MMIO_ADDR_BITS
            )
        };
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
