//! What the embedded server reaches of the desktop, as its
//! [`Desktop`](clawchat_server::infra::desktop::Desktop): start at login (the autostart plugin's
//! entry) and the quick-add shortcut.

use clawchat_server::infra::desktop::{Desktop, QuickAddShortcut};
use tauri::AppHandle;
use tauri_plugin_autostart::ManagerExt as _;

use crate::shortcut::QuickAddKeys;

/// The desktop the server is handed when the app starts.
pub struct Hooks {
    app: AppHandle,
    keys: QuickAddKeys,
}

impl Hooks {
    pub fn new(app: AppHandle, keys: QuickAddKeys) -> Self {
        Self { app, keys }
    }
}

impl Desktop for Hooks {
    fn start_at_login(&self) -> anyhow::Result<bool> {
        Ok(self.app.autolaunch().is_enabled()?)
    }

    fn set_start_at_login(&self, on: bool) -> anyhow::Result<()> {
        let entry = self.app.autolaunch();
        if on {
            // The plugin makes only the last folder of ~/.config/autostart; a new
            // account may not have ~/.config yet.
            if let Some(home) = std::env::home_dir() {
                std::fs::create_dir_all(home.join(".config"))?;
            }
            entry.enable()?
        } else {
            entry.disable()?
        }
        tracing::info!(on, "start at login changed");
        Ok(())
    }

    fn quick_add_shortcut(&self) -> QuickAddShortcut {
        let (keys, error) = self.keys.current();
        QuickAddShortcut { keys, error }
    }

    fn set_quick_add_shortcut(&self, keys: &str) -> Result<(), String> {
        self.keys.change(keys)
    }
}
