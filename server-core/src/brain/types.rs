//! Wire shapes shared by the parser, the engine and the clients.
//!
//! These mirror the "Shapes" section of the external contract field for field, so
//! that a ParseResult produced offline is indistinguishable from one produced by
//! a model-backed planner.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Every intent the contract knows. Serialised in snake_case, exactly as listed there.
#[derive(ts_rs::TS, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    GeneralChat,
    CreateTodo,
    QueryTodos,
    UpdateTodo,
    DeleteTodo,
    CompleteTodo,
    CreateEvent,
    QueryEvents,
    UpdateEvent,
    DeleteEvent,
    CreateMemo,
    QueryMemos,
    UpdateMemo,
    DeleteMemo,
    Search,
    DailyBriefing,
    DelegateTask,
    WebSearch,
    OpenApp,
    FileRead,
    FileCreate,
    ExecutorShell,
}

impl Intent {
    /// The contract name, as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::GeneralChat => "general_chat",
            Intent::CreateTodo => "create_todo",
            Intent::QueryTodos => "query_todos",
            Intent::UpdateTodo => "update_todo",
            Intent::DeleteTodo => "delete_todo",
            Intent::CompleteTodo => "complete_todo",
            Intent::CreateEvent => "create_event",
            Intent::QueryEvents => "query_events",
            Intent::UpdateEvent => "update_event",
            Intent::DeleteEvent => "delete_event",
            Intent::CreateMemo => "create_memo",
            Intent::QueryMemos => "query_memos",
            Intent::UpdateMemo => "update_memo",
            Intent::DeleteMemo => "delete_memo",
            Intent::Search => "search",
            Intent::DailyBriefing => "daily_briefing",
            Intent::DelegateTask => "delegate_task",
            Intent::WebSearch => "web_search",
            Intent::OpenApp => "open_app",
            Intent::FileRead => "file_read",
            Intent::FileCreate => "file_create",
            Intent::ExecutorShell => "executor_shell",
        }
    }

    /// Name of the tool that carries out this intent; `None` for plain conversation,
    /// which needs no task at all.
    pub fn tool(self) -> Option<&'static str> {
        match self {
            Intent::GeneralChat => None,
            other => Some(other.as_str()),
        }
    }

    /// Where the tool runs, as the tool registry says.
    pub fn target(self) -> Target {
        super::tools::for_intent(self).map_or(Target::Server, |t| t.target)
    }

    /// True for intents that change stored data or act on the host. The evaluation
    /// counts these as "actions"; everything else only reads or talks.
    pub fn is_action(self) -> bool {
        !matches!(
            self,
            Intent::GeneralChat
                | Intent::WebSearch
                | Intent::Search
                | Intent::QueryTodos
                | Intent::QueryEvents
                | Intent::QueryMemos
                | Intent::DailyBriefing
        )
    }
}

/// Lifecycle of one task. New tasks from the parser are always `Pending`.
/// Stored in `agent_tasks.status` under the same names as on the wire.
#[derive(ts_rs::TS, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum TaskStatus {
    Pending,
    AwaitingApproval,
    Running,
    Done,
    Failed,
    Cancelled,
}

/// Which side executes a task.
#[derive(ts_rs::TS, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Target {
    Server,
    Host,
}

/// One step of a plan.
///
/// `task_id`s are only unique within one ParseResult (`"t1"`, `"t2"`, ... in plan
/// order); the engine renames them when it persists the plan.
///
/// An input may refer to the output of a task listed in `depends_on` with a string
/// that is exactly one placeholder:
/// - `"{{t1}}"` stands for the whole output value of task `t1`;
/// - `"{{t1.content}}"` stands for the field `content` of `t1`'s output object.
///
/// Placeholders are never embedded inside longer strings, so the engine can
/// substitute them by whole-value replacement without any template language.
#[derive(ts_rs::TS, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TaskSpec {
    pub task_id: String,
    pub tool: String,
    /// Always a JSON object; keys are the contract's param names.
    pub inputs: Value,
    pub depends_on: Vec<String>,
}

/// A task together with its execution state, as sent to clients.
#[derive(ts_rs::TS, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TaskRecord {
    pub task: TaskSpec,
    pub status: TaskStatus,
    pub target: Target,
    pub output: Option<Value>,
    pub error: Option<String>,
}

impl TaskRecord {
    /// A fresh, not yet started task for `intent` with the given inputs.
    pub fn pending(task_id: String, intent: Intent, inputs: Map<String, Value>) -> Option<Self> {
        let tool = intent.tool()?;
        Some(TaskRecord {
            task: TaskSpec {
                task_id,
                tool: tool.to_string(),
                inputs: Value::Object(inputs),
                depends_on: Vec::new(),
            },
            status: TaskStatus::Pending,
            target: intent.target(),
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
        assert_eq!(Intent::FileRead.target(), Target::Host);
        assert_eq!(Intent::OpenApp.target(), Target::Host);
        assert_eq!(Intent::CreateMemo.target(), Target::Server);
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
