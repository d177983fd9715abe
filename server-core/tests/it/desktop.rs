//! Start at login and the quick-add shortcut through `/api/settings`: the desktop app's
//! server reaches them through the desktop it was handed; the headless server has none and
//! says so.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clawchat_server::infra::desktop::{Desktop, QuickAddShortcut};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{TestServer, assert_invalid_field, send};

/// A desktop whose autostart entry is a file in a scratch folder, as on Linux, and where
/// another app holds Ctrl+Shift+Space.
struct EntryFile(PathBuf, Mutex<QuickAddShortcut>);

impl EntryFile {
    fn new(entry: PathBuf) -> Arc<Self> {
        let taken = Some("Ctrl+Shift+Space is taken by another app".to_owned());
        Arc::new(Self(entry, Mutex::new(QuickAddShortcut { keys: "Ctrl+Shift+Space".into(), error: taken })))
    }
}

impl Desktop for EntryFile {
    fn start_at_login(&self) -> anyhow::Result<bool> {
        Ok(self.0.exists())
    }

    fn set_start_at_login(&self, on: bool) -> anyhow::Result<()> {
        if on {
            std::fs::write(&self.0, "[Desktop Entry]\n")?;
        } else if self.0.exists() {
            std::fs::remove_file(&self.0)?;
        }
        Ok(())
    }

    fn quick_add_shortcut(&self) -> QuickAddShortcut {
        self.1.lock().unwrap().clone()
    }

    fn set_quick_add_shortcut(&self, keys: &str) -> Result<(), String> {
        if keys == "Ctrl+Shift+Space" {
            return Err(format!("{keys} is taken by another app"));
        }
        *self.1.lock().unwrap() = QuickAddShortcut { keys: keys.to_owned(), error: None };
        Ok(())
    }
}

#[tokio::test]
async fn the_headless_server_has_no_desktop_to_start_and_changes_nothing() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let before = server.get_ok("/api/settings", &token).await;
    assert_eq!(before["start_at_login"], json!(null), "no desktop: neither on nor off");
    assert_eq!(before["start_at_login_asked"], false);
    assert_eq!(before["quick_add_shortcut"], json!(null));
    for (patch, field) in [
        (json!({"start_at_login": true, "briefing_time": "06:45"}), "start_at_login"),
        (json!({"start_at_login": false, "briefing_time": "06:45"}), "start_at_login"),
        (json!({"quick_add_shortcut": "Ctrl+Alt+K", "briefing_time": "06:45"}), "quick_add_shortcut"),
    ] {
        let (status, body) = send(server.patch("/api/settings", &token).json(&patch)).await;
        assert_invalid_field(status, &body, field);
        assert!(body["detail"].as_str().unwrap().contains("without a desktop"), "{body}");
    }
    assert_eq!(server.get_ok("/api/settings", &token).await, before, "the briefing's time stayed too");
}

#[tokio::test]
async fn the_desktop_writes_and_removes_its_autostart_entry_and_the_answer_holds() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let scratch = tempfile::tempdir().unwrap();
    let entry = scratch.path().join("ClawChat.desktop");
    server.state.runtime.set_desktop(EntryFile::new(entry.clone()));
    let s = server.get_ok("/api/settings", &token).await;
    assert_eq!(s["start_at_login"], false);
    assert_eq!(s["start_at_login_asked"], false, "the first launch asks");

    let (status, s) =
        send(server.patch("/api/settings", &token).json(&json!({"start_at_login": true}))).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["start_at_login"], true);
    assert_eq!(s["start_at_login_asked"], true);
    assert!(entry.is_file(), "the entry is written at once");

    let (_, s) = send(server.patch("/api/settings", &token).json(&json!({"start_at_login": false}))).await;
    assert_eq!(s["start_at_login"], false);
    assert!(!entry.exists(), "turning it off removes the entry");

    // The answer is kept: a restart does not ask again.
    let server = server.restart().await;
    server.state.runtime.set_desktop(EntryFile::new(entry.clone()));
    let token = server.token().await;
    let s = server.get_ok("/api/settings", &token).await;
    assert_eq!(s["start_at_login_asked"], true);
    assert_eq!(s["start_at_login"], false);
}

#[tokio::test]
async fn a_shortcut_another_app_holds_is_shown_and_refused_and_another_is_kept() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let scratch = tempfile::tempdir().unwrap();
    server.state.runtime.set_desktop(EntryFile::new(scratch.path().join("ClawChat.desktop")));
    let s = server.get_ok("/api/settings", &token).await;
    assert_eq!(s["quick_add_shortcut"], "Ctrl+Shift+Space");
    assert_eq!(s["quick_add_shortcut_error"], "Ctrl+Shift+Space is taken by another app");

    let (status, s) =
        send(server.patch("/api/settings", &token).json(&json!({"quick_add_shortcut": " Ctrl+Alt+K "})))
            .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["quick_add_shortcut"], "Ctrl+Alt+K");
    assert_eq!(s["quick_add_shortcut_error"], json!(null));
    assert_eq!(
        clawchat_server::features::settings::saved_quick_add_shortcut(&server.state.db.read)
            .await
            .unwrap()
            .as_deref(),
        Some("Ctrl+Alt+K"),
        "kept for the next start"
    );

    for (patch, field) in [
        (json!({"quick_add_shortcut": "Ctrl+Shift+Space", "briefing_time": "06:45"}), "quick_add_shortcut"),
        (json!({"quick_add_shortcut": "  "}), "quick_add_shortcut"),
    ] {
        let (status, body) = send(server.patch("/api/settings", &token).json(&patch)).await;
        assert_invalid_field(status, &body, field);
    }
    let s = server.get_ok("/api/settings", &token).await;
    assert_eq!(s["quick_add_shortcut"], "Ctrl+Alt+K", "a refused shortcut leaves the one in force");
    assert_eq!(s["briefing_time"], "08:00", "and nothing else changed");
}
