//! Makes captured frames look as they would on a wire: `arsenic trace fix`.
//!
//! Frames captured on a loopback interface carry all-zero MAC addresses, and frames a host
//! sent through an interface with checksum offload carry unfinished TCP/UDP checksums (the
//! kernel leaves them to the NIC). This rewrites both:
//!
//! - MAC addresses that are all zero get an address made from the IP address behind them:
//!   `02:00:` and the IPv4 address for a unicast IPv4 host, `02:` and the last five octets of
//!   an IPv6 address for a unicast IPv6 host, the standard multicast mapping
//!   (`01:00:5e:...`, `33:33:...`) for multicast destinations, `ff:ff:ff:ff:ff:ff` for the
//!   IPv4 broadcast; frames without an IP header keep their addresses;
//! - the IPv4 header checksum, and the TCP, UDP, ICMP and ICMPv6 checksums over IPv4 and
//!   IPv6 (behind up to two VLAN tags), whenever the frame holds the whole datagram and it
//!   is not a fragment. A UDP checksum of zero over IPv4 (no checksum) stays zero.
//!
//! Frames that are not IP are written unchanged; in IP frames cut short, fragmented, or
//! with an IPv6 routing header still to be followed, the transport checksum is left as
//! captured (the addresses and a whole IPv4 header are still fixed); each case is counted.

use crate::generate::{
    csum_add, csum_fold, ETH_IPV4, ETH_IPV6, ETH_QINQ, ETH_VLAN, IP_TCP, IP_UDP,
};
use crate::trace::TraceFrame;

const IP_ICMP: u8 = 1;
const IP_ICMPV6: u8 = 58;

/// What [`fix_frames`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FixStats {
    pub frames: u64,
    /// Frames whose MAC addresses were rewritten.
    pub macs: u64,
    /// IPv4 header checksums that were wrong and are now right.
    pub ipv4_headers: u64,
    /// TCP/UDP/ICMP/ICMPv6 checksums that were wrong and are now right.
    pub l4: u64,
    /// IP frames left as they were because the capture cut them short.
    pub truncated: u64,
    /// IP fragments (their transport checksum covers other frames too).
    pub fragments: u64,
    /// Frames that are not IPv4 or IPv6.
    pub not_ip: u64,
    /// IPv6 frames with a routing header still to be followed (transport checksum left).
    pub routed: u64,
}

/// Where a frame's network header starts and its EtherType, behind up to two VLAN tags.
fn network(f: &[u8]) -> Option<(usize, u16)> {
    let mut off = 12;
    for _ in 0..3 {
        let t = u16::from_be_bytes([*f.get(off)?, *f.get(off + 1)?]);
        if t == ETH_VLAN || t == ETH_QINQ {
            off += 4;
            continue;
        }
        return Some((off + 2, t));
    }
    None
}

fn mac_from_v4(ip: &[u8]) -> [u8; 6] {
    if ip == [255, 255, 255, 255] {
        return [0xFF; 6];
    }
    if ip[0] & 0xF0 == 0xE0 {
        return [0x01, 0x00, 0x5E, ip[1] & 0x7F, ip[2], ip[3]];
    }
    [0x02, 0x00, ip[0], ip[1], ip[2], ip[3]]
}

fn mac_from_v6(ip: &[u8]) -> [u8; 6] {
    if ip[0] == 0xFF {
        return [0x33, 0x33, ip[12], ip[13], ip[14], ip[15]];
    }
    [0x02, ip[11], ip[12], ip[13], ip[14], ip[15]]
}

/// Rewrites one frame (FCS excluded) in place; returns what it did to `s`.
pub fn fix_frame(f: &mut [u8], s: &mut FixStats) {
    s.frames += 1;
    let Some((nh, ethertype)) = network(f) else {
        s.not_ip += 1;
        return;
    };
    let macs_zero = f.len() >= 12 && f[..12].iter().all(|&b| b == 0);
    match ethertype {
        ETH_IPV4 if f.len() >= nh + 20 && f[nh] >> 4 == 4 => {
            let ihl = (f[nh] & 0x0F) as usize * 4;
            let total = u16::from_be_bytes([f[nh + 2], f[nh + 3]]) as usize;
            if macs_zero {
                let (src, dst) = (
                    mac_from_v4(&f[nh + 12..nh + 16]),
                    mac_from_v4(&f[nh + 16..nh + 20]),
                );
                f[0..6].copy_from_slice(&dst);
                f[6..12].copy_from_slice(&src);
                s.macs += 1;
            }
            if ihl < 20 || f.len() < nh + ihl {
                s.truncated += 1;
                return;
            }
            let old = [f[nh + 10], f[nh + 11]];
            f[nh + 10] = 0;
            f[nh + 11] = 0;
            let sum = csum_fold(csum_add(0, &f[nh..nh + ihl])).to_be_bytes();
            f[nh + 10..nh + 12].copy_from_slice(&sum);
            s.ipv4_headers += (old != sum) as u64;
            if total < ihl || f.len() < nh + total {
                s.truncated += 1;
                return;
            }
            let flags_frag = u16::from_be_bytes([f[nh + 6], f[nh + 7]]);
            if flags_frag & 0x3FFF != 0 {
                s.fragments += 1;
                return;
            }
            let proto = f[nh + 9];
            let mut pseudo = Vec::with_capacity(12);
            pseudo.extend_from_slice(&f[nh + 12..nh + 20]);
            pseudo.extend_from_slice(&[0, proto]);
            pseudo.extend_from_slice(&((total - ihl) as u16).to_be_bytes());
            let seg = nh + ihl..nh + total;
            match proto {
                IP_ICMP => fix_l4(f, seg, 2, None, s),
                _ => fix_l4(f, seg, l4_csum_at(proto), Some((&pseudo, proto)), s),
            }
        }
        ETH_IPV6 if f.len() >= nh + 40 && f[nh] >> 4 == 6 => {
            if macs_zero {
                let (src, dst) = (
                    mac_from_v6(&f[nh + 8..nh + 24]),
                    mac_from_v6(&f[nh + 24..nh + 40]),
                );
                f[0..6].copy_from_slice(&dst);
                f[6..12].copy_from_slice(&src);
                s.macs += 1;
            }
            let payload = u16::from_be_bytes([f[nh + 4], f[nh + 5]]) as usize;
            if f.len() < nh + 40 + payload {
                s.truncated += 1;
                return;
            }
            // Hop-by-hop, routing and destination options are walked; a fragment header
            // makes it a fragment.
            let mut next = f[nh + 6];
            let mut at = nh + 40;
            let end = nh + 40 + payload;
            loop {
                match next {
                    // A routing header with segments left: the checksum covers the final
                    // destination, not the header's; leave it.
                    43 if at + 4 <= end && f[at + 3] != 0 => {
                        s.routed += 1;
                        return;
                    }
                    0 | 43 | 60 if at + 8 <= end => {
                        next = f[at];
                        at += (f[at + 1] as usize + 1) * 8;
                    }
                    44 => {
                        s.fragments += 1;
                        return;
                    }
                    _ => break,
                }
            }
            if at > end {
                s.truncated += 1;
                return;
            }
            let mut pseudo = Vec::with_capacity(40);
            pseudo.extend_from_slice(&f[nh + 8..nh + 40]);
            pseudo.extend_from_slice(&((end - at) as u32).to_be_bytes());
            pseudo.extend_from_slice(&[0, 0, 0, next]);
            let at_csum = if next == IP_ICMPV6 {
                2
            } else {
                l4_csum_at(next)
            };
            fix_l4(f, at..end, at_csum, Some((&pseudo, next)), s);
        }
        ETH_IPV4 | ETH_IPV6 => s.truncated += 1,
        _ => s.not_ip += 1,
    }
}

/// Offset of the checksum in a TCP or UDP header; `usize::MAX` for other protocols.
fn l4_csum_at(proto: u8) -> usize {
    match proto {
        IP_TCP => 16,
        IP_UDP => 6,
        _ => usize::MAX,
    }
}

/// Sets the checksum at `seg.start + at` over the segment (and the pseudo-header, if any).
fn fix_l4(
    f: &mut [u8],
    seg: std::ops::Range<usize>,
    at: usize,
    pseudo: Option<(&[u8], u8)>,
    s: &mut FixStats,
) {
    if at == usize::MAX || seg.len() < at + 2 {
        return;
    }
    let c = seg.start + at;
    let old = [f[c], f[c + 1]];
    let v4_udp_unchecked = matches!(pseudo, Some((p, IP_UDP)) if p.len() == 12) && old == [0, 0];
    if v4_udp_unchecked {
        return;
    }
    f[c] = 0;
    f[c + 1] = 0;
    let mut sum = pseudo.map_or(0, |(p, _)| csum_add(0, p));
    sum = csum_add(sum, &f[seg]);
    let mut v = csum_fold(sum);
    if v == 0 && matches!(pseudo, Some((_, IP_UDP))) {
        v = 0xFFFF; // UDP sends a computed zero as all ones
    }
    let new = v.to_be_bytes();
    f[c..c + 2].copy_from_slice(&new);
    s.l4 += (old != new) as u64;
}

/// Rewrites every frame; frames whose capture holds the FCS get a new FCS after the change.
pub fn fix_frames(frames: &mut [TraceFrame]) -> FixStats {
    let mut s = FixStats::default();
    for t in frames.iter_mut() {
        if t.fcs_included && t.data.len() >= 4 {
            // A good FCS is made good again after the change; a bad one stays bad.
            let n = t.data.len() - 4;
            let good = arsenic_interface::fcs::check(&t.data);
            fix_frame(&mut t.data[..n], &mut s);
            if good {
                let fcs = arsenic_interface::fcs::fcs(&t.data[..n]).to_le_bytes();
                t.data[n..].copy_from_slice(&fcs);
            }
        } else {
            fix_frame(&mut t.data, &mut s);
        }
    }
    s
}

/// Reads `input`, fixes every frame and writes `output` (pcapng when its name ends in
/// `.pcapng` or a frame holds its FCS, else pcap), through a temporary file renamed into place
/// only when complete.
pub fn fix_file(
    input: &std::path::Path,
    output: &std::path::Path,
) -> Result<FixStats, crate::trace::TraceError> {
    let mut frames = crate::trace::read_file(input)?;
    let stats = fix_frames(&mut frames);
    let ng =
        output.extension().is_some_and(|e| e == "pcapng") || frames.iter().any(|f| f.fcs_included);
    let tmp = output.with_extension("partial");
    let r = if ng {
        let v: Vec<(TraceFrame, bool)> = frames
            .into_iter()
            .map(|f| {
                let bad = f.fcs_included && !arsenic_interface::fcs::check(&f.data);
                (f, bad)
            })
            .collect();
        crate::trace::write_pcapng(&tmp, &v)
    } else {
        crate::trace::write_pcap(&tmp, frames.into_iter().map(|f| (f.ts_ns, f.data)))
    };
    if let Err(e) = r {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, output).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        crate::trace::TraceError::Write {
            path: output.display().to_string(),
            detail: e.to_string(),
        }
    })?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifies(data: &[u8], pseudo: &[u8]) -> bool {
        csum_fold(csum_add(csum_add(0, pseudo), data)) == 0
    }

    fn udp4(csum: [u8; 2]) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x08, 0x00]);
        let payload = b"hello, wire";
        let total = 20 + 8 + payload.len();
        f.extend_from_slice(&[
            0x45,
            0,
            0,
            total as u8,
            0,
            1,
            0x40,
            0,
            64,
            IP_UDP,
            0xAB,
            0xCD,
        ]);
        f.extend_from_slice(&[127, 0, 0, 1, 127, 0, 0, 2]);
        f.extend_from_slice(&[0x30, 0x39, 0x00, 0x35, 0, (8 + payload.len()) as u8]);
        f.extend_from_slice(&csum);
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn loopback_udp_gets_addresses_and_checksums() {
        let mut f = udp4([0x12, 0x34]);
        let mut s = FixStats::default();
        fix_frame(&mut f, &mut s);
        assert_eq!(&f[0..6], &[0x02, 0, 127, 0, 0, 2]);
        assert_eq!(&f[6..12], &[0x02, 0, 127, 0, 0, 1]);
        assert!(verifies(&f[14..34], &[]), "IPv4 header sums to zero");
        let mut pseudo = f[26..34].to_vec();
        pseudo.extend_from_slice(&[0, IP_UDP, 0, (f.len() - 34) as u8]);
        assert!(verifies(&f[34..], &pseudo), "UDP checksum verifies");
        assert_eq!((s.macs, s.ipv4_headers, s.l4), (1, 1, 1));
        // A second pass changes nothing.
        let before = f.clone();
        let mut s2 = FixStats::default();
        fix_frame(&mut f, &mut s2);
        assert_eq!(f, before);
        assert_eq!((s2.macs, s2.ipv4_headers, s2.l4), (0, 0, 0));
    }

    #[test]
    fn udp_without_checksum_stays_so_and_cut_frames_stay_whole() {
        let mut f = udp4([0, 0]);
        let mut s = FixStats::default();
        fix_frame(&mut f, &mut s);
        assert_eq!(&f[40..42], &[0, 0]);
        // Cut inside the UDP header: the IP header is whole and fixed, the rest untouched.
        let mut cut = udp4([1, 2]);
        cut.truncate(38);
        let orig = cut.clone();
        let mut s = FixStats::default();
        fix_frame(&mut cut, &mut s);
        assert_eq!((s.truncated, s.ipv4_headers, s.l4), (1, 1, 0));
        assert!(verifies(&cut[14..34], &[]));
        assert_eq!(cut[34..], orig[34..]);
    }

    #[test]
    fn icmpv6_and_tcp_over_ipv6_verify() {
        for (proto, len, at) in [(IP_ICMPV6, 16usize, 2usize), (IP_TCP, 24, 16)] {
            let mut f = vec![0u8; 12];
            f.extend_from_slice(&[0x86, 0xDD]);
            f.extend_from_slice(&[0x60, 0, 0, 0, 0, len as u8, proto, 64]);
            let mut src = [0u8; 16];
            src[15] = 1;
            let mut dst = [0u8; 16];
            dst[0] = 0xFF;
            dst[1] = 0x02;
            dst[15] = 1;
            f.extend_from_slice(&src);
            f.extend_from_slice(&dst);
            f.extend((0..len).map(|i| i as u8 * 7 + 1));
            let mut s = FixStats::default();
            fix_frame(&mut f, &mut s);
            assert_eq!(&f[0..6], &[0x33, 0x33, 0, 0, 0, 1]);
            let mut pseudo = f[22..54].to_vec();
            pseudo.extend_from_slice(&(len as u32).to_be_bytes());
            pseudo.extend_from_slice(&[0, 0, 0, proto]);
            assert!(verifies(&f[54..], &pseudo), "proto {proto}");
            assert_eq!(s.l4, 1);
            assert!(f[54 + at] != 0 || f[55 + at] != 0);
        }
    }

    #[test]
    fn arp_and_fragments_are_counted_not_changed() {
        let mut arp = vec![0u8; 12];
        arp.extend_from_slice(&[0x08, 0x06]);
        arp.extend_from_slice(&[0u8; 28]);
        let before = arp.clone();
        let mut s = FixStats::default();
        fix_frame(&mut arp, &mut s);
        assert_eq!(arp, before);
        assert_eq!(s.not_ip, 1);
        let mut frag = udp4([1, 2]);
        frag[20] = 0x20; // more fragments
        fix_frame(&mut frag, &mut s);
        assert_eq!(s.fragments, 1);
        assert_eq!(&frag[40..42], &[1, 2]);
    }
}
