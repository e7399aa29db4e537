//! The user-level library's transmit path on its own, for counting its instructions per
//! frame: the process queues `B` frames of 60 bytes (64 on the wire) in one call (which
//! copies each into a transmit buffer, writes its descriptor and rings `TX_PROD` once), a
//! stand-in card "sends" them and writes a `TX_DONE` event for each descriptor that asks for
//! one, and the process polls once to take its buffers back; and so on for `N` frames.
//!
//!     cargo build --release -p arsenic-host --example tx_cost
//!     valgrind --tool=callgrind --toggle-collect='*tx_cost::measured_*' \
//!         target/release/examples/tx_cost 32 100000
//!
//! Instructions collected / N = the library's cost per frame at batch B, frame copy
//! included. Only `UserVi::transmit` and `UserVi::poll` (and what they call) are counted,
//! each inside a wrapper the compiler may not inline (it inlines `transmit` into its caller,
//! which would leave nothing to name); the stand-in card does its work between the two
//! calls, so all that is counted of it is the few instructions of each doorbell write (where
//! a real card costs one store).
//!
//! The VI has 64 transmit buffers, so that at most 64 descriptors are in flight and the
//! library asks for an event on every 16th descriptor as well as on each batch's last.

use arsenic_host::{
    Device, DeviceManager, DriverError, HostMemory, QueueConfig, UserVi, ViConfig, ViEvent,
};
use arsenic_interface::event::{self, Event, EventRepr, Kind, FILTER_NONE};
use arsenic_interface::params::{self, Speed};
use arsenic_interface::regs::{self, buftbl, db, tx_cmd, vi_cmd};
use arsenic_interface::txdesc::{self, TxDescRepr};
use std::collections::HashMap;

/// Bytes of each frame sent, FCS excluded.
const LEN: usize = 60;
/// Where each frame carries its sequence number, after the Ethernet header.
const SEQ_AT: usize = 14;

/// What the stand-in keeps of one VI: where its event queue and transmit ring are, and the
/// indices the card would hold.
#[derive(Debug, Clone, Default)]
struct CardVi {
    evq: u64,
    evq_log2: u32,
    ring: u64,
    ring_log2: u32,
    /// Events written (free-running), and the host's `EVQ_CONS`.
    ev_prod: u64,
    evq_cons: u16,
    /// The host's `TX_PROD`, and the descriptors the card has taken.
    tx_prod: u16,
    tx_done: u16,
}

/// A card that answers what creating a VI asks and keeps what it staged. Doorbell writes
/// only go into a log (a few instructions, counted with the library's); the card acts on
/// them, sending the frames a transmit doorbell announces, when told to [`run`](Self::run).
struct StandIn {
    mem: HostMemory,
    now: u64,
    /// Staged registers (`VI_*`, `TX_*`).
    staged: HashMap<u32, u32>,
    /// Committed buffer-table entries by id, and the low word waiting for its high word.
    buftbl: HashMap<u32, u64>,
    buftbl_lo: u32,
    vis: Vec<CardVi>,
    /// Doorbell-page writes not yet acted on: (offset, value).
    doorbells: Vec<(u32, u32)>,
    /// Doorbell-page writes acted on: `TX_PROD`, `EVQ_CONS`, any other.
    tx_prod_writes: u64,
    evq_cons_writes: u64,
    other_db_writes: u64,
    /// Frames sent: the sequence number the next should carry.
    sent: u64,
}

impl StandIn {
    fn new() -> Self {
        StandIn {
            mem: HostMemory::new(0x1_0000_0000, 64 << 20),
            now: 0,
            staged: HashMap::new(),
            buftbl: HashMap::new(),
            buftbl_lo: 0,
            vis: vec![CardVi::default(); params::VI_COUNT],
            doorbells: Vec::with_capacity(1024),
            tx_prod_writes: 0,
            evq_cons_writes: 0,
            other_db_writes: 0,
            sent: 0,
        }
    }

    fn staged64(&self, lo: u32, hi: u32) -> u64 {
        let r = |o| self.staged.get(&o).copied().unwrap_or(0) as u64;
        r(hi) << 32 | r(lo)
    }

    /// A write below the doorbell pages: buffer table, commands, staged registers.
    #[inline(never)]
    fn write_reg(&mut self, offset: u32, value: u32) {
        if offset >= regs::BUFTBL_BASE {
            let id = (offset - regs::BUFTBL_BASE) / 8;
            if offset.is_multiple_of(8) {
                self.buftbl_lo = value;
            } else {
                self.buftbl
                    .insert(id, (value as u64) << 32 | self.buftbl_lo as u64);
            }
            return;
        }
        match offset {
            regs::VI_CMD if value >> vi_cmd::OP_SHIFT == vi_cmd::CREATE => {
                let evq = self.staged64(regs::VI_EVQ_BASE_LO, regs::VI_EVQ_BASE_HI);
                let evq_log2 = self.staged[&regs::VI_EVQ_SIZE_LOG2];
                self.vis[value as u16 as usize] = CardVi {
                    evq,
                    evq_log2,
                    ..CardVi::default()
                };
            }
            regs::TX_CMD if value >> tx_cmd::OP_SHIFT == tx_cmd::SETUP => {
                let ring = self.staged64(regs::TX_RING_BASE_LO, regs::TX_RING_BASE_HI);
                let ring_log2 = self.staged[&regs::TX_RING_SIZE_LOG2];
                let v = &mut self.vis[value as u16 as usize];
                (v.ring, v.ring_log2, v.tx_prod, v.tx_done) = (ring, ring_log2, 0, 0);
            }
            _ => {
                self.staged.insert(offset, value);
            }
        }
    }

    /// Acts on the doorbells written since the last run, in order.
    fn run(&mut self) {
        let mut log = std::mem::take(&mut self.doorbells);
        for &(offset, value) in &log {
            let vi = ((offset - regs::DB_BASE) / regs::DB_PAGE_SIZE) as u16;
            match offset % regs::DB_PAGE_SIZE {
                db::TX_PROD => {
                    self.tx_prod_writes += 1;
                    self.vis[vi as usize].tx_prod = value as u16;
                    self.send(vi);
                }
                db::EVQ_CONS => {
                    self.evq_cons_writes += 1;
                    self.vis[vi as usize].evq_cons = value as u16;
                }
                _ => self.other_db_writes += 1,
            }
        }
        log.clear();
        self.doorbells = log;
    }

    /// Sends what `vi`'s `TX_PROD` announces, in ring order: reads each descriptor and its
    /// frame from host memory, checks the frame is the next in sequence, and writes a
    /// `TX_DONE` event where the descriptor asks for one.
    fn send(&mut self, vi: u16) {
        while self.vis[vi as usize].tx_done != self.vis[vi as usize].tx_prod {
            let v = &self.vis[vi as usize];
            let index = v.tx_done;
            let slot = (index & ((1 << v.ring_log2) - 1) as u16) as u64;
            let word = self
                .mem
                .read_u64(v.ring + slot * txdesc::SIZE as u64)
                .unwrap();
            let d = TxDescRepr::from_word(word);
            let entry = self.buftbl[&d.buffer_id];
            assert_eq!(
                entry & buftbl::VALID,
                1,
                "buffer {} maps nothing",
                d.buffer_id
            );
            let owner = (entry >> buftbl::OWNER_SHIFT) & ((1 << buftbl::OWNER_BITS) - 1);
            assert_eq!(owner, vi as u64, "buffer {} is not the VI's", d.buffer_id);
            let frame = self
                .mem
                .slice(
                    (entry & !(params::PAGE_SIZE - 1)) + d.offset as u64,
                    d.len as usize,
                )
                .unwrap();
            assert_eq!(d.len as usize, LEN);
            let seq = u64::from_le_bytes(frame[SEQ_AT..SEQ_AT + 8].try_into().unwrap());
            assert_eq!(seq, self.sent, "frames out of order");
            self.sent += 1;
            self.now += 1;
            if d.request_event {
                self.tx_event(vi, index, d.len);
            }
            self.vis[vi as usize].tx_done = index.wrapping_add(1);
        }
    }

    /// Writes a `TX_DONE` event for descriptor `index`: word 1, then word 0 with the phase.
    fn tx_event(&mut self, vi: u16, index: u16, len: u16) {
        let v = &mut self.vis[vi as usize];
        assert!(
            (v.ev_prod as u16).wrapping_sub(v.evq_cons) < 1 << v.evq_log2,
            "the event queue is full: the library let too much transmit be in flight"
        );
        let at = v.evq + (v.ev_prod & ((1 << v.evq_log2) - 1)) * event::SIZE as u64;
        let r = EventRepr {
            len,
            kind: Kind::TxDone,
            status: 0,
            vi,
            filter: FILTER_NONE,
            phase: (v.ev_prod >> v.evq_log2) & 1 == 0,
            timestamp: self.now,
            desc_index: index,
        };
        v.ev_prod += 1;
        let mut b = [0u8; event::SIZE];
        r.emit(&mut Event::new_checked(&mut b[..]).unwrap());
        self.mem.write(at + 8, &b[8..]).unwrap();
        self.mem.write(at, &b[..8]).unwrap();
    }
}

impl Device for StandIn {
    #[inline]
    fn write32(&mut self, offset: u32, value: u32) {
        // Doorbells, the only writes while the library runs, are logged for `run`.
        if offset >= regs::DB_BASE {
            self.doorbells.push((offset, value));
        } else {
            self.write_reg(offset, value);
        }
    }
    fn read32(&mut self, offset: u32) -> u32 {
        match offset {
            regs::ID => regs::ID_VALUE,
            regs::VERSION => regs::VERSION_VALUE,
            regs::PARAMS => arsenic_host::manager::params_word(),
            regs::PARAMS2 => arsenic_host::manager::params2_word(),
            regs::STATUS => regs::status::RX_IDLE | regs::status::TX_IDLE,
            regs::VI_CMD_STATUS | regs::TX_CMD_STATUS => vi_cmd::STATUS_OK,
            regs::MAX_FRAME => 1522,
            _ => 0,
        }
    }
    fn mem(&mut self) -> &mut HostMemory {
        &mut self.mem
    }
    fn now(&self) -> u64 {
        self.now
    }
    fn wait(&mut self, cycles: u64) {
        self.now += cycles;
    }
    fn take_interrupts(&mut self) -> Vec<u16> {
        Vec::new()
    }
}

/// `UserVi::transmit`, under a name callgrind can count.
#[inline(never)]
fn measured_transmit(
    vi: &mut UserVi,
    dev: &mut StandIn,
    frames: &[[u8; LEN]],
) -> Result<usize, DriverError> {
    vi.transmit(dev, frames)
}

/// `UserVi::poll`, under a name callgrind can count.
#[inline(never)]
fn measured_poll(
    vi: &mut UserVi,
    dev: &mut StandIn,
    out: &mut Vec<ViEvent>,
) -> Result<usize, DriverError> {
    vi.poll(dev, out)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let batch: usize = args.next().map_or(32, |s| s.parse().expect("batch"));
    let frames: u64 = args.next().map_or(100_000, |s| s.parse().expect("frames"));
    let mut dev = StandIn::new();
    DeviceManager::probe(&mut dev, Speed::Gbe10, 1522).expect("probe");
    let mut dm = DeviceManager::open_default_queue(&mut dev, QueueConfig::default()).unwrap();
    let cfg = ViConfig {
        ring_log2: 9,
        evq_log2: 10,
        buffers: 512,
        tx_ring_log2: 9,
        tx_buffers: 64,
        ..ViConfig::default()
    };
    let mut vi = dm.create_vi(&mut dev, cfg).unwrap();
    let cap = vi.tx_capacity() as usize;
    assert!((1..=cap).contains(&batch), "the batch must be 1..={cap}");
    // The receive ring full, so that `poll`'s refill finds nothing to do.
    vi.refill(&mut dev, true).unwrap();
    dev.run();
    let start = (dev.tx_prod_writes, dev.evq_cons_writes, dev.other_db_writes);
    // Broadcast from a locally administered address, a local experimental EtherType.
    let mut batch_frames = vec![[0u8; LEN]; batch];
    for f in &mut batch_frames {
        f[..6].fill(0xFF);
        f[6..12].copy_from_slice(&[0x02, 0, 0, 0, 0, 1]);
        f[12..14].copy_from_slice(&0x88B5u16.to_be_bytes());
    }
    let mut out = Vec::new();
    let mut queued = 0u64;
    while queued < frames {
        for (k, f) in batch_frames.iter_mut().enumerate() {
            f[SEQ_AT..SEQ_AT + 8].copy_from_slice(&(queued + k as u64).to_le_bytes());
        }
        // The process queues a batch.
        let n = measured_transmit(&mut vi, &mut dev, &batch_frames).unwrap();
        assert_eq!(n, batch, "every buffer should be back");
        queued += n as u64;
        // The card sends it.
        dev.run();
        // The process takes its buffers back.
        out.clear();
        let events = measured_poll(&mut vi, &mut dev, &mut out).unwrap();
        assert!(events >= 1 && out.is_empty(), "completions only");
        assert_eq!(vi.tx_in_flight(), 0);
    }
    assert_eq!(dev.sent, queued);
    let per = |w: u64| w as f64 / queued as f64;
    let (tx_prod, evq_cons, other) = (
        dev.tx_prod_writes - start.0,
        dev.evq_cons_writes - start.1,
        dev.other_db_writes - start.2,
    );
    println!(
        "batch {batch}: {queued} frames, {:.3} doorbell writes per frame \
         ({:.3} TX_PROD, {:.3} EVQ_CONS, {:.3} other)",
        per(tx_prod + evq_cons + other),
        per(tx_prod),
        per(evq_cons),
        per(other)
    );
}
