//! Tokens of a filter expression, each with its span.

use crate::parser::ParseError;
use crate::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// A word: keyword, name, number or address.
    Word(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Colon,
    Amp,
    AndAnd,
    OrOr,
    Bang,
    Pipe,
    Rel(crate::Rel),
}

pub fn lex(src: &str) -> Result<Vec<(Tok, Span)>, ParseError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut brackets = 0usize;
    while i < b.len() {
        let c = b[i] as char;
        let two = |s: &str| src[i..].starts_with(s);
        let (tok, len) = if c.is_whitespace() {
            i += 1;
            continue;
        } else if two("&&") {
            (Tok::AndAnd, 2)
        } else if two("||") {
            (Tok::OrOr, 2)
        } else if two("==") {
            (Tok::Rel(crate::Rel::Eq), 2)
        } else if two("!=") {
            (Tok::Rel(crate::Rel::Ne), 2)
        } else if two("<=") {
            (Tok::Rel(crate::Rel::Le), 2)
        } else if two(">=") {
            (Tok::Rel(crate::Rel::Ge), 2)
        } else {
            match c {
                '(' => (Tok::LParen, 1),
                ')' => (Tok::RParen, 1),
                '[' => {
                    brackets += 1;
                    (Tok::LBracket, 1)
                }
                ']' => {
                    brackets = brackets.saturating_sub(1);
                    (Tok::RBracket, 1)
                }
                ':' if brackets > 0 => (Tok::Colon, 1),
                '&' => (Tok::Amp, 1),
                '|' => (Tok::Pipe, 1),
                '!' => (Tok::Bang, 1),
                '=' => (Tok::Rel(crate::Rel::Eq), 1),
                '<' => (Tok::Rel(crate::Rel::Lt), 1),
                '>' => (Tok::Rel(crate::Rel::Gt), 1),
                _ if is_word(c, brackets) => {
                    let start = i;
                    let mut j = i;
                    while j < b.len() && is_word(b[j] as char, brackets) {
                        j += 1;
                    }
                    out.push((Tok::Word(src[start..j].to_string()), start..j));
                    i = j;
                    continue;
                }
                _ => {
                    return Err(ParseError::new(
                        format!("unexpected character {c:?}"),
                        i..i + c.len_utf8(),
                    ));
                }
            }
        };
        out.push((tok, i..i + len));
        i += len;
    }
    Ok(out)
}

fn is_word(c: char, brackets: usize) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/') || (c == ':' && brackets == 0)
}
