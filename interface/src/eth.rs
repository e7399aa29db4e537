//! Ethernet constants the MAC and the wire models use (IEEE 802.3 clause 3, 4 and 46).

/// Preamble octet (802.3 clause 3.2.1).
pub const PREAMBLE: u8 = 0x55;
/// Start frame delimiter (802.3 clause 3.2.2).
pub const SFD: u8 = 0xD5;
/// Preamble octets before the SFD on GMII.
pub const PREAMBLE_LEN: usize = 7;
/// Length of the frame check sequence.
pub const FCS_LEN: usize = 4;
/// Smallest valid frame, FCS included (802.3 clause 4.4.2, minFrameSize).
pub const MIN_FRAME: usize = 64;
/// Largest untagged frame, FCS included (maxUntaggedFrameSize).
pub const MAX_UNTAGGED_FRAME: usize = 1518;
/// Largest frame the card accepts by default: one 802.1Q tag allowed (maxFrameSizeTagged).
pub const MAX_FRAME_DEFAULT: usize = 1522;
/// Minimum inter-packet gap in octet times (802.3 clause 4.4.2, interFrameGap 96 bits).
pub const IFG: usize = 12;
/// Smallest frame a sender puts on the wire before the FCS: senders pad to this.
pub const MIN_PAYLOAD_FRAME: usize = MIN_FRAME - FCS_LEN;

/// `frame` (without FCS) as a sender puts it on the wire: zeros added up to
/// [`MIN_PAYLOAD_FRAME`] octets.
pub fn padded(frame: &[u8]) -> Vec<u8> {
    let mut f = frame.to_vec();
    if f.len() < MIN_PAYLOAD_FRAME {
        f.resize(MIN_PAYLOAD_FRAME, 0);
    }
    f
}

/// XGMII control characters (802.3 clause 46.2.3, table 46-3).
pub mod xgmii {
    /// Idle.
    pub const IDLE: u8 = 0x07;
    /// Start, in lane 0 or lane 4.
    pub const START: u8 = 0xFB;
    /// Terminate.
    pub const TERMINATE: u8 = 0xFD;
    /// Error propagation.
    pub const ERROR: u8 = 0xFE;
}
