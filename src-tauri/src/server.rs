//! The embedded server: the store opened and served on loopback before the window shows.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use anyhow::Context as _;
use clawchat_server::auth::{ConsoleOtpSink, OtpSink};
use clawchat_server::features::settings::SecretBackend;
use clawchat_server::schedule::Notifier;
use clawchat_server::{App, AppState, Settings};
use tokio::sync::{Mutex, oneshot};
use tokio::task::JoinHandle;

use crate::host::HostTools;
use crate::notify::NativeNotifier;
use crate::paths::HostPolicy;

/// The origins the window's pages are served from, by platform: the UI calls the
/// loopback server from there, so they are the CORS origins it allows.
pub const WINDOW_ORIGINS: [&str; 2] = ["tauri://localhost", "http://tauri.localhost"];

/// How to stop the serving task, and the task.
type Serving = (oneshot::Sender<()>, JoinHandle<anyhow::Result<()>>);

/// A running embedded server.
pub struct Embedded {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Mutex<Option<Serving>>,
}

impl std::fmt::Debug for Embedded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedded").field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// The backend's settings as the desktop uses them: loopback only, on `port` (0 for an
/// ephemeral one), accepting calls from the window's origin.
pub fn desktop_settings(mut settings: Settings, port: u16) -> Settings {
    settings.host = Ipv4Addr::LOCALHOST.into();
    settings.port = port;
    for origin in WINDOW_ORIGINS {
        if !settings.cors_origins.iter().any(|o| o == origin) {
            settings.cors_origins.push(origin.to_owned());
        }
    }
    settings
}

impl Embedded {
    /// Opens the store (migrations, secret, PIN), installs the native host executor and
    /// starts serving. Returns once the listener is bound, so the address is real, with
    /// the PIN made on a first start.
    ///
    /// `policy` holds the host tools' limits and default folders; the folders saved in
    /// Settings replace them, at start and at once whenever they change.
    pub async fn start(
        settings: Settings,
        policy: HostPolicy,
        notifier: Option<Arc<dyn Notifier>>,
        secrets: Arc<dyn clawchat_server::infra::secrets::SecretStore>,
        otp_sink: Arc<dyn OtpSink>,
    ) -> anyhow::Result<(Self, Option<String>)> {
        let bind = SocketAddr::new(settings.host, settings.port);
        let mut app = App::open_with_secrets(settings, otp_sink, secrets).await?;
        if let Some(notifier) = notifier {
            app = app.with_notifier(notifier);
        }
        let runtime = &app.state.runtime;
        runtime.set_default_host_policy(clawchat_server::brain::hosts::HostPolicy {
            allowed_folders: policy.allowed_folders().iter().map(|f| f.display().to_string()).collect(),
            auto_read: true,
        });
        let tools = HostTools::following(policy, runtime.watch_host_policy());
        app.state.brain.engine.set_host_executor(Some(Arc::new(tools)));
        let listener =
            tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
        let addr = listener.local_addr()?;
        let state = app.state.clone();
        let generated_pin = app.generated_pin.clone();
        let (tx, rx) = oneshot::channel::<()>();
        let served = tokio::spawn(clawchat_server::serve(app, listener, async move {
            let _ = rx.await;
        }));
        tracing::info!(%addr, "the embedded server is listening");
        Ok((Self { addr, state, stop: Mutex::new(Some((tx, served))) }, generated_pin))
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish, checkpoints and closes the store.
    /// Safe to call more than once.
    pub async fn shutdown(&self) -> anyhow::Result<()> {
        let Some((tx, served)) = self.stop.lock().await.take() else {
            return Ok(());
        };
        let _ = tx.send(());
        served.await.context("the server task panicked")??;
        tracing::info!("the embedded server stopped");
        Ok(())
    }
}

/// What [`launch`] started.
pub struct Launched {
    pub embedded: Embedded,
    pub secret_backend: crate::secrets::Backend,
    /// The PIN made on this first start, for browsers and phones; shown once.
    pub generated_pin: Option<String>,
}

/// The desktop's start-up: settings from the environment (and `.env`), the token secret
/// from the keychain, host tools confined to `CLAWCHAT_ALLOWED_FOLDERS` (default: the
/// home folder minus dot-folders) until Settings names others, the server on
/// `CLAWCHAT_DESKTOP_PORT` (default: an ephemeral port) on 127.0.0.1.
/// `native` shows the scheduler's notifications and the sign-in codes that are not
/// e-mailed (the window's native notifications).
pub async fn launch(native: Option<Arc<NativeNotifier>>) -> anyhow::Result<Launched> {
    let port = match std::env::var("CLAWCHAT_DESKTOP_PORT") {
        Ok(p) if !p.trim().is_empty() => {
            p.trim().parse().context("CLAWCHAT_DESKTOP_PORT is not a port number")?
        }
        _ => 0,
    };
    let folders: Vec<String> = std::env::var("CLAWCHAT_ALLOWED_FOLDERS")
        .map(|v| std::env::split_paths(&v).map(|p| p.display().to_string()).collect())
        .unwrap_or_default();
    let policy = HostPolicy::with_folders(&folders);
    launch_with(desktop_settings(Settings::from_env()?, port), policy, native).await
}

/// [`launch`] with its settings and host policy given: the secrets come from the
/// keychain (or the private files) unless the settings carry them, and the server is told
/// where they came from.
pub async fn launch_with(
    mut settings: Settings,
    policy: HostPolicy,
    native: Option<Arc<NativeNotifier>>,
) -> anyhow::Result<Launched> {
    let data_dir = settings.data_dir()?;
    let secrets = crate::secrets::SecretStore::open(&data_dir).await;
    // A secret handed in through the environment wins over the keychain, and says so.
    let secret_backend =
        if settings.jwt_secret.is_some() { SecretBackend::Env } else { secrets.backend().into() };
    if settings.jwt_secret.is_none() {
        settings.jwt_secret =
            Some(secrets.get_or_create("jwt_secret", crate::secrets::new_token_secret).await?);
    }
    let backend = secrets.backend();
    // The server reads and saves the model's API key through the same store.
    let notifier = native.clone().map(|n| n as Arc<dyn Notifier>);
    let otp_sink: Arc<dyn OtpSink> = match native {
        Some(n) => n,
        None => Arc::new(ConsoleOtpSink),
    };
    let (embedded, generated_pin) =
        Embedded::start(settings, policy, notifier, Arc::new(secrets), otp_sink).await?;
    embedded.state.runtime.set_secret_backend(secret_backend);
    Ok(Launched { embedded, secret_backend: backend, generated_pin })
}
