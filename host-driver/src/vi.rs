//! The user-level library: one process's virtual interface (VI), used without the kernel on
//! the data path, in the style of ef_vi and ixy.
//!
//! A [`UserVi`] comes from the device manager
//! ([`DeviceManager::create_vi`](crate::DeviceManager::create_vi)), which has allocated its
//! rings and event queue, registered its buffer memory in the card's buffer table and created
//! the VI on the card. From then on the process touches only what the handle holds: its
//! doorbell page ([`DoorbellPage`], which can address no other page), its descriptor ring,
//! its event queue and its buffers. Buffers are named to the card by buffer id and offset,
//! never by address.
//!
//! Ring steps (free-running 16-bit indices; a ring of 2^k entries uses the low k bits):
//! 1. [`UserVi::refill`] writes a descriptor for each free buffer at `prod` and rings the
//!    `RX_PROD` doorbell once a batch is waiting.
//! 2. The card consumes descriptors in ring order and writes one event per frame (or per
//!    refused descriptor) into the event queue.
//! 3. [`UserVi::poll`] reads events while the phase bit of the entry at `ev_next` equals
//!    `(ev_next >> k) & 1 == 0`, hands each frame to the caller, returns its buffer to the free
//!    list and tells the card (`EVQ_CONS`) which entries it may reuse.
//! 4. To sleep, [`UserVi::arm`] tells the card the events consumed and arms the interrupt;
//!    the device manager turns the interrupt into a wake-up.
//!
//! Transmit, in batches: [`UserVi::transmit`] copies frames into the VI's transmit buffers,
//! writes their descriptors and rings `TX_PROD` once; [`UserVi::poll`] reads the card's
//! completions from the same event queue and frees the buffers (the ring's steps are in
//! the crate's `tx.rs`).

use crate::device::Device;
use crate::manager::DriverError;
use crate::schedule::TxSchedule;
use crate::tx::TxRing;
use arsenic_interface::event::{self, Event, EventRepr, Kind};
use arsenic_interface::regs::{db, db_page, TxViCounter, ViCounter};
use arsenic_interface::rxdesc;
use std::collections::BTreeMap;

/// A buffer as the card knows it: a buffer-table id and the offset in that page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RxBuf {
    pub id: u32,
    pub offset: u16,
}

/// The registers of a doorbell page a process may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbReg {
    RxProd,
    EvqCons,
    IrqArm,
    RxCons,
    EvqProd,
    Status,
    Counter(ViCounter),
    TxProd,
    TxFetched,
    TxStarted,
    TxDone,
    TxStatus,
    TxCounter(TxViCounter),
}

impl DbReg {
    fn offset(self) -> u32 {
        match self {
            DbReg::RxProd => db::RX_PROD,
            DbReg::EvqCons => db::EVQ_CONS,
            DbReg::IrqArm => db::IRQ_ARM,
            DbReg::RxCons => db::RX_CONS,
            DbReg::EvqProd => db::EVQ_PROD,
            DbReg::Status => db::STATUS,
            DbReg::Counter(c) => c.offset(),
            DbReg::TxProd => db::TX_PROD,
            DbReg::TxFetched => db::TX_FETCHED,
            DbReg::TxStarted => db::TX_STARTED,
            DbReg::TxDone => db::TX_DONE,
            DbReg::TxStatus => db::TX_STATUS,
            DbReg::TxCounter(c) => c.offset(),
        }
    }
}

/// One VI's doorbell page: the only MMIO a process has. It cannot name another page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoorbellPage {
    vi: u16,
}

impl DoorbellPage {
    pub(crate) fn new(vi: u16) -> Self {
        DoorbellPage { vi }
    }
    /// The VI whose page this is.
    pub fn vi(&self) -> u16 {
        self.vi
    }
    /// Writes a register of this page.
    pub fn write<D: Device>(&self, dev: &mut D, reg: DbReg, value: u32) {
        dev.write32(db_page(self.vi) + reg.offset(), value);
    }
    /// Reads a register of this page.
    pub fn read<D: Device>(&self, dev: &mut D, reg: DbReg) -> u32 {
        dev.read32(db_page(self.vi) + reg.offset())
    }
    /// Reads the VI's transmit counters.
    pub fn tx_stats<D: Device>(&self, dev: &mut D) -> TxViStats {
        TxViCounter::ALL
            .iter()
            .map(|&c| (c, self.read(dev, DbReg::TxCounter(c))))
            .collect()
    }
}

/// What a VI's event queue reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViEvent {
    /// A frame.
    Rx(RxFrame),
    /// The card refused a descriptor or a doorbell: `code` from `event::error`, `index` the
    /// ring index of the descriptor or the refused doorbell value. Transmit codes
    /// (`TX_BAD_BUFFER`, `TX_BAD_DESC`, `TX_SPOOFED`) name a transmit descriptor whose frame
    /// was not sent (its buffer is free again); `TX_DOORBELL` a refused `TX_PROD` value.
    Error { code: u8, index: u16 },
}

/// A frame the process received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RxFrame {
    /// The frame, FCS excluded.
    pub data: Vec<u8>,
    /// The card's timestamp (clock cycles) when it wrote the frame's data.
    pub timestamp: u64,
    /// The ring index of the descriptor the card used.
    pub desc_index: u16,
    /// The virtual interface the card chose.
    pub vi: u16,
    /// The filter that chose it ([`event::FILTER_NONE`] for the default path).
    pub filter: u16,
    /// What the card's header parser found (`arsenic_interface::event::status`).
    pub status: u8,
}

/// A VI's counters, read from its doorbell page.
pub type ViStats = BTreeMap<ViCounter, u32>;

/// A VI's transmit counters, read from its doorbell page.
pub type TxViStats = BTreeMap<TxViCounter, u32>;

/// Sizes of a VI's rings and buffers, and its transmit schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct ViConfig {
    /// log2 of the descriptor ring's entries (1..=15).
    pub ring_log2: u8,
    /// log2 of the event queue's entries (1..=15); at least the ring's.
    pub evq_log2: u8,
    /// Largest frame a buffer takes: a multiple of 8, at most a page.
    pub buf_size: u32,
    /// Buffers registered (the ring is kept as full as they allow).
    pub buffers: usize,
    /// Descriptors posted per doorbell.
    pub batch: u16,
    /// Interrupt holdoff in clock cycles.
    pub holdoff: u16,
    /// log2 of the transmit ring's entries (1..=15).
    pub tx_ring_log2: u8,
    /// Transmit buffers registered, one frame each (half a page: `manager::TX_SLOT_SIZE`;
    /// their own pages, after the receive buffers'). 0: no transmit.
    /// The default is small so that every VI of the card fits the buffer table; take 64 or
    /// more for line rate.
    pub tx_buffers: usize,
    /// How the card schedules the VI's transmit. The OS path (VI 0) is always unrestricted.
    pub tx: TxSchedule,
}

impl Default for ViConfig {
    fn default() -> Self {
        ViConfig {
            ring_log2: 9,
            evq_log2: 10,
            buf_size: 2048,
            buffers: 512,
            batch: 16,
            holdoff: 0,
            tx_ring_log2: 9,
            tx_buffers: 8,
            tx: TxSchedule::default(),
        }
    }
}

impl ViConfig {
    /// Checks the sizes and what of the schedule does not depend on the card.
    pub fn check(&self) -> Result<(), DriverError> {
        let bad = |s: String| Err(DriverError::BadConfig(s));
        if ![self.ring_log2, self.evq_log2, self.tx_ring_log2]
            .iter()
            .all(|l| (1..=15).contains(l))
        {
            return bad("ring and event queue sizes are 2^1..2^15".into());
        }
        if self.evq_log2 < self.ring_log2 {
            return bad("the event queue must be at least as large as the ring".into());
        }
        if self.buf_size == 0
            || !self.buf_size.is_multiple_of(rxdesc::BUFFER_ALIGN as u32)
            || self.buf_size as u64 > arsenic_interface::params::PAGE_SIZE
        {
            return bad(format!(
                "buffer size {} must be a non-zero multiple of {} of at most a page ({})",
                self.buf_size,
                rxdesc::BUFFER_ALIGN,
                arsenic_interface::params::PAGE_SIZE
            ));
        }
        if self.buffers == 0 {
            return bad("a VI needs at least one buffer".into());
        }
        if self.batch == 0
            || self.batch as u32 > 1 << self.ring_log2
            || self.batch as usize > self.buffers
        {
            return bad("the batch must be 1..=ring entries and at most the buffers".into());
        }
        self.tx.check()
    }

    /// Most transmit descriptors in flight: the ring, the buffers, and the event queue's
    /// entries beyond the receive ring (each descriptor in flight may cause one event, so
    /// that the card never finds the queue full). 0 if no transmit is possible.
    pub fn tx_capacity(&self) -> u16 {
        let evq_room = (1usize << self.evq_log2).saturating_sub(1usize << self.ring_log2);
        (1usize << self.tx_ring_log2)
            .min(self.tx_buffers)
            .min(evq_room) as u16
    }
}

/// A process's VI.
#[derive(Debug)]
pub struct UserVi {
    page: DoorbellPage,
    cfg: ViConfig,
    ring: u64,
    evq: u64,
    first_id: u32,
    /// Host address of each registered page, by `id - first_id`.
    pages: Vec<u64>,
    free: Vec<RxBuf>,
    /// The buffer posted at each ring slot.
    posted: Vec<Option<RxBuf>>,
    tx: TxRing,
    prod: u16,
    announced: u16,
    ev_next: u16,
    /// Descriptors whose event has been read (one event per descriptor, in ring order).
    cons_desc: u16,
    hold: bool,
}

impl UserVi {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        vi: u16,
        cfg: ViConfig,
        ring: u64,
        evq: u64,
        first_id: u32,
        pages: Vec<u64>,
        free: Vec<RxBuf>,
        tx: TxRing,
    ) -> Self {
        let entries = 1usize << cfg.ring_log2;
        UserVi {
            page: DoorbellPage::new(vi),
            cfg,
            ring,
            evq,
            first_id,
            pages,
            free,
            posted: vec![None; entries],
            tx,
            prod: 0,
            announced: 0,
            ev_next: 0,
            cons_desc: 0,
            hold: false,
        }
    }

    /// The VI's number.
    pub fn vi(&self) -> u16 {
        self.page.vi
    }
    /// The VI's doorbell page.
    pub fn page(&self) -> DoorbellPage {
        self.page
    }
    /// The VI's sizes.
    pub fn config(&self) -> &ViConfig {
        &self.cfg
    }
    /// The buffer ids the VI owns, receive and transmit: `first .. first + count`.
    pub fn buffer_ids(&self) -> std::ops::Range<u32> {
        self.first_id..self.tx.buffer_ids().end.max(self.rx_buffer_ids().end)
    }
    /// The receive buffer ids.
    pub fn rx_buffer_ids(&self) -> std::ops::Range<u32> {
        self.first_id..self.first_id + self.pages.len() as u32
    }
    /// The transmit buffer ids (after the receive ones; empty without transmit buffers).
    pub fn tx_buffer_ids(&self) -> std::ops::Range<u32> {
        self.tx.buffer_ids()
    }
    /// The host memory the card may write for this VI: its event queue and its receive
    /// pages, as `(start, end)` bus addresses (the card only reads the transmit pages).
    pub fn card_writable(&self) -> Vec<(u64, u64)> {
        let evq_len = (1u64 << self.cfg.evq_log2) * event::SIZE as u64;
        let mut v = vec![(self.evq, self.evq + evq_len)];
        v.extend(
            self.pages
                .iter()
                .map(|&p| (p, p + arsenic_interface::params::PAGE_SIZE)),
        );
        v
    }

    /// Buffers not posted to the card.
    pub fn free_buffers(&self) -> usize {
        self.free.len()
    }
    /// Descriptors posted and not yet used (as far as the process knows).
    pub fn outstanding(&self) -> u16 {
        self.prod.wrapping_sub(self.cons_desc)
    }

    fn ring_size(&self) -> u16 {
        1u16 << self.cfg.ring_log2
    }

    fn ring_mask(&self) -> u16 {
        ((1u32 << self.cfg.ring_log2) - 1) as u16
    }

    /// Posts free buffers while the ring has room, ringing the doorbell once `batch` wait
    /// (or at once with `flush`).
    pub fn refill<D: Device>(&mut self, dev: &mut D, flush: bool) -> Result<(), DriverError> {
        // Descriptors whose event has not been read may still be in use by the card.
        while !self.hold && self.prod.wrapping_sub(self.cons_desc) < self.ring_size() {
            let Some(b) = self.free.pop() else { break };
            self.write_desc(dev, rxdesc::word(b.id, b.offset), Some(b))?;
        }
        let waiting = self.prod.wrapping_sub(self.announced);
        if waiting != 0 && (flush || waiting >= self.cfg.batch) {
            self.doorbell(dev);
        }
        Ok(())
    }

    fn write_desc<D: Device>(
        &mut self,
        dev: &mut D,
        word: u64,
        buf: Option<RxBuf>,
    ) -> Result<(), DriverError> {
        let slot = (self.prod & self.ring_mask()) as usize;
        let at = self.ring + (slot * rxdesc::SIZE) as u64;
        dev.mem().write(at, &word.to_le_bytes())?;
        self.posted[slot] = buf;
        self.prod = self.prod.wrapping_add(1);
        Ok(())
    }

    /// Waits (at most `max_cycles`) until the card holds the posted descriptors it has room
    /// for: no descriptor read in flight or waiting. Returns false on timeout.
    pub fn wait_prefetched<D: Device>(&self, dev: &mut D, max_cycles: u64) -> bool {
        let start = dev.now();
        loop {
            let st = self.page.read(dev, DbReg::Status);
            if st & (db::STATUS_FETCHING | db::STATUS_FETCH_QUEUED) == 0 {
                return true;
            }
            if dev.now() - start > max_cycles {
                return false;
            }
            dev.wait(8);
        }
    }

    /// Rings the receive doorbell with every descriptor written so far.
    pub fn doorbell<D: Device>(&mut self, dev: &mut D) {
        if self.prod != self.announced {
            self.page.write(dev, DbReg::RxProd, self.prod as u32);
            self.announced = self.prod;
        }
    }

    /// Reads every new event into `out`, returns the buffers of received frames to the free
    /// list, tells the card the events consumed and posts buffers again. Transmit
    /// completions free their buffers and are not reported; refused transmit descriptors
    /// and doorbells come as [`ViEvent::Error`]. Returns the number of events.
    pub fn poll<D: Device>(
        &mut self,
        dev: &mut D,
        out: &mut Vec<ViEvent>,
    ) -> Result<usize, DriverError> {
        self.poll_at_most(dev, out, usize::MAX)
    }

    /// [`poll`](Self::poll), reading at most `max` events: what a process with a bounded
    /// budget does. Events left in the queue keep their buffers, so the card drops further
    /// frames of this VI early, at no cost to the host, once its ring runs dry.
    pub fn poll_at_most<D: Device>(
        &mut self,
        dev: &mut D,
        out: &mut Vec<ViEvent>,
        max: usize,
    ) -> Result<usize, DriverError> {
        let ev_mask = ((1u32 << self.cfg.evq_log2) - 1) as u16;
        let mut n = 0;
        let mut tx_refused = false;
        while n < max {
            let slot = self.evq + ((self.ev_next & ev_mask) as u64) * event::SIZE as u64;
            let want_phase = (self.ev_next >> self.cfg.evq_log2) & 1 == 0;
            let mem = dev.mem();
            let ev = Event::new_checked(mem.slice(slot, event::SIZE)?).expect("event-sized slice");
            if ev.phase() != want_phase {
                break;
            }
            let r = EventRepr::parse(&ev);
            match r.kind {
                Kind::Rx => {
                    let ring_slot = (r.desc_index & self.ring_mask()) as usize;
                    let buf =
                        self.posted[ring_slot]
                            .take()
                            .ok_or_else(|| DriverError::BadEvent {
                                index: self.ev_next,
                                what: format!("descriptor {} was not posted", r.desc_index),
                            })?;
                    if r.len as u32 > self.cfg.buf_size || r.desc_index != self.cons_desc {
                        return Err(DriverError::BadEvent {
                            index: self.ev_next,
                            what: format!("length {} descriptor {}", r.len, r.desc_index),
                        });
                    }
                    self.cons_desc = self.cons_desc.wrapping_add(1);
                    let addr = self.buf_addr(buf)?;
                    out.push(ViEvent::Rx(RxFrame {
                        data: mem.slice(addr, r.len as usize)?.to_vec(),
                        timestamp: r.timestamp,
                        desc_index: r.desc_index,
                        vi: r.vi,
                        filter: r.filter,
                        status: r.status,
                    }));
                    self.free.push(buf);
                }
                Kind::TxDone => {
                    if self.tx.finished(r.desc_index).is_none() {
                        return Err(DriverError::BadEvent {
                            index: self.ev_next,
                            what: format!(
                                "transmit completion for descriptor {} never written",
                                r.desc_index
                            ),
                        });
                    }
                }
                Kind::Error => {
                    if matches!(
                        r.status,
                        event::error::TX_BAD_BUFFER
                            | event::error::TX_BAD_DESC
                            | event::error::TX_SPOOFED
                    ) {
                        // Consumed, not sent; reported below.
                        tx_refused |= self.tx.refused(r.desc_index);
                    }
                    if matches!(
                        r.status,
                        event::error::BAD_BUFFER | event::error::BAD_OFFSET
                    ) {
                        // The card consumed the refused descriptor.
                        let ring_slot = (r.desc_index & self.ring_mask()) as usize;
                        if let Some(b) = self.posted[ring_slot].take() {
                            if self.usable(b) {
                                self.free.push(b);
                            }
                        }
                        self.cons_desc = self.cons_desc.wrapping_add(1);
                    }
                    out.push(ViEvent::Error {
                        code: r.status,
                        index: r.desc_index,
                    });
                }
                other => {
                    return Err(DriverError::BadEvent {
                        index: self.ev_next,
                        what: format!("kind {other:?}"),
                    })
                }
            }
            self.ev_next = self.ev_next.wrapping_add(1);
            n += 1;
        }
        if n > 0 {
            // Entries free first, then new receive buffers that may fill them.
            self.page.write(dev, DbReg::EvqCons, self.ev_next as u32);
            self.refill(dev, false)?;
        }
        if tx_refused && self.tx.in_flight() > 0 {
            // A refusal may end a batch without a completion for the descriptors before it.
            self.tx_reclaim(dev);
        }
        Ok(n)
    }

    /// Queues as many of `frames` as there are free transmit buffers and ring entries for
    /// (copied into the VI's buffers, one descriptor each) and rings the transmit doorbell
    /// once. Returns how many were queued, from the first; the rest wait for
    /// [`poll`](Self::poll) to return buffers. A frame shorter than 14 bytes or longer than
    /// the card sends (its `MAX_FRAME` less the FCS) fails the whole batch, nothing queued.
    pub fn transmit<D: Device, F: AsRef<[u8]>>(
        &mut self,
        dev: &mut D,
        frames: &[F],
    ) -> Result<usize, DriverError> {
        self.tx.check(frames)?;
        let n = self.tx.queue(dev.mem(), frames)?;
        if n > 0 {
            self.page.write(dev, DbReg::TxProd, self.tx.prod() as u32);
        }
        Ok(n)
    }

    /// Frames [`transmit`](Self::transmit) would take now.
    pub fn tx_free(&self) -> usize {
        self.tx.room()
    }
    /// Transmit descriptors queued and not yet known to be finished.
    pub fn tx_in_flight(&self) -> u16 {
        self.tx.in_flight()
    }
    /// Transmit descriptors finished (sent or refused) since the VI was created.
    pub fn tx_completed(&self) -> u64 {
        self.tx.completed()
    }
    /// Most transmit descriptors in flight ([`ViConfig::tx_capacity`]).
    pub fn tx_capacity(&self) -> u16 {
        self.tx.cap()
    }
    /// Longest frame [`transmit`](Self::transmit) takes, FCS excluded.
    pub fn tx_max_len(&self) -> u16 {
        self.tx.max_len()
    }

    /// Reads the card's count of finished transmit descriptors (`TX_DONE`) and frees the
    /// buffers of every one, whether or not an event reported it. Returns how many finished.
    pub fn tx_reclaim<D: Device>(&mut self, dev: &mut D) -> usize {
        let count = self.page.read(dev, DbReg::TxDone) as u16;
        self.tx.reclaim(count)
    }

    /// The VI's transmit counters.
    pub fn tx_stats<D: Device>(&self, dev: &mut D) -> TxViStats {
        self.page.tx_stats(dev)
    }

    /// Writes any transmit descriptor word into the next entry of the VI's own transmit ring
    /// and rings the transmit doorbell: what a careless or hostile process can do. The card
    /// must refuse what the VI may not send. Fails if the ring has no free entry.
    pub fn post_tx_raw<D: Device>(&mut self, dev: &mut D, word: u64) -> Result<(), DriverError> {
        self.tx.write_raw(dev.mem(), word)?;
        self.page.write(dev, DbReg::TxProd, self.tx.prod() as u32);
        Ok(())
    }

    /// Writes any value into `TX_PROD`. The library's own count is unchanged: a value past
    /// the descriptors it wrote makes the card send whatever the ring holds there (a
    /// completion for those fails [`poll`](Self::poll) with `BadEvent`), and a later
    /// doorbell of the library's may then be refused as going backwards.
    pub fn tx_doorbell_raw<D: Device>(&self, dev: &mut D, value: u32) {
        self.page.write(dev, DbReg::TxProd, value);
    }

    /// A receive buffer this VI owns, at an offset where a whole buffer fits its page.
    fn usable(&self, b: RxBuf) -> bool {
        self.rx_buffer_ids().contains(&b.id)
            && (b.offset as u64).is_multiple_of(rxdesc::BUFFER_ALIGN)
            && b.offset as u64 + self.cfg.buf_size as u64 <= arsenic_interface::params::PAGE_SIZE
    }

    fn buf_addr(&self, b: RxBuf) -> Result<u64, DriverError> {
        let page =
            b.id.checked_sub(self.first_id)
                .and_then(|i| self.pages.get(i as usize))
                .ok_or_else(|| DriverError::BadConfig(format!("buffer id {} is not ours", b.id)))?;
        Ok(page + b.offset as u64)
    }

    /// Tells the card the events consumed and arms the VI's interrupt: one interrupt comes,
    /// after the holdoff, once an event is in the queue (at once if one already is).
    pub fn arm<D: Device>(&mut self, dev: &mut D) {
        self.page.write(dev, DbReg::IrqArm, self.ev_next as u32);
    }

    /// The VI's counters.
    pub fn stats<D: Device>(&self, dev: &mut D) -> ViStats {
        ViCounter::ALL
            .iter()
            .map(|&c| (c, self.page.read(dev, DbReg::Counter(c))))
            .collect()
    }

    /// While `hold` is set, no buffer is posted again, as by a process slow to give them
    /// back; clearing it posts them.
    pub fn hold_buffers<D: Device>(&mut self, dev: &mut D, hold: bool) -> Result<(), DriverError> {
        self.hold = hold;
        if !hold {
            self.refill(dev, true)?;
        }
        Ok(())
    }

    /// Writes any descriptor word into the next free slot of the VI's own ring and announces
    /// it: what a careless or hostile process can do. The card must refuse what the VI does
    /// not own. Fails if the ring has no free slot.
    pub fn post_raw<D: Device>(&mut self, dev: &mut D, word: u64) -> Result<(), DriverError> {
        if self.prod.wrapping_sub(self.cons_desc) >= self.ring_size() {
            return Err(DriverError::BadConfig("the receive ring is full".into()));
        }
        let b = RxBuf {
            id: word as u32,
            offset: (word >> rxdesc::OFFSET_SHIFT) as u16,
        };
        self.write_desc(dev, word, Some(b))?;
        self.doorbell(dev);
        Ok(())
    }

    /// Writes any value into a register of the VI's own doorbell page.
    pub fn doorbell_raw<D: Device>(&self, dev: &mut D, reg: DbReg, value: u32) {
        self.page.write(dev, reg, value);
    }
}
