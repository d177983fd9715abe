//! Vocabulary: month, weekday, number, ordinal and unit words.

use chrono::Weekday;

use crate::when::Grain;

pub(super) fn month_name(w: &str) -> Option<(u32, bool)> {
    // (month, is_full_name)
    Some(match w {
        "january" => (1, true),
        "february" => (2, true),
        "march" => (3, true),
        "april" => (4, true),
        "may" => (5, true),
        "june" => (6, true),
        "july" => (7, true),
        "august" => (8, true),
        "september" => (9, true),
        "october" => (10, true),
        "november" => (11, true),
        "december" => (12, true),
        "jan" => (1, false),
        "feb" => (2, false),
        "mar" => (3, false),
        "apr" => (4, false),
        "jun" => (6, false),
        "jul" => (7, false),
        "aug" => (8, false),
        "sep" | "sept" => (9, false),
        "oct" => (10, false),
        "nov" => (11, false),
        "dec" => (12, false),
        _ => return None,
    })
}

pub(super) fn weekday_name(w: &str) -> Option<(Weekday, bool)> {
    Some(match w {
        "monday" | "mondays" => (Weekday::Mon, true),
        "tuesday" | "tuesdays" => (Weekday::Tue, true),
        "wednesday" | "wednesdays" => (Weekday::Wed, true),
        "thursday" | "thursdays" => (Weekday::Thu, true),
        "friday" | "fridays" => (Weekday::Fri, true),
        "saturday" | "saturdays" => (Weekday::Sat, true),
        "sunday" | "sundays" => (Weekday::Sun, true),
        "mon" => (Weekday::Mon, false),
        "tue" | "tues" => (Weekday::Tue, false),
        "wed" => (Weekday::Wed, false),
        "thu" | "thur" | "thurs" => (Weekday::Thu, false),
        "fri" => (Weekday::Fri, false),
        "sat" => (Weekday::Sat, false),
        "sun" => (Weekday::Sun, false),
        _ => return None,
    })
}

/// A number said as a word, "one" (or "a") to "sixty".
pub(crate) fn small_number(w: &str) -> Option<u32> {
    Some(match w {
        "zero" => 0,
        "one" | "a" | "an" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        _ => return None,
    })
}

pub(crate) fn ordinal_word(w: &str) -> Option<u32> {
    Some(match w {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "thirteenth" => 13,
        "fourteenth" => 14,
        "fifteenth" => 15,
        "sixteenth" => 16,
        "seventeenth" => 17,
        "eighteenth" => 18,
        "nineteenth" => 19,
        "twentieth" => 20,
        "thirtieth" => 30,
        _ => return None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Unit {
    pub(super) fn grain(self) -> Grain {
        match self {
            Unit::Second => Grain::Second,
            Unit::Minute => Grain::Minute,
            Unit::Hour => Grain::Hour,
            Unit::Day => Grain::Day,
            Unit::Week => Grain::Week,
            Unit::Month => Grain::Month,
            Unit::Quarter => Grain::Quarter,
            Unit::Year => Grain::Year,
        }
    }
}

/// Unit words. `abbrev` ones ("m", "h", "d") are only trusted where the context
/// is unmistakably a duration (a sign, or several units in a row).
pub(super) fn unit_word(w: &str) -> Option<(Unit, bool)> {
    Some(match w {
        "second" | "seconds" | "sec" | "secs" => (Unit::Second, false),
        "minute" | "minutes" | "min" | "mins" => (Unit::Minute, false),
        "hour" | "hours" | "hrs" => (Unit::Hour, false),
        "day" | "days" => (Unit::Day, false),
        "week" | "weeks" => (Unit::Week, false),
        "month" | "months" | "mon" | "mo" | "mos" => (Unit::Month, false),
        "quarter" | "quarters" | "qtr" | "qtrs" => (Unit::Quarter, false),
        "year" | "years" | "yr" | "yrs" => (Unit::Year, false),
        "s" => (Unit::Second, true),
        "m" => (Unit::Minute, true),
        "h" | "hr" => (Unit::Hour, true),
        "d" => (Unit::Day, true),
        "w" | "wk" | "wks" => (Unit::Week, true),
        "y" => (Unit::Year, true),
        _ => return None,
    })
}

/// Words that, right after a number, mean the number is a quantity and not a time.
pub(super) fn measure_word(w: &str) -> bool {
    matches!(
        w,
        "points"
            | "point"
            | "kg"
            | "kilograms"
            | "kilos"
            | "percent"
            | "dollars"
            | "bucks"
            | "euros"
            | "pounds"
            | "lbs"
            | "degrees"
            | "miles"
            | "km"
            | "mph"
            | "people"
            | "persons"
            | "items"
            | "times"
            | "pages"
            | "feet"
            | "meters"
            | "inches"
            | "cups"
            | "grams"
            | "calories"
            | "stars"
            | "years"
            | "year"
            | "of"
    )
}
