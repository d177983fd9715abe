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
//!
//! Every connection has two lanes. What is for it alone (a reply, a task it runs, a
//! heartbeat) and the frames of the answers to its own messages go in its own lane; the
//! broadcast runs in the other. The writer empties its own lane first, so the device the
//! user typed on sees its answer start at once even while the answers asked from other
//! devices are still being mirrored to it. Each lane keeps its order, and every connection
//! still gets every event exactly once: an answer's frames reach the connection that asked
//! through its own lane and every other connection through the runs.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use axum::extract::ws::{Message, Utf8Bytes};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{Notify, mpsc};

use crate::bus::{Bus, ServerEvent};

/// Text a connection may have waiting before it counts as too slow.
pub const MAX_QUEUED_BYTES: usize = 4 * 1024 * 1024;
/// Entries (single frames or runs) a connection may have waiting in each lane (a bound on
/// the queue's bookkeeping).
const MAX_QUEUED_FRAMES: usize = 16 * 1024;
/// The most events the fan-out takes into one run.
const MAX_RUN: usize = 256;
/// The answers a connection is remembered to have asked for (older ones go through the
/// broadcast runs like any other).
const MAX_CLAIMS: usize = 64;

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    TooSlow,
    Closed,
}

/// A frame of a broadcast run, and the connection whose own answer it is, if any (that
/// connection has it in its own lane already and skips it here).
#[derive(Debug)]
struct Shared {
    message: Message,
    owner: Option<u64>,
}

/// The sending side of a connection's outbound queue.
#[derive(Debug, Clone)]
pub struct Outbox {
    id: u64,
    own: mpsc::Sender<Message>,
    runs: mpsc::Sender<Arc<[Shared]>>,
    queued: Arc<AtomicUsize>,
}

/// The receiving side, owned by the connection's writer: it hands out one frame at a time,
/// its own lane first.
#[derive(Debug)]
pub struct OutboxReader {
    id: u64,
    own: mpsc::Receiver<Message>,
    runs: mpsc::Receiver<Arc<[Shared]>>,
    queued: Arc<AtomicUsize>,
    /// The run being handed out, and the next frame of it.
    run: Option<(Arc<[Shared]>, usize)>,
}

pub fn outbox() -> (Outbox, OutboxReader) {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let (own_tx, own_rx) = mpsc::channel(MAX_QUEUED_FRAMES);
    let (runs_tx, runs_rx) = mpsc::channel(MAX_QUEUED_FRAMES);
    let queued = Arc::new(AtomicUsize::new(0));
    (
        Outbox { id, own: own_tx, runs: runs_tx, queued: queued.clone() },
        OutboxReader { id, own: own_rx, runs: runs_rx, queued, run: None },
    )
}

fn text_len(message: &Message) -> usize {
    match message {
        Message::Text(t) => t.len(),
        _ => 0,
    }
}

fn refused<T>(e: mpsc::error::TrySendError<T>) -> Refused {
    match e {
        mpsc::error::TrySendError::Full(_) => Refused::TooSlow,
        mpsc::error::TrySendError::Closed(_) => Refused::Closed,
    }
}

impl Outbox {
    /// Counts `len` more bytes waiting, or refuses when the connection already holds too
    /// much. Counted before the frame is queued, so the reader never subtracts what was
    /// not added.
    fn reserve(&self, len: usize) -> Result<(), Refused> {
        if self.queued.load(Ordering::Acquire) + len > MAX_QUEUED_BYTES {
            return Err(Refused::TooSlow);
        }
        self.queued.fetch_add(len, Ordering::AcqRel);
        Ok(())
    }

    fn unreserve(&self, len: usize) {
        self.queued.fetch_sub(len, Ordering::AcqRel);
    }

    /// Queues a frame for this connection alone, in its own lane, at once; or refuses it
    /// when the connection already holds too much.
    pub fn try_push(&self, message: Message) -> Result<(), Refused> {
        let len = text_len(&message);
        self.reserve(len)?;
        self.own.try_send(message).map_err(|e| {
            self.unreserve(len);
            refused(e)
        })
    }

    /// Queues a broadcast run whose frames not owned by this connection come to `len`
    /// bytes, or refuses it whole.
    fn try_push_run(&self, run: &Arc<[Shared]>, len: usize) -> Result<(), Refused> {
        self.reserve(len)?;
        self.runs.try_send(run.clone()).map_err(|e| {
            self.unreserve(len);
            refused(e)
        })
    }

    /// Queues a frame in the connection's own lane, waiting for room (used for the closing
    /// frame of a slow client).
    pub async fn push(&self, message: Message) -> Result<(), Refused> {
        let len = text_len(&message);
        self.queued.fetch_add(len, Ordering::AcqRel);
        self.own.send(message).await.map_err(|_| {
            self.unreserve(len);
            Refused::Closed
        })
    }
}

impl OutboxReader {
    fn taken(&self, message: Message) -> Message {
        self.queued.fetch_sub(text_len(&message), Ordering::AcqRel);
        message
    }

    /// The next frame of the run being handed out that is not this connection's own.
    fn next_of_run(&mut self) -> Option<Message> {
        loop {
            let (run, next) = self.run.as_mut()?;
            let shared = run.get(*next).filter(|s| s.owner != Some(self.id)).map(|s| s.message.clone());
            *next += 1;
            let done = *next >= run.len();
            if done {
                self.run = None;
            }
            if let Some(message) = shared {
                return Some(self.taken(message));
            }
            if done {
                return None;
            }
        }
    }

    /// The next frame: its own lane first, then what is left of the run being handed out,
    /// then the next run. `None` when nothing is waiting.
    pub fn try_recv(&mut self) -> Option<Message> {
        if let Ok(message) = self.own.try_recv() {
            return Some(self.taken(message));
        }
        loop {
            if let Some(message) = self.next_of_run() {
                return Some(message);
            }
            self.run = Some((self.runs.try_recv().ok()?, 0));
        }
    }

    /// Waits for the next frame; `None` once both lanes are closed and empty.
    pub async fn recv(&mut self) -> Option<Message> {
        loop {
            if let Some(message) = self.try_recv() {
                return Some(message);
            }
            tokio::select! {
                biased;
                Some(message) = self.own.recv() => return Some(self.taken(message)),
                run = self.runs.recv() => match run {
                    Some(run) => self.run = Some((run, 0)),
                    // The runs lane closes only with the connection; its own lane may
                    // still hold the closing frame.
                    None => return self.own.recv().await.map(|m| self.taken(m)),
                },
            }
        }
    }
}

/// A connection as the hub sees it: where its frames go, and how to tell it to leave.
struct Conn {
    outbox: Outbox,
    too_slow: Arc<Notify>,
    /// The answers it asked for, oldest first (see [`Registration::claim`]).
    claims: VecDeque<String>,
}

#[derive(Default)]
pub struct Hub {
    conns: Mutex<HashMap<u64, Conn>>,
    /// Whose answer each claimed message is: the id of the connection that asked.
    owners: Mutex<HashMap<String, u64>>,
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

impl Registration {
    /// The answer `message_id` is to a message this connection sent: its frames go to this
    /// connection through its own lane, ahead of what is mirrored to it from others.
    /// Call before the answer starts.
    pub fn claim(&self, message_id: &str) {
        let mut conns = self.hub.conns();
        let Some(conn) = conns.get_mut(&self.id) else { return };
        let mut owners = self.hub.owners();
        if conn.claims.len() >= MAX_CLAIMS
            && let Some(oldest) = conn.claims.pop_front()
        {
            owners.remove(&oldest);
        }
        conn.claims.push_back(message_id.to_owned());
        owners.insert(message_id.to_owned(), self.id);
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let conn = self.hub.conns().remove(&self.id);
        if let Some(conn) = conn {
            let mut owners = self.hub.owners();
            for id in conn.claims {
                owners.remove(&id);
            }
        }
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

    fn owners(&self) -> MutexGuard<'_, HashMap<String, u64>> {
        self.owners.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection: from now on it receives every event published on `bus`.
    pub fn register(self: &Arc<Self>, bus: &Bus, outbox: Outbox) -> Registration {
        self.pump.get_or_init(|| {
            // The pump holds the hub weakly and the bus only as a receiver, so it ends
            // with the server (the bus closes when the last sender is dropped).
            tokio::spawn(pump(bus.subscribe(), Arc::downgrade(self)));
        });
        let id = outbox.id;
        let too_slow = Arc::new(Notify::new());
        self.conns().insert(id, Conn { outbox, too_slow: too_slow.clone(), claims: VecDeque::new() });
        Registration { hub: self.clone(), id, too_slow }
    }

    /// The frame of an event, and the connection whose own answer it is.
    fn shared(&self, event: &ServerEvent) -> Shared {
        let owner = event.message_id().and_then(|id| self.owners().get(id).copied());
        Shared { message: frame(event), owner }
    }

    /// Queues a run of frames to every connection, dropping those that cannot take it:
    /// each connection's own answers to its own lane, the rest as one shared run.
    fn deliver(&self, frames: Vec<Shared>) {
        let total: usize = frames.iter().map(|s| text_len(&s.message)).sum();
        // Bytes and frames of the run that are some connection's own (few: the answers
        // to the messages that connection sent).
        let mut owned: HashMap<u64, (usize, Vec<Message>)> = HashMap::new();
        for s in frames.iter() {
            if let Some(owner) = s.owner {
                let entry = owned.entry(owner).or_default();
                entry.0 += text_len(&s.message);
                entry.1.push(s.message.clone());
            }
        }
        let run: Arc<[Shared]> = frames.into();
        self.conns().retain(|id, conn| {
            let pushed = match owned.get(id) {
                None => conn.outbox.try_push_run(&run, total),
                Some((bytes, mine)) => {
                    mine.iter().try_for_each(|m| conn.outbox.try_push(m.clone())).and_then(|()| {
                        if run.iter().any(|s| s.owner != Some(*id)) {
                            conn.outbox.try_push_run(&run, total - bytes)
                        } else {
                            Ok(())
                        }
                    })
                }
            };
            match pushed {
                Ok(()) => true,
                Err(Refused::Closed) => false,
                Err(Refused::TooSlow) => {
                    tracing::info!("dropping a WebSocket client that cannot keep up");
                    conn.too_slow.notify_one();
                    false
                }
            }
        });
    }

    /// Every connection missed events: each must reconnect and catch up.
    fn drop_all(&self) {
        for (_, conn) in self.conns().drain() {
            conn.too_slow.notify_one();
        }
        self.owners().clear();
    }
}

async fn pump(mut events: tokio::sync::broadcast::Receiver<Arc<ServerEvent>>, hub: Weak<Hub>) {
    loop {
        let event = events.recv().await;
        let Some(hub) = hub.upgrade() else { return };
        let mut run = match event {
            Ok(event) => vec![hub.shared(&event)],
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
                Ok(event) => run.push(hub.shared(&event)),
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
            bus.data_changed(&format!("{i}{name}"));
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
        let frames: Vec<Shared> = (0..5)
            .map(|i| Shared { message: Message::Text(Utf8Bytes::from(format!("frame {i}"))), owner: None })
            .collect();
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

    fn chunk(message_id: &str, index: u32) -> ServerEvent {
        ServerEvent::StreamChunk { message_id: message_id.into(), content: format!("part {index}"), index }
    }

    fn drain(rx: &mut OutboxReader) -> Vec<String> {
        std::iter::from_fn(|| rx.try_recv()).map(text).collect()
    }

    #[tokio::test]
    async fn the_asker_gets_its_answer_ahead_of_mirrored_ones_and_everyone_gets_everything_once() {
        let hub = Arc::new(Hub::default());
        let bus = Bus::new(64);
        let (asker_tx, mut asker_rx) = outbox();
        let (other_tx, mut other_rx) = outbox();
        let asker = hub.register(&bus, asker_tx.clone());
        let _other = hub.register(&bus, other_tx.clone());
        asker.claim("mine");
        // Another device's answer is already waiting in the asker's queue ...
        hub.deliver(vec![hub.shared(&chunk("theirs", 0)), hub.shared(&chunk("theirs", 1))]);
        // ... when a run mixing the asker's own answer with more of the other one comes.
        hub.deliver(vec![
            hub.shared(&chunk("mine", 0)),
            hub.shared(&chunk("theirs", 2)),
            hub.shared(&chunk("mine", 1)),
        ]);
        let asker_got = drain(&mut asker_rx);
        let other_got = drain(&mut other_rx);
        let order = |got: &[String]| -> Vec<String> {
            got.iter()
                .map(|f| {
                    let v: serde_json::Value = serde_json::from_str(f).unwrap();
                    format!("{}#{}", v["data"]["message_id"].as_str().unwrap(), v["data"]["index"])
                })
                .collect()
        };
        assert_eq!(
            order(&asker_got),
            ["mine#0", "mine#1", "theirs#0", "theirs#1", "theirs#2"],
            "the asker's own answer first, each stream in order, nothing twice"
        );
        assert_eq!(
            order(&other_got),
            ["theirs#0", "theirs#1", "mine#0", "theirs#2", "mine#1"],
            "every other connection gets every frame in publishing order"
        );
        assert_eq!(
            asker_tx.queued.load(Ordering::Acquire),
            0,
            "the skipped copies are not counted as waiting"
        );
        assert_eq!(other_tx.queued.load(Ordering::Acquire), 0);

        // A connection that leaves takes its claims with it.
        drop(asker);
        assert!(hub.owners().is_empty());
    }

    #[tokio::test]
    async fn a_run_of_only_its_own_frames_is_not_queued_twice() {
        let hub = Arc::new(Hub::default());
        let bus = Bus::new(64);
        let (tx, mut rx) = outbox();
        let reg = hub.register(&bus, tx.clone());
        reg.claim("mine");
        hub.deliver(vec![hub.shared(&chunk("mine", 0))]);
        assert_eq!(drain(&mut rx).len(), 1);
        assert_eq!(tx.queued.load(Ordering::Acquire), 0);
    }

    #[tokio::test]
    async fn claims_are_bounded_per_connection() {
        let hub = Arc::new(Hub::default());
        let bus = Bus::new(64);
        let (tx, _rx) = outbox();
        let reg = hub.register(&bus, tx);
        for i in 0..MAX_CLAIMS + 10 {
            reg.claim(&format!("m{i}"));
        }
        assert_eq!(hub.owners().len(), MAX_CLAIMS);
        assert!(!hub.owners().contains_key("m0"), "the oldest claim is forgotten first");
    }
}
