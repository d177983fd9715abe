//! The fan-out of bus events to `/ws` connections.
//!
//! One task subscribes to the bus for all connections: it turns each event into its JSON
//! frame once and queues that same frame (a shared, reference-counted buffer) to every
//! connection. Events published while it was busy are taken together and queued as one
//! run: each connection's writer is woken once per run and writes it with one flush, so a
//! burst costs a wakeup and a send per connection per run, not per frame (with every
//! answer going to every connection, that is what decided latency under load). Each
//! connection's queue is bounded by the bytes of text waiting in it, so a burst of small
//! frames (a thousand answers streaming at once) fits, while a client that stops reading
//! is found after a few megabytes, not after a fixed number of frames. A connection that
//! cannot take a frame is too slow: it is taken off the list and told to close, so it
//! never holds up the assistant or the other connections.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use axum::extract::ws::{Message, Utf8Bytes};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{Notify, mpsc};

use crate::bus::{Bus, ServerEvent};

/// Text a connection may have waiting before it counts as too slow.
pub const MAX_QUEUED_BYTES: usize = 4 * 1024 * 1024;
/// Entries (single frames or runs) a connection may have waiting (a bound on the queue's
/// bookkeeping).
const MAX_QUEUED_FRAMES: usize = 16 * 1024;
/// The most events the fan-out takes into one run.
const MAX_RUN: usize = 256;

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    TooSlow,
    Closed,
}

/// What waits in a connection's queue: a frame of its own, or a run of frames the hub
/// delivered to every connection (shared, not copied).
#[derive(Debug)]
enum Queued {
    One(Message),
    Run(Arc<[Message]>),
}

/// The sending side of a connection's outbound queue.
#[derive(Debug, Clone)]
pub struct Outbox {
    frames: mpsc::Sender<Queued>,
    queued: Arc<AtomicUsize>,
}

/// The receiving side, owned by the connection's writer: it hands out one frame at a time.
#[derive(Debug)]
pub struct OutboxReader {
    frames: mpsc::Receiver<Queued>,
    queued: Arc<AtomicUsize>,
    /// The run being handed out, and the next frame of it.
    run: Option<(Arc<[Message]>, usize)>,
}

pub fn outbox() -> (Outbox, OutboxReader) {
    let (tx, rx) = mpsc::channel(MAX_QUEUED_FRAMES);
    let queued = Arc::new(AtomicUsize::new(0));
    (Outbox { frames: tx, queued: queued.clone() }, OutboxReader { frames: rx, queued, run: None })
}

fn text_len(message: &Message) -> usize {
    match message {
        Message::Text(t) => t.len(),
        _ => 0,
    }
}

impl Outbox {
    /// Queues a frame at once, or refuses it when the connection already holds too much.
    pub fn try_push(&self, message: Message) -> Result<(), Refused> {
        let len = text_len(&message);
        self.try_queue(Queued::One(message), len)
    }

    /// Queues a run of frames of `len` bytes of text in all, or refuses it whole.
    fn try_push_run(&self, run: &Arc<[Message]>, len: usize) -> Result<(), Refused> {
        self.try_queue(Queued::Run(run.clone()), len)
    }

    fn try_queue(&self, item: Queued, len: usize) -> Result<(), Refused> {
        if self.queued.load(Ordering::Acquire) + len > MAX_QUEUED_BYTES {
            return Err(Refused::TooSlow);
        }
        // Counted before it is queued, so the reader never subtracts what was not added.
        self.queued.fetch_add(len, Ordering::AcqRel);
        self.frames.try_send(item).map_err(|e| {
            self.queued.fetch_sub(len, Ordering::AcqRel);
            match e {
                mpsc::error::TrySendError::Full(_) => Refused::TooSlow,
                mpsc::error::TrySendError::Closed(_) => Refused::Closed,
            }
        })
    }

    /// Queues a frame, waiting for room (used for the closing frame of a slow client).
    pub async fn push(&self, message: Message) -> Result<(), Refused> {
        let len = text_len(&message);
        self.queued.fetch_add(len, Ordering::AcqRel);
        self.frames.send(Queued::One(message)).await.map_err(|_| {
            self.queued.fetch_sub(len, Ordering::AcqRel);
            Refused::Closed
        })
    }
}

impl OutboxReader {
    fn taken(&self, message: Message) -> Message {
        self.queued.fetch_sub(text_len(&message), Ordering::AcqRel);
        message
    }

    /// The next frame of the run being handed out, if any is left.
    fn next_of_run(&mut self) -> Option<Message> {
        let (run, next) = self.run.as_mut()?;
        let message = run.get(*next).cloned();
        *next += 1;
        if *next >= run.len() {
            self.run = None;
        }
        message.map(|m| self.taken(m))
    }

    fn open(&mut self, item: Queued) -> Option<Message> {
        match item {
            Queued::One(message) => Some(self.taken(message)),
            Queued::Run(run) => {
                self.run = Some((run, 0));
                self.next_of_run()
            }
        }
    }

    pub async fn recv(&mut self) -> Option<Message> {
        if let Some(message) = self.next_of_run() {
            return Some(message);
        }
        let item = self.frames.recv().await?;
        self.open(item)
    }

    pub fn try_recv(&mut self) -> Option<Message> {
        if let Some(message) = self.next_of_run() {
            return Some(message);
        }
        let item = self.frames.try_recv().ok()?;
        self.open(item)
    }
}

/// A connection as the hub sees it: where its frames go, and how to tell it to leave.
struct Conn {
    outbox: Outbox,
    too_slow: Arc<Notify>,
}

#[derive(Default)]
pub struct Hub {
    conns: Mutex<HashMap<u64, Conn>>,
    next_id: AtomicU64,
    pump: OnceLock<()>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").field("connections", &self.conns().len()).finish()
    }
}

/// A connection's place on the hub; dropping it takes the connection off.
pub struct Registration {
    hub: Arc<Hub>,
    id: u64,
    /// Notified when the hub dropped this connection for falling behind.
    pub too_slow: Arc<Notify>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.hub.conns().remove(&self.id);
    }
}

/// The frame a server event travels as.
pub fn frame(event: &ServerEvent) -> Message {
    Message::Text(Utf8Bytes::from(serde_json::to_string(event).unwrap_or_default()))
}

impl Hub {
    fn conns(&self) -> MutexGuard<'_, HashMap<u64, Conn>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection: from now on it receives every event published on `bus`.
    pub fn register(self: &Arc<Self>, bus: &Bus, outbox: Outbox) -> Registration {
        self.pump.get_or_init(|| {
            // The pump holds the hub weakly and the bus only as a receiver, so it ends
            // with the server (the bus closes when the last sender is dropped).
            tokio::spawn(pump(bus.subscribe(), Arc::downgrade(self)));
        });
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let too_slow = Arc::new(Notify::new());
        self.conns().insert(id, Conn { outbox, too_slow: too_slow.clone() });
        Registration { hub: self.clone(), id, too_slow }
    }

    /// Queues frames to every connection, dropping those that cannot take them.
    fn deliver(&self, mut frames: Vec<Message>) {
        if frames.len() == 1 {
            if let Some(message) = frames.pop() {
                self.deliver_one(&message);
            }
            return;
        }
        let len = frames.iter().map(text_len).sum();
        let run: Arc<[Message]> = frames.into();
        self.retain_taking(|outbox| outbox.try_push_run(&run, len));
    }

    fn deliver_one(&self, message: &Message) {
        self.retain_taking(|outbox| outbox.try_push(message.clone()));
    }

    fn retain_taking(&self, mut push: impl FnMut(&Outbox) -> Result<(), Refused>) {
        self.conns().retain(|_, conn| match push(&conn.outbox) {
            Ok(()) => true,
            Err(Refused::Closed) => false,
            Err(Refused::TooSlow) => {
                tracing::info!("dropping a WebSocket client that cannot keep up");
                conn.too_slow.notify_one();
                false
            }
        });
    }

    /// Every connection missed events: each must reconnect and catch up.
    fn drop_all(&self) {
        for (_, conn) in self.conns().drain() {
            conn.too_slow.notify_one();
        }
    }
}

async fn pump(mut events: tokio::sync::broadcast::Receiver<Arc<ServerEvent>>, hub: Weak<Hub>) {
    loop {
        let event = events.recv().await;
        let Some(hub) = hub.upgrade() else { return };
        let mut run = match event {
            Ok(event) => vec![frame(&event)],
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the WebSocket fan-out fell behind the bus");
                hub.drop_all();
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        // What was published meanwhile goes in the same run, in order.
        while run.len() < MAX_RUN {
            match events.try_recv() {
                Ok(event) => run.push(frame(&event)),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the WebSocket fan-out fell behind the bus");
                    hub.deliver(std::mem::take(&mut run));
                    hub.drop_all();
                    break;
                }
                Err(TryRecvError::Closed) => break,
            }
        }
        if !run.is_empty() {
            hub.deliver(run);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(m: Message) -> String {
        match m {
            Message::Text(t) => t.as_str().to_owned(),
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn every_connection_gets_each_event_once_and_a_full_queue_is_dropped() {
        let bus = Bus::new(1024);
        let hub = Arc::new(Hub::default());
        let (fast_tx, mut fast_rx) = outbox();
        let (slow_tx, _slow_rx) = outbox();
        let _fast = hub.register(&bus, fast_tx);
        let slow = hub.register(&bus, slow_tx);
        // Each frame is about 1 KiB; the slow reader never reads, so it overflows after
        // MAX_QUEUED_BYTES, while the fast one takes every frame.
        let name = "x".repeat(1024);
        let frames = MAX_QUEUED_BYTES / 1024 + 8;
        let expected = name.clone();
        let reader = tokio::spawn(async move {
            let name = expected;
            for i in 0..frames {
                let got = tokio::time::timeout(std::time::Duration::from_secs(5), fast_rx.recv()).await;
                let got = text(got.expect("frame in time").expect("open"));
                assert!(got.contains(&format!("\"{i}{name}\"")), "frame {i} in order");
            }
        });
        for i in 0..frames {
            bus.publish(ServerEvent::Error { code: "x".into(), detail: format!("{i}{name}") });
            if i % 32 == 0 {
                tokio::task::yield_now().await;
            }
        }
        reader.await.unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), slow.too_slow.notified())
            .await
            .expect("the slow connection is told to leave");
        assert_eq!(hub.conns().len(), 1, "only the fast connection stays");
    }

    #[tokio::test]
    async fn a_dropped_registration_leaves_the_hub() {
        let bus = Bus::new(8);
        let hub = Arc::new(Hub::default());
        let (tx, _rx) = outbox();
        let reg = hub.register(&bus, tx);
        assert_eq!(hub.conns().len(), 1);
        drop(reg);
        assert_eq!(hub.conns().len(), 0);
    }

    #[tokio::test]
    async fn the_byte_count_follows_what_the_reader_takes() {
        let (tx, mut rx) = outbox();
        let big = Message::Text(Utf8Bytes::from("y".repeat(MAX_QUEUED_BYTES - 10)));
        tx.try_push(big).unwrap();
        assert_eq!(tx.try_push(Message::Text(Utf8Bytes::from("z".repeat(11)))), Err(Refused::TooSlow));
        tx.try_push(Message::Ping(Default::default())).unwrap();
        assert!(rx.try_recv().is_some());
        tx.try_push(Message::Text(Utf8Bytes::from("z".repeat(11)))).unwrap();
        assert_eq!(tx.queued.load(Ordering::Acquire), 11);
    }

    #[tokio::test]
    async fn a_run_reaches_every_connection_whole_and_in_order() {
        let hub = Arc::new(Hub::default());
        let bus = Bus::new(8);
        let (a_tx, mut a_rx) = outbox();
        let (b_tx, mut b_rx) = outbox();
        let _a = hub.register(&bus, a_tx.clone());
        let _b = hub.register(&bus, b_tx);
        let frames: Vec<Message> =
            (0..5).map(|i| Message::Text(Utf8Bytes::from(format!("frame {i}")))).collect();
        hub.deliver(frames);
        assert_eq!(a_tx.queued.load(Ordering::Acquire), 5 * "frame 0".len());
        for rx in [&mut a_rx, &mut b_rx] {
            for i in 0..5 {
                assert_eq!(text(rx.try_recv().expect("every frame of the run")), format!("frame {i}"));
            }
            assert!(rx.try_recv().is_none());
        }
        assert_eq!(a_tx.queued.load(Ordering::Acquire), 0, "what was taken is no longer counted");
    }
}
