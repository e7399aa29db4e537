//! Host memory as the card's DMA sees it: one contiguous range of bus addresses starting at
//! `base`, and a bump allocator for the driver's pinned regions (rings, event queues,
//! buffers). Every access is bounds-checked; a DMA outside the range is an error the caller
//! counts, never a panic.

use thiserror::Error;

/// Errors of host memory.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum MemoryError {
    #[error("access of {len} bytes at {addr:#x} is outside host memory [{base:#x}, {end:#x})")]
    OutOfRange {
        addr: u64,
        len: usize,
        base: u64,
        end: u64,
    },
    #[error("host memory exhausted: {want} bytes asked, {left} left")]
    Exhausted { want: usize, left: usize },
    #[error("alignment {0} is not a power of two")]
    BadAlign(usize),
}

/// A region of host memory the driver owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Bus address of the first byte.
    pub addr: u64,
    /// Length in bytes.
    pub len: usize,
}

/// Host memory.
#[derive(Debug, Clone)]
pub struct HostMemory {
    base: u64,
    bytes: Vec<u8>,
    next: usize,
}

impl HostMemory {
    /// `size` bytes of zeroed memory at bus address `base`.
    pub fn new(base: u64, size: usize) -> Self {
        HostMemory {
            base,
            bytes: vec![0; size],
            next: 0,
        }
    }

    /// Bus address of the first byte.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Allocates `len` bytes aligned to `align`, zeroed.
    pub fn alloc(&mut self, len: usize, align: usize) -> Result<Region, MemoryError> {
        if !align.is_power_of_two() {
            return Err(MemoryError::BadAlign(align));
        }
        let start = (self.next + align - 1) & !(align - 1);
        let left = self.bytes.len().saturating_sub(start);
        if len > left {
            return Err(MemoryError::Exhausted { want: len, left });
        }
        self.next = start + len;
        self.bytes[start..start + len].fill(0);
        Ok(Region {
            addr: self.base + start as u64,
            len,
        })
    }

    fn range(&self, addr: u64, len: usize) -> Result<std::ops::Range<usize>, MemoryError> {
        let err = || MemoryError::OutOfRange {
            addr,
            len,
            base: self.base,
            end: self.base + self.bytes.len() as u64,
        };
        let off = addr.checked_sub(self.base).ok_or_else(err)? as usize;
        let end = off.checked_add(len).ok_or_else(err)?;
        if end > self.bytes.len() {
            return Err(err());
        }
        Ok(off..end)
    }

    /// The bytes at `addr..addr+len`.
    pub fn slice(&self, addr: u64, len: usize) -> Result<&[u8], MemoryError> {
        let r = self.range(addr, len)?;
        Ok(&self.bytes[r])
    }

    /// Writes `data` at `addr`.
    pub fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemoryError> {
        let r = self.range(addr, data.len())?;
        self.bytes[r].copy_from_slice(data);
        Ok(())
    }

    /// Reads the little-endian u64 at `addr`.
    pub fn read_u64(&self, addr: u64) -> Result<u64, MemoryError> {
        Ok(u64::from_le_bytes(self.slice(addr, 8)?.try_into().unwrap()))
    }

    /// Writes one 8-byte beat at `addr`, only the bytes whose strobe bit is set.
    pub fn write_beat(&mut self, addr: u64, data: u64, strobe: u8) -> Result<(), MemoryError> {
        let r = self.range(addr, 8)?;
        let bytes = data.to_le_bytes();
        for (i, b) in self.bytes[r].iter_mut().enumerate() {
            if strobe >> i & 1 == 1 {
                *b = bytes[i];
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_and_bounds() {
        let mut m = HostMemory::new(0x1000_0000, 4096);
        let a = m.alloc(100, 64).unwrap();
        let b = m.alloc(100, 64).unwrap();
        assert_eq!(a.addr, 0x1000_0000);
        assert_eq!(b.addr, 0x1000_0080);
        assert!(m.alloc(5000, 8).is_err());
        m.write_beat(b.addr, 0x1122_3344_5566_7788, 0b0000_0011)
            .unwrap();
        assert_eq!(m.slice(b.addr, 3).unwrap(), &[0x88, 0x77, 0]);
        assert!(m.write(0x0fff_ffff, &[1]).is_err());
        assert!(m.slice(0x1000_0ff9, 8).is_err());
    }
}
