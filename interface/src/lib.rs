//! The one definition of the card's host interface.
//!
//! Everything that the hardware (`arsenic-hdl`), the host driver (`arsenic-host`) and the
//! test benches must agree on lives here and nowhere else: the register map ([`regs`]), the
//! receive descriptor ([`rxdesc`]), the event-queue entry ([`event`]), the transmit
//! descriptor ([`txdesc`]), the Ethernet constants the MAC uses ([`eth`]), the CRC-32 used for
//! the frame check sequence ([`fcs`]) and the card's build parameters ([`params`]).
//!
//! Layouts follow the smoltcp convention: a zero-copy view over bytes (`Packet<T>`-like), the
//! byte and bit positions in one private place, and a small `Repr` of valid values with
//! `parse` and `emit`. The bit positions are public constants as well, because the hardware
//! builds the same words from them.

pub mod classifier;
pub mod eth;
pub mod event;
pub mod fcs;
pub mod params;
pub mod regs;
pub mod rxdesc;
pub mod tunnel;
pub mod txdesc;

/// Errors of the layout views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutError {
    /// The buffer is shorter than the layout.
    Truncated { need: usize, have: usize },
    /// A field holds a value the layout does not define.
    BadValue { field: &'static str, value: u64 },
}

impl std::fmt::Display for LayoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayoutError::Truncated { need, have } => {
                write!(f, "buffer holds {have} bytes, the layout needs {need}")
            }
            LayoutError::BadValue { field, value } => {
                write!(f, "field {field} holds the undefined value {value:#x}")
            }
        }
    }
}

impl std::error::Error for LayoutError {}

/// Extracts `width` bits at `shift` from a 64-bit word.
#[inline]
pub const fn get_field(word: u64, shift: u32, width: u32) -> u64 {
    (word >> shift) & mask(width)
}

/// Returns `word` with `width` bits at `shift` replaced by `value` (truncated to the width).
#[inline]
pub const fn set_field(word: u64, shift: u32, width: u32, value: u64) -> u64 {
    (word & !(mask(width) << shift)) | ((value & mask(width)) << shift)
}

/// A mask of the low `width` bits.
#[inline]
pub const fn mask(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}
