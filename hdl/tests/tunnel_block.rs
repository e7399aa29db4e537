//! The tunnel block alone in rust-hdl's simulator, with DMA writes timed to meet its burst
//! logic's corners: a beat that continues the burst arrives just as the burst's quiet time
//! runs out, and a read request comes while the card keeps writing. Every write beat must
//! reach the host, once, in order, and the read request must go out before the stream ends.

use arsenic_hdl::tunnel::Tunnel;
use arsenic_interface::tunnel::{self, Command, Message};
use arsenic_interface::{eth, fcs};
use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};

const HOST: [u8; 6] = [0x02, 0, 0, 0, 0, 0x42];

/// (cycles to wait before offering the beat, address, data)
fn beats() -> Vec<(usize, u64, u64)> {
    let mut v = Vec::new();
    // After a long pause (the previous burst gone), a beat, then the next one after 13 to 18
    // quiet cycles: around the 16-cycle flush.
    let mut addr = 0x1000u64;
    for gap in 13..=18 {
        v.push((400, addr, 0xA000 + addr));
        v.push((gap, addr + 8, 0xB000 + addr));
        addr += 0x100;
    }
    // A stream of 40 contiguous beats.
    for i in 0..40 {
        v.push((0, 0x8000 + 8 * i, 0xC000 + i));
    }
    // A longer one, after a pause: it fills bursts to `MAX_BEATS`.
    v.push((400, 0x20000, 0xD000));
    for i in 1..80 {
        v.push((0, 0x20000 + 8 * i, 0xD000 + i));
    }
    v
}

#[test]
fn every_dma_write_beat_reaches_the_host_once_in_order() {
    let wire = Arc::new(Mutex::new(Vec::<(bool, u8)>::new()));
    let sink = wire.clone();
    let mut sim = Simulation::new();
    sim.add_clock(4, |x: &mut Box<Tunnel>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<Tunnel>| {
        let mut x = sim.init()?;
        let record = |x: &Tunnel| {
            sink.lock()
                .unwrap()
                .push((x.gmii_tx_en.val(), x.gmii_txd.val().to_u8()))
        };
        x.mmio_ready.next = true;
        // A command frame first: the card learns the host's address from it.
        let mut f = tunnel::host_frame(
            tunnel::CARD_MAC,
            HOST,
            &[Command::Write {
                offset: 0x100,
                value: 1,
            }],
        );
        f.resize(eth::MIN_PAYLOAD_FRAME, 0);
        let mut octets = vec![eth::PREAMBLE; 7];
        octets.push(eth::SFD);
        octets.extend(fcs::append_fcs(&f));
        for o in octets {
            x.gmii_rx_dv.next = true;
            x.gmii_rxd.next = (o as u64).into();
            wait_clock_cycle!(sim, clock, x);
            record(&x);
        }
        x.gmii_rx_dv.next = false;
        for _ in 0..300 {
            wait_clock_cycle!(sim, clock, x);
            record(&x);
        }
        // Each cycle: set the inputs, let them settle (one time unit, before the next
        // edge), read the handshakes, then clock. `rd`: 0 before the read request, 1 while
        // it is offered, 2 once taken.
        let mut rd = 0;
        for (k, (gap, addr, data)) in beats().into_iter().enumerate() {
            if k == 30 {
                rd = 1;
            }
            let mut wait = gap;
            loop {
                x.dma_rd_valid.next = rd == 1;
                x.dma_rd_addr.next = 0x4000u64.into();
                x.dma_rd_beats.next = 2u64.into();
                x.dma_rd_tag.next = 9u64.into();
                x.dma_wr_valid.next = wait == 0;
                x.dma_wr_addr.next = addr.into();
                x.dma_wr_data.next = data.into();
                x.dma_wr_strb.next = 0xFFu64.into();
                x = sim.wait(1, x)?;
                let taken = wait == 0 && x.dma_wr_ready.val();
                if rd == 1 && x.dma_rd_ready.val() {
                    rd = 2;
                }
                wait_clock_cycle!(sim, clock, x);
                record(&x);
                if taken {
                    break;
                }
                wait = wait.saturating_sub(1);
            }
        }
        x.dma_wr_valid.next = false;
        for _ in 0..6000 {
            x.dma_rd_valid.next = rd == 1;
            x = sim.wait(1, x)?;
            if rd == 1 && x.dma_rd_ready.val() {
                rd = 2;
            }
            wait_clock_cycle!(sim, clock, x);
            record(&x);
        }
        assert_eq!(rd, 2, "the read request was taken");
        sim.done(x)
    });
    let mut uut = Tunnel::default();
    uut.connect_all();
    sim.run(Box::new(uut), 200_000).unwrap();
    // The card's frames, from the wire.
    let wire = wire.lock().unwrap().clone();
    let mut frames: Vec<Vec<u8>> = Vec::new();
    let mut cur: Option<Vec<u8>> = None;
    for (en, d) in wire {
        match (&mut cur, en) {
            (Some(b), true) => b.push(d),
            (None, true) => cur = Some(vec![d]),
            (Some(_), false) => frames.push(cur.take().unwrap()),
            (None, false) => {}
        }
    }
    let mut written: Vec<(u64, u64)> = Vec::new();
    let mut reads = 0;
    let mut full_bursts = 0;
    // The message of the read request, and of the stream's last beat.
    let (mut read_at, mut last_at) = (usize::MAX, usize::MAX);
    for (n, f) in frames.iter().enumerate() {
        assert_eq!(&f[..8], &[0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xD5]);
        let (_, m) = tunnel::parse_card_frame(&f[8..]).expect("a good tunnel frame");
        match m {
            Message::DmaWrite {
                addr,
                first_strobe,
                last_strobe,
                data,
            } => {
                assert_eq!((first_strobe, last_strobe), (0xFF, 0xFF));
                assert!(
                    (1..=tunnel::MAX_BEATS).contains(&data.len()),
                    "a burst of {} beats",
                    data.len()
                );
                full_bursts += usize::from(data.len() == tunnel::MAX_BEATS);

                for (i, d) in data.into_iter().enumerate() {
                    written.push((addr + 8 * i as u64, d));
                    if addr + 8 * i as u64 == 0x8000 + 8 * 39 {
                        last_at = n;
                    }
                }
            }
            Message::DmaRead { tag, addr, beats } => {
                assert_eq!((tag, addr, beats), (9, 0x4000, 2));
                reads += 1;
                read_at = n;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let want: Vec<(u64, u64)> = beats().into_iter().map(|(_, a, d)| (a, d)).collect();
    assert_eq!(written, want, "every beat once, in order");
    assert_eq!(reads, 1, "the read request went out");
    assert!(full_bursts >= 2, "a long stream fills bursts");
    assert!(
        read_at < last_at,
        "the read request does not wait for the end of the stream of writes"
    );
}
