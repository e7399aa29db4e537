//! The reference classifier: does a filter match an Ethernet frame, as libpcap decides it.
//!
//! libpcap's rules, kept here on purpose:
//! - every `vlan` primitive moves the network header of the primitives after it 4 octets on;
//! - `host`/`net` with an IPv4 address and no qualifier also match ARP and RARP addresses;
//! - `tcp`, `udp`, `sctp` and `ip6 proto` accept one IPv6 fragment header before the protocol;
//! - `port` looks at IPv4 first fragments only, and at IPv6 without extension headers;
//! - `tcp[...]`-style loads index from the IPv4 header's length, first fragments only;
//! - a load past the end of the frame rejects the frame, whatever the rest of the filter.

use crate::ast::{Dir, Expr, Family, Load, LoadBase, Prim, PrimKind, L4};
use std::net::IpAddr;

const ETH_IPV4: u16 = 0x0800;
const ETH_IPV6: u16 = 0x86DD;
const ETH_ARP: u16 = 0x0806;
const ETH_RARP: u16 = 0x8035;
const VLAN_TPIDS: [u16; 3] = [0x8100, 0x88A8, 0x9100];
const IPPROTO_FRAGMENT: u8 = 44;

/// A load past the end of the frame.
struct OutOfBounds;

type R = Result<bool, OutOfBounds>;

struct Frame<'a>(&'a [u8]);

impl Frame<'_> {
    fn bytes(&self, off: usize, n: usize) -> Result<&[u8], OutOfBounds> {
        self.0.get(off..off + n).ok_or(OutOfBounds)
    }
    fn u8(&self, off: usize) -> Result<u8, OutOfBounds> {
        self.0.get(off).copied().ok_or(OutOfBounds)
    }
    fn u16(&self, off: usize) -> Result<u16, OutOfBounds> {
        let b = self.bytes(off, 2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn load(&self, off: usize, size: u8) -> Result<u32, OutOfBounds> {
        Ok(match size {
            1 => self.u8(off)? as u32,
            2 => self.u16(off)? as u32,
            _ => u32::from_be_bytes(self.bytes(off, 4)?.try_into().unwrap()),
        })
    }
}

/// True when `expr` matches the Ethernet frame `frame` (FCS excluded).
pub fn matches(expr: &Expr, frame: &[u8]) -> bool {
    eval(expr, &Frame(frame)).unwrap_or(false)
}

fn eval(e: &Expr, f: &Frame) -> R {
    Ok(match e {
        Expr::And(a, b) => eval(a, f)? && eval(b, f)?,
        Expr::Or(a, b) => eval(a, f)? || eval(b, f)?,
        Expr::Not(a) => !eval(a, f)?,
        Expr::Prim(p) => prim(p, f)?,
    })
}

/// Compares `dir` addresses at `src_off`/`dst_off` with `want` under a prefix of `bits`.
/// IP addresses are compared as libpcap does, 32-bit word by word from the first, skipping
/// words the prefix does not cover (so a frame cut after them still matches).
fn addr_match(f: &Frame, dir: Dir, src_off: usize, dst_off: usize, want: &[u8], bits: u32) -> R {
    let eq = |off: usize| -> R {
        if !want.len().is_multiple_of(4) {
            let got = f.bytes(off, want.len())?;
            return Ok(prefix_eq(got, want, bits));
        }
        for w in 0..want.len() / 4 {
            let word_bits = bits.saturating_sub(32 * w as u32).min(32);
            if word_bits == 0 && want[4 * w..4 * w + 4] == [0; 4] {
                continue;
            }
            let got = f.bytes(off + 4 * w, 4)?;
            if !prefix_eq(got, &want[4 * w..4 * w + 4], word_bits) {
                return Ok(false);
            }
        }
        Ok(true)
    };
    Ok(match dir {
        Dir::Src => eq(src_off)?,
        Dir::Dst => eq(dst_off)?,
        Dir::SrcOrDst => eq(src_off)? || eq(dst_off)?,
        Dir::SrcAndDst => eq(src_off)? && eq(dst_off)?,
    })
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u32) -> bool {
    let full = ((bits / 8) as usize).min(a.len());
    if a[..full] != b[..full] {
        return false;
    }
    let rest = bits % 8;
    full == a.len() || rest == 0 || (a[full] ^ b[full]) & (0xFFu8 << (8 - rest)) == 0
}

fn ip_proto(f: &Frame, l: usize, p: u8) -> R {
    Ok(f.u16(l - 2)? == ETH_IPV4 && f.u8(l + 9)? == p)
}

fn ip6_proto(f: &Frame, l: usize, p: u8) -> R {
    if f.u16(l - 2)? != ETH_IPV6 {
        return Ok(false);
    }
    let nh = f.u8(l + 6)?;
    Ok(nh == p || (nh == IPPROTO_FRAGMENT && f.u8(l + 40)? == p))
}

/// IPv4 and not a later fragment.
fn first_fragment(f: &Frame, l: usize) -> R {
    Ok(f.u16(l + 6)? & 0x1FFF == 0)
}

fn l4_set(l4: L4) -> &'static [u8] {
    match l4 {
        L4::Tcp => &[6],
        L4::Udp => &[17],
        L4::Sctp => &[132],
        L4::Any => &[6, 17, 132],
    }
}

fn port_match(f: &Frame, dir: Dir, off: usize, lo: u16, hi: u16) -> R {
    let in_range = |o: usize| -> R {
        let p = f.u16(o)?;
        Ok(lo <= p && p <= hi)
    };
    Ok(match dir {
        Dir::Src => in_range(off)?,
        Dir::Dst => in_range(off + 2)?,
        Dir::SrcOrDst => in_range(off)? || in_range(off + 2)?,
        Dir::SrcAndDst => in_range(off)? && in_range(off + 2)?,
    })
}

fn prim(p: &Prim, f: &Frame) -> R {
    let l = 14 + 4 * p.vlan_depth as usize;
    let ethertype = || f.u16(l - 2);
    Ok(match &p.kind {
        PrimKind::EtherHost(dir, m) => addr_match(f, *dir, 6, 0, m, 48)?,
        PrimKind::EtherBroadcast => f.bytes(0, 6)? == [0xFF; 6],
        PrimKind::EtherMulticast => f.u8(0)? & 1 == 1,
        PrimKind::EtherProto(t) => ethertype()? == *t,
        PrimKind::Vlan(id) => {
            VLAN_TPIDS.contains(&ethertype()?)
                && match id {
                    Some(id) => f.u16(l)? & 0x0FFF == *id,
                    None => true,
                }
        }
        PrimKind::IpProto(n) => ip_proto(f, l, *n)?,
        PrimKind::Ip6Proto(n) => ip6_proto(f, l, *n)?,
        PrimKind::Proto(n) => ip_proto(f, l, *n)? || ip6_proto(f, l, *n)?,
        PrimKind::Host(fam, dir, a) | PrimKind::Net(fam, dir, a, _) => {
            let bits = match &p.kind {
                PrimKind::Net(_, _, _, len) => *len as u32,
                _ => {
                    if a.is_ipv4() {
                        32
                    } else {
                        128
                    }
                }
            };
            match a {
                IpAddr::V4(a4) => {
                    let want = a4.octets();
                    let ip = |f: &Frame| -> R {
                        Ok(ethertype()? == ETH_IPV4
                            && addr_match(f, *dir, l + 12, l + 16, &want, bits)?)
                    };
                    let arp = |f: &Frame, t: u16| -> R {
                        Ok(ethertype()? == t && addr_match(f, *dir, l + 14, l + 24, &want, bits)?)
                    };
                    match fam {
                        Family::Ip => ip(f)?,
                        Family::Arp => arp(f, ETH_ARP)?,
                        Family::Rarp => arp(f, ETH_RARP)?,
                        _ => ip(f)? || arp(f, ETH_ARP)? || arp(f, ETH_RARP)?,
                    }
                }
                IpAddr::V6(a6) => {
                    ethertype()? == ETH_IPV6
                        && addr_match(f, *dir, l + 8, l + 24, &a6.octets(), bits)?
                }
            }
        }
        PrimKind::Port(l4, dir, lo, hi) => {
            let set = l4_set(*l4);
            let v4 = ethertype()? == ETH_IPV4
                && set.contains(&f.u8(l + 9)?)
                && first_fragment(f, l)?
                && port_match(f, *dir, l + 4 * (f.u8(l)? & 0x0F) as usize, *lo, *hi)?;
            v4 || (ethertype()? == ETH_IPV6
                && set.contains(&f.u8(l + 6)?)
                && port_match(f, *dir, l + 40, *lo, *hi)?)
        }
        PrimKind::Len(rel, n) => rel.holds(f.0.len() as u32, *n),
        PrimKind::Load(ld) => load(ld, f, l)?,
    })
}

fn load(ld: &Load, f: &Frame, l: usize) -> R {
    let off = ld.offset as usize;
    let at = match ld.base {
        LoadBase::Ether => off,
        LoadBase::Ip => {
            if f.u16(l - 2)? != ETH_IPV4 {
                return Ok(false);
            }
            l + off
        }
        LoadBase::Ip6 => {
            if f.u16(l - 2)? != ETH_IPV6 {
                return Ok(false);
            }
            l + off
        }
        LoadBase::Tcp | LoadBase::Udp | LoadBase::Sctp | LoadBase::Icmp => {
            let p = match ld.base {
                LoadBase::Tcp => 6,
                LoadBase::Udp => 17,
                LoadBase::Sctp => 132,
                _ => 1,
            };
            let is_proto = if ld.base == LoadBase::Icmp {
                ip_proto(f, l, p)?
            } else {
                ip_proto(f, l, p)? || ip6_proto(f, l, p)?
            };
            // libpcap then requires a first fragment by the IPv4 rule, even for IPv6.
            if !is_proto || !first_fragment(f, l)? {
                return Ok(false);
            }
            l + 4 * (f.u8(l)? & 0x0F) as usize + off
        }
    };
    let v = f.load(at, ld.size)?;
    let v = ld.mask.map_or(v, |m| v & m);
    Ok(ld.rel.holds(v, ld.value))
}
