//! The featuriser: the one function that turns a sentence into the sparse features the
//! intent model reads. Training (`examples/train_intent`) and inference both call
//! [`featurise`], with the [`FeatureConfig`] stored in the model file, so the two can
//! never drift apart.
//!
//! A sentence is lowercased, every run of digits becomes one `0` (so "5pm" and "11pm"
//! share features), apostrophes vanish ("don't" = "dont") and everything that is not a
//! letter or digit separates tokens, and the shorthand of typed messages is read as the
//! word it stands for ([`SHORTHAND`]: "mtg w/ jo tmrw" reads as "meeting with jo
//! tomorrow"). Features:
//!
//! - `w|tok`: each token (unigram);
//! - `b|a b`: each pair of neighbours, with `<s>` and `</s>` at the sentence ends;
//! - `c|<ab`: character n-grams of each token padded as `<tok>`, lengths
//!   `char_min ..= char_max`, which carry typos, plurals and unseen inflections.
//!
//! Features are binary (each counted once), the word and character groups are weighted
//! and the vector is scaled to unit length, so long and short sentences score alike.

/// How [`featurise`] builds its features. Stored in the model file.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FeatureConfig {
    /// Shortest character n-gram (counting the `<` `>` padding).
    pub char_min: u8,
    /// Longest character n-gram.
    pub char_max: u8,
    /// Weight of each character n-gram relative to a word feature (weight 1).
    pub char_weight: f32,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig { char_min: 2, char_max: 4, char_weight: 0.5 }
    }
}

/// Only the first this many tokens are read: enough for any request, and it bounds the
/// work on a pasted 10 KB text.
pub const MAX_TOKENS: usize = 64;
/// Longer tokens are cut to this many characters before the character n-grams are taken.
const MAX_TOKEN_CHARS: usize = 24;

/// Shorthand typed for common words, and the word each stands for ("w/" is read where
/// the slash is seen). The parser reads these and a few more before anything else.
pub(crate) const SHORTHAND: &[(&str, &str)] = &[
    ("mtg", "meeting"),
    ("mtgs", "meetings"),
    ("appt", "appointment"),
    ("appts", "appointments"),
    ("tmrw", "tomorrow"),
    ("tmr", "tomorrow"),
    ("tmrow", "tomorrow"),
    ("tomoz", "tomorrow"),
    ("bday", "birthday"),
    ("pls", "please"),
    ("plz", "please"),
    ("thx", "thanks"),
];

/// `token`, or the word its shorthand stands for.
fn expanded(token: String) -> String {
    match SHORTHAND.iter().find(|(short, _)| *short == token) {
        Some((_, word)) => (*word).to_string(),
        None => token,
    }
}

/// The tokens of `text`, normalised as the module doc describes.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_digits = false;
    for ch in text.chars() {
        if out.len() >= MAX_TOKENS {
            return out;
        }
        if ch == '\'' || ch == '\u{2019}' {
            continue;
        }
        if ch.is_numeric() {
            if !in_digits {
                cur.push('0');
            }
            in_digits = true;
        } else if ch.is_alphanumeric() {
            cur.extend(ch.to_lowercase());
            in_digits = false;
        } else {
            // "w/ jo": with.
            if ch == '/' && cur == "w" {
                cur = "with".to_string();
            }
            if !cur.is_empty() {
                out.push(expanded(std::mem::take(&mut cur)));
            }
            in_digits = false;
        }
    }
    if !cur.is_empty() && out.len() < MAX_TOKENS {
        out.push(expanded(cur));
    }
    out
}

/// The features of `text` with their values: sorted by name, each once, unit length.
/// An empty or letterless text still yields the two boundary features.
pub fn featurise(text: &str, config: &FeatureConfig) -> Vec<(String, f32)> {
    let toks = tokens(text);
    let mut words: Vec<String> = Vec::with_capacity(toks.len() * 2 + 1);
    let mut chars: Vec<String> = Vec::new();
    for t in &toks {
        words.push(format!("w|{t}"));
    }
    let mut prev = "<s>";
    for t in &toks {
        words.push(format!("b|{prev} {t}"));
        prev = t;
    }
    words.push(format!("b|{prev} </s>"));
    for t in &toks {
        char_ngrams(t, config, &mut chars);
    }
    words.sort_unstable();
    words.dedup();
    chars.sort_unstable();
    chars.dedup();
    let cw = config.char_weight;
    let norm = (words.len() as f32 + chars.len() as f32 * cw * cw).sqrt().max(1e-6);
    let mut out: Vec<(String, f32)> = Vec::with_capacity(words.len() + chars.len());
    out.extend(words.into_iter().map(|w| (w, 1.0 / norm)));
    out.extend(chars.into_iter().map(|c| (c, cw / norm)));
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out
}

fn char_ngrams(token: &str, config: &FeatureConfig, out: &mut Vec<String>) {
    let mut padded: Vec<char> = Vec::with_capacity(MAX_TOKEN_CHARS + 2);
    padded.push('<');
    padded.extend(token.chars().take(MAX_TOKEN_CHARS));
    padded.push('>');
    let lo = usize::from(config.char_min.max(1));
    let hi = usize::from(config.char_max);
    for n in lo..=hi {
        if n > padded.len() {
            break;
        }
        for win in padded.windows(n) {
            let mut s = String::with_capacity(2 + n * 2);
            s.push_str("c|");
            s.extend(win.iter());
            out.push(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_normalised() {
        assert_eq!(
            tokens("Don't forget: call Mom at 10:30PM!"),
            ["dont", "forget", "call", "mom", "at", "0", "0pm"]
        );
        assert!(tokens("").is_empty());
        assert!(tokens("🙂 ✓ —").is_empty());
    }

    #[test]
    fn shorthand_reads_as_its_word() {
        assert_eq!(tokens("mtg w/ Jo tmrw, pls"), ["meeting", "with", "jo", "tomorrow", "please"]);
        assert_eq!(tokens("Sam's bday"), ["sams", "birthday"]);
        assert_eq!(tokens("if w == 1"), ["if", "w", "0"]);
    }

    #[test]
    fn features_are_sorted_unique_and_unit_length() {
        let f = featurise("add milk add milk", &FeatureConfig::default());
        assert!(f.windows(2).all(|w| w[0].0 < w[1].0));
        let len: f32 = f.iter().map(|(_, v)| v * v).sum();
        assert!((len - 1.0).abs() < 1e-4);
        assert!(f.iter().any(|(k, _)| k == "b|<s> add"));
        assert!(f.iter().any(|(k, _)| k == "c|<mi"));
    }

    #[test]
    fn long_input_is_bounded() {
        let text = "word ".repeat(5000);
        assert_eq!(tokens(&text).len(), MAX_TOKENS);
    }
}
