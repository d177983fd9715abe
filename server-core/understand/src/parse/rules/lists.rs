//! Lists and todos: items added to, taken off and asked of a list, and things run out.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;
use serde_json::Value;

use super::shared::{cap, dates, due_by, due_on, is_question, only_pointed, rx, tidy};
use super::timers::{COMPLETE_VERB, DELETE_VERB, DONE_WORDS, UPDATE_VERB, with_priority};
use crate::intent::Intent;
use crate::parse::Plan;

pub(super) static LIST_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:(?P<kind>shopping|grocery|groceries|to ?do|to-do|todo|task|tasks|errands?|reminders?|packing|christmas|holiday|birthday|party|vacation|wish|chores?|work|school|home|house)\s+lists?|lists? (?:of|for) (?:things to do|tasks|reminders|things to buy|groceries|shopping|chores)|list of things (?:to|i need to) (?:do|complete|buy|get)|to ?do's|to-dos|todos|to dos|shopping cart|(?:to|on|onto|from|off) (?:the |my |our )?groceries$|my tasks|(?:my|the|our) (?:chores|errands)$|my list|the list|a list|new list|lists|list|checklist|task)\b",
    )
});

static NOT_TODO_LIST: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:play ?list|contacts?|favou?rites?|mailing|songs?|music|tracks?|albums?|emails?|stations?|podcasts?|playlists?|movies?|watch ?list|reading list|top (?:ten|five|\d+)|numbers|transactions?|trains?|stats|statistics|tiger|celebrit)",
    )
});

fn list_kind(l: &str) -> Option<String> {
    let c = LIST_NOUN.captures(l)?;
    let kind = c.name("kind").map(|m| m.as_str()).unwrap_or("");
    let tag = match kind {
        "shopping" | "grocery" | "groceries" => "shopping",
        "" if l.contains("shopping cart") || l.ends_with("groceries") => "shopping",
        // A list of the user's own naming: "my travel list".
        "" => match crate::parse::slots::named_list(l) {
            Some("grocery" | "groceries") => "shopping",
            Some(name) => name,
            None => "",
        },
        k if k.contains("do") || k.starts_with("task") || k.starts_with("reminder") => "",
        k => k,
    };
    Some(tag.to_string())
}

/// The words that name a list of the user's todos: "my shopping list", "the to-dos",
/// "my chores".
const LIST_PLACES: &str =
    r"list|lists|to ?do list|to-do list|todo list|to ?dos|to-dos|todos|tasks|chores|errands|cart|checklist";

static LIST_ADD: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:(?:add|put|include)\s+(?:to|on) (?:my|the) (?:[\w']+\s+){{0,3}}?(?:list|to ?do list|to-do list|todo list)(?:\s*[:,\-]\s*|\s+)(?P<item3>.+)$|(?:please )?(?:add|put|include|insert|place|stick|write|jot|mark|pop|throw|toss)(?: down)?(?: an item| item)?\s+(?P<item>.+?)\s+(?:to|on|onto|in|into|under|at)(?: the| my| our| a)?(?: new)?\s+(?:[\w']+\s+){{0,3}}?(?:groceries$|{LIST_PLACES}|list of (?:things to do|tasks|reminders|things to buy|groceries|chores)|list of things (?:to|i need to) (?:do|complete|buy|get))\b.*$|on my (?:[\w']+\s+){{0,3}}?(?:list|to ?do list|to-do list|todo list)(?: of [\w ]+?)?,?\s+(?:please\s+)?(?:add|put|include)\s+(?P<item2>.+)$|(?:i need|i want|i'd like|i would like|i need to have|make sure)\s+(?P<item4>.+?)\s+(?:added |put )?(?:to|on) (?:my|the) (?:[\w']+\s+){{0,3}}?(?:list|to ?do list|to-do list|todo list)\b.*$|(?:my|the) (?:[\w']+\s+){{0,3}}?list (?:should|needs to|must) (?:have|include|contain)\s+(?P<item5>.+?)(?: on it| in it)?$|(?:create|make|start|add|new)(?: me)? (?:a |an |another )?(?:new )?(?:todo|to-do|to do|task|item)(?: item)?(?: called| named| titled| to|:|,)?\s+(?P<item6>.+)$|(?:add|put|write down)\s+(?P<item7>.+)$|(?P<item8>.+?)\s+(?:needs|has|have|need) to (?:be|go)(?: added| put)?\s+(?:to|on|onto|in|into) (?:my|the|our) (?:[\w']+\s+){{0,3}}?(?:list|to ?do list|to-do list|todo list|list of things to do)\b.*$)"
    ))
});

static LIST_NEW: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:please )?(?:create|make|start|build|set up|open|new|add)(?: me| up)? (?:a |an |another |one more )?(?:new )?(?:(?P<name1>[\w' ]+?) )?(?:list|lists|checklist)(?: for me)?(?: (?:called|named|titled|for|of)\s*(?P<name2>.*))?|new list)$",
    )
});

static LIST_REMOVE_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:(?:please )?(?:(?:delete|remove|cancel|erase|drop|take|knock|get rid of|clear|scratch|strike)(?: out| off)?\s+(?P<item>.+?)\s+(?:off|from|out of|on)|(?:cross|scratch|strike|check|tick|mark)(?: out| off)\s+(?P<item_b>.+?)\s+(?:from|on|in)|(?:cross|scratch|strike|check|tick|mark)\s+(?P<item_c>.+?)\s+(?:off|out of))(?: of)?(?: the| my| our| this)?\s+(?:[\w']+\s+){{0,3}}?(?:groceries$|{LIST_PLACES}|list of (?:things to do|tasks|reminders|things to buy|groceries|chores))\b.*)$"
    ))
});

static LIST_QUERY_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:is|are|does|do|did i (?:put|add|include))\s+(?:there (?:any |a |an )?)?(?P<item>.+?)\s+(?:on|in|included in|part of)\s+(?:the|my|our)\s+(?:[\w']+\s+){{0,3}}?(?:{LIST_PLACES}|list of [\w ]+)\b"
    ))
});

pub(super) static WHOLE_LIST: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:everything|every (?:item|thing|task|one)|all(?: the)?(?: items| things| tasks)?|the (?:whole|entire) list|it all)\b|(?:the|my|our|this|that)?\s*(?:[\w']+\s+){0,3}?(?:list|lists|to ?do list|to-do list|todo list|to ?dos|to-dos|todos|tasks|checklist|list of [\w ]+)$|(?:the |my )?(?:last|first|second|third) (?:item|line|entry|one)$|(?:an |the |this |that )?item(?: \w+)?$|(?:a|the|my|this|that)?\s*(?:[\w']+\s+){0,3}?(?:list|to ?do list|to-do list|todo list)(?:\s.*)?$)",
    )
});

/// A list cleared: all of it, or ("clear my completed tasks") only what is done, which
/// the words must say, since the two differ in everything that is deleted.
fn clearing(what: &str) -> Plan {
    static DONE_ONES: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"\b(?:completed|complete|done|finished|checked(?: off)?|ticked(?: off)?|crossed(?: off| out)?)\b")
    });
    let plan = Plan::new(Intent::DeleteTodo, 0.75).with("query", "*");
    if DONE_ONES.is_match(what) { plan.with("completed", true) } else { plan }
}

/// "the completed tasks", "all my done items", "everything I've checked off": the done
/// part of a list, said as the thing removed.
static DONE_PART: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:all\s+)?(?:(?:of\s+)?(?:my|the|our)\s+)?(?:completed|done|finished|checked(?: off)?|ticked(?: off)?)\s+(?:items|tasks|todos|to-?dos|to dos|ones|things|entries|reminders)$|^everything (?:i'?ve |i have |that'?s |that is )?(?:completed|done|finished|checked off|ticked off)$",
    )
});

pub(super) fn list(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    // "clear completed tasks" names the list by its done part alone.
    let done_part = || {
        DELETE_VERB.find(l).filter(|m| m.start() == 0).is_some_and(|m| {
            let rest = l.get(m.end()..).unwrap_or("").trim();
            DONE_PART.is_match(rest.strip_prefix("out ").unwrap_or(rest))
        })
    };
    let kind = list_kind(l).or_else(|| done_part().then(String::new))?;
    if NOT_TODO_LIST.is_match(l) {
        return None;
    }
    let when = dates(t, now);
    let cut: Vec<Range<usize>> = when.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    let tags = |plan: Plan| {
        if kind.is_empty() { plan } else { plan.with("tags", vec![Value::from(kind.clone())]) }
    };
    let is_q = is_question(l);

    // Removing or completing an item: "take milk off my list", "cross out bread".
    if let Some(c) = LIST_REMOVE_ITEM.captures(l) {
        let r = cap(&c, "item").or_else(|| cap(&c, "item_b")).or_else(|| cap(&c, "item_c"))?;
        let verb_complete = COMPLETE_VERB.is_match(l) && !l.contains("delete") && !l.contains("remove");
        let item = l.get(r.clone())?;
        if WHOLE_LIST.is_match(item) || DONE_PART.is_match(item) {
            if verb_complete {
                return None;
            }
            return Some(tags(clearing(item)));
        }
        let title = tidy(t, r, &cut)?;
        let title = resolve_that(title, l)?;
        if verb_complete && only_pointed(&title) {
            return None;
        }
        let intent = if verb_complete { Intent::CompleteTodo } else { Intent::DeleteTodo };
        return Some(tags(Plan::new(intent, 0.85).with("title", title)));
    }
    // "clear my list", "delete my to do list", "remove item three".
    if DELETE_VERB.is_match(l) && !is_q {
        // Only a clause that opens with the clearing: "the eggs, take them off my list"
        // names one item, not the list.
        let opens = |m: &regex::Match<'_>| {
            matches!(l.get(..m.start()).unwrap_or("").trim(), "" | "i" | "we" | "i really" | "we really")
        };
        if let Some(m) = DELETE_VERB.find(l).filter(opens) {
            let rest = l.get(m.end()..)?.trim();
            let rest = rest.strip_prefix("out ").unwrap_or(rest);
            if WHOLE_LIST.is_match(rest) || DONE_PART.is_match(rest) || rest.is_empty() {
                return Some(tags(clearing(rest)));
            }
        }
        return None;
    }
    if COMPLETE_VERB.is_match(l) && !is_q {
        let title = COMPLETE_ITEM.captures(l).and_then(|c| cap(&c, "item")).and_then(|r| tidy(t, r, &cut));
        let title = resolve_that(title?, l)?;
        if only_pointed(&title) {
            return None;
        }
        return Some(tags(Plan::new(Intent::CompleteTodo, 0.8).with("title", title)));
    }
    // "is milk on my shopping list"; "is X on the list, if not add it" is an add.
    let add_anyway = l.contains("if not") && (l.contains("add") || l.contains("put"));
    if let Some(c) = LIST_QUERY_ITEM.captures(l) {
        let item = cap(&c, "item").and_then(|r| tidy(t, r, &cut));
        if add_anyway {
            let item = item?;
            return Some(tags(Plan::new(Intent::CreateTodo, 0.75).with("title", item)));
        }
        return Some(tags(Plan::new(Intent::QueryTodos, 0.85).with_opt("query", item)));
    }
    if !is_q || l.starts_with("add") || l.starts_with("put") {
        if let Some(c) = LIST_ADD.captures(l) {
            let r = ["item", "item2", "item3", "item4", "item5", "item6", "item7", "item8"]
                .iter()
                .find_map(|n| cap(&c, n))?;
            let item = tidy(t, r, &cut)?;
            let item = resolve_that(item, l)?;
            let il = item.to_ascii_lowercase();
            if QUESTIONISH.is_match(&il) {
                return Some(tags(Plan::new(Intent::QueryTodos, 0.7)));
            }
            if NOT_TODO_LIST.is_match(&il) || WHOLE_LIST.is_match(&il) && !il.contains(' ') {
                return None;
            }
            let mut plan = Plan::new(Intent::CreateTodo, 0.9).with("title", item);
            if let Some((f, _)) = &when {
                plan = plan.with("due_date", due_on(f, now));
            }
            return Some(with_priority(tags(plan), l));
        }
        if let Some(c) = LIST_NEW.captures(l) {
            let name = cap(&c, "name2")
                .or_else(|| cap(&c, "name1"))
                .and_then(|r| tidy(t, r, &cut))
                .filter(|n| !matches!(n.to_ascii_lowercase().as_str(), "new" | "a" | "my"));
            let title = name.map(|n| format!("{n} list")).unwrap_or_else(|| "New list".to_string());
            return Some(tags(Plan::new(Intent::CreateTodo, 0.7).with("title", title)));
        }
    }
    if UPDATE_VERB.is_match(l) && !is_q && l.contains(" to ") {
        return None;
    }
    // Anything else about a list reads it.
    let mut plan = Plan::new(Intent::QueryTodos, if is_q { 0.85 } else { 0.7 });
    if let Some((f, _)) = &when {
        plan = plan.with("due_date", due_by(f));
    }
    Some(tags(plan))
}

/// "we're out of toilet roll", "running low on dish soap", "we need more bin bags":
/// a thing of the house run out of goes on the shopping list. Time, money and the like
/// run out too, and are talk.
pub(super) fn ran_out(t: &str, l: &str) -> Option<Plan> {
    static OUT: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:(?:we|i)(?:'re| are|'m| am)? (?:all |completely |totally |nearly |almost |running |getting )?(?:out of|low on)|(?:we|i)(?:'ve| have)?(?: just| nearly| almost)? (?:run|ran) (?:out of|low on)|(?:we|i)(?:'re| are|'m| am) running (?:out of|low on)|(?:we|i)(?:'re| are|'m| am) out of|we need (?:more|some more)|running (?:out of|low on)|there'?s no (?:more )?)\s+(?P<x>[\w' -]+?)(?:\s+(?:again|now|left|at home|in the house))?$",
        )
    });
    static NOT_GOODS: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:the |my |our )?(?:time|patience|money|cash|energy|ideas?|luck|space|room|storage|battery|charge|options|breath|sleep|rest|help|steam|gas|petrol|fuel|data|credit|budget|holidays?|leave|excuses|things|stuff|it|that|this|them)\b|\b(?:with|so|and|but|because|for|to|then|since|as)\b",
        )
    });
    let c = OUT.captures(l)?;
    let x = c.name("x")?;
    // One thing, not a sentence going on ("out of paint so take the painting off").
    if NOT_GOODS.is_match(x.as_str()) {
        return None;
    }
    let item = tidy(t, x.range(), &[])?;
    Some(Plan::new(Intent::CreateTodo, 0.75).with("title", item).with("tags", vec![Value::from("shopping")]))
}

pub(super) static QUESTIONISH: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:what|whats|what's|tell|know|see|hear|read|if|whether|how|which|show|look|anything|everything)\b|\bcheck(?:\s|$)",
    )
});

static COMPLETE_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"^(?:(?:check|cross|tick|mark|strike)(?: off)?\s+(?P<item>.+?)(?:\s+(?:off|(?:as )?(?:{DONE_WORDS})))|(?:i )?(?:just )?(?:finished|completed|did|am done with)\s+(?P<item2>.+?))(?:\s+(?:on|from|in) (?:my|the) .*)?$",
    ))
});

/// "I ran out of Cheerios so add that to the list": a bare "that"/"it" points at
/// the thing named earlier in the same sentence. Without a clear antecedent we
/// do not guess.
fn resolve_that(title: String, l: &str) -> Option<String> {
    let lt = title.to_ascii_lowercase();
    if !matches!(lt.as_str(), "that" | "it" | "this" | "them" | "those") {
        return Some(title);
    }
    let c = RAN_OUT.captures(l)?;
    c.name("x").map(|m| m.as_str().trim().to_string())
}

static RAN_OUT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?:ran out of|out of|need more|need some|we need|i need|low on|used up|finished the)\s+(?P<x>[\w' ]+?)\s*(?:,|so|and|\.|;)",
    )
});

/// The constant patterns of this file, for the test that each compiles.
#[cfg(test)]
pub(super) fn patterns() -> Vec<&'static LazyLock<Regex>> {
    vec![
        &LIST_NOUN,
        &NOT_TODO_LIST,
        &LIST_ADD,
        &LIST_NEW,
        &LIST_REMOVE_ITEM,
        &LIST_QUERY_ITEM,
        &WHOLE_LIST,
        &COMPLETE_ITEM,
        &RAN_OUT,
    ]
}
