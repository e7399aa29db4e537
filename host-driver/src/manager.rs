//! The device manager: the kernel's part of the driver.
//!
//! It resets and configures the card, creates and destroys virtual interfaces (VIs): it
//! allocates each VI's descriptor ring and event queue in host memory, pins its buffer
//! memory and registers it in the card's buffer table (a range of ids only that VI may
//! name), programs the VI through the control page and hands the process a
//! [`UserVi`](crate::vi::UserVi). It turns interrupts into wake-ups and reads counters. The
//! default (OS) path is VI 0, owned by the manager itself ([`DeviceManager::poll`]).
//!
//! Every VI transmits too: the manager gives it a transmit ring and transmit buffers (pages
//! of its own, registered after its receive pages, in the one range of buffer ids the VI
//! owns), sets its transmit up with its [`TxSchedule`], changes the schedule live, and keeps
//! the transmit filters a restricted VI's frames must match.

use crate::device::Device;
use crate::filters::FilterManager;
use crate::memory::MemoryError;
use crate::tx::{TxLayout, TxRing};
use crate::vi::{RxBuf, UserVi, ViConfig, ViEvent};
use arsenic_interface::classifier::ClassifierParams;
use arsenic_interface::eth;
use arsenic_interface::params::{self, Speed, PAGE_SIZE};
use arsenic_interface::regs::{self, buftbl, ctrl, status, tx_cmd, vi_cmd, Counter, TxCounter};
use arsenic_interface::{event, txdesc};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

pub use crate::schedule::{Shaping, TxSchedule};

pub use crate::vi::RxFrame;

mod transmit;

/// Errors of the device manager.
#[derive(Debug, Error)]
pub enum DriverError {
    #[error("no card answers: ID reads {0:#010x}, expected {id:#010x}", id = regs::ID_VALUE)]
    NoCard(u32),
    #[error("card layout version {0:#x} is not the driver's {v:#x}", v = regs::VERSION_VALUE)]
    Version(u32),
    #[error("card build parameters {card:#x} differ from the driver's {driver:#x}")]
    Params { card: u32, driver: u32 },
    #[error(
        "the card reports 2^{vi_bits} VIs and 2^{buftbl_bits} buffer-table entries; the driver \
         takes 2^1..=2^{max_vi} VIs and 2^1..=2^{max_bt} entries",
        max_vi = params::VI_BITS,
        max_bt = params::BUFTBL_BITS
    )]
    CardSize { vi_bits: u32, buftbl_bits: u32 },
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
    #[error("no free VI: all {0} are in use")]
    NoVi(usize),
    #[error("VI {0} does not exist")]
    NoSuchVi(u16),
    #[error("the buffer table has no {want} consecutive free entries")]
    BufferTableFull { want: usize },
    #[error("the card refused VI command {op} for VI {vi}: status {status}")]
    ViCommand { op: u32, vi: u16, status: u32 },
    #[error("the card refused transmit command {op} for VI {vi}: status {status}")]
    TxCommand { op: u32, vi: u16, status: u32 },
    #[error("bad transmit schedule: {0}")]
    BadSchedule(String),
    #[error(
        "frame {index} of the batch has {len} bytes; the card sends {min}..={max} \
         (FCS excluded): nothing was queued"
    )]
    BadFrame {
        index: usize,
        len: usize,
        min: u16,
        max: u16,
    },
    #[error("no transmit: {0}")]
    NoTransmit(String),
    #[error(
        "the card refused VI {vi}'s transmit descriptor {index} (or, for error 5, its doorbell \
         value {index}): error {code}"
    )]
    TxRefused { vi: u16, code: u8, index: u16 },
}

/// Bytes of one transmit buffer: half a page, two frames a page. The card sends no frame
/// longer (its store-and-forward slots are this size too) and refuses one that is.
pub const TX_SLOT_SIZE: u32 = (PAGE_SIZE / 2) as u32;

/// Configuration of the default (OS) queue: the same sizes as any VI's.
pub type QueueConfig = ViConfig;

/// Every counter, by name; the byte count's halves are read consistently.
pub type Counters = BTreeMap<Counter, u64>;

/// Every card-wide transmit counter.
pub type TxCounters = BTreeMap<TxCounter, u64>;

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

/// What the manager keeps of a VI it created.
#[derive(Debug, Clone, Copy)]
struct ViRecord {
    bt_first: u32,
    bt_count: u32,
    /// The transmit schedule in force.
    tx: TxSchedule,
}

/// The device manager.
#[derive(Debug)]
pub struct DeviceManager {
    os: UserVi,
    vis: BTreeMap<u16, ViRecord>,
    /// The transmit filter tables.
    tx_filters: FilterManager,
    /// Free buffer-table ranges: first id → count.
    bt_free: BTreeMap<u32, u32>,
    /// VIs interrupted and not yet handed out.
    woken: BTreeSet<u16>,
    /// The card's VIs.
    vi_count: usize,
}

/// The sizes a card reports in `PARAMS` and `PARAMS2` (a board's card is smaller than the
/// simulation's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardSize {
    /// log2 of the VIs.
    pub vi_bits: u32,
    /// log2 of the buffer table's entries.
    pub buftbl_bits: u32,
}

impl CardSize {
    /// Reads the card's sizes; refuses sizes beyond what the driver's layouts allow.
    pub fn read<D: Device>(dev: &mut D) -> Result<CardSize, DriverError> {
        let p = dev.read32(regs::PARAMS);
        let p2 = dev.read32(regs::PARAMS2);
        let size = CardSize {
            vi_bits: (p >> regs::params::VI_BITS_SHIFT) & 0xFF,
            buftbl_bits: (p2 >> regs::params2::BUFTBL_BITS_SHIFT) & 0xFF,
        };
        if size.vi_bits == 0
            || size.vi_bits > params::VI_BITS as u32
            || size.buftbl_bits == 0
            || size.buftbl_bits > params::BUFTBL_BITS as u32
        {
            return Err(DriverError::CardSize {
                vi_bits: size.vi_bits,
                buftbl_bits: size.buftbl_bits,
            });
        }
        Ok(size)
    }
}

/// The expected value of `PARAMS`.
pub fn params_word() -> u32 {
    (params::RX_BUF_ADDR_BITS as u32) << regs::params::RX_BUF_BITS_SHIFT
        | (params::DESC_PER_VI_BITS as u32) << regs::params::DESC_PER_VI_BITS_SHIFT
        | (params::DMA_TAG_BITS as u32) << regs::params::DMA_TAG_BITS_SHIFT
        | (params::VI_BITS as u32) << regs::params::VI_BITS_SHIFT
}

/// `PARAMS2` of a card of the simulation configuration.
pub fn params2_word() -> u32 {
    (params::BUFTBL_BITS as u32) << regs::params2::BUFTBL_BITS_SHIFT
        | (params::IRQ_TIMERS as u32) << regs::params2::IRQ_TIMERS_SHIFT
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
        let want = params_word();
        // A board's card may have fewer VIs than the simulation's; everything else must match.
        let vi_field = 0xFFu32 << regs::params::VI_BITS_SHIFT;
        let vi_bits = (p >> regs::params::VI_BITS_SHIFT) & 0xFF;
        if p & !vi_field != want & !vi_field || vi_bits == 0 || vi_bits > params::VI_BITS as u32 {
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
        // The reset pulse, then the VI engine forgets one VI a cycle.
        let limit = 100 * regs::RESET_CYCLES as u64 + 4 * params::VI_COUNT as u64;
        let start = dev.now();
        // (Transmit is idle once the host reads in flight at the reset have come back.)
        let idle = status::RX_IDLE | status::TX_IDLE;
        while dev.read32(regs::STATUS) & idle != idle {
            if dev.now() - start > limit {
                return Err(DriverError::ResetTimeout(limit));
            }
        }
        Ok(())
    }

    /// Creates the default (OS) path, VI 0, with every buffer posted and transmit set up
    /// unrestricted, clears the transmit filters (sized `ClassifierParams::TX_SIM`) and
    /// enables receive.
    pub fn open_default_queue<D: Device>(
        dev: &mut D,
        cfg: QueueConfig,
    ) -> Result<Self, DriverError> {
        Self::open_with_tx_filters(dev, cfg, ClassifierParams::TX_SIM)
    }

    /// [`open_default_queue`](Self::open_default_queue) for a card whose transmit filter
    /// tables have the sizes `tx_filters`.
    pub fn open_with_tx_filters<D: Device>(
        dev: &mut D,
        cfg: QueueConfig,
        tx_filters: ClassifierParams,
    ) -> Result<Self, DriverError> {
        let mut cfg = cfg;
        cfg.tx.unrestricted = true;
        let size = CardSize::read(dev)?;
        let mut bt_free = BTreeMap::new();
        bt_free.insert(0, 1u32 << size.buftbl_bits);
        let mut dm = DeviceManager {
            os: UserVi::new(
                0,
                cfg.clone(),
                0,
                0,
                0,
                Vec::new(),
                Vec::new(),
                TxRing::none(),
            ),
            vis: BTreeMap::new(),
            tx_filters: FilterManager::new_tx(tx_filters),
            bt_free,
            woken: BTreeSet::new(),
            vi_count: 1 << size.vi_bits,
        };
        dm.tx_filters.clear(dev);
        dm.os = dm.create_vi_at(dev, 0, cfg)?;
        dm.os.refill(dev, true)?;
        dm.os.wait_prefetched(dev, 100_000);
        let c = dev.read32(regs::CTRL);
        dev.write32(regs::CTRL, c | ctrl::RX_ENABLE);
        Ok(dm)
    }

    /// The default queue's configuration.
    pub fn config(&self) -> &QueueConfig {
        self.os.config()
    }

    /// The OS VI.
    pub fn os_vi(&mut self) -> &mut UserVi {
        &mut self.os
    }

    /// Creates a VI on the lowest free number for a process: its rings, its receive and
    /// transmit buffers (registered in the buffer table, owned by the VI alone), the card's
    /// state, and its transmit set up with `cfg.tx`. The process posts its buffers itself
    /// ([`UserVi::refill`]).
    ///
    /// The VI may have at most [`ViConfig::tx_capacity`] transmit descriptors in flight:
    /// size `evq_log2` for the receive ring plus the transmit descriptors wanted.
    pub fn create_vi<D: Device>(
        &mut self,
        dev: &mut D,
        cfg: ViConfig,
    ) -> Result<UserVi, DriverError> {
        let vi = (1..self.vi_count as u16)
            .find(|v| !self.vis.contains_key(v))
            .ok_or(DriverError::NoVi(self.vi_count))?;
        self.create_vi_at(dev, vi, cfg)
    }

    /// Creates VI number `vi` (as [`create_vi`](Self::create_vi) does), for configurations that
    /// name their VIs.
    pub fn create_vi_at<D: Device>(
        &mut self,
        dev: &mut D,
        vi: u16,
        cfg: ViConfig,
    ) -> Result<UserVi, DriverError> {
        cfg.check()?;
        if vi as usize >= self.vi_count {
            return Err(DriverError::NoSuchVi(vi));
        }
        if self.vis.contains_key(&vi) {
            return Err(DriverError::BadConfig(format!("VI {vi} exists")));
        }
        let max_frame = Self::max_frame(dev)?;
        let tx_regs = cfg.tx.registers(max_frame)?;
        let per_page = (PAGE_SIZE / cfg.buf_size as u64) as usize;
        let rx_pages = cfg.buffers.div_ceil(per_page);
        // Transmit buffers: half-page slots (frames longer than that are not sent).
        let tx_slot = TX_SLOT_SIZE as u64;
        let tx_len =
            (max_frame - eth::FCS_LEN as u32).min(arsenic_interface::txdesc::MAX_LEN as u32);
        let tx_pages = cfg.tx_buffers.div_ceil((PAGE_SIZE / tx_slot) as usize);
        let npages = rx_pages + tx_pages;
        let bt_first = self.alloc_ids(npages)?;
        let mem = dev.mem();
        let alloc = (|| {
            let ring = mem.alloc((1usize << cfg.ring_log2) * 8, 64)?.addr;
            let evq = mem
                .alloc(
                    (1usize << cfg.evq_log2) * arsenic_interface::event::SIZE,
                    64,
                )?
                .addr;
            let tx_ring = mem
                .alloc((1usize << cfg.tx_ring_log2) * txdesc::SIZE, 64)?
                .addr;
            let region = mem.alloc(npages * PAGE_SIZE as usize, PAGE_SIZE as usize)?;
            Ok::<_, MemoryError>((ring, evq, tx_ring, region))
        })();
        let (ring, evq, tx_ring, region) = match alloc {
            Ok(x) => x,
            Err(e) => {
                self.free_ids(bt_first, npages as u32);
                return Err(e.into());
            }
        };
        let pages: Vec<u64> = (0..npages)
            .map(|i| region.addr + i as u64 * PAGE_SIZE)
            .collect();
        for (i, &p) in pages.iter().enumerate() {
            let e = buftbl::entry(p, vi);
            let at = regs::buftbl_entry(bt_first + i as u32);
            dev.write32(at, e as u32);
            dev.write32(at + 4, (e >> 32) as u32);
        }
        let mut free: Vec<RxBuf> = (0..cfg.buffers)
            .map(|i| RxBuf {
                id: bt_first + (i / per_page) as u32,
                offset: ((i % per_page) as u64 * cfg.buf_size as u64) as u16,
            })
            .collect();
        free.reverse();
        for (reg, v) in [
            (regs::VI_RXQ_BASE_LO, ring as u32),
            (regs::VI_RXQ_BASE_HI, (ring >> 32) as u32),
            (regs::VI_RXQ_SIZE_LOG2, cfg.ring_log2 as u32),
            (regs::VI_BUF_SIZE, cfg.buf_size),
            (regs::VI_EVQ_BASE_LO, evq as u32),
            (regs::VI_EVQ_BASE_HI, (evq >> 32) as u32),
            (regs::VI_EVQ_SIZE_LOG2, cfg.evq_log2 as u32),
            (regs::VI_BUF_FIRST, bt_first),
            (regs::VI_BUF_COUNT, npages as u32),
            (regs::VI_HOLDOFF, cfg.holdoff as u32),
        ] {
            dev.write32(reg, v);
        }
        // A descriptor read of the VI's previous life may still be in flight: retry.
        let mut tries = 0;
        loop {
            dev.write32(regs::VI_CMD, vi_cmd::word(vi_cmd::CREATE, vi));
            let st = dev.read32(regs::VI_CMD_STATUS);
            if st == vi_cmd::STATUS_OK {
                break;
            }
            tries += 1;
            if st != vi_cmd::STATUS_BUSY || tries > 1000 {
                self.free_ids(bt_first, npages as u32);
                return Err(DriverError::ViCommand {
                    op: vi_cmd::CREATE,
                    vi,
                    status: st,
                });
            }
            dev.wait(16);
        }
        // Transmit, once the VI exists.
        for (reg, v) in [
            (regs::TX_RING_BASE_LO, tx_ring as u32),
            (regs::TX_RING_BASE_HI, (tx_ring >> 32) as u32),
            (regs::TX_RING_SIZE_LOG2, cfg.tx_ring_log2 as u32),
        ] {
            dev.write32(reg, v);
        }
        if let Err(e) = Self::tx_command(dev, tx_cmd::SETUP, vi, Some(tx_regs)) {
            dev.write32(regs::VI_CMD, vi_cmd::word(vi_cmd::DESTROY, vi));
            dev.read32(regs::VI_CMD_STATUS);
            self.release_ids(dev, bt_first, npages as u32);
            return Err(e);
        }
        self.vis.insert(
            vi,
            ViRecord {
                bt_first,
                bt_count: npages as u32,
                tx: cfg.tx,
            },
        );
        let cap = cfg.tx_capacity();
        let no_room = match (cap, cfg.tx_buffers) {
            (0, 0) => Some("the VI has no transmit buffers (ViConfig::tx_buffers)".to_string()),
            (0, _) => Some(format!(
                "the event queue (2^{}) has no room beyond the receive ring (2^{}) for \
                 transmit events: raise evq_log2",
                cfg.evq_log2, cfg.ring_log2
            )),
            _ => None,
        };
        let tx = TxRing::new(TxLayout {
            ring: tx_ring,
            log2: cfg.tx_ring_log2,
            slot_size: tx_slot as u32,
            max_len: tx_len as u16,
            cap,
            no_room,
            first_id: bt_first + rx_pages as u32,
            pages: pages[rx_pages..].to_vec(),
            buffers: cfg.tx_buffers,
        });
        let rx_pages_addrs = pages[..rx_pages].to_vec();
        Ok(UserVi::new(
            vi,
            cfg,
            ring,
            evq,
            bt_first,
            rx_pages_addrs,
            free,
            tx,
        ))
    }

    /// Clears buffer-table entries and frees their ids.
    fn release_ids<D: Device>(&mut self, dev: &mut D, first: u32, count: u32) {
        for i in 0..count {
            let at = regs::buftbl_entry(first + i);
            dev.write32(at, 0);
            dev.write32(at + 4, 0);
        }
        self.free_ids(first, count);
    }

    /// Destroys a process's VI. Its transmit is disabled first and its transmit filters
    /// removed (a later VI on its number inherits none). When this returns the card writes
    /// nothing more into the VI's memory: frames its filters still choose are dropped and
    /// counted (`vi_missing`); remove its receive filters first to send that traffic to the
    /// OS path instead. Its buffer-table entries are cleared and their ids reused; its host
    /// memory is not (the simulation's allocator never frees).
    pub fn destroy_vi<D: Device>(&mut self, dev: &mut D, vi: UserVi) -> Result<(), DriverError> {
        let n = vi.vi();
        let rec = self.vis.get(&n).copied().ok_or(DriverError::NoSuchVi(n))?;
        if n == 0 {
            return Err(DriverError::BadConfig("VI 0 is the OS path".into()));
        }
        Self::tx_command(dev, tx_cmd::DISABLE, n, None)?;
        // Frames already started finish (their buffers are read) before the VI's memory can
        // go to anyone else; a descriptor read in flight lands.
        Self::wait_tx_quiet(dev, n)?;
        let ids: Vec<u16> = self
            .tx_filters
            .list()
            .filter(|f| f.vi == n)
            .map(|f| f.id)
            .collect();
        for id in ids {
            self.tx_filters.remove(dev, id)?;
        }
        dev.write32(regs::VI_CMD, vi_cmd::word(vi_cmd::DESTROY, n));
        let st = dev.read32(regs::VI_CMD_STATUS);
        if st != vi_cmd::STATUS_OK {
            return Err(DriverError::ViCommand {
                op: vi_cmd::DESTROY,
                vi: n,
                status: st,
            });
        }
        // Wait until every write the card decided before the destroy has been done.
        let seq = dev.read32(regs::VI_CMD_SEQ);
        let start = dev.now();
        while (dev.read32(regs::RX_DONE_SEQ).wrapping_sub(seq) as i32) < 0 {
            if dev.now() - start > 1_000_000 {
                return Err(DriverError::ResetTimeout(1_000_000));
            }
        }
        self.release_ids(dev, rec.bt_first, rec.bt_count);
        self.vis.remove(&n);
        self.woken.remove(&n);
        Ok(())
    }

    /// VIs that exist, VI 0 included.
    pub fn vis(&self) -> impl Iterator<Item = u16> + '_ {
        self.vis.keys().copied()
    }

    fn alloc_ids(&mut self, want: usize) -> Result<u32, DriverError> {
        let (&first, &count) = self
            .bt_free
            .iter()
            .find(|(_, &c)| c as usize >= want)
            .ok_or(DriverError::BufferTableFull { want })?;
        self.bt_free.remove(&first);
        if count as usize > want {
            self.bt_free
                .insert(first + want as u32, count - want as u32);
        }
        Ok(first)
    }

    fn free_ids(&mut self, first: u32, count: u32) {
        let mut first = first;
        let mut count = count;
        if let Some((&f, &c)) = self.bt_free.range(..first).next_back() {
            if f + c == first {
                self.bt_free.remove(&f);
                first = f;
                count += c;
            }
        }
        if let Some(&c) = self.bt_free.get(&(first + count)) {
            self.bt_free.remove(&(first + count));
            count += c;
        }
        self.bt_free.insert(first, count);
    }

    /// Collects the interrupts the card raised since the last call; returns the VIs woken
    /// (each once), in VI order.
    pub fn wakeups<D: Device>(&mut self, dev: &mut D) -> Vec<u16> {
        self.woken.extend(dev.take_interrupts());
        std::mem::take(&mut self.woken).into_iter().collect()
    }

    /// Sleeps until the card interrupts for one of `vis` (armed by their owners), at most
    /// `max_cycles`; returns the VIs woken.
    pub fn wait_for<D: Device>(&mut self, dev: &mut D, vis: &[u16], max_cycles: u64) -> Vec<u16> {
        let start = dev.now();
        loop {
            self.woken.extend(dev.take_interrupts());
            let hit: Vec<u16> = vis
                .iter()
                .copied()
                .filter(|v| self.woken.contains(v))
                .collect();
            if !hit.is_empty() {
                for v in &hit {
                    self.woken.remove(v);
                }
                return hit;
            }
            if dev.now() - start >= max_cycles {
                return Vec::new();
            }
            dev.wait(1);
        }
    }

    /// Reads every new event of the OS path; frames go to `out` (all of them, even when an
    /// error event among them makes the call fail), transmit completions free the OS path's
    /// transmit buffers.
    pub fn poll<D: Device>(
        &mut self,
        dev: &mut D,
        out: &mut Vec<RxFrame>,
    ) -> Result<usize, DriverError> {
        let mut evs = Vec::new();
        let n = self.os.poll(dev, &mut evs)?;
        let mut err = None;
        for e in evs {
            match e {
                ViEvent::Rx(f) => out.push(f),
                ViEvent::Error { code, index } => {
                    err.get_or_insert(match code {
                        event::error::TX_DOORBELL..=event::error::TX_SPOOFED => {
                            DriverError::TxRefused { vi: 0, code, index }
                        }
                        _ => DriverError::BadEvent {
                            index,
                            what: format!("error event {code} on the OS path"),
                        },
                    });
                }
            }
        }
        err.map_or(Ok(n), Err)
    }

    /// While `hold` is set, the OS path keeps the buffers of frames received, as a host slow
    /// to give them back; clearing it posts them again.
    pub fn hold_buffers<D: Device>(&mut self, dev: &mut D, hold: bool) -> Result<(), DriverError> {
        self.os.hold_buffers(dev, hold)
    }

    /// Announces every posted OS buffer now, whatever the batch.
    pub fn flush<D: Device>(&mut self, dev: &mut D) {
        self.os.doorbell(dev);
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
