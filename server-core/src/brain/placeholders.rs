//! Placeholders: how one task of a plan takes another's output. `"{{t1}}"` is the whole
//! output of task t1, `"{{t1.content}}"` one field of it. Only a whole string is a
//! placeholder, so text that merely contains braces is never read as a template.

use std::collections::HashMap;

use serde_json::Value;

use super::types::TaskRecord;

/// Whether any string in `value` is a placeholder for another task's output.
pub fn has_placeholder(value: &Value) -> bool {
    match value {
        Value::String(s) => placeholder(s).is_some(),
        Value::Array(items) => items.iter().any(has_placeholder),
        Value::Object(map) => map.values().any(has_placeholder),
        _ => false,
    }
}

/// `"{{t1.content}}"` names (task, field); anything else is not a placeholder.
fn placeholder(s: &str) -> Option<(&str, Option<&str>)> {
    let inner = s.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    match inner.split_once('.') {
        Some((task, field)) if !task.is_empty() && !field.is_empty() => Some((task, Some(field))),
        None if !inner.is_empty() => Some((inner, None)),
        _ => None,
    }
}

pub(super) fn rename_placeholders(value: Value, renames: &HashMap<String, String>) -> Value {
    match value {
        Value::String(s) => match placeholder(&s) {
            Some((task, field)) => match renames.get(task) {
                Some(new) => Value::String(match field {
                    Some(f) => format!("{{{{{new}.{f}}}}}"),
                    None => format!("{{{{{new}}}}}"),
                }),
                None => Value::String(s),
            },
            None => Value::String(s),
        },
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| rename_placeholders(v, renames)).collect())
        }
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, rename_placeholders(v, renames))).collect())
        }
        other => other,
    }
}

/// Replaces placeholders with the outputs of finished tasks. Only whole-string
/// placeholders are replaced, so text that merely contains braces (a file's content, a
/// memo) is never treated as a template.
pub(super) fn resolve_placeholders(value: &Value, state: &HashMap<String, TaskRecord>) -> Value {
    match value {
        Value::String(s) => match placeholder(s) {
            Some((task, field)) => {
                let output = state.get(task).and_then(|t| t.output.as_ref());
                match (output, field) {
                    (Some(out), None) => out.clone(),
                    (Some(out), Some(f)) => out.get(f).cloned().unwrap_or(Value::Null),
                    (None, _) => Value::Null,
                }
            }
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve_placeholders(v, state)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), resolve_placeholders(v, state))).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brain::types::{Intent, Target, TaskSpec, TaskStatus};
    use serde_json::json;

    #[test]
    fn placeholders_are_whole_strings_only() {
        assert_eq!(placeholder("{{t1}}"), Some(("t1", None)));
        assert_eq!(placeholder("{{t1.content}}"), Some(("t1", Some("content"))));
        assert_eq!(placeholder("see {{t1}}"), None);
        assert_eq!(placeholder("{{}}"), None);
    }

    #[test]
    fn renaming_and_resolving_follow_the_plan() {
        let renames = HashMap::from([("t1".to_owned(), "abc".to_owned())]);
        let inputs = rename_placeholders(json!({"content": "{{t1.content}}", "title": "x {{t1}}"}), &renames);
        assert_eq!(inputs, json!({"content": "{{abc.content}}", "title": "x {{t1}}"}));
        let done = TaskRecord {
            task: TaskSpec {
                task_id: "abc".into(),
                tool: Intent::FileRead,
                inputs: json!({}),
                depends_on: vec![],
            },
            status: TaskStatus::Done,
            target: Target::Host,
            output: Some(json!({"content": "hello {{x}}"})),
            error: None,
        };
        let state = HashMap::from([("abc".to_owned(), done)]);
        assert_eq!(
            resolve_placeholders(&inputs, &state),
            json!({"content": "hello {{x}}", "title": "x {{t1}}"})
        );
    }
}
