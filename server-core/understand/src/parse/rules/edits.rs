//! Explicit edits of one item: "mark X as done", "check off X", "rename the todo X to Y".

use std::ops::Range;
use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;

use super::calendar::EVENT_NOUN;
use super::lists::WHOLE_LIST;
use super::shared::{dates, due_on, is_question, only_pointed, rx, still_ahead, tidy};
use super::timers::DONE_WORDS;
use crate::intent::Intent;
use crate::parse::Plan;

static MARK_DONE: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:mark|set)\s+(?:the\s+|my\s+)?(?:todo\s+|task\s+|item\s+)?(?P<item>.+?)\s+(?:as\s+)?(?:{DONE_WORDS})$",
    ))
});

/// Verbs that only make sense for list items; "complete" and "finish" need the word
/// "todo" or "task", since "finish the essay" is a plan, not a request to tick a box.
static CHECK_OFF: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:check|tick|cross)\s+off|(?:complete|finish)\s+(?:the\s+|my\s+)?(?:todo|task))\s+(?:the\s+|my\s+)?(?P<item>.+)$",
    )
});

/// "tick the gas bill off": the item between the verb and "off".
static CHECK_OFF_AFTER: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^(?:check|tick|cross)\s+(?:the\s+|my\s+)?(?P<item>.+?)\s+off$"));

/// "make the passport renewal task urgent", "set pay rent to high priority", "change the
/// priority of the tax return to low", "raise the priority of the boiler service".
static REPRIORITISE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:make|set|mark|change|switch|turn|bump|update)\s+(?P<item>.+?)\s+(?:(?:up\s+|down\s+)?(?:to|as|at)\s+)?(?:an?\s+)?(?P<level>urgent|high|low|medium|normal|top|highest|lowest|important)(?:\s+prio(?:rity)?)?|(?:change|set|make|update|mark|switch)\s+(?:the\s+)?prio(?:rity)?\s+(?:of|for|on)\s+(?P<item2>.+?)\s+(?:to|as)\s+(?P<level2>urgent|high|low|medium|normal|top|highest|lowest)|(?P<way>raise|lower|bump up|increase|decrease|drop|reduce)\s+(?:the\s+)?prio(?:rity)?\s+(?:of|for|on)\s+(?P<item3>.+?))$",
    )
});

/// A priority said as a change of an item: the todo by its title, and the new level.
fn reprioritise(t: &str, l: &str) -> Option<Plan> {
    static NAMED: LazyLock<Regex> = LazyLock::new(|| rx(r#"\b(?:task|todo|to-do|item)\b|^['"‘“]"#));
    let c = REPRIORITISE.captures(l)?;
    let item = c.name("item").or_else(|| c.name("item2")).or_else(|| c.name("item3"))?;
    // "set a warning for when my account runs low": a level said without the word
    // "priority" changes only an item named as a todo; "urgent" says it whatever is named.
    let bare = c.name("level").is_some_and(|v| v.as_str() != "urgent") && !l.contains("prio");
    if bare && !NAMED.is_match(item.as_str())
        || item.as_str().starts_with("a ")
        || item.as_str().starts_with("an ")
    {
        return None;
    }
    let level = match c.name("level").or_else(|| c.name("level2")).map(|m| m.as_str()) {
        Some("urgent") => "urgent",
        Some("low" | "lowest") => "low",
        Some("medium" | "normal") => "medium",
        Some(_) => "high",
        None if c
            .name("way")
            .is_some_and(|w| matches!(w.as_str(), "lower" | "decrease" | "drop" | "reduce")) =>
        {
            "low"
        }
        None => "high",
    };
    static KIND: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:the\s+)?prio(?:rity)?\s+(?:of|for|on)\s+(?:the\s+|my\s+)?|^(?:the|my|our)\s+(?:(?:task|todo|to-do|item)\s+)?|\s+(?:task|todo|to-do|item)$",
        )
    });
    let said = t.get(item.range())?;
    let title = tidy(
        said,
        0..said.len(),
        &KIND.find_iter(&said.to_ascii_lowercase()).map(|m| m.range()).collect::<Vec<_>>(),
    )?;
    // "make it urgent", "set the alarm to high": nothing named to look up.
    if only_pointed(&title)
        || matches!(title.to_ascii_lowercase().as_str(), "alarm" | "volume" | "the volume")
    {
        return None;
    }
    Some(Plan::new(Intent::UpdateTodo, 0.8).with("title", title).with("priority", level))
}

static RENAME: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r#"^rename\s+(?:the\s+|my\s+)?(?:(?P<kind>todo|task|event|memo|note)\s+(?P<old>.+?)|(?P<old2>.+?)\s+(?P<kind2>todo|task|event|memo|note|reminder|alarm)|(?P<old3>[^\s/]+(?:\s+[^\s/]+){0,5}?))\s+(?:to|as)\s+(?P<new>.+)$|^(?:change|edit|update)\s+(?:the\s+(?:todo|task)\s+)?(?P<old4>"[^"]+"|“[^”]+”)\s+(?:to|into)\s+(?P<new4>"[^"]+"|“[^”]+”)$"#,
    )
});

/// "rename the photos folder to italy": a rename of a thing outside the organiser.
pub(in crate::parse) fn renames_other(l: &str) -> bool {
    l.starts_with("rename") && NOT_AN_ITEM.is_match(l)
}

/// What is renamed on the computer or elsewhere, not in the organiser.
static NOT_AN_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:files?|folders?|director(?:y|ies)|playlists?|contacts?|accounts?|network|wifi|wi-fi|device|phone|computer|laptop|printer|album|photos?|pictures?|documents?|channel|group|chat|server|branch|repo(?:sitory)?|variable|column|sheet|tab)\b|\.\w{1,4}$",
    )
});

/// "add a todo to buy milk tomorrow", "new task: file the taxes", "add todo call Ana".
static ADD_TODO: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:please\s+)?(?:add|create|make|put|new|schedule|set(?:\s+up)?|log|enter|jot(?:\s+down)?|write(?:\s+down)?|open)\s+(?:a\s+|an\s+|one\s+)?(?:new\s+|quick\s+|recurring\s+|repeating\s+|regular\s+)*(?:todo|to-do|to do|task)(?:\s+item)?(?:\s*:\s*|\s+(?:to|for|called|saying|that says)\s+|\s+)(?P<item>.+)$",
    )
});

pub(super) fn todo_add(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    let c = ADD_TODO.captures(l)?;
    let r = c.name("item")?.range();
    // "make a to do list for the trip" is about a list, not an item called "list ...".
    let item = l.get(r.clone())?;
    if item.starts_with("list") || item.starts_with("app") || is_question(l) {
        return None;
    }
    let when = dates(t, now);
    let cut: Vec<Range<usize>> = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    let title = tidy(t, r, &cut)?;
    let mut plan = Plan::new(Intent::CreateTodo, 0.85).with("title", title);
    if let Some((f, _)) = &when {
        plan = plan.with("due_date", due_on(f, now));
    }
    Some(plan)
}

/// "my essay is due friday at 5", "I have a tax return due on the 31st", "the library
/// books are due back monday": a thing told as due on a day still ahead is a deadline
/// to keep, named by the thing.
pub(super) fn due_told(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    static DUE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:i|we)(?: have| have got|'ve got| got) (?P<had>.+?)|(?P<told>(?:my|our|the|his|her|their) [\w' -]+?|[\w'-]+(?: [\w'-]+)?)(?: is| are|'s| will be))\s+due(?: back| in| on| by)?(?:\s+(?P<part>date|time|day))?\b",
        )
    });
    static NOT_THING: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"^(?:it|this|that|something|anything|nothing|everything|(?:a |an )?(?:baby|period))$")
    });
    if is_question(l) {
        return None;
    }
    let c = DUE.captures(l).filter(|c| c.name("part").is_none())?;
    let r = c.name("had").or_else(|| c.name("told"))?.range();
    let (f, cut) = dates(t, now)?;
    if !still_ahead(&f, now) {
        return None;
    }
    let title = tidy(t, r, &cut).filter(|s| !only_pointed(s) && !NOT_THING.is_match(&s.to_lowercase()))?;
    Some(Plan::new(Intent::CreateTodo, 0.8).with("title", title).with("due_date", due_on(&f, now)))
}

pub(super) fn todo_edit(t: &str, l: &str) -> Option<Plan> {
    if let Some(c) = RENAME.captures(l) {
        // The kind said before the item ("the task X") or after it ("my gym todo").
        // A quoted title changed to another ("change \"order logs\" to \"order logs and
        // kindling\"") is renamed as well.
        let said =
            c.name("old").or_else(|| c.name("old2")).or_else(|| c.name("old3")).or_else(|| c.name("old4"))?;
        let quotes: &[char] = &['"', '\'', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}'];
        let old = t.get(said.range())?.trim().trim_matches(quotes).trim();
        let new =
            t.get(c.name("new").or_else(|| c.name("new4"))?.range())?.trim().trim_matches(quotes).trim();
        if old.is_empty() || new.is_empty() {
            return None;
        }
        // "rename 'clean garage' to ...": no kind said, a calendar thing is an event and
        // anything else a todo; a thing of the computer or the phone is neither.
        let kind = c.name("kind").or_else(|| c.name("kind2")).map(|k| k.as_str());
        let kind = match kind {
            Some(k) => k,
            None if NOT_AN_ITEM.is_match(said.as_str()) => return None,
            None if EVENT_NOUN.is_match(said.as_str()) => "event",
            None => "todo",
        };
        let plan = match kind {
            "event" => Plan::new(Intent::UpdateEvent, 0.85).with("title", old),
            "memo" | "note" => Plan::new(Intent::UpdateMemo, 0.85).with("query", old),
            _ => Plan::new(Intent::UpdateTodo, 0.85).with("title", old),
        };
        return Some(plan.with("new_title", new));
    }
    if let Some(plan) = reprioritise(t, l) {
        return Some(plan);
    }
    let c = MARK_DONE
        .captures(l)
        .or_else(|| CHECK_OFF.captures(l))
        .or_else(|| CHECK_OFF_AFTER.captures(l))
        .or_else(|| TOLD_DONE.captures(l))
        .or_else(|| GOT_DONE.captures(l))
        .or_else(|| {
            TERSE_DONE.captures(l).filter(|c| !c.name("item").is_some_and(|i| NOT_DONE.is_match(i.as_str())))
        })?;
    let item = crate::parse::slots::before_list(t.get(c.name("item")?.range())?.trim());
    if item.is_empty() || only_pointed(item) || WHOLE_LIST.is_match(&item.to_ascii_lowercase()) {
        return None;
    }
    Some(Plan::new(Intent::CompleteTodo, 0.85).with("title", item))
}

/// "the electricity bill has been paid", "groceries are bought", "the forms were sent to
/// the council this morning": an errand told as done, its thing first. Only verbs that finish an errand: "the car is fixed" is one, "the
/// meeting was long" is not.
static TOLD_DONE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:the|my|our)\s+)?(?P<item>[\w' -]+?)(?:\s+(?:is|are|has been|have been|was|were|got|'s)|(?:'s|\u{2019}s|'re)(?:\s+been)?)\s+(?:now\s+|all\s+|just\s+|finally\s+|already\s+)*(?:done|finished|completed|paid(?: off)?|bought|sent(?: off)?|booked|submitted|filed|renewed|returned|posted|mailed|picked up|dropped off|taken out|put out|sorted(?: out)?|handled|taken care of|cleaned|washed|fixed|repaired|serviced|delivered|collected|replaced|installed|ordered|signed|printed|packed|watered|mowed|vacuumed|hoovered)(?:\s+(?:back |off )?to (?:the |my |our )?[\w'-]+(?: [\w'-]+)?)?(?:\s+(?:today|this morning|this afternoon|this evening|earlier|already|now|at last))?$",
    )
});

/// "email sent", "tyres checked", "car taxed": an errand ticked off in two or three
/// words, the thing and what was done to it.
static TERSE_DONE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:the |my |our )?(?P<item>[\w'-]+(?: [\w'-]+)?) (?:sent|paid|booked|checked|posted|submitted|filed|renewed|returned|fixed|cleaned|washed|taxed|ordered|signed|printed|packed|sorted|mowed|hoovered|vacuumed|collected|delivered|emptied|watered|fed)$",
    )
});

/// "email not sent", "cat still fed": words that say it is not done, or not just done.
static NOT_DONE: LazyLock<Regex> =
    LazyLock::new(|| rx(r"\b(?:not|never|still|yet|being|getting|already|just|isn't|wasn't)$"));

/// "got the birthday present sorted", "I've had the boiler serviced", "finally got the
/// car fixed": an errand told as done by having it done.
static GOT_DONE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:i|we)(?:'ve| have)? )?(?:just |finally |already |now )?(?:got|had|gotten) (?:the |my |our )?(?P<item>[\w' -]+?) (?:all |finally )?(?:sorted(?: out)?|finished|fixed|repaired|serviced|booked|paid(?: off)?|cleaned|washed|renewed|delivered|installed|replaced|signed|printed|posted|sent(?: off)?|submitted|mowed)$",
    )
});

/// The constant patterns of this file, for the test that each compiles.
#[cfg(test)]
pub(super) fn patterns() -> Vec<&'static LazyLock<Regex>> {
    vec![&CHECK_OFF_AFTER]
}
