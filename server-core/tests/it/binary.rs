//! The real `clawchat-server` binary in a process of its own, for what only a process
//! shows: where it listens, what it logs, how much memory it holds.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The real binary, started with `args` on a fresh data directory, its log captured.
pub struct Binary {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Binary {
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new(crate::common::server_binary());
        command
            .args(["--data-dir", dir.path().to_str().unwrap(), "--port", "0", "--enable-scheduler", "false"])
            .args(args)
            .env_remove("HOST")
            .env_remove("RUST_LOG")
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the server binary starts");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut readers = Vec::new();
        for (pipe, sink) in [
            (Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>, stdout.clone()),
            (Box::new(child.stderr.take().unwrap()), stderr.clone()),
        ] {
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let mut s = sink.lock().unwrap();
                    s.push_str(&line);
                    s.push('\n');
                }
            }));
        }
        Self { child, stdout, stderr, readers, _dir: dir }
    }

    /// What the server has written to its standard output so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// The process's id, to read it from `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The address from "ClawChat is running at http://…/".
    pub async fn address(&self) -> SocketAddr {
        for _ in 0..600 {
            if let Some(rest) = self.stdout().split("running at http://").nth(1) {
                return rest.split('/').next().unwrap().parse().unwrap();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server never said where it listens: {}", self.stderr.lock().unwrap());
    }

    /// Stops the server and returns all it wrote: the reader threads end when the pipes
    /// close, so nothing written before the end is missed.
    pub fn stop(mut self) -> (String, String) {
        // Killing an already ended child fails harmlessly; `wait` reaps it either way.
        let _ = self.child.kill();
        self.child.wait().expect("the server process is reaped");
        for reader in self.readers.drain(..) {
            reader.join().expect("a log reader ends cleanly");
        }
        let out = self.stdout.lock().unwrap().clone();
        let err = self.stderr.lock().unwrap().clone();
        (out, err)
    }
}
