//! The generated workload: mixed sizes and encapsulations, with faults a receiver must drop.
//!
//! Deterministic for a seed. Frames are built field by field with correct IPv4 header,
//! UDP and TCP checksums: IPv4 and IPv6 over UDP and TCP, 802.1Q and QinQ (802.1ad) tags, ARP,
//! and sizes from the minimum to 1514 octets. A few frames carry a wrong FCS, are runts or
//! giants; those are stored with their FCS (pcapng `epb_flags` FCS length 4, and the CRC-error
//! flag where the FCS is wrong) so that they go on the wire exactly so.

use crate::trace::TraceFrame;
use arsenic_interface::fcs;

/// Parameters of the generated trace.
#[derive(Debug, Clone, Copy)]
pub struct GenParams {
    pub seed: u64,
    pub frames: usize,
    /// Start time of the first frame, nanoseconds since the epoch.
    pub t0_ns: u64,
    /// Largest gap between frames, nanoseconds (gaps are uniform in 0..=this).
    pub max_gap_ns: u64,
    /// Every frame this many octets (FCS excluded, 60..=1514), no faults: a fixed-size
    /// workload for throughput runs.
    pub fixed_size: Option<usize>,
}

impl Default for GenParams {
    fn default() -> Self {
        GenParams {
            seed: 0xA25E_71C0,
            frames: 600,
            t0_ns: 1_700_000_000_000_000_000,
            max_gap_ns: 4_000,
            fixed_size: None,
        }
    }
}

/// A small reproducible generator (xorshift64) for workloads and tests; seed it non-zero.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

const MAC_A: [u8; 6] = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x01];
const MAC_B: [u8; 6] = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x02];
pub(crate) const ETH_IPV4: u16 = 0x0800;
pub(crate) const ETH_IPV6: u16 = 0x86DD;
const ETH_ARP: u16 = 0x0806;
pub(crate) const ETH_VLAN: u16 = 0x8100;
pub(crate) const ETH_QINQ: u16 = 0x88A8;
pub(crate) const IP_TCP: u8 = 6;
pub(crate) const IP_UDP: u8 = 17;

pub(crate) fn csum_add(mut sum: u32, data: &[u8]) -> u32 {
    for c in data.chunks(2) {
        let w = if c.len() == 2 {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            (c[0] as u16) << 8
        };
        sum += w as u32;
    }
    sum
}

pub(crate) fn csum_fold(mut sum: u32) -> u16 {
    while sum >> 16 != 0 {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

/// A UDP or TCP segment with its checksum over the pseudo-header `pseudo`.
fn l4(proto: u8, sport: u16, dport: u16, payload: &[u8], pseudo: &[u8], seq: u32) -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(&sport.to_be_bytes());
    s.extend_from_slice(&dport.to_be_bytes());
    let csum_at;
    if proto == IP_UDP {
        s.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
        csum_at = 6;
        s.extend_from_slice(&[0, 0]);
    } else {
        s.extend_from_slice(&seq.to_be_bytes());
        s.extend_from_slice(&0u32.to_be_bytes());
        s.extend_from_slice(&[0x50, 0x18]); // data offset 5, PSH|ACK
        s.extend_from_slice(&64240u16.to_be_bytes());
        csum_at = 16;
        s.extend_from_slice(&[0, 0, 0, 0]);
    }
    s.extend_from_slice(payload);
    let c = csum_fold(csum_add(csum_add(0, pseudo), &s));
    let c = if proto == IP_UDP && c == 0 { 0xFFFF } else { c };
    s[csum_at..csum_at + 2].copy_from_slice(&c.to_be_bytes());
    s
}

fn ipv4(
    proto: u8,
    src: [u8; 4],
    dst: [u8; 4],
    ident: u16,
    l4_len: usize,
    build: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Vec<u8> {
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&src);
    pseudo.extend_from_slice(&dst);
    pseudo.extend_from_slice(&[0, proto]);
    pseudo.extend_from_slice(&(l4_len as u16).to_be_bytes());
    let seg = build(&pseudo);
    let mut h = vec![0x45, 0];
    h.extend_from_slice(&((20 + seg.len()) as u16).to_be_bytes());
    h.extend_from_slice(&ident.to_be_bytes());
    h.extend_from_slice(&[0x40, 0, 64, proto, 0, 0]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    let c = csum_fold(csum_add(0, &h));
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h.extend_from_slice(&seg);
    h
}

fn ipv6(
    proto: u8,
    src: [u8; 16],
    dst: [u8; 16],
    l4_len: usize,
    build: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Vec<u8> {
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&src);
    pseudo.extend_from_slice(&dst);
    pseudo.extend_from_slice(&(l4_len as u32).to_be_bytes());
    pseudo.extend_from_slice(&[0, 0, 0, proto]);
    let seg = build(&pseudo);
    let mut h = vec![0x60, 0, 0, 0];
    h.extend_from_slice(&(seg.len() as u16).to_be_bytes());
    h.extend_from_slice(&[proto, 64]);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    h.extend_from_slice(&seg);
    h
}

fn ethernet(
    dst: [u8; 6],
    src: [u8; 6],
    tags: &[(u16, u16)],
    ethertype: u16,
    payload: &[u8],
) -> Vec<u8> {
    let mut f = Vec::with_capacity(18 + payload.len());
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    for &(tpid, vid) in tags {
        f.extend_from_slice(&tpid.to_be_bytes());
        f.extend_from_slice(&vid.to_be_bytes());
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// One frame of a normal kind, `want` octets long (FCS excluded) where the kind allows.
fn normal_frame(rng: &mut Rng, i: usize, want: usize) -> Vec<u8> {
    let kind = rng.below(8);
    let tags: Vec<(u16, u16)> = match kind {
        4 => vec![(ETH_VLAN, 100 + (i % 7) as u16)],
        5 => vec![(ETH_QINQ, 200), (ETH_VLAN, 300 + (i % 5) as u16)],
        _ => vec![],
    };
    let (dir_src, dir_dst) = if i.is_multiple_of(2) {
        (MAC_A, MAC_B)
    } else {
        (MAC_B, MAC_A)
    };
    if kind == 7 {
        // ARP request (28 octets; the MAC pads it).
        let mut a = vec![0, 1, 8, 0, 6, 4, 0, 1];
        a.extend_from_slice(&dir_src);
        a.extend_from_slice(&[10, 0, 0, 1]);
        a.extend_from_slice(&[0; 6]);
        a.extend_from_slice(&[10, 0, 0, (2 + i % 200) as u8]);
        return ethernet([0xFF; 6], dir_src, &[], ETH_ARP, &a);
    }
    let v6 = kind == 2 || kind == 3;
    let proto = if kind.is_multiple_of(2) {
        IP_UDP
    } else {
        IP_TCP
    };
    let l2 = 14 + 4 * tags.len();
    let l3 = if v6 { 40 } else { 20 };
    let l4h = if proto == IP_UDP { 8 } else { 20 };
    let payload_len = want.saturating_sub(l2 + l3 + l4h);
    let payload: Vec<u8> = (0..payload_len)
        .map(|k| (k as u64 ^ rng.next_u64()) as u8)
        .collect();
    let sport = 1024 + (rng.below(60000) as u16);
    let dport = [53u16, 80, 443, 4789, 8080][rng.below(5) as usize];
    let seq = rng.next_u64() as u32;
    let l4_len = l4h + payload_len;
    let (ethertype, ip) = if v6 {
        let mut s = [0u8; 16];
        s[0] = 0xFD;
        s[15] = 1;
        let mut d = s;
        d[15] = 2;
        (
            ETH_IPV6,
            ipv6(proto, s, d, l4_len, |p| {
                l4(proto, sport, dport, &payload, p, seq)
            }),
        )
    } else {
        let (s, d) = ([192, 0, 2, 1], [198, 51, 100, (1 + i % 250) as u8]);
        (
            ETH_IPV4,
            ipv4(proto, s, d, i as u16, l4_len, |p| {
                l4(proto, sport, dport, &payload, p, seq)
            }),
        )
    };
    ethernet(dir_dst, dir_src, &tags, ethertype, &ip)
}

/// The generated trace: each frame and whether its stored FCS is wrong.
pub fn generate(p: GenParams) -> Vec<(TraceFrame, bool)> {
    let mut rng = Rng(p.seed | 1);
    let mut ts = p.t0_ns;
    let mut out = Vec::with_capacity(p.frames);
    for i in 0..p.frames {
        ts += rng.below(p.max_gap_ns + 1);
        let size = match rng.below(10) {
            0..=2 => 60,
            3 => 1514,
            _ => 60 + rng.below(1455) as usize,
        };
        let fault = rng.below(40);
        if let Some(n) = p.fixed_size {
            let mut f = normal_frame(&mut rng, i, n.clamp(60, 1514));
            f.resize(n.clamp(60, 1514), 0);
            let orig_len = f.len() as u32;
            out.push((
                TraceFrame {
                    ts_ns: ts,
                    data: f,
                    fcs_included: false,
                    orig_len,
                },
                false,
            ));
            continue;
        }
        let frame = normal_frame(&mut rng, i, size);
        let (data, fcs_included, crc_error) = match fault {
            // A wrong FCS: the right one with one bit flipped.
            0 | 1 => {
                let mut f = fcs::append_fcs(&arsenic_interface::eth::padded(&frame));
                let n = f.len();
                f[n - 1 - (i % 4)] ^= 1 << (i % 8);
                (f, true, true)
            }
            // A runt: a frame cut short after 40 octets, with an FCS over what is left.
            2 => (fcs::append_fcs(&frame[..40.min(frame.len())]), true, false),
            // A giant: 1600 octets with a correct FCS.
            3 => {
                let mut f = frame;
                f.resize(1600, 0xEE);
                (fcs::append_fcs(&f), true, false)
            }
            _ => (frame, false, false),
        };
        let orig_len = data.len() as u32;
        out.push((
            TraceFrame {
                ts_ns: ts,
                data,
                fcs_included,
                orig_len,
            },
            crc_error,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_mixed() {
        let a = generate(GenParams::default());
        let b = generate(GenParams::default());
        assert_eq!(a, b);
        assert!(a.iter().any(|(_, bad)| *bad));
        assert!(a.iter().any(|(f, _)| f.fcs_included && f.data.len() < 64));
        assert!(a.iter().any(|(f, _)| f.data.len() > 1522));
        assert!(a.iter().any(|(f, _)| f.data[12..14] == [0x81, 0x00]));
        assert!(a.iter().any(|(f, _)| f.data[12..14] == [0x88, 0xA8]));
        assert!(a.iter().any(|(f, _)| f.data[12..14] == [0x86, 0xDD]));
        assert!(a.iter().any(|(f, _)| f.data[12..14] == [0x08, 0x06]));
    }

    #[test]
    fn fixed_size_frames_have_that_size() {
        let a = generate(GenParams {
            fixed_size: Some(60),
            frames: 50,
            ..GenParams::default()
        });
        assert!(a
            .iter()
            .all(|(f, bad)| f.data.len() == 60 && !f.fcs_included && !bad));
    }

    #[test]
    fn ipv4_header_checksum_verifies() {
        let f = normal_frame(&mut Rng(5), 0, 200);
        if f[12..14] == [0x08, 0x00] {
            assert_eq!(csum_fold(csum_add(0, &f[14..34])), 0);
        }
    }
}
