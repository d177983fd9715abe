//! Wire shapes shared by the parser, the engine and the clients.
//!
//! These mirror the "Shapes" section of the external contract field for field, so
//! that a ParseResult produced offline is indistinguishable from one produced by
//! a model-backed planner.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use clawchat_understand::Intent;

pub use crate::protocol::{Target, TaskRecord, TaskSpec, TaskStatus};

impl TaskRecord {
    /// A fresh, not yet started task for `intent` with the given inputs.
    pub fn pending(task_id: String, intent: Intent, inputs: Map<String, Value>) -> Option<Self> {
        let tool = super::tools::for_intent(intent)?;
        Some(TaskRecord {
            task: TaskSpec { task_id, tool: intent, inputs: Value::Object(inputs), depends_on: Vec::new() },
            status: TaskStatus::Pending,
            target: tool.target,
            output: None,
            error: None,
        })
    }
}

/// What the offline parser (or any planner) makes of one utterance.
#[derive(ts_rs::TS, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ParseResult {
    pub intent: Intent,
    pub params: Map<String, Value>,
    /// 0.0 ..= 1.0; how sure the planner is that `intent` and `params` are right.
    pub confidence: f32,
    pub tasks: Vec<TaskRecord>,
}

impl From<clawchat_understand::Parsed> for ParseResult {
    /// The parser's plan as tasks: each step becomes a pending task on the side the
    /// tool registry names.
    fn from(p: clawchat_understand::Parsed) -> Self {
        let tasks = p
            .steps
            .into_iter()
            .filter_map(|s| {
                let mut rec = TaskRecord::pending(s.id, s.intent, s.inputs)?;
                rec.task.depends_on = s.depends_on;
                Some(rec)
            })
            .collect();
        ParseResult { intent: p.intent, params: p.params, confidence: p.confidence, tasks }
    }
}

impl ParseResult {
    /// The "I did not catch that" answer: conversation, no tasks.
    pub fn chat(confidence: f32) -> Self {
        ParseResult { intent: Intent::GeneralChat, params: Map::new(), confidence, tasks: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_serialise_as_contract_names() {
        let v = serde_json::to_value(Intent::CreateTodo).ok();
        assert_eq!(v, Some(Value::String("create_todo".into())));
        let v = serde_json::to_value(Intent::ExecutorShell).ok();
        assert_eq!(v, Some(Value::String("executor_shell".into())));
    }

    #[test]
    fn host_tools_target_the_host() {
        assert_eq!(
            TaskRecord::pending("t1".into(), Intent::FileRead, Map::new()).map(|r| r.target),
            Some(Target::Host)
        );
        assert_eq!(
            TaskRecord::pending("t1".into(), Intent::OpenApp, Map::new()).map(|r| r.target),
            Some(Target::Host)
        );
        assert_eq!(
            TaskRecord::pending("t1".into(), Intent::CreateMemo, Map::new()).map(|r| r.target),
            Some(Target::Server)
        );
    }

    #[test]
    fn task_record_serialises_with_snake_case_status() {
        let rec = TaskRecord::pending("t1".into(), Intent::WebSearch, Map::new());
        let json = rec.and_then(|r| serde_json::to_string(&r).ok());
        let json = json.unwrap_or_default();
        assert!(json.contains("\"status\":\"pending\""));
        assert!(json.contains("\"target\":\"server\""));
        assert!(json.contains("\"tool\":\"web_search\""));
    }

    #[test]
    fn general_chat_has_no_tool() {
        assert!(Intent::GeneralChat.tool().is_none());
        assert!(TaskRecord::pending("t1".into(), Intent::GeneralChat, Map::new()).is_none());
    }
}
