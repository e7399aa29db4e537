//! The host side of the NIC.
//!
//! - [`memory`]: host memory as the card's DMA sees it, with an allocator for pinned regions.
//! - [`dma`]: the servicer of the card's DMA master: posted writes, tagged reads completing
//!   after a configurable latency and out of order, a limit on outstanding reads, a bandwidth
//!   limit per direction.
//! - [`device`]: the [`Device`](device::Device) trait through which the driver reaches a card
//!   (MMIO reads and writes, host memory, time), whatever carries it.
//! - [`manager`]: the device manager, the kernel's part: reset, configuration, creating and
//!   destroying VIs (rings, buffer-table registration), interrupts as wake-ups, the default
//!   (OS) path, counters.
//! - [`vi`]: the user-level library: a process's VI (post buffers in batches, poll or wait
//!   for events, statistics), reaching only its own doorbell page, rings and buffers.
//! - [`filters`]: installing and removing filters in the card's classifier tables.

pub mod device;
pub mod dma;
pub mod filters;
pub mod manager;
pub mod memory;
pub mod vi;

pub use device::Device;
pub use dma::{DmaConfig, DmaServicer};
pub use filters::{FilterInfo, FilterManager, Slot};
pub use manager::{
    delivered_bytes, dropped, Counters, DeviceManager, DriverError, QueueConfig, RxFrame,
};
pub use memory::{HostMemory, MemoryError, Region};
pub use vi::{DbReg, DoorbellPage, RxBuf, UserVi, ViConfig, ViEvent, ViStats};
