//! Memos: notes kept, asked for, changed and deleted.

use std::sync::LazyLock;

use regex::Regex;

use super::calendar::EVENT_NOUN;
use super::lists::LIST_NOUN;
use super::shared::{cap, is_question, rx, tidy};
use crate::intent::Intent;
use crate::parse::Plan;

static MEMO_CREATE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:take|make|write|jot|save|add|create|start|new|keep)(?: down)?(?: me)? (?:a |an )?(?:quick |new |short )?(?:note|memo)(?: (?:for me|to self))?(?:\s*(?:that|saying|:|-|about|of|to remember|reading|with)\s*|\s+)?(?P<c>.+)?|(?:note to self|memo to self|note|jot down|write down|note down|memo)(?: that|\s*[:-])?\s+(?P<c2>.+)|(?:write|jot|note|put|get) (?:this|that|it) down\s*[:,-]\s*(?P<c7>.+)|remember that\s+(?P<c3>.+)|(?:save|store|keep|file) (?P<c4>.+?) (?:as|in|to) (?:a |my )?(?:note|memo|notes|memos)|(?:save|store|keep|remember) (?:this|that)\s*[:-]\s*(?P<c5>.+)|remember (?P<c6>(?:my|our|the) [\w' -]+? (?:is|are|was|were|goes|lives) .+))$",
    )
});

static MEMO_QUERY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:my|the|any|all|what|which) (?:notes|memos|note|memo)\b|\bnotes? (?:i|that i) (?:took|made|wrote)|\bwhat did i (?:note|write down|jot)",
    )
});

static MEMO_UPDATE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:update|edit|change|modify|fix|rewrite) (?:my |the )?(?:note|memo) (?:about |on |called |titled |named )?(?P<q>.+?)(?: (?:to say|to read|to|with|saying)\s+(?P<c>.+))?$|^(?:update|edit|change|modify|fix|rewrite) (?:my |the |that )(?P<q2>[\w' -]+?) (?:note|memo)(?: (?:to say|to read|so (?:it|that it) (?:says|reads)|to|with|saying)\s+(?P<c2>.+))?$",
    )
});

static MEMO_DELETE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:delete|remove|trash|erase|discard|get rid of|forget|scrap|drop|bin|ditch|toss|throw (?:away|out)) (?:my |the |that )?(?:note|memo)s? (?:about |on |called |titled |named |regarding )?(?P<q>.+)$|^(?:delete|remove|trash|erase|discard|get rid of|forget|scrap|drop|bin|ditch|toss|throw (?:away|out)) (?:my |the |that )(?P<q2>[\w' -]+?) (?:note|memo)$",
    )
});

/// "write that down", "note this": a note of something said before, which a request
/// alone cannot hold (in a compound, "read the file and save it as a memo", the step
/// before gives it).
pub(in crate::parse) fn pointed_note(content: &str) -> bool {
    static POINTED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:please )?(?:write|jot|note|put|save|get|keep|remember|store)\s+)?(?:this|that|it)(?:\s+down)?$",
        )
    });
    POINTED.is_match(&content.to_ascii_lowercase())
}

pub(super) fn memo(t: &str, l: &str) -> Option<Plan> {
    let names_memo = l.contains("note") || l.contains("memo");
    let about_calendar = l.contains("calendar");
    // Lists and calendars own "write down X on my list"; only an explicit note or
    // memo outside a calendar sentence stays here.
    if about_calendar || (LIST_NOUN.is_match(l) && !names_memo) {
        return None;
    }
    if let Some(c) = MEMO_DELETE.captures(l) {
        let q = tidy(t, cap(&c, "q").or_else(|| cap(&c, "q2"))?, &[])?;
        return Some(Plan::new(Intent::DeleteMemo, 0.85).with("query", q));
    }
    if let Some(c) = MEMO_UPDATE.captures(l) {
        let q = tidy(t, cap(&c, "q").or_else(|| cap(&c, "q2"))?, &[])?;
        // The new text as said: its first word too ("to say the code is 4321").
        let content = cap(&c, "c")
            .or_else(|| cap(&c, "c2"))
            .and_then(|r| t.get(r))
            .map(|s| s.trim().trim_matches(['"', '\'', ':']).trim().to_string())
            .filter(|s| !s.is_empty());
        return Some(Plan::new(Intent::UpdateMemo, 0.8).with("query", q).with_opt("content", content));
    }
    if let Some(c) = MEMO_CREATE.captures(l) {
        let r = ["c", "c2", "c3", "c4", "c5", "c6", "c7"].iter().find_map(|n| cap(&c, n));
        let content = r
            .and_then(|r| t.get(r))
            .map(|s| s.trim().trim_matches(['"', '\'', ':']).trim().to_string())
            .filter(|s| !s.is_empty());
        let Some(content) = content else {
            // "make a note" with nothing to note: ask, don't store an empty memo.
            return None;
        };
        let title: String = content.split_whitespace().take(8).collect::<Vec<_>>().join(" ");
        return Some(Plan::new(Intent::CreateMemo, 0.85).with("title", title).with("content", content));
    }
    // "find notes mentioning the garage": the notes looked through, asked as an order.
    static NOTES_SOUGHT: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:find|search|show|show me|look for|look through|pull up|get|list)(?: all)? (?:(?:my|the|any) )?(?:notes|memos)\b",
        )
    });
    if is_question(l) && MEMO_QUERY.is_match(l) || NOTES_SOUGHT.is_match(l) {
        let q = MEMO_ABOUT.captures(l).and_then(|c| cap(&c, "q")).and_then(|r| tidy(t, r, &[]));
        return Some(Plan::new(Intent::QueryMemos, 0.8).with_opt("query", q));
    }
    recall(t, l).or_else(|| kept_fact(t, l)).or_else(|| put_away(t, l)).or_else(|| saved_asked(t, l))
}

/// "do I have Jess's number saved", "have we got the alarm code written down": whether
/// a thing is kept is a look in the memos for it.
fn saved_asked(t: &str, l: &str) -> Option<Plan> {
    static SAVED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:do|did|have) (?:i|we) (?:got |have )?(?:(?:the|my|our|a|an) )?(?P<what>[\w' -]+?) (?:saved|stored|written down|noted(?: down)?|jotted down|on file|in my notes|in a note)$",
        )
    });
    let what = SAVED.captures(l)?.name("what")?.range();
    Some(Plan::new(Intent::QueryMemos, 0.75).with("query", t.get(what)?.trim().to_string()))
}

/// "where did I park", "where did we leave the spare keys": where a thing was put is
/// what a note keeps; the thing, or the putting ("park") where no thing is named.
fn put_away(t: &str, l: &str) -> Option<Plan> {
    static WHERE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^where (?:did|do|have) (?:i|we) (?P<verb>put|leave|left|park|parked|hide|hid|store|stash|keep) ?(?:(?:the|my|our) )?(?P<what>[\w' -]+?)?(?:\s+(?:last time|again|this time))?$",
        )
    });
    let c = WHERE.captures(l)?;
    let said = match c.name("what") {
        Some(w) => t.get(w.range())?.trim().to_string(),
        None if c.name("verb")?.as_str().starts_with("park") => "park".to_string(),
        None => return None,
    };
    Some(Plan::new(Intent::QueryMemos, 0.75).with("query", said))
}

/// "what's the wifi password", "what was Kim's shoe size", "remind me of the gate
/// code": a thing people keep written down, asked after, is looked for in the memos by
/// its name (the little words left out, since every word must match).
fn kept_fact(t: &str, l: &str) -> Option<Plan> {
    static KEPT: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:what(?:'s| is| was| were| are)|remind me(?: of| what)?|tell me|whats)\s+(?:the |my |our )?(?P<q>(?:[\w'-]+ ){0,3}?(?:password|passcode|pin|pin number|code|combination|number|address|postcode|post code|zip code|size|username|login|reg|registration|account number|sort code|serial number|policy number|reference|booking reference|membership number))(?:\s+(?:for|at|of|on) (?:the |my |our )?(?P<of>[\w' -]+?))?(?:\s+again)?$",
        )
    });
    const LITTLE: &[&str] = &["a", "an", "the", "my", "our", "your", "of", "for", "at", "on"];
    // "the address of the event on the 1st" is the calendar's.
    let c = KEPT.captures(l).filter(|_| !EVENT_NOUN.is_match(l))?;
    let said: Vec<&str> = [c.name("q"), c.name("of")]
        .into_iter()
        .flatten()
        .filter_map(|m| t.get(m.range()))
        .flat_map(str::split_whitespace)
        .filter(|w| !LITTLE.contains(&w.to_ascii_lowercase().as_str()))
        .collect();
    // "what's the number" names nothing to look for.
    if said.len() < 2 {
        return None;
    }
    Some(Plan::new(Intent::QueryMemos, 0.75).with("query", said.join(" ")))
}

/// "what's the gate code I saved", "where did I say the spare key was": a question
/// about something the user once told or wrote down is a look in their memos, for the
/// words it asks about.
fn recall(t: &str, l: &str) -> Option<Plan> {
    static RECALL: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:(?:that |which )?(?:i|we) (?:saved|stored|kept|wrote(?: down)?|noted(?: down)?|jotted(?: down)?|put down|gave you|told you(?: about)?|mentioned)|did (?:i|we) (?:say|write(?: down)?|note(?: down)?|save|store|jot(?: down)?|mention|tell you))\b",
        )
    });
    static ASKING: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:can you )?(?:remind me|tell me) )?(?:what|where|which|when|who|how)(?:'s| is| was| are| were)?\b",
        )
    });
    static TRAILING: LazyLock<Regex> =
        LazyLock::new(|| rx(r"(?:\s+(?:was|is|were|are|again|earlier|before))+\s*[?.!]*$"));
    let m = RECALL.find(l)?;
    let ask = ASKING
        .find(l)
        .filter(|_| is_question(l) || l.starts_with("remind me") || l.starts_with("tell me"))?;
    // What is asked about: the words between the question word and the recalling verb,
    // or after it ("what did I write down about the boiler").
    let before = ask.end()..m.start();
    let after = m.end()..l.len();
    let pick = |r: std::ops::Range<usize>| {
        let end = r.start + TRAILING.find(l.get(r.clone())?).map_or(r.len(), |x| x.start());
        tidy(t, r.start..end, &[]).filter(|q| !q.is_empty())
    };
    let q = pick(before).or_else(|| pick(after).map(|q| q.trim_start_matches("about ").to_string()));
    Some(Plan::new(Intent::QueryMemos, 0.75).with_opt("query", q))
}

static MEMO_ABOUT: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\b(?:about|on|regarding|for|mentioning)\s+(?P<q>.+)$"));

/// The constant patterns of this file, for the test that each compiles.
#[cfg(test)]
pub(super) fn patterns() -> Vec<&'static LazyLock<Regex>> {
    vec![&MEMO_CREATE, &MEMO_QUERY, &MEMO_UPDATE, &MEMO_DELETE, &MEMO_ABOUT]
}
