//! `GET/PATCH /api/settings` and `POST /api/settings/test-model`: what the Settings screen
//! reads and changes.
//!
//! Changed values are stored in the `settings` table under `pref.<name>` and win over the
//! environment and flags at the next start ([`apply_stored`] runs when the app opens). The
//! running server keeps the model, zone and scheduler it started with, so a change
//! applies after a restart; the answer says so (`restart_required`). The host policy and
//! the briefing's time are the exceptions: they apply at once ([`Runtime`] holds the ones
//! in force; the briefing job also follows a new zone at once). The API key is
//! write-only: reads only say whether one is set. It is never stored in the database but
//! where the token secret is ([`crate::infra::secrets`]: the keychain, else a `0600` file); a key
//! an older version left in the database is moved there when the app opens
//! ([`crate::infra::secrets::move_api_key_out`]).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{FromRef, State};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use chrono_tz::Tz;
use clawchat_understand::Lang;

use crate::brain::hosts::HostPolicy;
use crate::bus::{Bus, Module};
use crate::infra::config::Settings;
use crate::infra::db::Db;
use crate::infra::desktop::{Desktop, NO_DESKTOP, NO_DESKTOP_KEYS};
use crate::infra::error::responses::{InvalidValues, NotJson, NotLoggedIn, UnknownFields};
use crate::infra::error::{Checks, Error, ErrorBody, Result};
use crate::infra::extract::Json;
use crate::infra::secrets::{AI_API_KEY, ApiKeys, SecretStore};
use crate::lan::Lan;
use crate::llm::{ModelProvider as _, OpenAiCompatible, ProviderConfig};

pub const PROVIDERS: [&str; 4] = ["auto", "builtin", "ollama", "openai"];

/// Where the token secret and API keys are kept, as `GET /api/settings` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretBackend {
    /// The OS keychain (the desktop app, where one answers).
    Keychain,
    /// Files only the user can read, in the data folder.
    File,
    /// The environment or the command line.
    Env,
}

impl SecretBackend {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretBackend::Keychain => "keychain",
            SecretBackend::File => "file",
            SecretBackend::Env => "env",
        }
    }
}

/// What the running server holds beyond its configuration: the host policy in force,
/// which a change through `PATCH /api/settings` replaces at once (the task engine and a
/// host executor follow it through [`Runtime::watch_host_policy`]), and what the program
/// embedding the server says about where it keeps its secrets.
pub struct Runtime {
    host_policy: tokio::sync::watch::Sender<HostPolicy>,
    /// The language dates are read in, besides English; a change applies at once (the
    /// assistant follows it through [`Runtime::watch_language`]).
    language: tokio::sync::watch::Sender<Lang>,
    /// Whether the policy in force is one the user saved (else it is a default).
    host_policy_saved: AtomicBool,
    secret_backend: Mutex<Option<SecretBackend>>,
    /// Where the API key is kept, and the keys the next start will choose between.
    secrets: Arc<dyn SecretStore>,
    api_keys: Mutex<ApiKeys>,
    /// The briefing's time and zone; a change applies at once.
    briefing: tokio::sync::watch::Sender<crate::features::briefing::BriefingAt>,
    /// Whether other apps may reach the organiser over MCP (off until the user turns it
    /// on); a change applies at once.
    mcp_enabled: AtomicBool,
    /// The desktop app embedding the server, if one does (start at login).
    desktop: Mutex<Option<Arc<dyn Desktop>>>,
}

impl Runtime {
    /// The runtime state for a store holding `saved` (the saved host policy, if any), with
    /// secrets kept in `secrets`.
    pub fn new(
        saved: Option<HostPolicy>,
        language: Lang,
        secrets: Arc<dyn SecretStore>,
        keys: ApiKeys,
    ) -> Self {
        let is_saved = saved.is_some();
        Self {
            host_policy: tokio::sync::watch::Sender::new(saved.unwrap_or_default()),
            language: tokio::sync::watch::Sender::new(language),
            host_policy_saved: AtomicBool::new(is_saved),
            secret_backend: Mutex::new(None),
            secrets,
            api_keys: Mutex::new(keys),
            briefing: tokio::sync::watch::Sender::new(None),
            mcp_enabled: AtomicBool::new(false),
            desktop: Mutex::new(None),
        }
    }

    /// Hands the server the desktop it runs in; the desktop app calls it when it starts.
    pub fn set_desktop(&self, desktop: Arc<dyn Desktop>) {
        *self.desktop.lock().unwrap_or_else(|p| p.into_inner()) = Some(desktop);
    }

    /// The desktop the server runs in, if any.
    fn desktop(&self) -> Option<Arc<dyn Desktop>> {
        self.desktop.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether the app starts at login: `None` without a desktop. An entry that cannot be
    /// read counts as absent.
    fn start_at_login(&self) -> Option<bool> {
        let desktop = self.desktop()?;
        Some(desktop.start_at_login().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot tell whether the app starts at login");
            false
        }))
    }

    /// Whether `/mcp` and the stdio bridge answer.
    pub fn mcp_enabled(&self) -> bool {
        self.mcp_enabled.load(Ordering::Acquire)
    }

    /// Turns MCP on or off at once.
    pub fn set_mcp_enabled(&self, on: bool) {
        self.mcp_enabled.store(on, Ordering::Release);
    }

    /// The briefing's time and zone as they change; the briefing job follows them.
    pub fn watch_briefing(&self) -> tokio::sync::watch::Receiver<crate::features::briefing::BriefingAt> {
        self.briefing.subscribe()
    }

    /// Puts the briefing's time and zone in force, from `settings`.
    pub fn set_briefing(&self, settings: &Settings) {
        let time = crate::features::briefing::parse_time(&settings.briefing_time).ok();
        let zone = settings.time_zone().ok();
        self.briefing.send_replace(time.zip(zone));
    }

    /// The API key the next start uses.
    pub fn api_key_in_force(&self) -> Option<String> {
        self.api_keys.lock().unwrap_or_else(|p| p.into_inner()).in_force()
    }

    /// Saves (or with an empty `key`, forgets) the API key in the secret store.
    async fn save_api_key(&self, key: &str) -> anyhow::Result<()> {
        if key.is_empty() {
            self.secrets.delete(AI_API_KEY).await?;
        } else {
            self.secrets.set(AI_API_KEY, key).await?;
        }
        self.api_keys.lock().unwrap_or_else(|p| p.into_inner()).saved =
            Some(key.to_owned()).filter(|k| !k.is_empty());
        Ok(())
    }

    /// The language dates are read in.
    pub fn language(&self) -> Lang {
        *self.language.borrow()
    }

    /// The language in force, as it changes.
    pub fn watch_language(&self) -> tokio::sync::watch::Receiver<Lang> {
        self.language.subscribe()
    }

    fn set_language(&self, language: Lang) {
        self.language.send_replace(language);
    }

    /// The host policy in force.
    pub fn host_policy(&self) -> HostPolicy {
        self.host_policy.borrow().clone()
    }

    /// The host policy in force, and every change to it.
    pub fn watch_host_policy(&self) -> tokio::sync::watch::Receiver<HostPolicy> {
        self.host_policy.subscribe()
    }

    /// The policy in force until the user saves one (the desktop's folders from its
    /// environment). Ignored when one is saved.
    pub fn set_default_host_policy(&self, policy: HostPolicy) {
        if !self.host_policy_saved.load(Ordering::Acquire) {
            self.host_policy.send_replace(policy);
        }
    }

    /// Where the program keeps its secrets, when it knows better than the configuration
    /// (the desktop app hands the server a secret it read from the keychain).
    pub fn set_secret_backend(&self, backend: SecretBackend) {
        *self.secret_backend.lock().unwrap_or_else(|p| p.into_inner()) = Some(backend);
    }

    /// Where the secrets are: what the program said, else the configuration's answer (a
    /// secret handed in is `env`, one the server made is in a file).
    pub fn secret_backend(&self, settings: &Settings) -> SecretBackend {
        let told = *self.secret_backend.lock().unwrap_or_else(|p| p.into_inner());
        told.unwrap_or(if settings.jwt_secret.is_some() { SecretBackend::Env } else { SecretBackend::File })
    }

    fn save_host_policy(&self, policy: HostPolicy) {
        self.host_policy_saved.store(true, Ordering::Release);
        self.host_policy.send_replace(policy);
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("host_policy", &self.host_policy())
            .field("language", &self.language())
            .field("api_key_set", &self.api_key_in_force().is_some())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema, ts_rs::TS)]
pub struct SettingsView {
    /// `auto`, `builtin`, `ollama` or `openai`.
    pub ai_provider: String,
    pub ai_base_url: String,
    pub ai_model: String,
    /// Whether an API key is stored; the key itself is never shown.
    pub ai_api_key_set: bool,
    /// IANA zone, such as `Europe/Lisbon`.
    pub timezone: String,
    /// The language dates are read in besides English, as a code such as `de`.
    pub language: String,
    /// Every language code dates can be read in.
    pub languages: Vec<String>,
    /// `HH:MM`, local time.
    pub briefing_time: String,
    pub enable_scheduler: bool,
    pub host_policy: HostPolicy,
    /// Whether the server listens beyond this computer.
    pub lan_enabled: bool,
    pub version: String,
    pub data_dir: String,
    /// Where the token secret lives: `keychain`, `file` or `env`.
    pub secret_backend: String,
    /// Whether a speech service is configured, so voice questions can be asked.
    pub voice_enabled: bool,
    /// Whether other apps on this computer may use the organiser over MCP (`/mcp`).
    pub mcp_enabled: bool,
    /// Whether the desktop app starts when the user logs in (its autostart entry is
    /// there); null where the server runs without a desktop.
    pub start_at_login: Option<bool>,
    /// Whether the user has answered the first launch's question about starting at login
    /// (any change of `start_at_login` counts as the answer).
    pub start_at_login_asked: bool,
    /// The global shortcut that opens quick add, such as `Ctrl+Shift+Space`; null where
    /// the server runs without a desktop.
    pub quick_add_shortcut: Option<String>,
    /// Why that shortcut is not in force (another app holds it), if it is not.
    pub quick_add_shortcut_error: Option<String>,
    /// True when a stored change differs from what this running server uses; it applies
    /// after a restart.
    pub restart_required: bool,
}

/// Any subset of the writable settings; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[ts(optional)]
    #[schema(schema_with = schema::provider)]
    pub ai_provider: Option<String>,
    #[ts(optional)]
    #[schema(pattern = r"^\s*https?://", max_length = 2048)]
    pub ai_base_url: Option<String>,
    #[ts(optional)]
    #[schema(pattern = r"\S", max_length = 200)]
    pub ai_model: Option<String>,
    /// Write-only. An empty string removes the stored key.
    #[ts(optional)]
    #[schema(max_length = 4096)]
    pub ai_api_key: Option<String>,
    #[ts(optional)]
    #[schema(schema_with = schema::timezone)]
    pub timezone: Option<String>,
    /// A language code such as `en`, `de`, `fr`, `ko`; applies at once.
    #[ts(optional)]
    #[schema(schema_with = schema::language)]
    pub language: Option<String>,
    #[ts(optional)]
    #[schema(pattern = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub briefing_time: Option<String>,
    #[ts(optional)]
    pub enable_scheduler: Option<bool>,
    #[ts(optional)]
    pub host_policy: Option<HostPolicy>,
    /// Lets other apps on this computer use the organiser over MCP; applies at once.
    #[ts(optional)]
    pub mcp_enabled: Option<bool>,
    /// Starts the desktop app when the user logs in (writes or removes the platform's
    /// autostart entry at once). Only the desktop app's own server can; the headless
    /// server answers 422.
    #[ts(optional)]
    pub start_at_login: Option<bool>,
    /// The global shortcut that opens quick add, such as `Ctrl+Alt+Space`; refused (422)
    /// when it is not a key combination or another app holds it, and by the headless
    /// server.
    #[ts(optional)]
    #[schema(pattern = r"\S", max_length = 100)]
    pub quick_add_shortcut: Option<String>,
}

/// The values `PATCH /api/settings` takes, stated in the document so that a client made
/// from it sends only what the server accepts.
mod schema {
    use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

    fn one_of(description: &str, values: impl IntoIterator<Item = String>) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .enum_values(Some(values))
            .build()
    }

    pub fn provider() -> Object {
        one_of("Which model service answers", super::PROVIDERS.iter().map(|p| p.to_string()))
    }

    pub fn timezone() -> Object {
        one_of("An IANA time zone", chrono_tz::TZ_VARIANTS.iter().map(|z| z.name().to_string()))
    }

    pub fn language() -> Object {
        one_of(
            "A language code dates can be read in; applies at once",
            super::Lang::all().map(|l| l.code().to_string()),
        )
    }
}

/// The answer of a model connection test.
#[derive(Debug, Serialize, ToSchema, ts_rs::TS)]
pub struct ModelCheck {
    pub ok: bool,
    /// What happened, for a person.
    pub detail: String,
    /// The models the service lists.
    pub models: Vec<String>,
}

/// What the settings routes use: the store, the zone, the bus, the settings the server
/// started with, the ones in force now, and whether LAN mode runs.
#[derive(Clone, Debug)]
pub struct SettingsContext {
    pub db: Db,
    pub tz: Tz,
    pub bus: Bus,
    pub settings: Arc<Settings>,
    pub runtime: Arc<Runtime>,
    pub lan: Arc<Lan>,
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    SettingsContext: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(get_settings, patch_settings)).routes(routes!(test_model))
}

async fn stored(db: &SqlitePool) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query!(
        r#"SELECT substr(key, 6) AS "name!: String", value FROM settings WHERE key LIKE 'pref.%'"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.name, r.value)).collect())
}

/// The settings in force after a restart: the configuration with stored changes applied.
fn effective(mut settings: Settings, stored: &[(String, String)]) -> (Settings, HostPolicy) {
    let mut policy = HostPolicy::default();
    for (key, value) in stored {
        match key.as_str() {
            "ai_provider" => settings.ai_provider = value.clone(),
            "ai_base_url" => settings.ai_base_url = value.clone(),
            "ai_model" => settings.ai_model = value.clone(),
            "timezone" => settings.tz = Some(value.clone()),
            "language" => settings.language = value.clone(),
            "briefing_time" => settings.briefing_time = value.clone(),
            "enable_scheduler" => settings.enable_scheduler = value == "true",
            "host_policy" => policy = serde_json::from_str(value).unwrap_or_default(),
            _ => {}
        }
    }
    (settings, policy)
}

/// Whether MCP was turned on through the API (it is off until it is).
pub async fn saved_mcp_enabled(db: &SqlitePool) -> Result<bool> {
    Ok(crate::infra::db::setting(db, "pref.mcp_enabled").await?.as_deref() == Some("true"))
}

/// The quick-add shortcut saved through the API, if one was; the desktop app registers it
/// when it starts.
pub async fn saved_quick_add_shortcut(db: &SqlitePool) -> Result<Option<String>> {
    Ok(crate::infra::db::setting(db, "pref.quick_add_shortcut").await?)
}

/// The host policy saved through the API, if one was.
pub async fn saved_host_policy(db: &SqlitePool) -> Result<Option<HostPolicy>> {
    let value = crate::infra::db::setting(db, "pref.host_policy").await?;
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
}

/// Applies the settings stored through the API over `settings`; run when the app opens.
/// The API key comes from `secrets` (see [`crate::infra::secrets::move_api_key_out`]), and wins over the
/// configured one; both are returned for the [`Runtime`].
pub async fn apply_stored(
    db: &SqlitePool,
    secrets: &dyn SecretStore,
    settings: Settings,
) -> anyhow::Result<(Settings, ApiKeys)> {
    let keys = ApiKeys { configured: settings.ai_api_key.clone(), saved: secrets.get(AI_API_KEY).await? };
    let (mut settings, _) = effective(settings, &stored(db).await?);
    settings.ai_api_key = keys.in_force();
    Ok((settings, keys))
}

async fn view(state: &SettingsContext) -> Result<SettingsView> {
    let (next, _) = effective((*state.settings).clone(), &stored(&state.db.read).await?);
    let host_policy = state.runtime.host_policy();
    let running = &state.settings;
    let shortcut = state.runtime.desktop().map(|d| d.quick_add_shortcut());
    let next_key = state.runtime.api_key_in_force();
    let restart_required = next.ai_provider != running.ai_provider
        || next.ai_base_url != running.ai_base_url
        || next.ai_model != running.ai_model
        || next_key != running.ai_api_key
        || next.tz != running.tz
        || next.enable_scheduler != running.enable_scheduler;
    let timezone =
        next.time_zone().map(|tz| tz.name().to_owned()).unwrap_or_else(|_| state.tz.name().to_owned());
    Ok(SettingsView {
        ai_provider: next.ai_provider.clone(),
        ai_base_url: next.ai_base_url.clone(),
        ai_model: next.ai_model.clone(),
        ai_api_key_set: next_key.is_some(),
        timezone,
        language: state.runtime.language().code().to_owned(),
        languages: Lang::all().map(|l| l.code().to_owned()).collect(),
        briefing_time: next.briefing_time.clone(),
        enable_scheduler: next.enable_scheduler,
        host_policy,
        lan_enabled: running.host.is_unspecified()
            || !running.host.is_loopback()
            || state.lan.is_enabled().await,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: running.data_dir().map(|d| d.display().to_string()).unwrap_or_default(),
        secret_backend: state.runtime.secret_backend(running).as_str().to_owned(),
        voice_enabled: state.settings.speech_to_text_url().is_some(),
        mcp_enabled: state.runtime.mcp_enabled(),
        start_at_login: state.runtime.start_at_login(),
        quick_add_shortcut: shortcut.as_ref().map(|s| s.keys.clone()),
        quick_add_shortcut_error: shortcut.and_then(|s| s.error),
        start_at_login_asked: crate::infra::db::setting(&state.db.read, ASKED).await?.is_some(),
        restart_required,
    })
}

/// The settings, as the Settings screen shows them.
#[utoipa::path(get, path = "/api/settings", tag = "settings", security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings", body = SettingsView),
        NotLoggedIn,
    ))]
async fn get_settings(State(state): State<SettingsContext>) -> Result<Json<SettingsView>> {
    Ok(Json(view(&state).await?))
}

fn valid_url(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

fn valid_hhmm(s: &str) -> bool {
    chrono::NaiveTime::parse_from_str(s, "%H:%M").is_ok() && s.len() == 5
}

/// Where the answer to the first launch's question is recorded.
const ASKED: &str = "pref.start_at_login_asked";

/// Checks `p`; `desktop` says whether the server runs in the desktop app.
fn validate(p: &SettingsPatch, desktop: bool) -> Result<()> {
    let mut checks = Checks::default();
    checks.check(p.start_at_login.is_none() || desktop, "start_at_login", NO_DESKTOP);
    if let Some(keys) = &p.quick_add_shortcut {
        checks.check(desktop, "quick_add_shortcut", NO_DESKTOP_KEYS).required_text(
            "quick_add_shortcut",
            keys,
            100,
        );
    }
    if let Some(v) = &p.ai_provider {
        checks.check(
            PROVIDERS.contains(&v.as_str()),
            "ai_provider",
            "must be auto, builtin, ollama or openai",
        );
    }
    if let Some(v) = &p.ai_base_url {
        checks.check(valid_url(v.trim()), "ai_base_url", "must be an http:// or https:// URL").text(
            "ai_base_url",
            v,
            2048,
        );
    }
    if let Some(v) = &p.ai_model {
        checks.required_text("ai_model", v, 200);
    }
    if let Some(v) = &p.ai_api_key {
        checks.text("ai_api_key", v, 4096);
    }
    if let Some(v) = &p.timezone {
        checks.check(
            v.parse::<chrono_tz::Tz>().is_ok(),
            "timezone",
            "must be an IANA time zone such as Europe/Lisbon",
        );
    }
    if let Some(v) = &p.language {
        checks.check(
            Lang::from_code(v).is_some(),
            "language",
            &format!(
                "must be a language code dates can be read in: {}",
                Lang::all().map(Lang::code).collect::<Vec<_>>().join(", ")
            ),
        );
    }
    if let Some(v) = &p.briefing_time {
        checks.check(valid_hhmm(v), "briefing_time", "must be HH:MM, such as 08:00");
    }
    if let Some(policy) = &p.host_policy {
        let absolute = policy.allowed_folders.iter().all(|f| {
            let f = f.trim();
            (f.starts_with("~/") || std::path::Path::new(f).is_absolute()) && f.len() <= 4096
        });
        checks
            .check(policy.allowed_folders.len() <= 100, "host_policy.allowed_folders", "at most 100 folders")
            .check(
                absolute,
                "host_policy.allowed_folders",
                "each folder must be an absolute path (or start with ~/)",
            );
        if absolute && let Some(missing) = policy.allowed_folders.iter().find(|f| !folder_exists(f)) {
            checks.check(
                false,
                "host_policy.allowed_folders",
                &format!("{} is not a folder on this computer", missing.trim()),
            );
        }
    }
    checks.finish()
}

/// Whether `raw` (absolute, or `~/...` in the home folder) names an existing folder.
fn folder_exists(raw: &str) -> bool {
    let raw = raw.trim();
    let path = match raw.strip_prefix("~/") {
        Some(rest) => match std::env::home_dir() {
            Some(home) => home.join(rest),
            None => return false,
        },
        None => PathBuf::from(raw),
    };
    path.is_dir()
}

/// Changes any subset of the writable settings; model, zone and scheduler changes apply
/// after a restart (`restart_required` says when one is due), the host policy, the
/// language, the briefing's time and start at login at once (the briefing follows a new zone
/// at once too).
#[utoipa::path(patch, path = "/api/settings", tag = "settings", request_body = SettingsPatch, security(("bearer" = [])),
    responses(
        (status = 200, description = "The new settings", body = SettingsView),
        NotLoggedIn,
        UnknownFields,
        NotJson,
        (status = 422, description = "Invalid values; nothing was changed", body = ErrorBody),
    ))]
async fn patch_settings(
    State(state): State<SettingsContext>,
    Json(patch): Json<SettingsPatch>,
) -> Result<Json<SettingsView>> {
    let desktop = state.runtime.desktop();
    validate(&patch, desktop.is_some())?;
    let mut writes: Vec<(&'static str, String)> = Vec::new();
    let text = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_owned());
    if let Some(desktop) = &desktop {
        apply_desktop(&patch, desktop.as_ref(), &mut writes)?;
    }
    if let Some(v) = text(&patch.ai_provider) {
        writes.push(("ai_provider", v));
    }
    if let Some(v) = text(&patch.ai_base_url) {
        writes.push(("ai_base_url", v));
    }
    if let Some(v) = text(&patch.ai_model) {
        writes.push(("ai_model", v));
    }
    if let Some(v) = text(&patch.timezone) {
        writes.push(("timezone", v));
    }
    let language = patch.language.as_deref().and_then(Lang::from_code);
    if let Some(v) = language {
        writes.push(("language", v.code().to_owned()));
    }
    if let Some(v) = text(&patch.briefing_time) {
        writes.push(("briefing_time", v));
    }
    if let Some(v) = patch.enable_scheduler {
        writes.push(("enable_scheduler", v.to_string()));
    }
    if let Some(v) = patch.mcp_enabled {
        writes.push(("mcp_enabled", v.to_string()));
    }
    let host_policy = patch.host_policy.map(|mut policy| {
        policy.allowed_folders = policy.allowed_folders.iter().map(|f| f.trim().to_owned()).collect();
        policy
    });
    if let Some(policy) = &host_policy {
        writes.push(("host_policy", serde_json::to_string(policy).map_err(anyhow::Error::from)?));
    }
    // The key goes first, so a keychain that refuses it leaves everything as it was.
    let new_key = text(&patch.ai_api_key);
    if let Some(key) = &new_key {
        state
            .runtime
            .save_api_key(key)
            .await
            .map_err(|e| Error::Internal(e.context("the API key could not be kept")))?;
    }
    let mut tx = state.db.write.begin().await?;
    for (key, value) in &writes {
        crate::infra::db::put_setting(&mut *tx, &format!("pref.{key}"), value).await?;
    }
    tx.commit().await?;
    if let Some(policy) = host_policy {
        state.runtime.save_host_policy(policy);
    }
    if let Some(language) = language {
        state.runtime.set_language(language);
    }
    if let Some(on) = patch.mcp_enabled {
        state.runtime.set_mcp_enabled(on);
    }
    if writes.iter().any(|(key, _)| matches!(*key, "briefing_time" | "timezone")) {
        let (next, _) = effective((*state.settings).clone(), &stored(&state.db.read).await?);
        state.runtime.set_briefing(&next);
    }
    if !writes.is_empty() || new_key.is_some() {
        state.bus.data_changed(Module::Settings);
    }
    Ok(Json(view(&state).await?))
}

/// The changes only a desktop makes, first, as the ones that may be refused now (another
/// app holds the keys); the settings to store go to `writes`.
fn apply_desktop(
    patch: &SettingsPatch,
    desktop: &dyn Desktop,
    writes: &mut Vec<(&'static str, String)>,
) -> Result<()> {
    if let Some(keys) = patch.quick_add_shortcut.as_deref().map(str::trim) {
        desktop
            .set_quick_add_shortcut(keys)
            .map_err(|reason| Error::invalid("quick_add_shortcut", reason))?;
        writes.push(("quick_add_shortcut", keys.to_owned()));
    }
    if let Some(on) = patch.start_at_login {
        // A small file in the user's configuration folder (on Linux), written at once.
        desktop
            .set_start_at_login(on)
            .map_err(|e| Error::Internal(e.context("the autostart entry could not be changed")))?;
        writes.push(("start_at_login_asked", "true".to_owned()));
    }
    Ok(())
}

/// Optional values to test before saving them; absent ones are the stored settings.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelTest {
    pub ai_base_url: Option<String>,
    pub ai_model: Option<String>,
    pub ai_api_key: Option<String>,
}

/// Asks the model service for its models: whether it answers, and whether it has the model.
#[utoipa::path(post, path = "/api/settings/test-model", tag = "settings",
    request_body(content = Option<ModelTest>, description = "Values to test instead of the stored ones", content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The outcome; `ok` false when the service failed", body = ModelCheck),
        NotLoggedIn,
        UnknownFields,
        NotJson,
        InvalidValues,
    ))]
async fn test_model(State(state): State<SettingsContext>, body: Bytes) -> Result<Json<ModelCheck>> {
    let test: ModelTest = if body.iter().all(u8::is_ascii_whitespace) {
        ModelTest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| Error::BadRequest {
            code: "malformed_json",
            detail: format!("the body is not valid: {e}"),
        })?
    };
    validate(
        &SettingsPatch {
            ai_base_url: test.ai_base_url.clone(),
            ai_model: test.ai_model.clone(),
            ai_api_key: test.ai_api_key.clone(),
            ..SettingsPatch::default()
        },
        false,
    )?;
    let (saved, _) = effective((*state.settings).clone(), &stored(&state.db.read).await?);
    let base_url = test.ai_base_url.unwrap_or(saved.ai_base_url);
    let model = test.ai_model.unwrap_or(saved.ai_model);
    let mut config = ProviderConfig::new(base_url.trim(), model.trim());
    if let Some(key) = test.ai_api_key.or_else(|| state.runtime.api_key_in_force()).filter(|k| !k.is_empty())
    {
        config = config.with_api_key(key);
    }
    config.first_byte_timeout = std::time::Duration::from_secs(10);
    let provider = match OpenAiCompatible::new(config) {
        Ok(p) => p,
        Err(e) => return Ok(Json(ModelCheck { ok: false, detail: e.to_string(), models: Vec::new() })),
    };
    // The server as the user knows it: the API root the settings lead to, and its kind.
    let server = format!("{} ({})", provider.shown_root(), provider.name());
    let pinged = tokio::time::timeout(std::time::Duration::from_secs(15), provider.ping()).await;
    let wanted = provider.model();
    Ok(Json(match pinged {
        Err(_) => ModelCheck {
            ok: false,
            detail: format!("the model service at {server} did not answer within 15 s"),
            models: vec![],
        },
        Ok(Err(e)) => ModelCheck { ok: false, detail: e.to_string(), models: vec![] },
        Ok(Ok(report)) => {
            let detail = if report.model_available {
                format!("connected to {server} in {} ms; {wanted} is available", report.latency.as_millis())
            } else {
                format!("connected to {server}, but it does not list {wanted}")
            };
            ModelCheck { ok: report.model_available, detail, models: report.models }
        }
    }))
}
