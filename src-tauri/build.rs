//! Tauri's build step, plus the choice of what the window shows: the built UI
//! (`../ui/dist`, made by `npm run build` in `ui/`) when it is there, otherwise the small
//! page in `fallback/`, so a plain `cargo build` works from a fresh clone.

use std::path::Path;

fn main() {
    let ui_index = Path::new("../ui/dist/index.html");
    // Rebuild when the UI is built or rebuilt (cargo scans a watched folder's files).
    let watched = ["../ui/dist", "../ui"].into_iter().find(|p| Path::new(p).exists()).unwrap_or("../ui");
    println!("cargo:rerun-if-changed={watched}");
    println!("cargo:rerun-if-changed=fallback");
    if !ui_index.is_file() {
        println!(
            "cargo:warning=ui/dist is not built; the window shows the fallback page (run `make run` or `npm ci && npm run build` in ui/)"
        );
        // `generate_context!` merges TAURI_CONFIG over tauri.conf.json when it embeds the
        // assets; keep whatever the Tauri CLI put there and point the assets elsewhere.
        let mut patch: serde_json::Value = std::env::var("TAURI_CONFIG")
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_else(|| serde_json::json!({}));
        if let Some(obj) = patch.as_object_mut() {
            let build = obj.entry("build").or_insert_with(|| serde_json::json!({}));
            if let Some(build) = build.as_object_mut() {
                build.insert("frontendDist".into(), serde_json::json!("fallback"));
            }
        }
        println!("cargo:rustc-env=TAURI_CONFIG={patch}");
    }
    // The window may call the app's own commands listed here, each only where a
    // capability (capabilities/) grants it.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "desktop_session",
        "close_quick_add",
        "check_for_updates",
        "install_update",
    ]);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        println!("cargo:warning=tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
