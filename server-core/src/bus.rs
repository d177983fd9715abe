//! The event model every realtime channel shares.
//!
//! Whatever happens that a client should see (a streamed answer, an action card, a task's
//! progress, an approval request, a notification, "todos changed") is one [`ServerEvent`]
//! published on the [`Bus`]. The `/ws` channel, Socket.IO and `/api/chat/stream` are
//! views onto this one stream; none has logic of its own. Frames are a tagged enum, so
//! the wire names (`stream_start`, `task:update`, `query-result`, ...) live in one place.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;
use utoipa::ToSchema;

use crate::brain::types::{TaskRecord, TaskStatus};

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
    /// `builtin`, or the model service that answered.
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

#[derive(ts_rs::TS, Debug, Clone, Serialize)]
#[serde(tag = "type", content = "data")]
pub enum ServerEvent {
    #[serde(rename = "stream_start")]
    StreamStart { message_id: String, conversation_id: String },
    #[serde(rename = "stream_chunk")]
    StreamChunk { message_id: String, content: String, index: u32 },
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
    /// The answer to a client's `ping`; never published on the bus.
    #[serde(rename = "pong")]
    Pong {},
}

impl ServerEvent {
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

/// A broadcast of [`ServerEvent`]s. Publishing never waits: a subscriber that falls more
/// than the channel's capacity behind loses the oldest events and is told so by
/// `RecvError::Lagged`, so one slow client can never hold up the assistant.
#[derive(Debug, Clone)]
pub struct Bus {
    tx: broadcast::Sender<Arc<ServerEvent>>,
}

impl Default for Bus {
    fn default() -> Self {
        Self::new(4096)
    }
}

impl Bus {
    pub fn new(capacity: usize) -> Self {
        Self { tx: broadcast::channel(capacity).0 }
    }

    pub fn publish(&self, event: ServerEvent) {
        // No subscriber is fine: the state is in the store, events are only news.
        let _ = self.tx.send(Arc::new(event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ServerEvent>> {
        self.tx.subscribe()
    }

    /// Tells every client that `module`'s data changed, so the views showing it reload.
    pub fn data_changed(&self, module: Module) {
        self.publish(ServerEvent::ModuleDataChanged { module });
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
