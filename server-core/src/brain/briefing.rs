//! The built-in daily briefing: a clear summary of today with no model needed.

use chrono::DateTime;

use crate::today::Today;

fn clock(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339).map(|t| t.format("%-I:%M %p").to_string()).unwrap_or_default()
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// "Good morning. Today, Saturday November 21, you have 2 events: ..."
pub fn compose(today: &Today) -> String {
    let day = chrono::NaiveDate::parse_from_str(&today.date, "%Y-%m-%d")
        .map(|d| d.format("%A %B %-d").to_string())
        .unwrap_or_else(|_| today.date.clone());
    let mut parts = vec![format!("{}. Today is {day}.", today.greeting)];
    if today.today_events.is_empty() {
        parts.push("Nothing is on your calendar.".into());
    } else {
        let events: Vec<String> = today
            .today_events
            .iter()
            .map(|e| {
                if e.is_all_day {
                    format!("{} (all day)", e.title)
                } else {
                    format!("{} at {}", e.title, clock(&e.start_time))
                }
            })
            .collect();
        parts.push(format!("You have {}: {}.", count(events.len(), "event", "events"), list(&events)));
    }
    if !today.today_tasks.is_empty() {
        let titles: Vec<String> = today.today_tasks.iter().map(|t| t.title.clone()).collect();
        parts.push(format!("Due today: {}.", list(&titles)));
    }
    if !today.overdue_tasks.is_empty() {
        let titles: Vec<String> = today.overdue_tasks.iter().map(|t| t.title.clone()).collect();
        parts.push(format!("{} overdue: {}.", count(titles.len(), "todo is", "todos are"), list(&titles)));
    }
    if today.today_tasks.is_empty() && today.overdue_tasks.is_empty() {
        parts.push("No todos are due.".into());
    }
    if !today.pinned_memos.is_empty() {
        let titles: Vec<String> = today.pinned_memos.iter().take(5).map(|m| m.title.clone()).collect();
        parts.push(format!("Pinned: {}.", list(&titles)));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_naturally() {
        assert_eq!(list(&["a".into()]), "a");
        assert_eq!(list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(count(1, "event", "events"), "1 event");
    }

    #[test]
    fn an_empty_day_says_so() {
        let today = Today {
            date: "2026-11-21".into(),
            greeting: "Good morning".into(),
            today_tasks: vec![],
            overdue_tasks: vec![],
            today_events: vec![],
            pinned_memos: vec![],
            briefing: None,
        };
        assert_eq!(
            compose(&today),
            "Good morning. Today is Saturday November 21. Nothing is on your calendar. No todos are due."
        );
    }
}
