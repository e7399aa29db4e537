//! The reference classifier: does a filter match an Ethernet frame, as libpcap decides it.
//!
//! It evaluates the lowered condition (see [`crate::lower`]) left to right with
//! short-circuits, as libpcap's generated code runs; a field read past the end of the frame
//! rejects the frame, whatever the rest of the filter.

use crate::lower::{lower, Base, Cond, Field, Test};
use crate::Expr;

/// A read past the end of the frame.
pub(crate) struct OutOfBounds;

/// Reads `field` from `frame`.
pub(crate) fn read(field: &Field, frame: &[u8]) -> Result<u32, OutOfBounds> {
    let (start, size) = match *field {
        Field::Len => return Ok(frame.len() as u32),
        Field::Window {
            base: Base::Frame,
            offset,
            size,
        } => (offset as usize, size as usize),
        Field::Window {
            base: Base::Ipv4Payload { depth },
            offset,
            size,
        } => {
            let l = 14 + 4 * depth as usize;
            let ihl = (*frame.get(l).ok_or(OutOfBounds)? & 0x0F) as usize * 4;
            (l + ihl + offset as usize, size as usize)
        }
    };
    let b = frame.get(start..start + size).ok_or(OutOfBounds)?;
    Ok(b.iter().fold(0u32, |v, &x| (v << 8) | x as u32))
}

/// Applies a test to a value.
pub(crate) fn test(t: &Test, v: u32) -> bool {
    match *t {
        Test::Eq { value, mask } => v & mask == value,
        Test::Range { lo, hi } => lo <= v && v <= hi,
    }
}

fn eval(c: &Cond, frame: &[u8]) -> Result<bool, OutOfBounds> {
    Ok(match c {
        Cond::Test(f, t) => test(t, read(f, frame)?),
        Cond::And(a, b) => eval(a, frame)? && eval(b, frame)?,
        Cond::Or(a, b) => eval(a, frame)? || eval(b, frame)?,
        Cond::Not(a) => !eval(a, frame)?,
        Cond::True => true,
        Cond::False => false,
    })
}

/// True when the lowered condition matches the frame (FCS excluded).
pub fn matches_lowered(c: &Cond, frame: &[u8]) -> bool {
    eval(c, frame).unwrap_or(false)
}

/// True when `expr` matches the Ethernet frame `frame` (FCS excluded). An expression the
/// card cannot express (see [`crate::lower::LowerError`]) matches nothing.
pub fn matches(expr: &Expr, frame: &[u8]) -> bool {
    lower(expr)
        .map(|c| matches_lowered(&c, frame))
        .unwrap_or(false)
}
