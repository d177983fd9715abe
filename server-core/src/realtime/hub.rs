//! The fan-out of bus events to `/ws` connections.
//!
//! One task (the pump) subscribes to the bus for all connections and turns each event into
//! its JSON frame once. Where a frame goes:
//!
//! - The frames of an answer to a connection's own message (`stream_start`, chunks,
//!   `query-result`, cards, `stream_end`; the asker is named by the `stream_start`) go to
//!   that connection's own lane at once, in order. Chunks go nowhere else.
//! - Everything else, and every other connection's copy of those frames, is held and sent
//!   to all connections together as one shared run (one reference-counted buffer), in the
//!   order published. The asker skips the copies it already has.
//!
//! Copies are news about answers to others: they gather for a few milliseconds, and wait
//! (up to [`MAX_HOLD`]) while any message still waits for its answer's `stream_start`, so
//! that under a burst every asker's first frame goes out before the copies, which are
//! then queued and written in few large runs rather than one per answer. A connection's
//! writer takes its own lane before the shared one (see [`super::outbox`]), so its own
//! answer never waits behind other answers' copies.
//!
//! A connection that cannot take a frame is too slow: it is taken off the list and told to
//! close, so it never holds up the assistant or the other connections.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, Utf8Bytes};
use tokio::sync::Notify;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::outbox::{MAX_QUEUED_BYTES, NOBODY, Outbox, Refused, Run};
use crate::bus::{Bus, ConnectionId, ServerEvent, Waiting};

/// The most events the pump takes into one run.
const MAX_RUN: usize = 256;
/// How long copies gather before they are sent.
const GATHER: Duration = Duration::from_millis(10);
/// How often held copies look again whether a message still waits for its answer's start.
const RECHECK: Duration = Duration::from_millis(2);
/// The longest copies are held for messages waiting for their answer's start.
pub const MAX_HOLD: Duration = Duration::from_millis(500);
/// Held copies are sent at once past this many bytes, so a connection with nothing queued
/// always has room for them.
const MAX_HELD_BYTES: usize = MAX_QUEUED_BYTES / 2;
/// Connections a run of copies is queued to between two yields to other tasks.
const SLICE: usize = 64;
/// Answers in progress whose asker the hub remembers; past this (answers that never
/// ended), it forgets them all, and their frames go out as copies only.
const MAX_ANSWERS: usize = 4096;

/// A connection as the hub sees it: where its frames go, and how to tell it to leave.
struct Conn {
    outbox: Outbox,
    too_slow: Arc<Notify>,
    /// The number of the first copy it takes: none held before it joined.
    from: u64,
}

#[derive(Default)]
struct Conns {
    by_id: HashMap<u64, Conn>,
    /// The connection each name stands for: the latest to connect under it.
    by_name: HashMap<ConnectionId, u64>,
    /// The answers under way to a connection's own message, by message id: from the
    /// `stream_start` naming it to the `stream_end`.
    answers: HashMap<String, u64>,
}

/// Copies held for every connection, not queued yet.
#[derive(Default)]
struct Held {
    run: Run,
    /// The number of the run's first frame among all copies ever held.
    first: u64,
}

#[derive(Default)]
pub struct Hub {
    /// Taken before `held` when both are held (only [`Hub::register`] holds both).
    conns: Mutex<Conns>,
    held: Mutex<Held>,
    /// Wakes the task that sends held copies: some are held, or they fill
    /// [`MAX_HELD_BYTES`] and go now.
    copies: Arc<Copies>,
    started: OnceLock<()>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").field("connections", &self.conns().by_id.len()).finish()
    }
}

#[derive(Default)]
struct Copies {
    held: Notify,
    full: Notify,
}

impl Drop for Hub {
    fn drop(&mut self) {
        // The copies' task holds the hub weakly: woken, it finds it gone and ends.
        self.copies.held.notify_one();
    }
}

/// A connection's place on the hub; dropping it takes the connection off.
pub struct Registration {
    hub: Arc<Hub>,
    id: u64,
    name: ConnectionId,
    /// Notified when the hub dropped this connection for falling behind.
    pub too_slow: Arc<Notify>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut conns = self.hub.conns();
        conns.by_id.remove(&self.id);
        if conns.by_name.get(&self.name) == Some(&self.id) {
            conns.by_name.remove(&self.name);
        }
    }
}

/// The frame a server event travels as.
pub fn frame(event: &ServerEvent) -> Message {
    Message::Text(Utf8Bytes::from(serde_json::to_string(event).unwrap_or_default()))
}

impl Conns {
    /// The connection whose message `event` answers, if it is still here: the one its
    /// answer's `stream_start` named (for a chunk without one, the connection of its name).
    fn asker(&mut self, event: &ServerEvent) -> Option<u64> {
        match event {
            ServerEvent::StreamStart { message_id, to: Some(name), .. } => {
                let id = *self.by_name.get(name)?;
                if self.answers.len() >= MAX_ANSWERS {
                    self.answers.clear();
                }
                self.answers.insert(message_id.clone(), id);
                Some(id)
            }
            ServerEvent::StreamChunk { to: None, .. } => None,
            ServerEvent::StreamChunk { message_id, to: Some(name), .. } => {
                self.answers.get(message_id).or_else(|| self.by_name.get(name)).copied()
            }
            ServerEvent::StreamEnd { message_id, .. } => self.answers.remove(message_id),
            other => other.message_id().and_then(|id| self.answers.get(id)).copied(),
        }
    }

    /// Takes off a connection that could not take a frame.
    fn refused(&mut self, id: u64, why: Refused) {
        let Some(conn) = self.by_id.remove(&id) else { return };
        if why == Refused::TooSlow {
            tracing::info!("dropping a WebSocket client that cannot keep up");
            conn.too_slow.notify_one();
        }
    }
}

impl Hub {
    fn conns(&self) -> MutexGuard<'_, Conns> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn held(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection under `name`: from now on it receives the events published on
    /// `bus`, and the frames of the answers to messages sent naming it.
    pub fn register(self: &Arc<Self>, bus: &Bus, outbox: Outbox, name: ConnectionId) -> Registration {
        self.started.get_or_init(|| {
            // Both tasks hold the hub weakly and the bus only as a receiver and a count, so
            // they end with the server (the bus closes when the last sender is dropped).
            tokio::spawn(pump(bus.subscribe(), Arc::downgrade(self)));
            tokio::spawn(send_held(Arc::downgrade(self), self.copies.clone(), bus.waiting().clone()));
        });
        let id = outbox.id();
        let too_slow = Arc::new(Notify::new());
        // The list is held while the count of copies is read, so the copies a run takes
        // from here on either reach this connection or were all held before it joined:
        // a run is queued to the connections listed after it was taken (see `send_copies`).
        let mut conns = self.conns();
        let from = {
            let held = self.held();
            held.first + held.run.len() as u64
        };
        conns.by_id.insert(id, Conn { outbox, too_slow: too_slow.clone(), from });
        conns.by_name.insert(name.clone(), id);
        drop(conns);
        Registration { hub: self.clone(), id, name, too_slow }
    }

    /// Queues each event's frame to its asker's own lane, and holds the copies for
    /// everyone.
    fn route(&self, events: &[Arc<ServerEvent>]) {
        let mut copies = Vec::with_capacity(events.len());
        let mut conns = self.conns();
        let mut refused = Vec::new();
        for event in events {
            let asker = conns.asker(event);
            let is_chunk = matches!(**event, ServerEvent::StreamChunk { .. });
            if is_chunk && asker.is_none() {
                continue;
            }
            let message = frame(event);
            if let Some((id, conn)) = asker.and_then(|id| conns.by_id.get(&id).map(|c| (id, c))) {
                if let Err(why) = conn.outbox.try_push(message.clone()) {
                    refused.push((id, why));
                }
            }
            if is_chunk {
                continue;
            }
            copies.push((message, asker.unwrap_or(NOBODY)));
        }
        for (id, why) in refused {
            conns.refused(id, why);
        }
        drop(conns);
        if !copies.is_empty() {
            let mut held = self.held();
            for (message, skip) in copies {
                held.run.push(message, skip);
            }
            let full = held.run.bytes() >= MAX_HELD_BYTES;
            drop(held);
            self.copies.held.notify_one();
            if full {
                self.copies.full.notify_one();
            }
        }
    }

    /// Queues the held copies to every connection as one run, yielding to other tasks
    /// between slices of connections.
    async fn send_copies(&self) {
        let (run, first) = {
            let mut held = self.held();
            let first = held.first;
            let run = std::mem::take(&mut held.run);
            held.first += run.len() as u64;
            (Arc::new(run), first)
        };
        if run.is_empty() {
            return;
        }
        let targets: Vec<(u64, u64, Outbox)> =
            self.conns().by_id.iter().map(|(id, c)| (*id, c.from, c.outbox.clone())).collect();
        for slice in targets.chunks(SLICE) {
            let mut refused = Vec::new();
            for (id, from, outbox) in slice {
                let skip = usize::try_from(from.saturating_sub(first)).unwrap_or(usize::MAX);
                if let Err(why) = outbox.try_push_run(&run, skip) {
                    refused.push((*id, why));
                }
            }
            if !refused.is_empty() {
                let mut conns = self.conns();
                for (id, why) in refused {
                    conns.refused(id, why);
                }
            }
            tokio::task::yield_now().await;
        }
    }

    /// Whether held copies wait longer: while a message waits for its answer's start, for
    /// at most [`MAX_HOLD`] and while they fit.
    fn hold_on(&self, waiting: &Waiting, since: Instant) -> bool {
        waiting.count() > 0 && since.elapsed() < MAX_HOLD && self.held().run.bytes() < MAX_HELD_BYTES
    }

    /// Every connection missed events: each must reconnect and catch up.
    fn drop_all(&self) {
        for (_, conn) in self.conns().by_id.drain() {
            conn.too_slow.notify_one();
        }
    }
}

async fn pump(mut events: tokio::sync::broadcast::Receiver<Arc<ServerEvent>>, hub: Weak<Hub>) {
    let lagged = |missed| tracing::warn!(missed, "the WebSocket fan-out fell behind the bus");
    loop {
        let event = events.recv().await;
        let Some(hub) = hub.upgrade() else { return };
        let mut run = match event {
            Ok(event) => vec![event],
            Err(RecvError::Lagged(missed)) => {
                lagged(missed);
                hub.drop_all();
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        // What was published meanwhile goes in the same run, in order.
        while run.len() < MAX_RUN {
            match events.try_recv() {
                Ok(event) => run.push(event),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Lagged(missed)) => {
                    lagged(missed);
                    hub.route(&std::mem::take(&mut run));
                    hub.drop_all();
                    break;
                }
                Err(TryRecvError::Closed) => break,
            }
        }
        if !run.is_empty() {
            hub.route(&run);
        }
    }
}

/// Sends the held copies: gathered for [`GATHER`], then held while messages wait for their
/// answer's start (see [`Hub::hold_on`]).
async fn send_held(hub: Weak<Hub>, copies: Arc<Copies>, waiting: Waiting) {
    let copies = &*copies;
    // Sleeps, or less when the held copies fill up.
    let wait = |time| async move {
        tokio::select! {
            () = tokio::time::sleep(time) => {}
            () = copies.full.notified() => {}
        }
    };
    loop {
        copies.held.notified().await;
        wait(GATHER).await;
        let since = Instant::now();
        loop {
            let Some(hub) = hub.upgrade() else { return };
            if !hub.hold_on(&waiting, since) {
                hub.send_copies().await;
                break;
            }
            drop(hub);
            wait(RECHECK).await;
        }
    }
}

#[cfg(test)]
mod tests;
