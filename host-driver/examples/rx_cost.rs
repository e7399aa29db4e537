//! The user-level library's receive path on its own, for counting its instructions per
//! frame: a stand-in card writes `B` receive events (64-byte frames) into a VI's event queue,
//! the process polls them in one call (which copies each frame out, returns its buffer, posts
//! buffers again and rings its doorbells), and so on for `N` frames.
//!
//!     cargo build --release -p arsenic-host --example rx_cost
//!     valgrind --tool=callgrind --toggle-collect='*UserVi*poll*' \
//!         target/release/examples/rx_cost 32 100000
//!
//! Instructions collected / N = the library's cost per frame at batch B. Only `poll` (and
//! what it calls) is counted, not the stand-in card.

use arsenic_host::{Device, DeviceManager, HostMemory, QueueConfig, ViConfig, ViEvent};
use arsenic_interface::event::{self, Event, EventRepr, Kind, FILTER_NONE};
use arsenic_interface::params::Speed;
use arsenic_interface::regs::{self, vi_cmd};

/// A card that answers only what creating a VI asks, and counts MMIO writes.
struct StandIn {
    mem: HostMemory,
    now: u64,
    writes: u64,
}

impl Device for StandIn {
    fn write32(&mut self, _: u32, _: u32) {
        self.writes += 1;
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

fn main() {
    let mut args = std::env::args().skip(1);
    let batch: u16 = args.next().map_or(32, |s| s.parse().expect("batch"));
    let frames: u64 = args.next().map_or(100_000, |s| s.parse().expect("frames"));
    let mut dev = StandIn {
        mem: HostMemory::new(0x1_0000_0000, 64 << 20),
        now: 0,
        writes: 0,
    };
    DeviceManager::probe(&mut dev, Speed::Gbe10, 1522).expect("probe");
    let mut dm = DeviceManager::open_default_queue(&mut dev, QueueConfig::default()).unwrap();
    let cfg = ViConfig {
        ring_log2: 9,
        evq_log2: 10,
        buffers: 512,
        batch: batch.max(1),
        ..ViConfig::default()
    };
    let mut vi = dm.create_vi(&mut dev, cfg.clone()).unwrap();
    vi.refill(&mut dev, true).unwrap();
    let evq = vi.card_writable()[0].0;
    let ev_mask = (1u64 << cfg.evq_log2) - 1;
    let mut out = Vec::with_capacity(batch as usize);
    let (mut written, mut got) = (0u64, 0u64);
    let start_writes = dev.writes;
    while got < frames {
        // The card: `batch` frames of 64 bytes, their events.
        for _ in 0..batch {
            let slot = evq + (written & ev_mask) * event::SIZE as u64;
            let r = EventRepr {
                len: 60,
                kind: Kind::Rx,
                status: 0,
                vi: vi.vi(),
                filter: FILTER_NONE,
                phase: (written >> cfg.evq_log2) & 1 == 0,
                timestamp: written,
                desc_index: written as u16,
            };
            let mut b = [0u8; event::SIZE];
            r.emit(&mut Event::new_checked(&mut b[..]).unwrap());
            dev.mem.write(slot, &b).unwrap();
            written += 1;
        }
        // The process.
        out.clear();
        got += vi.poll(&mut dev, &mut out).unwrap() as u64;
        assert!(out
            .iter()
            .all(|e| matches!(e, ViEvent::Rx(f) if f.data.len() == 60)));
    }
    println!(
        "batch {batch}: {got} frames, {:.3} doorbell writes per frame",
        (dev.writes - start_writes) as f64 / got as f64
    );
}
