//! The harness: a real server on `127.0.0.1:0` over a temporary SQLite file, a real HTTP
//! client, and the few doors a test needs around the API (one-time codes arrive through a
//! channel sink; the database file can be opened directly to plant rows or age a code).
//!
//! Each test starts its own server: they are cheap, and sharing none keeps tests
//! independent and parallel. The listener is bound before the server task is spawned, so
//! a request sent at once waits in the backlog and no readiness sleep is needed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser as _;
use clawchat_server::App;
use clawchat_server::auth::OtpSink;
use clawchat_server::infra::config::Cli;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use sqlx::SqlitePool;
use sqlx::sqlite::SqliteConnectOptions;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::task::JoinHandle;

pub const PIN: &str = "246810";
/// The token secret handed to the server, so tests can forge tokens with it.
pub const SECRET: &str = "integration-test-secret-0123456789abcdef";
pub const TZ: &str = "America/Los_Angeles";

/// Sends each one-time code to the test instead of a person.
struct ChannelOtpSink(mpsc::UnboundedSender<(String, String)>);

impl OtpSink for ChannelOtpSink {
    fn deliver(&self, email: &str, code: &str) {
        // The receiver lives as long as the test; a send can only fail once it is over.
        let _ = self.0.send((email.to_owned(), code.to_owned()));
    }
}

/// How to start a server.
#[derive(Debug, Clone)]
pub struct Options {
    /// `None` leaves the secret to the server, which keeps one in its data directory.
    pub jwt_secret: Option<String>,
    pub pin: String,
    /// More command-line flags, such as `--cors-origins`.
    pub extra_args: Vec<String>,
    /// A clock the test moves, for the scheduler (the system's when none).
    pub clock: Option<Arc<clawchat_server::schedule::ManualClock>>,
}

impl Default for Options {
    fn default() -> Self {
        Self { jwt_secret: Some(SECRET.to_owned()), pin: PIN.to_owned(), extra_args: Vec::new(), clock: None }
    }
}

/// Opens the app on `dir` as the server would, without serving it.
pub async fn open_app(
    dir: &TempDir,
    options: &Options,
    otp: mpsc::UnboundedSender<(String, String)>,
) -> anyhow::Result<App> {
    let data_dir = dir.path().to_str().expect("a UTF-8 temp path").to_owned();
    // Four slashes: an absolute path, as `DATABASE_URL` reads it.
    let db_url = format!("sqlite:///{}", db_path(dir).display());
    let mut args = vec![
        "clawchat-server".to_owned(),
        "--data-dir".to_owned(),
        data_dir,
        "--database-url".to_owned(),
        db_url,
        "--pin".to_owned(),
        options.pin.clone(),
        "--tz".to_owned(),
        TZ.to_owned(),
        "--port".to_owned(),
        "0".to_owned(),
        "--ai-model".to_owned(),
        "test-model".to_owned(),
    ];
    // Nothing may write on its own while a test counts rows, unless a test asks for the
    // scheduler.
    if !options.extra_args.iter().any(|a| a == "--enable-scheduler") {
        args.extend(["--enable-scheduler".to_owned(), "false".to_owned()]);
    }
    if let Some(secret) = &options.jwt_secret {
        args.extend(["--jwt-secret".to_owned(), secret.clone()]);
    }
    // Pinned to the built-in parser unless a test brings its own stand-in model, so no
    // test depends on a model service the machine may or may not run.
    if !options.extra_args.iter().any(|a| a == "--ai-provider") {
        args.extend(["--ai-provider".to_owned(), "builtin".to_owned()]);
    }
    args.extend(options.extra_args.iter().cloned());
    let settings = Cli::try_parse_from(args)?.settings;
    App::open_with(settings, Arc::new(ChannelOtpSink(otp))).await
}

pub struct TestServer {
    pub base: String,
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// The running app's state: its event bus, task engine and store, for tests that
    /// watch events or plug in a host executor.
    pub state: clawchat_server::AppState,
    dir: Arc<TempDir>,
    options: Options,
    otp_rx: Mutex<mpsc::UnboundedReceiver<(String, String)>>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("a temporary directory"));
        Self::start_in(dir, options).await
    }

    /// Starts on a copy of an existing database file (a release's fixture), which the
    /// server upgrades as it would the user's.
    pub async fn start_on_copy(database: &std::path::Path) -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("a temporary directory"));
        std::fs::copy(database, db_path(&dir)).expect("the database file copies");
        Self::start_in(dir, Options::default()).await
    }

    async fn start_in(dir: Arc<TempDir>, options: Options) -> Self {
        let (otp_tx, otp_rx) = mpsc::unbounded_channel();
        let mut app = open_app(&dir, &options, otp_tx).await.expect("the app opens");
        if let Some(clock) = &options.clock {
            app = app.with_clock(clock.clone());
        }
        // LAN mode (turned on by a test, or again at a restart) listens on loopback only.
        app.state.lan.set_bind_ip(Some(std::net::IpAddr::from([127, 0, 0, 1])));
        let state = app.state.clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("a local address");
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(clawchat_server::serve(app, listener, async move {
            let _ = shutdown_rx.await;
        }));
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("a client");
        Self {
            base: format!("http://{addr}"),
            addr,
            client,
            state,
            dir,
            options,
            otp_rx: Mutex::new(otp_rx),
            shutdown: Some(shutdown_tx),
            task: Some(task),
        }
    }

    /// Stops gracefully and waits until the store is closed.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(20), task)
                .await
                .expect("the server stops within 20 s")
                .expect("the server task did not panic")
                .expect("serve ends without error");
        }
    }

    /// Stops this server and starts a new one on the same data directory and file.
    pub async fn restart(self) -> Self {
        let options = self.options.clone();
        self.restart_with(options).await
    }

    /// As [`Self::restart`], with other options.
    pub async fn restart_with(mut self, options: Options) -> Self {
        self.stop().await;
        Self::start_in(self.dir.clone(), options).await
    }

    pub fn db_path(&self) -> PathBuf {
        db_path(&self.dir)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str, token: &str) -> RequestBuilder {
        self.request(Method::GET, path).bearer_auth(token)
    }

    pub fn post(&self, path: &str, token: &str) -> RequestBuilder {
        self.request(Method::POST, path).bearer_auth(token)
    }

    pub fn patch(&self, path: &str, token: &str) -> RequestBuilder {
        self.request(Method::PATCH, path).bearer_auth(token)
    }

    pub fn delete(&self, path: &str, token: &str) -> RequestBuilder {
        self.request(Method::DELETE, path).bearer_auth(token)
    }

    /// Logs in with the PIN and returns the whole answer.
    pub async fn login_pair(&self) -> Value {
        let (status, body) =
            send(self.request(Method::POST, "/api/auth/login").json(&json!({ "pin": self.options.pin })))
                .await;
        assert_eq!(status, StatusCode::OK, "login failed: {body}");
        body
    }

    /// Logs in and returns an access token.
    pub async fn token(&self) -> String {
        str_field(&self.login_pair().await, "access_token")
    }

    /// The next one-time code the server sent, as (email, code).
    pub async fn next_otp(&self) -> (String, String) {
        let mut rx = self.otp_rx.lock().await;
        tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("a code arrives within 5 s")
            .expect("the sink is still connected")
    }

    /// A pool on the server's database file, for planting rows the API cannot make yet
    /// and for checking what was stored. WAL and a busy timeout let it share the file.
    pub async fn open_db(&self) -> SqlitePool {
        let options = SqliteConnectOptions::new()
            .filename(self.db_path())
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        sqlx::pool::PoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .expect("the database file opens")
    }

    /// Creates something with a POST and returns the answer, which must be 201.
    pub async fn create(&self, path: &str, token: &str, body: Value) -> Value {
        let (status, answer) = send(self.post(path, token).json(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path} {body} answered {answer}");
        answer
    }

    /// GETs a JSON document that must be 200.
    pub async fn get_ok(&self, path: &str, token: &str) -> Value {
        let (status, answer) = send(self.get(path, token)).await;
        assert_eq!(status, StatusCode::OK, "GET {path} answered {answer}");
        answer
    }

    /// `total` of a list route.
    pub async fn total(&self, path: &str, token: &str) -> i64 {
        let page = self.get_ok(path, token).await;
        page["total"].as_i64().unwrap_or_else(|| panic!("GET {path} has no total: {page}"))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // A test that ends without `stop` still lets the server go; the runtime that
        // owns its task is dropped right after anyway.
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn db_path(dir: &TempDir) -> PathBuf {
    dir.path().join("clawchat-test.db")
}

/// Sends a request and returns its status and JSON body (`Null` when the body is empty,
/// a JSON string holding the text when it is not JSON).
pub async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("the request gets an answer");
    let status = response.status();
    let text = response.text().await.expect("a readable body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

pub fn str_field(value: &Value, field: &str) -> String {
    value[field].as_str().unwrap_or_else(|| panic!("no string {field:?} in {value}")).to_owned()
}

/// Asserts the contract's error shape: `{detail: non-empty text, code: snake_case}`.
pub fn assert_error(status: StatusCode, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "expected {expected}, got {status}: {body}");
    let detail = body["detail"].as_str().unwrap_or_else(|| panic!("no detail in {body}"));
    assert!(!detail.trim().is_empty(), "empty detail in {body}");
    let code = body["code"].as_str().unwrap_or_else(|| panic!("no code in {body}"));
    assert!(
        !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "code {code:?} is not snake_case"
    );
}

/// Asserts an error answer with a given `code`.
pub fn assert_error_code(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_error(status, body, expected);
    assert_eq!(body["code"], code, "wrong code in {body}");
}

/// Asserts a 422 naming `field` among its errors.
pub fn assert_invalid_field(status: StatusCode, body: &Value, field: &str) {
    assert_error(status, body, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = body["errors"].as_array().unwrap_or_else(|| panic!("no errors list in {body}"));
    assert!(errors.iter().any(|e| e["field"] == field), "422 does not name the field {field:?}: {body}");
}

/// The ids of a list answer's items, in order.
pub fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {page}"))
        .iter()
        .map(|item| str_field(item, "id"))
        .collect()
}

/// Today's date and the current instant in the test's time zone.
pub fn now_local() -> chrono::DateTime<chrono_tz::Tz> {
    let tz: chrono_tz::Tz = TZ.parse().expect("a valid zone");
    chrono::Utc::now().with_timezone(&tz)
}

/// Plants a conversation row straight in the file (for tests that must not depend on the
/// conversation routes) and returns its id.
pub async fn plant_conversation(db: &SqlitePool, title: &str) -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let now = chrono::Utc::now().timestamp_millis();
    sqlx::query(
        "INSERT INTO conversations (id, title, kind, created_at, updated_at) VALUES (?, ?, 'chat', ?, ?)",
    )
    .bind(&id)
    .bind(title)
    .bind(now)
    .bind(now)
    .execute(db)
    .await
    .expect("a conversation row");
    id
}

/// Plants a message row, as the chat engine will once it exists, and returns its id.
/// Messages planted one after another get increasing `seq` and `created_at`.
pub async fn plant_message(db: &SqlitePool, conversation_id: &str, role: &str, content: &str) -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let seq_now: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(created_at), 0) FROM messages")
        .fetch_one(db)
        .await
        .expect("a max");
    let at = chrono::Utc::now().timestamp_millis().max(seq_now + 1);
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, role, content, intent, action_cards, created_at)
         VALUES (?, ?, ?, ?, NULL, '[]', ?)",
    )
    .bind(&id)
    .bind(conversation_id)
    .bind(role)
    .bind(content)
    .bind(at)
    .execute(db)
    .await
    .expect("a message row");
    id
}

/// The built `clawchat-server` binary. Cargo names it at compile time, except when rustc
/// runs under a wrapper (as in `make test`'s build with clippy's lints), where it leaves the
/// variable out; the binary is then where cargo always puts it, beside the `deps` folder
/// that holds this test binary.
pub fn server_binary() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_clawchat-server") {
        return PathBuf::from(path);
    }
    let test_binary = std::env::current_exe().expect("the test binary knows its own path");
    let profile_dir =
        test_binary.parent().and_then(std::path::Path::parent).expect("target/<profile>/deps/<test>");
    let binary = profile_dir.join(format!("clawchat-server{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.exists(), "{} is missing: build it with cargo test or cargo build", binary.display());
    binary
}
