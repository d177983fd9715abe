//! What only a desktop can do, reached through the program that embeds the server.
//!
//! The server knows nothing of windows, keys or the login session. The desktop app hands
//! it a [`Desktop`] when it starts (as it hands the task engine its host executor), and
//! `/api/settings` reaches the desktop through it: whether the app starts when the user
//! logs in, and the global shortcut that opens quick add. The headless server has none,
//! and says so when asked to change them.

/// The desktop's side of the settings, implemented by the desktop app.
pub trait Desktop: Send + Sync {
    /// Whether the app starts when the user logs in (the platform's autostart entry is
    /// there).
    fn start_at_login(&self) -> anyhow::Result<bool>;

    /// Writes (`true`) or removes (`false`) the platform's autostart entry.
    fn set_start_at_login(&self, on: bool) -> anyhow::Result<()>;

    /// The shortcut that opens quick add, and whether it is in force.
    fn quick_add_shortcut(&self) -> QuickAddShortcut;

    /// Puts `keys` in force as the quick-add shortcut. The error says, for the user, why
    /// it cannot be (not a key combination, or another app holds it); the shortcut then
    /// stays as it was.
    fn set_quick_add_shortcut(&self, keys: &str) -> Result<(), String>;
}

/// The global shortcut that opens quick add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickAddShortcut {
    /// As the user wrote it, such as `Ctrl+Shift+Space`.
    pub keys: String,
    /// Why it is not in force (another app holds it), if it is not.
    pub error: Option<String>,
}

/// What a server with no desktop answers to a change only a desktop can make.
pub const NO_DESKTOP: &str =
    "this server runs without a desktop, so there is no app to start at login; turn it on in the desktop app";

/// The same, for the quick-add shortcut.
pub const NO_DESKTOP_KEYS: &str = "this server runs without a desktop, so there are no keys to open quick add with; set them in the desktop app";
