//! The action card a finished task shows: what the assistant did, with the buttons it
//! offers (undo, complete, open, edit), so undoing is one REST call the card already spells out.

use serde_json::{Value, json};

use super::types::{Intent, TaskRecord, TaskStatus};

/// Cards are `(card_type, buttons)`; each button `{action, label, method, path, body?}`.
type Card = (&'static str, Vec<Value>);

/// The card a finished task shows, if it shows one.
pub fn card_for(task: &TaskRecord) -> Option<(String, Value, Vec<Value>)> {
    if task.status != TaskStatus::Done {
        return Some((
            "task_result".into(),
            json!({"task_id": task.task.task_id, "tool": task.task.tool, "status": task.status, "error": task.error}),
            vec![],
        ));
    }
    let out = task.output.as_ref();
    let card = match task.task.tool {
        tool @ (Intent::CreateTodo | Intent::CompleteTodo | Intent::UpdateTodo | Intent::DeleteTodo) => {
            todo_card(tool, out)?
        }
        tool @ (Intent::CreateEvent | Intent::UpdateEvent | Intent::DeleteEvent) => event_card(tool, out)?,
        tool @ (Intent::CreateMemo | Intent::UpdateMemo | Intent::DeleteMemo) => memo_card(tool, out)?,
        Intent::QueryTodos
        | Intent::QueryEvents
        | Intent::QueryMemos
        | Intent::Search
        | Intent::WebSearch => ("search_results", vec![]),
        Intent::DailyBriefing => ("briefing", vec![]),
        _ => ("task_result", vec![]),
    };
    Some((card.0.to_owned(), out.cloned().unwrap_or(Value::Null), card.1))
}

/// One button of a card.
fn action(name: &str, label: &str, method: &str, path: String, body: Option<Value>) -> Value {
    let mut a = json!({"action": name, "label": label, "method": method, "path": path});
    if let (Some(b), Some(map)) = (body, a.as_object_mut()) {
        map.insert("body".into(), b);
    }
    a
}

/// The id of the item the output holds under `key`.
fn id_of(out: Option<&Value>, key: &str) -> Option<String> {
    out.and_then(|o| o.get(key)).and_then(|v| v.get("id")).and_then(Value::as_str).map(str::to_owned)
}

fn todo_card(tool: Intent, out: Option<&Value>) -> Option<Card> {
    Some(match tool {
        Intent::CreateTodo => {
            let id = id_of(out, "todo")?;
            (
                "todo_created",
                vec![
                    action("undo", "Undo", "DELETE", format!("/api/todos/{id}"), None),
                    action(
                        "complete",
                        "Complete",
                        "PATCH",
                        format!("/api/todos/{id}"),
                        Some(json!({"status": "completed"})),
                    ),
                    action("open", "Open", "GET", format!("/api/todos/{id}"), None),
                    action("edit", "Edit", "PATCH", format!("/api/todos/{id}"), None),
                ],
            )
        }
        Intent::CompleteTodo => {
            let id = id_of(out, "todo")?;
            (
                "todo_completed",
                vec![action(
                    "undo",
                    "Undo",
                    "PATCH",
                    format!("/api/todos/{id}"),
                    Some(json!({"status": "pending"})),
                )],
            )
        }
        Intent::UpdateTodo => {
            let id = id_of(out, "todo")?;
            let before = out.and_then(|o| o.get("before")).cloned();
            let restore = before.map(|b| json!({"title": b["title"], "description": b["description"], "priority": b["priority"], "due_date": b["due_date"], "tags": b["tags"]}));
            ("todo_updated", vec![action("undo", "Undo", "PATCH", format!("/api/todos/{id}"), restore)])
        }
        Intent::DeleteTodo => {
            let recreate = out.and_then(|o| o.get("todo")).map(|t| json!({"title": t["title"], "description": t["description"], "priority": t["priority"], "due_date": t["due_date"], "tags": t["tags"], "status": t["status"]}));
            match recreate {
                Some(body) => {
                    ("todo_deleted", vec![action("undo", "Undo", "POST", "/api/todos".into(), Some(body))])
                }
                None => ("todos_deleted", vec![]),
            }
        }
        _ => return None,
    })
}

fn event_card(tool: Intent, out: Option<&Value>) -> Option<Card> {
    Some(match tool {
        Intent::CreateEvent => {
            let id = id_of(out, "event")?;
            (
                "event_created",
                vec![
                    action("undo", "Undo", "DELETE", format!("/api/events/{id}"), None),
                    action("open", "Open", "GET", format!("/api/events/{id}"), None),
                    action("edit", "Edit", "PATCH", format!("/api/events/{id}"), None),
                ],
            )
        }
        Intent::UpdateEvent => {
            let id = id_of(out, "event")?;
            let before = out.and_then(|o| o.get("before")).cloned();
            let restore = before.map(|b| json!({"title": b["title"], "start_time": b["start_time"], "end_time": b["end_time"], "location": b["location"], "description": b["description"]}));
            ("event_updated", vec![action("undo", "Undo", "PATCH", format!("/api/events/{id}"), restore)])
        }
        Intent::DeleteEvent if out.and_then(|o| o.get("deleted")).is_some() => ("events_deleted", vec![]),
        Intent::DeleteEvent => {
            let body = out.and_then(|o| o.get("event")).map(|e| json!({"title": e["title"], "description": e["description"], "location": e["location"], "start_time": e["start_time"], "end_time": e["end_time"], "is_all_day": e["is_all_day"], "reminder_minutes": e["reminder_minutes"], "recurrence_rule": e["recurrence_rule"], "tags": e["tags"]}));
            (
                "event_deleted",
                body.map(|b| vec![action("undo", "Undo", "POST", "/api/events".into(), Some(b))])
                    .unwrap_or_default(),
            )
        }
        _ => return None,
    })
}

fn memo_card(tool: Intent, out: Option<&Value>) -> Option<Card> {
    Some(match tool {
        Intent::CreateMemo => {
            let id = id_of(out, "memo")?;
            (
                "memo_created",
                vec![
                    action("undo", "Undo", "DELETE", format!("/api/memos/{id}"), None),
                    action("open", "Open", "GET", format!("/api/memos/{id}"), None),
                ],
            )
        }
        Intent::UpdateMemo => {
            let id = id_of(out, "memo")?;
            let restore = out
                .and_then(|o| o.get("before"))
                .map(|b| json!({"title": b["title"], "content": b["content"]}));
            ("memo_updated", vec![action("undo", "Undo", "PATCH", format!("/api/memos/{id}"), restore)])
        }
        Intent::DeleteMemo => {
            let body = out.and_then(|o| o.get("memo")).map(|m| json!({"title": m["title"], "content": m["content"], "tags": m["tags"], "pinned": m["pinned"]}));
            (
                "memo_deleted",
                body.map(|b| vec![action("undo", "Undo", "POST", "/api/memos".into(), Some(b))])
                    .unwrap_or_default(),
            )
        }
        _ => return None,
    })
}
