//! The host tunnel end to end: the board's card (`TunnelNic`, the small gigabit card with its
//! host interface carried over port 1) in Verilator, driven by the unchanged device manager
//! and user library through the driver's tunnel backend.

use arsenic_host::{
    CardSize, Device, DeviceManager, FilterManager, HostMemory, QueueConfig, RxFrame, TunnelDevice,
    ViConfig, ViEvent,
};
use arsenic_interface::classifier::ClassifierParams;
use arsenic_interface::event::error;
use arsenic_interface::params::Speed;
use arsenic_interface::regs::TxViCounter;
use arsenic_interface::txdesc::TxDescRepr;
use arsenic_interface::{fcs, regs, tunnel};
use arsenic_testbenches::tunnel_sim::TunnelSim;

const HOST_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x42];

/// A UDP/IPv4 frame to 10.0.0.1:`dport` of `len` octets (FCS excluded), numbered `seq`.
fn udp(dport: u16, seq: u32, len: usize) -> Vec<u8> {
    // (The IPv4 source is 10.0.0.2 at octets 26..30, the destination 10.0.0.1 at 30..34.)
    let mut f = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00];
    let ip_len = (len - 14) as u16;
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&ip_len.to_be_bytes());
    f.extend_from_slice(&[0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1]);
    f.extend_from_slice(&1234u16.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&(ip_len - 20).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(&seq.to_be_bytes());
    while f.len() < len {
        f.push(f.len() as u8);
    }
    f
}

fn vi_config() -> ViConfig {
    ViConfig {
        tx_buffers: 4,
        tx_ring_log2: 4,
        ring_log2: 4,
        evq_log2: 5,
        buffers: 16,
        batch: 4,
        ..Default::default()
    }
}

fn board() -> TunnelDevice<TunnelSim> {
    TunnelDevice::new(
        TunnelSim::new(),
        HostMemory::new(0x1_0000_0000, 16 << 20),
        HOST_MAC,
    )
}

/// The board's card probed at a gigabit and opened by the device manager, with transmit
/// filters for the board's sizes.
fn opened_board() -> (TunnelDevice<TunnelSim>, DeviceManager) {
    let mut dev = board();
    DeviceManager::probe(&mut dev, Speed::Gbe1, 1518).unwrap();
    let dm = DeviceManager::open_with_tx_filters(
        &mut dev,
        QueueConfig::default(),
        ClassifierParams::TX_BOARD,
    )
    .unwrap();
    (dev, dm)
}

#[test]
fn the_manager_configures_the_board_over_the_tunnel_and_a_vi_receives() {
    let mut dev = board();
    DeviceManager::probe(&mut dev, Speed::Gbe1, 1518).unwrap();
    let size = CardSize::read(&mut dev).unwrap();
    assert_eq!(
        (size.vi_bits, size.buftbl_bits),
        (4, 10),
        "the board's card"
    );
    let mut dm = DeviceManager::open_with_tx_filters(
        &mut dev,
        QueueConfig::default(),
        ClassifierParams::TX_BOARD,
    )
    .unwrap();
    let mut user = dm.create_vi(&mut dev, vi_config()).unwrap();
    user.refill(&mut dev, true).unwrap();
    user.wait_prefetched(&mut dev, 100_000);
    let mut fm = FilterManager::new(ClassifierParams::BOARD);
    fm.clear(&mut dev);
    fm.install(&mut dev, "udp and dst port 9001", user.vi(), 0)
        .unwrap();
    // A frame for the VI, one for the OS path, and a long one for the VI (its data crosses
    // the tunnel in several DMA_WRITE bursts).
    let to_vi = udp(9001, 1, 60);
    let to_os = udp(53, 2, 60);
    let long = udp(9001, 3, 1514);
    // A read returns after every posted write before it has reached the card.
    assert_eq!(dev.read32(regs::ID), regs::ID_VALUE);
    dev.link().send_net(&to_vi);
    dev.link().send_net(&to_os);
    dev.link().send_net(&long);
    let (mut got_vi, mut got_os): (Vec<RxFrame>, Vec<RxFrame>) = (Vec::new(), Vec::new());
    let mut evs = Vec::new();
    for _ in 0..2_000 {
        dev.wait(256);
        evs.clear();
        user.poll(&mut dev, &mut evs).unwrap();
        for e in evs.drain(..) {
            match e {
                ViEvent::Rx(f) => got_vi.push(f),
                other => panic!("unexpected event {other:?}"),
            }
        }
        dm.poll(&mut dev, &mut got_os).unwrap();
        if got_vi.len() == 2 && got_os.len() == 1 {
            break;
        }
    }
    assert_eq!(got_vi.len(), 2, "the VI's frames arrive");
    assert_eq!(got_vi[0].data, to_vi);
    assert_eq!(got_vi[1].data, long);
    assert_eq!(got_os.len(), 1);
    assert_eq!(got_os[0].data, to_os);
    let out = *dev.link().output();
    assert_eq!(out.cnt_malformed, 0);
    assert_eq!(out.cnt_bad_frames, 0);
    assert_eq!(out.cnt_overflow, 0);
    assert!(out.cnt_commands > 10);
    // The VI sends through port 0: a frame its transmit filter allows leaves whole, a
    // spoofed one (another source address) is refused.
    dm.install_tx_filter(&mut dev, user.vi(), "src host 10.0.0.1 and udp")
        .unwrap();
    let mut reply = udp(4000, 9, 200);
    reply[26..30].copy_from_slice(&[10, 0, 0, 1]);
    reply[30..34].copy_from_slice(&[10, 0, 0, 2]);
    let mut spoofed = reply.clone();
    spoofed[29] = 66;
    assert_eq!(user.transmit(&mut dev, &[&reply, &spoofed]).unwrap(), 2);
    for _ in 0..200 {
        dev.wait(256);
        evs.clear();
        user.poll(&mut dev, &mut evs).unwrap();
        if user.tx_in_flight() == 0 {
            break;
        }
    }
    assert_eq!(user.tx_in_flight(), 0, "both frames completed");
    let sent = std::mem::take(&mut dev.link().net_tx.frames);
    assert!(
        dev.link().net_tx.faults.is_empty(),
        "{:?}",
        dev.link().net_tx.faults
    );
    assert_eq!(sent.len(), 1, "only the allowed frame leaves");
    assert_eq!(sent[0].bytes, fcs::append_fcs(&reply));
    // Descriptors the board's transmit DMA refuses (its checks take a cycle of their own on
    // the board): a buffer past the end of the card's buffer table, an invalid entry's, and
    // a misaligned offset in the VI's own buffer. Each is an error event at its ring index
    // and a counted drop, and none reaches the wire.
    let own = user.tx_buffer_ids().start;
    for (buffer_id, offset) in [(1u32 << 20, 0u16), ((1 << 10) - 1, 0), (own, 4)] {
        user.post_tx_raw(
            &mut dev,
            TxDescRepr {
                buffer_id,
                offset,
                len: 100,
                request_event: true,
            }
            .word(),
        )
        .unwrap();
    }
    let mut errors = Vec::new();
    for _ in 0..200 {
        dev.wait(256);
        evs.clear();
        user.poll(&mut dev, &mut evs).unwrap();
        errors.extend(evs.iter().filter_map(|e| match e {
            ViEvent::Error { code, index } => Some((*code, *index)),
            _ => None,
        }));
        if errors.len() >= 3 {
            break;
        }
    }
    assert_eq!(
        errors,
        [
            (error::TX_BAD_BUFFER, 2),
            (error::TX_BAD_BUFFER, 3),
            (error::TX_BAD_DESC, 4)
        ],
        "after the two frames at ring indices 0 and 1"
    );
    let s = user.tx_stats(&mut dev);
    assert_eq!(s[&TxViCounter::DropBadBuffer], 2);
    assert_eq!(s[&TxViCounter::DropBadDesc], 1);
    assert_eq!(s[&TxViCounter::DropSpoofed], 1);
    assert_eq!(s[&TxViCounter::Frames], 1);
    assert!(dev.link().net_tx.frames.is_empty(), "nothing more left");
    assert!(dev.link().tunnel_wire_faults().is_empty());
    let st = dev.stats.clone();
    assert_eq!((st.bad, st.read_timeouts, st.dma_faults), (0, 0, 0));
    assert!(st.dma_write_beats >= (1514 / 8) as u64);
    eprintln!(
        "tunnel: {} cycles, {} frames to the card, {} from it, {} reads, {} DMA write beats, {} DMA read beats",
        dev.now(),
        st.frames_sent,
        st.frames_received,
        st.reads,
        st.dma_write_beats,
        st.dma_read_beats
    );
    // A sleeping VI: armed, it is woken by an INTERRUPT message once a frame's event is in
    // memory, and not before.
    user.arm(&mut dev);
    assert!(
        dm.wait_for(&mut dev, &[user.vi()], 20_000).is_empty(),
        "no interrupt without a frame"
    );
    let late = udp(9001, 4, 100);
    dev.link().send_net(&late);
    assert_eq!(
        dm.wait_for(&mut dev, &[user.vi()], 200_000),
        vec![user.vi()],
        "the VI's interrupt crosses the tunnel"
    );
    evs.clear();
    user.poll(&mut dev, &mut evs).unwrap();
    match evs.as_slice() {
        [ViEvent::Rx(f)] => assert_eq!(f.data, late),
        other => panic!("woken with {other:?}"),
    }
}

#[test]
fn bad_and_foreign_tunnel_frames_are_counted_and_lose_nothing() {
    let mut dev = board();
    // A frame for another station, a frame of another EtherType, a frame with a bad FCS and
    // an unknown op: each is counted, and the card still answers a read afterwards.
    let mut other = tunnel::host_frame([2, 9, 9, 9, 9, 9], HOST_MAC, &[]);
    other.resize(60, 0);
    dev.link().send_raw_host(fcs::append_fcs(&other));
    let mut ipv4 = tunnel::host_frame(tunnel::CARD_MAC, HOST_MAC, &[]);
    ipv4[12..14].copy_from_slice(&[0x08, 0x00]);
    ipv4.resize(60, 0);
    dev.link().send_raw_host(fcs::append_fcs(&ipv4));
    let read = tunnel::host_frame(
        tunnel::CARD_MAC,
        HOST_MAC,
        &[tunnel::Command::Write {
            offset: regs::MAX_FRAME,
            value: 100,
        }],
    );
    let mut bad = read.clone();
    bad.resize(60, 0);
    let mut bad = fcs::append_fcs(&bad);
    bad[20] ^= 0x10;
    dev.link().send_raw_host(bad);
    let mut unknown = tunnel::host_frame(tunnel::CARD_MAC, HOST_MAC, &[]);
    unknown.extend_from_slice(&0x77u64.to_le_bytes());
    unknown.resize(60, 0);
    dev.link().send_raw_host(fcs::append_fcs(&unknown));
    dev.wait(2_000);
    assert_eq!(dev.read32(regs::ID), regs::ID_VALUE);
    assert_ne!(
        dev.read32(regs::MAX_FRAME),
        100,
        "the frame with a bad FCS was not carried out"
    );
    let out = *dev.link().output();
    assert_eq!(out.cnt_skipped, 2);
    assert_eq!(out.cnt_bad_frames, 1);
    assert_eq!(out.cnt_malformed, 1);
    assert_eq!(
        out.cnt_commands, 3,
        "the unknown op's frame and the two reads"
    );
    assert_eq!(dev.stats.read_timeouts, 0);
}

/// Frames of mixed sizes at line rate, more than the tunnel can carry: every frame that
/// reaches the host is byte for byte the one sent, and every other one is a counted drop.
#[test]
fn at_line_rate_every_frame_arrives_whole_or_is_counted() {
    use arsenic_interface::regs::Counter;
    let (mut dev, mut dm) = opened_board();
    assert_eq!(dev.read32(regs::ID), regs::ID_VALUE);
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let sent: Vec<Vec<u8>> = (0..120u32)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            udp(7, i, 60 + (x % 1455) as usize)
        })
        .collect();
    for f in &sent {
        dev.link().send_net(f);
    }
    let mut got: Vec<RxFrame> = Vec::new();
    let mut quiet = 0;
    while quiet < 40 {
        dev.wait(512);
        let before = got.len();
        dm.poll(&mut dev, &mut got).unwrap();
        quiet = if got.len() > before { 0 } else { quiet + 1 };
    }
    let c = DeviceManager::counters(&mut dev);
    let dropped: u64 = [
        Counter::DropOverflow,
        Counter::DropNoDesc,
        Counter::DropTooBig,
        Counter::DropFcs,
    ]
    .iter()
    .map(|k| c[k])
    .sum();
    assert_eq!(got.len() as u64 + dropped, sent.len() as u64, "{c:?}");
    assert!(got.len() > 40, "a good share arrives: {}", got.len());
    for f in &got {
        let seq = u32::from_be_bytes(f.data[42..46].try_into().unwrap());
        assert_eq!(f.data, sent[seq as usize], "frame {seq}");
    }
    assert_eq!(dev.stats.read_timeouts, 0);
    assert_eq!(dev.link().output().cnt_malformed, 0);
}

/// The board's transmit path under load: frames of mixed sizes queued as fast as the VI's
/// buffers come back (its transmit DMA keeps a beat read in flight more than the simulation
/// card's) leave port 0 whole, in order, each beat on the cycle it is due.
#[test]
fn a_stream_of_frames_leaves_port_0_whole_and_in_order() {
    let (mut dev, mut dm) = opened_board();
    let mut user = dm.create_vi(&mut dev, vi_config()).unwrap();
    dm.install_tx_filter(&mut dev, user.vi(), "udp").unwrap();
    // Lengths around every beat boundary of a short frame, and long frames between.
    let lens = [
        60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 1514, 100, 127, 128, 129, 999, 60,
        1000, 1513, 200, 64, 65,
    ];
    let frames: Vec<Vec<u8>> = lens
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let mut f = udp(4000, i as u32, n);
            f[26..30].copy_from_slice(&[10, 0, 0, 1]);
            f
        })
        .collect();
    let mut next = 0;
    let mut evs = Vec::new();
    for _ in 0..2_000 {
        if next < frames.len() {
            next += user.transmit(&mut dev, &frames[next..]).unwrap();
        }
        dev.wait(128);
        evs.clear();
        user.poll(&mut dev, &mut evs).unwrap();
        if next == frames.len() && user.tx_in_flight() == 0 {
            break;
        }
    }
    assert_eq!(next, frames.len(), "every frame queued");
    assert_eq!(user.tx_in_flight(), 0, "every frame completed");
    let sent = std::mem::take(&mut dev.link().net_tx.frames);
    assert!(
        dev.link().net_tx.faults.is_empty(),
        "{:?}",
        dev.link().net_tx.faults
    );
    assert_eq!(sent.len(), frames.len(), "every frame leaves");
    for (i, (s, f)) in sent.iter().zip(&frames).enumerate() {
        assert_eq!(
            s.bytes,
            fcs::append_fcs(f),
            "frame {i} ({} octets)",
            f.len()
        );
    }
    let s = user.tx_stats(&mut dev);
    assert_eq!(u64::from(s[&TxViCounter::Frames]), frames.len() as u64);
    assert!(dev.link().tunnel_wire_faults().is_empty());
}
