//! What a card puts on the wire, read back: a monitor of GMII or XGMII transmit symbols that
//! checks the framing (preamble, SFD, start lanes, terminate, control characters, inter-frame
//! gaps) and hands back each frame's octets (FCS included) with the cycle it started.
//!
//! The monitor knows the standard, not the card: it is the bench's independent reading of
//! the wire.

use arsenic_interface::eth::{self, xgmii};

/// A frame seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxFrame {
    /// The octets after the SFD: the frame with its FCS.
    pub bytes: Vec<u8>,
    /// Cycle of the first octet (GMII) or of /S/ (XGMII).
    pub start_cycle: u64,
    /// Octet times of idle before this frame (0 for the first).
    pub gap_octets: u64,
}

/// Something on the wire that the standard does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireFault {
    pub cycle: u64,
    pub what: String,
}

/// Reads GMII transmit symbols, one octet a cycle.
#[derive(Debug, Default)]
pub struct GmiiMonitor {
    cur: Option<(u64, u64, Vec<u8>)>,
    idle_since: Option<u64>,
    pub frames: Vec<TxFrame>,
    pub faults: Vec<WireFault>,
}

impl GmiiMonitor {
    /// One cycle of `txd`, `tx_en`, `tx_er`.
    pub fn cycle(&mut self, now: u64, txd: u8, en: bool, er: bool) {
        if er {
            self.faults.push(WireFault {
                cycle: now,
                what: "TX_ER".into(),
            });
        }
        match (&mut self.cur, en) {
            (Some((_, _, bytes)), true) => bytes.push(txd),
            (None, true) => {
                let gap = self.idle_since.map_or(0, |s| now - s);
                self.cur = Some((now, gap, vec![txd]));
                if gap != 0 && gap < eth::IFG as u64 {
                    self.faults.push(WireFault {
                        cycle: now,
                        what: format!("gap of {gap} octets"),
                    });
                }
            }
            (Some(_), false) => {
                let (start, gap, bytes) = self.cur.take().unwrap();
                self.idle_since = Some(now);
                let pre = eth::PREAMBLE_LEN + 1;
                if bytes.len() < pre
                    || bytes[..eth::PREAMBLE_LEN]
                        .iter()
                        .any(|&b| b != eth::PREAMBLE)
                    || bytes[eth::PREAMBLE_LEN] != eth::SFD
                {
                    self.faults.push(WireFault {
                        cycle: start,
                        what: "bad preamble or SFD".into(),
                    });
                    return;
                }
                self.frames.push(TxFrame {
                    bytes: bytes[pre..].to_vec(),
                    start_cycle: start,
                    gap_octets: gap,
                });
            }
            (None, false) => {}
        }
    }
}

/// Reads 64-bit XGMII transmit symbols, eight lanes a cycle.
#[derive(Debug, Default)]
pub struct XgmiiMonitor {
    cur: Option<(u64, u64, Vec<u8>)>,
    /// Octet position (cycle * 8 + lane) just after the last /T/.
    last_end: Option<u64>,
    pub frames: Vec<TxFrame>,
    pub faults: Vec<WireFault>,
}

impl XgmiiMonitor {
    /// One cycle of `txd` (lane 0 in the low octet) and `txc`.
    pub fn cycle(&mut self, now: u64, txd: u64, txc: u8) {
        for (lane, &b) in txd.to_le_bytes().iter().enumerate() {
            let ctl = txc >> lane & 1 == 1;
            let pos = now * 8 + lane as u64;
            let fault = |what: String| WireFault { cycle: now, what };
            match (&mut self.cur, ctl, b) {
                (None, true, xgmii::START) => {
                    if lane != 0 && lane != 4 {
                        self.faults.push(fault(format!("/S/ in lane {lane}")));
                    }
                    // The gap runs from /T/ (included) to /S/.
                    let gap = self.last_end.map_or(0, |e| pos - e);
                    if self.last_end.is_some() && gap < eth::IFG as u64 {
                        self.faults.push(fault(format!("gap of {gap} octets")));
                    }
                    self.cur = Some((now, gap, Vec::new()));
                }
                (None, true, xgmii::IDLE) => {}
                (None, _, _) => self
                    .faults
                    .push(fault(format!("{b:#04x} (control {ctl}) outside a frame"))),
                (Some((_, _, v)), false, b) => v.push(b),
                (Some(_), true, xgmii::TERMINATE) => {
                    let (start, gap, v) = self.cur.take().unwrap();
                    self.last_end = Some(pos);
                    let pre = eth::PREAMBLE_LEN;
                    // /S/ stands for the first preamble octet: six more and the SFD follow.
                    if v.len() < pre
                        || v[..pre - 1].iter().any(|&x| x != eth::PREAMBLE)
                        || v[pre - 1] != eth::SFD
                    {
                        self.faults.push(fault("bad preamble or SFD".into()));
                        continue;
                    }
                    self.frames.push(TxFrame {
                        bytes: v[pre..].to_vec(),
                        start_cycle: start,
                        gap_octets: gap,
                    });
                }
                (Some(_), true, b) => {
                    self.faults
                        .push(fault(format!("control {b:#04x} inside a frame")));
                    self.cur = None;
                }
            }
        }
    }
}
