//! The classifier gives the same outputs, cycle by cycle, in rust-hdl's simulator (its Rust
//! model) and in the Verilator model of its Verilog, on the same stimulus: tables written
//! through its MMIO window (literals, terms, exact flows), frames streamed and committed, and
//! results popped. Both builds: the parallel one of the simulation card and the sequential
//! one of the board's card.

macro_rules! crosscheck {
    ($module:ident, $model:path, $params:expr) => {
        mod $module {
            use arsenic_hdl::classifier::Classifier;
            use arsenic_interface::classifier::{self as cls, flow_hash, ClassifierParams};
            use rust_hdl::prelude::*;
            use std::sync::{Arc, Mutex};
            use $model as vl;

            use arsenic_testbenches::generate::Rng;

            const PARAMS: ClassifierParams = $params;

            fn frame(r: &mut Rng, i: usize) -> Vec<u8> {
                let len = 60 + (r.next_u64() % 100) as usize;
                let mut f: Vec<u8> = (0..len).map(|_| r.next_u64() as u8).collect();
                f[12..14].copy_from_slice(if i.is_multiple_of(3) {
                    &[0x86, 0xDD]
                } else {
                    &[0x08, 0x00]
                });
                if !i.is_multiple_of(3) {
                    f[14] = 0x45;
                    f[20] = 0;
                    f[21] = 0;
                    f[23] = [6, 17][i % 2];
                } else {
                    f[20] = 6;
                }
                // Some frames behind one or two VLAN tags, some cut short.
                if i % 5 == 4 {
                    for _ in 0..1 + (i / 5) % 2 {
                        f.splice(12..12, [0x81, 0x00, 0x00, i as u8]);
                    }
                }
                if i % 11 == 10 {
                    f.truncate(20 + i % 30);
                }
                f
            }

            fn stimulus() -> Vec<vl::In> {
                let mut r = Rng(0xC1A5_51F1);
                let mut v = Vec::new();
                let w = |v: &mut Vec<vl::In>, addr: u32, data: u32| {
                    v.push(vl::In {
                        cfg_write: 1,
                        cfg_addr: addr,
                        cfg_wdata: data,
                        ..Default::default()
                    })
                };
                // Literals: ethertype IPv4, ethertype IPv6, IPv4 protocol TCP, a window past the end,
                // the length, and IPv4-payload ports, with random values elsewhere.
                let lits: [(u32, u32, u32); 8] = [
                    (12 | 2 << 8, 0x0800, 0xFFFF),
                    (12 | 2 << 8, 0x86DD, 0xFFFF),
                    (23 | 1 << 8, 6, 0xFF),
                    (
                        120 | 4 << 8 | cls::lit::KIND_OOB << cls::lit::KIND_SHIFT,
                        0,
                        0,
                    ),
                    (cls::lit::KIND_LEN << cls::lit::KIND_SHIFT, 0x40, 0xC0),
                    (
                        2 | 2 << 8 | cls::lit::BASE_IPV4_PAYLOAD << cls::lit::BASE_SHIFT,
                        0x0050,
                        0x00F0,
                    ),
                    // Behind one VLAN tag: the ethertype, and the IPv4 payload's ports.
                    (16 | 2 << 8, 0x0800, 0xFFFF),
                    (
                        2 | 2 << 8
                            | cls::lit::BASE_IPV4_PAYLOAD << cls::lit::BASE_SHIFT
                            | 1 << cls::lit::DEPTH_SHIFT,
                        0x0050,
                        0x00F0,
                    ),
                ];
                for i in 0..PARAMS.literals as u32 {
                    let (f, val, m) = lits.get(i as usize).copied().unwrap_or((
                        (r.next_u64() % 60) as u32 | 1 << 8,
                        r.next_u64() as u32 & 0xFF,
                        0xF0,
                    ));
                    w(&mut v, cls::LIT_BASE + 16 * i, f);
                    w(&mut v, cls::LIT_BASE + 16 * i + 4, val);
                    w(&mut v, cls::LIT_BASE + 16 * i + 8, m);
                }
                for t in 0..12u32 {
                    let pos = r.next_u64() as u128 & 0xFF & !(1 << (t % 8));
                    let neg = 1u128 << (t % 8);
                    let base = cls::TERM_BASE + 64 * t;
                    w(&mut v, base, pos as u32);
                    w(&mut v, base + 16, neg as u32);
                    w(&mut v, base + 32, (r.next_u64() as u32 % 4) << 16 | t);
                    w(&mut v, base + 36, 100 + t);
                    w(&mut v, base + 40, 1);
                }
                // A term on IPv4 frames that also names a literal past the table: it never
                // matches.
                if PARAMS.literals < 128 {
                    let base = cls::TERM_BASE + 64 * 12;
                    let (word, bit) = (PARAMS.literals / 32, PARAMS.literals % 32);
                    w(&mut v, base, 1);
                    w(
                        &mut v,
                        base + 4 * word as u32,
                        1 << bit | (word == 0) as u32,
                    );
                    w(&mut v, base + 16, 0);
                    w(&mut v, base + 32, 9 << 16 | 12);
                    w(&mut v, base + 36, 112);
                    w(&mut v, base + 40, 1);
                }
                // An exact flow for the frames' 3-tuple of a frame we will send (IPv4 TCP).
                let frames: Vec<Vec<u8>> = (0..60).map(|i| frame(&mut r, i)).collect();
                let f = &frames[1];
                let key: [u32; 10] = [
                    f[23] as u32,
                    0,
                    0,
                    0,
                    0,
                    u32::from_be_bytes(f[30..34].try_into().unwrap()),
                    0,
                    0,
                    0,
                    u16::from_be_bytes(f[36..38].try_into().unwrap()) as u32,
                ];
                for (i, k) in key.iter().enumerate() {
                    w(&mut v, cls::FLOW_STAGE + 4 * i as u32, *k);
                }
                w(&mut v, cls::FLOW_STAGE + 40, 7);
                w(&mut v, cls::FLOW_STAGE + 44, 3 << 16 | 40);
                let idx = flow_hash(&key, 1) & ((1 << PARAMS.flow_bank_bits) - 1);
                w(&mut v, cls::FLOW_CMD, 1 << 31 | 1 << 17 | 1 << 16 | idx);
                // Frames, committed or not, with gaps; results popped as they come.
                for (i, f) in frames.iter().enumerate() {
                    let beats: Vec<&[u8]> = f.chunks(8).collect();
                    for (b, chunk) in beats.iter().enumerate() {
                        let mut data = 0u64;
                        for (k, &x) in chunk.iter().enumerate() {
                            data |= (x as u64) << (8 * k);
                        }
                        let last = b == beats.len() - 1;
                        v.push(vl::In {
                            s_valid: 1,
                            s_data: data,
                            s_nbytes: chunk.len() as u8,
                            s_lanes: ((1u16 << chunk.len()) - 1) as u8,
                            s_last: last as u8,
                            s_len: f.len() as u16,
                            s_commit: (last && i % 7 != 5) as u8,
                            res_pop: (b == 0 && i > 3) as u8,
                            ..Default::default()
                        });
                    }
                    // The sequential build takes longer than a short frame: leave it the time.
                    let gap = if PARAMS.sequential {
                        PARAMS.latency()
                    } else {
                        0
                    };
                    for _ in 0..gap + (r.next_u64() % 4) as usize {
                        v.push(vl::In::default());
                    }
                }
                // Short committed frames back to back, faster than the classifier decides (overruns keep
                // their place in the queue), with table writes landing while frames are classified.
                for i in 0..30u32 {
                    for b in 0..2u32 {
                        let mut inp = vl::In {
                            s_valid: 1,
                            s_data: r.next_u64(),
                            s_nbytes: 8,
                            s_lanes: 0xFF,
                            s_last: (b == 1) as u8,
                            s_len: 16,
                            s_commit: (b == 1) as u8,
                            res_pop: (i % 3 == 0) as u8,
                            ..Default::default()
                        };
                        if b == 0 {
                            inp.cfg_write = 1;
                            inp.cfg_addr = cls::TERM_BASE + 64 * (i % 12) + 40;
                            inp.cfg_wdata = i % 2;
                        }
                        v.push(inp);
                    }
                }
                for _ in 0..80 {
                    v.push(vl::In {
                        res_pop: 1,
                        ..Default::default()
                    });
                }
                v
            }

            fn apply(i: &vl::In, x: &mut Classifier) {
                x.reset.next = i.reset != 0;
                x.s_valid.next = i.s_valid != 0;
                x.s_data.next = i.s_data.into();
                x.s_nbytes.next = (i.s_nbytes as u64).into();
                x.s_lanes.next = (i.s_lanes as u64).into();
                x.s_last.next = i.s_last != 0;
                x.s_len.next = (i.s_len as u64).into();
                x.s_commit.next = i.s_commit != 0;
                x.s_vi.next = (i.s_vi as u64).into();
                x.cfg_write.next = i.cfg_write != 0;
                x.cfg_addr.next = (i.cfg_addr as u64).into();
                x.cfg_wdata.next = (i.cfg_wdata as u64).into();
                x.res_pop.next = i.res_pop != 0;
            }

            fn sample(x: &Classifier) -> vl::Out {
                vl::Out {
                    res_empty: x.res_empty.val() as u8,
                    res_vi: x.res_vi.val().to_u16(),
                    res_filter: x.res_filter.val().to_u16(),
                    res_flags: x.res_flags.val().to_u8(),
                    busy: x.busy.val() as u8,
                    cnt_rule_hits: x.cnt_rule_hits.val().to_u32(),
                    cnt_flow_hits: x.cnt_flow_hits.val().to_u32(),
                    cnt_overrun: x.cnt_overrun.val().to_u32(),
                }
            }

            #[test]
            fn matches_between_rust_hdl_and_verilator() {
                let stim = stimulus();
                let mut m = vl::Model::new();
                let mut out = vl::Out::default();
                let v: Vec<vl::Out> = stim
                    .iter()
                    .map(|i| {
                        m.tick(i, &mut out);
                        out
                    })
                    .collect();
                let got = Arc::new(Mutex::new(Vec::new()));
                let sink = got.clone();
                let mut sim = Simulation::new();
                sim.add_clock(5, |x: &mut Box<Classifier>| x.clock.next = !x.clock.val());
                let stim2 = stim.clone();
                sim.add_testbench(move |mut sim: Sim<Classifier>| {
                    let mut x = sim.init()?;
                    for i in &stim2 {
                        apply(i, &mut x);
                        wait_clock_true!(sim, clock, x);
                        sink.lock().unwrap().push(sample(&x));
                        wait_clock_false!(sim, clock, x);
                    }
                    sim.done(x)
                });
                let mut uut = Classifier::new(PARAMS);
                uut.connect_all();
                sim.run(Box::new(uut), 100_000_000).unwrap();
                let r = got.lock().unwrap().clone();
                assert_eq!(r.len(), v.len());
                for (cycle, (a, b)) in r.iter().zip(&v).enumerate() {
                    assert_eq!(a, b, "outputs differ at cycle {cycle}");
                }
                let last = v.last().unwrap();
                assert!(last.cnt_rule_hits > 5, "{last:?}");
                assert!(last.cnt_flow_hits >= 1, "{last:?}");
                assert!(
                    last.cnt_overrun > 0,
                    "the short frames overran the classifier"
                );
                assert_eq!(last.res_empty, 1, "every result was taken");
            }
        }
    };
}

crosscheck!(parallel, arsenic_bridge::classifier, ClassifierParams::SIM);
crosscheck!(
    sequential,
    arsenic_bridge::classifier_seq,
    ClassifierParams::SEQ_FLOWS
);
