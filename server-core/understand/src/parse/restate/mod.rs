//! A clause said another way round than the rules read it, said again the usual way:
//! the item first and pointed back at ("the dinner is off, cancel it"), a reason before
//! its order, a move told as news. Each gives the new words as text and as their
//! lowercase copy, which share their offsets.

use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;

use super::{decide, rules, slots};
use crate::when::Lang;

mod moves;

/// The clause said again the usual way round, if it was said another way.
pub(super) fn restated_clause(t: &str, l: &str, now: DateTime<Tz>, lang: Lang) -> Option<(String, String)> {
    topic_first(t, l)
        .or_else(|| needless_first(t, l))
        .or_else(|| given_up(t, l))
        .or_else(|| no_longer_on(t, l))
        .or_else(|| kept_in_calendar(t, l, now))
        .or_else(|| reason_then_order(t, l))
        .or_else(|| moves::moved_as_news(t, l))
        .or_else(|| moves::shifted_as_news(t, l))
        .or_else(|| moves::corrected_time(t, l))
        .or_else(|| kept_as_note(t, l))
        .or_else(|| moves::moved_round(t, l))
        .or_else(|| asked_to_be_told(t, l))
        .or_else(|| made_instead(t, l, now, lang))
        .or_else(|| noted_errand(t, l, now, lang))
}

/// A clause said again another way, as text and as its lowercase copy: `say` builds the
/// new words from either (both share their offsets).
pub(super) fn restated(t: &str, l: &str, say: impl Fn(&str) -> Option<String>) -> Option<(String, String)> {
    Some((say(t)?, say(l)?))
}

/// "the dinner with Alex on friday is off, remove it", "my dentist appointment -
/// cancel it", "the gas bill is paid, tick it off", "I can't make the dentist on
/// tuesday, cancel it", "the meeting with Jana, she's ill, so cancel it": the item said
/// first (with a reason said of someone aside) and pointed back at. Said again the usual
/// way round ("remove the dinner with Alex on friday"), as text and as its lowercase
/// copy.
fn topic_first(t: &str, l: &str) -> Option<(String, String)> {
    static TOPIC: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?:(?:never mind|nevermind|forget|scratch|about|(?:i|we)(?:'ve| have)? (?:just |already )?(?:got|bought|picked up|paid|finished|did|can'?t make|cannot make|won'?t make|can'?t do|won'?t be at|can'?t go to|don'?t need|no longer need|(?:don'?t|do not|no longer) want)|(?:i'?m|i am|we'?re|we are) (?:not|no longer) (?:going|coming|going to go) to)\s+)?(?P<topic>(?:the|my|our|that|this|those|these) .+?)(?:\s+(?:anymore|any more|any longer|after all))?(?:\s+(?:is|are|was|were|has been|have been|got|'s)\s+(?:now |been |just )?(?:cancell?ed|off|over|called off|scrapped|not happening|no longer (?:happening|needed|on)|done|finished|paid|sorted|bought|moved|postponed)\b[^,;:.]*)?(?:\s*,\s*(?:he|she|they|it|i|we)(?:'s|'re|'ve| is| are| has| have| can'?t| won'?t| isn'?t| aren'?t| got)\b[^,;:.]*)?\s*(?:,|;|:|\.|\s-|\s\u{2013})?\s*(?:(?:so|just|please|pls|can you|could you|you can|go ahead and|yeah)\s+)*(?P<verb>delete|remove|cancel|clear|drop|scrap|bin|get rid of|take|mark|tick|check|cross|move|push|bump|reschedule|rename|change)\s+(?:it|that|this|them)\b(?P<tail>.*)$",
        )
    });
    // "drinks with Chris is off, delete it": told as called off, the thing needs no
    // "the" to be named.
    static CALLED_OFF: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?P<topic>[\w'](?:[\w'-]+ ){0,5}?[\w'-]+)(?:\s+(?:is|are|was|were|has been|have been|got)|'s(?: been)?)\s+(?:now |just )?(?:cancell?ed|off|called off|scrapped|not happening)\s*(?:,|;|:|\.|\s-|\s\u{2013})?\s*(?:(?:so|just|please|pls|can you|could you|you can|go ahead and)\s+)*(?P<verb>delete|remove|cancel|clear|drop|scrap|bin|get rid of|take)\s+(?:it|that|this|them)\b(?P<tail>.*)$",
        )
    });
    let (c, called_off) = match TOPIC.captures(l) {
        Some(c) => (c, false),
        None => (CALLED_OFF.captures(l)?, true),
    };
    let (topic, verb, tail) = (c.name("topic")?.range(), c.name("verb")?.range(), c.name("tail")?.range());
    let place = if !called_off {
        listed(&l[verb.clone()], &l[topic.clone()], &l[tail.clone()])
    } else if l[tail.clone()].trim().is_empty() {
        // A thing called off was to happen: it is the calendar's.
        " from my calendar"
    } else {
        ""
    };
    restated(t, l, |s| {
        Some(format!("{} {}{}{place}", s.get(verb.clone())?, s.get(topic.clone())?, s.get(tail.clone())?))
    })
}

/// "I don't need to buy stamps anymore, delete it", "forget about calling the bank,
/// take it off my list": a task no longer needed and pointed back at, said again the
/// usual way round. A task said as what to do ("buy stamps") is named as a task where
/// nothing else names the list; a thing said with its determiner ("the extra chairs")
/// is named as it was said.
fn needless_first(t: &str, l: &str) -> Option<(String, String)> {
    static NEEDLESS: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?:(?:i|we) (?:really )?(?:don'?t|do not|no longer|won'?t) (?:need|have) to|(?:there's )?no (?:need|point) (?:to|in)|forget(?: about)?|never ?mind(?: about)?|skip) (?P<task>[\w'].*?)(?:\s+(?:anymore|any more|any longer|after all|now))?\s*(?:,|;|:|\.|\s-|\s\u{2013})\s*(?:(?:so|just|please|pls|can you|could you|you can|go ahead and)\s+)*(?P<verb>delete|remove|cancel|drop|scrap|bin|get rid of|take)\s+(?:it|that|this|them)\b(?P<tail>.*)$",
        )
    });
    static DETERMINED: LazyLock<Regex> =
        LazyLock::new(|| rules::rx(r"^(?:the|my|our|that|this|those|these|a|an)\b"));
    let c = NEEDLESS.captures(l)?;
    let (task, verb, tail) = (c.name("task")?.range(), c.name("verb")?.range(), c.name("tail")?.range());
    // "take it off my list" names its place already.
    let determined = DETERMINED.is_match(&l[task.clone()]);
    let named = if l[tail.clone()].trim().is_empty() && !determined { "the task " } else { "" };
    let place = if determined { listed(&l[verb.clone()], &l[task.clone()], &l[tail.clone()]) } else { "" };
    restated(t, l, |s| {
        Some(format!(
            "{} {named}{}{}{place}",
            s.get(verb.clone())?,
            s.get(task.clone())?,
            s.get(tail.clone())?
        ))
    })
}

/// "never mind the haircut", "forget about the printer ink": a thing given up, said on
/// its own, is deleted ("delete the haircut"), from the list unless it names the
/// calendar or a kind of item. "Never mind", "forget it" and "forget that" stay talk, and
/// so does anything said after the thing ("never mind the rain, we're going anyway").
fn given_up(t: &str, l: &str) -> Option<(String, String)> {
    static GIVEN_UP: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?:never ?mind|forget)(?: about)? (?P<thing>(?:the|my|our) [\w'](?:[\w'-]+ ){0,4}?[\w'-]+)(?:\s+(?:then|anymore|any more|after all|now))?\W*$",
        )
    });
    // "forget the whole thing", "never mind my last message": the talk is given up, not
    // an item ("the gutter thing" is one).
    static ALL_OF_IT: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^\S+ (?:whole|entire|rest|lot|idea|plan|last|previous|latest|above|first|other|same)\b|\b(?:one|ones|message|messages|question|questions|request|comment|answer|reply|typo|idea|bit|part)$|^\S+ (?:thing|stuff)$",
        )
    });
    let thing = GIVEN_UP.captures(l)?.name("thing")?.range();
    if ALL_OF_IT.is_match(&l[thing.clone()]) {
        return None;
    }
    let place = listed("delete", &l[thing.clone()], "");
    restated(t, l, |s| Some(format!("delete {}{place}", s.get(thing.clone())?)))
}

/// Where a thing said first and then deleted is deleted from: "never mind about the
/// printer ink, delete it" names no place, and a thing that names neither the calendar,
/// a note nor a kind of item is on the list.
fn listed(verb: &str, thing: &str, tail: &str) -> &'static str {
    let deletes = matches!(verb, "delete" | "remove" | "clear" | "drop" | "scrap" | "bin" | "get rid of");
    static NOTE: LazyLock<Regex> = LazyLock::new(|| rules::rx(r"\b(?:notes?|memos?)\b"));
    // "the 3 o'clock with Jana": a thing named by its hour is the calendar's.
    static AT_AN_HOUR: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(r"^(?:the|my|our) \d{1,2}(?:[:.]\d{2})?\s*(?:o'?clock|[ap]\.?m\.?)?(?:\s|$)")
    });
    let placed = decide::names_event_item(thing)
        || rules::names_event(thing)
        || decide::names_list_item(thing)
        || NOTE.is_match(thing)
        || AT_AN_HOUR.is_match(thing);
    if deletes && tail.trim().is_empty() && !placed { " from my list" } else { "" }
}

/// "the electrician isn't coming tomorrow", "our guests aren't coming after all", "we're
/// not doing book club on the 30th anymore", "the choir is off this week": a visit, or a
/// calendar thing, told as no longer on, with its day or a word that it is over, is
/// deleted from the calendar ("delete the electrician tomorrow from my calendar"). Said
/// of someone by name or with anything more ("Sam isn't coming to the party"), it is
/// news, not a request.
fn no_longer_on(t: &str, l: &str) -> Option<(String, String)> {
    static DAY: LazyLock<String> = LazyLock::new(|| {
        format!(
            r"(?:on |this |next )?(?:{}|week|weekend)(?: (?:morning|afternoon|evening|night))?",
            rules::NAMED_DAY
        )
    });
    static VISIT_OFF: LazyLock<Regex> = LazyLock::new(|| {
        let day = &*DAY;
        rules::rx(&format!(
            r"^(?P<topic>(?:the|my|our) [\w'-]+(?: [\w'-]+){{0,3}}?) (?:isn'?t|is not|aren'?t|are not|won'?t be|will not be|is no longer|are no longer) (?:coming|coming (?:round|over|in|by)|visiting)(?P<day> {day})?(?P<over> (?:any ?more|any longer|after all))?\W*$"
        ))
    });
    static NOT_HELD: LazyLock<Regex> = LazyLock::new(|| {
        let day = &*DAY;
        rules::rx(&format!(
            r"^(?:i'?m|i am|we'?re|we are) (?:not|no longer) (?:doing|having|holding|hosting|running) (?P<topic>[\w'][\w' -]*?)(?P<day> {day})?(?P<over> (?:any ?more|any longer|after all))\W*$"
        ))
    });
    // What is not held must be named as a calendar thing ("I'm not doing dry january
    // anymore" is a habit given up).
    // "the book club is off this week": a calendar thing said to be off on a day.
    static OFF_ON: LazyLock<Regex> = LazyLock::new(|| {
        let day = &*DAY;
        rules::rx(&format!(
            r"^(?P<topic>(?:the|my|our) [\w'-]+(?: [\w'-]+){{0,3}}?)(?: is| are|'s) (?:off|not happening|not on)(?P<day> {day})(?P<over> (?:any ?more|after all))?\W*$"
        ))
    });
    let named = |c: &regex::Captures<'_>| c.name("topic").is_some_and(|m| rules::names_event(m.as_str()));
    let held = NOT_HELD.captures(l).or_else(|| OFF_ON.captures(l)).filter(named);
    let c = VISIT_OFF.captures(l).or(held)?;
    if c.name("day").is_none() && c.name("over").is_none() {
        return None;
    }
    let topic = c.name("topic")?.range();
    let day = c.name("day").map_or(0..0, |d| d.range());
    restated(t, l, |s| {
        Some(format!("delete {}{} from my calendar", s.get(topic.clone())?, s.get(day.clone())?))
    })
}

/// "Mum's coming round sunday lunchtime, stick it on the calendar": what is to be kept
/// said first and pointed back at, said again the usual way round ("put Mum's coming
/// round sunday lunchtime on the calendar").
fn kept_in_calendar(t: &str, l: &str, now: DateTime<Tz>) -> Option<(String, String)> {
    static KEEP: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?P<what>[\w'].+?)\s*(?:,|;|:|\s-|\.)\s*(?:(?:so|please|pls|can you|could you|just|and)\s+)*(?:put|stick|add|pop|bung|throw|pencil|write|enter|get|mark)\s+(?:it|that|this)(?:\s+(?:in|on|into|onto|down in)\s+(?P<place>(?:the|my|our)\s+(?:calend[ae]r|diary|schedule|agenda))(?P<tail>.*)|(?:\s+(?:in|down))?(?P<courtesy>(?:\s+(?:please|pls|thanks|for me|so (?:i|we) (?:don'?t|do not|won'?t) [\w' ]+)\W*)*))$",
        )
    });
    // "I've got a hair appointment on the 19th, pop it in": the thing, not the having.
    static HAVING: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?:(?:i|we)(?:'ve| have)? got|(?:i|we) have|there'?s|there is)\s+(?:(?:a|an|my|our)\s+)?",
        )
    });
    let c = KEEP.captures(l)?;
    let what = c.name("what")?.range();
    let what = what.start + HAVING.find(&l[what.clone()]).map_or(0, |m| m.end())..what.end;
    // "whatever, put it on the calendar" names nothing to keep.
    if l[what.clone()].split_whitespace().count() < 2 {
        return None;
    }
    let (place, tail) = match (c.name("place"), c.name("tail")) {
        (Some(p), Some(tail)) => (p.range(), tail.range()),
        // "the recital is on the 11th at 6, add it": with no place said, what is kept
        // must say when it is, and that time still be ahead.
        _ => {
            let (found, _) = rules::dates(&t[what.clone()], now)?;
            if !rules::still_ahead(&found, now) {
                return None;
            }
            return restated(t, l, |s| Some(format!("put {} on my calendar", s.get(what.clone())?)));
        }
    };
    restated(t, l, |s| {
        Some(format!("put {} on {}{}", s.get(what.clone())?, s.get(place.clone())?, s.get(tail.clone())?))
    })
}

/// "friends aren't coming saturday anymore so delete the dinner", "I'm off sick so move
/// my 1:1 to friday": a reason, then the order it leads to. The order is the request;
/// one that points back ("... so cancel it") keeps the reason, where its item is.
fn reason_then_order(t: &str, l: &str) -> Option<(String, String)> {
    static SO: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?P<reason>[\w'].+?),?\s+(?:and )?so\s+(?:(?:can you|could you|please|pls|just|you can|go ahead and)\s+)*(?P<order>(?:delete|remove|cancel|clear|drop|add|put|move|push|reschedule|schedule|book|remind (?:me|us)|mark|tick|check off|cross off|take|set up|create|make a note|note down|rename|change)\b.+)$",
        )
    });
    static POINTS_BACK: LazyLock<Regex> =
        LazyLock::new(|| rules::rx(r"^\S+(?: \S+)?? (?:it|that|this|them)\b"));
    let c = SO.captures(l)?;
    let (reason, order) = (c.name("reason")?.range(), c.name("order")?.range());
    // "this is so put together": "so" says how much, and no reason is given. A short
    // reason is one when it says how things are and the order names its object ("sam's
    // sick so remove the team lunch", "we're out so add milk to the list").
    static STATE: LazyLock<Regex> =
        LazyLock::new(|| rules::rx(r"(?:'s|'re|'m|n't)\b|\b(?:is|are|am|was|were|has|have|had)\b"));
    static OBJECT: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(r"^\S+(?: (?:off|out|up))? (?:the|my|our|his|her|their|it|that|this|them|a|an|\d)\b")
    });
    let short = l[reason.clone()].split_whitespace().count() < 3;
    let object = OBJECT.is_match(&l[order.clone()]) || l[order.clone()].split_whitespace().count() >= 3;
    if short && !(STATE.is_match(&l[reason.clone()]) && object) {
        return None;
    }
    if POINTS_BACK.is_match(&l[order.clone()]) {
        return restated(t, l, |s| Some(format!("{}, {}", s.get(reason.clone())?, s.get(order.clone())?)));
    }
    restated(t, l, |s| s.get(order.clone()).map(str::to_string))
}

/// "the wifi code at the cottage is BLUE42, save that", "the spare key is with Mrs
/// Patel, can you remember that": a fact said first and pointed back at is kept as a
/// note ("remember that the spare key is with Mrs Patel"). An errand said so is left to
/// the rules that read errands.
fn kept_as_note(t: &str, l: &str) -> Option<(String, String)> {
    static KEEP: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?P<what>[\w'].+?)\s*(?:,|;|\s-)\s*(?:(?:so|please|pls|can you|could you|just|and)\s+)*(?:remember|save|note|keep|store|jot|write)\s+(?:that|this|it)(?: down)?(?: for me| for next time| for later| please| pls)?\W*$",
        )
    });
    // A fact: something is somewhere, or is so.
    static FACT: LazyLock<Regex> = LazyLock::new(|| rules::rx(r"\s(?:is|are|was|were)\s|'s\s|'re\s"));
    let what = KEEP.captures(l)?.name("what")?.range();
    if !FACT.is_match(&l[what.clone()]) || l[what.clone()].split_whitespace().count() < 3 {
        return None;
    }
    restated(t, l, |s| Some(format!("remember that {}", s.get(what.clone())?)))
}

/// "remind me what's on tomorrow", "remind me why I'm doing this": asked to be told now,
/// which is the question itself ("what's on tomorrow"), not a reminder to keep. "Remind
/// me when I get home to ..." still keeps one.
fn asked_to_be_told(t: &str, l: &str) -> Option<(String, String)> {
    static TOLD: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?:(?:can|could|would|will) you |please )?remind (?:me|us)(?: again)?(?: of)? (?P<asked>(?:why|what|what's|whats|how|who|who's|whose|which|whether|where|where's)\b.*)$",
        )
    });
    let asked = TOLD.captures(l)?.name("asked")?.range();
    restated(t, l, |s| s.get(asked.clone()).map(str::to_string))
}

/// "make the call with Jenny thursday instead", "make the coffee with Priya 11am
/// instead": an item made to be at another time, said again as the move it is ("move
/// the call with Jenny to thursday"). The time is what the clause ends with, after an
/// item of at least two words.
fn made_instead(t: &str, l: &str, now: DateTime<Tz>, lang: Lang) -> Option<(String, String)> {
    static MADE: LazyLock<Regex> =
        LazyLock::new(|| rules::rx(r"^make (?P<rest>(?:the|my|our|that|this) .+?)\s+instead$"));
    static JOINS: LazyLock<Regex> = LazyLock::new(|| rules::rx(r"^(?:,|at|on|for)?$"));
    let rest = MADE.captures(l)?.name("rest")?.range();
    let said = l.get(rest.clone())?;
    let (_, mut cut) = slots::dates(t.get(rest.clone())?, now, lang)?;
    cut.sort_by_key(|c| c.start);
    // The run of date phrases that ends the clause.
    let mut from = None;
    let mut upto = said.len();
    for c in cut.iter().rev() {
        if !JOINS.is_match(said.get(c.end..upto)?.trim()) {
            break;
        }
        from = Some(c.start);
        upto = c.start;
    }
    let item = said.get(..from?)?.trim_end();
    let item = [" at", " on", " for"].iter().fold(item, |s, w| s.strip_suffix(w).map_or(s, str::trim_end));
    if item.split_whitespace().count() < 2 {
        return None;
    }
    let (item, to) = (rest.start..rest.start + item.len(), rest.start + from?..rest.end);
    restated(t, l, |s| Some(format!("move {} to {}", s.get(item.clone())?, s.get(to.clone())?)))
}

/// "make a note to call the plumber", "note to self: renew the car tax by friday": an
/// errand noted down to be done is a reminder of it ("remind me to call the plumber").
/// A note to self of a fact ("the spare key is under the pot"), or of an errand with no
/// day, stays a note.
fn noted_errand(t: &str, l: &str, now: DateTime<Tz>, lang: Lang) -> Option<(String, String)> {
    static NOTED: LazyLock<Regex> = LazyLock::new(|| {
        rules::rx(
            r"^(?:(?:make|take|write|jot down|leave)(?: me)? (?:a )?(?:quick )?note(?: for me| to self| to myself)? to (?P<to>.+)|(?:note|memo) to (?:self|myself)\s*[:,-]?\s*(?P<own>.+))$",
        )
    });
    let c = NOTED.captures(l)?;
    let task = c.name("to").or_else(|| c.name("own"))?.range();
    let errand = decide::ordered(&l[task.clone()]);
    let dated = || slots::dates(&t[task.clone()], now, lang).is_some();
    if !errand || c.name("own").is_some() && !dated() {
        return None;
    }
    restated(t, l, |s| Some(format!("remind me to {}", s.get(task.clone())?)))
}
