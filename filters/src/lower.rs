//! Lowering: every primitive becomes a small condition over *windows* of the frame (1, 2 or
//! 4 octets at an offset from the frame's start, or from the transport header of an IPv4
//! packet), in exactly the order libpcap's generated code tests them. The card evaluates the
//! same windows; the reference classifier evaluates the lowered condition, so the lowering is
//! what libpcap agrees with in the oracle tests.

use crate::ast::{Dir, Expr, Family, Load, LoadBase, Prim, PrimKind, Rel, L4};
use crate::Span;
use std::net::IpAddr;
use thiserror::Error;

/// Where a window's offset counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Base {
    /// The frame's first octet.
    Frame,
    /// The IPv4 header's end (its IHL) for a network header at `14 + 4 * depth`.
    Ipv4Payload { depth: u8 },
}

/// What a literal reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `size` octets (1, 2 or 4), big-endian, at `base + offset`.
    Window { base: Base, offset: u16, size: u8 },
    /// The frame's length (FCS excluded).
    Len,
}

impl Field {
    /// Octets past the frame's start the field may reach, at most (`Len`: 0).
    pub fn max_end(&self) -> usize {
        match *self {
            Field::Window {
                base: Base::Frame,
                offset,
                size,
            } => offset as usize + size as usize,
            Field::Window {
                base: Base::Ipv4Payload { depth },
                offset,
                size,
            } => 14 + 4 * depth as usize + 60 + offset as usize + size as usize,
            Field::Len => 0,
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Field::Window {
                base: Base::Frame,
                offset,
                size,
            } => write!(f, "frame[{offset}:{size}]"),
            Field::Window {
                base: Base::Ipv4Payload { depth },
                offset,
                size,
            } => {
                write!(f, "ip4payload@{}[{offset}:{size}]", 14 + 4 * depth)
            }
            Field::Len => write!(f, "len"),
        }
    }
}

/// A test of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Test {
    /// `field & mask == value`.
    Eq { value: u32, mask: u32 },
    /// `lo <= field <= hi`.
    Range { lo: u32, hi: u32 },
}

/// A lowered condition. A field read past the frame's end rejects the whole filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    Test(Field, Test),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    True,
    False,
}

/// A filter the card cannot express, with the part of the expression at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message} (at {}..{})", span.start, span.end)]
pub struct LowerError {
    pub message: String,
    pub span: Span,
}

/// Octets of the frame the card can look at: its header buffer.
pub const HEADER_WINDOW: usize = 128;

const ETH_IPV4: u32 = 0x0800;
const ETH_IPV6: u32 = 0x86DD;
const ETH_ARP: u32 = 0x0806;
const ETH_RARP: u32 = 0x8035;

fn and(a: Cond, b: Cond) -> Cond {
    Cond::And(Box::new(a), Box::new(b))
}
fn or(a: Cond, b: Cond) -> Cond {
    Cond::Or(Box::new(a), Box::new(b))
}
fn not(a: Cond) -> Cond {
    Cond::Not(Box::new(a))
}
fn abs(offset: usize, size: u8) -> Field {
    Field::Window {
        base: Base::Frame,
        offset: offset as u16,
        size,
    }
}
fn eq(field: Field, value: u32) -> Cond {
    let mask = match field {
        Field::Window { size: 1, .. } => 0xFF,
        Field::Window { size: 2, .. } => 0xFFFF,
        _ => 0xFFFF_FFFF,
    };
    Cond::Test(field, Test::Eq { value, mask })
}
fn meq(field: Field, value: u32, mask: u32) -> Cond {
    Cond::Test(
        field,
        Test::Eq {
            value: value & mask,
            mask,
        },
    )
}
fn range(field: Field, lo: u32, hi: u32) -> Cond {
    if lo == hi {
        eq(field, lo)
    } else {
        Cond::Test(field, Test::Range { lo, hi })
    }
}
fn dir_cond(dir: Dir, src: Cond, dst: Cond) -> Cond {
    match dir {
        Dir::Src => src,
        Dir::Dst => dst,
        Dir::SrcOrDst => or(src, dst),
        Dir::SrcAndDst => and(src, dst),
    }
}

/// Octets compared as libpcap does: 4-octet words from the end, then a 2-octet rest.
fn bytes_eq(offset: usize, bytes: &[u8]) -> Cond {
    let mut conds = Vec::new();
    let mut size = bytes.len();
    while size >= 4 {
        let w = u32::from_be_bytes(bytes[size - 4..size].try_into().unwrap());
        conds.push(eq(abs(offset + size - 4, 4), w));
        size -= 4;
    }
    while size >= 2 {
        let w = u16::from_be_bytes(bytes[size - 2..size].try_into().unwrap()) as u32;
        conds.push(eq(abs(offset + size - 2, 2), w));
        size -= 2;
    }
    conds.into_iter().reduce(and).unwrap_or(Cond::True)
}

/// An IP address under a prefix, 32-bit words in order; IPv6 words outside the prefix are
/// skipped (libpcap's rule).
fn addr_eq(offset: usize, addr: &[u8], bits: u32) -> Cond {
    let mut conds = Vec::new();
    for w in 0..addr.len() / 4 {
        let wb = bits.saturating_sub(32 * w as u32).min(32);
        let mask = if wb == 0 { 0 } else { u32::MAX << (32 - wb) };
        let value = u32::from_be_bytes(addr[4 * w..4 * w + 4].try_into().unwrap()) & mask;
        if addr.len() == 16 && mask == 0 && value == 0 {
            continue;
        }
        conds.push(meq(abs(offset + 4 * w, 4), value, mask));
    }
    conds.into_iter().reduce(and).unwrap_or(Cond::True)
}

/// Lowers a parsed expression.
pub fn lower(e: &Expr) -> Result<Cond, LowerError> {
    Ok(match e {
        Expr::And(a, b) => and(lower(a)?, lower(b)?),
        Expr::Or(a, b) => or(lower(a)?, lower(b)?),
        Expr::Not(a) => not(lower(a)?),
        Expr::Prim(p) => {
            let c = prim(p)?;
            check_window(&c, p)?;
            c
        }
    })
}

fn check_window(c: &Cond, p: &Prim) -> Result<(), LowerError> {
    match c {
        Cond::Test(f, _) if f.max_end() > HEADER_WINDOW => Err(LowerError {
            message: format!(
                "reaches octet {} of the frame; the card looks at the first {HEADER_WINDOW}",
                f.max_end()
            ),
            span: p.span.clone(),
        }),
        Cond::And(a, b) | Cond::Or(a, b) => {
            check_window(a, p)?;
            check_window(b, p)
        }
        Cond::Not(a) => check_window(a, p),
        _ => Ok(()),
    }
}

fn prim(p: &Prim) -> Result<Cond, LowerError> {
    let d = p.vlan_depth as usize;
    let l = 14 + 4 * d;
    let etype = |t: u32| eq(abs(l - 2, 2), t);
    let ip_proto = |n: u32| and(etype(ETH_IPV4), eq(abs(l + 9, 1), n));
    let ip6_proto = |n: u32| {
        and(
            etype(ETH_IPV6),
            or(
                eq(abs(l + 6, 1), n),
                and(eq(abs(l + 6, 1), 44), eq(abs(l + 40, 1), n)),
            ),
        )
    };
    let first_fragment = || meq(abs(l + 6, 2), 0, 0x1FFF);
    let v4_payload = |offset: u32, size: u8| Field::Window {
        base: Base::Ipv4Payload {
            depth: p.vlan_depth,
        },
        offset: offset as u16,
        size,
    };
    Ok(match &p.kind {
        PrimKind::EtherHost(dir, m) => dir_cond(*dir, bytes_eq(6, m), bytes_eq(0, m)),
        PrimKind::EtherBroadcast => bytes_eq(0, &[0xFF; 6]),
        PrimKind::EtherMulticast => meq(abs(0, 1), 1, 1),
        PrimKind::EtherProto(t) => etype(*t as u32),
        PrimKind::Vlan(id) => {
            let tpid = or(or(etype(0x8100), etype(0x88A8)), etype(0x9100));
            match id {
                Some(id) => and(tpid, meq(abs(l, 2), *id as u32, 0x0FFF)),
                None => tpid,
            }
        }
        PrimKind::IpProto(n) => ip_proto(*n as u32),
        PrimKind::Ip6Proto(n) => ip6_proto(*n as u32),
        PrimKind::Proto(n) => or(ip_proto(*n as u32), ip6_proto(*n as u32)),
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
                    let o = a4.octets();
                    let ip = and(
                        etype(ETH_IPV4),
                        dir_cond(*dir, addr_eq(l + 12, &o, bits), addr_eq(l + 16, &o, bits)),
                    );
                    let arp = |t| {
                        and(
                            etype(t),
                            dir_cond(*dir, addr_eq(l + 14, &o, bits), addr_eq(l + 24, &o, bits)),
                        )
                    };
                    match fam {
                        Family::Ip => ip,
                        Family::Arp => arp(ETH_ARP),
                        Family::Rarp => arp(ETH_RARP),
                        _ => or(or(ip, arp(ETH_ARP)), arp(ETH_RARP)),
                    }
                }
                IpAddr::V6(a6) => {
                    let o = a6.octets();
                    and(
                        etype(ETH_IPV6),
                        dir_cond(*dir, addr_eq(l + 8, &o, bits), addr_eq(l + 24, &o, bits)),
                    )
                }
            }
        }
        PrimKind::Port(l4, dir, lo, hi) => {
            let set: &[u32] = match l4 {
                L4::Tcp => &[6],
                L4::Udp => &[17],
                L4::Sctp => &[132],
                L4::Any => &[6, 17, 132],
            };
            let any_of = |off: usize| set.iter().map(|&n| eq(abs(off, 1), n)).reduce(or).unwrap();
            let (lo, hi) = (*lo as u32, *hi as u32);
            let v4 = and(
                and(and(etype(ETH_IPV4), any_of(l + 9)), first_fragment()),
                dir_cond(
                    *dir,
                    range(v4_payload(0, 2), lo, hi),
                    range(v4_payload(2, 2), lo, hi),
                ),
            );
            let v6 = and(
                and(etype(ETH_IPV6), any_of(l + 6)),
                dir_cond(
                    *dir,
                    range(abs(l + 40, 2), lo, hi),
                    range(abs(l + 42, 2), lo, hi),
                ),
            );
            or(v4, v6)
        }
        PrimKind::Len(rel, n) => rel_test(Field::Len, *rel, *n, None, p)?,
        PrimKind::Load(ld) => load(ld, p, l)?,
    })
}

fn rel_test(
    field: Field,
    rel: Rel,
    v: u32,
    mask: Option<u32>,
    p: &Prim,
) -> Result<Cond, LowerError> {
    let max = match field {
        Field::Window { size: 1, .. } => 0xFF,
        Field::Window { size: 2, .. } | Field::Len => 0xFFFF,
        _ => u32::MAX,
    };
    if let Some(m) = mask {
        return match rel {
            Rel::Eq => Ok(if v & !m != 0 {
                Cond::False
            } else {
                meq(field, v, m)
            }),
            Rel::Ne => Ok(if v & !m != 0 {
                Cond::True
            } else {
                not(meq(field, v, m))
            }),
            _ => Err(LowerError {
                message: "after a mask the card compares with = or != only".into(),
                span: p.span.clone(),
            }),
        };
    }
    let t = |lo: u32, hi: u32| {
        if lo > hi {
            Cond::False
        } else {
            range(field, lo, hi.min(max))
        }
    };
    Ok(match rel {
        Rel::Eq => {
            if v > max {
                Cond::False
            } else {
                eq(field, v)
            }
        }
        Rel::Ne => {
            if v > max {
                Cond::True
            } else {
                not(eq(field, v))
            }
        }
        Rel::Lt => {
            if v == 0 {
                Cond::False
            } else {
                t(0, v - 1)
            }
        }
        Rel::Le => t(0, v),
        Rel::Gt => {
            if v >= max {
                Cond::False
            } else {
                t(v + 1, max)
            }
        }
        Rel::Ge => t(v, max),
    })
}

fn load(ld: &Load, p: &Prim, l: usize) -> Result<Cond, LowerError> {
    let etype = |t: u32| eq(abs(l - 2, 2), t);
    let off = ld.offset as usize;
    if off > HEADER_WINDOW {
        return Err(LowerError {
            message: format!("offset {off} is past the card's header window"),
            span: p.span.clone(),
        });
    }
    let v4_payload = Field::Window {
        base: Base::Ipv4Payload {
            depth: p.vlan_depth,
        },
        offset: off as u16,
        size: ld.size,
    };
    let (guard, field) = match ld.base {
        LoadBase::Ether => (Cond::True, abs(off, ld.size)),
        LoadBase::Ip => (etype(ETH_IPV4), abs(l + off, ld.size)),
        LoadBase::Ip6 => (etype(ETH_IPV6), abs(l + off, ld.size)),
        LoadBase::Tcp | LoadBase::Udp | LoadBase::Sctp | LoadBase::Icmp => {
            let n = match ld.base {
                LoadBase::Tcp => 6,
                LoadBase::Udp => 17,
                LoadBase::Sctp => 132,
                _ => 1,
            };
            let ip_proto = and(etype(ETH_IPV4), eq(abs(l + 9, 1), n));
            let ip6_proto = and(
                etype(ETH_IPV6),
                or(
                    eq(abs(l + 6, 1), n),
                    and(eq(abs(l + 6, 1), 44), eq(abs(l + 40, 1), n)),
                ),
            );
            let proto = if ld.base == LoadBase::Icmp {
                ip_proto
            } else {
                or(ip_proto, ip6_proto)
            };
            // libpcap then requires a first fragment by the IPv4 rule, even for IPv6.
            (and(proto, meq(abs(l + 6, 2), 0, 0x1FFF)), v4_payload)
        }
    };
    let test = rel_test(field, ld.rel, ld.value, ld.mask, p)?;
    Ok(match guard {
        Cond::True => test,
        g => and(g, test),
    })
}
