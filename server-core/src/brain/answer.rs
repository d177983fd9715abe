//! The built-in assistant's words: the immediate answer to what was understood, and
//! the summary of what the plan did. Short, natural, and true to what happened.

use chrono::{DateTime, Datelike as _, NaiveDate};
use chrono_tz::Tz;
use serde_json::Value;

use super::types::{Intent, ParseResult, TaskRecord, TaskStatus};

pub const OFFLINE_HELP: &str = "I'm working offline, so I can't chat freely, but I can add todos and reminders \
(\"remind me to call mom at 6pm\"), put events on your calendar, save memos, search everything you've stored \
and give you a daily briefing. Connect a model in the settings for open conversation.";

fn param<'a>(p: &'a ParseResult, key: &str) -> Option<&'a str> {
    p.params.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// "today", "tomorrow", "on Friday", "on Mar 13", plus " at 3:00 PM" when a time was said.
pub fn spoken_when(value: &str, now: DateTime<Tz>) -> String {
    let tz = now.timezone();
    let (day, time) = match DateTime::parse_from_rfc3339(value) {
        Ok(t) => {
            let local = t.with_timezone(&tz);
            (local.date_naive(), Some(local.format("%-I:%M %p").to_string()))
        }
        Err(_) => match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(d) => (d, None),
            Err(_) => return String::new(),
        },
    };
    let today = now.date_naive();
    let days = (day - today).num_days();
    let day_words = match days {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        -1 => "yesterday".to_owned(),
        2..=6 => format!("on {}", day.format("%A")),
        _ if day.year() == today.year() => format!("on {}", day.format("%b %-d")),
        _ => format!("on {}", day.format("%b %-d, %Y")),
    };
    match time {
        Some(t) => format!("{day_words} at {t}"),
        None => day_words,
    }
}

fn quoted(s: &str) -> String {
    format!("'{s}'")
}

/// What the assistant says at once, before any task has run.
pub fn immediate(p: &ParseResult, now: DateTime<Tz>) -> String {
    let title = param(p, "title").map(quoted).unwrap_or_else(|| "that".into());
    let when = |key: &str| param(p, key).map(|v| spoken_when(v, now)).filter(|w| !w.is_empty());
    let compound = p.tasks.len() > 1;
    let first = match p.intent {
        Intent::GeneralChat => return OFFLINE_HELP.into(),
        Intent::CreateTodo => match when("due_date") {
            Some(w) => format!("Added {title} for {w}."),
            None => format!("Added {title} to your todos."),
        },
        Intent::QueryTodos => "Here are your todos.".into(),
        Intent::UpdateTodo => format!("Updating the todo {title}."),
        Intent::DeleteTodo
            if param(p, "query") == Some("*") && p.params.get("completed") == Some(&Value::Bool(true)) =>
        {
            "That would delete the todos you have done, so I'll ask you to confirm first.".into()
        }
        Intent::DeleteTodo if param(p, "query") == Some("*") => {
            "That would clear the whole list, so I'll ask you to confirm first.".into()
        }
        Intent::DeleteTodo => format!("Deleting the todo {title}."),
        Intent::CompleteTodo => format!("Marking {title} as done."),
        Intent::CreateEvent => match when("start_time") {
            Some(w) => format!("Scheduled {title} {w}."),
            None => format!("Scheduled {title}."),
        },
        Intent::QueryEvents => "Here's your calendar.".into(),
        Intent::UpdateEvent => match (param(p, "title"), when(clawchat_understand::AT_TIME)) {
            (None, Some(w)) => format!("Moving your event {w}."),
            _ => format!("Updating the event {title}."),
        },
        Intent::DeleteEvent if param(p, "query") == Some("*") => {
            "That would clear those events from your calendar, so I'll ask you to confirm first.".into()
        }
        Intent::DeleteEvent if param(p, "target") == Some("next") => match param(p, "title") {
            Some(_) => format!("Removing your next {title} from your calendar."),
            None => "Removing your next event from your calendar.".into(),
        },
        Intent::DeleteEvent => match (param(p, "title"), when("start_time")) {
            (None, Some(w)) => format!("Removing your event {w} from your calendar."),
            _ => format!("Removing the event {title} from your calendar."),
        },
        Intent::CreateMemo if !compound => match param(p, "title") {
            Some(t) => format!("Saved the memo {}.", quoted(t)),
            None => "Saved that as a memo.".into(),
        },
        Intent::CreateMemo => "Saving that as a memo.".into(),
        Intent::QueryMemos => "Here are your memos.".into(),
        Intent::UpdateMemo => "Updating that memo.".into(),
        Intent::DeleteMemo => "Deleting that memo.".into(),
        Intent::Search => {
            format!("Searching for {}.", param(p, "query").map(quoted).unwrap_or_else(|| "that".into()))
        }
        Intent::DailyBriefing => "Here's your day.".into(),
        Intent::DelegateTask => "I'll work on that in the background and tell you when it's done.".into(),
        Intent::WebSearch => format!(
            "Searching the web for {}.",
            param(p, "query").map(quoted).unwrap_or_else(|| "that".into())
        ),
        Intent::FileRead => format!("Reading {}.", param(p, "path").unwrap_or("the file")),
        Intent::FileCreate => {
            format!("I'll create {} once you approve.", param(p, "path").unwrap_or("the file"))
        }
        Intent::OpenApp => format!("I'll open {} once you approve.", param(p, "target").unwrap_or("it")),
        Intent::ExecutorShell => {
            format!("I'll run `{}` once you approve.", param(p, "command").unwrap_or(""))
        }
    };
    if compound {
        let steps: Vec<&str> = p.tasks.iter().map(|t| t.task.tool.as_str()).collect();
        format!("{first} Plan: {}.", steps.join(", then "))
    } else {
        first
    }
}

fn titles(items: Option<&Value>) -> Vec<String> {
    items
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|i| i.get("title").and_then(Value::as_str)).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => format!("'{one}'"),
        [init @ .., last] => {
            format!("{} and '{last}'", init.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", "))
        }
    }
}

/// What the plan did, for the parts the immediate answer could not know: what a query
/// found, and anything that failed or was refused.
pub fn results(tasks: &[TaskRecord]) -> Option<String> {
    let mut lines = Vec::new();
    for t in tasks {
        match t.status {
            TaskStatus::Done => done_lines(t, &mut lines),
            TaskStatus::Failed => {
                lines
                    .push(format!("That didn't work: {}.", t.error.as_deref().unwrap_or("an unknown error")));
            }
            TaskStatus::Cancelled => {
                lines.push(format!(
                    "I didn't {}: {}.",
                    t.task.tool.as_str().replace('_', " "),
                    t.error.as_deref().unwrap_or("cancelled")
                ));
            }
            _ => {}
        }
    }
    (!lines.is_empty()).then(|| lines.join(" "))
}

/// What a finished task adds to the answer, if anything.
fn done_lines(t: &TaskRecord, lines: &mut Vec<String>) {
    let out = t.output.as_ref();
    match t.task.tool {
        Intent::QueryTodos => {
            let found = titles(out.and_then(|o| o.get("todos")));
            lines.push(if found.is_empty() {
                "You have no open todos there.".to_owned()
            } else {
                format!("Open: {}.", join(&found))
            });
        }
        Intent::QueryEvents => {
            let found = titles(out.and_then(|o| o.get("events")));
            lines.push(if found.is_empty() {
                "Nothing is on your calendar then.".to_owned()
            } else {
                format!("On your calendar: {}.", join(&found))
            });
        }
        Intent::QueryMemos => {
            let found = titles(out.and_then(|o| o.get("memos")));
            lines.push(if found.is_empty() {
                "No memos match.".to_owned()
            } else {
                format!("Memos: {}.", join(&found))
            });
        }
        Intent::Search => {
            let found = titles(out.and_then(|o| o.get("results")));
            lines.push(if found.is_empty() {
                "Nothing matches.".to_owned()
            } else {
                format!("Found {}.", join(&found))
            });
        }
        Intent::DailyBriefing => {
            if let Some(text) = out.and_then(|o| o.get("text")).and_then(Value::as_str) {
                lines.push(text.to_owned());
            }
        }
        Intent::DeleteTodo => {
            if let Some(n) = out.and_then(|o| o.get("deleted")).and_then(Value::as_u64) {
                lines.push(format!("Deleted {n} todos."));
            }
        }
        Intent::DeleteEvent => {
            if let Some(n) = out.and_then(|o| o.get("deleted")).and_then(Value::as_u64) {
                lines.push(format!("Deleted {n} events."));
            }
            let kept = titles(out.and_then(|o| o.get("kept_repeating")));
            if !kept.is_empty() {
                lines.push(format!(
                    "Kept {}: each repeats, and deleting it would remove every time it comes.",
                    join(&kept)
                ));
            }
        }
        Intent::WebSearch => match out.and_then(|o| o.get("configured")).and_then(Value::as_bool) {
            Some(false) => {
                lines.push("Web search isn't set up, so I looked in your own notes instead.".to_owned());
            }
            _ => {
                let found = titles(out.and_then(|o| o.get("results")));
                if found.is_empty() {
                    lines.push("The web search found nothing.".to_owned());
                } else {
                    lines.push(format!("From the web: {}.", join(&found)));
                }
            }
        },
        Intent::FileRead | Intent::ExecutorShell | Intent::FileCreate | Intent::OpenApp => {
            lines.push(format!("Done: {}.", t.task.tool.as_str().replace('_', " ")));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn dates_are_spoken_relative_to_now() {
        let tz: Tz = "Europe/Lisbon".parse().unwrap();
        let now = tz.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).unwrap();
        assert_eq!(spoken_when("2026-11-22T15:00:00+00:00", now), "tomorrow at 3:00 PM");
        assert_eq!(spoken_when("2026-11-21", now), "today");
        assert_eq!(spoken_when("2026-11-24", now), "on Tuesday");
        assert_eq!(spoken_when("2027-01-05", now), "on Jan 5, 2027");
    }
}
