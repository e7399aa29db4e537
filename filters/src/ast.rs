//! The parsed form of a filter expression.

use crate::Span;
use std::net::IpAddr;

/// A filter expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Prim(Prim),
}

/// A primitive with where it came from and how many VLAN tags precede its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prim {
    pub kind: PrimKind,
    /// VLAN primitives parsed before this one: each moves the network header 4 octets on
    /// (libpcap's rule).
    pub vlan_depth: u8,
    pub span: Span,
}

/// Address direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Src,
    Dst,
    SrcOrDst,
    SrcAndDst,
}

/// The protocol family a `host` or `net` applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// IPv4 `host`/`net` without qualifier: IPv4, ARP and RARP.
    Any4,
    Ip,
    Arp,
    Rarp,
    Ip6,
}

/// The transport protocols a `port` applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L4 {
    Tcp,
    Udp,
    Sctp,
    /// TCP, UDP or SCTP.
    Any,
}

/// Comparison of a byte test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Rel {
    /// Applies the comparison.
    pub fn holds(self, a: u32, b: u32) -> bool {
        match self {
            Rel::Eq => a == b,
            Rel::Ne => a != b,
            Rel::Lt => a < b,
            Rel::Le => a <= b,
            Rel::Gt => a > b,
            Rel::Ge => a >= b,
        }
    }
}

/// The header a byte test indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadBase {
    Ether,
    Ip,
    Ip6,
    Tcp,
    Udp,
    Sctp,
    Icmp,
}

/// `base[offset:size] & mask rel value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    pub base: LoadBase,
    pub offset: u32,
    pub size: u8,
    pub mask: Option<u32>,
    pub rel: Rel,
    pub value: u32,
}

/// What a primitive tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrimKind {
    EtherHost(Dir, [u8; 6]),
    EtherBroadcast,
    EtherMulticast,
    EtherProto(u16),
    Host(Family, Dir, IpAddr),
    Net(Family, Dir, IpAddr, u8),
    Port(L4, Dir, u16, u16),
    IpProto(u8),
    Ip6Proto(u8),
    /// IPv4 or IPv6 protocol (`tcp`, `udp`, `sctp`).
    Proto(u8),
    Vlan(Option<u16>),
    /// `len rel value` (`less n` is `len <= n`, `greater n` is `len >= n`).
    Len(Rel, u32),
    Load(Load),
}
