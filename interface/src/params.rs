//! The card's build parameters and clocks. The HDL is built from these, the driver reads the
//! same values back from the `PARAMS` register and checks them.

/// Bytes per beat of the internal stream and of the DMA data path.
pub const BEAT_BYTES: usize = 8;
/// log2 of the receive buffer's size in beats (2^11 beats = 16 KiB).
pub const RX_BUF_ADDR_BITS: usize = 11;
/// log2 of the number of frames the receive buffer can hold at once.
pub const RX_INFO_ADDR_BITS: usize = 6;
/// log2 of the virtual interfaces (VIs) the card serves: 1024 in the simulation build.
pub const VI_BITS: usize = 10;
/// Virtual interfaces the card serves; VI 0 is the default (OS) path.
pub const VI_COUNT: usize = 1 << VI_BITS;
/// log2 of the receive descriptors the card keeps on card for each VI, ahead of need.
pub const DESC_PER_VI_BITS: usize = 6;
/// Descriptors fetched by one DMA read at most (one read per VI is in flight at a time).
pub const DESC_FETCH_MAX: usize = 16;
/// Width of a DMA read tag: tags 0..=7 are the receive descriptor reads, 8 and 9 the
/// transmit descriptor reads, 32..=63 the transmit data reads (one per frame slot).
pub const DMA_TAG_BITS: usize = 6;
/// log2 of the receive descriptor reads in flight at once.
pub const RX_TAG_BITS: usize = 3;
/// log2 of the buffer table's entries (buffer ids 0 .. 2^14).
pub const BUFTBL_BITS: usize = 14;
/// Bytes of host memory one buffer-table entry maps (a page).
pub const PAGE_SIZE: u64 = 4096;
/// log2 of [`PAGE_SIZE`].
pub const PAGE_SHIFT: u32 = 12;
/// Interrupt holdoff timers that can run at once (one per VI waiting out its holdoff).
pub const IRQ_TIMERS: usize = 8;
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

/// A size of the board build, chosen when the card is built: the decimal value of an
/// environment variable read at compile time (`option_env!`), or `default` without it. A
/// value that is not a decimal number stops the build. The board's sizes
/// (`ARSENIC_BOARD_VI_BITS`, `ARSENIC_BOARD_BUFTBL_BITS`, `ARSENIC_BOARD_LITERALS`,
/// `ARSENIC_BOARD_TERMS`, `ARSENIC_BOARD_FLOW_BITS`) are read this way, so that one build of
/// the tools, the card and its driver agree on them (docs/BOARD.md, "Sizing the board's card").
pub const fn build_size(value: Option<&str>, default: usize) -> usize {
    let Some(s) = value else {
        return default;
    };
    let b = s.as_bytes();
    assert!(!b.is_empty(), "an ARSENIC_BOARD_* size is empty");
    let mut n = 0usize;
    let mut i = 0;
    while i < b.len() {
        assert!(
            b[i].is_ascii_digit() && n < 1_000_000,
            "an ARSENIC_BOARD_* size is not a decimal number below a million"
        );
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    n
}

#[cfg(test)]
mod build_size_tests {
    use super::build_size;

    #[test]
    fn sizes_parse_or_default() {
        assert_eq!(build_size(None, 4), 4);
        assert_eq!(build_size(Some("32"), 4), 32);
        assert_eq!(build_size(Some("0"), 4), 0);
        assert!(std::panic::catch_unwind(|| build_size(Some("3x"), 4)).is_err());
        assert!(std::panic::catch_unwind(|| build_size(Some(""), 4)).is_err());
    }
}
