//! The window's web view, set for what it shows: one small page from the app's own
//! assets, talking to the embedded server.
//!
//! WebKitGTK starts with a web browser's settings: a memory cache sized for many sites,
//! and GPU compositing, which loads the whole OpenGL driver (Mesa's, with LLVM) into
//! the web process. This page is loaded once from the binary and never navigates, so
//! the caches only hold memory (the document-viewer cache model turns them off), and it
//! is a chat, not a game, so it is drawn on the CPU unless `CLAWCHAT_GPU=1`
//! asks for the GPU. Linux only: elsewhere the system web view keeps its defaults.
//! BENCHMARKS.md has what each setting saves.

use tauri::{Runtime, WebviewWindow};

/// Whether the user asked for GPU rendering (`CLAWCHAT_GPU=1`).
pub fn gpu_requested(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("1" | "true" | "yes" | "on"))
}

/// Applies the settings to `window`'s web view (on the main thread, before the page is
/// drawn).
pub fn tune<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let gpu = gpu_requested(std::env::var("CLAWCHAT_GPU").ok().as_deref());
        let applied = window.with_webview(move |webview| {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt as _, WebContextExt as _, WebViewExt as _,
            };
            let view = webview.inner();
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
            if !gpu && let Some(settings) = view.settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
        if let Err(e) = applied {
            tracing::warn!(error = %e, "the web view's settings were not applied");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

#[cfg(test)]
mod tests {
    use super::gpu_requested;

    #[test]
    fn the_gpu_is_used_only_when_asked_for() {
        for yes in ["1", "true", "yes", "on", " 1 "] {
            assert!(gpu_requested(Some(yes)), "{yes:?}");
        }
        for no in [None, Some(""), Some("0"), Some("false"), Some("off")] {
            assert!(!gpu_requested(no), "{no:?}");
        }
    }
}
