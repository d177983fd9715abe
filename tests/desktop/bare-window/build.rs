//! Tauri's build step (the config, the page and the icon are embedded).

fn main() {
    tauri_build::build();
}
