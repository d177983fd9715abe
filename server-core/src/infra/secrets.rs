//! Where secrets are kept: the token secret and the model's API key never go into the
//! database. The program that embeds the server says where they live with a
//! [`SecretStore`]: the desktop app hands in the OS keychain; the headless server keeps
//! them in files only the user can read, in the data folder ([`FileSecrets`]), beside
//! `jwt_secret`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use futures::future::BoxFuture;

/// The model service's API key, under this name in every store.
pub const AI_API_KEY: &str = "ai_api_key";

/// The model's API key from the configuration (`AI_API_KEY`) and the one saved through
/// the API, which wins.
#[derive(Debug, Clone, Default)]
pub struct ApiKeys {
    pub configured: Option<String>,
    pub saved: Option<String>,
}

impl ApiKeys {
    /// The key the next start uses.
    pub fn in_force(&self) -> Option<String> {
        self.saved.clone().or_else(|| self.configured.clone())
    }
}

/// Moves an API key that an older version kept in the database (`pref.ai_api_key`) into
/// `secrets` and erases it from the file: the row is deleted with `secure_delete` on, so
/// its bytes are overwritten, and the write-ahead log is folded back and emptied. An
/// empty stored key meant "none": the secret is forgotten.
pub async fn move_api_key_out(db: &crate::infra::db::Db, secrets: &dyn SecretStore) -> anyhow::Result<()> {
    const KEY: &str = "pref.ai_api_key";
    if db.read_only {
        return Ok(());
    }
    let Some(old) = crate::infra::db::setting(&db.write, KEY).await? else { return Ok(()) };
    if old.is_empty() {
        secrets.delete(AI_API_KEY).await?;
    } else {
        secrets.set(AI_API_KEY, &old).await?;
    }
    crate::infra::db::erase_setting(&db.write, KEY).await?;
    tracing::info!("moved the model API key out of the database, to where the token secret is kept");
    Ok(())
}

/// A place that keeps named secrets.
pub trait SecretStore: Send + Sync + 'static {
    /// The secret `name`, if one is kept.
    fn get<'a>(&'a self, name: &'a str) -> BoxFuture<'a, anyhow::Result<Option<String>>>;
    /// Keeps `value` as the secret `name`, replacing any other.
    fn set<'a>(&'a self, name: &'a str, value: &'a str) -> BoxFuture<'a, anyhow::Result<()>>;
    /// Forgets the secret `name`; forgetting one that is not kept is no error.
    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// Secrets as `0600` files in a folder, one file per name.
#[derive(Debug, Clone)]
pub struct FileSecrets {
    dir: PathBuf,
}

impl FileSecrets {
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.to_path_buf() }
    }

    /// The file the secret `name` is kept in.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl SecretStore for FileSecrets {
    fn get<'a>(&'a self, name: &'a str) -> BoxFuture<'a, anyhow::Result<Option<String>>> {
        let path = self.file(name);
        Box::pin(async move {
            match std::fs::read_to_string(&path) {
                Ok(s) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
            }
        })
    }

    fn set<'a>(&'a self, name: &'a str, value: &'a str) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move { write_private(&self.file(name), value.as_bytes()) })
    }

    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, anyhow::Result<()>> {
        let path = self.file(name);
        Box::pin(async move {
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(e).with_context(|| format!("cannot remove {}", path.display()))
                }
                _ => Ok(()),
            }
        })
    }
}

/// Writes a file only its owner can read (a secret, a private key), and waits until it is
/// on disk: a crash right after must not leave a key the next start cannot read.
/// Its folder is made first when missing. The desktop shell's file backend writes through
/// this too, so a secret file is made one way only.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
