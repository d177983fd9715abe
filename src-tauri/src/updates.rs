//! Signed updates that keep the data, through Tauri's updater plugin.
//!
//! Nothing is contacted unless `CLAWCHAT_UPDATE_URL` is set (it is empty by default), and
//! then only with `CLAWCHAT_UPDATE_PUBKEY`, the minisign public key the releases are
//! signed with: the app carries no key of its own. A check fetches the manifest, and when
//! it offers a newer version downloads it and verifies its signature (the plugin does,
//! with the key) before the user is offered anything; a download whose signature does not
//! match is refused with a message and dropped. Installing then backs up the database and
//! checks the copy ([`clawchat_server::infra::db::Db::back_up_checked`]) before the package
//! replaces the program. Only a copy installed from the `.deb` or `.rpm` can replace
//! itself; any other build says so and changes nothing.
//!
//! Checks are the user's: Settings' "Check for updates" and the tray's, plus one at start
//! when an address is set.

use serde::Serialize;
use tauri::utils::config::BundleType;
use tauri::{AppHandle, Manager as _};
use tauri_plugin_updater::{Error, Update, UpdaterExt as _};
use tokio::sync::Mutex;
use url::Url;

use crate::shell::Shell;

/// Where updates come from: the manifest's address and the key releases are signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub url: Url,
    pub pubkey: String,
}

impl Source {
    /// From `CLAWCHAT_UPDATE_URL` and `CLAWCHAT_UPDATE_PUBKEY`: `None` while the address is
    /// unset or empty, an error for the user when either is unusable.
    pub fn from_env() -> Result<Option<Self>, String> {
        let var = |name| std::env::var(name).unwrap_or_default();
        Self::read(&var("CLAWCHAT_UPDATE_URL"), &var("CLAWCHAT_UPDATE_PUBKEY"))
    }

    /// [`Source::from_env`] with the two values given.
    pub fn read(url: &str, pubkey: &str) -> Result<Option<Self>, String> {
        let url = url.trim();
        if url.is_empty() {
            return Ok(None);
        }
        let url = Url::parse(url).map_err(|e| format!("the update address {url:?} is not a URL: {e}"))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            _ => {
                return Err(format!(
                    "the update address {url} must use https (plain http only on this computer's \
                     loopback address)"
                ));
            }
        }
        let pubkey = pubkey.trim();
        if pubkey.is_empty() {
            return Err("an update address is set but no key to check updates with \
                        (CLAWCHAT_UPDATE_PUBKEY): no update is fetched without one"
                .to_owned());
        }
        Ok(Some(Self { url, pubkey: pubkey.to_owned() }))
    }
}

/// Whether `url` names this computer's loopback interface.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The updater plugin's configuration for `source` (with none, no address and an empty
/// key: the plugin is there but never asked). Plain http is let through only for a
/// loopback address, which [`Source::read`] already insists on; the signed version must
/// match the one the manifest announces.
pub fn plugin_config(source: Option<&Source>) -> serde_json::Value {
    let (endpoints, pubkey, loopback_http) = match source {
        Some(s) => (vec![s.url.to_string()], s.pubkey.as_str(), s.url.scheme() == "http"),
        None => (Vec::new(), "", false),
    };
    serde_json::json!({
        "endpoints": endpoints,
        "pubkey": pubkey,
        "dangerousInsecureTransportProtocol": loopback_http,
        "requireSignedVersion": true,
    })
}

/// Puts the updater plugin's configuration for `source` into the app's `context` (the
/// plugin reads it from there when it starts); an unusable source is logged and left off.
pub fn configure(context: &mut tauri::Context, source: &Result<Option<Source>, String>) {
    if let Err(problem) = source {
        tracing::error!(%problem, "updates are off");
    }
    let config = plugin_config(source.as_ref().ok().and_then(Option::as_ref));
    context.config_mut().plugins.0.insert("updater".into(), config);
}

/// What a check or an install came to, for the window (Settings) and the log.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// `off` (no address set), `current`, `ready` (downloaded and verified), `refused`
    /// (its signature does not match), `installed`, or `failed`.
    pub state: &'static str,
    pub version: Option<String>,
    /// The sentence shown to the user.
    pub message: String,
}

impl Report {
    fn new(state: &'static str, version: Option<&str>, message: String) -> Self {
        Self { state, version: version.map(str::to_owned), message }
    }
}

/// A verified download waiting for the user's go-ahead.
struct Ready {
    update: Update,
    bytes: Vec<u8>,
}

/// The app's update state: where updates come from, and the verified download, if any.
pub struct Updates {
    source: Result<Option<Source>, String>,
    ready: Mutex<Option<Ready>>,
}

impl Updates {
    pub fn new(source: Result<Option<Source>, String>) -> Self {
        Self { source, ready: Mutex::new(None) }
    }

    /// Whether an address is set (and usable).
    pub fn enabled(&self) -> bool {
        matches!(self.source, Ok(Some(_)))
    }
}

/// Whether `error` means the download is not what the key signed.
fn is_signature_error(error: &Error) -> bool {
    matches!(
        error,
        Error::Minisign(_)
            | Error::Base64(_)
            | Error::SignatureUtf8(_)
            | Error::SignedVersionMismatch { .. }
            | Error::MissingSignedVersion
    )
}

/// Checks for a newer version; a newer one is downloaded and its signature verified
/// before it is offered. Logged, with the outcome, for whoever reads the log.
pub async fn check(app: &AppHandle) -> Report {
    let report = check_inner(app).await;
    tracing::info!("update check ({}): {}", report.state, report.message);
    report
}

async fn check_inner(app: &AppHandle) -> Report {
    let updates = app.state::<Updates>();
    let source = match &updates.source {
        Ok(Some(source)) => source,
        Ok(None) => {
            let off = "No update address is set (CLAWCHAT_UPDATE_URL), so ClawChat never looks for updates.";
            return Report::new("off", None, off.to_owned());
        }
        Err(problem) => return Report::new("failed", None, format!("Updates are off: {problem}.")),
    };
    let found = match app.updater() {
        Ok(updater) => updater.check().await,
        Err(e) => Err(e),
    };
    let update = match found {
        Ok(Some(update)) => update,
        Ok(None) => {
            let current = app.package_info().version.to_string();
            return Report::new(
                "current",
                Some(&current),
                format!("ClawChat {current} is the latest version."),
            );
        }
        Err(e) => {
            let message = format!("Could not check for updates at {}: {e}", source.url);
            return Report::new("failed", None, message);
        }
    };
    let version = update.version.clone();
    match update.download(|_, _| {}, || {}).await {
        Ok(bytes) => {
            *updates.ready.lock().await = Some(Ready { update, bytes });
            let message = format!(
                "ClawChat {version} is ready to install: its signature matches the update key. \
                 Your data is backed up before it is installed."
            );
            Report::new("ready", Some(&version), message)
        }
        Err(e) if is_signature_error(&e) => {
            updates.ready.lock().await.take();
            let message = format!(
                "The update to ClawChat {version} was refused: its signature does not match the \
                 update key, so it may have been tampered with. Nothing was installed ({e})."
            );
            Report::new("refused", Some(&version), message)
        }
        Err(e) => {
            Report::new("failed", Some(&version), format!("Could not download ClawChat {version}: {e}"))
        }
    }
}

/// Installs the verified download: the database is backed up and the copy checked first;
/// no copy, no install. The app then restarts into the new version.
pub async fn install(app: &AppHandle) -> Report {
    let report = install_inner(app).await;
    tracing::info!("update install ({}): {}", report.state, report.message);
    if report.state == "installed" {
        app.request_restart();
    }
    report
}

async fn install_inner(app: &AppHandle) -> Report {
    let updates = app.state::<Updates>();
    let mut ready = updates.ready.lock().await;
    let Some(version) = ready.as_ref().map(|r| r.update.version.clone()) else {
        let none = "There is no verified update to install: check for updates first.";
        return Report::new("failed", None, none.to_owned());
    };
    if !matches!(tauri::utils::platform::bundle_type(), Some(BundleType::Deb | BundleType::Rpm)) {
        let message = format!(
            "This copy of ClawChat was not installed from its .deb or .rpm, so it cannot replace \
             itself: install ClawChat {version} from its package. Nothing was changed."
        );
        return Report::new("failed", Some(&version), message);
    }
    let shell = app.state::<Shell>();
    let state = &shell.embedded.state;
    let backed_up = match state.settings.database_path() {
        Ok(path) => state.db.back_up_checked(&path, &format!("pre-update-{version}")).await,
        Err(e) => Err(e),
    };
    let backup = match backed_up {
        Ok(backup) => backup,
        Err(e) => {
            let message = format!(
                "ClawChat {version} was not installed: your data could not be backed up and checked \
                 first ({e:#}). Nothing was changed."
            );
            return Report::new("failed", Some(&version), message);
        }
    };
    let Some(Ready { update, bytes }) = ready.take() else {
        return Report::new("failed", Some(&version), "The update was withdrawn meanwhile.".to_owned());
    };
    match tauri::async_runtime::spawn_blocking(move || update.install(bytes)).await {
        Ok(Ok(())) => Report::new(
            "installed",
            Some(&version),
            format!(
                "ClawChat {version} is installed and starts now. A copy of your data from before is at {}.",
                backup.display()
            ),
        ),
        Ok(Err(e)) => Report::new(
            "failed",
            Some(&version),
            format!(
                "Installing ClawChat {version} failed: {e}. Your data is as it was; a copy is at {}.",
                backup.display()
            ),
        ),
        Err(e) => Report::new("failed", Some(&version), format!("Installing ClawChat {version} failed: {e}")),
    }
}

/// Settings' "Check for updates" (and the tray's, which opens Settings to show it).
#[tauri::command]
pub async fn check_for_updates(app: AppHandle) -> Report {
    check(&app).await
}

/// Settings' "Install and restart", once a check found a verified update.
#[tauri::command]
pub async fn install_update(app: AppHandle) -> Report {
    install(&app).await
}

/// The check at start, only when an address is set: a native notification when there is
/// something to say (an update is ready, or one was refused).
pub fn check_at_start(app: &AppHandle, show: impl Fn(String) + Send + 'static) {
    if !app.state::<Updates>().enabled() {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let report = check(&app).await;
        if matches!(report.state, "ready" | "refused") {
            show(report.message);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_address_means_no_updates() {
        assert_eq!(Source::read("", "key"), Ok(None));
        assert_eq!(Source::read("  ", ""), Ok(None));
    }

    #[test]
    fn plain_http_is_allowed_only_on_loopback() {
        for ok in [
            "https://updates.example.org/latest.json",
            "http://127.0.0.1:8080/latest.json",
            "http://[::1]:9/x",
            "http://localhost/x",
        ] {
            assert!(matches!(Source::read(ok, "key"), Ok(Some(_))), "{ok} was refused");
        }
        for bad in [
            "http://updates.example.org/latest.json",
            "http://192.168.1.2/latest.json",
            "ftp://127.0.0.1/x",
            "file:///tmp/latest.json",
        ] {
            let error = Source::read(bad, "key").expect_err(bad);
            assert!(error.contains("must use https"), "{bad}: {error}");
        }
        assert!(Source::read("not a url", "key").expect_err("no URL").contains("is not a URL"));
    }

    #[test]
    fn an_address_without_a_key_is_refused() {
        let error = Source::read("https://updates.example.org/latest.json", " ").expect_err("no key");
        assert!(error.contains("CLAWCHAT_UPDATE_PUBKEY"), "{error}");
    }

    #[test]
    fn the_plugin_allows_plain_http_only_for_a_loopback_source() {
        let off = plugin_config(None);
        assert_eq!(off["endpoints"], serde_json::json!([]));
        assert_eq!(off["dangerousInsecureTransportProtocol"], false);
        let local = Source::read("http://127.0.0.1:9/latest.json", "k").unwrap().unwrap();
        let config = plugin_config(Some(&local));
        assert_eq!(config["dangerousInsecureTransportProtocol"], true);
        assert_eq!(config["endpoints"], serde_json::json!(["http://127.0.0.1:9/latest.json"]));
        assert_eq!(config["requireSignedVersion"], true);
        let remote = Source::read("https://updates.example.org/latest.json", "k").unwrap().unwrap();
        assert_eq!(plugin_config(Some(&remote))["dangerousInsecureTransportProtocol"], false);
    }
}
