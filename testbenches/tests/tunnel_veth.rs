//! The host tunnel through the kernel: a veth pair, the board's card simulated in Verilator
//! behind one end, the device manager on the other through `PcapLink` (libpcap on the
//! interface, as it would reach a board through a PC's Ethernet port). Needs root (or
//! CAP_NET_ADMIN and CAP_NET_RAW) to create the pair and capture on it.

use arsenic_host::{CardSize, Device, DeviceManager, TunnelDevice};
use arsenic_interface::params::Speed;
use arsenic_interface::regs;
use arsenic_testbenches::tunnel_link::{serve_simulated_board, PcapLink};
use arsenic_testbenches::tunnel_sim::TunnelSim;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A veth pair that is deleted when dropped.
struct Veth(String);

impl Veth {
    fn new(a: &str, b: &str) -> Veth {
        let _ = Command::new("ip").args(["link", "del", a]).output();
        let ok = |args: &[&str]| {
            let out = Command::new("ip").args(args).output();
            match out {
                Ok(o) if o.status.success() => {}
                Ok(o) => panic!(
                    "ip {}: {} (this test needs root or CAP_NET_ADMIN)",
                    args.join(" "),
                    String::from_utf8_lossy(&o.stderr)
                ),
                Err(e) => panic!("cannot run ip (iproute2): {e}"),
            }
        };
        ok(&["link", "add", a, "type", "veth", "peer", "name", b]);
        ok(&["link", "set", a, "up"]);
        ok(&["link", "set", b, "up"]);
        Veth(a.to_string())
    }
}

impl Drop for Veth {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["link", "del", &self.0]).output();
    }
}

#[test]
fn the_manager_reaches_a_simulated_board_through_a_network_interface() {
    let _veth = Veth::new("arsn-host0", "arsn-board0");
    let stop = Arc::new(AtomicBool::new(false));
    let s2 = stop.clone();
    let board = std::thread::spawn(move || {
        let mut sim = TunnelSim::new();
        serve_simulated_board(&mut sim, "arsn-board0", &s2).unwrap()
    });
    // The simulated card runs about a thousand times slower than a board: the host counts
    // 2 µs a cycle, so that its time limits hold.
    let link = PcapLink::open("arsn-host0", 2_000.0).unwrap();
    let mut dev = TunnelDevice::new(
        link,
        arsenic_host::HostMemory::new(0x1_0000_0000, 1 << 20),
        [0x02, 0, 0, 0, 0, 0x43],
    );
    dev.read_timeout = 2_000_000;
    // The kernel may need a moment before the pair carries frames: retry the first read.
    let mut id = 0;
    for _ in 0..20 {
        id = dev.read32(regs::ID);
        if id == regs::ID_VALUE {
            break;
        }
    }
    assert_eq!(id, regs::ID_VALUE, "the card answers through the kernel");
    DeviceManager::probe(&mut dev, Speed::Gbe1, 1518).unwrap();
    let size = CardSize::read(&mut dev).unwrap();
    assert_eq!((size.vi_bits, size.buftbl_bits), (4, 10));
    dev.write32(regs::MAX_FRAME, 1000);
    assert_eq!(dev.read32(regs::MAX_FRAME), 1000);
    stop.store(true, Ordering::Relaxed);
    let st = board.join().unwrap();
    assert!(st.to_card >= 5 && st.from_card >= 5, "{st:?}");
    assert_eq!(dev.stats.bad, 0);
    eprintln!(
        "through veth: {} reads ({} timed out), {} frames each way, the card ran {} cycles",
        dev.stats.reads, dev.stats.read_timeouts, st.to_card, st.cycles
    );
}
