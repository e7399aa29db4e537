//! Event-queue entry: 16 bytes, two little-endian 64-bit words, in the event ring in host
//! memory. The card writes word 1 before word 0, and word 0 carries the phase bit, so an entry
//! whose phase matches the host's expectation is complete.
//!
//! Word 0:
//!
//! | bits   | field |
//! | ---    | ---   |
//! | 15..0  | length of the frame in bytes, FCS excluded (0 in an error event) |
//! | 19..16 | kind ([`Kind`]) |
//! | 23..20 | status bits ([`status`]); in an error event the code ([`error`]) |
//! | 47..32 | virtual interface (queue) |
//! | 62..48 | filter id that chose the queue ([`FILTER_NONE`] for the default path) |
//! | 63     | phase: 1 on the first pass over the ring, flipping on every wrap |
//!
//! Word 1:
//!
//! | bits   | field |
//! | ---    | ---   |
//! | 47..0  | card timestamp (clock cycles) when the frame's data was written |
//! | 63..48 | ring index of the descriptor used (error event: see [`error`]) |
//!
//! A `TX_DONE` event reports the transmit descriptor at its ring index (word 1, bits 63..48)
//! as finished, and with it every descriptor before it; its length field is the frame's
//! length and its timestamp the cycle the frame's last octet left the card's buffer. A
//! transmit error event carries the refused descriptor's ring index the same way.
//!
//! [`Event::new_checked`] fails on a short buffer; after it succeeds no accessor panics.

use crate::{get_field, set_field, LayoutError};

/// Bytes in one event.
pub const SIZE: usize = 16;
/// log2 of [`SIZE`].
pub const SIZE_LOG2: u32 = 4;

/// Bit positions of word 0.
pub mod w0 {
    pub const LEN_SHIFT: u32 = 0;
    pub const LEN_BITS: u32 = 16;
    pub const KIND_SHIFT: u32 = 16;
    pub const KIND_BITS: u32 = 4;
    pub const STATUS_SHIFT: u32 = 20;
    pub const STATUS_BITS: u32 = 4;
    pub const VI_SHIFT: u32 = 32;
    pub const VI_BITS: u32 = 16;
    pub const FILTER_SHIFT: u32 = 48;
    pub const FILTER_BITS: u32 = 15;
    pub const PHASE_SHIFT: u32 = 63;
}

/// Bit positions of word 1.
pub mod w1 {
    pub const TIMESTAMP_SHIFT: u32 = 0;
    pub const TIMESTAMP_BITS: u32 = 48;
    pub const DESC_SHIFT: u32 = 48;
    pub const DESC_BITS: u32 = 16;
}

/// Filter id of a frame that no filter claimed (the default path).
pub const FILTER_NONE: u16 = 0x7FFF;

/// Status bits: what the card's header parser found in a received frame.
pub mod status {
    /// Nothing to report.
    pub const OK: u8 = 0;
    /// The frame ends inside a header the parser knows (IPv4 with its options, IPv6's fixed
    /// header, ARP, or the ports of TCP, UDP or SCTP).
    pub const TRUNCATED: u8 = 1 << 0;
    /// An IPv4 header with a version other than 4 or a length below 5 words, or an IPv6
    /// header with a version other than 6.
    pub const MALFORMED: u8 = 1 << 1;
    /// IPv6 with an extension header after the fixed header: not followed by the parser.
    pub const IPV6_EXTENSION: u8 = 1 << 2;
    /// An IPv4 fragment other than the first: it carries no ports.
    pub const LATER_FRAGMENT: u8 = 1 << 3;
}

/// Error codes: the status field of an [`Kind::Error`] event. The event's descriptor-index
/// field holds the ring index of the refused descriptor, or the refused doorbell value.
pub mod error {
    /// The descriptor named a buffer id outside the VI's range, or an entry the VI does not
    /// own or that maps nothing. The frame was dropped and the descriptor consumed.
    pub const BAD_BUFFER: u8 = 1;
    /// The descriptor's offset is not a multiple of 8, or the VI's buffer size does not fit
    /// in the page from there. The frame was dropped and the descriptor consumed.
    pub const BAD_OFFSET: u8 = 2;
    /// A receive doorbell went backwards or more than the ring past the card's consumer
    /// index: refused.
    pub const RX_DOORBELL: u8 = 3;
    /// An event-consumed value went backwards or past the events written: refused.
    pub const EVQ_DOORBELL: u8 = 4;
    /// A transmit doorbell went backwards or more than the ring past the descriptors the
    /// card has read: refused.
    pub const TX_DOORBELL: u8 = 5;
    /// A transmit descriptor named a buffer id the VI does not own, or an entry that maps
    /// nothing: the frame was not sent, the descriptor is consumed.
    pub const TX_BAD_BUFFER: u8 = 6;
    /// A transmit descriptor's offset is not a multiple of 8, its frame does not fit in the
    /// page, or its length is below 14 or above the card's largest frame: not sent.
    pub const TX_BAD_DESC: u8 = 7;
    /// The frame failed the VI's transmit filter (anti-spoofing): not sent.
    pub const TX_SPOOFED: u8 = 8;
}

/// What an event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A received frame was written into a posted buffer.
    Rx,
    /// A transmit descriptor was completed.
    TxDone,
    /// A queue's request was refused.
    Error,
    /// A value this layout does not define.
    Unknown(u8),
}

impl Kind {
    pub const RX: u8 = 1;
    pub const TX_DONE: u8 = 2;
    pub const ERROR: u8 = 3;
}

impl From<u8> for Kind {
    fn from(v: u8) -> Self {
        match v {
            Kind::RX => Kind::Rx,
            Kind::TX_DONE => Kind::TxDone,
            Kind::ERROR => Kind::Error,
            other => Kind::Unknown(other),
        }
    }
}

impl From<Kind> for u8 {
    fn from(k: Kind) -> u8 {
        match k {
            Kind::Rx => Kind::RX,
            Kind::TxDone => Kind::TX_DONE,
            Kind::Error => Kind::ERROR,
            Kind::Unknown(v) => v,
        }
    }
}

/// A view of an event in a byte buffer.
#[derive(Debug, Clone, Copy)]
pub struct Event<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> Event<T> {
    /// Wraps `buf`, checking it is long enough.
    pub fn new_checked(buf: T) -> Result<Self, LayoutError> {
        let have = buf.as_ref().len();
        if have < SIZE {
            return Err(LayoutError::Truncated { need: SIZE, have });
        }
        Ok(Self { buf })
    }
    /// Word 0.
    pub fn word0(&self) -> u64 {
        u64::from_le_bytes(self.buf.as_ref()[0..8].try_into().unwrap())
    }
    /// Word 1.
    pub fn word1(&self) -> u64 {
        u64::from_le_bytes(self.buf.as_ref()[8..16].try_into().unwrap())
    }
    /// The phase bit.
    pub fn phase(&self) -> bool {
        get_field(self.word0(), w0::PHASE_SHIFT, 1) != 0
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Event<T> {
    /// Writes both words.
    pub fn set_words(&mut self, word0: u64, word1: u64) {
        self.buf.as_mut()[0..8].copy_from_slice(&word0.to_le_bytes());
        self.buf.as_mut()[8..16].copy_from_slice(&word1.to_le_bytes());
    }
}

/// The valid contents of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRepr {
    pub len: u16,
    pub kind: Kind,
    pub status: u8,
    pub vi: u16,
    pub filter: u16,
    pub phase: bool,
    pub timestamp: u64,
    pub desc_index: u16,
}

impl EventRepr {
    /// Reads an event.
    pub fn parse<T: AsRef<[u8]>>(ev: &Event<T>) -> EventRepr {
        let (a, b) = (ev.word0(), ev.word1());
        EventRepr {
            len: get_field(a, w0::LEN_SHIFT, w0::LEN_BITS) as u16,
            kind: Kind::from(get_field(a, w0::KIND_SHIFT, w0::KIND_BITS) as u8),
            status: get_field(a, w0::STATUS_SHIFT, w0::STATUS_BITS) as u8,
            vi: get_field(a, w0::VI_SHIFT, w0::VI_BITS) as u16,
            filter: get_field(a, w0::FILTER_SHIFT, w0::FILTER_BITS) as u16,
            phase: get_field(a, w0::PHASE_SHIFT, 1) != 0,
            timestamp: get_field(b, w1::TIMESTAMP_SHIFT, w1::TIMESTAMP_BITS),
            desc_index: get_field(b, w1::DESC_SHIFT, w1::DESC_BITS) as u16,
        }
    }

    /// The two words of this event.
    pub fn words(&self) -> (u64, u64) {
        let mut a = 0;
        a = set_field(a, w0::LEN_SHIFT, w0::LEN_BITS, self.len as u64);
        a = set_field(a, w0::KIND_SHIFT, w0::KIND_BITS, u8::from(self.kind) as u64);
        a = set_field(a, w0::STATUS_SHIFT, w0::STATUS_BITS, self.status as u64);
        a = set_field(a, w0::VI_SHIFT, w0::VI_BITS, self.vi as u64);
        a = set_field(a, w0::FILTER_SHIFT, w0::FILTER_BITS, self.filter as u64);
        a = set_field(a, w0::PHASE_SHIFT, 1, self.phase as u64);
        let mut b = 0;
        b = set_field(b, w1::TIMESTAMP_SHIFT, w1::TIMESTAMP_BITS, self.timestamp);
        b = set_field(b, w1::DESC_SHIFT, w1::DESC_BITS, self.desc_index as u64);
        (a, b)
    }

    /// Writes this event.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, ev: &mut Event<T>) {
        let (a, b) = self.words();
        ev.set_words(a, b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static BYTES: [u8; 16] = [
        0x3C,
        0x00,
        0x01,
        0x00,
        0x00,
        0x00,
        0x00,
        0x80 | 0x7F, // len 60, RX, vi 0, filter none, phase
        0x10,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x05,
        0x00, // ts 16, desc 5
    ];

    #[test]
    fn parse_and_emit_agree() {
        let mut bytes = BYTES;
        bytes[6] = 0xFF; // filter 0x7FFF spans bits 62..48
        let ev = Event::new_checked(&bytes[..]).unwrap();
        let r = EventRepr::parse(&ev);
        assert_eq!(
            r,
            EventRepr {
                len: 60,
                kind: Kind::Rx,
                status: status::OK,
                vi: 0,
                filter: FILTER_NONE,
                phase: true,
                timestamp: 16,
                desc_index: 5
            }
        );
        let mut out = [0u8; 16];
        r.emit(&mut Event::new_checked(&mut out[..]).unwrap());
        assert_eq!(out, bytes);
        assert!(Event::new_checked(&bytes[..15]).is_err());
    }
}
