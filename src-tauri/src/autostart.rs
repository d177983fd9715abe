//! Start at login, through Tauri's autostart plugin (on Linux, an XDG autostart entry in
//! `~/.config/autostart`), which the server's settings reach through
//! [`crate::desktop::Hooks`]. A start at login passes [`ARG`], and the app then opens no
//! window but waits in the tray, so reminders fire.

use tauri::Wry;
use tauri::plugin::TauriPlugin;

/// The argument the autostart entry starts the app with.
pub const ARG: &str = "--autostart";

/// Whether `args` (a command line) is a start at login.
pub fn started_at_login<S: AsRef<str>>(args: &[S]) -> bool {
    args.iter().any(|a| a.as_ref() == ARG)
}

/// The plugin, with the entry passing [`ARG`].
pub fn plugin() -> TauriPlugin<Wry> {
    tauri_plugin_autostart::Builder::new().arg(ARG).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_autostart_argument_means_a_start_at_login() {
        assert!(started_at_login(&["clawchat", "--autostart"]));
        assert!(!started_at_login(&["clawchat"]));
        assert!(!started_at_login(&["clawchat", "clawchat://add?text=--autostart"]));
    }
}
