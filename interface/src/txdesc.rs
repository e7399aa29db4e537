//! Transmit descriptor: 16 bytes, two little-endian 64-bit words, in a queue's transmit ring.
//! Defined here so that the layout has one home; the transmit path uses it.
//!
//! | word | bits   | field |
//! | ---  | ---    | ---   |
//! | 0    | 63..0  | host bus address of the frame's first byte |
//! | 1    | 15..0  | frame length in bytes, FCS excluded |
//! | 1    | 31..16 | flags ([`flags`]) |
//! | 1    | 63..32 | reserved, zero |

use crate::{get_field, set_field, LayoutError};

/// Bytes in one descriptor.
pub const SIZE: usize = 16;

/// Bit positions of word 1.
pub mod w1 {
    pub const LEN_SHIFT: u32 = 0;
    pub const LEN_BITS: u32 = 16;
    pub const FLAGS_SHIFT: u32 = 16;
    pub const FLAGS_BITS: u32 = 16;
}

/// Flags.
pub mod flags {
    /// Ask for a completion event for this descriptor.
    pub const REQUEST_EVENT: u16 = 1 << 0;
}

/// The valid contents of a transmit descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxDescRepr {
    pub addr: u64,
    pub len: u16,
    pub flags: u16,
}

impl TxDescRepr {
    /// Reads a descriptor from `buf`.
    pub fn parse(buf: &[u8]) -> Result<Self, LayoutError> {
        if buf.len() < SIZE {
            return Err(LayoutError::Truncated {
                need: SIZE,
                have: buf.len(),
            });
        }
        let a = u64::from_le_bytes(buf[0..8].try_into().unwrap());
        let b = u64::from_le_bytes(buf[8..16].try_into().unwrap());
        Ok(TxDescRepr {
            addr: a,
            len: get_field(b, w1::LEN_SHIFT, w1::LEN_BITS) as u16,
            flags: get_field(b, w1::FLAGS_SHIFT, w1::FLAGS_BITS) as u16,
        })
    }
    /// Writes this descriptor into `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<(), LayoutError> {
        if buf.len() < SIZE {
            return Err(LayoutError::Truncated {
                need: SIZE,
                have: buf.len(),
            });
        }
        let mut b = 0;
        b = set_field(b, w1::LEN_SHIFT, w1::LEN_BITS, self.len as u64);
        b = set_field(b, w1::FLAGS_SHIFT, w1::FLAGS_BITS, self.flags as u64);
        buf[0..8].copy_from_slice(&self.addr.to_le_bytes());
        buf[8..16].copy_from_slice(&b.to_le_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions() {
        let bytes = [
            0x00, 0x10, 0, 0, 1, 0, 0, 0, // addr 0x1_0000_1000
            0x40, 0x00, 0x01, 0x00, 0, 0, 0, 0, // len 64, flags 1
        ];
        let r = TxDescRepr::parse(&bytes).unwrap();
        assert_eq!(
            r,
            TxDescRepr {
                addr: 0x1_0000_1000,
                len: 64,
                flags: flags::REQUEST_EVENT
            }
        );
        let mut out = [0u8; 16];
        r.emit(&mut out).unwrap();
        assert_eq!(out, bytes);
    }
}
