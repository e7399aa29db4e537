//! From a lowered condition to the card's form: a disjunction of terms, each a conjunction
//! of literals over windows, with libpcap's rule for reads past the frame's end kept exact.
//!
//! A literal is `Match` (the field is in the frame and `field & mask == value`) or `Oob` (the
//! field reaches past the frame's end), possibly negated. For every sub-condition the compiler
//! builds two disjunctions: `ok`, the frames on which libpcap's left-to-right evaluation
//! returns true without reading past the end, and `fail`, those on which it returns false
//! without doing so. `and`, `or` and `not` combine them as the short-circuit evaluation does;
//! the filter matches exactly the frames of `ok`. Ranges become prefixes.

use crate::lower::{Base, Cond, Field, Test};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// The smallest frame the card delivers (FCS excluded): fields that end within it are never
/// past the end.
pub const MIN_FRAME: usize = 60;

/// Terms at most while compiling one filter.
pub const MAX_TERMS: usize = 4096;

/// What a literal tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LitKind {
    /// The field is within the frame and `field & mask == value`.
    Match { value: u32, mask: u32 },
    /// The field reaches past the frame's end.
    Oob,
}

/// A literal: a test of one field, maybe negated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lit {
    pub field: Field,
    pub kind: LitKind,
    pub positive: bool,
}

impl std::fmt::Display for Lit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = if self.positive { "" } else { "not " };
        match self.kind {
            LitKind::Match { value, mask } if mask == full_mask(&self.field) => {
                write!(f, "{n}{} == {value:#x}", self.field)
            }
            LitKind::Match { value, mask } => {
                write!(f, "{n}{} & {mask:#x} == {value:#x}", self.field)
            }
            LitKind::Oob => write!(f, "{n}{} past the end", self.field),
        }
    }
}

/// A conjunction of literals.
pub type Term = BTreeSet<Lit>;

/// The filter needs more terms than a compilation may build.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the filter expands to more than {MAX_TERMS} terms; the card cannot hold it")]
pub struct TooComplex;

/// The mask of every bit of a field.
pub fn full_mask(f: &Field) -> u32 {
    match f {
        Field::Window { size: 1, .. } => 0xFF,
        Field::Window { size: 2, .. } | Field::Len => 0xFFFF,
        _ => u32::MAX,
    }
}

/// True when the field can reach past the end of a frame the card delivers.
pub fn may_oob(f: &Field) -> bool {
    f.max_end() > MIN_FRAME
}

/// The prefixes (value, mask) that cover `lo..=hi` within `full`.
pub fn prefixes(lo: u32, hi: u32, full: u32) -> Vec<(u32, u32)> {
    let (mut lo, hi) = (lo as u64, (hi as u64).min(full as u64));
    let mut out = Vec::new();
    while lo <= hi {
        let mut size = 1u64;
        while lo % (size * 2) == 0 && lo + size * 2 - 1 <= hi && size * 2 <= full as u64 + 1 {
            size *= 2;
        }
        out.push((lo as u32, (full as u64 & !(size - 1)) as u32));
        lo += size;
    }
    out
}

fn product(a: &[Term], b: &[Term]) -> Result<Vec<Term>, TooComplex> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            let mut t = x.clone();
            t.extend(y.iter().copied());
            if let Some(t) = simplify(t) {
                out.push(t);
                if out.len() > MAX_TERMS {
                    return Err(TooComplex);
                }
            }
        }
    }
    Ok(out)
}

fn union(mut a: Vec<Term>, b: Vec<Term>) -> Result<Vec<Term>, TooComplex> {
    a.extend(b);
    if a.len() > MAX_TERMS {
        return Err(TooComplex);
    }
    Ok(a)
}

/// `(ok, fail)` of a condition.
fn build(c: &Cond) -> Result<(Vec<Term>, Vec<Term>), TooComplex> {
    Ok(match c {
        Cond::True => (vec![Term::new()], vec![]),
        Cond::False => (vec![], vec![Term::new()]),
        Cond::Test(field, test) => {
            let full = full_mask(field);
            let pre = match *test {
                Test::Eq { value, mask } => vec![(value, mask)],
                Test::Range { lo, hi } => prefixes(lo, hi, full),
            };
            let lit = |(value, mask): (u32, u32), positive| Lit {
                field: *field,
                kind: LitKind::Match { value, mask },
                positive,
            };
            let ok = pre.iter().map(|&p| Term::from([lit(p, true)])).collect();
            let mut fail: Term = pre.iter().map(|&p| lit(p, false)).collect();
            if may_oob(field) {
                fail.insert(Lit {
                    field: *field,
                    kind: LitKind::Oob,
                    positive: false,
                });
            }
            (ok, simplify(fail).into_iter().collect())
        }
        Cond::And(a, b) => {
            let (ok_a, fail_a) = build(a)?;
            let (ok_b, fail_b) = build(b)?;
            let ok = product(&ok_a, &ok_b)?;
            let fail = union(fail_a, product(&ok_a, &fail_b)?)?;
            (ok, fail)
        }
        Cond::Or(a, b) => {
            let (ok_a, fail_a) = build(a)?;
            let (ok_b, fail_b) = build(b)?;
            let ok = union(ok_a, product(&fail_a, &ok_b)?)?;
            let fail = product(&fail_a, &fail_b)?;
            (ok, fail)
        }
        Cond::Not(a) => {
            let (ok, fail) = build(a)?;
            (fail, ok)
        }
    })
}

/// The terms of the frames a condition matches, simplified, none implied by another.
pub fn to_dnf(c: &Cond) -> Result<Vec<Term>, TooComplex> {
    let (ok, _) = build(c)?;
    Ok(minimise(ok))
}

/// Drops duplicate terms and terms that contain another term.
fn minimise(mut terms: Vec<Term>) -> Vec<Term> {
    terms.sort_by_key(|t| t.len());
    let mut out: Vec<Term> = Vec::new();
    for t in terms {
        if !out.iter().any(|o| o.is_subset(&t)) {
            out.push(t);
        }
    }
    out
}

/// Per-octet requirements of a term's positive matches on frame windows.
fn octets(t: &Term) -> Option<BTreeMap<usize, (u8, u8)>> {
    let mut req: BTreeMap<usize, (u8, u8)> = BTreeMap::new();
    for l in t {
        if let (
            Field::Window {
                base: Base::Frame,
                offset,
                size,
            },
            LitKind::Match { value, mask },
            true,
        ) = (l.field, l.kind, l.positive)
        {
            for i in 0..size as usize {
                let shift = 8 * (size as usize - 1 - i);
                let (v, m) = ((value >> shift) as u8, (mask >> shift) as u8);
                let e = req.entry(offset as usize + i).or_insert((0, 0));
                if (e.0 ^ v) & e.1 & m != 0 {
                    return None;
                }
                *e = (e.0 | (v & m), e.1 | m);
            }
        }
    }
    Some(req)
}

/// What the term's positive matches say of a negated match: `Some(true)` it cannot match
/// (the negation holds), `Some(false)` it must match (the term is empty), `None` open.
fn decided(req: &BTreeMap<usize, (u8, u8)>, l: &Lit) -> Option<bool> {
    let (
        Field::Window {
            base: Base::Frame,
            offset,
            size,
        },
        LitKind::Match { value, mask },
    ) = (l.field, l.kind)
    else {
        return None;
    };
    let mut all_known = true;
    for i in 0..size as usize {
        let shift = 8 * (size as usize - 1 - i);
        let (v, m) = ((value >> shift) as u8, (mask >> shift) as u8);
        match req.get(&(offset as usize + i)) {
            Some(&(rv, rm)) => {
                if (rv ^ v) & rm & m != 0 {
                    return Some(true);
                }
                if m & !rm != 0 {
                    all_known = false;
                }
            }
            None if m != 0 => all_known = false,
            None => {}
        }
    }
    // Every tested bit is fixed by the positives and agrees: the match holds (its field is
    // within the frame, since the positives are).
    if all_known {
        Some(false)
    } else {
        None
    }
}

/// Simplifies a term; `None` when no frame can satisfy it.
pub fn simplify(t: Term) -> Option<Term> {
    let req = octets(&t)?;
    let mut out = Term::new();
    for l in &t {
        if l.positive {
            // A field in the frame is not past its end.
            if l.kind == LitKind::Oob
                && t.iter()
                    .any(|o| o.positive && o.field == l.field && o.kind != LitKind::Oob)
            {
                return None;
            }
            out.insert(*l);
            continue;
        }
        match l.kind {
            LitKind::Oob => {
                if t.contains(&Lit {
                    positive: true,
                    ..*l
                }) {
                    return None;
                }
                // A positive match on the field already says it is in the frame.
                if t.iter().any(|o| {
                    o.positive && o.field == l.field && matches!(o.kind, LitKind::Match { .. })
                }) {
                    continue;
                }
                out.insert(*l);
            }
            LitKind::Match { .. } => {
                if t.contains(&Lit {
                    positive: true,
                    ..*l
                }) {
                    return None;
                }
                match decided(&req, l) {
                    Some(true) => continue,
                    Some(false) => return None,
                    None => {
                        out.insert(*l);
                    }
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_cover_exactly() {
        for (lo, hi) in [
            (0u32, 0xFFFF),
            (1024, 65535),
            (20, 25),
            (7, 7),
            (0, 1023),
            (5, 1000),
        ] {
            let p = prefixes(lo, hi, 0xFFFF);
            for v in 0..=0xFFFFu32 {
                let inside = p.iter().any(|&(val, m)| v & m == val);
                assert_eq!(inside, lo <= v && v <= hi, "{lo}-{hi} at {v}");
            }
        }
        assert_eq!(prefixes(1024, 65535, 0xFFFF).len(), 6);
    }
}
