//! The command line: definitions and dispatch.
//!
//! Exit codes: 0 success; 1 the simulation ran but a check failed (frames lost or corrupted,
//! counters that do not balance); 2 bad usage; 3 unreadable, corrupt or unsupported input
//! capture; 4 the simulation could not complete (driver error, card hang); 5 output could not
//! be written; 6 a filter or configuration the card cannot take (parse error, an expression
//! the card cannot express, a bad VI definition).

use arsenic_interface::params::Speed;
use arsenic_testbenches::config::SimConfigFile;
use arsenic_testbenches::generate::{generate, GenParams};
use arsenic_testbenches::job::{self, SimJob};
use arsenic_testbenches::replay::ReplayOptions;
use arsenic_testbenches::trace;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "arsenic",
    version,
    about = "An Arsenic-style user-accessible NIC: cycle-accurate co-simulation with its driver"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SpeedArg {
    #[value(name = "1g")]
    G1,
    #[value(name = "10g")]
    G10,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Replay a capture through the card with the device manager in the loop.
    Sim {
        /// pcap or pcapng (Ethernet); the embedded default trace if omitted.
        pcap: Option<PathBuf>,
        /// Ignore capture timestamps: frames back to back at line rate.
        #[arg(long)]
        line_rate: bool,
        /// Link speed and front end.
        #[arg(long, value_enum, default_value = "1g")]
        speed: SpeedArg,
        /// Shorten idle gaps between frames to at most this many microseconds.
        #[arg(long, value_name = "US")]
        max_gap_us: Option<u64>,
        /// Output folder: one pcap per VI of what the host received.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// VIs and their filters (TOML); the embedded default when omitted.
        #[arg(long, value_name = "FILE", conflicts_with = "no_filters")]
        config: Option<PathBuf>,
        /// Install no filter: every frame goes to the OS VI.
        #[arg(long)]
        no_filters: bool,
        /// Record a VCD waveform of the card into this file.
        #[arg(long, value_name = "FILE")]
        vcd: Option<PathBuf>,
        /// First cycle of the waveform, counted from the first frame.
        #[arg(long, default_value_t = 0, requires = "vcd")]
        vcd_from: u64,
        /// Cycles of waveform to record.
        #[arg(long, default_value_t = 10_000, requires = "vcd")]
        vcd_cycles: u64,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Work with traces.
    Trace {
        #[command(subcommand)]
        command: TraceCommand,
    },
    /// Work with filters.
    Filter {
        #[command(subcommand)]
        command: FilterCommand,
    },
    /// Print the register map and the counters, from the interface crate.
    Regs,
    /// Run the benchmarks and write the report (BENCHMARKS.md and its charts).
    Bench {
        /// The quick subset CI runs; its figures are checked (exit 1 if one fails).
        #[arg(long)]
        quick: bool,
        /// Folder of BENCHMARKS.md (charts in bench/ below it).
        #[arg(long, default_value = "docs")]
        out: PathBuf,
    },
    /// Build a board image with the open toolchain (Yosys, nextpnr-ecp5, ecppack): bitstream
    /// and report (resources, achieved clock frequencies, pass/fail) in the output folder.
    Synth {
        /// The board.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(
            arsenic_hdl::board::BOARDS.iter().map(|b| b.name)))]
        board: String,
        /// The image: the PHY bring-up image, or the NIC (the board's card with its host
        /// tunnel, docs/BOARD.md).
        #[arg(long, value_enum, default_value = "bringup")]
        image: crate::synth::Image,
        /// Stop after nextpnr's packer: the resource use only (in seconds, no clocks, no
        /// bitstream), e.g. to size the card (`ARSENIC_BOARD_*`, docs/BOARD.md).
        #[arg(long)]
        pack_only: bool,
        /// nextpnr's placement seed (without it, nextpnr's own default): placement alone moves
        /// the card's clock by several MHz from one seed to another (docs/BOARD.md).
        #[arg(long)]
        seed: Option<u64>,
        /// Output folder: top.v, board.lpf, logs, top.bit, report.md.
        #[arg(long, default_value = "out/synth")]
        out: PathBuf,
        /// Virtual environment of the tools (created on first use; their cache beside it).
        #[arg(long, default_value = "target/synth-venv")]
        tools: PathBuf,
    },
    /// Write the card's Verilog into a folder: nic.v (simulation configuration), nic_small.v
    /// (small classifier, for synthesis), mac_rx.v and classifier.v.
    Verilog {
        #[arg(long, default_value = "out/verilog")]
        out: PathBuf,
    },
    /// Reach a board's card through the host tunnel on a network interface (the PC's port
    /// cabled to the board's second port): probe it, print its identity, sizes and counters.
    Board {
        /// The PC's interface, e.g. eth1.
        #[arg(long)]
        iface: String,
        /// Nanoseconds per card cycle for the driver's time limits: 8 for a board (125 MHz);
        /// 2000 for the simulated board of `arsenic board-sim`.
        #[arg(long, default_value_t = 8.0)]
        cycle_ns: f64,
    },
    /// Run the board's card, simulated in Verilator, with its tunnel port on a network
    /// interface (one end of a veth pair), so `arsenic board` and the driver reach it through
    /// the kernel as they would reach a board.
    BoardSim {
        /// The interface the simulated board's tunnel port sits on.
        #[arg(long)]
        iface: String,
        /// Stop after this many seconds (default: run until interrupted).
        #[arg(long)]
        seconds: Option<f64>,
    },
}

#[derive(Subcommand, Debug)]
enum FilterCommand {
    /// Parse and compile a filter: show the card's entries, or what is wrong.
    Check {
        /// A pcap-filter expression, e.g. 'tcp and dst port 80'.
        expr: String,
    },
}

#[derive(Subcommand, Debug)]
enum TraceCommand {
    /// Write the generated workload (mixed sizes, VLAN, QinQ, IPv6, bad FCS, runts, giants).
    Generate {
        #[arg(long, default_value = "traces/generated.pcapng")]
        out: PathBuf,
        #[arg(long, default_value_t = GenParams::default().seed)]
        seed: u64,
        #[arg(long, default_value_t = GenParams::default().frames)]
        frames: usize,
        /// Every frame this many octets (FCS excluded, 60..=1514) and no faults.
        #[arg(long, value_name = "OCTETS", value_parser = clap::value_parser!(u16).range(60..=1514))]
        fixed_size: Option<u16>,
    },
    /// Make captured frames look as on a wire: MAC addresses for all-zero (loopback) ones,
    /// from the IP addresses; IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums recomputed
    /// (offloaded checksums are left unfinished in captures).
    Fix {
        /// The capture to fix (pcap or pcapng, Ethernet).
        input: PathBuf,
        /// Where to write the fixed capture (pcapng if the name ends in .pcapng).
        output: PathBuf,
    },
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Bench { quick, out } => {
            let o = arsenic_testbenches::bench::BenchOptions { quick, out };
            match arsenic_testbenches::bench::run(&o, &mut |what| eprintln!("bench: {what}")) {
                Ok(r) => {
                    let failed: Vec<&str> = r
                        .checks
                        .iter()
                        .filter(|c| !c.ok)
                        .map(|c| c.what.as_str())
                        .collect();
                    println!("report       {}", r.path.display());
                    for c in &r.checks {
                        println!("{}  {}", if c.ok { "ok    " } else { "FAILED" }, c.what);
                    }
                    if failed.is_empty() {
                        0
                    } else {
                        1
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    match e {
                        arsenic_testbenches::bench::BenchError::Output { .. } => 5,
                        _ => 4,
                    }
                }
            }
        }
        Command::Sim {
            pcap,
            line_rate,
            speed,
            max_gap_us,
            out,
            config,
            no_filters,
            vcd,
            vcd_from,
            vcd_cycles,
            quiet,
        } => {
            let config = match (no_filters, config) {
                (true, _) => None,
                (false, Some(p)) => match SimConfigFile::load(&p) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        eprintln!("arsenic sim: {e}");
                        return 6;
                    }
                },
                (false, None) => Some(SimConfigFile::default_config()),
            };
            let speed = match speed {
                SpeedArg::G1 => Speed::Gbe1,
                SpeedArg::G10 => Speed::Gbe10,
            };
            let mut options = ReplayOptions::new(speed);
            options.line_rate = line_rate;
            options.max_gap_ns = max_gap_us.map(|u| u.saturating_mul(1000));
            options.vcd = vcd.map(|p| (p, vcd_from, vcd_from.saturating_add(vcd_cycles)));
            let job = SimJob {
                input: pcap,
                options,
                config,
                out_dir: out,
            };
            let bar = if quiet {
                indicatif::ProgressBar::hidden()
            } else {
                indicatif::ProgressBar::new(0)
            };
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} frames {msg}",
                )
                .expect("static template"),
            );
            let result = job::run(&job, &mut |p| {
                bar.set_length(p.frames_total);
                bar.set_position(p.frames_started);
                bar.set_message(format!("{} cycles", p.cycles));
            });
            bar.finish_and_clear();
            match result {
                Ok(summary) => {
                    println!("{summary}");
                    if summary.balanced() {
                        0
                    } else {
                        1
                    }
                }
                Err(e) => {
                    eprintln!("arsenic sim: {e}");
                    e.exit_code()
                }
            }
        }
        Command::Trace {
            command:
                TraceCommand::Generate {
                    out,
                    seed,
                    frames,
                    fixed_size,
                },
        } => {
            let frames = generate(GenParams {
                seed,
                frames,
                fixed_size: fixed_size.map(usize::from),
                ..GenParams::default()
            });
            match trace::write_pcapng(&out, &frames) {
                Ok(()) => {
                    println!("wrote {} ({} frames)", out.display(), frames.len());
                    0
                }
                Err(e) => {
                    eprintln!("arsenic trace generate: {e}");
                    5
                }
            }
        }
        Command::Trace {
            command: TraceCommand::Fix { input, output },
        } => match arsenic_testbenches::fixup::fix_file(&input, &output) {
            Ok(s) => {
                println!(
                    "wrote {}: {} frames; MAC addresses set in {}, IPv4 header checksums fixed in {}, \
                     TCP/UDP/ICMP checksums fixed in {}; transport checksums left as captured: {} cut short, {} fragments, {} routed; {} not IP",
                    output.display(),
                    s.frames,
                    s.macs,
                    s.ipv4_headers,
                    s.l4,
                    s.truncated,
                    s.fragments,
                    s.routed,
                    s.not_ip
                );
                0
            }
            Err(e @ arsenic_testbenches::trace::TraceError::Write { .. }) => {
                eprintln!("arsenic trace fix: {e}");
                5
            }
            Err(e) => {
                eprintln!("arsenic trace fix: {e}");
                3
            }
        },
        Command::Filter {
            command: FilterCommand::Check { expr },
        } => filter_check(&expr),
        Command::Regs => {
            print!("{}", arsenic_interface::regs::describe());
            0
        }
        Command::Synth {
            board,
            image,
            pack_only,
            seed,
            out,
            tools,
        } => {
            let b = arsenic_hdl::board::board(&board).expect("clap checked the name");
            crate::synth::synth(b, image, &out, &tools, pack_only, seed)
        }
        Command::Board { iface, cycle_ns } => board(&iface, cycle_ns),
        Command::BoardSim { iface, seconds } => {
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            if let Some(s) = seconds {
                let st = stop.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(std::time::Duration::from_secs_f64(s.max(0.0)));
                    st.store(true, std::sync::atomic::Ordering::Relaxed);
                });
            }
            eprintln!("arsenic board-sim: the board's card on {iface}");
            let mut sim = arsenic_testbenches::tunnel_sim::TunnelSim::new();
            match arsenic_testbenches::tunnel_link::serve_simulated_board(&mut sim, &iface, &stop) {
                Ok(st) => {
                    println!(
                        "{} cycles, {} frames to the card, {} from it",
                        st.cycles, st.to_card, st.from_card
                    );
                    0
                }
                Err(e) => {
                    eprintln!("arsenic board-sim: {e}");
                    4
                }
            }
        }
        Command::Verilog { out } => {
            if let Err(e) = std::fs::create_dir_all(&out) {
                eprintln!("arsenic verilog: cannot create {}: {e}", out.display());
                return 5;
            }
            let mut all = arsenic_hdl::verilog::designs();
            all.push(arsenic_hdl::verilog::Design {
                name: "nic_small",
                verilog: arsenic_hdl::verilog::nic_small(),
            });
            for d in all {
                let path = out.join(format!("{}.v", d.name));
                if let Err(e) = std::fs::write(&path, d.verilog) {
                    eprintln!("arsenic verilog: cannot write {}: {e}", path.display());
                    return 5;
                }
                println!("wrote {}", path.display());
            }
            0
        }
    }
}

fn filter_check(expr: &str) -> i32 {
    use arsenic_filters::{compile, parse, Compiled};
    let parsed = match parse(expr) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", e.render(expr));
            return 6;
        }
    };
    let compiled = match compile(&parsed) {
        Ok(c) => c,
        Err(arsenic_filters::FilterError::Lower(e)) => {
            let pe = arsenic_filters::ParseError {
                message: format!("the card cannot express this: {}", e.message),
                span: e.span,
            };
            eprintln!("{}", pe.render(expr));
            return 6;
        }
        Err(e) => {
            eprintln!("{expr}: {e}");
            return 6;
        }
    };
    use std::io::Write;
    let (t, l, _) = compiled.usage();
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) ends the listing quietly.
    let _ = match &compiled {
        Compiled::Flow(k) => writeln!(out, "exact flow: {k}\nentries: 1 flow-table slot"),
        Compiled::Rules(terms) => writeln!(out, "masked rules: {t} terms over {l} literals")
            .and_then(|_| {
                terms.iter().enumerate().try_for_each(|(i, term)| {
                    let lits: Vec<String> = term.iter().map(|l| l.to_string()).collect();
                    writeln!(out, "  term {i}: {}", lits.join(" and "))
                })
            }),
    };
    0
}

/// `arsenic board`: probe the card behind the tunnel on `iface`.
fn board(iface: &str, cycle_ns: f64) -> i32 {
    use arsenic_host::{CardSize, Device, DeviceManager, TunnelDevice};
    use arsenic_interface::regs;
    let link = match arsenic_testbenches::tunnel_link::PcapLink::open(iface, cycle_ns) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("arsenic board: {e}");
            return 4;
        }
    };
    // The card answers the source address of our frames: the interface's own.
    let host_mac = std::fs::read_to_string(format!("/sys/class/net/{iface}/address"))
        .ok()
        .and_then(|t| {
            let b: Vec<u8> = t
                .trim()
                .split(':')
                .filter_map(|x| u8::from_str_radix(x, 16).ok())
                .collect();
            <[u8; 6]>::try_from(b).ok()
        })
        .unwrap_or([0x02, 0, 0, 0, 0, 0x01]);
    let mut dev = TunnelDevice::new(
        link,
        arsenic_host::HostMemory::new(0x1_0000_0000, 16 << 20),
        host_mac,
    );
    dev.read_timeout = (2e9 / cycle_ns) as u64;
    let id = dev.read32(regs::ID);
    if id != regs::ID_VALUE {
        eprintln!(
            "arsenic board: no card answers on {iface} (ID read {id:#010x}; {} of {} reads timed out)",
            dev.stats.read_timeouts, dev.stats.reads
        );
        return 3;
    }
    if let Err(e) = DeviceManager::probe(&mut dev, arsenic_interface::params::Speed::Gbe1, 1518) {
        eprintln!("arsenic board: {e}");
        return 3;
    }
    let size = match CardSize::read(&mut dev) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("arsenic board: {e}");
            return 3;
        }
    };
    println!(
        "card on {iface}: ID {id:#010x}, version {:#010x}, {} VIs, {} buffer-table entries",
        dev.read32(regs::VERSION),
        1u32 << size.vi_bits,
        1u32 << size.buftbl_bits
    );
    for (c, v) in DeviceManager::counters(&mut dev) {
        if v != 0 {
            println!("  {c:?}: {v}");
        }
    }
    println!(
        "tunnel: {} frames sent, {} received, {} reads, {} timed out",
        dev.stats.frames_sent, dev.stats.frames_received, dev.stats.reads, dev.stats.read_timeouts
    );
    0
}
