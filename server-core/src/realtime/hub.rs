//! The fan-out of bus events to `/ws` connections.
//!
//! One task subscribes to the bus for all connections: it turns each event into its JSON
//! frame once and queues that same frame (a shared, reference-counted buffer) to every
//! connection. A connection whose queue is full is too slow: it is taken off the list and
//! told to close, so it never holds up the assistant or the other connections.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use axum::extract::ws::{Message, Utf8Bytes};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{Notify, mpsc};

use crate::bus::{Bus, ServerEvent};

/// A connection as the hub sees it: where its frames go, and how to tell it to leave.
struct Conn {
    frames: mpsc::Sender<Message>,
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
    pub fn register(self: &Arc<Self>, bus: &Bus, frames: mpsc::Sender<Message>) -> Registration {
        self.pump.get_or_init(|| {
            // The pump holds the hub weakly and the bus only as a receiver, so it ends
            // with the server (the bus closes when the last sender is dropped).
            tokio::spawn(pump(bus.subscribe(), Arc::downgrade(self)));
        });
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let too_slow = Arc::new(Notify::new());
        self.conns().insert(id, Conn { frames, too_slow: too_slow.clone() });
        Registration { hub: self.clone(), id, too_slow }
    }

    /// Queues one frame to every connection, dropping those that cannot take it.
    fn deliver(&self, message: &Message) {
        self.conns().retain(|_, conn| match conn.frames.try_send(message.clone()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Closed(_)) => false,
            Err(mpsc::error::TrySendError::Full(_)) => {
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
        match event {
            Ok(event) => hub.deliver(&frame(&event)),
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the WebSocket fan-out fell behind the bus");
                hub.drop_all();
            }
            Err(RecvError::Closed) => return,
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
        let bus = Bus::new(64);
        let hub = Arc::new(Hub::default());
        let (fast_tx, mut fast_rx) = mpsc::channel(8);
        let (slow_tx, _slow_rx) = mpsc::channel(1);
        let _fast = hub.register(&bus, fast_tx);
        let slow = hub.register(&bus, slow_tx);
        for i in 0..3 {
            bus.data_changed(&format!("m{i}"));
        }
        for i in 0..3 {
            let got = tokio::time::timeout(std::time::Duration::from_secs(5), fast_rx.recv()).await;
            let got = text(got.expect("frame in time").expect("open"));
            assert!(got.contains(&format!("\"m{i}\"")), "{got}");
        }
        tokio::time::timeout(std::time::Duration::from_secs(5), slow.too_slow.notified())
            .await
            .expect("the slow connection is told to leave");
        assert_eq!(hub.conns().len(), 1, "only the fast connection stays");
    }

    #[tokio::test]
    async fn a_dropped_registration_leaves_the_hub() {
        let bus = Bus::new(8);
        let hub = Arc::new(Hub::default());
        let (tx, _rx) = mpsc::channel(1);
        let reg = hub.register(&bus, tx);
        assert_eq!(hub.conns().len(), 1);
        drop(reg);
        assert_eq!(hub.conns().len(), 0);
    }
}
