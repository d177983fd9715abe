//! The fan-out of bus events to `/ws` connections.
//!
//! One task subscribes to the bus for all connections: it turns each event into its JSON
//! frame once and queues that same frame (a shared, reference-counted buffer) to every
//! connection. Events published while it was busy are taken together and queued as one
//! run: each connection's writer is woken once per run and writes it with one flush, so a
//! burst costs a wakeup and a send per connection per run, not per frame.
//!
//! Every event goes to every connection, except an answer's `stream_chunk`: it goes to the
//! connection that asked alone (found by its name; none when no `/ws` connection asked, or
//! the one that did is gone), in its place among the run's other frames. The others get
//! the answer whole in its `stream_end`.
//!
//! A connection that cannot take a frame is too slow: it is taken off the list and told to
//! close, so it never holds up the assistant or the other connections.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use axum::extract::ws::{Message, Utf8Bytes};
use tokio::sync::Notify;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::outbox::{Outbox, Refused, text_len};
use crate::bus::{Bus, ConnectionId, ServerEvent};

/// The most events the fan-out takes into one run.
const MAX_RUN: usize = 256;

/// A connection as the hub sees it: where its frames go, and how to tell it to leave.
struct Conn {
    outbox: Outbox,
    too_slow: Arc<Notify>,
}

#[derive(Default)]
struct Conns {
    by_id: HashMap<u64, Conn>,
    /// The connection each name stands for: the latest to connect under it.
    by_name: HashMap<ConnectionId, u64>,
}

#[derive(Default)]
pub struct Hub {
    conns: Mutex<Conns>,
    next_id: AtomicU64,
    pump: OnceLock<()>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").field("connections", &self.conns().by_id.len()).finish()
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

/// Who gets an event.
enum Audience<'a> {
    Everyone,
    /// The connection of this name alone: the chunks of the answer it asked for.
    Asker(&'a ConnectionId),
    Nobody,
}

fn audience(event: &ServerEvent) -> Audience<'_> {
    match event {
        ServerEvent::StreamChunk { to: Some(asker), .. } => Audience::Asker(asker),
        ServerEvent::StreamChunk { to: None, .. } => Audience::Nobody,
        _ => Audience::Everyone,
    }
}

/// A run as delivered: the frames every connection gets, and the bytes of text before each.
struct Run {
    shared: Arc<[Message]>,
    offsets: Vec<usize>,
}

impl Run {
    fn new(shared: Vec<Message>) -> Self {
        let mut offsets = Vec::with_capacity(shared.len() + 1);
        offsets.push(0);
        for m in &shared {
            offsets.push(offsets[offsets.len() - 1] + text_len(m));
        }
        Self { shared: shared.into(), offsets }
    }

    fn push_part(&self, outbox: &Outbox, from: usize, to: usize) -> Result<(), Refused> {
        outbox.try_push_run(&self.shared, from..to, self.offsets[to] - self.offsets[from])
    }

    /// Queues the run to a connection with its own frames in their places (each after the
    /// shared frames published before it).
    fn push_with(&self, outbox: &Outbox, own: Vec<(usize, Message)>) -> Result<(), Refused> {
        let mut from = 0;
        for (at, message) in own {
            self.push_part(outbox, from, at)?;
            outbox.try_push(message)?;
            from = at;
        }
        self.push_part(outbox, from, self.shared.len())
    }
}

impl Hub {
    fn conns(&self) -> MutexGuard<'_, Conns> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection under `name`: from now on it receives the events published on
    /// `bus`, and the chunks of the answers to messages sent naming it.
    pub fn register(self: &Arc<Self>, bus: &Bus, outbox: Outbox, name: ConnectionId) -> Registration {
        self.pump.get_or_init(|| {
            // The pump holds the hub weakly and the bus only as a receiver, so it ends
            // with the server (the bus closes when the last sender is dropped).
            tokio::spawn(pump(bus.subscribe(), Arc::downgrade(self)));
        });
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let too_slow = Arc::new(Notify::new());
        let mut conns = self.conns();
        conns.by_id.insert(id, Conn { outbox, too_slow: too_slow.clone() });
        conns.by_name.insert(name.clone(), id);
        drop(conns);
        Registration { hub: self.clone(), id, name, too_slow }
    }

    /// Queues events to their audiences, dropping the connections that cannot take them.
    fn deliver(&self, events: &[Arc<ServerEvent>]) {
        let mut shared = Vec::with_capacity(events.len());
        let mut addressed = Vec::new();
        for event in events {
            match audience(event) {
                Audience::Everyone => shared.push(frame(event)),
                Audience::Asker(name) => addressed.push((name, shared.len(), frame(event))),
                Audience::Nobody => {}
            }
        }
        let run = Run::new(shared);
        let mut conns = self.conns();
        let mut own: HashMap<u64, Vec<(usize, Message)>> = HashMap::new();
        for (name, at, message) in addressed {
            if let Some(id) = conns.by_name.get(name) {
                own.entry(*id).or_default().push((at, message));
            }
        }
        conns.by_id.retain(|id, conn| {
            // Most runs carry no chunk: no lookup per connection then.
            let frames = if own.is_empty() { None } else { own.remove(id) };
            let pushed = match frames {
                None => run.push_part(&conn.outbox, 0, run.shared.len()),
                Some(frames) => run.push_with(&conn.outbox, frames),
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
                    hub.deliver(&std::mem::take(&mut run));
                    hub.drop_all();
                    break;
                }
                Err(TryRecvError::Closed) => break,
            }
        }
        if !run.is_empty() {
            hub.deliver(&run);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::outbox::{MAX_QUEUED_BYTES, OutboxReader, outbox};
    use super::*;

    fn text(m: Message) -> String {
        match m {
            Message::Text(t) => t.as_str().to_owned(),
            other => panic!("expected text, got {other:?}"),
        }
    }

    fn drain(rx: &mut OutboxReader) -> Vec<String> {
        std::iter::from_fn(|| rx.try_recv()).map(text).collect()
    }

    fn name(s: &str) -> ConnectionId {
        ConnectionId::from(s)
    }

    fn event(e: ServerEvent) -> Arc<ServerEvent> {
        Arc::new(e)
    }

    fn start(id: &str) -> Arc<ServerEvent> {
        event(ServerEvent::StreamStart { message_id: id.into(), conversation_id: "c".into() })
    }

    fn chunk(id: &str, content: &str, to: Option<&str>) -> Arc<ServerEvent> {
        event(ServerEvent::chunk(id, content.into(), 0, to.map(name).as_ref()))
    }

    fn end(id: &str) -> Arc<ServerEvent> {
        event(ServerEvent::StreamEnd {
            message_id: id.into(),
            full_content: "all".into(),
            intent: "i".into(),
        })
    }

    #[tokio::test]
    async fn every_connection_gets_each_event_once_and_a_full_queue_is_dropped() {
        let bus = Bus::new(1024);
        let hub = Arc::new(Hub::default());
        let (fast_tx, mut fast_rx) = outbox();
        let (slow_tx, _slow_rx) = outbox();
        let _fast = hub.register(&bus, fast_tx, name("fast"));
        let slow = hub.register(&bus, slow_tx, name("slow"));
        // Each frame is about 1 KiB; the slow reader never reads, so it overflows after
        // MAX_QUEUED_BYTES, while the fast one takes every frame.
        let filler = "x".repeat(1024);
        let frames = MAX_QUEUED_BYTES / 1024 + 8;
        let expected = filler.clone();
        let reader = tokio::spawn(async move {
            for i in 0..frames {
                let got = tokio::time::timeout(Duration::from_secs(5), fast_rx.recv()).await;
                let got = text(got.expect("frame in time").expect("open"));
                assert!(got.contains(&format!("\"{i}{expected}\"")), "frame {i} in order");
            }
        });
        for i in 0..frames {
            bus.publish(ServerEvent::Error { code: "x".into(), detail: format!("{i}{filler}") });
            if i % 32 == 0 {
                tokio::task::yield_now().await;
            }
        }
        reader.await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), slow.too_slow.notified())
            .await
            .expect("the slow connection is told to leave");
        assert_eq!(hub.conns().by_id.len(), 1, "only the fast connection stays");
    }

    #[tokio::test]
    async fn a_dropped_registration_leaves_the_hub() {
        let bus = Bus::new(8);
        let hub = Arc::new(Hub::default());
        let (tx, _rx) = outbox();
        let reg = hub.register(&bus, tx, name("a"));
        assert_eq!(hub.conns().by_id.len(), 1);
        drop(reg);
        assert_eq!(hub.conns().by_id.len(), 0);
        assert!(hub.conns().by_name.is_empty());
    }

    #[tokio::test]
    async fn a_run_reaches_every_connection_whole_and_in_order() {
        let hub = Arc::new(Hub::default());
        let bus = Bus::new(8);
        let (a_tx, mut a_rx) = outbox();
        let (b_tx, mut b_rx) = outbox();
        let _a = hub.register(&bus, a_tx.clone(), name("a"));
        let _b = hub.register(&bus, b_tx, name("b"));
        let events: Vec<_> = (0..5).map(|i| start(&format!("m{i}"))).collect();
        hub.deliver(&events);
        let frames: Vec<String> = events.iter().map(|e| text(frame(e))).collect();
        assert_eq!(a_tx.queued_bytes(), frames.iter().map(String::len).sum::<usize>());
        assert_eq!(drain(&mut a_rx), frames);
        assert_eq!(drain(&mut b_rx), frames);
        assert_eq!(a_tx.queued_bytes(), 0, "what was taken is no longer counted");
    }

    #[tokio::test]
    async fn a_chunk_goes_to_the_asker_alone_in_its_place() {
        let hub = Arc::new(Hub::default());
        let bus = Bus::new(8);
        let (a_tx, mut a_rx) = outbox();
        let (b_tx, mut b_rx) = outbox();
        let _a = hub.register(&bus, a_tx, name("a"));
        let _b = hub.register(&bus, b_tx, name("b"));
        let events = [
            start("m1"),
            chunk("m1", "one", Some("a")),
            start("m2"),
            chunk("m1", "two", Some("a")),
            chunk("m2", "gone", Some("left")),
            chunk("m2", "nobody", None),
            end("m1"),
        ];
        hub.deliver(&events);
        let f = |i: usize| text(frame(&events[i]));
        assert_eq!(drain(&mut a_rx), [f(0), f(1), f(2), f(3), f(6)]);
        assert_eq!(drain(&mut b_rx), [f(0), f(2), f(6)], "no chunk of another's answer");
    }

    #[tokio::test]
    async fn a_name_belongs_to_the_latest_connection_that_took_it() {
        let hub = Arc::new(Hub::default());
        let bus = Bus::new(8);
        let (old_tx, mut old_rx) = outbox();
        let (new_tx, mut new_rx) = outbox();
        let old = hub.register(&bus, old_tx, name("page"));
        let _new = hub.register(&bus, new_tx, name("page"));
        drop(old);
        hub.deliver(&[chunk("m", "hi", Some("page"))]);
        assert!(drain(&mut old_rx).is_empty());
        assert_eq!(drain(&mut new_rx).len(), 1, "the older connection leaving keeps the newer one's name");
    }
}
