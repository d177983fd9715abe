//! The ClawChat desktop app: logging, the async runtime, then the shell.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> anyhow::Result<()> {
    clawchat_server::infra::process::cap_malloc_arenas();
    clawchat_server::infra::process::use_ring_for_tls();
    let started = std::time::Instant::now();
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
                .unwrap_or_else(|_| "info,tower_http=warn,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new()?;
    tauri::async_runtime::set(runtime.handle().clone());
    // The shell's set-up spawns tasks from this thread.
    let _entered = runtime.enter();
    clawchat_desktop::shell::run(started)
}
