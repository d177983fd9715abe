//! The TypeScript the web UI imports, generated from the Rust types with `ts-rs`, so the
//! protocol and the data shapes are written once.
//!
//! The files live in `ui/src/lib/api/generated/` and are committed. The test below fails
//! when they differ from what these types generate; `CLAWCHAT_WRITE_TYPES=1 cargo test -p
//! clawchat-server --lib typescript` (or `make ui-types`) writes them again.

use std::path::Path;

use ts_rs::TS;

/// Writes every type the UI uses, with the types they depend on, one file each, into `dir`.
pub fn export(dir: &Path) -> Result<(), ts_rs::ExportError> {
    use crate::{
        auth, brain, bus, chat, features::events, features::memos, features::search, features::today,
        features::todos, realtime,
    };
    realtime::ClientFrame::export_all_to(dir)?;
    bus::ServerEvent::export_all_to(dir)?;
    brain::types::ParseResult::export_all_to(dir)?;
    chat::SendMessage::export_all_to(dir)?;
    chat::Delivered::export_all_to(dir)?;
    brain::routes::ParseRequest::export_all_to(dir)?;
    brain::routes::TaskRow::export_all_to(dir)?;
    todos::Todo::export_all_to(dir)?;
    events::Event::export_all_to(dir)?;
    memos::Memo::export_all_to(dir)?;
    memos::NewMemo::export_all_to(dir)?;
    memos::MemoPatch::export_all_to(dir)?;
    crate::features::conversations::Conversation::export_all_to(dir)?;
    crate::features::conversations::Message::export_all_to(dir)?;
    today::Today::export_all_to(dir)?;
    search::SearchHit::export_all_to(dir)?;
    auth::LoginRequest::export_all_to(dir)?;
    auth::VerifyOtpRequest::export_all_to(dir)?;
    auth::TokenPair::export_all_to(dir)?;
    auth::ShownCodeList::export_all_to(dir)?;
    crate::infra::pagination::Page::<()>::export_all_to(dir)?;
    crate::features::settings::SettingsView::export_all_to(dir)?;
    crate::features::settings::SettingsPatch::export_all_to(dir)?;
    crate::features::settings::ModelCheck::export_all_to(dir)?;
    crate::auth::devices::DeviceOut::export_all_to(dir)?;
    crate::lan::LanStatus::export_all_to(dir)?;
    crate::mcp::clients::NewMcpClient::export_all_to(dir)?;
    crate::mcp::clients::CreatedMcpClient::export_all_to(dir)?;
    crate::mcp::clients::McpClientList::export_all_to(dir)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    /// Every `.ts` file under `dir`, by its path relative to `dir`.
    fn read_dir(dir: &std::path::Path) -> BTreeMap<String, String> {
        fn walk(root: &std::path::Path, dir: &std::path::Path, files: &mut BTreeMap<String, String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(root, &path, files);
                } else if path.extension().is_some_and(|e| e == "ts") {
                    let name = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                    files.insert(name, std::fs::read_to_string(&path).unwrap_or_default());
                }
            }
        }
        let mut files = BTreeMap::new();
        walk(dir, dir, &mut files);
        files
    }

    #[test]
    fn generated_typescript_matches_the_rust_types() {
        let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/api/generated");
        let fresh = tempfile::tempdir().expect("temp dir");
        super::export(fresh.path()).expect("export");
        let generated = read_dir(fresh.path());
        assert!(generated.contains_key("ServerEvent.ts") && generated.contains_key("Todo.ts"));
        if std::env::var_os("CLAWCHAT_WRITE_TYPES").is_some() {
            let _ = std::fs::remove_dir_all(&committed);
            std::fs::create_dir_all(&committed).expect("create the generated folder");
            for (name, text) in &generated {
                let path = committed.join(name);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).expect("create a generated folder");
                }
                std::fs::write(path, text).expect("write a generated file");
            }
        }
        let on_disk = read_dir(&committed);
        assert!(
            on_disk == generated,
            "ui/src/lib/api/generated is out of date with the Rust types: run `make ui-types`"
        );
    }
}
