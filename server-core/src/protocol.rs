//! The protocol: the shapes every client sees on the wire, in one module that the task
//! engine ([`crate::brain`]), the event stream ([`crate::bus`]) and the realtime channels
//! ([`crate::realtime`]) all depend on, and which depends on none of them. The TypeScript
//! the UI imports is generated from these types.
//!
//! - Tasks: [`TaskSpec`] (one step of a plan), [`TaskRecord`] (a step with its state),
//!   [`TaskStatus`], [`Target`].
//! - Server events: [`ServerEvent`], the tagged frames of `/ws`, Socket.IO and the SSE
//!   stream, with [`ActionCard`], [`PqhResponse`] and [`Module`].

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

pub use clawchat_understand::Intent;

/// Lifecycle of one task. New tasks from the parser are always `Pending`.
/// Stored in `agent_tasks.status` under the same names as on the wire.
#[derive(
    ts_rs::TS, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, utoipa::ToSchema,
)]
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
    /// The tool that runs this step: an intent other than `general_chat`, named in the
    /// registry ([`super::tools`]).
    pub tool: Intent,
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

/// One action card: something the assistant did, with what the user can do about it.
#[derive(ts_rs::TS, Debug, Clone, Serialize, ToSchema)]
pub struct ActionCard {
    pub message_id: String,
    /// `todo_created`, `todo_completed`, `event_created`, `memo_created`, `search_results`,
    /// `briefing`, `task_result`, ...
    pub card_type: String,
    #[schema(value_type = Object)]
    pub payload: Value,
    /// Each `{action, label, method?, path?, body?}`: what a client offers as buttons.
    #[schema(value_type = Vec<Object>)]
    pub actions: Vec<Value>,
}

/// What the primary query handler answers at once, before any task has run.
#[derive(ts_rs::TS, Debug, Clone, Serialize, ToSchema)]
pub struct PqhResponse {
    /// The assistant message this answer becomes.
    pub message_id: String,
    pub conversation_id: String,
    pub intent: String,
    pub answer: String,
    /// The answer as it should be spoken.
    pub voice: String,
    /// One line: what the plan is.
    pub thought: String,
    #[schema(value_type = Vec<Object>)]
    pub requested_tool: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub tasks: Vec<TaskRecord>,
    /// `builtin`, or the model that answered with the kind of server it runs on
    /// (`ollama/llama3.2`, `openai-compatible/gemma-3-270m`).
    pub provider: String,
    /// Why the built-in parser answered instead of the configured model, if it did.
    pub fallback_reason: Option<String>,
}

/// The part of the user's data a `module_data_changed` frame is about: each is one view
/// of the UI that reloads when it hears its name.
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    Todos,
    Events,
    Memos,
    Chat,
    Settings,
    Notifications,
}

/// The name of a `/ws` connection: the `connection_id` its client gave when it connected,
/// or one the server chose. A message sent naming it has its answer streamed there.
pub type ConnectionId = std::sync::Arc<str>;

/// The longest `connection_id` a client may give.
pub const MAX_CONNECTION_ID: usize = 64;
/// What a `connection_id` must be, as a client is told.
pub const CONNECTION_ID_RULE: &str = "must be 1 to 64 visible ASCII characters";

/// A client's `connection_id`, when it is one: 1 to [`MAX_CONNECTION_ID`] visible ASCII
/// characters (a UUID fits).
pub fn connection_id(given: &str) -> Option<ConnectionId> {
    let fits = (1..=MAX_CONNECTION_ID).contains(&given.len()) && given.bytes().all(|b| b.is_ascii_graphic());
    fits.then(|| ConnectionId::from(given))
}

#[derive(ts_rs::TS, Debug, Clone, Serialize)]
#[serde(tag = "type", content = "data")]
pub enum ServerEvent {
    #[serde(rename = "stream_start")]
    StreamStart {
        message_id: String,
        conversation_id: String,
        /// The `/ws` connection whose message this answers, as in `stream_chunk`: its
        /// frames of this answer go to it first. Not on the wire.
        #[serde(skip)]
        to: Option<ConnectionId>,
    },
    /// Goes to the `/ws` connection that asked alone (`to`); the others get the answer
    /// whole in its `stream_end`.
    #[serde(rename = "stream_chunk")]
    StreamChunk {
        message_id: String,
        content: String,
        index: u32,
        /// The `/ws` connection whose message this answers; none when no `/ws` connection
        /// asked (a REST or Socket.IO question, a report nobody asked for). Not on the wire.
        #[serde(skip)]
        to: Option<ConnectionId>,
    },
    #[serde(rename = "stream_end")]
    StreamEnd { message_id: String, full_content: String, intent: String },
    #[serde(rename = "action_card")]
    ActionCard(ActionCard),
    #[serde(rename = "query-result")]
    QueryResult(Box<PqhResponse>),
    #[serde(rename = "task:execute")]
    TaskExecute(Box<TaskRecord>),
    #[serde(rename = "task:batch")]
    TaskBatch(Vec<TaskRecord>),
    #[serde(rename = "task:update")]
    TaskUpdate { task_id: String, status: TaskStatus, output: Option<Value>, error: Option<String> },
    #[serde(rename = "task:approval_request")]
    ApprovalRequest { task: Box<TaskRecord>, reason: String },
    #[serde(rename = "notification")]
    Notification {
        title: String,
        body: String,
        kind: String,
        ref_id: Option<String>,
        conversation_id: Option<String>,
    },
    #[serde(rename = "module_data_changed")]
    ModuleDataChanged { module: Module },
    #[serde(rename = "error")]
    Error { code: String, detail: String },
    /// The answer to a client's `action_response`: the card's REST call was made, and this
    /// is what it answered (`body` is the item for `open`, null for an undone creation).
    /// Sent to that connection only, never published on the bus.
    #[serde(rename = "action_result")]
    ActionResult { message_id: String, action: String, status: u16, body: Value },
    /// The answer to a client's `ping`; never published on the bus.
    #[serde(rename = "pong")]
    Pong {},
}

impl ServerEvent {
    /// Chunk `index` of the answer `message_id`, for the connection that asked (`to`).
    pub fn chunk(message_id: &str, content: String, index: u32, to: Option<&ConnectionId>) -> Self {
        ServerEvent::StreamChunk { message_id: message_id.to_owned(), content, index, to: to.cloned() }
    }

    /// The conversation an event belongs to, when it belongs to one.
    pub fn message_id(&self) -> Option<&str> {
        match self {
            ServerEvent::StreamStart { message_id, .. }
            | ServerEvent::StreamChunk { message_id, .. }
            | ServerEvent::StreamEnd { message_id, .. } => Some(message_id),
            ServerEvent::ActionCard(card) => Some(&card.message_id),
            ServerEvent::QueryResult(r) => Some(&r.message_id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_the_contract_names() {
        let e = ServerEvent::TaskUpdate {
            task_id: "a".into(),
            status: TaskStatus::Done,
            output: None,
            error: None,
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], "task:update");
        assert_eq!(v["data"]["status"], "done");
        let v = serde_json::to_value(ServerEvent::ModuleDataChanged { module: Module::Todos }).unwrap();
        assert_eq!(v, serde_json::json!({"type": "module_data_changed", "data": {"module": "todos"}}));
    }
}
