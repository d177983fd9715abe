//! ClawChat's embedded backend.
//!
//! The same [`serve`] runs inside the desktop app, in the headless `clawchat-server`
//! binary and in the tests, on a listener the caller binds (tests bind port 0).
//!
//! The assistant has two halves. The **PQH** (the *primary query handler*,
//! [`brain::pqh`]) answers a message at once and plans: it stores the user's words,
//! streams the first answer and turns the words into tool calls. The **SQH** (the
//! *secondary query handler*, the task engine, [`brain::engine`]) runs that plan: a graph
//! of tasks, each waiting on the tasks it `depends_on`, each run on the server or on the
//! user's computer, asking the user first where the rules say so, and it reports every
//! step on the [`bus`].
//!
//! The folders say what a module is:
//!
//! [`features`]: the organiser, one module per thing the user keeps, each owning its
//! table (if it has one), its routes under `/api`, its request and response types and its
//! SQL:
//! - [`features::todos`], [`features::events`], [`features::memos`]: the organiser's three
//!   tables, their routes and the functions the assistant, the scheduler and MCP call;
//!   [`features::events::ics`] reads and writes calendar files.
//! - [`features::search`]: full-text search over todos, events, memos and messages.
//! - [`features::today`]: the day at a glance (`/api/today`).
//! - [`features::briefing`]: the daily briefing, what it says (by the model when one
//!   answers, else the built-in summary) and when it comes; the `daily_briefing` tool makes
//!   one on demand, the scheduler delivers one each morning.
//! - [`features::notifications`]: the notifications the scheduler fired, marking one
//!   read, and push tokens for the phone (`/api/notifications*`).
//! - [`features::settings`]: the preferences the user changes at run time
//!   (`/api/settings`).
//! - [`features::health`]: is the server up, and which brain answers.
//!
//! Subsystems, each a folder or file at the top:
//! - [`auth`]: the PIN, one-time codes, access and refresh tokens, the failed-attempt
//!   limiter, and the token check on every protected route; [`auth::devices`]: the
//!   clients that logged in, by kind, and logging one out.
//! - [`chat`]: everything under `/api/chat`: conversations and messages, and sending the
//!   assistant a message (typed, streamed or spoken; the answering is the [`brain`]'s).
//! - [`brain`]: the assistant, planning and running: the tool registry, the PQH, the SQH
//!   task engine, approvals, host executors.
//! - [`llm`]: how the assistant talks to a language model.
//! - [`schedule`]: reminders, the overdue sweep, notices that come once a day (claimed and
//!   delivered at their time; the briefing is one), nightly clean-up, push delivery.
//! - [`realtime`]: `/ws` and Socket.IO, views onto the [`bus`].
//! - [`bus`]: the one stream of events every realtime channel shows.
//! - [`protocol`]: the frames and records the bus, the assistant and the realtime channels
//!   share (and the TypeScript the UI imports), depending on none of them.
//! - [`mcp`]: other AI apps on this computer use the organiser over MCP (`/mcp`, the
//!   stdio bridge, client tokens under `/api/mcp`).
//! - [`lan`]: LAN mode, the TLS listener a paired phone reaches.
//!
//! The crate root assembles the app: [`AppState`], the one state every route is served
//! with, the sub-states each module's routes take from it, the router, and the scheduler
//! with the daily briefing handed to it ([`App::scheduler`]), so that neither the briefing
//! nor the scheduler imports the other.
//!
//! [`infra`]: the plumbing every feature and subsystem stands on:
//! - [`infra::db`]: the SQLite store (two pools, migrations, the settings table's get and
//!   upsert).
//! - [`infra::error`]: the one error type at the edge, and the shared OpenAPI error answers.
//! - [`infra::extract`]: our JSON and query extractors, with our error shape.
//! - [`infra::pagination`]: `?page&limit` in, `{items, total, page, limit}` out, for every
//!   list.
//! - `infra::transport`: the transport layers (request ids, `Host` check, limits,
//!   compression) and the OpenAPI viewers.
//! - [`infra::web_ui`]: the web UI's files at `/`.
//! - [`infra::config`]: the command line and environment.
//! - [`infra::secrets`]: where the token secret and the model's API key live, and the one
//!   writer of private files.
//! - [`infra::time`]: instants in the user's zone, local midnight.
//! - [`infra::clock`]: where the scheduler and the limiter read the time (a test moves it).
//! - [`infra::recurrence`]: occurrences of a repeating event or todo.
//! - [`infra::desktop`]: what only the desktop app can do (start at login), handed in by it.
//! - [`infra::process`]: what a process does first (the malloc arena cap).
//! - [`infra::typescript`]: the TypeScript generated for the UI.
//!
//! One request, end to end: the transport layers in `infra::transport` give it a request
//! id, check its `Host`, bound its time and body; [`auth::require_auth`] checks the bearer
//! token; the feature's handler validates the body with [`infra::extract::Json`], runs its
//! SQL on the read pool or the single-writer pool, and answers JSON rendered in the user's
//! offset. Any failure becomes an [`infra::error::Error`], which answers
//! `{detail, code, errors?}`.

pub mod auth;
pub mod brain;
pub mod bus;
pub mod chat;
pub mod features;
pub mod infra;
pub mod lan;
pub mod llm;
pub mod mcp;
pub mod protocol;
pub mod realtime;
pub mod schedule;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use utoipa::OpenApi as _;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

pub use infra::config::Settings;
pub use infra::transport::AllowedHosts;

use auth::{Auth, ConsoleOtpSink, OtpSink};
use infra::db::Db;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "ClawChat API",
        description = "The local-first personal assistant's REST API. Every route but health, the auth routes and these docs needs `Authorization: Bearer <access_token>`. Errors are `{detail, code, errors?}`.",
        license(name = "MIT")
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "PIN login, one-time codes, token refresh"),
        (name = "todos"), (name = "events"), (name = "memos"),
        (name = "search"), (name = "today"), (name = "chat"),
        (name = "notifications"), (name = "health"), (name = "settings"),
        (name = "devices", description = "The clients logged in: this computer, browsers, paired phones"),
        (name = "mcp", description = "Apps allowed to use the organiser over MCP, each with a token of its own"),
    )
)]
struct ApiDoc;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
            ),
        );
    }
}

/// Everything the routes share, held once here where the app is assembled, and known
/// nowhere else. No handler takes it whole: each takes the sub-state its module declares
/// ([`features::OrganiserContext`], [`auth::AuthContext`], [`brain::AssistantContext`],
/// ...) or a single part (`State<Db>`), which the `FromRef` impls below pick out of it;
/// each router is generic over the state it is served with and asks only that its
/// sub-state can be had from it (`OrganiserContext: FromRef<S>`).
#[derive(Clone, Debug, axum::extract::FromRef)]
pub struct AppState {
    pub db: Db,
    pub auth: Arc<Auth>,
    pub settings: Arc<Settings>,
    /// The user's time zone: answers are rendered in it and "today" is measured in it.
    pub tz: chrono_tz::Tz,
    /// Shared, not copied: axum clones the state for every request, and the brain's
    /// parts (the engine's store, bus and channels) made that clone a tenth of a short
    /// read's time (BENCHMARKS.md, "HTTP reads, fourth round").
    pub brain: Arc<brain::Brain>,
    /// Every realtime event goes through here (the same bus the assistant publishes on).
    pub bus: bus::Bus,
    /// LAN mode (off by default): the TLS listener for paired phones and its pairing code.
    pub lan: Arc<lan::Lan>,
    /// What applies at once rather than at the next start: the host policy in force, and
    /// where the embedding program keeps its secrets.
    pub runtime: Arc<features::settings::Runtime>,
    /// MCP clients with a request open, to end them when a client is revoked.
    pub mcp: Arc<mcp::Revocations>,
}

impl axum::extract::FromRef<AppState> for features::OrganiserContext {
    fn from_ref(s: &AppState) -> Self {
        Self { db: s.db.clone(), tz: s.tz, bus: s.bus.clone() }
    }
}

impl axum::extract::FromRef<AppState> for lan::LanContext {
    fn from_ref(s: &AppState) -> Self {
        let state = s.clone();
        Self {
            lan: s.lan.clone(),
            db: s.db.clone(),
            tz: s.tz,
            settings: s.settings.clone(),
            app: Arc::new(move |allowed| router(state.clone(), allowed)),
        }
    }
}

impl axum::extract::FromRef<AppState> for features::settings::SettingsContext {
    fn from_ref(s: &AppState) -> Self {
        Self {
            db: s.db.clone(),
            tz: s.tz,
            bus: s.bus.clone(),
            settings: s.settings.clone(),
            runtime: s.runtime.clone(),
            lan: s.lan.clone(),
        }
    }
}

impl axum::extract::FromRef<AppState> for auth::AuthContext {
    fn from_ref(s: &AppState) -> Self {
        Self { auth: s.auth.clone(), db: s.db.clone(), tz: s.tz, bus: s.bus.clone(), lan: s.lan.clone() }
    }
}

impl axum::extract::FromRef<AppState> for mcp::McpContext {
    fn from_ref(s: &AppState) -> Self {
        Self {
            db: s.db.clone(),
            tz: s.tz,
            bus: s.bus.clone(),
            engine: s.brain.engine.clone(),
            runtime: s.runtime.clone(),
            mcp: s.mcp.clone(),
        }
    }
}

impl axum::extract::FromRef<AppState> for brain::AssistantContext {
    fn from_ref(s: &AppState) -> Self {
        Self { brain: s.brain.clone(), db: s.db.clone(), tz: s.tz, language: s.runtime.watch_language() }
    }
}

/// An opened store plus everything the routes need, ready to [`serve`].
pub struct App {
    pub state: AppState,
    /// The PIN generated on this first start, to be shown to the user once.
    pub generated_pin: Option<String>,
    /// Where the scheduler delivers besides the bus and Expo push (the desktop shell adds
    /// its native notifications here, with [`App::with_notifier`]).
    pub notifiers: Vec<Arc<dyn schedule::Notifier>>,
    /// The scheduler's clock: the system's, or one a test moves.
    pub clock: Arc<dyn schedule::Clock>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let notifiers: Vec<&str> = self.notifiers.iter().map(|n| n.name()).collect();
        f.debug_struct("App")
            .field("state", &self.state)
            .field("generated_pin", &self.generated_pin.as_ref().map(|_| "<set>"))
            .field("notifiers", &notifiers)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Adds a place the scheduler delivers every notification to.
    #[must_use]
    pub fn with_notifier(mut self, notifier: Arc<dyn schedule::Notifier>) -> Self {
        self.notifiers.push(notifier);
        self
    }

    /// Replaces the scheduler's clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn schedule::Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The scheduler over this app's store, delivering to the bus, Expo push and every
    /// notifier added with [`App::with_notifier`], with the daily briefing at the time the
    /// settings hold. [`serve`] runs it when `ENABLE_SCHEDULER` is on.
    pub fn scheduler(&self) -> anyhow::Result<schedule::Scheduler> {
        let s = &self.state;
        let mut notifiers: Vec<Arc<dyn schedule::Notifier>> = vec![
            Arc::new(schedule::BusNotifier(s.bus.clone())),
            Arc::new(schedule::ExpoPush::new(s.db.clone(), s.settings.expo_push_url.clone())),
        ];
        notifiers.extend(self.notifiers.iter().cloned());
        // An unreadable briefing time is an error here as at `open`, not a day without one.
        features::briefing::parse_time(&s.settings.briefing_time)?;
        let config = schedule::SchedulerConfig {
            tz: s.tz,
            check_interval: std::time::Duration::from_secs(s.settings.reminder_check_interval.max(1)),
        };
        let briefing = features::briefing::Briefing {
            db: s.db.clone(),
            tz: s.tz,
            model: s.brain.engine.model.as_ref().map(|m| m.provider.clone()),
        };
        Ok(schedule::Scheduler::new(s.db.clone(), s.bus.clone(), self.clock.clone(), notifiers, config)
            .with_daily(Arc::new(briefing), s.runtime.watch_briefing()))
    }

    pub async fn open(settings: Settings) -> anyhow::Result<Self> {
        Self::open_with(settings, Arc::new(ConsoleOtpSink)).await
    }

    /// As [`App::open_with_secrets`], with secrets in files in the data folder.
    pub async fn open_with(settings: Settings, otp_sink: Arc<dyn OtpSink>) -> anyhow::Result<Self> {
        let secrets = Arc::new(infra::secrets::FileSecrets::new(&settings.data_dir()?));
        Self::open_with_secrets(settings, otp_sink, secrets).await
    }

    /// Opens the store (running migrations), loads or creates the token secret and the PIN;
    /// the model's API key is kept in `secrets`.
    pub async fn open_with_secrets(
        settings: Settings,
        otp_sink: Arc<dyn OtpSink>,
        secrets: Arc<dyn infra::secrets::SecretStore>,
    ) -> anyhow::Result<Self> {
        let db = Db::open(&settings.database_path()?).await?;
        infra::secrets::move_api_key_out(&db, secrets.as_ref()).await?;
        let (settings, api_keys) =
            features::settings::apply_stored(&db.read, secrets.as_ref(), settings).await?;
        let tz = settings.time_zone()?;
        let data_dir = settings.data_dir()?;
        let secret = auth::load_or_create_secret(settings.jwt_secret.as_deref(), &data_dir)?;
        let auth = Auth::new(
            &secret,
            i64::from(settings.jwt_expiry_hours.max(1)) * 3600,
            i64::from(settings.refresh_expiry_days.max(1)) * infra::time::DAY_MS,
            i64::try_from(settings.refresh_race_grace_ms).unwrap_or(i64::MAX),
            otp_sink,
        )
        .with_mailer(auth::mail::Mailer::from_settings(&settings)?);
        if let Some(pin) = settings.pin.as_deref() {
            auth::check_pin_strength(pin)?;
        }
        features::briefing::parse_time(&settings.briefing_time)?;
        let generated_pin = auth::ensure_pin(&db.write, settings.pin.as_deref()).await?;
        auth.tokens.load_revoked(&db.read).await?;
        let bus = bus::Bus::default();
        let approvals = Arc::new(brain::PendingApprovals::default());
        let gate = Arc::new(brain::BusApprovals { bus: bus.clone(), pending: approvals.clone() });
        let web = brain::actions::WebSearch {
            base_url: settings.search_url.clone(),
            client: reqwest::Client::new(),
        };
        let runtime = Arc::new(features::settings::Runtime::new(
            features::settings::saved_host_policy(&db.read).await?,
            settings.language(),
            secrets,
            api_keys,
        ));
        runtime.set_briefing(&settings);
        runtime.set_mcp_enabled(features::settings::saved_mcp_enabled(&db.read).await?);
        let mut engine = brain::Engine::new(db.clone(), tz, bus.clone(), gate, web);
        engine.model = model_from(&settings);
        engine.host_policy = runtime.watch_host_policy();
        let resumed = engine.recover().await?;
        if resumed > 0 {
            tracing::info!(plans = resumed, "resumed plans interrupted by the last stop");
        }
        let stt = settings.speech_to_text_url().map(|base_url| brain::voice::Stt {
            base_url: base_url.to_owned(),
            model: settings.stt_model.clone(),
            api_key: settings.stt_api_key.clone(),
            client: reqwest::Client::new(),
        });
        let inbox = brain::inbox::Inbox::start(db.write.clone());
        let brain = brain::Brain { engine, approvals, stt, inbox };
        let lan = Arc::new(lan::Lan::default());
        let state = AppState {
            db,
            auth: Arc::new(auth),
            settings: Arc::new(settings),
            tz,
            brain: Arc::new(brain),
            bus,
            lan,
            runtime,
            mcp: Arc::default(),
        };
        Ok(Self { state, generated_pin, notifiers: Vec::new(), clock: Arc::new(schedule::SystemClock) })
    }
}

/// The daily briefing as the scheduler delivers it: the briefing says what and when, the
/// scheduler claims, waits and delivers. Joined here, where the app is assembled, so
/// neither module reaches into the other.
impl schedule::DailyNotice for features::briefing::Briefing {
    fn kind(&self) -> &'static str {
        features::briefing::KIND
    }

    fn title(&self) -> String {
        features::briefing::TITLE.to_owned()
    }

    fn write(&self, now: i64) -> futures::future::BoxFuture<'_, infra::error::Result<schedule::Written>> {
        Box::pin(async move {
            let made = self.make(now).await?;
            Ok(schedule::Written {
                body: made.text,
                conversation_id: Some(made.conversation_id),
                // Kept as a message in the Briefings conversation.
                changed: Some(bus::Module::Chat),
            })
        })
    }
}

/// The configured model service, or `None` for the built-in parser alone.
fn model_from(settings: &Settings) -> Option<Arc<brain::model::Model>> {
    let provider = settings.ai_provider.trim().to_ascii_lowercase();
    if provider == "builtin" || provider == "none" {
        return None;
    }
    let mut config = llm::ProviderConfig::new(settings.ai_base_url.clone(), settings.ai_model.clone());
    if let Some(key) = settings.ai_api_key.as_deref().filter(|k| !k.is_empty()) {
        config = config.with_api_key(key);
    }
    config.first_byte_timeout = std::time::Duration::from_secs(settings.ai_timeout.max(1));
    config.idle_timeout = std::time::Duration::from_secs(settings.ai_timeout.max(1));
    config.max_tokens = settings.ai_max_tokens.filter(|&n| n > 0);
    match llm::OpenAiCompatible::new(config) {
        Ok(p) => Some(Arc::new(brain::model::Model::new(
            Arc::new(p),
            provider == "auto",
            settings.ai_history_chars,
        ))),
        Err(e) => {
            tracing::warn!(error = %e, "the model settings are not usable; answering with the built-in parser");
            None
        }
    }
}

/// Every route that needs a token: the one list of them, served and described alike.
fn protected_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::protected_router())
        .merge(features::todos::router())
        .merge(features::events::router())
        .merge(features::memos::router())
        .merge(features::search::router())
        .merge(features::today::router())
        .merge(chat::router())
        .merge(features::notifications::router())
        .merge(brain::routes::router())
        .merge(features::settings::router())
        .merge(auth::devices::router())
        .merge(lan::router())
        .merge(mcp::clients::router())
}

/// The protected routes without the token check, for a caller that has checked the token
/// itself: an action card's button pressed over `/ws` runs through the same handlers as
/// the REST call it names.
fn authenticated_api(state: AppState) -> Router {
    let (routes, _) = protected_routes().split_for_parts();
    routes.with_state(state)
}

/// The API, with `guard` (the token check, when serving) on the protected routes.
fn api_router(
    guard: impl FnOnce(OpenApiRouter<AppState>) -> OpenApiRouter<AppState>,
) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(features::health::router())
        .merge(auth::router())
        .merge(guard(protected_routes()))
}

/// The OpenAPI document, as served at `/api/openapi.json`. Describing the routes needs no
/// state and no guard: the guard adds no paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut spec = api_router(|routes| routes).split_for_parts().1;
    infra::error::describe_storage_errors(&mut spec);
    spec
}

/// The whole application router for `state`, with transport layers for `allowed` hosts.
pub fn router(state: AppState, allowed: AllowedHosts) -> Router {
    let guard_state = state.clone();
    let (api, mut spec) = api_router(move |routes| {
        routes.route_layer(axum::middleware::from_fn_with_state(guard_state, auth::require_auth))
    })
    .split_for_parts();
    infra::error::describe_storage_errors(&mut spec);
    let realtime = realtime::RealtimeContext {
        assistant: axum::extract::FromRef::from_ref(&state),
        auth: state.auth.clone(),
        bus: state.bus.clone(),
        settings: state.settings.clone(),
        api: authenticated_api(state.clone()),
    };
    let app = api
        .with_state(state.clone())
        .merge(infra::transport::docs_router(spec))
        .merge(realtime::router().with_state(realtime.clone()))
        .merge(mcp::router(axum::extract::FromRef::from_ref(&state)))
        .fallback(infra::web_ui::fallback)
        .method_not_allowed_fallback(|| async { infra::error::Error::MethodNotAllowed })
        // Socket.IO answers on its own path, which no route has: the layer must wrap the
        // fallback too, so it goes on last.
        .layer(realtime::socketio::layer(realtime));
    infra::transport::layers(app, &state.settings, allowed)
}

/// Completes on Ctrl-C or SIGTERM: the stop signal of the headless server and the
/// desktop app alike.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Serves `app` on `listener` until `shutdown` completes; in-flight requests finish, then
/// the WAL is checkpointed and the store closed.
pub async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    let allowed = AllowedHosts::new(&[addr], &app.state.settings.allowed_hosts);
    let db = app.state.db.clone();
    let scheduler = if app.state.settings.enable_scheduler { Some(app.scheduler()?.spawn()) } else { None };
    let jobs = if app.state.settings.enable_scheduler {
        Some(schedule::jobs::Jobs::start(db.clone(), app.state.tz).await?)
    } else {
        None
    };
    let lan = app.state.lan.clone();
    lan::restore(&axum::extract::FromRef::from_ref(&app.state)).await;
    let data_dir = app.state.settings.data_dir().ok();
    let router = router(app.state, allowed);
    tracing::info!(%addr, "ClawChat is listening");
    if let Some(dir) = &data_dir {
        mcp::transport::record_address(dir, addr);
    }
    let served = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await;
    if let Some(jobs) = jobs {
        jobs.stop().await;
    }
    if let Some(scheduler) = scheduler {
        scheduler.stop().await;
    }
    lan.disable().await;
    if let Some(dir) = &data_dir {
        mcp::transport::forget_address(dir);
    }
    db.close().await;
    served?;
    Ok(())
}
