//! What is said to the assistant that asks it for nothing: a word that steers the talk,
//! a question of how things are done, a request taken back before it is made, a
//! hypothetical, a question of opinion or of the world. However many organiser words it
//! holds, it is conversation.

use std::sync::LazyLock;

use regex::Regex;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use serde_json::Value;

use super::Plan;
use super::rules::rx;
use crate::intent::Intent;

/// Whether the clause `l` (lowercased, the lead already stripped) asks for nothing.
pub(super) fn asks_nothing(l: &str) -> bool {
    static AFTER_ALL: LazyLock<Regex> = LazyLock::new(|| rx(r"\b(?:any ?more|after all)\b"));
    [&HOW_TO, &STEERS, &DAY_DONE, &SUPPOSED, &OPINION, &QUOTED].iter().any(|re| re.is_match(l))
        // "I'm not going to the gym anymore" gives the gym up.
        || (TAKEN_BACK.is_match(l) && !AFTER_ALL.is_match(l))
}

/// "how do I share my calendar", "what's the best way to plan a week".
pub(super) static HOW_TO: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:how (?:do|can|could|should|would|does|is|are) (?:i|you|we|one|a|it|people|others|most people|everyone)\b|how to\b|(?:tell|show) me how (?:do|to|can|i|does|is|you)\b|what(?:'s| is) the (?:best )?way to\b)",
    )
});

/// What is said to steer the talk, not to ask for anything: "never mind", "scratch
/// that", "no worries", "thanks for the reminder".
static STEERS: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:never ?mind|forget (?:it|that|about it)|scratch that|no worries|no problem|my bad|whatever|all good|got it|sounds good|ok(?:ay)? then|that'?s (?:fine|ok(?:ay)?|all)|not now|maybe later|no thanks?(?: you)?|(?:thanks|thank you|thx|cheers)(?: so much| very much| a lot)? for [\w' ]+)\W*$",
    )
});

/// "phew, done for the day!", "right, that's me finished for the week": the end of a
/// day's work, however it opens, completes nothing ("done with the report for today"
/// names what is done).
pub(super) static DAY_DONE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:[\w']+,?\s+){0,4}?(?:all )?(?:done|finished) for (?:the day|today|tonight|the night|the week|the weekend|now)\W*$",
    )
});

/// A request taken back, or said not to be one: "don't add anything", "no, leave the
/// reminder as it is", "I'd rather not put the gym in the calendar", "I'm not going to
/// delete it", "I don't need a reminder for that", "..., no need to do anything". A thing
/// the user no longer wants *kept* is still asked of the assistant ("I don't need the
/// reminder about the passports anymore", "I'm not going to do the 5k after all"), so
/// only a new one refused is talk here.
static TAKEN_BACK: LazyLock<Regex> = LazyLock::new(|| {
    const ACT: &str =
        r"(?:add|create|make|put|set|schedule|book|delete|remove|cancel|change|move|touch|do|save|note)";
    rx(&format!(
        r"^(?:no,?\s+)?(?:please\s+)?(?:don'?t|do not|no need to|there'?s no need to) {ACT}\b(?:\s+(?:anything|that|it|this)\b)?(?:\s+(?:yet|now|for now|please))?\W*(?:$|,|i'?m|i was|just)|^(?:no,?\s+)?leave (?:it|that|this|them|the [\w' ]+?) (?:as (?:it|they) (?:is|are)|alone|be)\b|^i'?d rather not\b|^i'?m not (?:going to|gonna) {ACT}\b|^i (?:don'?t|do not) need (?:a|an|any) (?:reminder|note|event|alarm|timer)\b|\b(?:no need to|don'?t need (?:you )?to) do anything\b|\bjust thinking (?:out loud|aloud)\b"
    ))
});

/// A hypothetical: "if I had a meeting at 3 would I make it back", "hypothetically, if we
/// moved the offsite ...". What would be is not asked to be made.
static SUPPOSED: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:hypothetically\b|suppose\b|supposing\b|if (?:i|we) (?:had|were|was|moved|cancelled|canceled|booked|added|put|skipped)\b)",
    )
});

/// A question of opinion or of the world, not of the user's own things: "why does
/// everyone book meetings at 9", "who invented the to-do list", "is it rude to cancel a
/// meeting late", "is 7am too early for a client call", "what does EOD mean".
static OPINION: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:why (?:do|does|did|is|are|would|should|can'?t|won'?t|don'?t|doesn'?t)\b|who (?:invented|made|created|came up with|decides|decided|wrote|started)\b|is it (?:rude|ok|okay|bad|normal|weird|fine|acceptable|worth|better|wise|polite|unprofessional|too)\b|(?:is|are) [\w:' ]{1,20}? too (?:early|late|long|short|much|many)\b|what does [\w.' -]{1,30} (?:mean|stand for)\b)",
    )
});

/// Someone else's words quoted: "my mum always says \"put it in the calendar or it
/// didn't happen\"". What they said is told, not asked.
static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r#"^(?:my|our|the|his|her|their|a)\s+[\w' ]{1,30}?\s+(?:always |keeps |just |once |then |literally )?(?:says?|said|told me|tells me|saying|goes|went)\b[\s,:]*["\u{201c}]"#,
    )
});

/// A thing done or held in the past, told: "we cancelled the Lisbon trip last year", "I
/// wrote to the council months ago", "the meeting yesterday at 2 went really well".
/// Nothing on the list is that old, and nothing is put on the calendar for a day gone
/// by unless asked ("add last year's tax return to my list", "log my run yesterday at
/// 6" still are).
pub(super) fn told_of_the_past(plan: &Plan, l: &str, now: DateTime<Tz>) -> bool {
    static LONG_AGO: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:last (?:year|month|summer|winter|spring|autumn|christmas)|(?:years|months|ages|a year|a month|weeks) ago|back in (?:19|20)\d\d)\b",
        )
    });
    static ORDER: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:add|put|log|record|note|create|make|schedule|set|mark|tick|check off|cross off|book|enter|remind)\b",
        )
    });
    // Asked anywhere in the clause, it is asked.
    if ORDER.is_match(l) {
        return false;
    }
    let made = plan.intent.adds_item();
    if (plan.intent == Intent::CompleteTodo || made) && LONG_AGO.is_match(l) {
        return true;
    }
    // A day before today, read from what would be made.
    let day = ["start_time", "due_date"]
        .iter()
        .find_map(|k| plan.params.get(*k).and_then(Value::as_str))
        .and_then(|v| NaiveDate::parse_from_str(v.get(..10)?, "%Y-%m-%d").ok());
    made && day.is_some_and(|d| d < now.date_naive())
}
