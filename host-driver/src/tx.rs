//! The transmit half of a VI as the user-level library keeps it: its ring, its buffers and
//! what the card has finished.
//!
//! The device manager registers the VI's transmit buffers (pages of their own, after its
//! receive pages) and sets its ring up on the card. Each buffer is a slot of `slot_size`
//! bytes (half a page), so offsets are multiples of 8 and a frame always fits in its page.
//!
//! Ring steps (free-running 16-bit indices; a ring of 2^k entries uses the low k bits):
//! 1. [`TxRing::queue`] copies each frame into a free buffer and writes its descriptor at
//!    `prod`, asking for a completion event on the batch's last descriptor and every
//!    `event_every` descriptors, so that buffers come back while the ring stays full; the
//!    caller then rings `TX_PROD` once with the new `prod`.
//! 2. The card completes descriptors in ring order. A `TX_DONE` event for index `i` finishes
//!    every descriptor up to `i` ([`TxRing::finished`]); an error event finishes the refused
//!    descriptor ([`TxRing::refused`]); the `TX_DONE` register counts every descriptor
//!    finished ([`TxRing::reclaim`]). `done` moves past finished descriptors and their
//!    buffers go back to the free list.
//! 3. Descriptors in flight (`prod - done`) never exceed `cap`: the ring, the buffers, and
//!    the event queue's room beyond the receive ring (each descriptor in flight can cause
//!    one event), so the card never finds the event queue full.

use crate::manager::DriverError;
use crate::memory::HostMemory;
use crate::vi::RxBuf;
use arsenic_interface::txdesc::{self, TxDescRepr};

/// Most descriptors between two completion requests.
const EVENT_EVERY_MAX: u16 = 64;

/// Where a VI's transmit lives, as the device manager set it up.
#[derive(Debug, Clone)]
pub(crate) struct TxLayout {
    /// Bus address of the ring.
    pub ring: u64,
    /// log2 of the ring's entries.
    pub log2: u8,
    /// Bytes of one buffer slot.
    pub slot_size: u32,
    /// Longest frame the card sends, FCS excluded.
    pub max_len: u16,
    /// Most descriptors in flight; 0 with `no_room` saying why transmit is impossible.
    pub cap: u16,
    pub no_room: Option<String>,
    /// Buffer id of the first transmit page, and each page's bus address.
    pub first_id: u32,
    pub pages: Vec<u64>,
    /// Buffer slots.
    pub buffers: usize,
}

/// A ring slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// Not in flight.
    Idle,
    /// In flight, with the buffer to free when it finishes (none for a raw descriptor).
    Busy(Option<RxBuf>),
    /// Refused by the card (finished), waiting for `done` to pass it.
    Refused,
}

/// A VI's transmit ring and buffers.
#[derive(Debug)]
pub(crate) struct TxRing {
    l: TxLayout,
    event_every: u16,
    free: Vec<RxBuf>,
    slots: Vec<Slot>,
    prod: u16,
    done: u16,
    /// Descriptors written since the last one asking for an event.
    unrequested: u16,
    completed: u64,
}

impl TxRing {
    pub fn new(l: TxLayout) -> Self {
        let per_page = (arsenic_interface::params::PAGE_SIZE / l.slot_size as u64) as usize;
        let mut free: Vec<RxBuf> = (0..l.buffers)
            .map(|i| RxBuf {
                id: l.first_id + (i / per_page) as u32,
                offset: ((i % per_page) as u64 * l.slot_size as u64) as u16,
            })
            .collect();
        free.reverse();
        TxRing {
            event_every: (l.cap / 4).clamp(1, EVENT_EVERY_MAX),
            free,
            slots: vec![Slot::Idle; 1 << l.log2],
            prod: 0,
            done: 0,
            unrequested: 0,
            completed: 0,
            l,
        }
    }

    /// A VI without transmit (the placeholder the device manager starts from).
    pub fn none() -> Self {
        TxRing::new(TxLayout {
            ring: 0,
            log2: 1,
            slot_size: arsenic_interface::params::PAGE_SIZE as u32,
            max_len: 0,
            cap: 0,
            no_room: Some("the VI has no transmit".into()),
            first_id: 0,
            pages: Vec::new(),
            buffers: 0,
        })
    }

    fn mask(&self) -> u16 {
        ((1u32 << self.l.log2) - 1) as u16
    }

    /// The producer index: descriptors written.
    pub fn prod(&self) -> u16 {
        self.prod
    }

    /// Descriptors written and not known to be finished.
    pub fn in_flight(&self) -> u16 {
        self.prod.wrapping_sub(self.done)
    }

    /// Frames [`queue`](Self::queue) would take now.
    pub fn room(&self) -> usize {
        self.free
            .len()
            .min(self.l.cap.saturating_sub(self.in_flight()) as usize)
    }

    /// Descriptors finished (sent or refused) since the ring was set up.
    pub fn completed(&self) -> u64 {
        self.completed
    }

    /// Most descriptors in flight.
    pub fn cap(&self) -> u16 {
        self.l.cap
    }

    /// Longest frame, FCS excluded.
    pub fn max_len(&self) -> u16 {
        self.l.max_len
    }

    /// The transmit buffer ids: `first .. first + count`.
    pub fn buffer_ids(&self) -> std::ops::Range<u32> {
        self.l.first_id..self.l.first_id + self.l.pages.len() as u32
    }

    /// Checks a whole batch before anything is queued.
    pub fn check<F: AsRef<[u8]>>(&self, frames: &[F]) -> Result<(), DriverError> {
        if let (Some(why), false) = (&self.l.no_room, frames.is_empty()) {
            return Err(DriverError::NoTransmit(why.clone()));
        }
        let fits =
            |f: &[u8]| (txdesc::MIN_LEN as usize..=self.l.max_len as usize).contains(&f.len());
        match frames.iter().position(|f| !fits(f.as_ref())) {
            Some(index) => Err(DriverError::BadFrame {
                index,
                len: frames[index].as_ref().len(),
                min: txdesc::MIN_LEN,
                max: self.l.max_len,
            }),
            None => Ok(()),
        }
    }

    /// Copies as many frames as there is room for into free buffers and writes their
    /// descriptors (frames checked by [`check`](Self::check)); returns how many.
    pub fn queue<F: AsRef<[u8]>>(
        &mut self,
        mem: &mut HostMemory,
        frames: &[F],
    ) -> Result<usize, DriverError> {
        let n = frames.len().min(self.room());
        for (k, f) in frames[..n].iter().enumerate() {
            let f = f.as_ref();
            let b = self.free.pop().expect("counted by room");
            let copied = match self.buf_addr(b) {
                Some(addr) => mem.write(addr, f).map_err(DriverError::from),
                None => Err(DriverError::BadConfig(format!(
                    "transmit buffer {} is not the VI's",
                    b.id
                ))),
            };
            if let Err(e) = copied {
                self.free.push(b);
                return Err(e);
            }
            self.unrequested += 1;
            let request_event = k + 1 == n || self.unrequested >= self.event_every;
            if request_event {
                self.unrequested = 0;
            }
            let word = TxDescRepr {
                buffer_id: b.id,
                offset: b.offset,
                len: f.len() as u16,
                request_event,
            }
            .word();
            self.write_desc(mem, word, Some(b))?;
        }
        Ok(n)
    }

    /// Writes any descriptor word at `prod`, if the ring has a free entry.
    pub fn write_raw(&mut self, mem: &mut HostMemory, word: u64) -> Result<(), DriverError> {
        if self.in_flight() as usize >= self.slots.len() {
            return Err(DriverError::BadConfig("the transmit ring is full".into()));
        }
        self.write_desc(mem, word, None)
    }

    fn write_desc(
        &mut self,
        mem: &mut HostMemory,
        word: u64,
        buf: Option<RxBuf>,
    ) -> Result<(), DriverError> {
        let slot = (self.prod & self.mask()) as usize;
        let at = self.l.ring + (slot * txdesc::SIZE) as u64;
        if let Err(e) = mem.write(at, &word.to_le_bytes()) {
            if let Some(b) = buf {
                self.free.push(b);
            }
            return Err(e.into());
        }
        self.slots[slot] = Slot::Busy(buf);
        self.prod = self.prod.wrapping_add(1);
        Ok(())
    }

    fn buf_addr(&self, b: RxBuf) -> Option<u64> {
        let page = self
            .l
            .pages
            .get(b.id.checked_sub(self.l.first_id)? as usize)?;
        Some(page + b.offset as u64)
    }

    /// Every descriptor up to `index` is finished: frees their buffers. Returns how many
    /// descriptors that finished (0 for an index already passed), `None` for an index the
    /// ring never wrote.
    pub fn finished(&mut self, index: u16) -> Option<usize> {
        let k = index.wrapping_sub(self.done).wrapping_add(1);
        if k > self.in_flight() {
            let behind = self.done.wrapping_sub(index.wrapping_add(1));
            return (behind < self.slots.len() as u16).then_some(0);
        }
        for _ in 0..k {
            self.pass();
        }
        self.skip_refused();
        Some(k as usize)
    }

    /// The card refused the descriptor at `index` (it is finished, its frame not sent): frees
    /// its buffer. Returns false if that descriptor is not in flight.
    pub fn refused(&mut self, index: u16) -> bool {
        if index.wrapping_sub(self.done) >= self.in_flight() {
            return false;
        }
        let slot = (index & self.mask()) as usize;
        if let Slot::Busy(Some(b)) = self.slots[slot] {
            self.free.push(b);
        }
        self.slots[slot] = Slot::Refused;
        self.skip_refused();
        true
    }

    /// The card's count of finished descriptors (its `TX_DONE` register) is `count`: frees
    /// everything before it. Returns how many descriptors that finished.
    pub fn reclaim(&mut self, count: u16) -> usize {
        if count == self.done {
            return 0;
        }
        self.finished(count.wrapping_sub(1)).unwrap_or(0)
    }

    /// Moves `done` past one descriptor.
    fn pass(&mut self) {
        let slot = (self.done & self.mask()) as usize;
        if let Slot::Busy(Some(b)) = self.slots[slot] {
            self.free.push(b);
        }
        self.slots[slot] = Slot::Idle;
        self.done = self.done.wrapping_add(1);
        self.completed += 1;
    }

    fn skip_refused(&mut self) {
        while self.done != self.prod
            && self.slots[(self.done & self.mask()) as usize] == Slot::Refused
        {
            self.pass();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RING: u64 = 0x1000;
    const PAGES: u64 = 0x4000;

    /// A ring of 8 entries with `buffers` half-page slots from buffer id 100, at most `cap`
    /// in flight.
    fn ring(buffers: usize, cap: u16) -> (TxRing, HostMemory) {
        let mem = HostMemory::new(0, 0x2_0000);
        let pages = (0..buffers.div_ceil(2) as u64)
            .map(|i| PAGES + 4096 * i)
            .collect();
        let r = TxRing::new(TxLayout {
            ring: RING,
            log2: 3,
            slot_size: 2048,
            max_len: 1518,
            cap,
            no_room: None,
            first_id: 100,
            pages,
            buffers,
        });
        (r, mem)
    }

    fn desc(mem: &HostMemory, index: u16) -> TxDescRepr {
        let at = RING + ((index & 7) as usize * txdesc::SIZE) as u64;
        TxDescRepr::from_word(mem.read_u64(at).unwrap())
    }

    #[test]
    fn descriptors_name_the_buffers_the_frames_were_copied_into() {
        let (mut r, mut mem) = ring(4, 8);
        let a = vec![0xAA; 60];
        let b = vec![0xBB; 1518];
        assert_eq!(r.queue(&mut mem, &[&a, &b]).unwrap(), 2);
        let (d0, d1) = (desc(&mem, 0), desc(&mem, 1));
        assert_eq!(
            (d0.buffer_id, d0.offset, d0.len, d0.request_event),
            (100, 0, 60, false)
        );
        assert_eq!(
            (d1.buffer_id, d1.offset, d1.len, d1.request_event),
            (100, 2048, 1518, true)
        );
        assert_eq!(mem.slice(PAGES, 60).unwrap(), &a[..]);
        assert_eq!(mem.slice(PAGES + 2048, 1518).unwrap(), &b[..]);
        assert_eq!((r.prod(), r.in_flight(), r.room()), (2, 2, 2));
    }

    #[test]
    fn bad_frames_are_refused_before_anything_is_queued() {
        let (r, _) = ring(4, 8);
        let ok = [0u8; 64];
        let short = [0u8; 13];
        let long = vec![0u8; 1519];
        assert!(r.check(&[&ok[..], &[0u8; 14], &[0u8; 1518]]).is_ok());
        assert!(matches!(
            r.check(&[&ok[..], &short]),
            Err(DriverError::BadFrame {
                index: 1,
                len: 13,
                min: 14,
                max: 1518
            })
        ));
        let e = r.check(&[&long]).unwrap_err().to_string();
        assert!(e.contains("1519") && e.contains("14..=1518"), "{e}");
        assert!(matches!(
            TxRing::none().check(&[&ok]),
            Err(DriverError::NoTransmit(_))
        ));
        assert!(TxRing::none().check::<&[u8]>(&[]).is_ok());
    }

    #[test]
    fn buffers_and_ring_entries_bound_a_batch() {
        // 6 buffers, 8 ring entries, at most 5 in flight (event-queue room).
        let (mut r, mut mem) = ring(6, 5);
        let f = [1u8; 60];
        assert_eq!(r.queue(&mut mem, &[&f; 7]).unwrap(), 5);
        assert_eq!(r.room(), 0);
        assert_eq!(r.queue(&mut mem, &[&f]).unwrap(), 0);
        // Event every cap/4 = 1 descriptor here.
        assert!((0..5).all(|i| desc(&mem, i).request_event));
        assert_eq!(r.finished(1), Some(2));
        assert_eq!((r.in_flight(), r.room(), r.completed()), (3, 2, 2));
        // Buffers come back; a second batch wraps the ring.
        assert_eq!(r.finished(4), Some(3));
        assert_eq!(r.queue(&mut mem, &[&f; 5]).unwrap(), 5);
        assert_eq!(r.prod(), 10);
        assert_eq!(r.finished(9), Some(5));
        assert_eq!((r.in_flight(), r.room(), r.completed()), (0, 5, 10));
    }

    #[test]
    fn events_are_requested_on_the_last_and_every_quarter() {
        let (mut r, mut mem) = ring(16, 8);
        let f = [1u8; 60];
        assert_eq!(r.queue(&mut mem, &[&f; 3]).unwrap(), 3);
        assert_eq!(r.queue(&mut mem, &[&f; 5]).unwrap(), 5);
        let asked: Vec<bool> = (0..8).map(|i| desc(&mem, i).request_event).collect();
        assert_eq!(
            asked,
            [false, true, true, false, true, false, true, true],
            "every 2 (cap 8 / 4) and at each batch's end"
        );
    }

    #[test]
    fn refused_descriptors_free_their_buffer_once() {
        let (mut r, mut mem) = ring(8, 8);
        let f = [1u8; 60];
        assert_eq!(r.queue(&mut mem, &[&f; 4]).unwrap(), 4);
        // Descriptor 2 refused: its buffer is free, done waits for 0 and 1.
        assert!(r.refused(2));
        assert_eq!((r.in_flight(), r.room()), (4, 4));
        assert_eq!(r.free.len(), 5);
        // Completion through 1 passes the refused 2 as well.
        assert_eq!(r.finished(1), Some(2));
        assert_eq!((r.in_flight(), r.completed()), (1, 3));
        // A completion event for the refused descriptor itself is stale now.
        assert_eq!(r.finished(2), Some(0));
        assert!(!r.refused(2));
        // Refusing the oldest moves done at once.
        assert!(r.refused(3));
        assert_eq!((r.in_flight(), r.free.len(), r.completed()), (0, 8, 4));
        // Indices never written.
        assert_eq!(r.finished(40), None);
        assert!(!r.refused(9));
    }

    #[test]
    fn the_done_register_reclaims_what_no_event_reported() {
        let (mut r, mut mem) = ring(8, 8);
        let f = [1u8; 60];
        assert_eq!(r.queue(&mut mem, &[&f; 3]).unwrap(), 3);
        r.write_raw(&mut mem, 0x1234).unwrap();
        assert_eq!(r.in_flight(), 4);
        assert_eq!(r.reclaim(4), 4);
        assert_eq!((r.in_flight(), r.free.len()), (0, 8));
        assert_eq!(r.reclaim(4), 0);
        assert_eq!(desc(&mem, 3).buffer_id, 0x1234);
        // A raw descriptor counts against the ring, not against the buffers.
        for _ in 0..8 {
            r.write_raw(&mut mem, 0).unwrap();
        }
        assert!(r.write_raw(&mut mem, 0).is_err());
        assert_eq!(r.room(), 0);
    }

    #[test]
    fn indices_wrap_at_sixteen_bits() {
        let (mut r, mut mem) = ring(8, 8);
        let f = [1u8; 60];
        for _ in 0..(65536 / 8 + 3) {
            assert_eq!(r.queue(&mut mem, &[&f; 8]).unwrap(), 8);
            let last = r.prod().wrapping_sub(1);
            assert_eq!(r.finished(last), Some(8));
        }
        assert_eq!(r.completed(), 8 * (65536 / 8 + 3));
        assert_eq!((r.in_flight(), r.room()), (0, 8));
    }
}
