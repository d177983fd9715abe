//! The tool registry: the single list of what the assistant can do.
//!
//! Each tool has a name (equal to its intent's name), a namespace, where it runs, a
//! description, a JSON Schema of its inputs and a risk. The model's tool definitions,
//! the task engine's routing and approval rules, and `Intent::target` all read this
//! table; nothing else lists the tools.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::types::{Intent, Target};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Namespace {
    #[serde(rename = "core.todo")]
    Todo,
    #[serde(rename = "core.calendar")]
    Calendar,
    #[serde(rename = "core.memo")]
    Memo,
    #[serde(rename = "core.search")]
    Search,
    #[serde(rename = "core.web")]
    Web,
    #[serde(rename = "host.fs")]
    HostFs,
    #[serde(rename = "host.sys")]
    HostSys,
    #[serde(rename = "host.sh")]
    HostSh,
}

/// What running a tool can do to the user's world, which decides who must say yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    Read,
    Write,
    Destructive,
    Execute,
}

#[derive(Debug, Clone, Copy)]
pub struct Tool {
    pub intent: Intent,
    pub namespace: Namespace,
    pub target: Target,
    pub risk: Risk,
    pub description: &'static str,
    /// Builds the JSON Schema of the inputs (a function, because `json!` is not const).
    schema: fn() -> Value,
}

impl Tool {
    pub fn name(&self) -> &'static str {
        self.intent.as_str()
    }

    pub fn input_schema(&self) -> Value {
        (self.schema)()
    }

    /// Host tools that change something wait for the user's explicit yes. Organiser
    /// actions run at once: they are what the user asked for, and each can be undone.
    pub fn needs_approval(&self) -> bool {
        self.target == Target::Host && self.risk != Risk::Read
    }

    /// Checks `inputs` against [`Tool::input_schema`]: an object with the required fields,
    /// no others, each of its declared type (and one of its values, for an `enum`). The
    /// schemas here use only those keywords (a test below holds them to it), so this is
    /// the whole of their meaning. The error names the field, for the caller to fix.
    pub fn check_inputs(&self, inputs: &Map<String, Value>) -> Result<(), String> {
        let schema = self.input_schema();
        let properties = schema.get("properties").and_then(Value::as_object);
        for field in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(field) = field.as_str().filter(|f| !inputs.contains_key(*f)) {
                return Err(format!("{field}: required"));
            }
        }
        for (field, value) in inputs {
            let Some(rule) = properties.and_then(|p| p.get(field)) else {
                return Err(format!("{field}: {} takes no such field", self.name()));
            };
            check_value(rule, value).map_err(|e| format!("{field}: {e}"))?;
        }
        Ok(())
    }

    /// The OpenAI-style function definition handed to a model.
    pub fn model_definition(&self) -> Value {
        json!({
            "type": "function",
            "function": {
                "name": self.name(),
                "description": self.description,
                "parameters": self.input_schema(),
            }
        })
    }
}

fn check_value(rule: &Value, value: &Value) -> Result<(), String> {
    if let Some(allowed) = rule.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return Err(format!("must be one of {}", Value::Array(allowed.clone())));
        }
    }
    match rule.get("type").and_then(Value::as_str) {
        Some("string") if !value.is_string() => Err("must be a string".into()),
        Some("integer") if !value.is_i64() => Err("must be a whole number".into()),
        Some("array") => {
            let items = value.as_array().ok_or("must be an array")?;
            match rule.get("items") {
                Some(item_rule) => items.iter().try_for_each(|item| check_value(item_rule, item)),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

fn text(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

const WHEN: &str = "RFC 3339 date-time with offset, or YYYY-MM-DD for a whole day";

fn todo_fields() -> Value {
    json!({
        "title": text("what to do, in the user's words"),
        "description": text("details"),
        "due_date": text(WHEN),
        "priority": {"type": "string", "enum": ["low", "medium", "high", "urgent"]},
        "tags": {"type": "array", "items": {"type": "string"}},
    })
}

fn event_fields() -> Value {
    json!({
        "title": text("name of the event"),
        "description": text("details"),
        "start_time": text(WHEN),
        "end_time": text(WHEN),
        "location": text("where"),
        "tags": {"type": "array", "items": {"type": "string"}},
    })
}

/// What a new todo or event says about how often it repeats.
fn repeating(mut fields: Value) -> Value {
    if let Some(map) = fields.as_object_mut() {
        map.insert(
            "recurrence_rule".into(),
            text("how often it repeats, an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO (needs a due date or start)"),
        );
    }
    fields
}

fn with_new_title(mut fields: Value, about: &str) -> Value {
    if let Some(map) = fields.as_object_mut() {
        map.insert("title".into(), text(&format!("title of the existing {about} to change")));
        map.insert("new_title".into(), text("the new title, when renaming"));
        map.insert(
            super::moves::SHIFT_MINUTES.into(),
            json!({
                "type": "integer",
                "description": format!(
                    "move the {about} by this many minutes from its own time instead of to a new one \
                     (60: an hour later, -15: a quarter of an hour earlier, 1440: a day later; at most a year)"
                ),
            }),
        );
    }
    fields
}

/// An event's fields with the one that finds it by when it starts now.
fn found_at_time(mut fields: Value) -> Value {
    if let Some(map) = fields.as_object_mut() {
        map.insert(
            clawchat_understand::AT_TIME.into(),
            text("when the event to change starts now, to find it by its time (\"my 2pm\"); start_time is where it goes"),
        );
    }
    fields
}

pub static TOOLS: &[Tool] = &[
    Tool {
        intent: Intent::CreateTodo,
        namespace: Namespace::Todo,
        target: Target::Server,
        risk: Risk::Write,
        description: "Add a todo or reminder (a reminder is a todo with a due time).",
        schema: || object(repeating(todo_fields()), &["title"]),
    },
    Tool {
        intent: Intent::QueryTodos,
        namespace: Namespace::Todo,
        target: Target::Server,
        risk: Risk::Read,
        description: "List the user's todos, optionally matching words or due before a date.",
        schema: || {
            object(
                json!({"query": text("words to match"), "due_date": text(WHEN), "priority": {"type": "string", "enum": ["low", "medium", "high", "urgent"]}}),
                &[],
            )
        },
    },
    Tool {
        intent: Intent::UpdateTodo,
        namespace: Namespace::Todo,
        target: Target::Server,
        risk: Risk::Write,
        description: "Change an existing todo found by its title.",
        schema: || object(with_new_title(todo_fields(), "todo"), &["title"]),
    },
    Tool {
        intent: Intent::DeleteTodo,
        namespace: Namespace::Todo,
        target: Target::Server,
        risk: Risk::Destructive,
        description: "Delete one existing todo found by its title.",
        schema: || object(json!({"title": text("title of the todo to delete")}), &["title"]),
    },
    Tool {
        intent: Intent::CompleteTodo,
        namespace: Namespace::Todo,
        target: Target::Server,
        risk: Risk::Write,
        description: "Mark an existing todo as done, found by its title.",
        schema: || object(json!({"title": text("title of the todo that is done")}), &["title"]),
    },
    Tool {
        intent: Intent::CreateEvent,
        namespace: Namespace::Calendar,
        target: Target::Server,
        risk: Risk::Write,
        description: "Put an event on the calendar.",
        schema: || object(repeating(event_fields()), &["title", "start_time"]),
    },
    Tool {
        intent: Intent::QueryEvents,
        namespace: Namespace::Calendar,
        target: Target::Server,
        risk: Risk::Read,
        description: "List calendar events, optionally in a time range or matching words.",
        schema: || {
            object(
                json!({"query": text("words to match"), "start_time": text(WHEN), "end_time": text(WHEN)}),
                &[],
            )
        },
    },
    Tool {
        intent: Intent::UpdateEvent,
        namespace: Namespace::Calendar,
        target: Target::Server,
        risk: Risk::Write,
        description: "Change an existing event found by its title, or by when it starts now (at_time: \"move my 2pm to 3\"), \
                      or both (move it, rename it, ...).",
        schema: || object(found_at_time(with_new_title(event_fields(), "event")), &[]),
    },
    Tool {
        intent: Intent::DeleteEvent,
        namespace: Namespace::Calendar,
        target: Target::Server,
        risk: Risk::Destructive,
        description: "Delete one existing event found by its title (on the day or at the time given, if one is), \
                      or by the time it starts (start_time alone, to the minute: \"cancel my 3pm\"), \
                      or the next event to come (target \"next\", with a title to pick the next of those), \
                      or with query \"*\" every event (in the span given), which asks the user first.",
        schema: || {
            object(
                json!({
                    "title": text("title of the event to delete"),
                    "start_time": text(WHEN),
                    "end_time": text(WHEN),
                    "target": {"type": "string", "enum": ["next"], "description": "the next event to come"},
                    "query": {"type": "string", "enum": ["*"], "description": "every event (in the span given)"},
                }),
                &[],
            )
        },
    },
    Tool {
        intent: Intent::CreateMemo,
        namespace: Namespace::Memo,
        target: Target::Server,
        risk: Risk::Write,
        description: "Save a memo (a markdown note).",
        schema: || {
            object(
                json!({"title": text("short title"), "content": text("the note, markdown"), "tags": {"type": "array", "items": {"type": "string"}}}),
                &["content"],
            )
        },
    },
    Tool {
        intent: Intent::QueryMemos,
        namespace: Namespace::Memo,
        target: Target::Server,
        risk: Risk::Read,
        description: "Find memos matching words.",
        schema: || object(json!({"query": text("words to match")}), &[]),
    },
    Tool {
        intent: Intent::UpdateMemo,
        namespace: Namespace::Memo,
        target: Target::Server,
        risk: Risk::Write,
        description: "Change an existing memo found by words from it.",
        schema: || {
            object(
                json!({"query": text("words identifying the memo"), "content": text("new content"), "new_title": text("new title")}),
                &["query"],
            )
        },
    },
    Tool {
        intent: Intent::DeleteMemo,
        namespace: Namespace::Memo,
        target: Target::Server,
        risk: Risk::Destructive,
        description: "Delete one existing memo found by words from it.",
        schema: || object(json!({"query": text("words identifying the memo")}), &["query"]),
    },
    Tool {
        intent: Intent::Search,
        namespace: Namespace::Search,
        target: Target::Server,
        risk: Risk::Read,
        description: "Search the user's todos, events, memos and conversations.",
        schema: || object(json!({"query": text("what to look for")}), &["query"]),
    },
    Tool {
        intent: Intent::DailyBriefing,
        namespace: Namespace::Search,
        target: Target::Server,
        risk: Risk::Read,
        description: "Summarise today: events, due and overdue todos, pinned memos.",
        schema: || object(json!({}), &[]),
    },
    Tool {
        intent: Intent::DelegateTask,
        namespace: Namespace::Web,
        target: Target::Server,
        risk: Risk::Read,
        description: "Work on a longer request in the background and report when done.",
        schema: || object(json!({"description": text("what to work on")}), &["description"]),
    },
    Tool {
        intent: Intent::WebSearch,
        namespace: Namespace::Web,
        target: Target::Server,
        risk: Risk::Read,
        description: "Search the web.",
        schema: || object(json!({"query": text("what to look for")}), &["query"]),
    },
    Tool {
        intent: Intent::FileRead,
        namespace: Namespace::HostFs,
        target: Target::Host,
        risk: Risk::Read,
        description: "Read a text file on the user's computer.",
        schema: || object(json!({"path": text("path of the file, ~ for home")}), &["path"]),
    },
    Tool {
        intent: Intent::FileCreate,
        namespace: Namespace::HostFs,
        target: Target::Host,
        risk: Risk::Write,
        description: "Create a text file on the user's computer (asks the user first).",
        schema: || {
            object(json!({"path": text("path of the new file"), "content": text("what to write")}), &["path"])
        },
    },
    Tool {
        intent: Intent::OpenApp,
        namespace: Namespace::HostSys,
        target: Target::Host,
        risk: Risk::Execute,
        description: "Open an application or a file on the user's computer (asks the user first).",
        schema: || object(json!({"target": text("application name or file path")}), &["target"]),
    },
    Tool {
        intent: Intent::ExecutorShell,
        namespace: Namespace::HostSh,
        target: Target::Host,
        risk: Risk::Execute,
        description: "Run a shell command on the user's computer (asks the user first).",
        schema: || object(json!({"command": text("the command line to run")}), &["command"]),
    },
];

/// The tool named `name`, if there is one.
pub fn by_name(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name() == name)
}

/// The intent of the tool named `name` (a model's function call, a stored task, a
/// client's registration), if there is such a tool.
pub fn named(name: &str) -> Option<Intent> {
    by_name(name).map(|t| t.intent)
}

/// The tool carrying out `intent`; `None` for plain conversation.
pub fn for_intent(intent: Intent) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.intent == intent)
}

/// Every tool as the model sees it.
pub fn model_definitions() -> Vec<Value> {
    TOOLS.iter().map(Tool::model_definition).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every intent, read from the TypeScript generated from the one `Intent` enum (so
    /// this list is never written by hand).
    fn every_intent() -> Vec<Intent> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/api/generated/Intent.ts");
        let ts = std::fs::read_to_string(path).unwrap();
        let union = ts.split("export type Intent =").nth(1).unwrap();
        let names: Vec<&str> = union.split('"').skip(1).step_by(2).collect();
        names.iter().map(|n| serde_json::from_value(json!(n)).unwrap()).collect()
    }

    #[test]
    fn every_intent_but_chat_has_exactly_one_tool() {
        let all = every_intent();
        assert_eq!(all.len(), 22, "{all:?}");
        for intent in all {
            let n = TOOLS.iter().filter(|t| t.intent == intent).count();
            assert_eq!(n, usize::from(intent != Intent::GeneralChat), "{intent:?}");
            assert_eq!(named(intent.as_str()), (intent != Intent::GeneralChat).then_some(intent));
        }
    }

    #[test]
    fn host_writes_and_executes_need_approval_reads_and_organiser_actions_do_not() {
        let needs = |name: &str| by_name(name).map(Tool::needs_approval);
        assert_eq!(needs("file_create"), Some(true));
        assert_eq!(needs("executor_shell"), Some(true));
        assert_eq!(needs("open_app"), Some(true));
        assert_eq!(needs("file_read"), Some(false));
        assert_eq!(needs("delete_todo"), Some(false));
    }

    /// `check_inputs` reads only these keywords; a schema using another would be checked
    /// less than it says.
    #[test]
    fn schemas_use_only_the_keywords_check_inputs_reads() {
        fn keywords(rule: &Value) {
            for (k, v) in rule.as_object().into_iter().flatten() {
                assert!(["type", "description", "enum", "items"].contains(&k.as_str()), "{k}");
                if k == "items" {
                    keywords(v);
                }
            }
        }
        for tool in TOOLS {
            let schema = tool.input_schema();
            let mut top: Vec<&String> = schema.as_object().into_iter().flatten().map(|(k, _)| k).collect();
            top.sort();
            assert_eq!(top, ["additionalProperties", "properties", "required", "type"], "{}", tool.name());
            assert_eq!(schema["additionalProperties"], false);
            for rule in schema["properties"].as_object().into_iter().flatten().map(|(_, v)| v) {
                keywords(rule);
            }
        }
    }

    #[test]
    fn inputs_are_checked_against_the_schema() {
        let create = by_name("create_todo").unwrap();
        let inputs = |v: Value| v.as_object().cloned().unwrap();
        assert_eq!(create.check_inputs(&inputs(json!({"title": "milk", "tags": ["home"]}))), Ok(()));
        assert_eq!(create.check_inputs(&inputs(json!({}))), Err("title: required".into()));
        assert_eq!(create.check_inputs(&inputs(json!({"title": 3}))), Err("title: must be a string".into()));
        assert!(create.check_inputs(&inputs(json!({"title": "x", "colour": "red"}))).is_err());
        assert!(create.check_inputs(&inputs(json!({"title": "x", "priority": "whenever"}))).is_err());
        assert!(create.check_inputs(&inputs(json!({"title": "x", "tags": [1]}))).is_err());
        // A move by an amount is a whole number of minutes, on the update tools only.
        let update = by_name("update_event").unwrap();
        assert_eq!(update.check_inputs(&inputs(json!({"title": "x", "shift_minutes": 60}))), Ok(()));
        assert_eq!(
            update.check_inputs(&inputs(json!({"title": "x", "shift_minutes": "an hour"}))),
            Err("shift_minutes: must be a whole number".into())
        );
        assert!(create.check_inputs(&inputs(json!({"title": "x", "shift_minutes": 60}))).is_err());
    }

    #[test]
    fn model_definitions_are_openai_functions_with_object_schemas() {
        let defs = model_definitions();
        assert_eq!(defs.len(), TOOLS.len());
        for d in defs {
            assert_eq!(d["type"], "function");
            assert_eq!(d["function"]["parameters"]["type"], "object");
            assert!(d["function"]["name"].as_str().is_some_and(|n| !n.is_empty()));
        }
    }
}
