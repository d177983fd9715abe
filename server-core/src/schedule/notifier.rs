//! Where a fired notification goes. The engine hands every batch it fired to each
//! [`Notifier`]: the event bus (every `/ws` and Socket.IO connection), Expo push, and
//! whatever the embedding app adds (the desktop shell's native notifications).

use futures::future::BoxFuture;

use crate::bus::Module;
use crate::bus::{Bus, ServerEvent};
pub use crate::features::notifications::Notification;

/// Delivers fired notifications somewhere. Implementations must not block for long: the
/// engine awaits every notifier before it marks a batch delivered, so slow network work
/// belongs in a task of its own (as [`super::push::ExpoPush`] does).
///
/// Object safe, so the desktop shell can hand the server an `Arc<dyn Notifier>`.
pub trait Notifier: Send + Sync + 'static {
    /// A short name for logs.
    fn name(&self) -> &str;
    /// Delivers one batch (every notification fired by one pass of the engine).
    fn deliver<'a>(&'a self, batch: &'a [Notification]) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// Publishes each notification on the bus as a `notification` frame, which every
/// WebSocket and Socket.IO connection receives.
#[derive(Debug, Clone)]
pub struct BusNotifier(pub Bus);

impl Notifier for BusNotifier {
    fn name(&self) -> &str {
        "bus"
    }

    fn deliver<'a>(&'a self, batch: &'a [Notification]) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            for (i, n) in batch.iter().enumerate() {
                // A large batch gives the connections' tasks a turn now and then, so they
                // drain the bus as it fills instead of falling behind all at once.
                if i > 0 && i % 256 == 0 {
                    tokio::task::yield_now().await;
                }
                self.0.publish(ServerEvent::Notification {
                    title: n.title.clone(),
                    body: n.body.clone(),
                    kind: n.kind.clone(),
                    ref_id: n.ref_id.clone(),
                    conversation_id: n.conversation_id.clone(),
                });
            }
            if !batch.is_empty() {
                self.0.data_changed(Module::Notifications);
            }
            Ok(())
        })
    }
}
