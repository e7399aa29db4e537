//! The device manager: the kernel's part of the driver.
//!
//! It resets and configures the card, allocates the default (OS) queue's descriptor ring,
//! event queue and receive buffers in host memory, posts buffers in batches, polls events,
//! hands received frames up, and reads counters.
//!
//! Ring steps (all indices are free-running 16-bit counters; a ring of 2^k entries uses the
//! low k bits):
//! 1. `prod` counts descriptors written; the doorbell `RXQ_PROD` tells the card, in batches.
//! 2. The card consumes descriptors in ring order and writes one event per frame.
//! 3. `ev_next` counts events read; an entry is new when its phase bit equals
//!    `(ev_next >> k) & 1 == 0`. `EVQ_CONS` tells the card which entries it may reuse.
//! 4. The buffer of a consumed descriptor is posted again at once.

use crate::device::Device;
use crate::memory::MemoryError;
use arsenic_interface::event::{self, Event, EventRepr, Kind};
use arsenic_interface::params::Speed;
use arsenic_interface::regs::{self, ctrl, status, Counter};
use arsenic_interface::rxdesc::{self, RxDescriptor};
use std::collections::BTreeMap;
use thiserror::Error;

/// Errors of the device manager.
#[derive(Debug, Error)]
pub enum DriverError {
    #[error("no card answers: ID reads {0:#010x}, expected {id:#010x}", id = regs::ID_VALUE)]
    NoCard(u32),
    #[error("card layout version {0:#x} is not the driver's {v:#x}", v = regs::VERSION_VALUE)]
    Version(u32),
    #[error("card build parameters {card:#x} differ from the driver's {driver:#x}")]
    Params { card: u32, driver: u32 },
    #[error("the card did not finish its reset within {0} cycles")]
    ResetTimeout(u64),
    #[error("bad queue configuration: {0}")]
    BadConfig(String),
    #[error("host memory: {0}")]
    Memory(#[from] MemoryError),
    #[error("filter: {0}")]
    Filter(arsenic_filters::FilterError),
    #[error("the card wrote a malformed event at index {index}: {what}")]
    BadEvent { index: u16, what: String },
}

/// Configuration of the default queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    /// log2 of the descriptor ring's entries (1..=15).
    pub ring_log2: u8,
    /// log2 of the event queue's entries (1..=15); at least the ring's.
    pub evq_log2: u8,
    /// Bytes per receive buffer: a multiple of 8, at least the largest frame.
    pub buf_size: u32,
    /// Descriptors posted per doorbell.
    pub batch: u16,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            ring_log2: 9,
            evq_log2: 10,
            buf_size: 2048,
            batch: 16,
        }
    }
}

/// A frame the host received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RxFrame {
    /// The frame, FCS excluded.
    pub data: Vec<u8>,
    /// The card's timestamp (clock cycles) when it wrote the frame's data.
    pub timestamp: u64,
    /// The ring index of the descriptor the card used.
    pub desc_index: u16,
    /// The virtual interface (queue) the card chose.
    pub vi: u16,
    /// The filter that chose it ([`event::FILTER_NONE`] for the default path).
    pub filter: u16,
    /// What the card's header parser found (`arsenic_interface::event::status`).
    pub status: u8,
}

/// Every counter, by name; the byte count's halves are read consistently.
pub type Counters = BTreeMap<Counter, u64>;

/// The 64-bit delivered-bytes count from its two registers.
pub fn delivered_bytes(c: &Counters) -> u64 {
    c.get(&Counter::RxDeliveredBytesHi).copied().unwrap_or(0) << 32
        | c.get(&Counter::RxDeliveredBytesLo).copied().unwrap_or(0)
}

/// Frames dropped, all reasons together.
pub fn dropped(c: &Counters) -> u64 {
    Counter::DROPS
        .iter()
        .map(|k| c.get(k).copied().unwrap_or(0))
        .sum()
}

/// The device manager.
#[derive(Debug)]
pub struct DeviceManager {
    cfg: QueueConfig,
    ring: u64,
    evq: u64,
    buffers: Vec<u64>,
    prod: u16,
    announced: u16,
    ev_next: u16,
    ev_announced: u16,
    /// Buffers of received frames kept by the host instead of being posted again.
    held: Vec<u64>,
    hold: bool,
}

impl DeviceManager {
    /// Checks that a card answers, resets it, and sets the link speed and largest frame.
    /// The receive path stays disabled until [`open_default_queue`](Self::open_default_queue).
    pub fn probe<D: Device>(dev: &mut D, speed: Speed, max_frame: u32) -> Result<(), DriverError> {
        let id = dev.read32(regs::ID);
        if id != regs::ID_VALUE {
            return Err(DriverError::NoCard(id));
        }
        let v = dev.read32(regs::VERSION);
        if v != regs::VERSION_VALUE {
            return Err(DriverError::Version(v));
        }
        let p = dev.read32(regs::PARAMS);
        let want = (arsenic_interface::params::RX_BUF_ADDR_BITS as u32)
            << regs::params::RX_BUF_BITS_SHIFT
            | (arsenic_interface::params::DESC_CACHE_BITS as u32)
                << regs::params::DESC_CACHE_BITS_SHIFT
            | (arsenic_interface::params::DMA_TAG_BITS as u32) << regs::params::DMA_TAG_BITS_SHIFT;
        if p != want {
            return Err(DriverError::Params {
                card: p,
                driver: want,
            });
        }
        Self::reset(dev)?;
        if !(arsenic_interface::eth::MIN_FRAME as u32..=u16::MAX as u32).contains(&max_frame) {
            return Err(DriverError::BadConfig(format!(
                "max frame {max_frame} out of range"
            )));
        }
        dev.write32(regs::MAX_FRAME, max_frame);
        let speed_bit = if speed == Speed::Gbe10 {
            ctrl::SPEED_10G
        } else {
            0
        };
        dev.write32(regs::CTRL, speed_bit);
        Ok(())
    }

    /// Soft-resets the card and waits until it is idle.
    pub fn reset<D: Device>(dev: &mut D) -> Result<(), DriverError> {
        dev.write32(regs::CTRL, ctrl::SOFT_RESET);
        dev.wait(regs::RESET_CYCLES as u64);
        let limit = 100 * regs::RESET_CYCLES as u64;
        let start = dev.now();
        while dev.read32(regs::STATUS) & status::RX_IDLE == 0 {
            if dev.now() - start > limit {
                return Err(DriverError::ResetTimeout(limit));
            }
        }
        Ok(())
    }

    /// Allocates and programs the default (OS) queue, posts every buffer, enables receive.
    pub fn open_default_queue<D: Device>(
        dev: &mut D,
        cfg: QueueConfig,
    ) -> Result<Self, DriverError> {
        if !(1..=15).contains(&cfg.ring_log2) || !(1..=15).contains(&cfg.evq_log2) {
            return Err(DriverError::BadConfig(
                "ring and event queue sizes are 2^1..2^15".into(),
            ));
        }
        if cfg.evq_log2 < cfg.ring_log2 {
            return Err(DriverError::BadConfig(
                "the event queue must be at least as large as the ring".into(),
            ));
        }
        if cfg.buf_size == 0
            || !cfg.buf_size.is_multiple_of(rxdesc::BUFFER_ALIGN as u32)
            || cfg.buf_size > u16::MAX as u32
        {
            return Err(DriverError::BadConfig(format!(
                "buffer size {} must be a non-zero multiple of {} below 65536",
                cfg.buf_size,
                rxdesc::BUFFER_ALIGN
            )));
        }
        if cfg.batch == 0 || cfg.batch as u32 > 1 << cfg.ring_log2 {
            return Err(DriverError::BadConfig(
                "the batch must be 1..=ring entries".into(),
            ));
        }
        let entries = 1usize << cfg.ring_log2;
        let mem = dev.mem();
        let ring = mem.alloc(entries * rxdesc::SIZE, 64)?.addr;
        let evq = mem.alloc((1usize << cfg.evq_log2) * event::SIZE, 64)?.addr;
        let buffers = (0..entries)
            .map(|_| mem.alloc(cfg.buf_size as usize, 64).map(|r| r.addr))
            .collect::<Result<Vec<_>, _>>()?;
        for (i, &b) in buffers.iter().enumerate() {
            let mut d = [0u8; rxdesc::SIZE];
            RxDescriptor::new_checked(&mut d[..])
                .expect("descriptor-sized buffer")
                .set_addr(b);
            mem.write(ring + (i * rxdesc::SIZE) as u64, &d)?;
        }
        dev.write32(regs::RXQ_BASE_LO, ring as u32);
        dev.write32(regs::RXQ_BASE_HI, (ring >> 32) as u32);
        dev.write32(regs::RXQ_SIZE_LOG2, cfg.ring_log2 as u32);
        dev.write32(regs::RXQ_BUF_SIZE, cfg.buf_size);
        dev.write32(regs::EVQ_BASE_LO, evq as u32);
        dev.write32(regs::EVQ_BASE_HI, (evq >> 32) as u32);
        dev.write32(regs::EVQ_SIZE_LOG2, cfg.evq_log2 as u32);
        dev.write32(regs::EVQ_CONS, 0);
        let mut dm = DeviceManager {
            cfg,
            ring,
            evq,
            buffers,
            prod: entries as u16,
            announced: 0,
            ev_next: 0,
            ev_announced: 0,
            held: Vec::new(),
            hold: false,
        };
        dm.ring_doorbell(dev);
        let c = dev.read32(regs::CTRL);
        dev.write32(regs::CTRL, c | ctrl::RX_ENABLE);
        Ok(dm)
    }

    /// The queue's configuration.
    pub fn config(&self) -> &QueueConfig {
        &self.cfg
    }

    fn ring_doorbell<D: Device>(&mut self, dev: &mut D) {
        if self.prod != self.announced {
            dev.write32(regs::RXQ_PROD, self.prod as u32);
            self.announced = self.prod;
        }
    }

    /// Reads every new event, appends the frames to `out`, re-posts their buffers (doorbell
    /// once `batch` are waiting) and tells the card which events it may reuse. Returns the
    /// number of frames.
    pub fn poll<D: Device>(
        &mut self,
        dev: &mut D,
        out: &mut Vec<RxFrame>,
    ) -> Result<usize, DriverError> {
        let ev_mask = (1u16 << self.cfg.evq_log2) - 1;
        let ring_mask = (1u16 << self.cfg.ring_log2) - 1;
        let mut n = 0;
        loop {
            let slot = self.evq + ((self.ev_next & ev_mask) as u64) * event::SIZE as u64;
            let want_phase = (self.ev_next >> self.cfg.evq_log2) & 1 == 0;
            let mem = dev.mem();
            let ev = Event::new_checked(mem.slice(slot, event::SIZE)?).expect("event-sized slice");
            if ev.phase() != want_phase {
                break;
            }
            let r = EventRepr::parse(&ev);
            if r.kind != Kind::Rx {
                return Err(DriverError::BadEvent {
                    index: self.ev_next,
                    what: format!("kind {:?}", r.kind),
                });
            }
            if r.len as u32 > self.cfg.buf_size {
                return Err(DriverError::BadEvent {
                    index: self.ev_next,
                    what: format!("length {}", r.len),
                });
            }
            let buf = self.buffers[(r.desc_index & ring_mask) as usize];
            out.push(RxFrame {
                data: mem.slice(buf, r.len as usize)?.to_vec(),
                timestamp: r.timestamp,
                desc_index: r.desc_index,
                vi: r.vi,
                filter: r.filter,
                status: r.status,
            });
            if self.hold {
                self.held.push(buf);
            } else {
                self.post(dev.mem(), buf)?;
            }
            self.ev_next = self.ev_next.wrapping_add(1);
            n += 1;
        }
        if self.prod.wrapping_sub(self.announced) >= self.cfg.batch {
            self.ring_doorbell(dev);
        }
        if self.ev_next != self.ev_announced {
            dev.write32(regs::EVQ_CONS, self.ev_next as u32);
            self.ev_announced = self.ev_next;
        }
        Ok(n)
    }

    /// Writes a descriptor for `buf` at the producer's slot.
    fn post(&mut self, mem: &mut crate::memory::HostMemory, buf: u64) -> Result<(), DriverError> {
        let ring_mask = (1u16 << self.cfg.ring_log2) - 1;
        let mut d = [0u8; rxdesc::SIZE];
        RxDescriptor::new_checked(&mut d[..])
            .expect("descriptor-sized buffer")
            .set_addr(buf);
        let at = self.ring + ((self.prod & ring_mask) as u64) * rxdesc::SIZE as u64;
        mem.write(at, &d)?;
        self.prod = self.prod.wrapping_add(1);
        Ok(())
    }

    /// While `hold` is set, the buffers of frames received are kept, as by a host that is
    /// slow to give them back; clearing it posts the kept buffers again.
    pub fn hold_buffers<D: Device>(&mut self, dev: &mut D, hold: bool) -> Result<(), DriverError> {
        self.hold = hold;
        if !hold {
            for buf in std::mem::take(&mut self.held) {
                self.post(dev.mem(), buf)?;
            }
            self.ring_doorbell(dev);
        }
        Ok(())
    }

    /// Announces every posted buffer now, whatever the batch.
    pub fn flush<D: Device>(&mut self, dev: &mut D) {
        self.ring_doorbell(dev);
    }

    /// Reads every counter.
    pub fn counters<D: Device>(dev: &mut D) -> Counters {
        let mut c: Counters = Counter::ALL
            .iter()
            .map(|&k| (k, dev.read32(k.offset()) as u64))
            .collect();
        // The byte count is 64 bits in two registers: read HI, LO, HI; retry on a carry.
        loop {
            let hi = dev.read32(Counter::RxDeliveredBytesHi.offset());
            let lo = dev.read32(Counter::RxDeliveredBytesLo.offset());
            if dev.read32(Counter::RxDeliveredBytesHi.offset()) == hi {
                c.insert(Counter::RxDeliveredBytesLo, lo as u64);
                c.insert(Counter::RxDeliveredBytesHi, hi as u64);
                break;
            }
        }
        c
    }

    /// True when nothing is buffered or in flight on the card's receive path.
    pub fn rx_idle<D: Device>(dev: &mut D) -> bool {
        dev.read32(regs::STATUS) & status::RX_IDLE != 0
    }
}
