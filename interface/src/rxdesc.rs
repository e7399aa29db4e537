//! Receive descriptor: 8 bytes, little endian, in the VI's descriptor ring in host memory.
//!
//! | bits   | field |
//! | ---    | ---   |
//! | 31..0  | buffer id: an entry of the buffer table the VI owns |
//! | 47..32 | byte offset of the buffer within the entry's 4 KiB page (a multiple of 8) |
//! | 63..48 | reserved, 0 |
//!
//! A VI never names a host address: the card translates the id through the buffer table,
//! written only by the device manager, and refuses an id outside the VI's range, an entry the
//! VI does not own, or an offset where the VI's buffer size does not fit in the page (an
//! error event, nothing written). [`RxDescriptor::new_checked`] fails on a short buffer;
//! after it succeeds no accessor panics.

use crate::LayoutError;

/// Bytes in one descriptor.
pub const SIZE: usize = 8;
/// log2 of [`SIZE`], the shift from ring index to byte offset.
pub const SIZE_LOG2: u32 = 3;
/// Required alignment of a buffer's offset in its page.
pub const BUFFER_ALIGN: u64 = 8;
/// Bit position of the offset in the descriptor word.
pub const OFFSET_SHIFT: u32 = 32;

mod field {
    pub const ID: std::ops::Range<usize> = 0..4;
    pub const OFFSET: std::ops::Range<usize> = 4..6;
}

/// A view of a receive descriptor in a byte buffer.
#[derive(Debug, Clone, Copy)]
pub struct RxDescriptor<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> RxDescriptor<T> {
    /// Wraps `buf`, checking it is long enough.
    pub fn new_checked(buf: T) -> Result<Self, LayoutError> {
        let have = buf.as_ref().len();
        if have < SIZE {
            return Err(LayoutError::Truncated { need: SIZE, have });
        }
        Ok(Self { buf })
    }
    /// The buffer id.
    pub fn buffer_id(&self) -> u32 {
        u32::from_le_bytes(self.buf.as_ref()[field::ID].try_into().unwrap())
    }
    /// The byte offset in the buffer's page.
    pub fn offset(&self) -> u16 {
        u16::from_le_bytes(self.buf.as_ref()[field::OFFSET].try_into().unwrap())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> RxDescriptor<T> {
    /// Sets the buffer id.
    pub fn set_buffer_id(&mut self, id: u32) {
        self.buf.as_mut()[field::ID].copy_from_slice(&id.to_le_bytes());
    }
    /// Sets the offset, and clears the reserved bits.
    pub fn set_offset(&mut self, offset: u16) {
        self.buf.as_mut()[field::OFFSET].copy_from_slice(&offset.to_le_bytes());
        self.buf.as_mut()[6..8].fill(0);
    }
}

/// The descriptor word naming `buffer_id` at `offset`.
pub const fn word(buffer_id: u32, offset: u16) -> u64 {
    buffer_id as u64 | (offset as u64) << OFFSET_SHIFT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions() {
        let bytes = [0x04, 0x03, 0x02, 0x01, 0x08, 0x07, 0x00, 0x00];
        let d = RxDescriptor::new_checked(&bytes[..]).unwrap();
        assert_eq!((d.buffer_id(), d.offset()), (0x0102_0304, 0x0708));
        assert_eq!(word(0x0102_0304, 0x0708).to_le_bytes(), bytes);
        let mut out = [0xFFu8; 8];
        let mut d = RxDescriptor::new_checked(&mut out[..]).unwrap();
        d.set_buffer_id(0x0102_0304);
        d.set_offset(0x0708);
        assert_eq!(out, bytes);
        assert!(RxDescriptor::new_checked(&bytes[..7]).is_err());
    }
}
