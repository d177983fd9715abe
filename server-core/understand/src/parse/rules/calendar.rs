//! Calendar words: the nouns that name calendar things and what the words around them say;
//! and the two calendar rules that need no more, marked days and notifications.

use std::sync::LazyLock;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;

use super::shared::{cap, date_value, dates, due_on, period_end, rx, tidy};
use crate::intent::Intent;
use crate::parse::Plan;
use crate::when::{self, Grain};

/// Visits one books with a person or a practice ("physio thursday 4pm", "cancel my
/// haircut"): each is a calendar thing, whatever verb comes with it.
pub(in crate::parse) const VISITS: &str = r"(?:football|soccer|rugby|hockey|netball|basketball|swim(?:ming)?|cricket|tennis|athletics|team) training|haircuts?|hair appointments?|physio|physiotherapy|therapy|therapist|counsell?ing|massages?|vet|chiropractor|chiro|optician|optometrist|eye (?:test|exam)|manicure|pedicure|facial|tutoring|ultrasound|blood test|x-ray|mri|vaccination|flu shot|orthodontist|dermatologist|p(?:a)?ediatrician";

/// Outings and calls named by where or how they are held: "cancel the theatre", "scrap
/// the zoom with Raj". The determiner keeps "zoom in" and "a musical instrument" out.
pub(in crate::parse) const OUTINGS: &str = r"(?:the|a|our|my) (?:theatre|theater|cinema|ballet|opera|panto|pantomime|musical|exhibition|zoom|teams call|facetime|video call)";

/// Whether the words name a calendar thing ("the brunch with Nadia", "my physio").
pub(in crate::parse) fn names_event(s: &str) -> bool {
    EVENT_NOUN.is_match(s)
}

pub(super) static EVENT_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"\b(?:{VISITS}|{OUTINGS}|(?:a|the|my|our|weekly|quick) catch[- ]?ups?|calendar|calender|calander|calandar|schedule|schedules|scheduled|agenda|diary|events?|meetings?|mettings?|appointments?|appt|meet (?:with|up)|meet the|conferences?|interviews?|(?:daily|weekly|team|conference|video|zoom|sales|client|work) calls?|call with|classes|lessons|sessions|lunch with|dinner with|breakfast with|brunch with|coffee with|drinks with|tea with|date with|party|parties|birthday|wedding|anniversary|class|lesson|session|standup|stand-up|sync|1:1|one on one|doctor'?s?|dentist'?s?|checkup|check-up|reservation at|game|match|concert|(?:the|a|our|my) show|shows|(?:the|a|our|my|school) plays?|recital|practice|rehearsal|ceremony|celebration|holiday|vacation|trip|flight|visit|offsite|off-site|retreat|meetup|meet-up|reunion|graduation|funeral|(?:baby|bridal) shower|sleepover|playdate|fundraiser|webinar|seminar|workshop|presentation|review|exam|test|deadline|payday|bill|programs?|programmes?|tournaments?|festivals?|gigs?|(?:movie|game|date|poker|trivia|quiz|karaoke|bingo|board game|girls'?|guys'?|family|pizza|taco|wine|open mic) nights?|parents'? evening|open (?:day|evening)|sports day|prize giving|school (?:fair|fete|disco|trip)|fete|housewarming|(?:a|the|our|my) (?:bbq|barbecue|cookout|picnic)|christening|baptism|bar mitzvah|bat mitzvah|(?:leaving|hen|stag) (?:do|party|drinks)|(?:baby|bridal) showers?|book club|choir|rehearsals?)\b"
    ))
});

/// Event nouns strong enough to carry a create or delete without the word
/// "calendar"; weaker ones (trip, flight, bill) need the calendar mentioned.
pub(super) static STRONG_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    rx(&format!(
        r"\b(?:{OUTINGS}|calendar|calender|calander|calandar|schedule|agenda|diary|events?|meetings?|mettings?|appointments?|appt|meet (?:with|up)|(?:a|the|my|our|weekly|quick) catch[- ]?ups?|conferences?|interviews?|calls?|lunch|dinner|breakfast|brunch|(?:coffee|drinks|tea|date) with|party|birthday|wedding|anniversary|class|lesson|session|standup|stand-up|1:1|one on one|checkup|check-up|webinar|seminar|workshop|presentation|exam|test|rehearsal|practice|ceremony|holiday|date night|parents'? evening|open (?:day|evening)|sports day|(?:leaving|hen|stag) (?:do|party|drinks)|housewarming|book club)\b",
    ))
});

static NOT_EVENT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\b(?:taxi|uber|lyft|cab|ride|ticket|tickets|table|hotel|room service|flight status|car|oil change|playlist|song|email|text message|restaurant|reservation|reservations|account|card|bank|train|bus)\b",
    )
});

/// Whether the clause is about a booking another service keeps (a table, a ride, a
/// hotel room, tickets) and names nothing of the user's calendar.
pub(in crate::parse) fn booked_elsewhere(l: &str) -> bool {
    NOT_EVENT.is_match(l) && !l.contains("calendar") && !l.contains("meeting") && !l.contains("appointment")
}

pub(super) static EVENT_CREATE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:schedule|book|add|put|create|make|set(?: up)?|setup|arrange|organi[sz]e|plan|pencil(?: in)?|enter|insert|mark|block(?: off| out)?|reserve|get|sign me up for|note|log|hook me up with|new (?:calendar )?(?:event|entry|appointment))\b|(?:i (?:need|want|would like|'d like) (?:a|an|to (?:schedule|book|add|set up|have|put|create|make|go to|attend))|i have (?:a|an) (?:meeting|appointment|call|event)|(?:in|on|to) (?:the |my )?calend[ae]r,? (?:put|add|mark|schedule|enter)|(?:i )?(?:need|want) to meet|i (?:have|need) to meet|let'?s meet|meet with|i'?m going to|i will be|i am going to|today needs to be marked|mark (?:my|the) calendar|go to|attend|(?:need|want) (?:a|an) (?:meeting|appointment|call)))",
    )
});

pub(super) static EVENT_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:schedule|book|add|put|create|make|set(?: up)?|setup|arrange|organi[sz]e|plan|pencil(?: in)?|enter|insert|mark|block(?: off| out)?|reserve|get|sign me up for|note|log|hook me up with|new (?:calendar )?(?:event|entry|appointment)\s*[:-]?)(?: me)?(?: up)?(?: down)?(?: in)?|i (?:need|want|would like|'d like) (?:to (?:schedule|book|add|set up|have|put|create|make|go to|attend) )?|i have|(?:in|on|to) (?:the |my )?calend[ae]r,? (?:put|add|mark|schedule|enter)(?: that)?|(?:i )?(?:need|want|have) to|let'?s|i'?m going to|i will be|i am going to)\s+(?P<title>.+)$",
    )
});

pub(super) static CAL_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:a|an|the|new) )*(?:calendar )?(?:event|entry|appointment)\s*[:-]\s*|\s+(?:to|on|in|into|onto|for|from|off|off of|out of)\s+(?:the |my |our |this )?(?:calend[ae]rs?|schedules?|agenda|diary)\b(?:\s+(?:for|on|at))?|\s+(?:in|on|to) (?:the |my )?calend[ae]r\b|^(?:the |my )?calend[ae]r (?:for |entry (?:for )?)?|\s+(?:with the following people|for me|please)$|\s+(?:set|add|save|create|make|put) (?:the|an|this|that|it)(?: event| entry| in| down| up)?$",
    )
});

pub(super) static LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"\s+(?:at|in)\s+(?P<loc>(?:the |my )?(?:[\w']+ ){0,3}?(?:office|room|cafe|café|restaurant|park|gym|school|hospital|clinic|library|church|hall|center|centre|bar|pub|house|home|studio|building|campus|station|airport))\b",
    )
});

/// Questions that are not about the user's calendar whatever nouns they hold: who did
/// something, asked with nobody of the user's in it ("who won the game last night"),
/// and whether the user did something ("did I pay the phone bill?", which the todos
/// answer). Whether one has, had or booked a thing is the calendar's.
pub(super) fn not_calendar_question(l: &str) -> bool {
    static WHO: LazyLock<Regex> = LazyLock::new(|| rx(r"^who(?:'s|'d| is| was| did| won| will)?\b"));
    static USER: LazyLock<Regex> = LazyLock::new(|| rx(r"\b(?:i|me|my|we|us|our)\b"));
    static DID_I: LazyLock<Regex> = LazyLock::new(|| {
        rx(r"^(?:did|have|has) (?:i|we)(?: already| ever| actually| really| even)? (?P<verb>[a-z]+)")
    });
    if WHO.is_match(l) && !USER.is_match(l) {
        return true;
    }
    // "where should I go on holiday", "what should we get for the party": advice asked,
    // not the calendar read.
    static ADVICE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:where|what|which|how)?\s*(?:should|shall|could) (?:i|we) (?:go|get|buy|wear|bring|take|do|make|cook|eat|drink|say|write|give|pack|plan|visit|see)\b",
        )
    });
    static CALENDAR: LazyLock<Regex> =
        LazyLock::new(|| rx(r"\b(?:calendar|schedule|diary|agenda|free|busy|available)\b"));
    if ADVICE.is_match(l) && !CALENDAR.is_match(l) {
        return true;
    }
    DID_I.captures(l).and_then(|c| c.name("verb")).is_some_and(|v| {
        !matches!(
            v.as_str(),
            "have"
                | "had"
                | "got"
                | "get"
                | "a"
                | "an"
                | "any"
                | "anything"
                | "schedule"
                | "scheduled"
                | "book"
                | "booked"
                | "plan"
                | "planned"
                | "put"
                | "add"
                | "added"
        )
    })
}

/// Whether every calendar thing in `item` stands after a word that makes it a time
/// ("the whiteboard before the meeting", "the chairs after the party").
pub(super) fn only_when(item: &str) -> bool {
    let mut nouns = EVENT_NOUN.find_iter(item).peekable();
    nouns.peek().is_some() && nouns.all(|m| says_when(&item[..m.start()]))
}

/// Whether the words before a calendar noun make it a time ("... before the", "after
/// our", "in time for the").
pub(in crate::parse) fn says_when(before: &str) -> bool {
    static TIMED: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"\b(?:before|after|during|until|till|ahead of|in time for|by the end of|at the end of)\s+(?:the|my|our|this|that|a|an)\s+(?:[\w'-]+\s+){0,2}$",
        )
    });
    TIMED.is_match(before)
}

/// The calendar's own general words, and kinds of things said in the plural: on a day
/// they ask what is there ("meetings tomorrow", "classes on monday").
pub(super) static CALENDAR_WORD: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:calend[ae]r|calandar|schedules?|scheduled|agenda|diary|events?|meetings?|mettings?|appointments?|appt|classes|lessons|sessions|programs?|programmes?|shows|parties|gigs|tournaments|festivals)$",
    )
});

/// Whether the words before a calendar noun name the thing ("soccer practice", "the
/// board meeting", "our quarterly review") rather than start a sentence ("what
/// meeting", "I have practice", "call the dentist"): at most three words, a determiner
/// only first, and none that asks, tells of someone or opens an errand.
pub(super) fn names_thing(before: &str) -> bool {
    names_in(before, 3)
}

/// [`names_thing`] for up to `most` words.
pub(in crate::parse) fn names_in(before: &str, most: usize) -> bool {
    static NOT_NAME: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"^(?:i|i'm|im|we|we're|you|he|she|they|it|me|us|is|are|was|were|am|be|do|does|did|don't|have|has|had|can|could|will|would|should|must|what|whats|what's|when|where|which|who|how|why|any|no|not|to|for|at|in|on|of|about|from|after|before|with|there|here|then|and|or|but|if|schedule|book|add|put|create|make|set|plan|arrange|organi[sz]e|pencil|enter|insert|mark|block|reserve|new|log|note|cancel|delete|remove|move|change|reschedule|push|call|email|text|ring|phone|skip|miss|missed|prep|prepare|pay|buy|get|find|check|confirm|remember|remind|tell|ask|show|see|need|want|like|go|going)$",
        )
    });
    static DETERMINER: LazyLock<Regex> =
        LazyLock::new(|| rx(r"^(?:a|an|the|my|our|your|his|her|their|this|that)$"));
    let words: Vec<&str> = before.split_whitespace().collect();
    // After a determiner a word that could be a verb is a noun ("the book club").
    let owned = words.first().is_some_and(|w| DETERMINER.is_match(w));
    words.len() <= most
        && words
            .iter()
            .enumerate()
            .all(|(i, w)| (!NOT_NAME.is_match(w) || owned && i > 0) && (i == 0 || !DETERMINER.is_match(w)))
        && words.iter().all(|w| w.chars().all(|c| c.is_alphanumeric() || matches!(c, '\'' | '-' | '&' | ':')))
}

static MARK_DAY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:mark|flag|block(?: off| out)?)\s+(?P<d>.+?)\s+as\s+(?:my |a |an |the )?(?P<t>.+)|(?P<d2>.+?)\s+(?:needs|has|have|need) to be (?:marked|flagged|blocked(?: off| out)?) as\s+(?:my |a |an |the )?(?P<t2>.+))$",
    )
});

/// "mark Friday as my day off", "today needs to be marked as a rest day": an
/// all-day entry, when what is marked is itself a date.
pub(super) fn mark_day(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    let c = MARK_DAY.captures(l)?;
    let d = cap(&c, "d").or_else(|| cap(&c, "d2"))?;
    let title = cap(&c, "t").or_else(|| cap(&c, "t2"))?;
    let day_text = t.get(d.clone())?;
    let f = when::find(day_text, now)?;
    // The whole marked phrase must be the date ("mark this email as read" is not).
    let rest = format!("{}{}", day_text.get(..f.span.start)?, day_text.get(f.span.end..)?);
    if !rest.trim().trim_start_matches("the ").trim().is_empty() {
        return None;
    }
    let title = tidy(t, title, &[])?;
    let end = period_end(&f);
    let mut plan =
        Plan::new(Intent::CreateEvent, 0.8).with("title", title).with("start_time", date_value(&f, &f.start));
    if let Some(e) = f.end.or(end).filter(|_| f.grain >= Grain::Day) {
        plan = plan.with("end_time", date_value(&f, &e));
    }
    Some(plan)
}

static NOTIFICATION: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:set|create|add|make|new|give me|send me|schedule)(?: up)?\s+)?(?:a |an |another )?(?:new )?(?:notification|alert) (?:of|for|about|on) (?:the |my |a |an |our )?(?P<t>.+)$",
    )
});

/// "notification of the budget meeting on Wednesday", "new alert for the call in
/// two hours": a reminder with a time.
pub(super) fn notification(t: &str, l: &str, now: DateTime<Tz>) -> Option<Plan> {
    let c = NOTIFICATION.captures(l)?;
    let (f, cut) = dates(t, now)?;
    let title = tidy(t, cap(&c, "t")?, &cut)?;
    Some(Plan::new(Intent::CreateTodo, 0.75).with("title", title).with("due_date", due_on(&f, now)))
}

/// The constant patterns of this file, for the test that each compiles.
#[cfg(test)]
pub(super) fn patterns() -> Vec<&'static LazyLock<Regex>> {
    vec![
        &EVENT_NOUN,
        &STRONG_EVENT,
        &NOT_EVENT,
        &EVENT_CREATE,
        &EVENT_TITLE,
        &CAL_TAIL,
        &LOCATION,
        &MARK_DAY,
        &NOTIFICATION,
    ]
}
