//! The NIC's filter language: the pcap-filter expressions tcpdump users write.
//!
//! [`parse`] turns an expression into an [`Expr`] or a [`ParseError`] that points at the
//! offending part of the text; [`matches`] is the reference classifier, with libpcap's
//! semantics on Ethernet frames (it is tested against libpcap itself). The compiler to the
//! card's exact-flow and masked-rule tables builds on these.
//!
//! Supported: `host`, `net` (CIDR or `mask`), `port`, `portrange`, with `src`/`dst` and the
//! protocol qualifiers `ether`, `ip`, `ip6`, `arp`, `rarp`, `tcp`, `udp`, `sctp`; the protocol
//! keywords `ether`/`ip`/`ip6`/`arp`/`rarp`/`tcp`/`udp`/`sctp`/`icmp`/`icmp6`; `ip proto`,
//! `ip6 proto`, `proto`, `ether proto`; `vlan [id]`; `ether broadcast`/`multicast`;
//! `less`, `greater`, `len`; byte tests `ether|ip|ip6|tcp|udp|icmp|icmp6[off(:1|2|4)] [& mask]
//! relop value` with the named offsets and flags (`tcpflags`, `tcp-syn`, ...); `and`, `or`,
//! `not` (`&&`, `||`, `!`), parentheses, and qualifier inheritance (`host a or b`).

mod ast;
pub mod corpus;
pub mod dnf;
mod eval;
mod lexer;
pub mod lower;
mod parser;
pub mod table;

pub use ast::{Dir, Expr, Family, Load, LoadBase, Prim, PrimKind, Rel, L4};
pub use eval::{matches, matches_lowered};
pub use parser::{parse, ParseError};
pub use table::{compile, compile_for, Compiled, FilterError, FilterSet, FlowKey, TableParams};

/// A byte range in the expression text.
pub type Span = std::ops::Range<usize>;
