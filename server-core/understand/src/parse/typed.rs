//! Requests typed in a hurry: shorthand and slips of the keys in the words that frame a
//! request, read as the words meant before anything else reads the text ("rmind me 2
//! call jen tomorow abt the car" is "remind me to call jen tomorrow about the car").
//! What the parser understood, and so the preview's chips, comes from the words meant.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::rules::rx;
use crate::classify::features::SHORTHAND as CLASSIFIER_SHORTHAND;

/// Shorthand for the words that frame a request, beyond those the classifier reads
/// ([`CLASSIFIER_SHORTHAND`]), and the word each stands for. A thing's own name stays as
/// typed ("Eric's bday" is found by those words), so only these are spelled out.
const SHORTHAND: &[(&str, &str)] = &[
    ("abt", "about"),
    ("b4", "before"),
    ("2moro", "tomorrow"),
    ("2morrow", "tomorrow"),
    ("2day", "today"),
    ("2nite", "tonight"),
    ("tonite", "tonight"),
    // Misspelt more than a slip away, and often.
    ("tommorow", "tomorrow"),
    ("tomorow", "tomorrow"),
];

/// Of the classifier's shorthand, the words that frame a request.
fn framing_shorthand(meant: &str) -> bool {
    matches!(meant, "tomorrow" | "please" | "thanks")
}

/// Words that frame requests, which a slip of one key (a letter wrong, missing, extra
/// or two swapped) still names.
const FRAMING: &[&str] = &[
    "remind",
    "reminder",
    "tomorrow",
    "tonight",
    "schedule",
    "appointment",
    "calendar",
    "cancel",
    "delete",
    "meeting",
    "birthday",
    "tuesday",
    "wednesday",
    "thursday",
    "saturday",
];

/// Real words one slip away from a framing word, which stay as they are.
const REAL: &[&str] = &[
    "rewind",
    "remand",
    "rebind",
    "remainder",
    "remained",
    "reminds",
    "cancer",
    "chancel",
    "deplete",
    "melting",
    "meting",
];

/// "need 2 call", "remind me 2 pay": the "2" of "to" before a verb of an errand ("need 2
/// eggs" keeps its number).
static TO: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?P<lead>me|us|need|needs|have|has|got|want|wants|going|gonna|remember|forget|time|ought) 2 (?P<verb>call|ring|phone|text|email|pay|buy|get|book|send|pick|take|make|do|go|see|check|fix|clean|finish|start|bring|collect|renew|cancel|order|write|reply|sort|water|feed|walk|wash|meet|visit|return|print|post|chase|drop|put|tell|ask|remind|file|submit|update|review|prep|prepare)\b",
    )
});

/// `text` with its shorthand and slips spelled out, or `text` itself when it has none.
/// A word joined to a path, a file name or an address ("notes.txt", "~/txt") stays.
pub(super) fn spelled_out(text: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(text.len() + 8);
    let mut last = 0;
    let mut words = text.char_indices().peekable();
    while let Some((start, ch)) = words.next() {
        if !ch.is_alphanumeric() {
            continue;
        }
        let mut end = start + ch.len_utf8();
        while let Some(&(i, c)) = words.peek().filter(|(_, c)| c.is_alphanumeric()) {
            end = i + c.len_utf8();
            words.next();
        }
        let joined =
            |c: Option<char>| c.is_some_and(|c| matches!(c, '.' | '/' | '\\' | '_' | '-' | '@' | '~'));
        let before = text.get(..start).and_then(|s| s.chars().next_back());
        let after = text.get(end..).map(|s| s.trim_start_matches(['.', '!', '?', ',']).chars().next());
        let ends_sentence = text.get(end..).is_some_and(|s| s.starts_with(['.', '!', '?', ',']))
            && after.flatten().is_none_or(char::is_whitespace);
        let glued = joined(before)
            || before == Some(':')
            || !ends_sentence && joined(text.get(end..).and_then(|s| s.chars().next()));
        if let Some(meant) = text.get(start..end).filter(|_| !glued).and_then(meant) {
            out.push_str(text.get(last..start).unwrap_or_default());
            out.push_str(&keep_case(text.get(start..end).unwrap_or_default(), meant));
            last = end;
        }
    }
    let changed = last > 0;
    if changed {
        out.push_str(text.get(last..).unwrap_or_default());
    }
    let base: &str = if changed { &out } else { text };
    let to = TO.replace_all(base, |c: &Captures<'_>| format!("{} to {}", &c["lead"], &c["verb"]));
    let said = match &to {
        Cow::Owned(s) => s.as_str(),
        Cow::Borrowed(s) => s,
    };
    // "um", "erm", "uh": the pauses of a request said aloud are no part of it.
    match FILLER.replace_all(said, "") {
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
        Cow::Borrowed(_) => match to {
            Cow::Owned(s) => Cow::Owned(s),
            Cow::Borrowed(_) if changed => Cow::Owned(out),
            Cow::Borrowed(_) => Cow::Borrowed(text),
        },
    }
}

/// A pause said aloud, with the comma dictation may put after it.
static FILLER: LazyLock<Regex> = LazyLock::new(|| rx(r"(?i)\b(?:um+|uh+m*|erm+|ehm|hmm+)\b[,.]?\s*"));

/// The word `word` was typed for, if it is shorthand or one slip from a framing word.
fn meant(word: &str) -> Option<&'static str> {
    if word.len() < 2 || !word.is_ascii() {
        return None;
    }
    let low = word.to_ascii_lowercase();
    let classifier = CLASSIFIER_SHORTHAND.iter().filter(|(_, full)| framing_shorthand(full));
    if let Some((_, full)) = SHORTHAND.iter().chain(classifier).find(|(short, _)| *short == low) {
        return Some(full);
    }
    if low.len() < 5 || REAL.contains(&low.as_str()) {
        return None;
    }
    // "reminded", "calendars": a framing word's own forms are what they say.
    if FRAMING.iter().any(|f| low.starts_with(f)) {
        return None;
    }
    FRAMING.iter().find(|f| strsim::damerau_levenshtein(&low, f) == 1).copied()
}

/// `meant` written the way `typed` was: capitalised if it was.
fn keep_case(typed: &str, meant: &str) -> String {
    match typed.chars().next() {
        Some(first) if first.is_uppercase() => {
            let mut s = meant.to_string();
            if let Some(head) = s.get_mut(..1) {
                head.make_ascii_uppercase();
            }
            s
        }
        _ => meant.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorthand_and_slips_read_as_the_words_meant() {
        assert_eq!(
            spelled_out("rmind me 2 call Jen tomorow abt the car"),
            "remind me to call Jen tomorrow about the car"
        );
        assert_eq!(spelled_out("Remidner: mtg b4 lunch"), "Reminder: mtg before lunch");
        assert_eq!(spelled_out("pls shedule the dentist"), "please schedule the dentist");
        assert_eq!(spelled_out("cancle the metting on thrusday"), "cancel the meeting on thursday");
        assert_eq!(spelled_out("whats on tommorow"), "whats on tomorrow");
        assert_eq!(spelled_out("um, remind me to uh ring the bank"), "remind me to ring the bank");
    }

    #[test]
    fn real_words_and_numbers_stay() {
        for said in [
            "rewind the tape",
            "I need 2 eggs",
            "remain calm",
            "remind me at 2 to call",
            "tomorrow's plan",
            "cancer research fun run",
            "melting the butter",
            "deleted it already",
        ] {
            assert_eq!(spelled_out(said), said);
        }
        assert!(matches!(spelled_out("buy milk"), Cow::Borrowed(_)));
    }
}
