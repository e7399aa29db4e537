//! How the driver reaches a card: MMIO, host memory and time.
//!
//! The co-simulation implements this over the Verilator model (MMIO on the card's MMIO port,
//! time as clock cycles); other transports (a tunnel to a board) implement the same trait, so
//! the device manager runs unchanged over any of them.

use crate::memory::HostMemory;

/// A card as the driver sees it.
pub trait Device {
    /// Posted 32-bit register write at byte offset `offset`.
    fn write32(&mut self, offset: u32, value: u32);
    /// Non-posted 32-bit register read: time passes until the card answers.
    fn read32(&mut self, offset: u32) -> u32;
    /// Host memory, shared with the card's DMA.
    fn mem(&mut self) -> &mut HostMemory;
    /// The card's clock cycles so far.
    fn now(&self) -> u64;
    /// Lets `cycles` clock cycles pass (the driver waits).
    fn wait(&mut self, cycles: u64);
    /// The interrupt vectors (VIs) the card raised since the last call, in order.
    fn take_interrupts(&mut self) -> Vec<u16>;
}
