//! Reading and writing captures: pcap (micro- or nanosecond) and pcapng, Ethernet only.
//!
//! A pcapng packet may say its FCS is included (`epb_flags` FCS length 4, 802.3 frames as
//! they were on the wire, good FCS or bad); such frames go on the wire exactly as captured.
//! Every other frame is what a host handed its MAC: the wire model pads it to 60 octets and
//! appends a correct FCS, as the sender's MAC would.

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::{Block, PcapNgReader, PcapNgWriter};
use pcap_file::{DataLink, Endianness, TsResolution};
use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;
use thiserror::Error;

/// Errors of capture files.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TraceError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{what}: not a pcap or pcapng file (magic {magic:#010x})")]
    NotACapture { what: String, magic: u32 },
    #[error("{what}: corrupt capture after {good} good packets: {detail}")]
    Corrupt {
        what: String,
        good: usize,
        detail: String,
    },
    #[error("{what}: link type {link:?} is not supported; the card takes Ethernet (DLT_EN10MB)")]
    LinkType { what: String, link: DataLink },
    #[error("cannot write {path}: {detail}")]
    Write { path: String, detail: String },
}

/// epb_flags: FCS length field (bits 8..5, in octets).
const EPB_FLAGS_FCS_SHIFT: u32 = 5;
/// epb_flags: link-layer error "CRC error" (bit 24).
pub const EPB_FLAGS_CRC_ERROR: u32 = 1 << 24;

/// One captured frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceFrame {
    /// Capture time, nanoseconds since the epoch.
    pub ts_ns: u64,
    /// The captured octets.
    pub data: Vec<u8>,
    /// The capture holds the frame's FCS (its last four octets).
    pub fcs_included: bool,
    /// Length on the wire; more than `data.len()` when the capture cut the frame short.
    pub orig_len: u32,
}

/// Reads a capture file.
pub fn read_file(path: &Path) -> Result<Vec<TraceFrame>, TraceError> {
    let bytes = std::fs::read(path).map_err(|source| TraceError::Io {
        path: path.display().to_string(),
        source,
    })?;
    read_bytes(&bytes, &path.display().to_string())
}

/// Reads a capture from memory; `what` names it in errors.
pub fn read_bytes(bytes: &[u8], what: &str) -> Result<Vec<TraceFrame>, TraceError> {
    if bytes.len() < 4 {
        return Err(TraceError::NotACapture {
            what: what.into(),
            magic: 0,
        });
    }
    let magic = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
    match magic {
        0xA1B2_C3D4 | 0xD4C3_B2A1 | 0xA1B2_3C4D | 0x4D3C_B2A1 => read_pcap(bytes, what),
        0x0A0D_0D0A => read_pcapng(bytes, what),
        _ => Err(TraceError::NotACapture {
            what: what.into(),
            magic,
        }),
    }
}

fn corrupt(what: &str, good: usize, e: impl std::fmt::Display) -> TraceError {
    TraceError::Corrupt {
        what: what.into(),
        good,
        detail: e.to_string(),
    }
}

/// The largest captured length libpcap accepts for a record (its `MAXIMUM_SNAPLEN`).
const MAX_CAPLEN: u32 = 262_144;

/// The link type of a pcap header's field: its low 26 bits (libpcap's `LT_LINKTYPE`); the
/// top bits may carry an FCS length, which for Ethernet captures says the frames hold their FCS.
fn pcap_link(raw: u32) -> (DataLink, bool) {
    let fcs_present = raw & 0x0400_0000 != 0 && (raw >> 28) == 2;
    (DataLink::from(raw & 0x03FF_FFFF), fcs_present)
}

/// Classic pcap, read by libpcap's rules: a record's captured length may exceed the file's
/// snap length (up to libpcap's maximum), its original length and sub-second field are not
/// checked; a record cut short by the end of the file is an error.
fn read_pcap(bytes: &[u8], what: &str) -> Result<Vec<TraceFrame>, TraceError> {
    const HEADER: usize = 24;
    const RECORD: usize = 16;
    if bytes.len() < HEADER {
        return Err(corrupt(
            what,
            0,
            format!("file header is {} of 24 bytes", bytes.len()),
        ));
    }
    let magic = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
    let (big_endian, nanos) = match magic {
        0xA1B2_C3D4 => (false, false),
        0xA1B2_3C4D => (false, true),
        0xD4C3_B2A1 => (true, false),
        0x4D3C_B2A1 => (true, true),
        _ => {
            return Err(TraceError::NotACapture {
                what: what.into(),
                magic,
            })
        }
    };
    let u16_at = |o: usize| {
        let b: [u8; 2] = bytes[o..o + 2].try_into().unwrap();
        if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        }
    };
    let u32_at = |o: usize| {
        let b: [u8; 4] = bytes[o..o + 4].try_into().unwrap();
        if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    if u16_at(4) != 2 {
        return Err(corrupt(
            what,
            0,
            format!(
                "pcap version {}.{} (2.x is supported)",
                u16_at(4),
                u16_at(6)
            ),
        ));
    }
    let (link, fcs_included) = pcap_link(u32_at(20));
    if link != DataLink::ETHERNET {
        return Err(TraceError::LinkType {
            what: what.into(),
            link,
        });
    }
    let mut out = Vec::new();
    let mut at = HEADER;
    while at < bytes.len() {
        if bytes.len() - at < RECORD {
            return Err(corrupt(
                what,
                out.len(),
                "truncated record header at the end of the file",
            ));
        }
        let (secs, frac, caplen, orig_len) =
            (u32_at(at), u32_at(at + 4), u32_at(at + 8), u32_at(at + 12));
        if caplen > MAX_CAPLEN {
            return Err(corrupt(
                what,
                out.len(),
                format!("record of {caplen} captured bytes (at most {MAX_CAPLEN})"),
            ));
        }
        let data = bytes
            .get(at + RECORD..at + RECORD + caplen as usize)
            .ok_or_else(|| {
                corrupt(
                    what,
                    out.len(),
                    format!("record of {caplen} bytes cut short by the end of the file"),
                )
            })?;
        let frac_ns = if nanos {
            frac as u64
        } else {
            frac as u64 * 1000
        };
        out.push(TraceFrame {
            ts_ns: secs as u64 * 1_000_000_000 + frac_ns,
            data: data.to_vec(),
            fcs_included,
            orig_len,
        });
        at += RECORD + caplen as usize;
    }
    Ok(out)
}

fn read_pcapng(bytes: &[u8], what: &str) -> Result<Vec<TraceFrame>, TraceError> {
    let mut r = PcapNgReader::new(bytes).map_err(|e| corrupt(what, 0, e))?;
    let mut out = Vec::new();
    while let Some(b) = r.next_block() {
        let b = b.map_err(|e| corrupt(what, out.len(), e))?;
        let (raw_ts, data, orig_len, flags, iface) = match b {
            Block::EnhancedPacket(p) => {
                let flags = p.options.iter().find_map(|o| match o {
                    EnhancedPacketOption::Flags(f) => Some(*f),
                    _ => None,
                });
                (
                    p.timestamp,
                    p.data.into_owned(),
                    p.original_len,
                    flags.unwrap_or(0),
                    p.interface_id,
                )
            }
            Block::SimplePacket(p) => (Duration::ZERO, p.data.into_owned(), p.original_len, 0, 0),
            _ => continue,
        };
        let idb = r.interfaces().get(iface as usize).ok_or_else(|| {
            corrupt(
                what,
                out.len(),
                format!("packet on undeclared interface {iface}"),
            )
        })?;
        if idb.linktype != DataLink::ETHERNET {
            return Err(TraceError::LinkType {
                what: what.into(),
                link: idb.linktype,
            });
        }
        // The reader hands the raw 64-bit timestamp over as nanoseconds; scale it by the
        // interface's resolution (default microseconds).
        let tsresol = idb
            .options
            .iter()
            .find_map(|o| match o {
                InterfaceDescriptionOption::IfTsResol(v) => Some(*v),
                _ => None,
            })
            .unwrap_or(6);
        let raw = raw_ts.as_nanos() as u64;
        let ts_ns = if tsresol & 0x80 != 0 {
            let shift = (tsresol & 0x7F) as u32;
            ((raw as u128 * 1_000_000_000) >> shift) as u64
        } else {
            let digits = tsresol as u32;
            if digits <= 9 {
                raw.saturating_mul(10u64.pow(9 - digits))
            } else {
                raw / 10u64.pow(digits.min(19) - 9)
            }
        };
        let fcs_len = (flags >> EPB_FLAGS_FCS_SHIFT) & 0xF;
        out.push(TraceFrame {
            ts_ns,
            data,
            fcs_included: fcs_len == 4,
            orig_len,
        });
    }
    Ok(out)
}

/// Writes frames to a nanosecond pcap (Ethernet, no FCS).
pub fn write_pcap(
    path: &Path,
    frames: impl IntoIterator<Item = (u64, Vec<u8>)>,
) -> Result<(), TraceError> {
    let err = |e: &dyn std::fmt::Display| TraceError::Write {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    let f = std::fs::File::create(path).map_err(|e| err(&e))?;
    let header = PcapHeader {
        datalink: DataLink::ETHERNET,
        ts_resolution: TsResolution::NanoSecond,
        snaplen: 65535,
        endianness: Endianness::Little,
        ..Default::default()
    };
    let mut w = PcapWriter::with_header(std::io::BufWriter::new(f), header).map_err(|e| err(&e))?;
    for (ts, data) in frames {
        w.write_packet(&PcapPacket::new(
            Duration::from_nanos(ts),
            data.len() as u32,
            &data,
        ))
        .map_err(|e| err(&e))?;
    }
    use std::io::Write;
    w.into_writer().flush().map_err(|e| err(&e))
}

/// Writes frames to a pcapng with nanosecond timestamps; frames with `fcs_included` carry
/// the FCS-length flag (and `crc_error`, the CRC-error flag).
pub fn write_pcapng(path: &Path, frames: &[(TraceFrame, bool)]) -> Result<(), TraceError> {
    let err = |e: &dyn std::fmt::Display| TraceError::Write {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    let f = std::fs::File::create(path).map_err(|e| err(&e))?;
    let mut w = PcapNgWriter::new(std::io::BufWriter::new(f)).map_err(|e| err(&e))?;
    let idb = InterfaceDescriptionBlock {
        linktype: DataLink::ETHERNET,
        snaplen: 0,
        options: vec![InterfaceDescriptionOption::IfTsResol(9)],
    };
    w.write_block(&Block::InterfaceDescription(idb))
        .map_err(|e| err(&e))?;
    for (t, crc_error) in frames {
        let mut options = Vec::new();
        if t.fcs_included {
            let mut flags = 4 << EPB_FLAGS_FCS_SHIFT;
            if *crc_error {
                flags |= EPB_FLAGS_CRC_ERROR;
            }
            options.push(EnhancedPacketOption::Flags(flags));
        }
        let epb = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: Duration::from_nanos(t.ts_ns),
            original_len: t.orig_len,
            data: Cow::Borrowed(&t.data),
            options,
        };
        w.write_block(&Block::EnhancedPacket(epb))
            .map_err(|e| err(&e))?;
    }
    use std::io::Write;
    w.into_inner().flush().map_err(|e| err(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcap(records: &[(u32, u32, &[u8], u32)], snaplen: u32) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&0xA1B2_C3D4u32.to_le_bytes());
        f.extend_from_slice(&2u16.to_le_bytes());
        f.extend_from_slice(&4u16.to_le_bytes());
        f.extend_from_slice(&[0; 8]);
        f.extend_from_slice(&snaplen.to_le_bytes());
        f.extend_from_slice(&1u32.to_le_bytes());
        for &(s, us, data, orig) in records {
            for v in [s, us, data.len() as u32, orig] {
                f.extend_from_slice(&v.to_le_bytes());
            }
            f.extend_from_slice(data);
        }
        f
    }

    #[test]
    fn snapped_and_odd_records_read_as_libpcap_reads_them() {
        // Snap length 64: a record cut to 64 bytes of a 1514-byte frame; a sub-second field
        // of 2,000,000 us; a record longer than the snap length.
        let big = [0xAB; 100];
        let f = pcap(
            &[
                (1, 5, &big[..64], 1514),
                (2, 2_000_000, &big[..60], 60),
                (3, 0, &big, 100),
            ],
            64,
        );
        let r = read_bytes(&f, "t").unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!((r[0].data.len(), r[0].orig_len), (64, 1514));
        assert_eq!(r[1].ts_ns, 4_000_000_000);
        assert_eq!(r[2].data.len(), 100);
    }

    #[test]
    fn a_cut_record_is_an_error() {
        let f = pcap(&[(1, 0, &[1; 60], 60), (2, 0, &[2; 60], 60)], 65535);
        let e = read_bytes(&f[..f.len() - 10], "t").unwrap_err();
        assert!(e.to_string().contains("after 1 good packets"), "{e}");
        assert!(matches!(
            read_bytes(&f[..20], "t"),
            Err(TraceError::Corrupt { .. })
        ));
    }

    #[test]
    fn linktype_fcs_bits_are_masked_as_libpcap_does() {
        assert_eq!(pcap_link(0x3000_0001), (DataLink::ETHERNET, false));
        assert_eq!(pcap_link(0x2400_0001), (DataLink::ETHERNET, true));
        assert_eq!(pcap_link(101).0, DataLink::RAW);
    }
}
