//! The card's classifier tables, as the device manager lays them out, and a model of how the
//! card decides with them.
//!
//! - **Masked rules**: each filter's terms (see [`crate::dnf`]); a term holds when all its
//!   literals hold. Terms and literals come from two pools of fixed size.
//! - **Exact flows**: a filter whose one term is an IPv4 or IPv6 5-tuple (protocol, source and
//!   destination address and port) or local 3-tuple (protocol, destination address and port)
//!   of an untagged frame takes one entry of the flow table instead.
//! - **Decision**: the highest-priority filter with a matching term or flow (ties: the lower
//!   filter id), else the default (OS) VI.

use crate::dnf::{to_dnf, Lit, LitKind, Term, TooComplex};
use crate::eval::read;
use crate::lower::{lower, Base, Field, LowerError};
use crate::{parse, Expr, ParseError};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use thiserror::Error;

/// Sizes of the card's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableParams {
    pub terms: usize,
    pub literals: usize,
    pub flows: usize,
}

impl TableParams {
    /// The simulation configuration.
    pub const SIM: TableParams = TableParams {
        terms: 64,
        literals: 512,
        flows: 4096,
    };
}

/// IP version of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    V4,
    V6,
}

/// An exact flow: protocol, an optional source (address, port) and the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlowKey {
    pub family: Family,
    pub proto: u8,
    pub src: Option<(IpAddr, u16)>,
    pub dst: (IpAddr, u16),
}

impl FlowKey {
    /// The key as the card's flow table holds it.
    pub fn words(&self) -> arsenic_interface::classifier::FlowWords {
        let addr = |a: &IpAddr| -> [u32; 4] {
            match a {
                IpAddr::V4(a) => [u32::from(*a), 0, 0, 0],
                IpAddr::V6(a) => {
                    let o = a.octets();
                    std::array::from_fn(|i| {
                        u32::from_be_bytes(o[4 * i..4 * i + 4].try_into().unwrap())
                    })
                }
            }
        };
        let (src, sport) = self
            .src
            .map_or(([0; 4], 0u32), |(a, p)| (addr(&a), p as u32));
        let dst = addr(&self.dst.0);
        let fam = ((self.family == Family::V6) as u32) << 9
            | (self.src.is_some() as u32) << 8
            | self.proto as u32;
        [
            fam,
            src[0],
            src[1],
            src[2],
            src[3],
            dst[0],
            dst[1],
            dst[2],
            dst[3],
            sport << 16 | self.dst.1 as u32,
        ]
    }
}

impl std::fmt::Display for FlowKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fam = if self.family == Family::V4 {
            "IPv4"
        } else {
            "IPv6"
        };
        match self.src {
            Some((a, p)) => write!(
                f,
                "{fam} proto {} {a}:{p} -> {}:{} (5-tuple)",
                self.proto, self.dst.0, self.dst.1
            ),
            None => write!(
                f,
                "{fam} proto {} -> {}:{} (local 3-tuple)",
                self.proto, self.dst.0, self.dst.1
            ),
        }
    }
}

/// How a filter sits in the card's tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compiled {
    Flow(FlowKey),
    Rules(Vec<Term>),
}

impl Compiled {
    /// (terms, literals, flows) the filter takes; a literal is a distinct test (field and
    /// kind), shared by the filter's terms whatever its polarity in each.
    pub fn usage(&self) -> (usize, usize, usize) {
        match self {
            Compiled::Flow(_) => (0, 0, 1),
            Compiled::Rules(t) => (t.len(), self.atoms().len(), 0),
        }
    }

    /// The distinct tests of a filter's terms, in a fixed order.
    pub fn atoms(&self) -> Vec<(Field, LitKind)> {
        let Compiled::Rules(terms) = self else {
            return Vec::new();
        };
        let set: std::collections::BTreeSet<(Field, LitKind)> = terms
            .iter()
            .flat_map(|t| t.iter().map(|l| (l.field, l.kind)))
            .collect();
        set.into_iter().collect()
    }
}

/// Why a filter cannot be installed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FilterError {
    #[error("{0}")]
    Parse(#[from] ParseError),
    #[error("the card cannot express this: {0}")]
    Lower(#[from] LowerError),
    #[error("{0}")]
    TooComplex(#[from] TooComplex),
    #[error("the filter matches no frame")]
    Empty,
    #[error("table full: the filter needs {need} {what}, {free} free")]
    Full {
        what: &'static str,
        need: usize,
        free: usize,
    },
    #[error("exact flow {0} is installed already (filter {1})")]
    DuplicateFlow(FlowKey, u16),
    #[error("no filter {0}")]
    NoSuchFilter(u16),
}

/// Compiles an expression for the card.
pub fn compile(expr: &Expr) -> Result<Compiled, FilterError> {
    compile_for(expr, true)
}

/// Compiles an expression for a card with (`exact_flows`) or without an exact-flow table;
/// without one, an exact flow is a masked-rule term like any other filter.
pub fn compile_for(expr: &Expr, exact_flows: bool) -> Result<Compiled, FilterError> {
    let terms = to_dnf(&lower(expr)?)?;
    if terms.is_empty() {
        return Err(FilterError::Empty);
    }
    if exact_flows && terms.len() == 1 {
        if let Some(k) = flow_of(&terms[0]) {
            return Ok(Compiled::Flow(k));
        }
    }
    Ok(Compiled::Rules(terms))
}

fn win(offset: usize, size: u8) -> Field {
    Field::Window {
        base: Base::Frame,
        offset: offset as u16,
        size,
    }
}

fn lit(field: Field, value: u32, mask: u32) -> Lit {
    Lit {
        field,
        kind: LitKind::Match { value, mask },
        positive: true,
    }
}

fn full(field: Field) -> u32 {
    crate::dnf::full_mask(&field)
}

fn addr_lits(offset: usize, a: &IpAddr) -> Vec<Lit> {
    let o: Vec<u8> = match a {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    o.chunks(4)
        .enumerate()
        .map(|(i, w)| {
            lit(
                win(offset + 4 * i, 4),
                u32::from_be_bytes(w.try_into().unwrap()),
                u32::MAX,
            )
        })
        .collect()
}

/// The literals of an exact flow, as the compiler writes them for an untagged frame.
pub fn flow_literals(k: &FlowKey) -> Term {
    let mut t = Term::new();
    let (sport, dport) = match k.family {
        Family::V4 => {
            t.insert(lit(win(12, 2), 0x0800, 0xFFFF));
            t.insert(lit(win(23, 1), k.proto as u32, 0xFF));
            t.insert(lit(win(20, 2), 0, 0x1FFF));
            let p = |o| Field::Window {
                base: Base::Ipv4Payload { depth: 0 },
                offset: o,
                size: 2,
            };
            (p(0), p(2))
        }
        Family::V6 => {
            t.insert(lit(win(12, 2), 0x86DD, 0xFFFF));
            t.insert(lit(win(20, 1), k.proto as u32, 0xFF));
            (win(54, 2), win(56, 2))
        }
    };
    let (src_off, dst_off) = if k.family == Family::V4 {
        (26, 30)
    } else {
        (22, 38)
    };
    if let Some((a, p)) = k.src {
        t.extend(addr_lits(src_off, &a));
        t.insert(lit(sport, p as u32, full(sport)));
    }
    t.extend(addr_lits(dst_off, &k.dst.0));
    t.insert(lit(dport, k.dst.1 as u32, full(dport)));
    t
}

fn value_at(t: &Term, field: Field) -> Option<u32> {
    t.iter()
        .find_map(|l| match (l.field == field, l.kind, l.positive) {
            (true, LitKind::Match { value, mask }, true) if mask == full(field) => Some(value),
            _ => None,
        })
}

fn addr_at(t: &Term, offset: usize, words: usize) -> Option<IpAddr> {
    let mut b = Vec::new();
    for i in 0..words {
        b.extend_from_slice(&value_at(t, win(offset + 4 * i, 4))?.to_be_bytes());
    }
    Some(if words == 1 {
        IpAddr::from(<[u8; 4]>::try_from(b).unwrap())
    } else {
        IpAddr::from(<[u8; 16]>::try_from(b).unwrap())
    })
}

/// The exact flow a term is, if it is one.
pub fn flow_of(t: &Term) -> Option<FlowKey> {
    let (family, proto, words, src_off, dst_off, sport, dport) = match value_at(t, win(12, 2))? {
        0x0800 => {
            let p = |o| Field::Window {
                base: Base::Ipv4Payload { depth: 0 },
                offset: o,
                size: 2,
            };
            (Family::V4, value_at(t, win(23, 1))?, 1, 26, 30, p(0), p(2))
        }
        0x86DD => (
            Family::V6,
            value_at(t, win(20, 1))?,
            4,
            22,
            38,
            win(54, 2),
            win(56, 2),
        ),
        _ => return None,
    };
    let dst = (addr_at(t, dst_off, words)?, value_at(t, dport)? as u16);
    let src = match (addr_at(t, src_off, words), value_at(t, sport)) {
        (Some(a), Some(p)) => Some((a, p as u16)),
        _ => None,
    };
    let k = FlowKey {
        family,
        proto: proto as u8,
        src,
        dst,
    };
    (flow_literals(&k) == *t).then_some(k)
}

/// True when a literal holds on a frame (FCS excluded).
pub fn literal_holds(l: &Lit, frame: &[u8]) -> bool {
    let v = match (read(&l.field, frame), l.kind) {
        (Ok(v), LitKind::Match { value, mask }) => v & mask == value,
        (Ok(_), LitKind::Oob) => false,
        (Err(_), LitKind::Match { .. }) => false,
        (Err(_), LitKind::Oob) => true,
    };
    v == l.positive
}

/// The 5-tuple and 3-tuple the card looks up for an untagged IPv4 (first fragment) or IPv6
/// frame whose transport header is within the frame.
pub fn frame_flows(frame: &[u8]) -> Option<(FlowKey, FlowKey)> {
    let r = |o: usize, n: usize| frame.get(o..o + n);
    let etype = u16::from_be_bytes(r(12, 2)?.try_into().ok()?);
    let (family, proto, src, dst, l4) = match etype {
        0x0800 => {
            if u16::from_be_bytes(r(20, 2)?.try_into().ok()?) & 0x1FFF != 0 {
                return None;
            }
            let ihl = (frame[14] & 0x0F) as usize * 4;
            let s: [u8; 4] = r(26, 4)?.try_into().ok()?;
            let d: [u8; 4] = r(30, 4)?.try_into().ok()?;
            (
                Family::V4,
                frame[23],
                IpAddr::from(s),
                IpAddr::from(d),
                14 + ihl,
            )
        }
        0x86DD => {
            let s: [u8; 16] = r(22, 16)?.try_into().ok()?;
            let d: [u8; 16] = r(38, 16)?.try_into().ok()?;
            (
                Family::V6,
                *frame.get(20)?,
                IpAddr::from(s),
                IpAddr::from(d),
                54,
            )
        }
        _ => return None,
    };
    let ports = r(l4, 4)?;
    let (sp, dp) = (
        u16::from_be_bytes([ports[0], ports[1]]),
        u16::from_be_bytes([ports[2], ports[3]]),
    );
    let five = FlowKey {
        family,
        proto,
        src: Some((src, sp)),
        dst: (dst, dp),
    };
    let three = FlowKey {
        family,
        proto,
        src: None,
        dst: (dst, dp),
    };
    Some((five, three))
}

/// An installed filter.
#[derive(Debug, Clone)]
pub struct Installed {
    pub text: String,
    pub expr: Expr,
    /// The expression lowered to windows (what the reference classifier evaluates).
    pub lowered: crate::lower::Cond,
    pub vi: u16,
    pub priority: u16,
    pub compiled: Compiled,
}

/// The filters installed on a card, and what they take of its tables.
#[derive(Debug, Clone)]
pub struct FilterSet {
    params: TableParams,
    next_id: u16,
    filters: BTreeMap<u16, Installed>,
    flows: HashMap<FlowKey, u16>,
    /// Filter ids, highest priority first (ties: lower id).
    order: Vec<u16>,
}

impl FilterSet {
    /// An empty set for tables of `params`.
    pub fn new(params: TableParams) -> Self {
        FilterSet {
            params,
            next_id: 0,
            filters: BTreeMap::new(),
            flows: HashMap::new(),
            order: Vec::new(),
        }
    }

    /// (terms, literals, flows) in use.
    pub fn usage(&self) -> (usize, usize, usize) {
        self.filters
            .values()
            .map(|f| f.compiled.usage())
            .fold((0, 0, 0), |a, u| (a.0 + u.0, a.1 + u.1, a.2 + u.2))
    }

    /// Compiles and installs `text` for `vi` at `priority` (higher wins); returns its id.
    pub fn install(&mut self, text: &str, vi: u16, priority: u16) -> Result<u16, FilterError> {
        let expr = parse(text)?;
        let compiled = compile_for(&expr, self.params.flows > 0)?;
        let lowered = lower(&expr)?;
        let (t, l, f) = compiled.usage();
        let (ut, ul, uf) = self.usage();
        for (what, need, used, cap) in [
            ("masked-rule terms", t, ut, self.params.terms),
            ("masked-rule literals", l, ul, self.params.literals),
            ("exact-flow entries", f, uf, self.params.flows),
        ] {
            if need > cap - used {
                return Err(FilterError::Full {
                    what,
                    need,
                    free: cap - used,
                });
            }
        }
        if let Compiled::Flow(k) = &compiled {
            if let Some(&other) = self.flows.get(k) {
                return Err(FilterError::DuplicateFlow(*k, other));
            }
        }
        // Ids are 15 bits in the card's events (FILTER_NONE is not one); they are handed out
        // in turn, so a removed filter's id is not reused before the others.
        let n = arsenic_interface::event::FILTER_NONE;
        let id = (0..n)
            .map(|k| (self.next_id + k) % n)
            .find(|i| !self.filters.contains_key(i))
            .ok_or(FilterError::Full {
                what: "filter ids",
                need: 1,
                free: 0,
            })?;
        self.next_id = (id + 1) % n;
        if let Compiled::Flow(k) = &compiled {
            self.flows.insert(*k, id);
        }
        self.filters.insert(
            id,
            Installed {
                text: text.to_string(),
                expr,
                lowered,
                vi,
                priority,
                compiled,
            },
        );
        self.reorder();
        Ok(id)
    }

    fn reorder(&mut self) {
        let mut order: Vec<(u16, u16)> = self
            .filters
            .iter()
            .map(|(id, f)| (f.priority, *id))
            .collect();
        order.sort_by_key(|&(p, id)| (std::cmp::Reverse(p), id));
        self.order = order.into_iter().map(|(_, id)| id).collect();
    }

    /// Removes a filter.
    pub fn remove(&mut self, id: u16) -> Result<Installed, FilterError> {
        let f = self
            .filters
            .remove(&id)
            .ok_or(FilterError::NoSuchFilter(id))?;
        if let Compiled::Flow(k) = &f.compiled {
            self.flows.remove(k);
        }
        self.reorder();
        Ok(f)
    }

    /// The installed filters by id.
    pub fn list(&self) -> impl Iterator<Item = (u16, &Installed)> {
        self.filters.iter().map(|(k, v)| (*k, v))
    }

    /// The card's decision for a frame, by its tables: `(filter id, VI)` of the
    /// highest-priority match, or `None` for the default VI.
    pub fn classify(&self, frame: &[u8]) -> Option<(u16, u16)> {
        let flows = frame_flows(frame);
        let mut best: Option<(u16, u16, u16)> = None; // (priority, id, vi)
        for (&id, f) in &self.filters {
            let hit = match &f.compiled {
                Compiled::Flow(k) => flows.is_some_and(|(five, three)| *k == five || *k == three),
                Compiled::Rules(terms) => terms
                    .iter()
                    .any(|t| t.iter().all(|l| literal_holds(l, frame))),
            };
            if hit && best.is_none_or(|(p, bid, _)| f.priority > p || (f.priority == p && id < bid))
            {
                best = Some((f.priority, id, f.vi));
            }
        }
        best.map(|(_, id, vi)| (id, vi))
    }

    /// The reference decision: each filter evaluated as libpcap would, in priority order.
    pub fn classify_reference(&self, frame: &[u8]) -> Option<(u16, u16)> {
        let mut order: Vec<(&u16, &Installed)> = self.filters.iter().collect();
        order.sort_by_key(|(id, f)| (std::cmp::Reverse(f.priority), **id));
        order
            .into_iter()
            .find(|(_, f)| crate::matches(&f.expr, frame))
            .map(|(id, f)| (*id, f.vi))
    }
}
