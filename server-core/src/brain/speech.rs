//! The answer as it should be spoken (`PqhResponse.voice`): the same words, without what a
//! speech engine would read out literally or stumble on. Code blocks, link targets, bare
//! addresses and markdown marks go; words stay, apostrophes inside them included ("I'll").

use std::sync::LazyLock;

use regex::Regex;

/// `![alt](target)` and `[text](target)`: the text is kept.
static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"!?\[([^\]]*)\]\([^)]*\)").unwrap_or_else(|_| unreachable!()));
/// A bare address: nobody wants it read out letter by letter.
static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:https?://|www\.)\S+").unwrap_or_else(|_| unreachable!()));
/// What starts a line of markdown: a heading, a quote, a list item.
static LINE_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d{1,3}[.)]\s+)*").unwrap_or_else(|_| unreachable!())
});
/// Emphasis and strike-through marks; an underscore only where it opens or closes a word.
static EMPHASIS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\*+|~~|`+|\b_+\B|\B_+\b").unwrap_or_else(|_| unreachable!()));

/// The voice line for `answer`.
pub fn speakable(answer: &str) -> String {
    let mut in_code = false;
    let mut spoken: Vec<String> = Vec::new();
    for line in answer.lines() {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let line = LINK.replace_all(line, "$1");
        let line = ADDRESS.replace_all(&line, "");
        let line = LINE_MARK.replace(&line, "");
        let line = EMPHASIS.replace_all(&line, "");
        let words = quotes_removed(&line).split_whitespace().collect::<Vec<_>>().join(" ");
        if !words.is_empty() {
            spoken.push(words);
        }
    }
    join_sentences(&spoken)
}

/// Quote marks around a title go; an apostrophe between two letters ("I'll", "Ana's")
/// is part of the word and stays.
fn quotes_removed(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        let quote = matches!(c, '\'' | '\u{2019}' | '"' | '\u{201c}' | '\u{201d}' | '\u{2018}');
        let inside_word = matches!(c, '\'' | '\u{2019}')
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if !quote || inside_word {
            out.push(c);
        }
    }
    out
}

/// Lines read one after another: a line that ends without punctuation (a list item)
/// gets a full stop, so it is spoken as a sentence of its own.
fn join_sentences(lines: &[String]) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            let ends = out.ends_with(['.', '!', '?', ':', ';', ',']);
            out.push_str(if ends { " " } else { ". " });
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::speakable;

    #[test]
    fn apostrophes_in_words_stay_and_quote_marks_go() {
        assert_eq!(speakable("I'll remind you. Don't worry."), "I'll remind you. Don't worry.");
        assert_eq!(speakable("Added 'Pay the bill' to Ana's list."), "Added Pay the bill to Ana's list.");
    }

    #[test]
    fn markdown_code_and_links_go_and_the_words_stay() {
        let answer = "## Today\n\n**Two** things:\n- Call *mom*\n1. See [the plan](https://x.example/p)\n\
                      ```sh\nrm -rf build\n```\nRun `make` or see https://docs.example/x now.";
        assert_eq!(speakable(answer), "Today. Two things: Call mom. See the plan. Run make or see now.");
    }

    #[test]
    fn snake_case_words_keep_their_underscores() {
        assert_eq!(speakable("_Really_ the file_name"), "Really the file_name");
    }
}
