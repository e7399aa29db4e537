//! A recursive-descent parser for pcap-filter expressions.
//!
//! Precedence as in libpcap: `not` binds tightest; `and` and `or` have equal precedence and
//! associate to the left (`a or b and c` is `(a or b) and c`).

use crate::ast::{Dir, Expr, Family, Load, LoadBase, Prim, PrimKind, Rel, L4};
use crate::lexer::{lex, Tok};
use crate::Span;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use thiserror::Error;

/// A filter the parser refuses, with the part of the text at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message} (at {}..{})", span.start, span.end)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>, span: Span) -> Self {
        ParseError {
            message: message.into(),
            span,
        }
    }

    /// The expression with a caret line under the offending part, for people.
    pub fn render(&self, src: &str) -> String {
        let start = self.span.start.min(src.len());
        let width = self.span.end.saturating_sub(self.span.start).max(1);
        format!(
            "{src}\n{}{} {}",
            " ".repeat(start),
            "^".repeat(width),
            self.message
        )
    }
}

/// Parses a filter expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(ParseError::new("empty filter", 0..src.len()));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end: src.len(),
        vlan_depth: 0,
        last: None,
    };
    let e = p.expr()?;
    if p.pos < p.toks.len() {
        return Err(ParseError::new(
            "unexpected text after the expression",
            p.span(),
        ));
    }
    Ok(e)
}

/// The qualifiers of the last primitive, for `host a or b`.
#[derive(Clone, Copy)]
struct Quals {
    proto: Option<&'static str>,
    dir: Dir,
    kind: &'static str,
}

struct Parser {
    toks: Vec<(Tok, Span)>,
    pos: usize,
    end: usize,
    vlan_depth: u8,
    last: Option<Quals>,
}

const PROTOS: &[&str] = &[
    "ether", "ip", "ip6", "arp", "rarp", "tcp", "udp", "sctp", "icmp", "icmp6",
];
const KINDS: &[&str] = &["host", "net", "port", "portrange"];

impl Parser {
    fn span(&self) -> Span {
        self.toks
            .get(self.pos)
            .map(|t| t.1.clone())
            .unwrap_or(self.end..self.end)
    }
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }
    fn peek_word(&self) -> Option<&str> {
        match self.peek() {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }
    fn peek_word_at(&self, k: usize) -> Option<&str> {
        match self.toks.get(self.pos + k) {
            Some((Tok::Word(w), _)) => Some(w.as_str()),
            _ => None,
        }
    }
    fn bump(&mut self) -> (Tok, Span) {
        let t = self.toks[self.pos].clone();
        self.pos += 1;
        t
    }
    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn eat_word(&mut self, w: &str) -> bool {
        if self.peek_word() == Some(w) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn word(&mut self, what: &str) -> Result<(String, Span), ParseError> {
        match self.peek() {
            Some(Tok::Word(_)) => match self.bump() {
                (Tok::Word(w), s) => Ok((w, s)),
                _ => unreachable!(),
            },
            _ => Err(ParseError::new(format!("expected {what}"), self.span())),
        }
    }
    fn at_end_of_primitive(&self) -> bool {
        matches!(
            self.peek(),
            None | Some(Tok::RParen) | Some(Tok::AndAnd) | Some(Tok::OrOr)
        ) || matches!(self.peek_word(), Some("and") | Some("or"))
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.term()?;
        loop {
            let and = if self.eat(&Tok::AndAnd) || self.eat_word("and") {
                true
            } else if self.eat(&Tok::OrOr) || self.eat_word("or") {
                false
            } else {
                return Ok(left);
            };
            let right = self.term()?;
            left = if and {
                Expr::And(Box::new(left), Box::new(right))
            } else {
                Expr::Or(Box::new(left), Box::new(right))
            };
        }
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        if self.eat(&Tok::Bang) || self.eat_word("not") {
            return Ok(Expr::Not(Box::new(self.term()?)));
        }
        if self.eat(&Tok::LParen) {
            let e = self.expr()?;
            if !self.eat(&Tok::RParen) {
                return Err(ParseError::new("expected ')'", self.span()));
            }
            return Ok(e);
        }
        let start = self.span().start;
        let kind = self.primitive()?;
        let end = self
            .toks
            .get(self.pos.saturating_sub(1))
            .map(|t| t.1.end)
            .unwrap_or(self.end);
        let prim = Prim {
            kind,
            vlan_depth: self.vlan_depth,
            span: start..end,
        };
        if let PrimKind::Vlan(_) = prim.kind {
            self.vlan_depth = self.vlan_depth.saturating_add(1);
        }
        Ok(Expr::Prim(prim))
    }

    fn primitive(&mut self) -> Result<PrimKind, ParseError> {
        let Some(w) = self.peek_word().map(str::to_string) else {
            return Err(ParseError::new("expected a primitive", self.span()));
        };
        match w.as_str() {
            "vlan" => {
                self.bump();
                if self.at_end_of_primitive() {
                    return Ok(PrimKind::Vlan(None));
                }
                let (v, s) = self.word("a VLAN id")?;
                let id = number(&v, &s)?;
                if id > 4095 {
                    return Err(ParseError::new("VLAN ids are 0..=4095", s));
                }
                return Ok(PrimKind::Vlan(Some(id as u16)));
            }
            "less" | "greater" => {
                self.bump();
                let (v, s) = self.word("a length")?;
                let n = number(&v, &s)?;
                return Ok(PrimKind::Len(
                    if w == "less" { Rel::Le } else { Rel::Ge },
                    n,
                ));
            }
            "len" => {
                self.bump();
                let rel = self.rel()?;
                let (v, s) = self.word("a length")?;
                return Ok(PrimKind::Len(rel, number(&v, &s)?));
            }
            "proto" => {
                self.bump();
                return Err(ParseError::new(
                    "`proto` needs a protocol qualifier here: write `ip proto N` or `ip6 proto N`",
                    self.span(),
                ));
            }
            _ => {}
        }
        if let Some(base) = load_base(&w) {
            if self.toks.get(self.pos + 1).map(|t| &t.0) == Some(&Tok::LBracket) {
                self.bump();
                return self.load(base).map(PrimKind::Load);
            }
        }
        // [proto] [dir] [kind] id
        let proto_span = self.span();
        let proto = PROTOS.iter().copied().find(|p| *p == w);
        if proto.is_some() {
            self.bump();
        }
        if let Some(p) = proto {
            if self.at_end_of_primitive() {
                return protocol(p, &proto_span);
            }
            match (p, self.peek_word()) {
                ("ether", Some("broadcast")) => {
                    self.bump();
                    return Ok(PrimKind::EtherBroadcast);
                }
                ("ether", Some("multicast")) => {
                    self.bump();
                    return Ok(PrimKind::EtherMulticast);
                }
                (_, Some("proto")) => {
                    self.bump();
                    let (v, s) = self.word("a protocol number")?;
                    let n = number(&v, &s)
                        .map_err(|_| ParseError::new("give the protocol as a number", s.clone()))?;
                    return match p {
                        "ip" if n <= 255 => Ok(PrimKind::IpProto(n as u8)),
                        "ip6" if n <= 255 => Ok(PrimKind::Ip6Proto(n as u8)),
                        "ether" if (1536..=65535).contains(&n) => {
                            Ok(PrimKind::EtherProto(n as u16))
                        }
                        "ether" => Err(ParseError::new(
                            "ether proto takes an EtherType of 1536 or more",
                            s,
                        )),
                        "ip" | "ip6" => Err(ParseError::new("IP protocols are 0..=255", s)),
                        _ => Err(ParseError::new(
                            format!("`{p} proto` is not supported"),
                            proto_span,
                        )),
                    };
                }
                _ => {}
            }
        }
        let dir_span = self.span();
        let dir = self.dir();
        let kind = match self.peek_word() {
            Some(k) if KINDS.contains(&k) => {
                let k = KINDS.iter().copied().find(|x| *x == k).unwrap();
                self.bump();
                Some(k)
            }
            _ => None,
        };
        let quals = match (proto, dir, kind) {
            (None, None, None) => match self.last {
                Some(q) => q,
                None => {
                    return Err(ParseError::new(
                        format!("`{w}` is not a primitive this filter language knows"),
                        self.span(),
                    ))
                }
            },
            _ => Quals {
                proto,
                dir: dir.unwrap_or(Dir::SrcOrDst),
                kind: kind.unwrap_or(if dir.is_some() || proto == Some("ether") {
                    "host"
                } else {
                    ""
                }),
            },
        };
        if quals.kind.is_empty() {
            return Err(ParseError::new(
                "expected host, net, port or portrange",
                dir_span,
            ));
        }
        self.last = Some(quals);
        let (v, s) = self.word("an address, network or port")?;
        self.value(quals, &v, s)
    }

    fn dir(&mut self) -> Option<Dir> {
        let d = match self.peek_word() {
            Some("src") => Dir::Src,
            Some("dst") => Dir::Dst,
            _ => return None,
        };
        self.bump();
        // `src or dst` / `src and dst` (when followed by the other direction).
        let other = if d == Dir::Src { "dst" } else { "src" };
        match (self.peek_word(), self.peek_word_at(1)) {
            (Some("or"), Some(o)) if o == other => {
                self.pos += 2;
                Some(Dir::SrcOrDst)
            }
            (Some("and"), Some(o)) if o == other => {
                self.pos += 2;
                Some(Dir::SrcAndDst)
            }
            _ => Some(d),
        }
    }

    fn value(&mut self, q: Quals, v: &str, s: Span) -> Result<PrimKind, ParseError> {
        let family = |p: Option<&str>, s: &Span| -> Result<Family, ParseError> {
            Ok(match p {
                None => Family::Any4,
                Some("ip") => Family::Ip,
                Some("arp") => Family::Arp,
                Some("rarp") => Family::Rarp,
                Some("ip6") => Family::Ip6,
                Some(other) => {
                    return Err(ParseError::new(
                        format!("`{other}` does not qualify host or net"),
                        s.clone(),
                    ))
                }
            })
        };
        match q.kind {
            "host" if q.proto == Some("ether") => Ok(PrimKind::EtherHost(q.dir, mac(v, &s)?)),
            "host" => {
                let addr = ip_addr(v, &s)?;
                let fam = family(q.proto, &s)?;
                check_family(fam, &addr, &s)?;
                let fam = if addr.is_ipv6() && fam == Family::Any4 {
                    Family::Ip6
                } else {
                    fam
                };
                Ok(PrimKind::Host(fam, q.dir, addr))
            }
            "net" => {
                let (addr, len) = self.net(v, &s)?;
                let fam = family(q.proto, &s)?;
                check_family(fam, &addr, &s)?;
                let fam = if addr.is_ipv6() && fam == Family::Any4 {
                    Family::Ip6
                } else {
                    fam
                };
                Ok(PrimKind::Net(fam, q.dir, addr, len))
            }
            "port" | "portrange" => {
                let l4 = match q.proto {
                    None => L4::Any,
                    Some("tcp") => L4::Tcp,
                    Some("udp") => L4::Udp,
                    Some("sctp") => L4::Sctp,
                    Some(p) => {
                        return Err(ParseError::new(
                            format!("`{p} port` is not supported; use tcp, udp or sctp"),
                            s,
                        ))
                    }
                };
                let (lo, hi) = if q.kind == "port" {
                    let p = port(v, &s)?;
                    (p, p)
                } else {
                    let (a, b) = v
                        .split_once('-')
                        .ok_or_else(|| ParseError::new("a port range is LOW-HIGH", s.clone()))?;
                    let (a, b) = (port(a, &s)?, port(b, &s)?);
                    (a.min(b), a.max(b))
                };
                Ok(PrimKind::Port(l4, q.dir, lo, hi))
            }
            _ => unreachable!("kinds are host, net, port, portrange"),
        }
    }

    fn net(&mut self, v: &str, s: &Span) -> Result<(IpAddr, u8), ParseError> {
        if let Some((a, l)) = v.split_once('/') {
            let addr = ip_addr(a, s)?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let len = number(l, s)?;
            if len > max {
                return Err(ParseError::new(
                    format!("prefix length {len} is longer than {max}"),
                    s.clone(),
                ));
            }
            return Ok((addr, len as u8));
        }
        if self.eat_word("mask") {
            let (m, ms) = self.word("a netmask")?;
            let addr = ip_addr(v, s)?;
            let mask = match ip_addr(&m, &ms)? {
                IpAddr::V4(m) if addr.is_ipv4() => u32::from(m),
                _ => return Err(ParseError::new("netmasks are IPv4 dotted quads", ms)),
            };
            if mask.leading_ones() + mask.trailing_zeros() != 32 {
                return Err(ParseError::new(
                    "the card takes contiguous netmasks only",
                    ms,
                ));
            }
            return Ok((addr, mask.leading_ones() as u8));
        }
        // libpcap's short forms: `net 10` is 10/8, `net 10.1` is 10.1/16, `net 10.1.2` is 10.1.2/24.
        let parts: Vec<&str> = v.split('.').collect();
        if !v.contains(':') && parts.len() < 4 {
            let mut octets = [0u8; 4];
            for (i, p) in parts.iter().enumerate() {
                octets[i] = p
                    .parse()
                    .map_err(|_| ParseError::new(format!("`{v}` is not a network"), s.clone()))?;
            }
            return Ok((IpAddr::V4(Ipv4Addr::from(octets)), 8 * parts.len() as u8));
        }
        let addr = ip_addr(v, s)?;
        Ok((addr, if addr.is_ipv4() { 32 } else { 128 }))
    }

    fn rel(&mut self) -> Result<Rel, ParseError> {
        match self.peek() {
            Some(Tok::Rel(r)) => {
                let r = *r;
                self.bump();
                Ok(r)
            }
            _ => Err(ParseError::new(
                "expected a comparison (=, !=, <, <=, >, >=)",
                self.span(),
            )),
        }
    }

    fn load(&mut self, base: LoadBase) -> Result<Load, ParseError> {
        self.bump(); // '['
        let (o, os) = self.word("an offset")?;
        let offset = named_offset(&o).map_or_else(|| number(&o, &os), Ok)?;
        let mut size = 1u8;
        if self.eat(&Tok::Colon) {
            let (z, zs) = self.word("a size")?;
            size = match number(&z, &zs)? {
                1 => 1,
                2 => 2,
                4 => 4,
                _ => return Err(ParseError::new("the size of a load is 1, 2 or 4", zs)),
            };
        }
        if !self.eat(&Tok::RBracket) {
            return Err(ParseError::new("expected ']'", self.span()));
        }
        let mask = if self.eat(&Tok::Amp) {
            Some(self.constant()?)
        } else {
            None
        };
        let rel = self.rel()?;
        let value = self.constant()?;
        Ok(Load {
            base,
            offset,
            size,
            mask,
            rel,
            value,
        })
    }

    /// A number, a named constant, or constants or'ed together in parentheses.
    fn constant(&mut self) -> Result<u32, ParseError> {
        if self.eat(&Tok::LParen) {
            let mut v = self.constant()?;
            while self.eat(&Tok::Pipe) {
                v |= self.constant()?;
            }
            if !self.eat(&Tok::RParen) {
                return Err(ParseError::new("expected ')'", self.span()));
            }
            return Ok(v);
        }
        let (c, s) = self.word("a number")?;
        let v = named_constant(&c).map_or_else(|| number(&c, &s), Ok)?;
        if self.peek() == Some(&Tok::Pipe)
            && self
                .toks
                .get(self.pos + 1)
                .is_some_and(|t| matches!(t.0, Tok::Word(_)))
        {
            self.bump();
            return Ok(v | self.constant()?);
        }
        Ok(v)
    }
}

fn protocol(p: &str, s: &Span) -> Result<PrimKind, ParseError> {
    if p == "ether" {
        return Err(ParseError::new(
            "`ether` needs host, src, dst, proto, broadcast or multicast",
            s.clone(),
        ));
    }
    Ok(protocol_kind(p, s))
}

fn protocol_kind(p: &str, s: &Span) -> PrimKind {
    match p {
        "ip" => PrimKind::EtherProto(0x0800),
        "ip6" => PrimKind::EtherProto(0x86DD),
        "arp" => PrimKind::EtherProto(0x0806),
        "rarp" => PrimKind::EtherProto(0x8035),
        "tcp" => PrimKind::Proto(6),
        "udp" => PrimKind::Proto(17),
        "sctp" => PrimKind::Proto(132),
        "icmp" => PrimKind::IpProto(1),
        "icmp6" => PrimKind::Ip6Proto(58),
        _ => unreachable!("{p} at {s:?} is in PROTOS"),
    }
}

fn check_family(f: Family, a: &IpAddr, s: &Span) -> Result<(), ParseError> {
    match (f, a) {
        (Family::Ip6, IpAddr::V4(_)) => Err(ParseError::new("an IPv4 address with ip6", s.clone())),
        (Family::Ip | Family::Arp | Family::Rarp, IpAddr::V6(_)) => Err(ParseError::new(
            "an IPv6 address with an IPv4 protocol",
            s.clone(),
        )),
        _ => Ok(()),
    }
}

fn load_base(w: &str) -> Option<LoadBase> {
    Some(match w {
        "ether" => LoadBase::Ether,
        "ip" => LoadBase::Ip,
        "ip6" => LoadBase::Ip6,
        "tcp" => LoadBase::Tcp,
        "udp" => LoadBase::Udp,
        "sctp" => LoadBase::Sctp,
        "icmp" => LoadBase::Icmp,
        _ => return None,
    })
}

fn named_offset(w: &str) -> Option<u32> {
    Some(match w {
        "tcpflags" => 13,
        "icmptype" | "icmp6type" => 0,
        "icmpcode" | "icmp6code" => 1,
        _ => return None,
    })
}

fn named_constant(w: &str) -> Option<u32> {
    Some(match w {
        "tcp-fin" => 0x01,
        "tcp-syn" => 0x02,
        "tcp-rst" => 0x04,
        "tcp-push" => 0x08,
        "tcp-ack" => 0x10,
        "tcp-urg" => 0x20,
        "tcp-ece" => 0x40,
        "tcp-cwr" => 0x80,
        "icmp-echoreply" => 0,
        "icmp-unreach" => 3,
        "icmp-redirect" => 5,
        "icmp-echo" => 8,
        "icmp-timxceed" => 11,
        "icmp6-echo" => 128,
        "icmp6-echoreply" => 129,
        "icmp6-neighborsolicit" => 135,
        "icmp6-neighboradvert" => 136,
        _ => return None,
    })
}

/// A number as libpcap reads it: `0x` hexadecimal, a leading `0` octal, else decimal.
fn number(v: &str, s: &Span) -> Result<u32, ParseError> {
    let r = if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        u32::from_str_radix(h, 16)
    } else if v.len() > 1 && v.starts_with('0') {
        u32::from_str_radix(&v[1..], 8)
    } else {
        v.parse()
    };
    r.map_err(|_| ParseError::new(format!("`{v}` is not a number"), s.clone()))
}

fn port(v: &str, s: &Span) -> Result<u16, ParseError> {
    let n = number(v, s).map_err(|_| {
        ParseError::new(
            format!("`{v}`: give the port as a number (service names are not looked up)"),
            s.clone(),
        )
    })?;
    u16::try_from(n).map_err(|_| ParseError::new(format!("port {n} is above 65535"), s.clone()))
}

fn ip_addr(v: &str, s: &Span) -> Result<IpAddr, ParseError> {
    if let Ok(a) = v.parse::<Ipv4Addr>() {
        return Ok(IpAddr::V4(a));
    }
    if let Ok(a) = v.parse::<Ipv6Addr>() {
        return Ok(IpAddr::V6(a));
    }
    Err(ParseError::new(
        format!("`{v}` is not an IP address (host names are not resolved)"),
        s.clone(),
    ))
}

fn mac(v: &str, s: &Span) -> Result<[u8; 6], ParseError> {
    let parts: Vec<&str> = v.split([':', '-', '.']).collect();
    let bad = || ParseError::new(format!("`{v}` is not a MAC address"), s.clone());
    if parts.len() != 6 {
        return Err(bad());
    }
    let mut m = [0u8; 6];
    for (i, p) in parts.iter().enumerate() {
        m[i] = u8::from_str_radix(p, 16).map_err(|_| bad())?;
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_left_to_right() {
        let e = parse("tcp or udp and port 53").unwrap();
        assert!(matches!(e, Expr::And(ref l, _) if matches!(**l, Expr::Or(..))));
    }

    #[test]
    fn qualifiers_are_inherited() {
        let e = parse("src host 10.0.0.1 or 10.0.0.2").unwrap();
        let Expr::Or(_, r) = e else { panic!() };
        let Expr::Prim(p) = *r else { panic!() };
        assert_eq!(
            p.kind,
            PrimKind::Host(Family::Any4, Dir::Src, "10.0.0.2".parse().unwrap())
        );
    }

    #[test]
    fn errors_point_at_the_text() {
        let e = parse("tcp port http").unwrap_err();
        assert_eq!(e.span, 9..13);
        assert!(e.render("tcp port http").contains("^^^^"));
        assert_eq!(parse("ip and (tcp").unwrap_err().span, 11..11);
        assert!(parse("frobnicate").is_err());
        assert!(parse("vlan 5000").is_err());
        assert!(parse("net 10.0.0.0 mask 255.0.255.0").is_err());
    }

    #[test]
    fn vlan_moves_later_headers() {
        let e = parse("vlan 10 and ip").unwrap();
        let Expr::And(_, r) = e else { panic!() };
        let Expr::Prim(p) = *r else { panic!() };
        assert_eq!(p.vlan_depth, 1);
    }

    #[test]
    fn byte_tests() {
        let e = parse("tcp[tcpflags] & (tcp-syn|tcp-ack) != 0").unwrap();
        let Expr::Prim(p) = e else { panic!() };
        assert_eq!(
            p.kind,
            PrimKind::Load(Load {
                base: LoadBase::Tcp,
                offset: 13,
                size: 1,
                mask: Some(0x12),
                rel: Rel::Ne,
                value: 0
            })
        );
    }
}
