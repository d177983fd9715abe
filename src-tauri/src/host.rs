//! The host tools, run natively: `file_read`, `file_create`, `open_app` and
//! `executor_shell`, registered as the task engine's [`HostExecutor`].
//!
//! The engine asks the user before anything that writes or executes (and before a read
//! requested by a phone or by text the assistant read); this module enforces the path
//! rules and the limits whatever the engine decided.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use clawchat_server::brain::HostExecutor;
use clawchat_server::brain::types::TaskRecord;
use futures::future::BoxFuture;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt as _};
use tokio::sync::watch;

use crate::paths::HostPolicy;

/// The tools this executor runs.
pub const TOOLS: [&str; 4] = ["file_read", "file_create", "open_app", "executor_shell"];

/// The desktop's host executor.
#[derive(Debug, Clone)]
pub struct HostTools {
    policy: Arc<HostPolicy>,
    /// The Settings screen's host policy, when it is followed: its folders replace the
    /// policy's from the next tool run on.
    settings: Option<watch::Receiver<clawchat_server::settings::HostPolicy>>,
}

impl HostTools {
    /// Host tools confined to `policy`'s folders.
    pub fn new(policy: HostPolicy) -> Self {
        Self { policy: Arc::new(policy), settings: None }
    }

    /// Host tools confined to the folders of the host policy in force (as `settings`
    /// says it now), or `policy`'s while that names none; the limits are `policy`'s.
    pub fn following(
        policy: HostPolicy,
        settings: watch::Receiver<clawchat_server::settings::HostPolicy>,
    ) -> Self {
        Self { policy: Arc::new(policy), settings: Some(settings) }
    }

    /// The rules for one run.
    pub fn policy(&self) -> Arc<HostPolicy> {
        match &self.settings {
            None => self.policy.clone(),
            Some(settings) => {
                let folders = settings.borrow().allowed_folders.clone();
                Arc::new(self.policy.with_allowed(&folders))
            }
        }
    }

    /// Runs `tool` with `inputs`; `Ok` is the tool's output object, `Err` says why not.
    pub async fn run(&self, tool: &str, inputs: &Value) -> Result<Value, String> {
        let text = |k: &str| inputs.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let policy = self.policy();
        match tool {
            "file_read" => {
                let path = text("path");
                blocking(move || file_read(&policy, &path)).await
            }
            "file_create" => {
                let (path, content) = (text("path"), text("content"));
                blocking(move || file_create(&policy, &path, &content)).await
            }
            "open_app" => {
                let target = text("target");
                blocking(move || open_app(&policy, &target)).await
            }
            "executor_shell" => executor_shell(&policy, &text("command"), &text("cwd")).await,
            other => Err(format!("the desktop does not run {other}")),
        }
    }
}

impl HostExecutor for HostTools {
    fn can_run(&self, tool: &str) -> bool {
        TOOLS.contains(&tool)
    }

    fn execute(&self, task: TaskRecord) -> BoxFuture<'static, Result<Value, String>> {
        let this = self.clone();
        Box::pin(async move { this.run(&task.task.tool, &task.task.inputs).await })
    }
}

async fn blocking<F>(f: F) -> Result<Value, String>
where
    F: FnOnce() -> Result<Value, String> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(format!("the tool stopped unexpectedly: {e}")))
}

fn file_read(policy: &HostPolicy, raw: &str) -> Result<Value, String> {
    let path = policy.readable(raw).map_err(|e| e.to_string())?;
    let file = std::fs::File::open(&path).map_err(|e| format!("cannot open {raw}: {e}"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, policy.max_read_bytes), &mut bytes)
        .map_err(|e| format!("cannot read {raw}: {e}"))?;
    let truncated = size > policy.max_read_bytes;
    Ok(json!({
        "path": path.display().to_string(),
        "content": String::from_utf8_lossy(&bytes),
        "size": size,
        "truncated": truncated,
    }))
}

fn file_create(policy: &HostPolicy, raw: &str, content: &str) -> Result<Value, String> {
    if content.len() > policy.max_write_bytes {
        return Err(format!(
            "the content is {} bytes; ClawChat writes at most {} bytes",
            content.len(),
            policy.max_write_bytes
        ));
    }
    let path = policy.creatable(raw).map_err(|e| e.to_string())?;
    // `create_new` fails rather than follow a link or replace a file made since the check.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("cannot create {raw}: {e}"))?;
    std::io::Write::write_all(&mut file, content.as_bytes())
        .map_err(|e| format!("cannot write {raw}: {e}"))?;
    file.sync_all().map_err(|e| format!("cannot write {raw}: {e}"))?;
    Ok(json!({ "path": path.display().to_string(), "bytes": content.len() }))
}

/// A file (inside the allowed folders) through the desktop's opener, or an application
/// by its program name, started directly: never through a shell.
fn open_app(policy: &HostPolicy, target: &str) -> Result<Value, String> {
    let target = target.trim();
    if target.is_empty() {
        return Err("nothing to open was named".into());
    }
    let looks_like_path = target.contains('/') || target.contains('\\') || target.starts_with('~');
    if looks_like_path {
        let path = policy.readable(target).or_else(|_| folder(policy, target)).map_err(|e| e.to_string())?;
        open::that_detached(&path).map_err(|e| format!("cannot open {target}: {e}"))?;
        return Ok(json!({ "opened": path.display().to_string(), "kind": "file" }));
    }
    let plain = target.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !plain {
        return Err(format!("{target:?} is not the name of an application"));
    }
    let program = which::which(target).map_err(|_| format!("no application called {target} is installed"))?;
    std::process::Command::new(&program)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {target}: {e}"))?;
    Ok(json!({ "opened": program.display().to_string(), "kind": "application" }))
}

/// A folder inside the allowed ones (for `open_app` on a folder).
fn folder(policy: &HostPolicy, raw: &str) -> Result<PathBuf, crate::paths::Refused> {
    policy.folder(raw)
}

/// Runs a command line with no terminal (stdin empty), in `cwd` (an allowed folder; the
/// first one by default), for at most the policy's timeout, keeping at most the policy's
/// output size of stdout and of stderr.
///
/// The command runs in a process group of its own, and the whole group is killed when
/// the command ends, runs out of time or is cancelled: nothing it started in the
/// background outlives it (applications are started with `open_app`).
async fn executor_shell(policy: &HostPolicy, command: &str, cwd: &str) -> Result<Value, String> {
    let command = command.trim();
    if command.is_empty() {
        return Err("no command was given".into());
    }
    let dir = if cwd.trim().is_empty() {
        policy.allowed_folders().first().cloned().ok_or("no folder is allowed to run commands in")?
    } else {
        policy.folder(cwd).map_err(|e| e.to_string())?
    };
    let mut child = shell_command(command, &dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run the command: {e}"))?;
    // Dropped on every way out of this function, the cancelled future's included.
    let mut group = ProcessGroup(child.id());
    let cap = policy.max_output_bytes;
    let stdout = child.stdout.take().map(|s| tokio::spawn(read_capped(s, cap)));
    let stderr = child.stderr.take().map(|s| tokio::spawn(read_capped(s, cap)));
    let status = match tokio::time::timeout(policy.shell_timeout, child.wait()).await {
        Ok(status) => status.map_err(|e| format!("the command failed to run: {e}"))?,
        Err(_) => {
            group.kill();
            let _ = child.kill().await;
            return Err(format!(
                "the command did not finish within {} s and was stopped",
                policy.shell_timeout.as_secs()
            ));
        }
    };
    // What the command left running in the background would hold its output open.
    group.kill();
    let collect = |h: Option<tokio::task::JoinHandle<(Vec<u8>, bool)>>| async move {
        match h {
            Some(h) => h.await.unwrap_or_default(),
            None => (Vec::new(), false),
        }
    };
    let (out, out_cut) = collect(stdout).await;
    let (err, err_cut) = collect(stderr).await;
    Ok(json!({
        "command": command,
        "cwd": dir.display().to_string(),
        "exit_code": status.code(),
        "stdout": String::from_utf8_lossy(&out),
        "stderr": String::from_utf8_lossy(&err),
        "truncated": out_cut || err_cut,
    }))
}

/// The process group a command runs in (its id is the shell's pid); killed when dropped.
struct ProcessGroup(Option<u32>);

impl ProcessGroup {
    /// Sends SIGKILL to every process in the group, once; a group already gone is fine.
    #[cfg(unix)]
    fn kill(&mut self) {
        use nix::sys::signal::{Signal, killpg};
        use nix::unistd::Pid;
        if let Some(id) = self.0.take().and_then(|id| i32::try_from(id).ok()).filter(|id| *id > 1) {
            let _ = killpg(Pid::from_raw(id), Signal::SIGKILL);
        }
    }

    /// Without process groups only the shell itself is stopped (by `kill_on_drop`).
    #[cfg(not(unix))]
    fn kill(&mut self) {
        self.0 = None;
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(unix)]
fn shell_command(command: &str, dir: &Path) -> tokio::process::Command {
    let mut c = tokio::process::Command::new("/bin/sh");
    // Its own process group, so the command and everything it starts can be killed together.
    c.arg("-c").arg(command).current_dir(dir).process_group(0);
    c
}

#[cfg(windows)]
fn shell_command(command: &str, dir: &Path) -> tokio::process::Command {
    let mut c = tokio::process::Command::new("cmd");
    c.arg("/C").arg(command).current_dir(dir);
    c
}

/// Reads a stream to its end, keeping the first `cap` bytes; says whether it cut.
async fn read_capped(mut stream: impl AsyncRead + Unpin, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    let mut cut = false;
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                cut |= n > room;
            }
        }
    }
    (kept, cut)
}
