//! Transmit descriptor: 8 bytes, one little-endian 64-bit word, in a VI's transmit ring.
//!
//! | bits   | field |
//! | ---    | ---   |
//! | 31..0  | buffer id: an entry of the buffer table the VI owns |
//! | 47..32 | byte offset of the frame within the entry's 4 KiB page (a multiple of 8) |
//! | 62..48 | frame length in bytes, FCS excluded (the card pads to 60 and appends the FCS) |
//! | 63     | [`REQUEST_EVENT`]: write a `TX_DONE` event when this descriptor is complete |
//!
//! As on receive, a VI never names a host address. The card refuses (error event, nothing
//! sent, the descriptor consumed) an id the VI does not own (`TX_BAD_BUFFER`), and an offset
//! that is not a multiple of 8, a frame that does not fit in the page from there, or a length
//! below [`MIN_LEN`] or above the card's `MAX_FRAME` less the FCS (`TX_BAD_DESC`).
//!
//! Completions are in ring order: a `TX_DONE` event for ring index `i` means every descriptor
//! up to `i` is finished (sent or refused) and its buffer may be reused.

use crate::LayoutError;

/// Bytes in one descriptor.
pub const SIZE: usize = 8;
/// log2 of [`SIZE`].
pub const SIZE_LOG2: u32 = 3;
/// Bit position of the offset.
pub const OFFSET_SHIFT: u32 = 32;
/// Bit position of the length.
pub const LEN_SHIFT: u32 = 48;
/// Width of the length.
pub const LEN_BITS: u32 = 15;
/// Flag: ask for a completion event.
pub const REQUEST_EVENT: u64 = 1 << 63;
/// Shortest frame the card sends (an Ethernet header); it pads up to 60 octets.
pub const MIN_LEN: u16 = 14;
/// Longest frame the card's transmit slots hold (FCS excluded); `MAX_FRAME` may lower it.
pub const MAX_LEN: u16 = 2040;

/// The valid contents of a transmit descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxDescRepr {
    pub buffer_id: u32,
    pub offset: u16,
    pub len: u16,
    pub request_event: bool,
}

impl TxDescRepr {
    /// The descriptor word.
    pub const fn word(&self) -> u64 {
        self.buffer_id as u64
            | (self.offset as u64) << OFFSET_SHIFT
            | ((self.len as u64) & ((1 << LEN_BITS) - 1)) << LEN_SHIFT
            | if self.request_event { REQUEST_EVENT } else { 0 }
    }

    /// Reads a descriptor word.
    pub const fn from_word(w: u64) -> Self {
        TxDescRepr {
            buffer_id: w as u32,
            offset: (w >> OFFSET_SHIFT) as u16,
            len: ((w >> LEN_SHIFT) & ((1 << LEN_BITS) - 1)) as u16,
            request_event: w & REQUEST_EVENT != 0,
        }
    }

    /// Reads a descriptor from `buf`.
    pub fn parse(buf: &[u8]) -> Result<Self, LayoutError> {
        if buf.len() < SIZE {
            return Err(LayoutError::Truncated {
                need: SIZE,
                have: buf.len(),
            });
        }
        Ok(Self::from_word(u64::from_le_bytes(
            buf[0..8].try_into().unwrap(),
        )))
    }

    /// Writes this descriptor into `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), LayoutError> {
        if buf.len() < SIZE {
            return Err(LayoutError::Truncated {
                need: SIZE,
                have: buf.len(),
            });
        }
        buf[0..8].copy_from_slice(&self.word().to_le_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions() {
        let bytes = [
            0x04, 0x03, 0x02, 0x01, // id 0x01020304
            0x08, 0x00, // offset 8
            0x40, 0x80, // len 64, request event
        ];
        let r = TxDescRepr::parse(&bytes).unwrap();
        assert_eq!(
            r,
            TxDescRepr {
                buffer_id: 0x0102_0304,
                offset: 8,
                len: 64,
                request_event: true
            }
        );
        let mut out = [0u8; 8];
        r.emit(&mut out).unwrap();
        assert_eq!(out, bytes);
        assert_eq!(TxDescRepr::from_word(r.word()), r);
        assert!(TxDescRepr::parse(&bytes[..7]).is_err());
    }
}
