//! The user's yes or no: what the engine asks before a task that writes, deletes or
//! executes on the host (or any change in a plan that read text the user did not write),
//! how the question is put, and where answers wait until they come.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use serde_json::Value;
use tokio::sync::oneshot;

use super::types::{Intent, TaskRecord};
use crate::bus::{Bus, ServerEvent};

/// The user's yes or no for a task that writes, deletes or executes on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    Approved,
    Denied(String),
}

pub trait ApprovalGate: Send + Sync + 'static {
    /// Asks; resolves when the user answers. The engine applies its own timeout.
    fn request(&self, task: TaskRecord, reason: String) -> BoxFuture<'static, Approval>;
}

/// Answers awaited by task id: whoever asks gets a receiver, whoever answers delivers
/// once. Approvals wait here for a yes or no, and host tasks run by an edge client wait
/// here for its `task:result`.
#[derive(Debug)]
pub struct Awaiting<T> {
    waiting: Mutex<Waiting<T>>,
}

#[derive(Debug)]
struct Waiting<T> {
    senders: HashMap<String, oneshot::Sender<T>>,
    /// Once closed, every wait ends at once with the sender dropped.
    closed: bool,
}

impl<T> Default for Awaiting<T> {
    fn default() -> Self {
        Self { waiting: Mutex::new(Waiting { senders: HashMap::new(), closed: false }) }
    }
}

impl<T> Awaiting<T> {
    fn waiting(&self) -> std::sync::MutexGuard<'_, Waiting<T>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts waiting for the answer about `task_id`.
    pub fn wait_for(&self, task_id: &str) -> oneshot::Receiver<T> {
        let (tx, rx) = oneshot::channel();
        let mut waiting = self.waiting();
        if !waiting.closed {
            waiting.senders.insert(task_id.to_owned(), tx);
        }
        rx
    }

    /// Delivers an answer; false when nothing waits for that task.
    pub fn answer(&self, task_id: &str, answer: T) -> bool {
        match self.waiting().senders.remove(task_id) {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }

    /// Ends the wait for `task_id` without an answer: its receiver sees the sender gone.
    pub fn withdraw(&self, task_id: &str) {
        self.waiting().senders.remove(task_id);
    }

    /// Ends every wait, now and later, without an answer.
    pub fn close(&self) {
        let mut waiting = self.waiting();
        waiting.closed = true;
        waiting.senders.clear();
    }
}

/// Approvals answered by any client through the event bus and `approve`/`deny`: the
/// request goes out as `task:approval_request`, the answer comes back as `task:approve`,
/// `task:deny` or the REST equivalents.
pub type PendingApprovals = Awaiting<Approval>;

/// The gate used by the server itself: publish the request, wait for an answer.
#[derive(Debug, Clone)]
pub struct BusApprovals {
    pub bus: Bus,
    pub pending: Arc<PendingApprovals>,
}

impl ApprovalGate for BusApprovals {
    fn request(&self, task: TaskRecord, reason: String) -> BoxFuture<'static, Approval> {
        let rx = self.pending.wait_for(&task.task.task_id);
        self.bus.publish(ServerEvent::ApprovalRequest { task: Box::new(task), reason });
        Box::pin(
            async move { rx.await.unwrap_or_else(|_| Approval::Denied("the request was withdrawn".into())) },
        )
    }
}

/// What the approval card shows: the exact command or path, nothing paraphrased.
pub fn approval_reason(task: &TaskRecord) -> String {
    let input = |k: &str| task.task.inputs.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    match task.task.tool {
        Intent::ExecutorShell => format!("Run this command on your computer: {}", input("command")),
        Intent::FileCreate => format!("Create the file {}", input("path")),
        Intent::OpenApp => format!("Open {}", input("target")),
        Intent::FileRead => format!("Read the file {}", input("path")),
        // Organiser tools ask only in untrusted plans: show exactly what they would do.
        other => format!("Run {} with {}", other.as_str(), task.task.inputs),
    }
}
