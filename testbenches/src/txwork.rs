//! Transmit workloads of `arsenic sim`: generated frames, the pacing of a VI's offers, and
//! the attribution of what left the wire to the VI that sent it.

use std::collections::HashMap;

/// The addresses of VI `vi`'s generated frames: MAC 02:00:00:00:hi:lo, IPv4 10.1.hi.lo, UDP
/// source port 5000.
pub fn vi_addresses(vi: u16) -> ([u8; 6], [u8; 4], u16) {
    let [hi, lo] = vi.to_be_bytes();
    ([0x02, 0, 0, 0, hi, lo], [10, 1, hi, lo], 5000)
}

/// `count` UDP/IPv4 frames of `size` octets on the wire (FCS included: the frame itself is
/// `size - 4`) from VI `vi`'s addresses to 10.255.255.254:9 (discard), with a sequence
/// number after the UDP header.
pub fn generated(vi: u16, size: usize, count: usize) -> Vec<Vec<u8>> {
    let (mac, ip, sport) = vi_addresses(vi);
    let len = size - 4;
    (0..count)
        .map(|seq| {
            let mut f = vec![0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE];
            f.extend_from_slice(&mac);
            f.extend_from_slice(&[0x08, 0x00]);
            let ip_len = (len - 14) as u16;
            let mut iph = vec![0x45, 0];
            iph.extend_from_slice(&ip_len.to_be_bytes());
            iph.extend_from_slice(&[(seq >> 8) as u8, seq as u8, 0x40, 0, 64, 17, 0, 0]);
            iph.extend_from_slice(&ip);
            iph.extend_from_slice(&[10, 255, 255, 254]);
            let sum = ipv4_checksum(&iph);
            iph[10..12].copy_from_slice(&sum.to_be_bytes());
            f.extend_from_slice(&iph);
            f.extend_from_slice(&sport.to_be_bytes());
            f.extend_from_slice(&9u16.to_be_bytes());
            f.extend_from_slice(&(ip_len - 20).to_be_bytes());
            f.extend_from_slice(&[0, 0]); // no UDP checksum (allowed over IPv4)
            f.extend_from_slice(&(seq as u32).to_be_bytes());
            f.resize(len, 0);
            f
        })
        .collect()
}

fn ipv4_checksum(h: &[u8]) -> u16 {
    let mut s: u32 = h
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]) as u32)
        .sum();
    while s > 0xFFFF {
        s = (s & 0xFFFF) + (s >> 16);
    }
    !(s as u16)
}

/// Who sent what left the wire: each VI's frames, looked up by content (as the MAC pads
/// them: at least 60 octets, FCS excluded).
#[derive(Debug, Default)]
pub struct Attribution {
    by_content: HashMap<Vec<u8>, Vec<u16>>,
}

impl Attribution {
    /// Records that `vi` sends `frame`.
    pub fn add(&mut self, vi: u16, frame: &[u8]) {
        self.by_content
            .entry(arsenic_interface::eth::padded(frame))
            .or_default()
            .push(vi);
    }

    /// The VI that sent `wire` (the frame with its FCS), taking one of its sends; `None` for
    /// a frame no VI sent (or sent more often than offered).
    pub fn take(&mut self, wire: &[u8]) -> Option<u16> {
        if wire.len() < 4 {
            return None;
        }
        let key = &wire[..wire.len() - 4];
        let v = self.by_content.get_mut(key)?;
        if v.is_empty() {
            return None;
        }
        Some(v.remove(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_frames_have_their_size_and_a_valid_header() {
        let f = generated(0x0102, 64, 3);
        assert_eq!(f.len(), 3);
        assert!(f.iter().all(|x| x.len() == 60));
        assert_eq!(&f[1][6..12], &[2, 0, 0, 0, 1, 2]);
        assert_eq!(ipv4_checksum(&f[1][14..34]), 0, "the header sums to zero");
        let mut a = Attribution::default();
        a.add(7, &f[0][..50]);
        let mut w = arsenic_interface::eth::padded(&f[0][..50]);
        w.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(a.take(&w), Some(7));
        assert_eq!(a.take(&w), None);
    }
}
