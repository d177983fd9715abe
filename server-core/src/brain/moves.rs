//! Where an item the assistant moves lands. Said to a day ("move the dentist to
//! friday"), a timed event keeps its time of day; said by an amount ("push my haircut
//! back an hour", `shift_minutes`), the item's own time moves by it. An event's end
//! moves with its start, keeping its length, unless a new end is said too.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde_json::Value;

use super::actions::{ToolError, when};
use crate::features::events::EventRow;
use crate::features::todos::TodoRow;
use crate::infra::time::{When, from_ms, local_instant};

/// The param that moves an item by an amount (minutes, later when positive) and how far
/// it may go, as the parser says them.
pub use clawchat_understand::{MOST_SHIFT_MINUTES, SHIFT_MINUTES};

const DAY_MINUTES: i64 = 24 * 60;

fn shift_minutes(inputs: &Value) -> Result<Option<i64>, ToolError> {
    match inputs.get(SHIFT_MINUTES) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            v.as_i64().filter(|m| *m != 0 && m.abs() <= MOST_SHIFT_MINUTES).map(Some).ok_or_else(|| {
                ToolError::Failed(format!(
                    "{SHIFT_MINUTES} must be a whole number of minutes, at most a year"
                ))
            })
        }
    }
}

fn at(ms: i64, tz: Tz) -> When {
    When::At(from_ms(ms, tz).fixed_offset())
}

/// `day` at the wall-clock time `ms` has in `tz`.
fn on_day(day: NaiveDate, ms: i64, tz: Tz) -> When {
    When::At(local_instant(day, from_ms(ms, tz).time(), tz).fixed_offset())
}

/// `ms` moved by `minutes`: whole days keep the wall-clock time ("a day later" across a
/// clock change is the same hour), anything else counts real time.
fn moved(ms: i64, minutes: i64, tz: Tz) -> When {
    if minutes % DAY_MINUTES == 0 {
        return on_day(local_day(ms, tz) + Duration::days(minutes / DAY_MINUTES), ms, tz);
    }
    at(ms + minutes * 60_000, tz)
}

fn local_day(ms: i64, tz: Tz) -> NaiveDate {
    from_ms(ms, tz).date_naive()
}

/// An event's new start and end, as an [`crate::features::events::EventPatch`] takes them.
pub type EventTimes = (Option<When>, Option<Option<When>>);

pub fn event_times(row: &EventRow, inputs: &Value, tz: Tz) -> Result<EventTimes, ToolError> {
    let said_end = when(inputs, "end_time")?;
    let start = match (when(inputs, "start_time")?, shift_minutes(inputs)?) {
        // "move the dentist to friday": that day, at the time it had.
        (Some(When::Day(day)), _) if !row.is_all_day => Some(on_day(day, row.start_at, tz)),
        (Some(w), _) => Some(w),
        (None, Some(m)) if row.is_all_day && m % DAY_MINUTES == 0 => {
            let day = local_day(row.start_at, tz) + Duration::days(m / DAY_MINUTES);
            Some(When::Day(day))
        }
        (None, Some(m)) => Some(moved(row.start_at, m, tz)),
        (None, None) => None,
    };
    let end = match (said_end, start, row.end_at) {
        (Some(e), _, _) => Some(Some(e)),
        (None, Some(s), Some(old_end)) => Some(Some(at(s.to_ms(tz) + (old_end - row.start_at), tz))),
        _ => None,
    };
    Ok((start, end))
}

/// A todo's new due date: as said, or its own moved by the amount said.
pub fn todo_due(row: &TodoRow, inputs: &Value, tz: Tz) -> Result<Option<When>, ToolError> {
    if let Some(w) = when(inputs, "due_date")? {
        return Ok(Some(w));
    }
    let Some(m) = shift_minutes(inputs)? else { return Ok(None) };
    let Some(due) = row.due_at else {
        return Err(ToolError::Failed(format!(
            "'{}' has no due date to move; say when it is due",
            row.title
        )));
    };
    if row.due_is_date {
        if m % DAY_MINUTES != 0 {
            return Err(ToolError::Failed(format!(
                "'{}' is due on a day, not at a time; move it by whole days or to a time",
                row.title
            )));
        }
        return Ok(Some(When::Day(local_day(due, tz) + Duration::days(m / DAY_MINUTES))));
    }
    Ok(Some(moved(due, m, tz)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(start: &str, end: Option<&str>, all_day: bool) -> EventRow {
        let tz = chrono_tz::America::Los_Angeles;
        let ms = |s: &str| When::parse(s).map(|w| w.to_ms(tz)).unwrap_or_default();
        EventRow {
            id: "e".into(),
            title: "Dentist".into(),
            description: String::new(),
            location: None,
            start_at: ms(start),
            end_at: end.map(ms),
            is_all_day: all_day,
            reminder_minutes: None,
            recurrence_rule: None,
            tags: "[]".into(),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn shown(w: Option<When>) -> String {
        let tz = chrono_tz::America::Los_Angeles;
        w.map(|w| from_ms(w.to_ms(tz), tz).to_rfc3339()).unwrap_or_default()
    }

    #[test]
    fn a_timed_event_moved_to_a_day_keeps_its_time_and_its_length() {
        let tz = chrono_tz::America::Los_Angeles;
        let row = event("2026-03-10T10:00:00-07:00", Some("2026-03-10T10:45:00-07:00"), false);
        let (start, end) = event_times(&row, &json!({"start_time": "2026-03-13"}), tz).unwrap();
        assert_eq!(shown(start), "2026-03-13T10:00:00-07:00");
        assert_eq!(shown(end.flatten()), "2026-03-13T10:45:00-07:00");
    }

    #[test]
    fn a_shift_moves_start_and_end_by_the_amount() {
        let tz = chrono_tz::America::Los_Angeles;
        let row = event("2026-03-07T16:00:00-08:00", Some("2026-03-07T17:00:00-08:00"), false);
        let (start, end) = event_times(&row, &json!({"shift_minutes": 90}), tz).unwrap();
        assert_eq!(shown(start), "2026-03-07T17:30:00-08:00");
        assert_eq!(shown(end.flatten()), "2026-03-07T18:30:00-08:00");
        let (start, _) = event_times(&row, &json!({"shift_minutes": -30}), tz).unwrap();
        assert_eq!(shown(start), "2026-03-07T15:30:00-08:00");
        // A day later across the change to summer time (the 8th) is the same hour.
        let (start, end) = event_times(&row, &json!({"shift_minutes": 24 * 60}), tz).unwrap();
        assert_eq!(shown(start), "2026-03-08T16:00:00-07:00");
        assert_eq!(shown(end.flatten()), "2026-03-08T17:00:00-07:00");
    }

    #[test]
    fn an_all_day_event_moved_by_days_stays_all_day() {
        let tz = chrono_tz::America::Los_Angeles;
        let row = event("2026-03-10", None, true);
        let (start, end) = event_times(&row, &json!({"shift_minutes": 2 * 24 * 60}), tz).unwrap();
        assert!(matches!(start, Some(When::Day(d)) if d.to_string() == "2026-03-12"), "{start:?}");
        assert!(end.is_none());
    }

    #[test]
    fn a_shift_that_is_no_number_or_too_far_is_refused() {
        let tz = chrono_tz::America::Los_Angeles;
        let row = event("2026-03-10T10:00:00-07:00", None, false);
        for bad in
            [json!({"shift_minutes": "soon"}), json!({"shift_minutes": 600_000}), json!({"shift_minutes": 0})]
        {
            assert!(event_times(&row, &bad, tz).is_err(), "{bad}");
        }
    }
}
