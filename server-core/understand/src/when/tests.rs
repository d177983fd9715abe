//! Behaviour of the resolver, in phrasings written for this project.
use super::*;
use chrono_tz::America::New_York;
use chrono_tz::Europe::London;
use chrono_tz::UTC;

pub(in crate::when) fn at(tz: Tz, s: &str) -> DateTime<Tz> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or_default();
    localize(tz, naive).unwrap_or_else(|| UTC.timestamp_opt(0, 0).unwrap())
}

pub(in crate::when) fn fmt(t: &DateTime<Tz>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn start(text: &str, now: &str) -> Option<String> {
    find(text, at(UTC, now)).map(|f| fmt(&f.start))
}

fn range(text: &str, now: &str) -> Option<(String, Option<String>)> {
    find(text, at(UTC, now)).map(|f| (fmt(&f.start), f.end.as_ref().map(fmt)))
}

pub(in crate::when) const NOW: &str = "2026-03-10 12:00"; // a Tuesday

#[test]
fn absolute_dates_in_common_formats() {
    assert_eq!(start("2026-03-13", NOW).as_deref(), Some("2026-03-13 00:00"));
    assert_eq!(start("on 3/13", NOW).as_deref(), Some("2026-03-13 00:00"));
    assert_eq!(start("13 March 2026", NOW).as_deref(), Some("2026-03-13 00:00"));
    assert_eq!(start("March 13th", NOW).as_deref(), Some("2026-03-13 00:00"));
    assert_eq!(start("Mar 13 at 5pm", NOW).as_deref(), Some("2026-03-13 17:00"));
    assert_eq!(start("07-27-2022 02:00 AM", NOW).as_deref(), Some("2022-07-27 02:00"));
    assert_eq!(start("the 20th", NOW).as_deref(), Some("2026-03-20 00:00"));
    assert_eq!(start("on the 5th", NOW).as_deref(), Some("2026-04-05 00:00"));
}

#[test]
fn relative_days_and_weekdays() {
    assert_eq!(start("tomorrow", NOW).as_deref(), Some("2026-03-11 00:00"));
    assert_eq!(start("yesterday", NOW).as_deref(), Some("2026-03-09 00:00"));
    assert_eq!(start("next friday", NOW).as_deref(), Some("2026-03-20 00:00"));
    assert_eq!(start("this friday", NOW).as_deref(), Some("2026-03-13 00:00"));
    assert_eq!(start("friday", NOW).as_deref(), Some("2026-03-13 00:00"));
    assert_eq!(start("last friday", NOW).as_deref(), Some("2026-03-06 00:00"));
    assert_eq!(start("tonight", NOW).as_deref(), Some("2026-03-10 21:00"));
    assert_eq!(start("tomorrow morning", NOW).as_deref(), Some("2026-03-11 09:00"));
    assert_eq!(start("this evening", NOW).as_deref(), Some("2026-03-10 19:00"));
}

#[test]
fn clock_times_roll_to_tomorrow_once_passed() {
    assert_eq!(start("at 5pm", NOW).as_deref(), Some("2026-03-10 17:00"));
    assert_eq!(start("5:30 pm", NOW).as_deref(), Some("2026-03-10 17:30"));
    assert_eq!(start("17:00", NOW).as_deref(), Some("2026-03-10 17:00"));
    assert_eq!(start("at 7am", NOW).as_deref(), Some("2026-03-11 07:00"));
    assert_eq!(start("noon", "2026-03-10 09:00").as_deref(), Some("2026-03-10 12:00"));
    assert_eq!(start("midnight", NOW).as_deref(), Some("2026-03-11 00:00"));
    assert_eq!(start("at 5", NOW).as_deref(), Some("2026-03-10 17:00"));
}

#[test]
fn ranges_have_exclusive_ends() {
    assert_eq!(
        range("from 4 to 5pm", NOW),
        Some(("2026-03-10 16:00".into(), Some("2026-03-10 17:00".into())))
    );
    assert_eq!(range("3:30-4:30pm", NOW), Some(("2026-03-10 15:30".into(), Some("2026-03-10 16:30".into()))));
    assert_eq!(
        range("March 25 to 27", NOW),
        Some(("2026-03-25 00:00".into(), Some("2026-03-28 00:00".into())))
    );
    assert_eq!(
        range("4pm for 30 mins", NOW),
        Some(("2026-03-10 16:00".into(), Some("2026-03-10 16:30".into())))
    );
}

#[test]
fn span_covers_only_the_date_phrase() {
    let text = "call the dentist tomorrow at 3pm please";
    let f = find(text, at(UTC, NOW));
    let span = f.map(|f| f.span).unwrap_or(0..0);
    assert_eq!(text.get(span), Some("tomorrow at 3pm"));
}

#[test]
fn non_date_words_are_left_alone() {
    for text in [
        "I may be here. May the force be with you.",
        "Theresa may become PM soon",
        "the second half",
        "we sat on the sun deck",
        "march on",
        "mar",
        "jan",
        "notoday",
        "xyesterday",
        "knowledge",
        "I'm at 10.1 - 10.12",
        "I'm at 10",
        "1-2-3",
        "2020",
        "February 29, 2014",
        "8/32",
        "14PM",
        "25:12",
        "The 5th Wave",
        "good morning",
        "Version: 1.1.3",
        // Everyday words that name a holiday too (Boss's Day, Lent).
        "ask my boss for the rota",
        "we lent the neighbours our ladder",
    ] {
        assert!(find(text, at(UTC, NOW)).is_none(), "{text}");
    }
    // The season said as a time stays one.
    assert!(find("no sweets during lent", at(UTC, NOW)).is_some());
}

#[test]
fn dst_gap_moves_forward_in_new_york() {
    // 2026-03-08 02:30 does not exist in New York.
    let now = at(New_York, "2026-03-07 12:00");
    let f = find("tomorrow at 2:30am", now);
    let s = f.map(|f| f.start.to_rfc3339()).unwrap_or_default();
    assert_eq!(s, "2026-03-08T03:30:00-04:00");
}

#[test]
fn dst_overlap_takes_the_earlier_instant_in_new_york() {
    // 2026-11-01 01:30 happens twice in New York.
    let now = at(New_York, "2026-10-31 12:00");
    let f = find("tomorrow at 1:30am", now);
    let s = f.map(|f| f.start.to_rfc3339()).unwrap_or_default();
    assert_eq!(s, "2026-11-01T01:30:00-04:00");
}

#[test]
fn dst_transitions_in_london() {
    let now = at(London, "2026-03-28 12:00");
    let f = find("tomorrow at 1:30am", now);
    let s = f.map(|f| f.start.to_rfc3339()).unwrap_or_default();
    assert_eq!(s, "2026-03-29T02:30:00+01:00");
    let now = at(London, "2026-10-24 12:00");
    let f = find("tomorrow at 1:30am", now);
    let s = f.map(|f| f.start.to_rfc3339()).unwrap_or_default();
    assert_eq!(s, "2026-10-25T01:30:00+01:00");
}

#[test]
fn day_offsets_keep_wall_clock_across_dst() {
    let now = at(New_York, "2026-03-07 09:00");
    let f = find("in 2 days", now);
    let s = f.map(|f| f.start.to_rfc3339()).unwrap_or_default();
    assert_eq!(s, "2026-03-09T09:00:00-04:00");
}

#[test]
fn no_panic_on_odd_input() {
    let odd = [
        "",
        " ",
        "\u{0}",
        "🙂🙂 at 5",
        "İİİ tomorrow",
        "at",
        "from",
        "- - -",
        "+",
        "9999999999999999 days",
        "3/",
        "/3",
        "2026-",
        "T",
        "at 99:99",
        "in in in",
        "the the 31st of",
        "ß tomorrow ẞ",
        "\u{202e}tomorrow",
        "𝟙𝟚:𝟛𝟜",
        "١٢:٣٠",
        "31/31/31",
        "-0",
        "1e9 minutes",
        "half",
        "a few",
    ];
    let now = at(UTC, NOW);
    for a in odd {
        for b in odd {
            let s = format!("{a} {b}");
            let _ = find(&s, now);
            let _ = find_all(&s, now);
            let _ = find_combined(&s, now);
        }
    }
    let mut seed: u32 = 7;
    let alphabet: Vec<char> = "0123456789:/-.,+ apmtodyhrsinxé🙂".chars().collect();
    for _ in 0..2000 {
        let mut s = String::new();
        for _ in 0..12 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let idx = (seed >> 16) as usize % alphabet.len();
            if let Some(c) = alphabet.get(idx) {
                s.push(*c);
            }
        }
        let _ = find(&s, now);
    }
}
#[test]
fn compact_hours_and_weeks_with_a_direction() {
    assert_eq!(start("2h ago", NOW).as_deref(), Some("2026-03-10 10:00"));
    assert_eq!(start("the build broke 3hr ago", NOW).as_deref(), Some("2026-03-10 09:00"));
    // Ambiguous compact units and a unit set apart are not times.
    for text in ["7m ago", "20s later", "4 h ago", "2h", "the 1990s later on"] {
        assert!(find(text, at(UTC, NOW)).is_none(), "{text}");
    }
}

#[test]
fn a_message_that_is_only_a_month_name() {
    assert_eq!(start("September", NOW).as_deref(), Some("2026-09-01 00:00"));
    assert_eq!(start("February.", NOW).as_deref(), Some("2027-02-01 00:00"));
    assert_eq!(start("May", NOW).as_deref(), Some("2026-05-01 00:00"));
    // Lower-case "may" and "march" alone are words, not months.
    assert_eq!(start("may", NOW), None);
    assert_eq!(start("march", NOW), None);
}
#[test]
fn a_zone_named_after_the_time_sets_the_instant() {
    let now = at(New_York, "2026-07-01 08:00");
    // 14:00 in Tokyo is 01:00 in New York; today's has passed, so tomorrow's.
    let f = find("call at 14:00 JST", now);
    assert_eq!(f.as_ref().map(|f| fmt(&f.start)).as_deref(), Some("2026-07-02 01:00"));
    assert_eq!(f.and_then(|f| f.zone).map(|z| z.local_minus_utc()), Some(9 * 3600));
    // Both ends of a range share the zone said once.
    let f = find("tomorrow 9:00 - 10:30 PST", now);
    assert_eq!(f.as_ref().map(|f| fmt(&f.start)).as_deref(), Some("2026-07-02 13:00"));
    assert_eq!(f.as_ref().and_then(|f| f.end.as_ref().map(fmt)).as_deref(), Some("2026-07-02 14:30"));
    assert_eq!(f.and_then(|f| f.end_zone).map(|z| z.local_minus_utc()), Some(-8 * 3600));
    // An ISO offset is kept for display as well.
    let f = find("2026-05-01T10:00:00+02:00", now);
    assert_eq!(f.and_then(|f| f.zone).map(|z| z.local_minus_utc()), Some(2 * 3600));
    // Without a zone, the user's own.
    assert_eq!(find("at 9:00", now).and_then(|f| f.zone), None);
    // A zone word with no clock time is no time.
    assert!(find("the EST team", now).is_none());
}

fn start_in(text: &str, now: &str, code: &str) -> Option<String> {
    let lang = Lang::from_code(code).unwrap_or_default();
    find_in(text, at(UTC, now), lang).map(|f| fmt(&f.start))
}

#[test]
fn languages_by_code() {
    for code in [
        "en", "de", "fr", "es", "it", "pt", "nl", "ko", "ja", "zh", "ru", "sv", "da", "nb", "pl", "tr",
        "pt-BR",
    ] {
        assert!(Lang::from_code(code).is_some(), "{code}");
    }
    assert_eq!(Lang::from_code("xx"), None);
    assert_eq!(Lang::default(), Lang::ENGLISH);
}

#[test]
fn another_language_and_english_alongside() {
    assert_eq!(start_in("morgen um 15 Uhr", NOW, "de").as_deref(), Some("2026-03-11 15:00"));
    assert_eq!(start_in("dentist tomorrow at 3pm", NOW, "de").as_deref(), Some("2026-03-11 15:00"));
    assert_eq!(start_in("call mom 내일 오후 3시", NOW, "ko").as_deref(), Some("2026-03-11 15:00"));
}

#[test]
fn deadlines_are_the_day_or_time_itself() {
    let f = find("send the report by friday", at(UTC, NOW));
    assert_eq!(f.as_ref().map(|f| fmt(&f.start)).as_deref(), Some("2026-03-13 00:00"));
    assert_eq!(f.as_ref().map(|f| f.grain), Some(Grain::Day));
    assert_eq!(f.and_then(|f| f.end), None);
    assert_eq!(start("pay rent by 5pm", NOW).as_deref(), Some("2026-03-10 17:00"));
}

#[test]
fn numbers_in_ordinary_sentences_are_no_times() {
    for text in
        ["I need 2 eggs", "top 10 songs", "the 3 of us", "May I come in", "wait a second", "we march on"]
    {
        assert!(find(text, at(UTC, NOW)).is_none(), "{text}");
    }
}

#[test]
fn combined_day_and_time() {
    let text = "tomorrow remind me to call at 5pm";
    let (f, spans) = find_combined(text, at(UTC, NOW)).map_or((None, vec![]), |(f, s)| (Some(f), s));
    assert_eq!(f.map(|f| fmt(&f.start)).as_deref(), Some("2026-03-11 17:00"));
    let parts: Vec<&str> = spans.iter().filter_map(|s| text.get(s.clone())).collect();
    assert_eq!(parts, ["tomorrow", "at 5pm"]);
}

#[test]
fn a_day_said_after_a_clock_range_holds_for_both_ends() {
    assert_eq!(
        range("standup 9:15 - 9:45 on wednesday", NOW),
        Some(("2026-03-11 09:15".into(), Some("2026-03-11 09:45".into())))
    );
    assert_eq!(
        range("block 2pm-4pm friday for deep work", NOW),
        Some(("2026-03-13 14:00".into(), Some("2026-03-13 16:00".into())))
    );
}

#[test]
fn a_count_of_days_ahead_or_back_is_a_range() {
    assert_eq!(
        range("anything due in the next 4 days", NOW),
        Some(("2026-03-11 00:00".into(), Some("2026-03-15 00:00".into())))
    );
    let past = find("what did I finish over the past two weeks", at(UTC, NOW));
    assert!(
        past.is_some_and(
            |f| f.end.is_some_and(|e| e <= at(UTC, NOW)) && f.start < at(UTC, "2026-03-01 00:00")
        )
    );
}

#[test]
fn a_clock_range_already_under_way_with_no_day_is_tomorrows() {
    assert_eq!(
        range("reserve the court 11am to 1pm", "2026-03-10 11:30"),
        Some(("2026-03-11 11:00".into(), Some("2026-03-11 13:00".into())))
    );
}

#[test]
fn the_reading_that_keeps_the_written_day_and_zone_stands() {
    // The 10th of January 2027 is a Sunday: the day number outweighs the weekday.
    assert_eq!(start("renewal due Fri, 10 January", NOW).as_deref(), Some("2027-01-10 00:00"));
    // The time is the zone's own nine o'clock.
    assert_eq!(start("call with Denver at 9:00 MST", NOW).as_deref(), Some("2026-03-10 16:00"));
    // One to seven at night is the small hours.
    assert_eq!(start("the server restarts at 2 at night", NOW).as_deref(), Some("2026-03-11 02:00"));
}

fn period(text: &str, now: &str) -> Option<(Option<String>, Option<String>)> {
    let p = find(text, at(UTC, now))?.period?;
    Some((p.from.as_ref().map(fmt), p.to.as_ref().map(fmt)))
}

#[test]
fn a_part_of_the_day_is_one_time_to_act_on_and_the_stretch_to_look_in() {
    let s = |a: &str, b: &str| Some((Some(a.to_owned()), Some(b.to_owned())));
    assert_eq!(start("on thursday evening", NOW).as_deref(), Some("2026-03-12 19:00"));
    assert_eq!(period("on thursday evening", NOW), s("2026-03-12 18:00", "2026-03-13 00:00"));
    assert_eq!(period("saturday afternoon", NOW), s("2026-03-14 12:00", "2026-03-14 19:00"));
    assert_eq!(start("saturday afternoon", NOW).as_deref(), Some("2026-03-14 15:00"));
}

#[test]
fn a_bound_is_a_stretch_open_on_one_side() {
    let p = |a: Option<&str>, b: Option<&str>| Some((a.map(str::to_owned), b.map(str::to_owned)));
    // A deadline runs from now; its value is the deadline itself.
    assert_eq!(period("by 6pm", NOW), p(Some(NOW), Some("2026-03-10 18:00")));
    assert_eq!(start("by 6pm", NOW).as_deref(), Some("2026-03-10 18:00"));
    assert_eq!(period("after 4 pm", NOW), p(Some("2026-03-10 16:00"), None));
    assert_eq!(period("before 9 am", NOW), p(None, Some("2026-03-11 09:00")));
    // A plain time names no stretch.
    assert_eq!(period("at 4 pm", NOW), None);
}

#[test]
fn an_hour_in_words_with_its_meridiem_is_a_time() {
    assert_eq!(start("at quarter past nine pm", NOW).as_deref(), Some("2026-03-10 21:15"));
    assert_eq!(start("half past four pm", NOW).as_deref(), Some("2026-03-10 16:30"));
}

#[test]
fn the_morning_keeps_a_bare_hour_in_the_morning() {
    // A bare hour is the afternoon one ("at 5" is 17:00), unless the phrase says morning.
    assert_eq!(start("tomorrow morning at 6", NOW).as_deref(), Some("2026-03-11 06:00"));
    assert_eq!(start("early morning at 5", "2026-03-10 03:00").as_deref(), Some("2026-03-10 05:00"));
}

#[test]
fn a_time_said_in_another_zone_is_precise_to_the_minute() {
    let f = find("call at 9pm IST", at(UTC, NOW));
    assert_eq!(f.as_ref().map(|f| fmt(&f.start)).as_deref(), Some("2026-03-10 15:30"));
    assert_eq!(f.map(|f| f.grain), Some(Grain::Minute));
}

#[test]
fn a_bare_hour_beside_a_day_is_the_waking_hours_one() {
    // The day said after the hour, before it, or counted: the afternoon's hour.
    assert_eq!(start("swing by at 4 on thursday", NOW).as_deref(), Some("2026-03-12 16:00"));
    assert_eq!(start("at 2:15 on the 18th", NOW).as_deref(), Some("2026-03-18 14:15"));
    assert_eq!(start("in 3 days at 6", NOW).as_deref(), Some("2026-03-13 18:00"));
    // Something done in the evening takes 8 to 11 into the evening; the morning keeps it.
    assert_eq!(start("drinks at 9 on friday", NOW).as_deref(), Some("2026-03-13 21:00"));
    assert_eq!(start("gym at 9 on friday", NOW).as_deref(), Some("2026-03-13 09:00"));
    assert_eq!(start("breakfast with Ana at 7 on sunday", NOW).as_deref(), Some("2026-03-15 07:00"));
    assert_eq!(start("at 6 am on saturday", NOW).as_deref(), Some("2026-03-14 06:00"));
    // A length of time lands where it lands.
    assert_eq!(start("in 2 hours", "2026-03-10 23:30").as_deref(), Some("2026-03-11 01:30"));
}

#[test]
fn a_clock_read_aloud_is_read_to_the_minute_in_the_waking_hours() {
    // Said as a clock is read aloud, the hour beside a day is the afternoon's too.
    assert_eq!(start("swim lesson thursday at half past 4", NOW).as_deref(), Some("2026-03-12 16:30"));
    assert_eq!(start("pick up Ana friday at quarter to six", NOW).as_deref(), Some("2026-03-13 17:45"));
    assert_eq!(start("call the garage tomorrow at ten past 3", NOW).as_deref(), Some("2026-03-11 15:10"));
    assert_eq!(start("drinks saturday at half 8", NOW).as_deref(), Some("2026-03-14 20:30"));
    // The morning said after it keeps the morning, to the minute.
    assert_eq!(
        start("the ferry on sunday at quarter past 6 in the morning", NOW).as_deref(),
        Some("2026-03-15 06:15")
    );
    // A night out named by what is done at it is the evening's, the hour read to the minute.
    assert_eq!(start("karaoke night saturday at 9:45", NOW).as_deref(), Some("2026-03-14 21:45"));
    // "From 10 to 12" stays a range: a bare number before "to" counts no minutes.
    assert_eq!(
        range("workshop on monday from 10 to 12", NOW),
        Some(("2026-03-16 10:00".into(), Some("2026-03-16 12:00".into())))
    );
}

#[test]
fn hours_said_as_a_range_share_the_afternoon_and_the_day() {
    assert_eq!(
        range("from 3 to 5 on wednesday", NOW),
        Some(("2026-03-11 15:00".into(), Some("2026-03-11 17:00".into())))
    );
    assert_eq!(
        range("saturday from 10 to 4", NOW),
        Some(("2026-03-14 10:00".into(), Some("2026-03-14 16:00".into())))
    );
    assert_eq!(
        range("between 1 and 3 tomorrow", NOW),
        Some(("2026-03-11 13:00".into(), Some("2026-03-11 15:00".into())))
    );
    // With no day said, this afternoon's if it is still to come.
    assert_eq!(range("from 4 to 6", NOW), Some(("2026-03-10 16:00".into(), Some("2026-03-10 18:00".into()))));
}

#[test]
fn two_numbers_joined_beside_a_day_are_its_hours_not_a_date() {
    let r = |text: &str| range(text, NOW);
    let pair = |a: &str, b: &str| Some((a.to_string(), Some(b.to_string())));
    // Right after the day, with no "from" and no am/pm: the waking hours of that day.
    assert_eq!(r("thursday 1-3"), pair("2026-03-12 13:00", "2026-03-12 15:00"));
    assert_eq!(r("workshop april 2 10-12"), pair("2026-04-02 10:00", "2026-04-02 12:00"));
    assert_eq!(r("tomorrow 4 to 5:30"), pair("2026-03-11 16:00", "2026-03-11 17:30"));
    // Said before the day.
    assert_eq!(r("5 to 6 on saturday"), pair("2026-03-14 17:00", "2026-03-14 18:00"));
    assert_eq!(r("1-2 wednesday"), pair("2026-03-11 13:00", "2026-03-11 14:00"));
    // A date written in numbers stays a date.
    assert_eq!(start("friday 3-6-2026", NOW).as_deref(), Some("2026-03-06 00:00"));
}

#[test]
fn a_weekday_said_on_that_weekday_is_next_weeks() {
    // NOW is a Tuesday.
    assert_eq!(start("tuesday", NOW).as_deref(), Some("2026-03-17 00:00"));
    assert_eq!(
        range("tuesday 9-10", NOW),
        Some(("2026-03-17 09:00".into(), Some("2026-03-17 10:00".into())))
    );
}

#[test]
fn a_time_said_before_a_meal_keeps_its_hour() {
    // The library reads "sunday at noon lunch" whole as a day and loses the hour.
    assert_eq!(start("sunday at noon lunch at the club", NOW).as_deref(), Some("2026-03-15 12:00"));
}

#[test]
fn a_day_said_outright_is_kept() {
    // Said at noon: the afternoon's 3 today, not tomorrow's.
    assert_eq!(start("today at 3", NOW).as_deref(), Some("2026-03-10 15:00"));
    assert_eq!(start("call mum at 3 today", NOW).as_deref(), Some("2026-03-10 15:00"));
    assert_eq!(start("tomorrow at 3", NOW).as_deref(), Some("2026-03-11 15:00"));
}

#[test]
fn bare_hours_joined_by_till_are_a_range() {
    let thursday = Some(("2026-03-12 18:00".to_string(), Some("2026-03-12 20:00".to_string())));
    assert_eq!(range("parents evening thursday 6 till 8", NOW), thursday);
    assert_eq!(range("from 6 till 8 on thursday", NOW), thursday);
    // Opening hours run from the morning into the evening.
    let open = Some(("2026-03-12 10:00".to_string(), Some("2026-03-12 20:00".to_string())));
    assert_eq!(range("thursday 10 till 8", NOW), open);
    // Minutes before the hour stay so.
    assert_eq!(start("at ten till eight", NOW).as_deref(), Some("2026-03-10 19:50"));
}

#[test]
fn an_hour_said_roughly_is_the_same_waking_hour() {
    // "ish" makes the hour rough, not the morning's.
    assert_eq!(start("ring the garage at 5ish", NOW).as_deref(), Some("2026-03-10 17:00"));
    assert_eq!(start("drinks around sevenish", NOW).as_deref(), Some("2026-03-10 19:00"));
    assert_eq!(start("pop over saturday at 2ish", NOW).as_deref(), Some("2026-03-14 14:00"));
    // Said with the morning, it stays there.
    assert_eq!(start("breakfast at 8ish tomorrow", NOW).as_deref(), Some("2026-03-11 08:00"));
}

#[test]
fn a_bare_hour_said_with_today_is_todays_afternoon() {
    // 09:00: the morning's 4 is gone, so today's 4 is the afternoon's.
    assert_eq!(start("4 today", NOW).as_deref(), Some("2026-03-10 16:00"));
    assert_eq!(start("after 4 today", NOW).as_deref(), Some("2026-03-10 16:00"));
}

#[test]
fn a_season_as_a_deadline_is_its_next_first_day() {
    // March: this summer is still to come; this winter has begun, so it is next winter.
    assert_eq!(start("before summer", NOW).as_deref(), Some("2026-06-21 00:00"));
    assert_eq!(start("by winter", NOW).as_deref(), Some("2026-12-21 00:00"));
}

#[test]
fn the_end_of_a_working_day_is_that_day() {
    // The library reads "by the end of the day on friday" as today, "by friday eod" as
    // now, and leaves "close of business" out of the phrase.
    for said in [
        "get the quote back by the end of the day on friday",
        "quote back by friday eod",
        "the quote by close of business friday",
        "quote due cob friday",
    ] {
        assert_eq!(start(said, NOW).as_deref(), Some("2026-03-13 00:00"), "{said}");
    }
    // Said as a deadline, it runs from now until that day is over.
    let f = find("by close of business thursday", at(UTC, NOW));
    assert!(f.and_then(|f| f.period).is_some_and(|p| p.from.is_some() && p.to.is_some()));
    // A cob is also a loaf: alone it is no time.
    assert!(find("pick up a cob from the bakery", at(UTC, NOW)).is_none());
}

#[test]
fn before_the_end_of_a_month_is_its_last_day() {
    // The library leaves "before" out and reads the month's last week.
    assert_eq!(start("renew the lease before the end of april", NOW).as_deref(), Some("2026-04-30 00:00"));
    // A month gone by this year is next year's.
    assert_eq!(start("sort the loft before the end of january", NOW).as_deref(), Some("2027-01-31 00:00"));
}

#[test]
fn first_thing_is_nine_in_the_morning() {
    // The library reads "first thing monday" as the day, with "first thing" left over.
    assert_eq!(start("ring the surgery first thing monday", NOW).as_deref(), Some("2026-03-16 09:00"));
    // With no day said, the next nine o'clock to come.
    assert_eq!(start("first thing in the morning", NOW).as_deref(), Some("2026-03-11 09:00"));
    assert_eq!(start("first thing", "2026-03-10 07:30").as_deref(), Some("2026-03-10 09:00"));
}

#[test]
fn a_week_on_a_day_is_that_day_then_the_weeks() {
    // The library reads "a week on thursday" as the thursday, and "two weeks from
    // friday" as two weeks from today.
    for (said, day) in [
        ("collect the suit a week on thursday", "2026-03-19 00:00"),
        ("a fortnight on saturday", "2026-03-28 00:00"),
        ("two weeks from friday", "2026-03-27 00:00"),
        ("a week today", "2026-03-17 00:00"),
        ("tomorrow week", "2026-03-18 00:00"),
        ("the quiz is thursday week", "2026-03-19 00:00"),
        // Said on a Tuesday, "tuesday" is next week's, and a week on from it the one after.
        ("a week on tuesday", "2026-03-24 00:00"),
        ("tuesday week", "2026-03-24 00:00"),
    ] {
        assert_eq!(start(said, NOW).as_deref(), Some(day), "{said}");
    }
    // "this weekend" is no week said after a day.
    assert_eq!(start("sunday weekend", NOW).as_deref(), Some("2026-03-15 00:00"));
}

#[test]
fn a_day_we_read_takes_the_time_of_day_said_beside_it() {
    // The library took "monday after next at 3pm" whole, as next monday's 3pm.
    let at_three = |said: &str| find_combined(said, at(UTC, NOW)).map(|(f, _)| fmt(&f.start));
    assert_eq!(at_three("monday after next at 3pm").as_deref(), Some("2026-03-23 15:00"));
    assert_eq!(at_three("at 3pm monday after next").as_deref(), Some("2026-03-23 15:00"));
    assert_eq!(at_three("drinks a week on thursday at 6pm").as_deref(), Some("2026-03-19 18:00"));
    // A week or a month said whole by the library keeps its reading ("first week of
    // october 2014" is that year's).
    assert_eq!(start("first week of october 2014", NOW).as_deref(), Some("2014-10-06 00:00"));
}

#[test]
fn a_time_counted_from_a_thing_is_no_time_from_now() {
    // Read from now, "30 minutes before the meeting" was already past.
    for said in ["ring the taxi 30 minutes before the meeting", "2 days before my sister's wedding"] {
        assert!(find(said, at(UTC, NOW)).is_none(), "{said}");
        assert!(find_combined(said, at(UTC, NOW)).is_none(), "{said}");
    }
    // Counted from a day, it is that day's.
    assert_eq!(start("2 days before friday", NOW).as_deref(), Some("2026-03-11 00:00"));
}

#[test]
fn a_season_said_with_no_year_is_the_next_one() {
    // Said in November, this year's spring is over: "in spring" is next year's.
    let november = "2026-11-20 12:00";
    assert_eq!(start("repaint the fence in spring", november).as_deref(), Some("2027-03-20 00:00"));
    assert_eq!(start("over the summer", november).as_deref(), Some("2027-06-21 00:00"));
    // "last summer" says which.
    assert_eq!(start("last summer", november).as_deref(), Some("2026-06-21 00:00"));
}
