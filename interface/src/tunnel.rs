//! The host tunnel: the card's host interface carried in Ethernet frames over a board's
//! second port, for boards without PCIe.
//!
//! Every tunnel frame is an Ethernet II frame of EtherType [`ETHERTYPE`] (IEEE 802 local
//! experimental) followed by two zero octets, so that its messages start at octet 16, on the
//! card's 8-octet beat boundary. After that come 8-octet **words**, little-endian, octet 0 of
//! a word in its low bits:
//!
//! ```text
//! octets 0..6   destination address        6..12  source address
//! octets 12..14 EtherType 0x88B5           14..16 zero
//! octets 16..   words: a command word, then the command's payload words
//! ```
//!
//! **Host to card** (the card takes every frame addressed to [`CARD_MAC`] whose FCS is good,
//! learns the host's address from its source address, and carries out its commands in order;
//! an op of 0 ends the frame's commands, so the zero padding of a short frame is harmless):
//!
//! | op | name | command word | payload |
//! | --- | --- | --- | --- |
//! | 1 | WRITE | op, offset (24 bits, octets 1..4), value (octets 4..8) | none |
//! | 2 | READ | op, offset (24 bits), sequence number (octet 4) | none |
//! | 3 | COMPLETION | op, tag (octet 1), beats `n` (octet 2, 1..=[`MAX_BEATS`]), last (octet 3 bit 0) | `n` data beats |
//!
//! A DMA read of more than [`MAX_BEATS`] beats is answered by several COMPLETION commands in
//! order, `last` on the final one.
//!
//! **Card to host** (one message a frame, to the learned host address):
//!
//! | op | name | command word | payload |
//! | --- | --- | --- | --- |
//! | 0x81 | READ_DATA | op, sequence number (octet 1), value (octets 4..8) | none |
//! | 0x82 | DMA_WRITE | op, first beat's strobes (octet 1), beats `n` (octet 2), last beat's strobes (octet 3) | address, then `n` data beats |
//! | 0x83 | DMA_READ | op, tag (octet 1), beats (octet 2; 0 means 256) | address |
//! | 0x84 | INTERRUPT | op | a mask: bit `v` set for each vector `v` < 64 raised since the last INTERRUPT |
//!
//! A DMA_WRITE carries consecutive beats from its address: the first beat written with the
//! first strobes, the last with the last strobes, every beat between with all eight octets.
//! The card sends its messages in the order the card issued them (a read request, an
//! interrupt or a register read's answer never overtakes a DMA write issued before it).

use crate::fcs;

/// The tunnel's EtherType (IEEE 802 local experimental EtherType 1).
pub const ETHERTYPE: u16 = 0x88B5;
/// The card's address on the tunnel port (locally administered).
pub const CARD_MAC: [u8; 6] = [0x02, 0xA5, 0xE0, 0x00, 0x00, 0x01];
/// Octets before the first word.
pub const HEADER_LEN: usize = 16;
/// Most data beats in one COMPLETION or DMA_WRITE.
pub const MAX_BEATS: usize = 32;
/// Most words in one host-to-card frame (1500 octets of payload).
pub const MAX_WORDS: usize = (1514 - HEADER_LEN) / 8;

/// Host-to-card ops.
pub mod op {
    pub const END: u8 = 0;
    pub const WRITE: u8 = 1;
    pub const READ: u8 = 2;
    pub const COMPLETION: u8 = 3;
    pub const READ_DATA: u8 = 0x81;
    pub const DMA_WRITE: u8 = 0x82;
    pub const DMA_READ: u8 = 0x83;
    pub const INTERRUPT: u8 = 0x84;
}

/// A host-to-card command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Write { offset: u32, value: u32 },
    Read { offset: u32, seq: u8 },
    Completion { tag: u8, last: bool, data: Vec<u64> },
}

impl Command {
    /// Words this command takes.
    pub fn words(&self) -> usize {
        match self {
            Command::Completion { data, .. } => 1 + data.len(),
            _ => 1,
        }
    }

    fn emit(&self, out: &mut Vec<u8>) {
        let w = match self {
            Command::Write { offset, value } => {
                op::WRITE as u64 | ((*offset as u64 & 0xFF_FFFF) << 8) | ((*value as u64) << 32)
            }
            Command::Read { offset, seq } => {
                op::READ as u64 | ((*offset as u64 & 0xFF_FFFF) << 8) | ((*seq as u64) << 32)
            }
            Command::Completion { tag, last, data } => {
                op::COMPLETION as u64
                    | ((*tag as u64) << 8)
                    | ((data.len() as u64) << 16)
                    | ((*last as u64) << 24)
            }
        };
        out.extend_from_slice(&w.to_le_bytes());
        if let Command::Completion { data, .. } = self {
            for d in data {
                out.extend_from_slice(&d.to_le_bytes());
            }
        }
    }
}

/// A card-to-host message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    ReadData {
        seq: u8,
        value: u32,
    },
    DmaWrite {
        addr: u64,
        first_strobe: u8,
        last_strobe: u8,
        data: Vec<u64>,
    },
    DmaRead {
        tag: u8,
        addr: u64,
        beats: u16,
    },
    Interrupt {
        mask: u64,
    },
}

impl Message {
    /// The strobes of beat `i` of a DMA_WRITE of `n` beats.
    pub fn strobe(first: u8, last: u8, i: usize, n: usize) -> u8 {
        if i == 0 {
            if n == 1 {
                first & last
            } else {
                first
            }
        } else if i + 1 == n {
            last
        } else {
            0xFF
        }
    }
}

/// What is wrong with a frame that claims to be a tunnel frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TunnelError {
    /// Not a tunnel frame (other EtherType or too short): not an error on a shared link.
    NotTunnel,
    /// The FCS is wrong.
    BadFcs,
    /// The message is cut short or names an unknown op.
    Malformed(String),
}

impl std::fmt::Display for TunnelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TunnelError::NotTunnel => write!(f, "not a tunnel frame"),
            TunnelError::BadFcs => write!(f, "tunnel frame with a bad FCS"),
            TunnelError::Malformed(m) => write!(f, "malformed tunnel frame: {m}"),
        }
    }
}

impl std::error::Error for TunnelError {}

/// A host-to-card frame (without FCS) carrying `cmds` from `host` to `card`. The caller keeps
/// the frame within [`MAX_WORDS`] words.
pub fn host_frame(card: [u8; 6], host: [u8; 6], cmds: &[Command]) -> Vec<u8> {
    let mut f = Vec::with_capacity(HEADER_LEN + 8 * cmds.len());
    f.extend_from_slice(&card);
    f.extend_from_slice(&host);
    f.extend_from_slice(&ETHERTYPE.to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    for c in cmds {
        c.emit(&mut f);
    }
    f
}

fn word(b: &[u8], i: usize) -> Option<u64> {
    let at = HEADER_LEN + 8 * i;
    b.get(at..at + 8)
        .map(|s| u64::from_le_bytes(s.try_into().unwrap()))
}

/// Reads a card-to-host frame with its FCS: the sender's address and the message.
pub fn parse_card_frame(frame_with_fcs: &[u8]) -> Result<([u8; 6], Message), TunnelError> {
    parse_card_frame_from(frame_with_fcs, true)
}

/// [`parse_card_frame`] for a frame with its FCS (`with_fcs`, checked here) or without it
/// (a PC's Ethernet port checks the FCS and strips it).
pub fn parse_card_frame_from(
    frame: &[u8],
    with_fcs: bool,
) -> Result<([u8; 6], Message), TunnelError> {
    if frame.len() < 14 || frame[12..14] != ETHERTYPE.to_be_bytes() {
        return Err(TunnelError::NotTunnel);
    }
    let b = if with_fcs {
        if !fcs::check(frame) {
            return Err(TunnelError::BadFcs);
        }
        &frame[..frame.len() - crate::eth::FCS_LEN]
    } else {
        frame
    };
    if b.len() < HEADER_LEN {
        return Err(TunnelError::Malformed(format!(
            "{} octets, shorter than the header",
            b.len()
        )));
    }
    let src: [u8; 6] = b[6..12].try_into().unwrap();
    let cmd = word(b, 0).ok_or_else(|| TunnelError::Malformed("no command word".into()))?;
    let need = |i: usize, what: &str| {
        word(b, i).ok_or_else(|| TunnelError::Malformed(format!("{what} missing")))
    };
    let op_code = cmd as u8;
    let m = match op_code {
        op::READ_DATA => Message::ReadData {
            seq: (cmd >> 8) as u8,
            value: (cmd >> 32) as u32,
        },
        op::DMA_WRITE => {
            let n = (cmd >> 16) as u8 as usize;
            if n == 0 || n > MAX_BEATS {
                return Err(TunnelError::Malformed(format!("DMA_WRITE of {n} beats")));
            }
            let addr = need(1, "DMA_WRITE address")?;
            let data = (0..n)
                .map(|i| need(2 + i, "DMA_WRITE data"))
                .collect::<Result<Vec<_>, _>>()?;
            Message::DmaWrite {
                addr,
                first_strobe: (cmd >> 8) as u8,
                last_strobe: (cmd >> 24) as u8,
                data,
            }
        }
        op::DMA_READ => {
            let beats = match (cmd >> 16) as u8 {
                0 => 256,
                n => n as u16,
            };
            Message::DmaRead {
                tag: (cmd >> 8) as u8,
                addr: need(1, "DMA_READ address")?,
                beats,
            }
        }
        op::INTERRUPT => Message::Interrupt {
            mask: need(1, "INTERRUPT mask")?,
        },
        other => return Err(TunnelError::Malformed(format!("unknown op {other:#04x}"))),
    };
    Ok((src, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_frame_layout() {
        let f = host_frame(
            CARD_MAC,
            [2, 0, 0, 0, 0, 9],
            &[
                Command::Write {
                    offset: 0x12_3456,
                    value: 0xDEAD_BEEF,
                },
                Command::Completion {
                    tag: 5,
                    last: true,
                    data: vec![7, 8],
                },
            ],
        );
        assert_eq!(f.len(), 16 + 8 + 24);
        assert_eq!(&f[12..16], &[0x88, 0xB5, 0, 0]);
        assert_eq!(&f[16..24], &[1, 0x56, 0x34, 0x12, 0xEF, 0xBE, 0xAD, 0xDE]);
        assert_eq!(&f[24..28], &[3, 5, 2, 1]);
        assert_eq!(f[32], 7);
    }

    #[test]
    fn card_frames_parse_and_bad_ones_are_refused() {
        let mut f = host_frame([2, 0, 0, 0, 0, 9], CARD_MAC, &[]);
        f.extend_from_slice(&(op::DMA_READ as u64 | 3 << 8).to_le_bytes());
        f.extend_from_slice(&0x1000u64.to_le_bytes());
        let ok = fcs::append_fcs(&f);
        assert_eq!(
            parse_card_frame(&ok).unwrap().1,
            Message::DmaRead {
                tag: 3,
                addr: 0x1000,
                beats: 256
            }
        );
        let mut bad = ok.clone();
        bad[20] ^= 1;
        assert_eq!(parse_card_frame(&bad), Err(TunnelError::BadFcs));
        // A frame of the tunnel's type shorter than the header, with a good FCS.
        let tiny = fcs::append_fcs(&f[..14]);
        assert!(matches!(
            parse_card_frame(&tiny),
            Err(TunnelError::Malformed(_))
        ));
        let cut = fcs::append_fcs(&f[..24]);
        assert!(matches!(
            parse_card_frame(&cut),
            Err(TunnelError::Malformed(_))
        ));
        assert_eq!(Message::strobe(0xF0, 0x0F, 0, 1), 0x00);
        assert_eq!(Message::strobe(0xF0, 0x0F, 1, 3), 0xFF);
    }
}
