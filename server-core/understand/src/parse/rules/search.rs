//! Search and briefing: web and local searches, the day's briefing, and work handed on.

use std::sync::LazyLock;

use regex::Regex;

use super::shared::{cap, rx, tidy};
use crate::intent::Intent;
use crate::parse::{Plan, lead_len};

static WEB_SEARCH: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:search|look|check)(?: up)?(?: on)? (?:the )?(?:web|internet|online|google|net)(?: for)?|google|bing|duckduckgo|search online for|web search(?: for)?|search the web for|look up online|find (?:me )?(?:on|online|on the web|on the internet))\s+(?P<q>.+)$|^(?:look up|search for|search|find|check|get)\s+(?P<q2>.+?)\s+(?:online|on the web|on the internet|on google)$|^(?:look up|search for)\s+(?P<q3>.+)$",
    )
});

pub(super) fn web_search(t: &str, l: &str) -> Option<Plan> {
    let c = WEB_SEARCH.captures(l)?;
    let r = cap(&c, "q").or_else(|| cap(&c, "q2")).or_else(|| cap(&c, "q3"))?;
    let q = l.get(r.clone())?;
    // "search my notes for X" is a local search, handled elsewhere.
    let personal = q.starts_with("my ") || q.contains(" my ");
    if LOCAL_SEARCH.is_match(l) || personal {
        return None;
    }
    let query = tidy(t, r, &[])?;
    let conf = if c.name("q3").is_some() { 0.7 } else { 0.9 };
    Some(Plan::new(Intent::WebSearch, conf).with("query", query))
}

static LOCAL_SEARCH: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:find|search|look (?:through|in)|search through|look for|dig up)(?: for)?(?: all)?(?: of)? (?:my|the) (?P<what>notes?|memos?|todos?|tasks?|events?|messages?|chats?|conversations?|stuff|things|files?|reminders?)(?P<also> and (?:notes?|memos?|todos?|tasks?|events?))?\s*(?:about|on|for|mentioning|regarding|with|that mention|related to|containing|called|named|titled)\s+(?P<q>.+)$|^(?:search|look through) my (?P<what2>notes?|memos?|todos?|tasks?|events?|messages?|stuff)(?: for)?\s+(?P<q2>.+)$|^search (?:for )?(?P<q3>.+?) in my (?:notes?|memos?|todos?|tasks?|events?|messages?|stuff)$|^(?:find|search|search through|look through|look for|dig up)(?: for)? (?:everything|anything|whatever|all(?: my stuff)?|my stuff)(?: (?:i have|i've got|we have|we've got|i saved|saved|stored))?\s*(?:about|on|for|mentioning|regarding|related to|to do with|with|that mentions?)?\s+(?P<q4>.+)$",
    )
});

pub(super) fn local_search(t: &str, l: &str) -> Option<Plan> {
    let c = LOCAL_SEARCH.captures(l)?;
    let r = cap(&c, "q").or_else(|| cap(&c, "q2")).or_else(|| cap(&c, "q3")).or_else(|| cap(&c, "q4"))?;
    let query = tidy(t, r, &[])?;
    // "find my notes about the boiler": a look through the notes alone is theirs.
    let notes = |kind: Option<regex::Match<'_>>| {
        kind.is_some_and(|k| k.as_str().starts_with("note") || k.as_str().starts_with("memo"))
    };
    if notes(c.name("what")) && c.name("also").is_none() || notes(c.name("what2")) {
        return Some(Plan::new(Intent::QueryMemos, 0.85).with("query", query));
    }
    Some(Plan::new(Intent::Search, 0.85).with("query", query))
}

/// "did I write down the gate code anywhere", "have I got anything saved about the
/// mortgage", "did I already add the car insurance", "have I put the recital in the
/// calendar": whether something was kept is a look for it, where it was kept.
static KEPT_Q: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:did|have|had) (?:i|we) (?:ever |already |actually )?(?P<verb>write|wrote|written|jot|jotted|note|noted|save|saved|keep|kept|store|stored|add|added|put) (?:down )?(?:(?:anything|something) (?:down )?(?:about|on|regarding|for) )?(?P<q>[\w'].*?)(?: down)?(?P<place> (?:on|to|in|into) (?:my|the|our) [\w' -]+?)?(?: (?:anywhere|somewhere|already|yet|before|again))*$|^(?:have|do) (?:i|we) (?:got|have) (?:anything|something|any ?thing|stuff|any notes?) (?:saved|written(?: down)?|noted(?: down)?|stored|kept|on file) (?:about|on|for|regarding|to do with) (?P<q2>.+)$",
    )
});

pub(super) fn kept_asked(t: &str, l: &str) -> Option<Plan> {
    static CALENDAR: LazyLock<Regex> =
        LazyLock::new(|| rx(r"\b(?:calendar|calender|diary|schedule|planner)\b"));
    let c = KEPT_Q.captures(l)?;
    let r = cap(&c, "q").or_else(|| cap(&c, "q2"))?;
    let query = tidy(t, r, &[])?;
    let place = c.name("place").map_or("", |p| p.as_str());
    let intent = match c.name("verb").map(|v| v.as_str()) {
        _ if CALENDAR.is_match(place) => Intent::QueryEvents,
        Some("add" | "added" | "put") => Intent::QueryTodos,
        // What was written down is in the notes.
        Some("write" | "wrote" | "written" | "jot" | "jotted" | "note" | "noted") => Intent::QueryMemos,
        _ => Intent::Search,
    };
    Some(Plan::new(intent, 0.75).with("query", query))
}

static BRIEFING: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:give|read|show|send|get)(?: me)? (?:my |the |a |today's )?(?:quick |short |brief )?(?:daily |morning |evening )?(?:briefing|brief|summary|rundown|overview|digest)(?: for today| of (?:the|my) day| of today)?|brief me|(?:daily|morning) (?:briefing|brief|summary)|briefing|my (?:daily )?briefing|what's on(?: for)? today|whats on(?: for)? today|what is on(?: for)? today|what's (?:up|happening|going on) today|what(?: does|'s) (?:my|the) day look like(?: today)?|how does (?:my|the) day look(?: today)?|what's my day (?:like|look like)|how(?:'s| is) my day (?:looking|shaping up)|what (?:do i have|have i got|have i) (?:on |going on |planned )?today|what(?:'s| is) on my plate(?: (?:for )?today)?|(?:summari[sz]e|summary of) (?:my|the) day|catch me up|what's (?:on )?my agenda(?: for)? today|plan (?:for|of) (?:the|my) day|(?:tell|talk) me (?:about|through) (?:my|the) day(?: today| ahead)?|walk me through (?:my|the) day(?: today| ahead)?|(?:what|anything) (?:do|should) i (?:need to )?know (?:about |for )?(?:today|my day|the day(?: ahead)?))$",
    )
});

pub(super) fn briefing(l: &str) -> Option<Plan> {
    BRIEFING.is_match(l).then(|| Plan::new(Intent::DailyBriefing, 0.85))
}

static DELEGATE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:please\s+)?(?:research|investigate|look into|dig into|compile|put together|prepare|draft|work out|figure out|compare)\s+.+\s+and\s+(?:then\s+)?(?:summari[sz]e|report|write|draft|send|give|make|compile|list|compare|recommend|tell)\b.*|(?:delegate|hand off|have an agent|ask an agent to|in the background,?)\s+.+|(?:research|investigate|do (?:some )?research on)\s+.+)$",
    )
});

pub(in crate::parse) fn delegate(t: &str, l: &str) -> Option<Plan> {
    let lead = lead_len(l);
    let lr = l.get(lead..)?.trim_end_matches(['.', '!', '?', ' ']);
    if !DELEGATE.is_match(lr) {
        return None;
    }
    let desc = t.get(lead..lead + lr.len())?.to_string();
    let title: String = desc.chars().take(80).collect();
    Some(Plan::new(Intent::DelegateTask, 0.8).with("title", title).with("description", desc))
}

/// The constant patterns of this file, for the test that each compiles.
#[cfg(test)]
pub(super) fn patterns() -> Vec<&'static LazyLock<Regex>> {
    vec![&WEB_SEARCH, &LOCAL_SEARCH, &KEPT_Q, &BRIEFING, &DELEGATE]
}
