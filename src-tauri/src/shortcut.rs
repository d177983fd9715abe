//! The global shortcut that opens quick add over whatever app is in front (default
//! Ctrl+Shift+Space, changeable in Settings), through Tauri's global-shortcut plugin.
//! Another app may hold the keys already; then the shortcut is not in force, and Settings
//! says so (the server reads it through [`Desktop`](clawchat_server::infra::desktop::Desktop)).

use std::sync::Mutex;

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Wry};
use tauri_plugin_global_shortcut::{GlobalShortcutExt as _, Shortcut, ShortcutState};

use crate::quick_add;

/// The shortcut until the user picks another.
pub const DEFAULT: &str = "Ctrl+Shift+Space";

/// The plugin: any shortcut the app registers opens quick add (it registers only one).
pub fn plugin() -> TauriPlugin<Wry> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state == ShortcutState::Pressed
                && let Err(e) = quick_add::open(app, None)
            {
                tracing::error!(error = %e, "quick add did not open");
            }
        })
        .build()
}

/// The shortcut the user chose, and why it is not in force when it is not.
pub struct QuickAddKeys {
    app: AppHandle,
    state: Mutex<(String, Option<String>)>,
}

impl QuickAddKeys {
    /// Registers `keys` (the saved choice, else [`DEFAULT`]); a failure is kept for
    /// Settings to show.
    pub fn register(app: AppHandle, keys: Option<String>) -> Self {
        let keys = keys.unwrap_or_else(|| DEFAULT.to_owned());
        let this = Self { app, state: Mutex::new((keys.clone(), None)) };
        if let Err(e) = this.grab(&keys) {
            tracing::warn!(keys, error = %e, "the quick-add shortcut is not in force");
            this.state.lock().unwrap_or_else(|p| p.into_inner()).1 = Some(e);
        }
        this
    }

    /// The chosen keys, and why they are not in force.
    pub fn current(&self) -> (String, Option<String>) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Puts `keys` in force in place of the current shortcut; on failure the current one
    /// stays as it was.
    pub fn change(&self, keys: &str) -> Result<(), String> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let same = state.0.parse::<Shortcut>().ok() == keys.parse::<Shortcut>().ok();
        if same && state.1.is_none() {
            return Ok(());
        }
        let old = state.0.parse::<Shortcut>().ok().filter(|_| state.1.is_none());
        if let Some(old) = old {
            let _ = self.app.global_shortcut().unregister(old);
        }
        if let Err(e) = self.grab(keys) {
            if let Some(old) = old {
                let _ = self.app.global_shortcut().register(old);
            }
            return Err(e);
        }
        *state = (keys.to_owned(), None);
        tracing::info!(keys, "the quick-add shortcut changed");
        Ok(())
    }

    fn grab(&self, keys: &str) -> Result<(), String> {
        let shortcut: Shortcut = keys.parse().map_err(|_| {
            format!("{keys} is not a key combination ClawChat knows; write it like {DEFAULT} or Ctrl+Alt+K")
        })?;
        self.app.global_shortcut().register(shortcut).map_err(|e| {
            if e.to_string().contains("already registered") {
                format!("{keys} is taken by another app; choose another, such as Ctrl+Alt+Space")
            } else {
                format!("{keys} could not be registered ({e}); choose another, such as Ctrl+Alt+Space")
            }
        })
    }
}
