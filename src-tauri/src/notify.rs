//! Native notifications. The scheduler's own (reminders, overdue notices, the briefing)
//! come through [`NativeNotifier`], the desktop's implementation of its `Notifier`; every
//! other `notification` on the bus (a finished background task) through
//! [`forward`]. The window-free part: which events become a notification, and with what
//! text.

use clawchat_server::bus::{Bus, ServerEvent};
use clawchat_server::schedule::{Notification, Notifier};
use futures::future::BoxFuture;
use tokio::sync::broadcast::error::RecvError;

/// The kinds the scheduler fires. They reach the desktop through [`NativeNotifier`]; the
/// bus forward leaves them to it, so none is shown twice.
pub const SCHEDULED_KINDS: [&str; 3] = ["reminder", "overdue", "briefing"];

/// What one native notification shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Native {
    pub title: String,
    pub body: String,
}

/// The native notification for `event`, if it calls for one.
pub fn for_event(event: &ServerEvent) -> Option<Native> {
    match event {
        ServerEvent::Notification { title, body, kind, .. } if !SCHEDULED_KINDS.contains(&kind.as_str()) => {
            Some(Native { title: title.clone(), body: body.clone() })
        }
        _ => None,
    }
}

/// Shows every notification published on `bus` with `show`, until the bus closes.
pub fn forward(bus: &Bus, show: impl Fn(Native) + Send + 'static) -> tokio::task::JoinHandle<()> {
    let mut rx = bus.subscribe();
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(event) => {
                    if let Some(n) = for_event(&event) {
                        show(n);
                    }
                }
                Err(RecvError::Lagged(missed)) => tracing::warn!(missed, "notifications were dropped"),
                Err(RecvError::Closed) => break,
            }
        }
    })
}

/// The scheduler's notifications as native ones: the desktop's `Notifier`.
pub struct NativeNotifier {
    show: Box<dyn Fn(Native) + Send + Sync>,
}

impl NativeNotifier {
    /// `show` must return at once (the scheduler waits for every notifier of a batch).
    pub fn new(show: impl Fn(Native) + Send + Sync + 'static) -> Self {
        Self { show: Box::new(show) }
    }
}

impl Notifier for NativeNotifier {
    fn name(&self) -> &str {
        "native"
    }

    fn deliver<'a>(&'a self, batch: &'a [Notification]) -> BoxFuture<'a, anyhow::Result<()>> {
        for n in batch {
            (self.show)(Native { title: n.title.clone(), body: n.body.clone() });
        }
        Box::pin(async { Ok(()) })
    }
}
