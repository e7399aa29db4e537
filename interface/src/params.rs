//! The card's build parameters and clocks. The HDL is built from these, the driver reads the
//! same values back from the `PARAMS` register and checks them.

/// Bytes per beat of the internal stream and of the DMA data path.
pub const BEAT_BYTES: usize = 8;
/// log2 of the receive buffer's size in beats (2^11 beats = 16 KiB).
pub const RX_BUF_ADDR_BITS: usize = 11;
/// log2 of the number of frames the receive buffer can hold at once.
pub const RX_INFO_ADDR_BITS: usize = 6;
/// log2 of the on-card receive-descriptor cache's entries.
pub const DESC_CACHE_BITS: usize = 5;
/// Descriptors fetched by one DMA read at most.
pub const DESC_FETCH_MAX: usize = 8;
/// DMA read tags (outstanding read requests) the card uses; log2.
pub const DMA_TAG_BITS: usize = 2;
/// Width of an MMIO byte address: room for the control page and 1024 doorbell pages.
pub const MMIO_ADDR_BITS: usize = 24;
/// Width of the hardware timestamp written in events, in bits.
pub const TIMESTAMP_BITS: u32 = 48;

/// Card clock with the GMII (1 GbE) front end: one octet per cycle.
pub const CLOCK_HZ_1G: u64 = 125_000_000;
/// Card clock with the 64-bit XGMII-style (10 GbE) front end: eight octets per cycle.
pub const CLOCK_HZ_10G: u64 = 156_250_000;

/// Link speeds the card's front ends support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Speed {
    /// 1 GbE through the 8-bit GMII front end at 125 MHz.
    Gbe1,
    /// 10 GbE through the 64-bit XGMII-style front end at 156.25 MHz.
    Gbe10,
}

impl Speed {
    /// The card's clock frequency at this speed.
    pub const fn clock_hz(self) -> u64 {
        match self {
            Speed::Gbe1 => CLOCK_HZ_1G,
            Speed::Gbe10 => CLOCK_HZ_10G,
        }
    }
    /// Octets the front end moves per clock cycle.
    pub const fn octets_per_cycle(self) -> usize {
        match self {
            Speed::Gbe1 => 1,
            Speed::Gbe10 => 8,
        }
    }
    /// Nanoseconds per card clock cycle.
    pub fn ns_per_cycle(self) -> f64 {
        1e9 / self.clock_hz() as f64
    }
}
