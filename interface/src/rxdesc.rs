//! Receive descriptor: 8 bytes, little endian, in the queue's descriptor ring in host memory.
//!
//! | bits  | field |
//! | ---   | ---   |
//! | 63..0 | host bus address of the receive buffer (8-byte aligned) |
//!
//! The buffer's size is the queue's `RXQ_BUF_SIZE`. [`RxDescriptor::new_checked`] fails on a
//! short buffer; after it succeeds no accessor panics.

use crate::LayoutError;

/// Bytes in one descriptor.
pub const SIZE: usize = 8;
/// log2 of [`SIZE`], the shift from ring index to byte offset.
pub const SIZE_LOG2: u32 = 3;
/// Required alignment of a receive buffer's address.
pub const BUFFER_ALIGN: u64 = 8;

mod field {
    pub const ADDR: std::ops::Range<usize> = 0..8;
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
    /// The buffer's host bus address.
    pub fn addr(&self) -> u64 {
        u64::from_le_bytes(self.buf.as_ref()[field::ADDR].try_into().unwrap())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> RxDescriptor<T> {
    /// Sets the buffer's host bus address.
    pub fn set_addr(&mut self, addr: u64) {
        self.buf.as_mut()[field::ADDR].copy_from_slice(&addr.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions() {
        let bytes = [0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01];
        assert_eq!(
            RxDescriptor::new_checked(&bytes[..]).unwrap().addr(),
            0x0102_0304_0506_0708
        );
        let mut out = [0u8; 8];
        RxDescriptor::new_checked(&mut out[..])
            .unwrap()
            .set_addr(0x0102_0304_0506_0708);
        assert_eq!(out, bytes);
        assert!(RxDescriptor::new_checked(&bytes[..7]).is_err());
    }
}
