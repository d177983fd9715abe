//! Native notifications. The scheduler's own (reminders, overdue notices, the briefing)
//! come through [`NativeNotifier`], the desktop's implementation of its `Notifier`; every
//! other `notification` on the bus (a finished background task) through
//! [`forward`], and so does a host tool waiting for the user's yes: its notification
//! names the exact command or path, and the window comes to the front with the approval
//! card (it may have been hidden in the tray). The window-free part: which events become
//! a notification, and with what text.

use clawchat_server::auth::OtpSink;
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
    /// Bring the window to the front too: the user has to answer in it.
    pub raise_window: bool,
}

/// The native notification for `event`, if it calls for one.
pub fn for_event(event: &ServerEvent) -> Option<Native> {
    match event {
        ServerEvent::Notification { title, body, kind, .. } if !SCHEDULED_KINDS.contains(&kind.as_str()) => {
            Some(Native { title: title.clone(), body: body.clone(), raise_window: false })
        }
        // The engine's reason already names the exact command or path (`approval_reason`).
        ServerEvent::ApprovalRequest { reason, .. } => Some(Native {
            title: "ClawChat is waiting for your yes".to_owned(),
            body: reason.clone(),
            raise_window: true,
        }),
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
            (self.show)(Native { title: n.title.clone(), body: n.body.clone(), raise_window: false });
        }
        Box::pin(async { Ok(()) })
    }
}

/// A one-time sign-in code that is not e-mailed (no SMTP configured, or the mail failed)
/// reaches the owner as a native notification.
impl OtpSink for NativeNotifier {
    fn deliver(&self, email: &str, code: &str) {
        (self.show)(Native {
            title: "ClawChat sign-in code".to_owned(),
            body: format!("{code} is the code for {email}; it is valid for 5 minutes"),
            raise_window: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawchat_server::brain::types::{Intent, Target, TaskRecord, TaskSpec, TaskStatus};
    use serde_json::json;

    /// The request as the engine publishes it, with the engine's own reason.
    fn waiting(tool: Intent, inputs: serde_json::Value) -> ServerEvent {
        let task = TaskRecord {
            task: TaskSpec { task_id: "t1".into(), tool, inputs, depends_on: vec![] },
            status: TaskStatus::AwaitingApproval,
            target: Target::Host,
            output: None,
            error: None,
        };
        let reason = clawchat_server::brain::approvals::approval_reason(&task);
        ServerEvent::ApprovalRequest { task: Box::new(task), reason }
    }

    #[test]
    fn a_tool_waiting_for_a_yes_names_exactly_what_it_would_do_and_raises_the_window() {
        let n = for_event(&waiting(Intent::ExecutorShell, json!({"command": "rm -rf ~/build"}))).unwrap();
        assert_eq!(n.title, "ClawChat is waiting for your yes");
        assert_eq!(n.body, "Run this command on your computer: rm -rf ~/build");
        assert!(n.raise_window);
        let n =
            for_event(&waiting(Intent::FileCreate, json!({"path": "/home/me/notes.txt", "content": "x"})))
                .unwrap();
        assert_eq!(n.body, "Create the file /home/me/notes.txt");
        let n = for_event(&waiting(Intent::OpenApp, json!({"target": "firefox"}))).unwrap();
        assert_eq!(n.body, "Open firefox");
    }

    #[test]
    fn a_sign_in_code_is_shown_natively_with_the_address_it_is_for() {
        let shown = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = shown.clone();
        let native = NativeNotifier::new(move |n| sink.lock().unwrap().push(n));
        OtpSink::deliver(&native, "ana@example.com", "493021");
        let shown = shown.lock().unwrap();
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].title, "ClawChat sign-in code");
        assert_eq!(shown[0].body, "493021 is the code for ana@example.com; it is valid for 5 minutes");
    }

    #[test]
    fn plain_notifications_do_not_take_the_focus_and_data_changes_are_silent() {
        let done = ServerEvent::Notification {
            title: "Done".into(),
            body: "b".into(),
            kind: "task_done".into(),
            ref_id: None,
            conversation_id: None,
        };
        assert!(!for_event(&done).unwrap().raise_window);
        assert!(
            for_event(&ServerEvent::ModuleDataChanged { module: clawchat_server::bus::Module::Todos })
                .is_none()
        );
    }
}
