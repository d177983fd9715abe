//! The host tools, run natively: `file_read`, `file_create`, `open_app` and
//! `executor_shell`, registered as the task engine's [`HostExecutor`].
//!
//! The engine asks the user before anything that writes or executes (and before a read
//! requested by a phone or by text the assistant read); this module enforces the path
//! rules and the limits whatever the engine decided.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use clawchat_server::brain::types::{Intent, TaskRecord};
use clawchat_server::brain::{HostError, HostExecutor, tools};
use futures::future::BoxFuture;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt as _};
use tokio::sync::watch;

use crate::paths::HostPolicy;

/// The policy's refusals are the host's rules speaking: shown as they read.
impl From<crate::paths::Refused> for HostError {
    fn from(e: crate::paths::Refused) -> Self {
        HostError::Refused(e.to_string())
    }
}

/// The desktop's host executor.
#[derive(Debug, Clone)]
pub struct HostTools {
    policy: Arc<HostPolicy>,
    /// The Settings screen's host policy, when it is followed: its folders replace the
    /// policy's from the next tool run on.
    settings: Option<watch::Receiver<clawchat_server::brain::hosts::HostPolicy>>,
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
        settings: watch::Receiver<clawchat_server::brain::hosts::HostPolicy>,
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
    pub async fn run(&self, tool: Intent, inputs: &Value) -> Result<Value, HostError> {
        let text = |k: &str| inputs.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let policy = self.policy();
        match tool {
            Intent::FileRead => {
                let path = text("path");
                blocking(move || file_read(&policy, &path)).await
            }
            Intent::FileCreate => {
                let (path, content) = (text("path"), text("content"));
                blocking(move || file_create(&policy, &path, &content)).await
            }
            Intent::OpenApp => {
                let target = text("target");
                blocking(move || open_app(&policy, &target)).await
            }
            Intent::ExecutorShell => executor_shell(&policy, &text("command"), &text("cwd")).await,
            other => Err(HostError::Unsupported(other)),
        }
    }
}

impl HostExecutor for HostTools {
    /// Every host tool of the registry: this executor runs them all.
    fn can_run(&self, tool: Intent) -> bool {
        tools::for_intent(tool).is_some_and(|t| t.target == clawchat_server::brain::types::Target::Host)
    }

    fn execute(&self, task: TaskRecord) -> BoxFuture<'static, Result<Value, HostError>> {
        let this = self.clone();
        Box::pin(async move { this.run(task.task.tool, &task.task.inputs).await })
    }
}

async fn blocking<F>(f: F) -> Result<Value, HostError>
where
    F: FnOnce() -> Result<Value, HostError> + Send + 'static,
{
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| Err(HostError::Crashed(e.to_string())))
}

fn file_read(policy: &HostPolicy, raw: &str) -> Result<Value, HostError> {
    let path = policy.readable(raw)?;
    let file =
        std::fs::File::open(&path).map_err(|e| HostError::Failed(format!("cannot open {raw}: {e}")))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, policy.max_read_bytes), &mut bytes)
        .map_err(|e| HostError::Failed(format!("cannot read {raw}: {e}")))?;
    let truncated = size > policy.max_read_bytes;
    Ok(json!({
        "path": path.display().to_string(),
        "content": String::from_utf8_lossy(&bytes),
        "size": size,
        "truncated": truncated,
    }))
}

fn file_create(policy: &HostPolicy, raw: &str, content: &str) -> Result<Value, HostError> {
    if content.len() > policy.max_write_bytes {
        return Err(HostError::Refused(format!(
            "the content is {} bytes; ClawChat writes at most {} bytes",
            content.len(),
            policy.max_write_bytes
        )));
    }
    let path = policy.creatable(raw)?;
    // `create_new` fails rather than follow a link or replace a file made since the check.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| HostError::Failed(format!("cannot create {raw}: {e}")))?;
    std::io::Write::write_all(&mut file, content.as_bytes())
        .map_err(|e| HostError::Failed(format!("cannot write {raw}: {e}")))?;
    file.sync_all().map_err(|e| HostError::Failed(format!("cannot write {raw}: {e}")))?;
    Ok(json!({ "path": path.display().to_string(), "bytes": content.len() }))
}

/// A file (inside the allowed folders) through the desktop's opener, or an application
/// by its program name, started directly: never through a shell.
fn open_app(policy: &HostPolicy, target: &str) -> Result<Value, HostError> {
    let target = target.trim();
    if target.is_empty() {
        return Err(HostError::Failed("nothing to open was named".into()));
    }
    let looks_like_path = target.contains('/') || target.contains('\\') || target.starts_with('~');
    if looks_like_path {
        let path = policy.readable(target).or_else(|_| folder(policy, target))?;
        open::that_detached(&path).map_err(|e| HostError::Failed(format!("cannot open {target}: {e}")))?;
        return Ok(json!({ "opened": path.display().to_string(), "kind": "file" }));
    }
    let plain = target.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !plain {
        return Err(HostError::Refused(format!("{target:?} is not the name of an application")));
    }
    let program = which::which(target)
        .map_err(|_| HostError::Failed(format!("no application called {target} is installed")))?;
    std::process::Command::new(&program)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| HostError::Failed(format!("cannot start {target}: {e}")))?;
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
async fn executor_shell(policy: &HostPolicy, command: &str, cwd: &str) -> Result<Value, HostError> {
    let command = command.trim();
    if command.is_empty() {
        return Err(HostError::Failed("no command was given".into()));
    }
    let dir = if cwd.trim().is_empty() {
        policy
            .allowed_folders()
            .first()
            .cloned()
            .ok_or_else(|| HostError::Refused("no folder is allowed to run commands in".into()))?
    } else {
        policy.folder(cwd)?
    };
    let mut child = shell_command(command, &dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| HostError::Failed(format!("cannot run the command: {e}")))?;
    // Dropped on every way out of this function, the cancelled future's included.
    let mut group = ProcessGroup(child.id());
    let cap = policy.max_output_bytes;
    let stdout = child.stdout.take().map(|s| tokio::spawn(read_capped(s, cap)));
    let stderr = child.stderr.take().map(|s| tokio::spawn(read_capped(s, cap)));
    let status = match tokio::time::timeout(policy.shell_timeout, child.wait()).await {
        Ok(status) => status.map_err(|e| HostError::Failed(format!("the command failed to run: {e}")))?,
        Err(_) => {
            group.kill();
            let _ = child.kill().await;
            return Err(HostError::Failed(format!(
                "the command did not finish within {} s and was stopped",
                policy.shell_timeout.as_secs()
            )));
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
