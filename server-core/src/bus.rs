//! The event model every realtime channel shares.
//!
//! Whatever happens that a client should see (a streamed answer, an action card, a task's
//! progress, an approval request, a notification, "todos changed") is one [`ServerEvent`]
//! published on the [`Bus`]. The `/ws` channel, Socket.IO and `/api/chat/stream` are
//! views onto this one stream; none has logic of its own beyond choosing what it shows (a
//! `stream_chunk` names the `/ws` connection that asked, and `/ws` gives it to that one). The frames themselves are a
//! tagged enum in [`crate::protocol`], so the wire names (`stream_start`, `task:update`,
//! `query-result`, ...) live in one place.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::broadcast;

pub use crate::protocol::{ActionCard, ConnectionId, Module, PqhResponse, ServerEvent};

/// A broadcast of [`ServerEvent`]s. Publishing never waits: a subscriber that falls more
/// than the channel's capacity behind loses the oldest events and is told so by
/// `RecvError::Lagged`, so one slow client can never hold up the assistant.
#[derive(Debug, Clone)]
pub struct Bus {
    tx: broadcast::Sender<Arc<ServerEvent>>,
    waiting: Waiting,
}

impl Default for Bus {
    fn default() -> Self {
        Self::new(4096)
    }
}

impl Bus {
    pub fn new(capacity: usize) -> Self {
        Self { tx: broadcast::channel(capacity).0, waiting: Waiting::default() }
    }

    /// The messages accepted whose answer has not started yet.
    pub fn waiting(&self) -> &Waiting {
        &self.waiting
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

/// How many accepted messages wait for their answer's `stream_start`: someone has asked
/// and sees nothing yet. A channel may hold back what is only news to its other
/// connections (their copies of answers to others) while this is above zero, so that the
/// first frame of every answer goes out ahead of them.
#[derive(Debug, Clone, Default)]
pub struct Waiting(Arc<AtomicUsize>);

impl Waiting {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }

    /// Counts one more message waiting, until the returned token is dropped.
    pub fn hold(&self) -> WaitingForStart {
        self.0.fetch_add(1, Ordering::AcqRel);
        WaitingForStart(self.0.clone())
    }
}

/// One message waiting for its answer's `stream_start`; dropped once the start is
/// published (or the message is refused).
#[derive(Debug)]
pub struct WaitingForStart(Arc<AtomicUsize>);

impl Drop for WaitingForStart {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}
