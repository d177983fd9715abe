//! Dates and times in a sentence, resolved in the user's zone.
//!
//! The grammar is the `duckling` crate (a port of Facebook's Duckling): it finds the
//! phrases and resolves them to wall-clock values. This module is the layer around
//! it that makes those values an assistant's:
//!
//! - [`engine`]: calls duckling (in the chosen language, then in English) and turns
//!   its entities into candidates with exact byte spans;
//! - [`pick`]: drops the spurious ones ("we sat on the sun deck", "I'm at 10") and
//!   picks non-overlapping phrases, left to right;
//! - [`conventions`]: places values in the user's IANA zone and applies the
//!   assistant's conventions;
//! - [`extra`]: the few phrasings the library gets wrong for an assistant;
//! - [`hours`]: bare clock hours moved to the waking hours, on whichever reading won;
//! - [`rules`]: the older English grammar of our own, which reads beside the library:
//!   the longer phrase of the two wins (see [`find_all_in`]);
//! - [`tie`]: when both read the same phrase, the library's value stands unless the
//!   rules' keeps more of what the phrase says (a written day, month, year, weekday,
//!   clock time or zone, the end of a range).
//!
//! Conventions worth knowing when consuming the result:
//! - `start` of a day-or-coarser result is the start of that period (00:00 local).
//! - `end` is exclusive and only set for explicit ranges and durations
//!   ("from 4 to 5pm", "March 25 to 27" ends at March 28 00:00, "4pm for 30 mins").
//! - A clock time with no date that has already passed today means tomorrow; a bare
//!   hour from 1 to 7 with no am/pm is the afternoon one ("at 5" is 17:00, "at 3 on
//!   friday" 15:00, "from 2 to 4" 14:00 to 16:00), and 8 to 11 the evening's beside an
//!   evening thing ("dinner at 8"), unless the sentence says the morning.
//! - "by friday" is a deadline: the day itself.
//! - `period` is the stretch a phrase names when `start` is one moment of it: the
//!   part of a day ("this evening": 18:00 to midnight, `start` 19:00), a deadline
//!   (from now), an open bound ("after 2pm"). Queries look in it.
//! - A month/day with no year means its next occurrence (today included); a weekday
//!   said on that same weekday means next week's.
//! - Offsets of whole days ("in 2 days") keep the wall clock; shorter ones ("in 3
//!   hours") are exact instants.
//! - Local times that do not exist (spring-forward gap) move forward past the gap;
//!   ambiguous ones (fall-back overlap) take the earlier instant.

mod conventions;
mod engine;
mod extra;
mod hours;
mod pick;
mod rules;
pub(crate) use rules::{midnight, ordinal_word, small_number};
#[cfg(test)]
mod tests;
mod tie;

use std::ops::Range;

use chrono::{DateTime, Duration, FixedOffset, LocalResult, NaiveDateTime, Offset, SecondsFormat, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// How precise a resolved value is.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Grain {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// A date/time expression found in a text.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub start: DateTime<Tz>,
    /// Exclusive end of an explicit range or duration.
    pub end: Option<DateTime<Tz>>,
    pub grain: Grain,
    /// Byte range of the matched phrase in the input text.
    pub span: Range<usize>,
    /// The UTC offset the text itself named for the start ("9:00 PST", an ISO
    /// offset), if any; `start` is the same instant in the user's zone.
    pub zone: Option<FixedOffset>,
    /// The same for the end of a range.
    pub end_zone: Option<FixedOffset>,
    /// The stretch of time the phrase names, where `start` stands for one.
    pub period: Option<Period>,
}

/// The stretch of time a phrase names when its value is one moment of it: a part of the
/// day ("tomorrow evening" is 18:00 to midnight; `start` is 19:00), a deadline ("by
/// friday" runs from now), an open bound ("after 2pm", "before 11am", "since 2014").
/// What a query or a search looks in; what is created takes `start`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Period {
    pub from: Option<DateTime<Tz>>,
    /// Exclusive.
    pub to: Option<DateTime<Tz>>,
}

impl Period {
    /// Whether `at` lies in the period (its end included: a deadline's value is its end).
    fn holds(&self, at: DateTime<Tz>) -> bool {
        self.from.is_none_or(|f| f <= at) && self.to.is_none_or(|t| at <= t)
    }
}

/// The language dates are read in. English is always tried as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lang(duckling::Lang);

impl Default for Lang {
    fn default() -> Self {
        Lang::ENGLISH
    }
}

impl Lang {
    pub const ENGLISH: Lang = Lang(duckling::Lang::EN);

    /// The language for an ISO 639-1 code ("de", "pt-BR", "nb"), if duckling has
    /// date rules for it.
    pub fn from_code(code: &str) -> Option<Lang> {
        use duckling::Lang as L;
        let base = code.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        let lang = match base.as_str() {
            "ar" => L::AR,
            "bg" => L::BG,
            "ca" => L::CA,
            "da" => L::DA,
            "de" => L::DE,
            "el" => L::EL,
            "en" => L::EN,
            "es" => L::ES,
            "fr" => L::FR,
            "ga" => L::GA,
            "he" | "iw" => L::HE,
            "hr" => L::HR,
            "hu" => L::HU,
            "it" => L::IT,
            "ja" => L::JA,
            "ka" => L::KA,
            "ko" => L::KO,
            "nb" | "no" | "nn" => L::NB,
            "nl" => L::NL,
            "pl" => L::PL,
            "pt" => L::PT,
            "ro" => L::RO,
            "ru" => L::RU,
            "sv" => L::SV,
            "tr" => L::TR,
            "uk" => L::UK,
            "vi" => L::VI,
            "zh" => L::ZH,
            _ => return None,
        };
        Some(Lang(lang))
    }

    /// Every language dates can be read in, English first.
    pub fn all() -> impl Iterator<Item = Lang> {
        const CODES: [&str; 28] = [
            "en", "ar", "bg", "ca", "da", "de", "el", "es", "fr", "ga", "he", "hr", "hu", "it", "ja", "ka",
            "ko", "nb", "nl", "pl", "pt", "ro", "ru", "sv", "tr", "uk", "vi", "zh",
        ];
        CODES.into_iter().filter_map(Lang::from_code)
    }

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        self.0.code()
    }
}

/// The first date/time expression in `text` (English), resolved against `now`.
pub fn find(text: &str, now: DateTime<Tz>) -> Option<Found> {
    find_in(text, now, Lang::ENGLISH)
}

/// Every non-overlapping date/time expression in `text` (English), left to right.
pub fn find_all(text: &str, now: DateTime<Tz>) -> Vec<Found> {
    find_all_in(text, now, Lang::ENGLISH)
}

/// Like [`find`], but a date said in one place and a time said in another
/// ("tomorrow remind me to call at 5pm") are combined into one value. Returns
/// the combined value and the spans of every phrase that went into it.
pub fn find_combined(text: &str, now: DateTime<Tz>) -> Option<(Found, Vec<Range<usize>>)> {
    find_combined_in(text, now, Lang::ENGLISH)
}

/// [`find`] in a language.
pub fn find_in(text: &str, now: DateTime<Tz>, lang: Lang) -> Option<Found> {
    find_all_in(text, now, lang).into_iter().next()
}

/// [`find_all`] in a language: the library and the English rules both read the text,
/// and the longer phrase wins where they overlap. On a tie the library's value stands
/// unless it loses something the phrase says that the rules' value keeps ([`tie`]).
pub fn find_all_in(text: &str, now: DateTime<Tz>, lang: Lang) -> Vec<Found> {
    let library: Vec<Found> =
        pick::candidates(text, now, lang).into_iter().filter_map(|c| conventions::resolve(&c, now)).collect();
    if lang != Lang::ENGLISH && !library.is_empty() {
        return library;
    }
    let library: Vec<Found> = library.into_iter().filter(|f| !counted_from_a_thing(text, &f.span)).collect();
    let rules: Vec<Found> =
        rules::find_all(text, now).into_iter().filter(|f| !counted_from_a_thing(text, &f.span)).collect();
    let rules = regrain(rules, &library);
    let library = library
        .into_iter()
        .filter(|l| !rules.iter().any(|r| lost_clock(l, r)))
        .map(|l| match rules.iter().find(|r| core(text, &r.span) == core(text, &l.span)) {
            Some(r) if tie::rules_win(&l, r, text, now) => Found {
                span: l.span.start.min(r.span.start)..l.span.end.max(r.span.end),
                ..with_period(r.clone(), &l)
            },
            _ => l,
        })
        .collect();
    longest(library, rules)
        .into_iter()
        .map(|f| {
            let phrase = text.get(f.span.clone()).unwrap_or("");
            hours::waking(f, phrase, text, now)
        })
        .collect()
}

/// "30 minutes before the meeting", "2 days before my mum's birthday": a time counted
/// from a thing, not from now. Only the thing knows when that is, so the phrase is no
/// time here (read from now, it was already past).
fn counted_from_a_thing(text: &str, span: &Range<usize>) -> bool {
    let phrase = text.get(span.clone()).unwrap_or("").to_ascii_lowercase();
    let next = text.get(span.end..).unwrap_or("").trim_start();
    (phrase.ends_with(" before") || phrase.ends_with(" after"))
        && next.starts_with(|c: char| c.is_alphanumeric())
}

/// Whether the library's reading `l` of a longer phrase lost the time of day the rules
/// read inside it: "tomorrow at noon lunch" read whole as a day, where "tomorrow at noon"
/// is 12:00. The rules' reading stands, and the rest of the phrase stays in the title.
fn lost_clock(l: &Found, r: &Found) -> bool {
    l.grain >= Grain::Day
        && r.grain <= Grain::Hour
        && l.span.start <= r.span.start
        && r.span.end <= l.span.end
        && l.span != r.span
        && l.start.date_naive() == r.start.date_naive()
}

/// `found`, read from `phrase`, with a bare hour moved to the waking hours as `sentence`
/// around it means them ("move dinner to 8": the evening's 8).
pub fn as_meant(found: Found, phrase: &str, sentence: &str, now: DateTime<Tz>) -> Found {
    hours::waking(found, phrase, sentence, now)
}

/// A phrase both readings found at the same moment takes the library's grain ("3pm" is
/// said to the hour, as Duckling has it).
fn regrain(rules: Vec<Found>, library: &[Found]) -> Vec<Found> {
    rules
        .into_iter()
        .map(|r| match library.iter().find(|l| same_moment(l, &r)) {
            Some(l) => with_period(Found { grain: l.grain, ..r }, l),
            None => r,
        })
        .collect()
}

/// The rules' reading of a phrase keeps the period the library read in it, when its
/// value lies in that period.
fn with_period(r: Found, library: &Found) -> Found {
    let period = r.period.or(library.period.filter(|p| p.holds(r.start)));
    Found { period, ..r }
}

/// The phrase without the word that only introduces it ("on friday" is "friday"), so
/// two readings that differ by it name the same phrase.
fn core(text: &str, span: &Range<usize>) -> Range<usize> {
    let body = text.get(span.clone()).unwrap_or("");
    let lead = ["on ", "at "].iter().find(|w| body.get(..w.len()).is_some_and(|h| h.eq_ignore_ascii_case(w)));
    match lead {
        Some(w) => span.start + w.len()..span.end,
        None => span.clone(),
    }
}

/// Whether two readings name the same phrase at the same moment.
fn same_moment(a: &Found, b: &Found) -> bool {
    a.span == b.span && a.start == b.start
}

/// The phrases of two readings, the longer where they overlap (`first` on a tie), left
/// to right.
fn longest(first: Vec<Found>, second: Vec<Found>) -> Vec<Found> {
    let mut all: Vec<(usize, Found)> =
        first.into_iter().map(|f| (0, f)).chain(second.into_iter().map(|f| (1, f))).collect();
    all.sort_by_key(|(rank, f)| (std::cmp::Reverse(f.span.len()), *rank, f.span.start));
    pick::apart(all.into_iter().map(|(_, f)| f).collect(), |f| &f.span)
}

/// [`find_combined`] in a language: the reading (library or English rules) whose
/// phrases are longer, on a tie as in [`find_all_in`].
pub fn find_combined_in(text: &str, now: DateTime<Tz>, lang: Lang) -> Option<(Found, Vec<Range<usize>>)> {
    find_combined_within(text, text, now, lang)
}

/// [`find_combined_in`] of `text`, a copy of `sentence` with words hidden from the date
/// reader (spaces of the same length): a bare hour is still meant as the whole sentence
/// says ("my morning routine at 7", "quiz night saturday at 8:30").
pub fn find_combined_within(
    text: &str,
    sentence: &str,
    now: DateTime<Tz>,
    lang: Lang,
) -> Option<(Found, Vec<Range<usize>>)> {
    let counted = |r: &(Found, Vec<Range<usize>>)| r.1.iter().any(|s| counted_from_a_thing(text, s));
    let library = library_combined(text, now, lang).filter(|r| !counted(r));
    if lang != Lang::ENGLISH && library.is_some() {
        return library;
    }
    let rules = rules::find_combined(text, now).filter(|r| !counted(r));
    let rules = match (rules, &library) {
        (Some((r, spans)), Some((l, _))) if same_moment(l, &r) => {
            Some((with_period(Found { grain: l.grain, ..r }, l), spans))
        }
        (r, _) => r,
    };
    let size = |r: &Option<(Found, Vec<Range<usize>>)>| {
        r.as_ref().map_or(0, |(_, spans)| spans.iter().map(|s| core(text, s).len()).sum::<usize>())
    };
    let rules_win = match (&rules, &library) {
        (Some((r, _)), Some((l, _))) => tie::rules_win(l, r, text, now),
        _ => true,
    };
    let lost = match (&rules, &library) {
        (Some((r, _)), Some((l, _))) => lost_clock(l, r),
        _ => false,
    };
    let (found, spans) = match (size(&rules), size(&library)) {
        (r, l) if r > l || (r == l && rules_win) || lost => rules,
        _ => library.or(rules),
    }?;
    let phrase: Vec<&str> = spans.iter().filter_map(|s| text.get(s.clone())).collect();
    Some((hours::waking(found, &phrase.join(" "), sentence, now), spans))
}

fn library_combined(text: &str, now: DateTime<Tz>, lang: Lang) -> Option<(Found, Vec<Range<usize>>)> {
    let cands = pick::candidates(text, now, lang);
    let (first, rest) = cands.split_first()?;
    let mut merged = first.clone();
    let mut spans = vec![first.span.clone()];
    for other in rest {
        if let Some(m) = conventions::merge(&merged, other, text) {
            merged = m;
            spans.push(other.span.clone());
        }
    }
    let found = conventions::resolve(&merged, now)?;
    Some((Found { span: first.span.clone(), ..found }, spans))
}

/// What `clawchat-server when` prints for one line: `{"start", "end", "grain"}` in
/// RFC 3339 with seconds (a time said with its own zone is written in that zone),
/// else `{"error": "no date or time found"}`. Read on the crate's one parsing thread,
/// like a parse; a reading that panics finds nothing.
pub fn answer(text: &str, now: DateTime<Tz>, lang: Lang) -> Value {
    let text = text.to_owned();
    crate::worker::run(move || answer_here(&text, now, lang), nothing_found)
}

fn nothing_found() -> Value {
    json!({ "error": "no date or time found" })
}

fn answer_here(text: &str, now: DateTime<Tz>, lang: Lang) -> Value {
    match find_in(text, now, lang) {
        Some(f) => {
            let at = |t: &DateTime<Tz>, zone: Option<FixedOffset>| match zone {
                Some(off) => t.with_timezone(&off).to_rfc3339_opts(SecondsFormat::Secs, false),
                None => t.to_rfc3339_opts(SecondsFormat::Secs, false),
            };
            let end = f.end.as_ref().map(|e| at(e, f.end_zone));
            json!({ "start": at(&f.start, f.zone), "end": end, "grain": f.grain })
        }
        None => nothing_found(),
    }
}

/// Turn a local wall-clock time into an instant, applying the DST rules in the
/// module docs.
pub fn localize(tz: Tz, naive: NaiveDateTime) -> Option<DateTime<Tz>> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Some(t),
        LocalResult::Ambiguous(a, b) => Some(a.min(b)),
        LocalResult::None => {
            // Read the wall time with the offset in force just before the gap, so
            // 02:30 in a 02:00-03:00 spring-forward gap becomes 03:30.
            let before =
                tz.from_local_datetime(&naive.checked_sub_signed(Duration::hours(24))?).earliest()?;
            let offset = i64::from(before.offset().fix().local_minus_utc());
            let utc = naive.checked_sub_signed(Duration::try_seconds(offset)?)?;
            Some(tz.from_utc_datetime(&utc))
        }
    }
}
