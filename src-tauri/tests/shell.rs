//! The shell's logic without a window: start-up, the host tools and their path rules, the
//! approval policy on the real task engine, notifications, secrets.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser as _;
use clawchat_desktop::host::HostTools;
use clawchat_desktop::paths::HostPolicy;
use clawchat_desktop::server::{self, Embedded, desktop_settings};
use clawchat_desktop::{notify, secrets, session};
use clawchat_server::brain::Approval;
use clawchat_server::brain::PlanContext;
use clawchat_server::brain::engine::Origin;
use clawchat_server::brain::types::{Intent, Target, TaskRecord, TaskSpec, TaskStatus};
use clawchat_server::bus::ServerEvent;
use serde_json::{Value, json};

/// A home folder with a readable note, a dot-folder holding a secret, and a folder
/// outside it holding another.
struct Home {
    _dir: tempfile::TempDir,
    home: PathBuf,
    outside: PathBuf,
}

fn home() -> Home {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(home.join("notes")).unwrap();
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(home.join("notes/ideas.txt"), "grow tomatoes").unwrap();
    std::fs::write(home.join(".ssh/id_ed25519"), "PRIVATE").unwrap();
    std::fs::write(outside.join("secret.txt"), "not yours").unwrap();
    Home { home: home.canonicalize().unwrap(), outside: outside.canonicalize().unwrap(), _dir: dir }
}

fn tools(h: &Home) -> HostTools {
    HostTools::new(HostPolicy::new(std::slice::from_ref(&h.home), Some(h.home.clone())))
}

fn path_str(p: &Path) -> String {
    p.display().to_string()
}

#[tokio::test]
async fn file_read_reads_inside_home_by_tilde_and_by_full_path() {
    let h = home();
    let t = tools(&h);
    let out = t.run(Intent::FileRead, &json!({"path": "~/notes/ideas.txt"})).await.unwrap();
    assert_eq!(out["content"], "grow tomatoes");
    let out =
        t.run(Intent::FileRead, &json!({"path": path_str(&h.home.join("notes/ideas.txt"))})).await.unwrap();
    assert_eq!(out["content"], "grow tomatoes");
    assert_eq!(out["truncated"], false);
}

#[tokio::test]
async fn file_read_refuses_dot_dot_links_and_dot_folders() {
    let h = home();
    let t = tools(&h);
    let err =
        t.run(Intent::FileRead, &json!({"path": "~/../outside/secret.txt"})).await.unwrap_err().to_string();
    assert!(err.contains("outside the folders"), "{err}");
    std::os::unix::fs::symlink(h.outside.join("secret.txt"), h.home.join("notes/link.txt")).unwrap();
    let err = t.run(Intent::FileRead, &json!({"path": "~/notes/link.txt"})).await.unwrap_err().to_string();
    assert!(err.contains("outside the folders"), "a link out is followed and refused: {err}");
    std::os::unix::fs::symlink(&h.outside, h.home.join("escape")).unwrap();
    let err = t.run(Intent::FileRead, &json!({"path": "~/escape/secret.txt"})).await.unwrap_err().to_string();
    assert!(err.contains("outside the folders"), "{err}");
    let err = t.run(Intent::FileRead, &json!({"path": "~/.ssh/id_ed25519"})).await.unwrap_err().to_string();
    assert!(err.contains("hidden"), "{err}");
    let err = t.run(Intent::FileRead, &json!({"path": "~/notes/missing.txt"})).await.unwrap_err().to_string();
    assert!(err.contains("cannot open"), "{err}");
}

#[tokio::test]
async fn file_read_caps_what_it_returns() {
    let h = home();
    let mut policy = HostPolicy::new(std::slice::from_ref(&h.home), Some(h.home.clone()));
    policy.max_read_bytes = 10;
    std::fs::write(h.home.join("notes/long.txt"), "0123456789abcdef").unwrap();
    let out =
        HostTools::new(policy).run(Intent::FileRead, &json!({"path": "~/notes/long.txt"})).await.unwrap();
    assert_eq!(out["content"], "0123456789");
    assert_eq!(out["truncated"], true);
    assert_eq!(out["size"], 16);
}

#[tokio::test]
async fn file_create_makes_new_files_only_inside_allowed_folders() {
    let h = home();
    let t = tools(&h);
    let out =
        t.run(Intent::FileCreate, &json!({"path": "~/notes/new.txt", "content": "hello"})).await.unwrap();
    assert_eq!(out["bytes"], 5);
    assert_eq!(std::fs::read_to_string(h.home.join("notes/new.txt")).unwrap(), "hello");

    let err = t
        .run(Intent::FileCreate, &json!({"path": "~/notes/new.txt", "content": "again"}))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(h.home.join("notes/new.txt")).unwrap(), "hello", "not overwritten");

    let err = t
        .run(Intent::FileCreate, &json!({"path": "~/../outside/x.txt", "content": "x"}))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("outside the folders"), "{err}");
    assert!(!h.outside.join("x.txt").exists());

    std::os::unix::fs::symlink(&h.outside, h.home.join("escape")).unwrap();
    let err = t
        .run(Intent::FileCreate, &json!({"path": "~/escape/x.txt", "content": "x"}))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("outside the folders"), "{err}");
    assert!(!h.outside.join("x.txt").exists());

    // A link planted where the new file would go is not followed.
    std::os::unix::fs::symlink(h.outside.join("planted.txt"), h.home.join("notes/planted.txt")).unwrap();
    let err = t
        .run(Intent::FileCreate, &json!({"path": "~/notes/planted.txt", "content": "x"}))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("already exists"), "{err}");
    assert!(!h.outside.join("planted.txt").exists());

    let err = t
        .run(Intent::FileCreate, &json!({"path": "~/.ssh/authorized_keys", "content": "x"}))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("hidden"), "{err}");
    assert!(!h.home.join(".ssh/authorized_keys").exists());

    let err = t
        .run(Intent::FileCreate, &json!({"path": "~/nowhere/x.txt", "content": "x"}))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not there"), "{err}");
}

#[tokio::test]
async fn file_create_refuses_content_over_the_cap() {
    let h = home();
    let mut policy = HostPolicy::new(std::slice::from_ref(&h.home), Some(h.home.clone()));
    policy.max_write_bytes = 4;
    let err = HostTools::new(policy)
        .run(Intent::FileCreate, &json!({"path": "~/notes/big.txt", "content": "12345"}))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("at most 4 bytes"), "{err}");
    assert!(!h.home.join("notes/big.txt").exists());
}

#[tokio::test]
async fn executor_shell_runs_in_a_folder_without_a_terminal_and_captures_output() {
    let h = home();
    let t = tools(&h);
    let out = t
        .run(Intent::ExecutorShell, &json!({"command": "pwd; cat ideas.txt; echo oops >&2; test -t 0 || echo no-tty; exit 3", "cwd": "~/notes"}))
        .await
        .unwrap();
    assert_eq!(out["exit_code"], 3);
    assert_eq!(out["stdout"], format!("{}\ngrow tomatoesno-tty\n", h.home.join("notes").display()));
    assert_eq!(out["stderr"], "oops\n");
    let out = t.run(Intent::ExecutorShell, &json!({"command": "pwd"})).await.unwrap();
    assert_eq!(out["stdout"], format!("{}\n", h.home.display()), "the first allowed folder by default");
}

#[tokio::test]
async fn executor_shell_refuses_folders_outside_and_caps_output_and_time() {
    let h = home();
    let err = tools(&h)
        .run(Intent::ExecutorShell, &json!({"command": "touch here", "cwd": path_str(&h.outside)}))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("outside the folders"), "{err}");
    assert!(!h.outside.join("here").exists(), "nothing ran");

    let mut policy = HostPolicy::new(std::slice::from_ref(&h.home), Some(h.home.clone()));
    policy.max_output_bytes = 100;
    policy.shell_timeout = Duration::from_secs(1);
    let t = HostTools::new(policy);
    let out = t.run(Intent::ExecutorShell, &json!({"command": "yes | head -c 100000"})).await.unwrap();
    assert_eq!(out["stdout"].as_str().unwrap().len(), 100);
    assert_eq!(out["truncated"], true);
    let err = t.run(Intent::ExecutorShell, &json!({"command": "sleep 60"})).await.unwrap_err().to_string();
    assert!(err.contains("did not finish within 1 s"), "{err}");
}

/// Whether process `pid` has ended (gone, or a zombie waiting for its reaper).
#[cfg(target_os = "linux")]
fn ended(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state follows the command name, which is in parentheses.
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn executor_shell_time_limit_kills_what_the_command_started_too() {
    let h = home();
    let mut policy = HostPolicy::new(std::slice::from_ref(&h.home), Some(h.home.clone()));
    policy.shell_timeout = Duration::from_secs(3);
    let t = HostTools::new(policy);
    let err = t
        .run(
            Intent::ExecutorShell,
            &json!({"command": "sleep 300 & echo $! > bg.pid; wait", "cwd": "~/notes"}),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("did not finish within 3 s"), "{err}");
    let pid: i32 = std::fs::read_to_string(h.home.join("notes/bg.pid")).unwrap().trim().parse().unwrap();
    // SIGKILL is delivered at once, but the process may take a moment to be torn down.
    for _ in 0..300 {
        if ended(pid) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ended(pid), "the background sleep {pid} was killed with the command");

    // A command that finishes leaves nothing behind either, and its output is not held
    // open by what it started.
    let out = t
        .run(
            Intent::ExecutorShell,
            &json!({"command": "sleep 300 & echo $! > bg2.pid; echo started", "cwd": "~/notes"}),
        )
        .await
        .unwrap();
    assert_eq!(out["stdout"], "started\n");
    let pid: i32 = std::fs::read_to_string(h.home.join("notes/bg2.pid")).unwrap().trim().parse().unwrap();
    for _ in 0..300 {
        if ended(pid) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ended(pid), "the background sleep {pid} ended with the command");

    // A command whose caller gives up (the engine's own task limit) is stopped too.
    let give_up = tokio::time::timeout(
        Duration::from_secs(3),
        t.run(
            Intent::ExecutorShell,
            &json!({"command": "sleep 300 & echo $! > bg3.pid; wait", "cwd": "~/notes"}),
        ),
    )
    .await;
    assert!(give_up.is_err(), "the command was still running");
    let pid: i32 = std::fs::read_to_string(h.home.join("notes/bg3.pid")).unwrap().trim().parse().unwrap();
    for _ in 0..300 {
        if ended(pid) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ended(pid), "the background sleep {pid} ended when the caller gave up");
}

#[tokio::test]
async fn open_app_takes_a_program_name_or_a_path_never_a_shell_string() {
    let h = home();
    let t = tools(&h);
    let err = t.run(Intent::OpenApp, &json!({"target": "firefox; rm -rf ~"})).await.unwrap_err().to_string();
    assert!(err.contains("is not the name of an application"), "{err}");
    let err =
        t.run(Intent::OpenApp, &json!({"target": "no-such-app-clawchat"})).await.unwrap_err().to_string();
    assert!(err.contains("no application called"), "{err}");
    let err = t
        .run(Intent::OpenApp, &json!({"target": path_str(&h.outside.join("secret.txt"))}))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("outside the folders"), "{err}");
}

// --- The embedded server and the approval policy, on the real engine and store.

struct Running {
    _dir: tempfile::TempDir,
    data: PathBuf,
    home: Home,
    embedded: Embedded,
}

async fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let h = home();
    let embedded = start_embedded(&data, &h).await;
    Running { _dir: dir, data, home: h, embedded }
}

/// The settings the tests start with: a PIN, the built-in parser, UTC, and `secret` (a
/// token secret handed in, or none: the secret store's).
fn test_settings(data: &Path, secret: Option<&str>) -> clawchat_server::Settings {
    let mut args = vec![
        "clawchat",
        "--data-dir",
        data.to_str().unwrap(),
        "--pin",
        "482916",
        "--ai-provider",
        "builtin",
        "--tz",
        "UTC",
    ];
    if let Some(secret) = secret {
        args.extend(["--jwt-secret", secret]);
    }
    desktop_settings(clawchat_server::infra::config::Cli::try_parse_from(args).unwrap().settings, 0)
}

async fn start_embedded(data: &Path, h: &Home) -> Embedded {
    let policy = HostPolicy::new(std::slice::from_ref(&h.home), Some(h.home.clone()));
    let settings = test_settings(data, Some("a-test-secret-that-is-long-enough-for-hs256"));
    let secrets = std::sync::Arc::new(clawchat_server::infra::secrets::FileSecrets::new(data));
    let console = std::sync::Arc::new(clawchat_server::auth::ConsoleOtpSink);
    let (embedded, pin) = Embedded::start(settings, policy, None, secrets, console).await.unwrap();
    assert!(pin.is_none(), "the configured PIN is used");
    embedded
}

/// The same store and home, after a stop and a new start.
async fn restart(r: Running) -> Running {
    r.embedded.shutdown().await.unwrap();
    let embedded = start_embedded(&r.data, &r.home).await;
    Running { embedded, ..r }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_listens_on_loopback_and_the_desktop_session_logs_in_without_a_pin() {
    let r = start().await;
    assert!(r.embedded.addr.ip().is_loopback());
    assert_ne!(r.embedded.addr.port(), 0);
    let client = reqwest::Client::new();
    let health: Value = client
        .get(format!("{}/api/health", r.embedded.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");

    let s = session::open(&r.embedded.state, r.embedded.base_url()).await.unwrap();
    assert_eq!(s.base_url, format!("http://127.0.0.1:{}", r.embedded.addr.port()));
    let todos =
        client.get(format!("{}/api/todos", s.base_url)).bearer_auth(&s.access_token).send().await.unwrap();
    assert_eq!(todos.status(), 200, "the desktop token is accepted");
    let unauth = client.get(format!("{}/api/todos", s.base_url)).send().await.unwrap();
    assert_eq!(unauth.status(), 401);

    // The window's origin may call the server (CORS), another origin may not.
    let pre = client
        .request(reqwest::Method::OPTIONS, format!("{}/api/todos", s.base_url))
        .header("Origin", "tauri://localhost")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.headers().get("access-control-allow-origin").unwrap(), "tauri://localhost");

    // A second session reuses the one desktop device.
    session::open(&r.embedded.state, r.embedded.base_url()).await.unwrap();
    let kinds: Vec<(String,)> =
        sqlx::query_as("SELECT kind FROM devices").fetch_all(&r.embedded.state.db.read).await.unwrap();
    assert_eq!(kinds, vec![("desktop".to_owned(),)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_finishes_the_store_and_closes_the_port() {
    let r = start().await;
    let addr = r.embedded.addr;
    r.embedded.shutdown().await.unwrap();
    r.embedded.shutdown().await.unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "nobody listens any more");
    let wal = r.data.join("clawchat.db-wal");
    assert!(std::fs::metadata(&wal).map(|m| m.len() == 0).unwrap_or(true), "the WAL was checkpointed");
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", r.data.join("clawchat.db").display()))
        .await
        .unwrap();
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&db).await.unwrap();
    assert_eq!(check, "ok");
}

fn task(tool: Intent, inputs: Value) -> TaskRecord {
    TaskRecord {
        task: TaskSpec { task_id: "t1".into(), tool, inputs, depends_on: vec![] },
        status: TaskStatus::Pending,
        target: Target::Host,
        output: None,
        error: None,
    }
}

/// Runs one host task through the engine, answering an approval request with `answer`
/// (`None`: no request is expected, and one is denied). Says whether it was asked.
async fn run_one(r: &Running, t: TaskRecord, origin: Origin, answer: Option<Approval>) -> (TaskRecord, bool) {
    let engine = r.embedded.state.brain.engine.clone();
    let approvals = r.embedded.state.brain.approvals.clone();
    let mut rx = r.embedded.state.bus.subscribe();
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let answerer = tokio::spawn({
        let asked = asked.clone();
        async move {
            while let Ok(event) = rx.recv().await {
                if let ServerEvent::ApprovalRequest { task, .. } = event.as_ref() {
                    asked.store(true, std::sync::atomic::Ordering::SeqCst);
                    let a = answer.clone().unwrap_or_else(|| Approval::Denied("unexpected".into()));
                    approvals.answer(&task.task.task_id, a);
                }
            }
        }
    });
    let stored = engine.persist(None, None, vec![t]).await.unwrap();
    let outcome = engine.run(stored, PlanContext { origin, conversation_id: None, requested_by: None }).await;
    answerer.abort();
    (outcome.tasks.into_iter().next().unwrap(), asked.load(std::sync::atomic::Ordering::SeqCst))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_inside_home_runs_at_once_and_is_recorded() {
    let r = start().await;
    let (done, asked) =
        run_one(&r, task(Intent::FileRead, json!({"path": "~/notes/ideas.txt"})), Origin::User, None).await;
    assert!(!asked);
    assert_eq!(done.status, TaskStatus::Done);
    assert_eq!(done.output.unwrap()["content"], "grow tomatoes");
    let (status, output): (String, String) = sqlx::query_as("SELECT status, output FROM agent_tasks")
        .fetch_one(&r.embedded.state.db.read)
        .await
        .unwrap();
    assert_eq!(status, "done");
    assert!(output.contains("grow tomatoes"), "the task history keeps the output");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_proposed_from_untrusted_text_waits_for_a_yes() {
    let r = start().await;
    let t = task(Intent::FileRead, json!({"path": "~/notes/ideas.txt"}));
    let (done, asked) = run_one(&r, t, Origin::Untrusted, Some(Approval::Denied("no".into()))).await;
    assert!(asked, "asked before reading");
    assert_eq!(done.status, TaskStatus::Cancelled);
    assert!(done.output.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn file_create_waits_for_the_yes_then_the_file_exists() {
    let r = start().await;
    let target = r.home.home.join("notes/approved.txt");
    let t = task(Intent::FileCreate, json!({"path": "~/notes/approved.txt", "content": "yes"}));
    let (done, asked) = run_one(&r, t, Origin::User, Some(Approval::Approved)).await;
    assert!(asked);
    assert_eq!(done.status, TaskStatus::Done, "{:?}", done.error);
    assert_eq!(std::fs::read_to_string(target).unwrap(), "yes");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denied_command_never_runs() {
    let r = start().await;
    let t = task(Intent::ExecutorShell, json!({"command": "touch ran.txt"}));
    let (done, asked) = run_one(&r, t, Origin::User, Some(Approval::Denied("not now".into()))).await;
    assert!(asked);
    assert_eq!(done.status, TaskStatus::Cancelled);
    assert!(!r.home.home.join("ran.txt").exists(), "nothing ran");
    let (status, error): (String, String) = sqlx::query_as("SELECT status, error FROM agent_tasks")
        .fetch_one(&r.embedded.state.db.read)
        .await
        .unwrap();
    assert_eq!(status, "cancelled");
    assert!(error.contains("not now"), "{error}");
}

/// Sends `PATCH /api/settings` with `body` as the desktop window does; the answer.
async fn patch_settings(r: &Running, body: Value) -> (u16, Value) {
    let s = session::open(&r.embedded.state, r.embedded.base_url()).await.unwrap();
    let answer = reqwest::Client::new()
        .patch(format!("{}/api/settings", s.base_url))
        .bearer_auth(&s.access_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

async fn get_settings(r: &Running) -> Value {
    let s = session::open(&r.embedded.state, r.embedded.base_url()).await.unwrap();
    reqwest::Client::new()
        .get(format!("{}/api/settings", s.base_url))
        .bearer_auth(&s.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_folders_saved_in_settings_apply_to_host_tools_at_once_and_after_a_restart() {
    let r = start().await;
    let home = path_str(&r.home.home);
    let outside = path_str(&r.home.outside);
    let read = |path: String| task(Intent::FileRead, json!({ "path": path }));
    let secret = path_str(&r.home.outside.join("secret.txt"));
    let note = path_str(&r.home.home.join("notes/ideas.txt"));

    // Until Settings names folders, the desktop's own (its environment's) are in force.
    let s = get_settings(&r).await;
    assert_eq!(s["host_policy"], json!({"allowed_folders": [home], "auto_read": true}));
    let (done, _) = run_one(&r, read(secret.clone()), Origin::User, None).await;
    assert_eq!(done.status, TaskStatus::Failed);
    assert!(done.error.unwrap().contains("outside the folders"));

    // Another folder, and reads that ask: both apply to the very next task.
    let (status, s) =
        patch_settings(&r, json!({"host_policy": {"allowed_folders": [outside], "auto_read": false}})).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["host_policy"], json!({"allowed_folders": [outside], "auto_read": false}));
    let (done, asked) = run_one(&r, read(secret.clone()), Origin::User, Some(Approval::Approved)).await;
    assert!(asked, "with auto_read off a read asks first");
    assert_eq!(done.status, TaskStatus::Done, "{:?}", done.error);
    assert_eq!(done.output.unwrap()["content"], "not yours");
    let (done, asked) = run_one(&r, read(note.clone()), Origin::User, Some(Approval::Approved)).await;
    assert!(asked);
    assert_eq!(done.status, TaskStatus::Failed, "the home folder is no longer allowed");
    assert!(done.error.unwrap().contains("outside the folders"));
    let (done, _) = run_one(
        &r,
        task(Intent::ExecutorShell, json!({"command": "touch ran.txt", "cwd": home})),
        Origin::User,
        Some(Approval::Approved),
    )
    .await;
    assert_eq!(done.status, TaskStatus::Failed);
    assert!(!r.home.home.join("ran.txt").exists(), "no command runs in a folder taken away");

    // A folder that is not there is refused, and nothing changes.
    let missing = path_str(&r.home.outside.join("nowhere"));
    let (status, err) =
        patch_settings(&r, json!({"host_policy": {"allowed_folders": [missing], "auto_read": true}})).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["errors"][0]["field"], "host_policy.allowed_folders", "{err}");
    assert_eq!(get_settings(&r).await["host_policy"]["allowed_folders"], json!([outside]));

    // Reads without asking again, kept across a restart.
    let (status, _) =
        patch_settings(&r, json!({"host_policy": {"allowed_folders": [outside], "auto_read": true}})).await;
    assert_eq!(status, 200);
    let r = restart(r).await;
    assert_eq!(
        get_settings(&r).await["host_policy"],
        json!({"allowed_folders": [outside], "auto_read": true})
    );
    let (done, asked) = run_one(&r, read(secret), Origin::User, None).await;
    assert!(!asked);
    assert_eq!(done.status, TaskStatus::Done, "{:?}", done.error);
    let (done, _) = run_one(&r, read(note), Origin::User, None).await;
    assert_eq!(done.status, TaskStatus::Failed, "the saved folders are in force after the restart");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_handed_in_through_the_environment_is_reported_as_env() {
    let dir = tempfile::tempdir().unwrap();
    let h = home();
    let settings =
        test_settings(&dir.path().join("data"), Some("a-test-secret-that-is-long-enough-for-hs256"));
    let policy = HostPolicy::new(std::slice::from_ref(&h.home), Some(h.home.clone()));
    let launched = server::launch_with(settings, policy, None).await.unwrap();
    let r = Running { _dir: dir, data: PathBuf::new(), home: h, embedded: launched.embedded };
    assert_eq!(get_settings(&r).await["secret_backend"], "env");
}

/// Starts the app as [`server::launch`] does, with no secret handed in, and answers where
/// `GET /api/settings` says the secrets are.
async fn reported_secret_backend(data: &Path) -> Value {
    let h = home();
    let policy = HostPolicy::new(std::slice::from_ref(&h.home), Some(h.home.clone()));
    let launched = server::launch_with(test_settings(data, None), policy, None).await.unwrap();
    let r = Running {
        _dir: tempfile::tempdir().unwrap(),
        data: PathBuf::new(),
        home: h,
        embedded: launched.embedded,
    };
    let backend = get_settings(&r).await["secret_backend"].clone();
    r.embedded.shutdown().await.unwrap();
    backend
}

#[tokio::test(flavor = "multi_thread")]
async fn bus_notifications_become_native_ones_except_the_schedulers_own() {
    let r = start().await;
    let (tx, mut shown) = tokio::sync::mpsc::unbounded_channel();
    notify::forward(&r.embedded.state.bus, move |n| {
        let _ = tx.send(n);
    });
    let publish = |title: &str, kind: &str| {
        r.embedded.state.bus.publish(ServerEvent::Notification {
            title: title.into(),
            body: "body".into(),
            kind: kind.into(),
            ref_id: None,
            conversation_id: None,
        });
    };
    r.embedded.state.bus.data_changed(clawchat_server::bus::Module::Todos);
    // The scheduler's kinds come through the native notifier, not the bus.
    publish("Reminder", "reminder");
    publish("Overdue", "overdue");
    publish("Briefing", "briefing");
    publish("Your research is done", "task_done");
    let n = tokio::time::timeout(Duration::from_secs(30), shown.recv()).await.unwrap().unwrap();
    assert_eq!(n.title, "Your research is done", "only the finished task is shown from the bus");
}

#[tokio::test]
async fn the_native_notifier_shows_every_notification_the_scheduler_delivers() {
    use clawchat_server::schedule::{Notification, Notifier as _};
    let shown = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = shown.clone();
    let native = notify::NativeNotifier::new(move |n| sink.lock().unwrap().push((n.title, n.body)));
    let fired = |kind: &str, title: &str| Notification {
        id: title.to_owned(),
        kind: kind.to_owned(),
        title: title.to_owned(),
        body: format!("{title} body"),
        ref_id: None,
        conversation_id: None,
        occurrence_at: None,
        fire_at: "2026-11-21T09:00:00+00:00".into(),
        late: false,
        created_at: "2026-11-21T09:00:00+00:00".into(),
        read: false,
    };
    native.deliver(&[fired("reminder", "Call Ana"), fired("briefing", "Your day")]).await.unwrap();
    assert_eq!(
        *shown.lock().unwrap(),
        vec![
            ("Call Ana".to_owned(), "Call Ana body".to_owned()),
            ("Your day".to_owned(), "Your day body".to_owned())
        ]
    );
}

// --- Secrets. These two depend on the machine's session bus, so `make test-desktop`
// runs each in the environment it names.

/// Run with no session bus (`DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent`).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a machine with no keychain; make test-desktop runs it"]
async fn without_a_keychain_secrets_go_to_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = secrets::SecretStore::open(dir.path()).await;
    assert_eq!(store.backend(), secrets::Backend::File);
    let value = store.get_or_create("jwt_secret", secrets::new_token_secret).await.unwrap();
    assert_eq!(value.len(), 64);
    let file = dir.path().join("jwt_secret");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(store.get_or_create("jwt_secret", || "other".into()).await.unwrap(), value, "kept");
    // The app started this way says so in Settings.
    assert_eq!(reported_secret_backend(&dir.path().join("app")).await, "file");
}

/// Run under `dbus-run-session` with `gnome-keyring-daemon --unlock --components=secrets`
/// (given a password on stdin, so it creates and unlocks the login keyring).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a running Secret Service; make test-desktop starts one"]
async fn with_the_secret_service_secrets_go_to_the_keychain() {
    let dir = tempfile::tempdir().unwrap();
    // An earlier start without a keychain left the secret in a file: it moves.
    std::fs::write(dir.path().join("jwt_secret"), "moved-secret-moved-secret-moved-secret-1234").unwrap();
    let store = secrets::SecretStore::open(dir.path()).await;
    assert_eq!(store.backend(), secrets::Backend::Keychain);
    let value = store.get_or_create("jwt_secret", secrets::new_token_secret).await.unwrap();
    assert_eq!(value, "moved-secret-moved-secret-moved-secret-1234");
    assert!(!dir.path().join("jwt_secret").exists(), "no copy is left in a file");
    // Another Secret Service client sees it.
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", secrets::SERVICE, "username", "jwt_secret"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), value);
    store.set("ai_api_key", "sk-test").await.unwrap();
    assert_eq!(store.get("ai_api_key").await.unwrap().as_deref(), Some("sk-test"));
    assert!(!dir.path().join("ai_api_key").exists());
    store.delete("ai_api_key").await.unwrap();
    assert_eq!(store.get("ai_api_key").await.unwrap(), None, "a forgotten key is gone from the keychain");
    store.delete("ai_api_key").await.unwrap();
    // The app started this way says so in Settings.
    assert_eq!(reported_secret_backend(&dir.path().join("app")).await, "keychain");
}
