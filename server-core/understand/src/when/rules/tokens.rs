//! Tokens: the text split into words, numbers and punctuation, with their byte offsets.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Word,
    Num,
    Punct,
}

#[derive(Clone, Debug)]
pub(super) struct Tok<'a> {
    pub(super) kind: Kind,
    pub(super) text: &'a str,
    /// ASCII-lowercased copy for words; empty otherwise.
    pub(super) low: String,
    start: usize,
    end: usize,
    /// Whitespace separates this token from the previous one.
    pub(super) spaced: bool,
}

pub(super) fn tokenize(text: &str) -> Vec<Tok<'_>> {
    let mut toks = Vec::new();
    let mut iter = text.char_indices().peekable();
    let mut spaced = true;
    while let Some((start, c)) = iter.next() {
        if c.is_whitespace() {
            spaced = true;
            continue;
        }
        let kind = if c.is_ascii_digit() {
            Kind::Num
        } else if c.is_alphabetic() {
            Kind::Word
        } else {
            Kind::Punct
        };
        let mut end = start + c.len_utf8();
        if kind != Kind::Punct {
            while let Some(&(j, d)) = iter.peek() {
                let same = match kind {
                    Kind::Num => d.is_ascii_digit(),
                    _ => d.is_alphabetic(),
                };
                if !same {
                    break;
                }
                end = j + d.len_utf8();
                iter.next();
            }
        }
        let slice = text.get(start..end).unwrap_or("");
        let low = if kind == Kind::Word { slice.to_ascii_lowercase() } else { String::new() };
        toks.push(Tok { kind, text: slice, low, start, end, spaced });
        spaced = false;
    }
    toks
}

pub(super) fn span_of(toks: &[Tok<'_>], a: usize, b: usize) -> Option<Range<usize>> {
    let first = toks.get(a)?;
    let last = toks.get(b.checked_sub(1)?)?;
    Some(first.start..last.end)
}

pub(super) fn word<'t>(toks: &'t [Tok<'_>], i: usize) -> Option<&'t str> {
    toks.get(i).filter(|t| t.kind == Kind::Word).map(|t| t.low.as_str())
}

pub(super) fn is_word(toks: &[Tok<'_>], i: usize, w: &str) -> bool {
    word(toks, i) == Some(w)
}

pub(super) fn is_punct(toks: &[Tok<'_>], i: usize, p: &str) -> bool {
    toks.get(i).is_some_and(|t| t.kind == Kind::Punct && t.text == p)
}

pub(super) fn num(toks: &[Tok<'_>], i: usize) -> Option<(u32, usize)> {
    let t = toks.get(i).filter(|t| t.kind == Kind::Num)?;
    if t.text.len() > 9 {
        return None;
    }
    Some((t.text.parse().ok()?, t.text.len()))
}

/// Token `i` is glued to the previous token (no whitespace between them).
pub(super) fn glued(toks: &[Tok<'_>], i: usize) -> bool {
    toks.get(i).is_some_and(|t| !t.spaced)
}

/// True if token `i` starts a new word: not glued to a preceding letter or digit,
/// so "notoday" or "xyesterday" never match "today" / "yesterday".
pub(super) fn word_start(toks: &[Tok<'_>], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let Some(t) = toks.get(i) else { return false };
    if t.spaced {
        return true;
    }
    toks.get(i - 1).is_some_and(|p| p.kind == Kind::Punct)
}

/// True if the token after `i` does not continue it as the same word.
pub(super) fn word_end(toks: &[Tok<'_>], i: usize) -> bool {
    match toks.get(i + 1) {
        None => true,
        Some(n) => n.spaced || n.kind == Kind::Punct,
    }
}
