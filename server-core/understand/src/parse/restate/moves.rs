//! Moves said another way than "move X to Y": told as news ("the vet got moved to
//! thursday", "the review has been pushed back an hour"), as a correction ("the bin
//! reminder should be for wednesday, not tuesday"), or with their direction after the
//! item ("push the meeting back to 4"). Each is said again as the move the rules read.

use std::sync::LazyLock;

use regex::Regex;

use super::restated;
use crate::parse::rules;

/// "the meeting with Dan got moved to 3pm friday", "the vet appointment moved to
/// thursday", "the haircut is now at 11 on saturday", "the review needs to move to
/// monday", "the invoice can wait until friday", "the run is at 7 now", "coffee with Jo
/// is now at 11", "can the vet be moved to 4": a move told as news, as a need or asked
/// for, said again as the request it is ("move the meeting with Dan to 3pm friday").
/// What it moves to must still read as a time for the move to be made.
pub(super) fn moved_as_news(t: &str, l: &str) -> Option<(String, String)> {
    static NEWS: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?P<item>(?:the|my|our) .+?)\s+(?:(?:(?:has|have) been|got|was|were|is|are|'s been|'s|has|have)\s+|(?:needs? to|has to|have to|should|must|will have to|'ll have to|is going to|will)(?: be)?\s+)?(?:now\s+|just\s+)?(?:moved?|push(?:ed)?(?: back)?|rescheduled?|shift(?:ed)?|bump(?:ed)?|changed?|br(?:ing|ought) forward|postponed?)\s+(?:to|till|until)\s+(?P<to>.+)$|^(?P<item2>(?:the|my|our) .+?|[\w'](?:[\w'-]+ ){0,3}?with [\w'-]+(?: [\w'-]+)?)\s+(?:is|are|'s) now\s+(?P<to2>(?:(?:at|on)\s+|\d{1,2}(?::\d{2}|\s?[ap]\.?m\b)|noon|midday|midnight|half past|quarter (?:past|to)|tomorrow|tonight|next\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day).*?)(?:,?\s+(?:not|instead of|rather than)\s+[\w: ]+)?$|^(?P<item3>(?:the|my|our) .+?)\s+can (?:wait|be (?:put off|left|pushed(?: back)?|moved))\s+(?:until|till|to)\s+(?P<to3>.+)$|^(?P<item4>(?:the|my|our) .+?|[\w'](?:[\w'-]+ ){0,3}?with [\w'-]+(?: [\w'-]+)?)\s+(?:is|are|'s)\s+(?P<to4>(?:at|on)\s+.+?)\s+now$|^(?:can|could)\s+(?:we\s+|you\s+)?(?P<item5>(?:the|my|our) .+?)\s+be\s+(?:moved|pushed(?: back)?|put off|rescheduled|changed|shifted|bumped)\s+(?:to|till|until)\s+(?P<to5>.+)$",
        )
    });
    // "parents evening got moved to the 15th", "swimming is on wednesday this week, not
    // tuesday": told with no "the", the move must say it was one, or set the new day
    // against the old.
    static BARE: LazyLock<Regex> = LazyLock::new(|| {
        let day = format!(r"(?:on\s+)?{}", rules::NAMED_DAY);
        rules::rx(&format!(
            r"^(?P<item>[\w'](?:[\w'-]+ ){{0,2}}?[\w'-]+)\s+(?:(?:has|have) been|got|was|were|'s been)\s+(?:moved|pushed back|rescheduled|shifted|changed|brought forward|postponed|put back)\s+(?:to|till|until)\s+(?P<to>.+)$|^(?P<item2>(?:the|my|our) [\w' -]+?|[\w'](?:[\w'-]+ ){{0,2}}?[\w'-]+)(?:\s+is|\s+are|'s)\s+(?P<to2>{day}(?:\s+(?:this|next) week)?)(?:\s+now)?,?\s+(?:not|instead of|rather than)\s+{day}\W*$"
        ))
    });
    static NOT_ITEM: LazyLock<Regex> =
        LazyLock::new(|| rules::rx(r"^(?:i|we|you|he|she|they|it|that|this|everything|everyone|nothing)$"));
    let c = NEWS.captures(l).or_else(|| {
        BARE.captures(l)
            .filter(|c| !c.name("item").or(c.name("item2")).is_some_and(|m| NOT_ITEM.is_match(m.as_str())))
    })?;
    let item = ["item", "item2", "item3", "item4", "item5"].into_iter().find_map(|n| c.name(n))?.range();
    let to = ["to", "to2", "to3", "to4", "to5"].into_iter().find_map(|n| c.name(n))?.range();
    restated(t, l, |s| Some(format!("move {} to {}", s.get(item.clone())?, s.get(to.clone())?)))
}

/// "the bin reminder should be for wednesday not tuesday", "actually the essay's due on
/// monday now", "the car tax one is due on the 28th actually, update it": a new time
/// for a thing told as a correction, said again as the move it is. A deadline told
/// with no word that it changed ("the essay is due on monday") is news of a task, read
/// elsewhere.
pub(super) fn corrected_time(t: &str, l: &str) -> Option<(String, String)> {
    static CORRECTED: LazyLock<Regex> = LazyLock::new(|| {
        let when = format!(
            r"(?:on\s+|at\s+|by\s+)?(?:{}|\d{{1,2}}(?:[:.]\d{{2}})?\s*(?:am|pm)?|noon|midday|next \w+|this \w+)",
            rules::NAMED_DAY
        );
        let unless = r"(?:,?\s+(?:not|rather than|instead of)\s+[\w:' ]+?)?";
        let update = r"(?:,?\s+(?:so\s+)?(?:can you |could you |please |pls )?(?:update|change|fix) (?:it|that|this)(?: please| pls)?)?";
        rules::rx(&format!(
            r"^(?:actually,?\s+)?(?P<item>(?:the|my|our) .+?)\s+should (?:be|go|happen) (?:for|on|at)\s+(?P<to>{when}(?:[\w: ]*?))(?:\s+instead)?{unless}{update}\W*$|^(?:actually,?\s+)?(?P<item2>(?:the|my|our) .+?)(?:\s+is|\s+are|'s)\s+(?P<now>(?:actually|now)\s+)?due\s+(?P<to2>{when}(?:[\w: ]*?))(?P<said>\s+(?:now|actually|instead))?{unless}(?P<ask>{update})\W*$"
        ))
    });
    let c = CORRECTED.captures(l)?;
    // Told as due, it must say the time changed.
    let due = c.name("item2").is_some();
    let changed = c.name("now").is_some()
        || c.name("said").is_some()
        || c.name("ask").is_some_and(|m| !m.as_str().is_empty())
        || l.starts_with("actually")
        || l.contains(" not ");
    if due && !changed {
        return None;
    }
    let item = c.name("item").or(c.name("item2"))?.range();
    let to = c.name("to").or(c.name("to2"))?.range();
    // What falls due is a task: named as one ("the car tax one" is the car tax reminder).
    static KIND: LazyLock<Regex> =
        LazyLock::new(|| rules::rx(r"\b(?:reminder|todo|to-do|task|event|appointment|meeting)$"));
    let (item, kind) = match &l[item.clone()] {
        _ if !due => (item, ""),
        said if KIND.is_match(said) => (item, ""),
        said if said.ends_with(" one") => (item.start..item.end - 4, " reminder"),
        _ => (item, " reminder"),
    };
    restated(t, l, |s| Some(format!("move {}{kind} to {}", s.get(item.clone())?, s.get(to.clone())?)))
}

/// "the quarterly review has been pushed back an hour", "the school run got brought
/// forward 15 minutes": a move by an amount told as news, said again as the order the
/// shift rules read ("push the quarterly review back an hour").
pub(super) fn shifted_as_news(t: &str, l: &str) -> Option<(String, String)> {
    static SHIFTED: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?P<item>(?:the|my|our) .+?)\s+(?:(?:has|have) been|got|was|were|is being|are being|'s been)\s+(?P<verb>pushed|put|moved|brought|pulled)\s+(?P<way>back|forward|forwards|up|later|earlier)\s+(?P<amount>(?:by\s+)?(?:an?|one|two|three|half an|\d+)\s+(?:hours?|minutes?|mins?|days?|weeks?))\W*$",
        )
    });
    let c = SHIFTED.captures(l)?;
    let (item, way, amount) = (c.name("item")?.range(), c.name("way")?.range(), c.name("amount")?.range());
    let verb = match &l[way.clone()] {
        "back" | "later" => "push",
        _ => "bring",
    };
    restated(t, l, |s| {
        Some(format!("{verb} {} {} {}", s.get(item.clone())?, s.get(way.clone())?, s.get(amount.clone())?))
    })
}

/// "bring the dentist forward to 9", "push the meeting back to 4", "put the call back
/// to friday": a move with its direction said after the item, said again plainly
/// ("move the dentist to 9"); the new time says which way it goes. A move by an amount
/// ("push it back an hour") is left to the shift rules.
pub(super) fn moved_round(t: &str, l: &str) -> Option<(String, String)> {
    static ROUND: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?:push|bring|pull|move|put|shift|bump)\s+(?P<item>.+?)\s+(?:back|forward|forwards|up|earlier|later|off)\s+(?:to|until|till)\s+(?P<to>.+)$",
        )
    });
    let c = ROUND.captures(l)?;
    let (item, to) = (c.name("item")?.range(), c.name("to")?.range());
    restated(t, l, |s| Some(format!("move {} to {}", s.get(item.clone())?, s.get(to.clone())?)))
}
