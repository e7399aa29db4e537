//! The transmit side of the device manager and the user-level library against a stand-in
//! card that records register writes and answers what setting VIs up asks; the test writes
//! the card's events itself.

use arsenic_host::{
    DbReg, Device, DeviceManager, DriverError, HostMemory, QueueConfig, Shaping, TxSchedule,
    UserVi, ViConfig, ViEvent,
};
use arsenic_interface::event::{self, Event, EventRepr, Kind, FILTER_NONE};
use arsenic_interface::params::Speed;
use arsenic_interface::regs::{self, buftbl, db, db_page, tx_cmd, tx_flags, tx_rate, vi_cmd};
use arsenic_interface::txdesc::TxDescRepr;
use std::collections::HashMap;

/// A card that keeps what was written and answers commands with `cmd_status`.
struct StandIn {
    mem: HostMemory,
    now: u64,
    regs: HashMap<u32, u32>,
    log: Vec<(u32, u32)>,
    tx_cmd_status: u32,
}

impl StandIn {
    fn new() -> Self {
        StandIn {
            mem: HostMemory::new(0x1_0000_0000, 64 << 20),
            now: 0,
            regs: HashMap::new(),
            log: Vec::new(),
            tx_cmd_status: vi_cmd::STATUS_OK,
        }
    }
    fn reg(&self, offset: u32) -> u32 {
        self.regs.get(&offset).copied().unwrap_or(0)
    }
    /// The transmit commands written since the log was last cleared, with the flags staged.
    fn tx_cmds(&self) -> Vec<(u32, u16)> {
        self.log
            .iter()
            .filter(|(o, _)| *o == regs::TX_CMD)
            .map(|(_, v)| (v >> tx_cmd::OP_SHIFT, *v as u16))
            .collect()
    }
}

impl Device for StandIn {
    fn write32(&mut self, offset: u32, value: u32) {
        self.regs.insert(offset, value);
        self.log.push((offset, value));
    }
    fn read32(&mut self, offset: u32) -> u32 {
        match offset {
            regs::ID => regs::ID_VALUE,
            regs::VERSION => regs::VERSION_VALUE,
            regs::PARAMS => arsenic_host::manager::params_word(),
            regs::PARAMS2 => arsenic_host::manager::params2_word(),
            regs::STATUS => regs::status::RX_IDLE | regs::status::TX_IDLE,
            regs::VI_CMD_STATUS => vi_cmd::STATUS_OK,
            regs::TX_CMD_STATUS => self.tx_cmd_status,
            o => self.reg(o),
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

/// Writes the card's `n`-th event (from 0) of `vi` into its queue.
fn card_event(dev: &mut StandIn, vi: &UserVi, n: u64, kind: Kind, code: u8, index: u16) {
    let log2 = vi.config().evq_log2;
    let at = vi.card_writable()[0].0 + (n & ((1 << log2) - 1)) * event::SIZE as u64;
    let r = EventRepr {
        len: 60,
        kind,
        status: code,
        vi: vi.vi(),
        filter: FILTER_NONE,
        phase: (n >> log2) & 1 == 0,
        timestamp: n,
        desc_index: index,
    };
    let mut b = [0u8; event::SIZE];
    r.emit(&mut Event::new_checked(&mut b[..]).unwrap());
    dev.mem.write(at, &b).unwrap();
}

fn open() -> (StandIn, DeviceManager) {
    let mut dev = StandIn::new();
    DeviceManager::probe(&mut dev, Speed::Gbe10, 1522).unwrap();
    let dm = DeviceManager::open_default_queue(&mut dev, QueueConfig::default()).unwrap();
    (dev, dm)
}

fn vi_cfg() -> ViConfig {
    ViConfig {
        ring_log2: 4,
        evq_log2: 5,
        buffers: 16,
        batch: 4,
        tx_ring_log2: 4,
        tx_buffers: 6,
        ..ViConfig::default()
    }
}

#[test]
fn the_os_path_transmits_unrestricted() {
    let (mut dev, mut dm) = open();
    assert_eq!(dev.tx_cmds(), vec![(tx_cmd::SETUP, 0)]);
    assert_eq!(dev.reg(regs::TX_FLAGS), tx_flags::UNRESTRICTED);
    assert_eq!(dev.reg(regs::TX_QUANTUM), 1536);
    assert_eq!(dm.tx_schedule(0).map(|s| s.unrestricted), Some(true));
    assert_eq!(dm.os_vi().tx_capacity(), 8);
    assert_eq!(dm.transmit(&mut dev, &[[7u8; 60]]).unwrap(), 1);
    assert_eq!(dev.reg(db_page(0) + db::TX_PROD), 1);
}

#[test]
fn a_vi_gets_its_own_transmit_pages_ring_and_schedule() {
    let (mut dev, mut dm) = open();
    dev.log.clear();
    let cfg = ViConfig {
        tx: TxSchedule {
            quantum: 3000,
            shaping: Some(Shaping {
                bytes_per_cycle: 0.5,
                burst_bytes: 4000,
            }),
            unrestricted: false,
        },
        ..vi_cfg()
    };
    let vi = dm.create_vi(&mut dev, cfg).unwrap();
    // 16 receive buffers of 2048 bytes: 8 pages; 6 transmit half-pages: 3 pages after them.
    let (rx, tx, all) = (vi.rx_buffer_ids(), vi.tx_buffer_ids(), vi.buffer_ids());
    assert_eq!((rx.len(), tx.len()), (8, 3));
    assert_eq!((tx.start, tx.end), (rx.end, all.end));
    assert_eq!(dev.reg(regs::VI_BUF_COUNT), 11);
    for id in tx.clone() {
        let lo = dev.reg(regs::buftbl_entry(id)) as u64;
        assert_eq!(
            lo & 0xFFF,
            buftbl::entry(0, vi.vi()) & 0xFFF,
            "owned by the VI"
        );
    }
    // The card may write the receive pages, not the transmit ones.
    let tx_page = dev.reg(regs::buftbl_entry(tx.start)) as u64 & !0xFFF
        | (dev.reg(regs::buftbl_entry(tx.start) + 4) as u64) << 32;
    assert!(vi
        .card_writable()
        .iter()
        .all(|&(a, b)| !(a..b).contains(&tx_page)));
    // Set up after the VI is created, with the schedule staged.
    let create = dev
        .log
        .iter()
        .position(|&(o, v)| o == regs::VI_CMD && v >> vi_cmd::OP_SHIFT == vi_cmd::CREATE);
    let setup = dev.log.iter().position(|&(o, _)| o == regs::TX_CMD);
    assert!(create < setup);
    assert_eq!(dev.tx_cmds(), vec![(tx_cmd::SETUP, vi.vi())]);
    assert_eq!(dev.reg(regs::TX_RING_SIZE_LOG2), 4);
    assert_eq!(dev.reg(regs::TX_QUANTUM), 3000);
    assert_eq!(dev.reg(regs::TX_FLAGS), tx_flags::SHAPED);
    assert_eq!(tx_rate::cycles_per_byte(dev.reg(regs::TX_RATE)), 2.0);
    assert_eq!(dev.reg(regs::TX_BURST), 8000);
}

#[test]
fn transmit_batches_complete_and_refusals_come_back_as_errors() {
    let (mut dev, mut dm) = open();
    let mut vi = dm.create_vi(&mut dev, vi_cfg()).unwrap();
    let ring =
        (dev.reg(regs::TX_RING_BASE_HI) as u64) << 32 | dev.reg(regs::TX_RING_BASE_LO) as u64;
    let prod_reg = db_page(vi.vi()) + db::TX_PROD;
    // 6 buffers, 16 ring entries, an event queue of 32 for a receive ring of 16: at most 6.
    assert_eq!(
        (vi.tx_capacity(), vi.tx_free(), vi.tx_max_len()),
        (6, 6, 1518)
    );
    let frames: Vec<Vec<u8>> = (0..8u8).map(|i| vec![i; 60 + i as usize]).collect();
    dev.log.clear();
    assert_eq!(vi.transmit(&mut dev, &frames).unwrap(), 6);
    // One doorbell for the batch.
    assert_eq!(dev.log, vec![(prod_reg, 6)]);
    assert_eq!((vi.tx_in_flight(), vi.tx_free()), (6, 0));
    let descs: Vec<TxDescRepr> = (0..6)
        .map(|i| TxDescRepr::from_word(dev.mem.read_u64(ring + 8 * i).unwrap()))
        .collect();
    for (d, f) in descs.iter().zip(&frames) {
        assert!(vi.tx_buffer_ids().contains(&d.buffer_id));
        assert_eq!(d.offset % 8, 0);
        assert_eq!(d.len as usize, f.len());
    }
    assert!(descs[5].request_event);
    // The frame bytes are in the page the descriptor names.
    let page = |dev: &StandIn, id: u32| {
        (dev.reg(regs::buftbl_entry(id)) as u64 & !0xFFF)
            | (dev.reg(regs::buftbl_entry(id) + 4) as u64) << 32
    };
    let d = descs[3];
    let at = page(&dev, d.buffer_id) + d.offset as u64;
    assert_eq!(dev.mem.slice(at, d.len as usize).unwrap(), &frames[3][..]);
    assert_eq!(vi.transmit(&mut dev, &frames[6..]).unwrap(), 0);

    // The card: descriptors 0..=3 done, descriptor 4 spoofed (its event comes, 3 done).
    card_event(&mut dev, &vi, 0, Kind::TxDone, 0, 3);
    card_event(&mut dev, &vi, 1, Kind::Error, event::error::TX_SPOOFED, 4);
    dev.regs.insert(db_page(vi.vi()) + db::TX_DONE, 5);
    let mut evs = Vec::new();
    assert_eq!(vi.poll(&mut dev, &mut evs).unwrap(), 2);
    assert_eq!(
        evs,
        vec![ViEvent::Error {
            code: event::error::TX_SPOOFED,
            index: 4
        }]
    );
    assert_eq!(
        (vi.tx_in_flight(), vi.tx_free(), vi.tx_completed()),
        (1, 5, 5)
    );
    assert_eq!(dev.reg(db_page(vi.vi()) + db::EVQ_CONS), 2);

    // A refusal that ends a batch: the done register frees what came before it.
    assert_eq!(vi.transmit(&mut dev, &frames[..3]).unwrap(), 3);
    card_event(&mut dev, &vi, 2, Kind::TxDone, 0, 5);
    card_event(&mut dev, &vi, 3, Kind::Error, event::error::TX_BAD_DESC, 8);
    dev.regs.insert(db_page(vi.vi()) + db::TX_DONE, 9);
    evs.clear();
    vi.poll(&mut dev, &mut evs).unwrap();
    assert_eq!(
        (vi.tx_in_flight(), vi.tx_free(), vi.tx_completed()),
        (0, 6, 9)
    );

    // Frames the card cannot send: nothing queued, no doorbell.
    dev.log.clear();
    let short = [0u8; 13];
    let e = vi
        .transmit(&mut dev, &[&frames[0][..], &short[..]])
        .unwrap_err();
    assert!(
        matches!(
            e,
            DriverError::BadFrame {
                index: 1,
                len: 13,
                ..
            }
        ),
        "{e}"
    );
    assert!(vi.transmit(&mut dev, &[vec![0u8; 1519]]).is_err());
    assert!(dev.log.is_empty());
    assert_eq!(vi.tx_free(), 6);

    // A completion for a descriptor never written is the card's fault.
    card_event(&mut dev, &vi, 4, Kind::TxDone, 0, 300);
    assert!(matches!(
        vi.poll(&mut dev, &mut evs),
        Err(DriverError::BadEvent { .. })
    ));
}

#[test]
fn raw_descriptors_and_doorbells_reach_the_card_as_written() {
    let (mut dev, mut dm) = open();
    let mut vi = dm.create_vi(&mut dev, vi_cfg()).unwrap();
    let ring =
        (dev.reg(regs::TX_RING_BASE_HI) as u64) << 32 | dev.reg(regs::TX_RING_BASE_LO) as u64;
    let word = TxDescRepr {
        buffer_id: 0,
        offset: 4,
        len: 9,
        request_event: true,
    }
    .word();
    vi.post_tx_raw(&mut dev, word).unwrap();
    assert_eq!(dev.mem.read_u64(ring).unwrap(), word);
    assert_eq!(dev.reg(db_page(vi.vi()) + db::TX_PROD), 1);
    vi.tx_doorbell_raw(&mut dev, 999);
    assert_eq!(dev.reg(db_page(vi.vi()) + db::TX_PROD), 999);
    // The refusal frees the ring entry; no buffer of the library's was involved.
    card_event(
        &mut dev,
        &vi,
        0,
        Kind::Error,
        event::error::TX_BAD_BUFFER,
        0,
    );
    card_event(
        &mut dev,
        &vi,
        1,
        Kind::Error,
        event::error::TX_DOORBELL,
        999,
    );
    let mut evs = Vec::new();
    vi.poll(&mut dev, &mut evs).unwrap();
    assert_eq!(evs.len(), 2);
    assert_eq!((vi.tx_in_flight(), vi.tx_free()), (0, 6));
    assert_eq!(
        vi.page().read(&mut dev, DbReg::TxProd),
        dev.reg(db_page(vi.vi()) + db::TX_PROD)
    );
}

#[test]
fn schedules_change_live_and_bad_ones_touch_nothing() {
    let (mut dev, mut dm) = open();
    let vi = dm.create_vi(&mut dev, vi_cfg()).unwrap();
    let n = vi.vi();
    dev.log.clear();
    let bad = [
        TxSchedule {
            quantum: 0,
            ..TxSchedule::default()
        },
        TxSchedule {
            shaping: Some(Shaping {
                bytes_per_cycle: 0.1,
                burst_bytes: 100,
            }),
            ..TxSchedule::default()
        },
    ];
    for s in &bad {
        assert!(matches!(
            dm.set_tx_schedule(&mut dev, n, s),
            Err(DriverError::BadSchedule(_))
        ));
    }
    assert!(dev.tx_cmds().is_empty());
    let s = TxSchedule::weighted(4).unwrap();
    dm.set_tx_schedule(&mut dev, n, &s).unwrap();
    assert_eq!(dev.tx_cmds(), vec![(tx_cmd::SCHEDULE, n)]);
    assert_eq!(dev.reg(regs::TX_QUANTUM), 6144);
    assert_eq!(dm.tx_schedule(n), Some(s));
    assert!(dm.set_tx_schedule(&mut dev, 77, &s).is_err());
    dm.disable_tx(&mut dev, n).unwrap();
    assert_eq!(dev.tx_cmds().last(), Some(&(tx_cmd::DISABLE, n)));
    // A VI whose configuration the schedule makes invalid is not created.
    let cfg = ViConfig {
        tx: bad[0],
        ..vi_cfg()
    };
    assert!(dm.create_vi(&mut dev, cfg).is_err());
}

#[test]
fn a_refused_setup_gives_the_buffer_ids_back() {
    let (mut dev, mut dm) = open();
    dev.tx_cmd_status = vi_cmd::STATUS_BAD;
    let e = dm.create_vi(&mut dev, vi_cfg()).unwrap_err();
    assert!(
        matches!(
            e,
            DriverError::TxCommand {
                op: tx_cmd::SETUP,
                ..
            }
        ),
        "{e}"
    );
    dev.tx_cmd_status = vi_cmd::STATUS_OK;
    let vi = dm.create_vi(&mut dev, vi_cfg()).unwrap();
    assert_eq!(vi.vi(), 1);
    assert_eq!(vi.buffer_ids().start, dm.os_vi().buffer_ids().end);
}

#[test]
fn without_event_queue_room_transmit_says_why() {
    let (mut dev, mut dm) = open();
    let cfg = ViConfig {
        evq_log2: 4,
        ..vi_cfg()
    };
    let mut vi = dm.create_vi(&mut dev, cfg).unwrap();
    assert_eq!(vi.tx_capacity(), 0);
    let e = vi.transmit(&mut dev, &[[0u8; 60]]).unwrap_err().to_string();
    assert!(e.contains("raise evq_log2"), "{e}");
    let none = ViConfig {
        tx_buffers: 0,
        ..vi_cfg()
    };
    let mut vi = dm.create_vi(&mut dev, none).unwrap();
    assert!(vi.tx_buffer_ids().is_empty());
    assert!(vi.transmit(&mut dev, &[[0u8; 60]]).is_err());
}

#[test]
fn transmit_filters_go_to_their_window_and_leave_with_the_vi() {
    let (mut dev, mut dm) = open();
    let vi = dm.create_vi(&mut dev, vi_cfg()).unwrap();
    let n = vi.vi();
    dev.log.clear();
    let id = dm
        .install_tx_filter(&mut dev, n, "udp and src port 5000")
        .unwrap();
    let flow = "udp and src host 10.0.0.1 and src port 9 and dst host 10.0.0.2 and dst port 7";
    dm.install_tx_filter(&mut dev, n, flow).unwrap();
    let tx_window = arsenic_interface::classifier::WINDOW + regs::TX_FILTER_OFFSET;
    assert!(!dev.log.is_empty());
    assert!(dev.log.iter().all(|&(o, _)| (tx_window
        ..tx_window + arsenic_interface::classifier::WINDOW_SIZE)
        .contains(&o)));
    assert_eq!(dm.tx_filters().count(), 2);
    assert!(dm.tx_filters().all(|f| f.vi == n));
    // What the card cannot express, and VIs that do not exist.
    assert!(matches!(
        dm.install_tx_filter(&mut dev, n, "udp and"),
        Err(DriverError::Filter(_))
    ));
    assert!(matches!(
        dm.install_tx_filter(&mut dev, 500, "udp"),
        Err(DriverError::NoSuchVi(500))
    ));
    dm.remove_tx_filter(&mut dev, id).unwrap();
    assert!(dm.remove_tx_filter(&mut dev, id).is_err());
    // Destroying the VI disables its transmit first and removes its remaining filter.
    dev.log.clear();
    dm.destroy_vi(&mut dev, vi).unwrap();
    let disable = dev
        .log
        .iter()
        .position(|&(o, v)| o == regs::TX_CMD && v == tx_cmd::word(tx_cmd::DISABLE, n));
    let destroy = dev
        .log
        .iter()
        .position(|&(o, v)| o == regs::VI_CMD && v == vi_cmd::word(vi_cmd::DESTROY, n));
    assert!(disable.is_some() && disable < destroy);
    assert_eq!(dm.tx_filters().count(), 0);
}

#[test]
fn transmit_counters_are_read_from_their_registers() {
    let (mut dev, mut dm) = open();
    let vi = dm.create_vi(&mut dev, vi_cfg()).unwrap();
    use arsenic_interface::regs::{TxCounter, TxViCounter};
    dev.regs.insert(TxCounter::Octets.offset(), 1234);
    dev.regs
        .insert(db_page(vi.vi()) + TxViCounter::DropSpoofed.offset(), 7);
    assert_eq!(
        DeviceManager::tx_counters(&mut dev)[&TxCounter::Octets],
        1234
    );
    assert_eq!(vi.tx_stats(&mut dev)[&TxViCounter::DropSpoofed], 7);
    assert_eq!(
        DeviceManager::vi_tx_counters(&mut dev, vi.vi()).unwrap(),
        vi.tx_stats(&mut dev)
    );
    assert!(DeviceManager::tx_idle(&mut dev));
}
