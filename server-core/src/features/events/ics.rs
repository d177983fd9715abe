//! Calendar files: `GET /api/events.ics` exports every event (repeating ones with their
//! RRULE, reminders as alarms); `POST /api/events/import` takes an `.ics` file from another
//! calendar. An import is all or nothing: one bad event and the answer says which and why,
//! and nothing is stored. Importing the same file again updates what it imported before.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::header;
use axum::response::IntoResponse;
use chrono::{DateTime, NaiveDateTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use icalendar::{
    Alarm, Calendar, CalendarDateTime, Component as _, DatePerhapsTime, EventLike as _, Trigger,
};

use crate::bus::Module;
use crate::features::OrganiserContext;
use crate::features::events::{self, CalendarEvent, EventRow, Imported, UID_SUFFIX};
use crate::infra::config::Settings;
use crate::infra::error::responses::{BodyTooLarge, NotLoggedIn};
use crate::infra::error::{Error, ErrorBody, Result};
use crate::infra::extract::Json;
use crate::infra::recurrence::normalise_rule;
use crate::infra::time::start_of_day;

/// Most events one file may hold.
pub const MAX_IMPORT: usize = 10_000;

/// Export every event as an iCalendar file.
#[utoipa::path(get, path = "/api/events.ics", tag = "events", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every event as iCalendar (RFC 5545)", content_type = "text/calendar", body = String),
        NotLoggedIn,
    ))]
pub(super) async fn export_events(State(state): State<OrganiserContext>) -> Result<impl IntoResponse> {
    let rows = events::all_with_uids(&state.db.read).await?;
    let mut calendar = Calendar::new();
    calendar.name("ClawChat");
    for (row, uid) in rows {
        let uid = uid.unwrap_or_else(|| format!("{}{UID_SUFFIX}", row.id));
        calendar.push(to_ical(&row, &uid, state.tz));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"clawchat.ics\""),
        ],
        calendar.done().to_string(),
    ))
}

fn to_ical(row: &EventRow, uid: &str, tz: Tz) -> icalendar::Event {
    let mut e = icalendar::Event::new();
    e.uid(uid).summary(&row.title);
    if !row.description.is_empty() {
        e.description(&row.description);
    }
    if let Some(l) = &row.location {
        e.location(l);
    }
    let utc = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    if row.is_all_day {
        let day = crate::infra::time::from_ms(row.start_at, tz).date_naive();
        e.starts(day);
        // DTEND of an all-day event is the day after its last (exclusive).
        let end = row.end_at.map_or_else(
            || day.succ_opt().unwrap_or(day),
            |ms| crate::infra::time::from_ms(ms, tz).date_naive().max(day.succ_opt().unwrap_or(day)),
        );
        e.ends(end);
    } else {
        e.starts(utc(row.start_at));
        if let Some(end) = row.end_at {
            e.ends(utc(end));
        }
    }
    if let Some(rule) = &row.recurrence_rule {
        e.add_property("RRULE", rule);
    }
    if let Some(m) = row.reminder_minutes {
        e.alarm(Alarm::display(&row.title, Trigger::from(-chrono::Duration::minutes(m))));
    }
    e.timestamp(utc(row.updated_at));
    e.done()
}

/// The OpenAPI `pattern` of an import: an iCalendar file whose every VEVENT has a DTSTART
/// (a date or a date-time); other lines are left to the reader.
pub const ICS_PATTERN: &str = r"^BEGIN:VCALENDAR\r?\n(([A-Za-z0-9-]+(;[^\r\n\x00-\x08\x0a-\x1f\x7f:]*)?:[^\r\n\x00-\x08\x0a-\x1f\x7f]*|[ \t][^\r\n\x00-\x08\x0a-\x1f\x7f]*)\r?\n)*(BEGIN:VEVENT\r?\n(([A-Za-z0-9-]+(;[^\r\n\x00-\x08\x0a-\x1f\x7f:]*)?:[^\r\n\x00-\x08\x0a-\x1f\x7f]*|[ \t][^\r\n\x00-\x08\x0a-\x1f\x7f]*)\r?\n)*DTSTART(;[^\r\n\x00-\x08\x0a-\x1f\x7f:]*)?:[0-9]{4}((0[13578]|1[02])(0[1-9]|[12][0-9]|3[01])|(0[469]|11)(0[1-9]|[12][0-9]|30)|02(0[1-9]|[12][0-9]))(T([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]Z?)?\r?\n(([A-Za-z0-9-]+(;[^\r\n\x00-\x08\x0a-\x1f\x7f:]*)?:[^\r\n\x00-\x08\x0a-\x1f\x7f]*|[ \t][^\r\n\x00-\x08\x0a-\x1f\x7f]*)\r?\n)*END:VEVENT\r?\n)+(([A-Za-z0-9-]+(;[^\r\n\x00-\x08\x0a-\x1f\x7f:]*)?:[^\r\n\x00-\x08\x0a-\x1f\x7f]*|[ \t][^\r\n\x00-\x08\x0a-\x1f\x7f]*)\r?\n)*END:VCALENDAR(\r?\n)?$";

/// The body of an import, as the document states it: text with [`ICS_PATTERN`].
pub struct IcsFile;

impl utoipa::PartialSchema for IcsFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new().schema_type(Type::String).pattern(Some(ICS_PATTERN)).into()
    }
}

impl utoipa::ToSchema for IcsFile {}

/// Import events from an iCalendar (`.ics`) file, sent as the raw body.
#[utoipa::path(post, path = "/api/events/import", tag = "events", security(("bearer" = [])),
    request_body(content = inline(IcsFile), content_type = "text/calendar", description = "An iCalendar file"),
    responses(
        (status = 200, description = "What the file added and changed", body = Imported),
        NotLoggedIn,
        BodyTooLarge,
        (status = 422, description = "Not a calendar file, or an event in it is unusable; nothing was imported", body = ErrorBody),
    ))]
pub(super) async fn import_events(
    State(state): State<OrganiserContext>,
    State(settings): State<Arc<Settings>>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<Imported>> {
    let body = body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge { limit: settings.body_limit }
        } else {
            Error::BadRequest { code: "unreadable_body", detail: "the request body could not be read".into() }
        }
    })?;
    let text = std::str::from_utf8(&body).map_err(|_| Error::invalid("file", "is not UTF-8 text"))?;
    let incoming = parse(text, state.tz)?;
    let imported = events::import_calendar(&state.db.write, incoming).await?;
    state.bus.data_changed(Module::Events);
    Ok(Json(imported))
}

/// Parses and checks a whole file; the first problem is the answer.
/// The import's reading step on its own, for the fuzz target: how many events a file
/// holds, or why it is refused. Nothing is stored.
#[cfg(feature = "fuzzing")]
pub fn read_for_fuzzing(text: &str) -> std::result::Result<usize, String> {
    parse(text, chrono_tz::UTC).map(|events| events.len()).map_err(|e| e.to_string())
}

fn parse(text: &str, tz: Tz) -> Result<Vec<CalendarEvent>> {
    if !text.trim_start().to_ascii_uppercase().starts_with("BEGIN:VCALENDAR") {
        return Err(Error::invalid("file", "is not an iCalendar file (it must start with BEGIN:VCALENDAR)"));
    }
    let calendar: Calendar = text.parse().map_err(|e: String| {
        Error::invalid("file", format!("is not a readable iCalendar file: {}", first_line(&e)))
    })?;
    let events: Vec<&icalendar::Event> = calendar.events().collect();
    if events.is_empty() {
        return Err(Error::invalid("file", "holds no events (VEVENT)"));
    }
    if events.len() > MAX_IMPORT {
        return Err(Error::invalid("file", format!("holds more than {MAX_IMPORT} events")));
    }
    events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            incoming(e, tz).map_err(|m| {
                let name = e
                    .get_summary()
                    .map_or_else(|| format!("event {}", i + 1), |s| format!("event {} ({s:?})", i + 1));
                Error::invalid("file", format!("{name}: {m}"))
            })
        })
        .collect()
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

fn incoming(e: &icalendar::Event, tz: Tz) -> std::result::Result<CalendarEvent, String> {
    let title = e.get_summary().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("(untitled)").to_owned();
    if title.chars().count() > 500 {
        return Err("its SUMMARY is longer than 500 characters".into());
    }
    let start = e.get_start().ok_or("it has no readable DTSTART")?;
    let (start_at, is_all_day) = instant(&start, tz)?;
    let end_at = match e.get_end() {
        Some(end) => Some(instant(&end, tz)?.0),
        None if is_all_day => Some(start_at + crate::infra::time::DAY_MS),
        None => None,
    };
    if end_at.is_some_and(|end| end < start_at) {
        return Err("its DTEND is before its DTSTART".into());
    }
    let recurrence_rule = match e.property_value("RRULE") {
        Some(rule) => Some(normalise_rule(rule).map_err(|err| err.to_string())?),
        None => None,
    };
    let reminder_minutes = e
        .components()
        .iter()
        .filter(|c| c.component_kind().eq_ignore_ascii_case("VALARM"))
        .find_map(|c| c.property_value("TRIGGER").and_then(trigger_minutes));
    Ok(CalendarEvent {
        uid: e.get_uid().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned),
        title,
        description: e.get_description().unwrap_or("").to_owned(),
        location: e.get_location().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned),
        start_at,
        end_at,
        is_all_day,
        reminder_minutes,
        recurrence_rule,
    })
}

/// A DATE or DATE-TIME as stored (ms), and whether it was a whole day. Floating times and
/// zones this server does not know are read in the user's zone.
fn instant(d: &DatePerhapsTime, tz: Tz) -> std::result::Result<(i64, bool), String> {
    let local = |naive: &NaiveDateTime, zone: Tz| {
        zone.from_local_datetime(naive)
            .earliest()
            .map(|t| t.timestamp_millis())
            .ok_or_else(|| format!("{naive} does not exist in {zone}"))
    };
    match d {
        DatePerhapsTime::Date(day) => Ok((start_of_day(*day, tz).timestamp_millis(), true)),
        DatePerhapsTime::DateTime(CalendarDateTime::Utc(t)) => Ok((t.timestamp_millis(), false)),
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(naive)) => Ok((local(naive, tz)?, false)),
        DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
            let zone = tzid.trim_matches('"').parse::<Tz>().unwrap_or(tz);
            Ok((local(date_time, zone)?, false))
        }
    }
}

/// `-PT15M`, `-PT1H30M`, `-P1D`, `-P1W`, `PT0S`: minutes before the start (a trigger after
/// the start counts as at it).
fn trigger_minutes(v: &str) -> Option<i64> {
    let v = v.trim();
    let (before, rest) = match v.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    let rest = rest.strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut minutes = 0i64;
    let mut num = String::new();
    for (part, in_time) in [(days, false), (time, true)] {
        for ch in part.chars() {
            if ch.is_ascii_digit() {
                num.push(ch);
                continue;
            }
            let n: i64 = num.parse().ok()?;
            num.clear();
            minutes += match (ch, in_time) {
                ('W', false) => n * 7 * 1440,
                ('D', false) => n * 1440,
                ('H', true) => n * 60,
                ('M', true) => n,
                ('S', true) => n / 60,
                _ => return None,
            };
        }
    }
    if !num.is_empty() {
        return None;
    }
    Some(if before { minutes.min(40_320) } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn alarm_triggers_read_as_minutes_before() {
        assert_eq!(trigger_minutes("-PT15M"), Some(15));
        assert_eq!(trigger_minutes("-PT1H30M"), Some(90));
        assert_eq!(trigger_minutes("-P1D"), Some(1440));
        assert_eq!(trigger_minutes("PT0S"), Some(0));
        assert_eq!(trigger_minutes("soon"), None);
    }

    #[test]
    fn the_documented_pattern_is_the_constant_and_admits_a_calendar() {
        let spec = serde_json::to_value(crate::openapi()).unwrap();
        let body = &spec["paths"]["/api/events/import"]["post"]["requestBody"]["content"]["text/calendar"];
        assert_eq!(body["schema"]["pattern"], ICS_PATTERN);
        assert_eq!(body["schema"]["type"], "string");
        let pattern = regex::Regex::new(ICS_PATTERN).unwrap();
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Standup\r\nDTSTART;TZID=Europe/Berlin:20260310T090000\r\nRRULE:FREQ=WEEKLY;BYDAY=TU\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert!(pattern.is_match(text));
        assert!(parse(text, Tz::UTC).is_ok());
        assert!(!pattern.is_match("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"));
    }

    #[test]
    fn a_file_that_is_not_a_calendar_is_refused() {
        assert!(parse("hello", Tz::UTC).is_err());
        assert!(parse("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", Tz::UTC).is_err());
    }

    #[test]
    fn zoned_and_all_day_starts_are_read_in_their_zone() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Standup\r\nDTSTART;TZID=Europe/Berlin:20260310T090000\r\nRRULE:FREQ=WEEKLY;BYDAY=TU\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Holiday\r\nDTSTART;VALUE=DATE:20260401\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let got = parse(text, Tz::UTC).unwrap();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let nine = berlin.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap().timestamp_millis();
        assert_eq!(got[0].start_at, nine);
        assert_eq!(got[0].recurrence_rule.as_deref(), Some("FREQ=WEEKLY;BYDAY=TU"));
        assert!(got[1].is_all_day);
        let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert_eq!(got[1].start_at, start_of_day(day, Tz::UTC).timestamp_millis());
    }
}
