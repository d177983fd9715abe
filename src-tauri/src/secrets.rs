//! Secrets (the token secret, the model's API key) in the OS keychain: Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows. Where no keychain answers (a
//! headless Linux box) they go to 0600 files in the data folder, and the log says so.
//!
//! Every keychain call runs on a blocking thread: the Secret Service client blocks on its
//! own executor and panics when called from a runtime thread.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clawchat_server::infra::secrets::{FileSecrets, SecretStore as _};
use futures::future::BoxFuture;

/// The keychain's service name for ClawChat's entries.
pub const SERVICE: &str = "clawchat";

/// Where secrets are kept, as `GET /api/settings` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Keychain,
    File,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Keychain => "keychain",
            Backend::File => "file",
        }
    }
}

impl From<Backend> for clawchat_server::features::settings::SecretBackend {
    fn from(b: Backend) -> Self {
        match b {
            Backend::Keychain => Self::Keychain,
            Backend::File => Self::File,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SecretStore {
    backend: Backend,
    /// The files the headless server keeps too: used without a keychain, and read once to
    /// move a secret an earlier file-based start left into the keychain.
    files: FileSecrets,
}

impl SecretStore {
    /// Asks the keychain once; a keychain that does not answer means files in `dir`.
    /// `CLAWCHAT_SECRET_BACKEND=file` skips the keychain.
    pub async fn open(dir: &Path) -> Self {
        let forced_file =
            std::env::var("CLAWCHAT_SECRET_BACKEND").is_ok_and(|v| v.eq_ignore_ascii_case("file"));
        let backend = if forced_file {
            tracing::info!("secrets are kept in files in the data folder (CLAWCHAT_SECRET_BACKEND=file)");
            Backend::File
        } else {
            match keychain_get("jwt_secret").await {
                Ok(_) => Backend::Keychain,
                Err(e) => {
                    tracing::warn!(
                        error = %e,
                        dir = %dir.display(),
                        "no OS keychain answered; secrets are kept in files only you can read in the data folder"
                    );
                    Backend::File
                }
            }
        };
        Self { backend, files: FileSecrets::new(dir) }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn get(&self, name: &str) -> anyhow::Result<Option<String>> {
        match self.backend {
            Backend::Keychain => keychain_get(name).await,
            Backend::File => self.files.get(name).await,
        }
    }

    pub async fn set(&self, name: &str, value: &str) -> anyhow::Result<()> {
        match self.backend {
            Backend::Keychain => keychain_set(name, value).await,
            Backend::File => self.files.set(name, value).await,
        }
    }

    /// The stored secret `name`, made by `make` and stored on first use. With the
    /// keychain, a file left by an earlier file-based start is moved into it.
    pub async fn get_or_create(&self, name: &str, make: impl FnOnce() -> String) -> anyhow::Result<String> {
        if let Some(existing) = self.get(name).await? {
            return Ok(existing);
        }
        if self.backend == Backend::Keychain
            && let Some(old) = self.files.get(name).await?
        {
            keychain_set(name, &old).await?;
            std::fs::remove_file(self.file(name)).ok();
            tracing::info!(name, "moved a secret from its file into the keychain");
            return Ok(old);
        }
        let value = make();
        self.set(name, &value).await?;
        Ok(value)
    }

    /// Forgets the secret `name` (no error when none is kept).
    pub async fn delete(&self, name: &str) -> anyhow::Result<()> {
        match self.backend {
            Backend::Keychain => keychain_delete(name).await,
            Backend::File => self.files.delete(name).await,
        }
    }

    /// The file a secret is kept in without a keychain (`jwt_secret` is the file the
    /// headless server uses too).
    pub fn file(&self, name: &str) -> PathBuf {
        self.files.file(name)
    }
}

async fn keychain_get(name: &str) -> anyhow::Result<Option<String>> {
    let name = name.to_owned();
    tokio::task::spawn_blocking(move || {
        let entry = keyring::Entry::new(SERVICE, &name)?;
        match entry.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
    .context("the keychain call stopped")?
    .context("the keychain did not answer")
}

async fn keychain_set(name: &str, value: &str) -> anyhow::Result<()> {
    let (name, value) = (name.to_owned(), value.to_owned());
    tokio::task::spawn_blocking(move || keyring::Entry::new(SERVICE, &name)?.set_password(&value))
        .await
        .context("the keychain call stopped")?
        .context("the keychain did not store the secret")
}

async fn keychain_delete(name: &str) -> anyhow::Result<()> {
    let name = name.to_owned();
    tokio::task::spawn_blocking(move || match keyring::Entry::new(SERVICE, &name)?.delete_credential() {
        Err(keyring::Error::NoEntry) => Ok(()),
        other => other,
    })
    .await
    .context("the keychain call stopped")?
    .context("the keychain did not forget the secret")
}

/// The server keeps the model's API key through this store: in the keychain when one
/// answers, else in the same private files.
impl clawchat_server::infra::secrets::SecretStore for SecretStore {
    fn get<'a>(&'a self, name: &'a str) -> BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(SecretStore::get(self, name))
    }

    fn set<'a>(&'a self, name: &'a str, value: &'a str) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(SecretStore::set(self, name, value))
    }

    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(SecretStore::delete(self, name))
    }
}

/// A new random token secret (64 URL-safe characters).
pub fn new_token_secret() -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut raw = [0u8; 48];
    rand::rng().fill_bytes(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}
