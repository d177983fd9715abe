//! Native notifications for the bus's notifications (reminders, the briefing, finished
//! tasks). The window-free part: which events become a notification, and with what text.

use clawchat_server::bus::{Bus, ServerEvent};
use tokio::sync::broadcast::error::RecvError;

/// What one native notification shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Native {
    pub title: String,
    pub body: String,
}

/// The native notification for `event`, if it calls for one.
pub fn for_event(event: &ServerEvent) -> Option<Native> {
    match event {
        ServerEvent::Notification { title, body, .. } => {
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
