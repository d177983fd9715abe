//! The headless ClawChat server: read the configuration, open the store, serve.

use anyhow::Context as _;
use clap::Parser as _;
use clawchat_server::infra::config::{Cli, Command};
use clawchat_server::{App, auth, brain, infra::db::Db, serve};

fn main() -> anyhow::Result<()> {
    clawchat_server::infra::process::cap_malloc_arenas();
    clawchat_server::infra::process::use_ring_for_tls();
    tokio::runtime::Runtime::new()?.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    // The MCP bridge's stderr is shown by the MCP client: warnings and errors only.
    let filter = match (&cli.command, cli.settings.debug) {
        (_, true) => "debug",
        (Some(Command::Mcp { .. }), false) => "warn",
        (_, false) => "info,tower_http=warn,sqlx=warn,rmcp=warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| filter.into()),
        )
        .with_writer(std::io::stderr)
        .init();

    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => run_server(cli.settings).await,
        Command::Mcp { url } => clawchat_server::mcp::bridge::run(url, &cli.settings.data_dir()?).await,
        Command::ResetPin { pin } => reset_pin(cli.settings, pin).await,
        Command::Parse { now, tz, lang } => brain::cli::run(
            brain::cli::Mode::Parse,
            brain::cli::reference(now.as_deref(), tz.as_deref())?,
            brain::cli::language(lang.as_deref(), &cli.settings)?,
        ),
        Command::When { now, tz, lang } => brain::cli::run(
            brain::cli::Mode::When,
            brain::cli::reference(now.as_deref(), tz.as_deref())?,
            brain::cli::language(lang.as_deref(), &cli.settings)?,
        ),
    }
}

async fn run_server(settings: clawchat_server::Settings) -> anyhow::Result<()> {
    let (host, port) = (settings.host, settings.port);
    let app = App::open(settings).await?;
    if let Some(pin) = &app.generated_pin {
        println!(
            "Your ClawChat PIN is {pin}. It is shown only this once; `clawchat-server reset-pin` sets a new one."
        );
    }
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .with_context(|| format!("cannot listen on {host}:{port}"))?;
    let addr = listener.local_addr()?;
    println!("ClawChat is running at http://{addr}/ (API docs at http://{addr}/docs)");
    serve(app, listener, async {
        clawchat_server::shutdown_signal().await;
        tracing::info!("shutting down");
    })
    .await
}

async fn reset_pin(settings: clawchat_server::Settings, pin: Option<String>) -> anyhow::Result<()> {
    let db = Db::open(&settings.database_path()?).await?;
    let pin = pin.unwrap_or_else(auth::generate_pin);
    auth::store_pin(&db.write, &pin).await?;
    let secret = auth::load_or_create_secret(settings.jwt_secret.as_deref(), &settings.data_dir()?)?;
    let tokens = auth::Tokens::new(&secret, 3600, clawchat_server::infra::time::DAY_MS);
    tokens.revoke_all(&db.write, "pin_reset").await?;
    db.close().await;
    println!("The new ClawChat PIN is {pin}. Every device must log in again.");
    Ok(())
}
