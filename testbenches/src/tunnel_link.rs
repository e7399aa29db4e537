//! The host tunnel over a real network interface, through libpcap: [`PcapLink`] is the
//! driver's [`FrameLink`] on a PC's Ethernet port (to a board, or to a simulated board), and
//! [`serve_simulated_board`] puts the board's card, simulated in Verilator, behind an
//! interface (one end of a veth pair, say), so the driver reaches it through the kernel as it
//! would reach a board.

use crate::tunnel_sim::TunnelSim;
use arsenic_host::FrameLink;
use arsenic_interface::{eth, fcs, tunnel};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Why an interface could not be opened.
#[derive(Debug)]
pub struct LinkError(pub String);

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LinkError {}

/// A capture of the tunnel's frames arriving on `iface`, that can also send.
fn open(iface: &str) -> Result<pcap::Capture<pcap::Active>, LinkError> {
    let why = |e: pcap::Error| {
        LinkError(format!(
            "cannot open {iface} for the tunnel: {e} (it needs root or CAP_NET_RAW)"
        ))
    };
    let mut cap = pcap::Capture::from_device(iface)
        .map_err(why)?
        .immediate_mode(true)
        .snaplen(2048)
        .promisc(true)
        .timeout(1)
        .open()
        .map_err(why)?
        .setnonblock()
        .map_err(why)?;
    cap.direction(pcap::Direction::In).map_err(why)?;
    cap.filter(&format!("ether proto {:#06x}", tunnel::ETHERTYPE), true)
        .map_err(why)?;
    Ok(cap)
}

fn next(cap: &mut pcap::Capture<pcap::Active>) -> Option<Vec<u8>> {
    match cap.next_packet() {
        Ok(p) => Some(p.data.to_vec()),
        Err(_) => None,
    }
}

/// The driver's end of the tunnel on a PC's Ethernet port. Time is the wall clock, counted
/// in the card's cycles of `cycle_ns` nanoseconds (8 for a board's 125 MHz).
pub struct PcapLink {
    cap: pcap::Capture<pcap::Active>,
    start: Instant,
    cycle_ns: f64,
    /// Frames the interface refused to send.
    pub send_errors: u64,
}

impl PcapLink {
    /// Opens `iface` for the tunnel.
    pub fn open(iface: &str, cycle_ns: f64) -> Result<PcapLink, LinkError> {
        Ok(PcapLink {
            cap: open(iface)?,
            start: Instant::now(),
            cycle_ns,
            send_errors: 0,
        })
    }
}

impl FrameLink for PcapLink {
    fn send(&mut self, frame: &[u8]) {
        if self.cap.sendpacket(eth::padded(frame)).is_err() {
            self.send_errors += 1;
        }
    }

    fn recv(&mut self) -> Option<Vec<u8>> {
        next(&mut self.cap)
    }

    fn fcs_included(&self) -> bool {
        false
    }

    fn advance(&mut self, cycles: u64) {
        let until = self.start
            + Duration::from_nanos(((self.now() + cycles) as f64 * self.cycle_ns) as u64);
        while Instant::now() < until {
            std::thread::yield_now();
        }
    }

    fn now(&self) -> u64 {
        (self.start.elapsed().as_nanos() as f64 / self.cycle_ns) as u64
    }
}

/// What [`serve_simulated_board`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ServeStats {
    pub cycles: u64,
    pub to_card: u64,
    pub from_card: u64,
}

/// Runs the board's card (`TunnelNic` in Verilator) with its tunnel port on `iface` until
/// `stop` is set: frames of the tunnel's EtherType arriving on `iface` go onto the card's
/// port 1 (with an FCS), the card's frames leave on `iface` (without it). Port 0 carries what
/// `sim.send_net` puts on it.
pub fn serve_simulated_board(
    sim: &mut TunnelSim,
    iface: &str,
    stop: &AtomicBool,
) -> Result<ServeStats, LinkError> {
    let mut cap = open(iface)?;
    let mut st = ServeStats::default();
    while !stop.load(Ordering::Relaxed) {
        while let Some(f) = next(&mut cap) {
            st.to_card += 1;
            sim.send(&f);
        }
        sim.advance(64);
        st.cycles += 64;
        while let Some(f) = sim.recv() {
            if fcs::check(&f) {
                st.from_card += 1;
                let _ = cap.sendpacket(&f[..f.len() - eth::FCS_LEN]);
            }
        }
    }
    Ok(st)
}
