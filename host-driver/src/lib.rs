//! The host side of the NIC.
//!
//! - [`memory`]: host memory as the card's DMA sees it, with an allocator for pinned regions.
//! - [`dma`]: the servicer of the card's DMA master: posted writes, tagged reads completing
//!   after a configurable latency and out of order, a limit on outstanding reads, a bandwidth
//!   limit per direction.
//! - [`device`]: the [`Device`](device::Device) trait through which the driver reaches a card
//!   (MMIO reads and writes, host memory, time), whatever carries it.
//! - [`manager`]: the device manager, the kernel's part: reset, configuration, creating and
//!   destroying VIs (rings, buffer-table registration, transmit setup and schedule, transmit
//!   filters), interrupts as wake-ups, the default (OS) path, counters.
//! - [`vi`]: the user-level library: a process's VI (post buffers and transmit frames in
//!   batches, poll or wait for events, statistics), reaching only its own doorbell page,
//!   rings and buffers.
//! - [`filters`]: installing and removing filters in the card's classifier tables, receive
//!   and transmit.
//! - [`schedule`]: a VI's transmit schedule (deficit-round-robin quantum, token-bucket
//!   shaping, transmit filtering) as the card's registers take it.

pub mod device;
pub mod dma;
pub mod filters;
pub mod manager;
pub mod memory;
pub mod schedule;
pub mod tunnel;
mod tx;
pub mod vi;

pub use device::Device;
pub use dma::{DmaConfig, DmaServicer};
pub use filters::{FilterInfo, FilterManager, Slot};
pub use manager::{
    delivered_bytes, dropped, CardSize, Counters, DeviceManager, DriverError, QueueConfig, RxFrame,
    TxCounters,
};
pub use memory::{HostMemory, MemoryError, Region};
pub use schedule::{Shaping, TxSchedule};
pub use tunnel::{FrameLink, TunnelDevice, TunnelStats};
pub use vi::{DbReg, DoorbellPage, RxBuf, TxViStats, UserVi, ViConfig, ViEvent, ViStats};
