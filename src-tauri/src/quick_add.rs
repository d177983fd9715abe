//! The quick-add window: small and above every other window, so a thought is written down
//! over whatever app is in front. It shows the UI's quick add (the live parse chips);
//! Enter saves and closes it, Escape closes it. Each opening makes a fresh window, given
//! its text (from a `clawchat://add` link) before the page runs, and closing it frees it.

use tauri::{AppHandle, Manager as _, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

/// The window's label; its page is the UI at `/quick-add`.
pub const LABEL: &str = "quick-add";

/// Opens quick add. With `text` (a link's) the window is made anew, filled with it;
/// without, an open one is brought to the front.
pub fn open(app: &AppHandle, text: Option<&str>) -> anyhow::Result<()> {
    if let Some(window) = app.get_webview_window(LABEL) {
        if text.is_none() {
            window.show()?;
            window.set_focus()?;
            return Ok(());
        }
        window.destroy()?;
    }
    let filled = serde_json::json!({ "text": text.unwrap_or_default() });
    WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("quick-add".into()))
        .title("ClawChat quick add")
        .inner_size(560.0, 380.0)
        .resizable(false)
        .always_on_top(true)
        .skip_taskbar(true)
        .center()
        .focused(true)
        .initialization_script(format!("window.__CLAWCHAT_QUICK_ADD__ = {filled};"))
        .build()?;
    tracing::info!(filled = text.is_some_and(|t| !t.is_empty()), "quick add opened");
    Ok(())
}

/// Closes the quick-add window, from its page (after Enter saved, or on Escape).
#[tauri::command]
pub fn close_quick_add(window: WebviewWindow) {
    if window.label() == LABEL {
        tracing::info!("quick add closed");
        let _ = window.close();
    }
}
