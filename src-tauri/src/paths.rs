//! Where host tools may read and write: inside the allowed folders, never out of them by
//! `..` or a link, never into a dot-folder (`~/.ssh`, `~/.config`) unless a dot-folder is
//! itself an allowed folder.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// The rules host tools run under.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    /// Canonical folders host tools may read and create files in.
    allowed: Vec<PathBuf>,
    /// The user's home, for `~`.
    home: Option<PathBuf>,
    /// Largest file `file_read` returns, in bytes.
    pub max_read_bytes: u64,
    /// Largest content `file_create` writes, in bytes.
    pub max_write_bytes: usize,
    /// How long `executor_shell` lets a command run.
    pub shell_timeout: Duration,
    /// How much of a command's stdout and of its stderr is kept, each, in bytes.
    pub max_output_bytes: usize,
}

/// Why a path was refused; the message names the path as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl HostPolicy {
    /// Host tools confined to `allowed` (folders that do not exist are left out).
    pub fn new(allowed: &[PathBuf], home: Option<PathBuf>) -> Self {
        let allowed = allowed.iter().filter_map(|p| p.canonicalize().ok()).collect();
        Self {
            allowed,
            home: home.and_then(|h| h.canonicalize().ok()),
            max_read_bytes: 1024 * 1024,
            max_write_bytes: 1024 * 1024,
            shell_timeout: Duration::from_secs(30),
            max_output_bytes: 64 * 1024,
        }
    }

    /// The default: the user's home, minus its dot-folders.
    pub fn home_default() -> Self {
        let home = std::env::home_dir();
        Self::new(home.as_slice(), home.clone())
    }

    /// From a list like the `host_policy.allowed_folders` setting; empty means the default.
    pub fn with_folders(folders: &[String]) -> Self {
        let home = std::env::home_dir();
        let list: Vec<PathBuf> = folders
            .iter()
            .filter(|f| !f.trim().is_empty())
            .map(|f| expand_home(f.trim(), home.as_deref()))
            .collect();
        if list.is_empty() { Self::home_default() } else { Self::new(&list, home) }
    }

    /// The same rules and limits confined to `folders` (`~` is this policy's home);
    /// an empty list keeps this policy's folders.
    pub fn with_allowed(&self, folders: &[String]) -> Self {
        let list: Vec<PathBuf> = folders
            .iter()
            .filter(|f| !f.trim().is_empty())
            .map(|f| expand_home(f.trim(), self.home.as_deref()))
            .filter_map(|p| p.canonicalize().ok())
            .collect();
        if folders.iter().all(|f| f.trim().is_empty()) {
            return self.clone();
        }
        Self { allowed: list, ..self.clone() }
    }

    pub fn allowed_folders(&self) -> &[PathBuf] {
        &self.allowed
    }

    /// `~` expanded; relative paths are taken from the home folder.
    fn absolute(&self, raw: &str) -> Result<PathBuf, Refused> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Refused("no path was given".into()));
        }
        if raw.contains('\0') {
            return Err(Refused(format!("{raw:?} is not a valid path")));
        }
        let path = expand_home(raw, self.home.as_deref());
        if path.is_absolute() {
            return Ok(path);
        }
        match &self.home {
            Some(home) => Ok(home.join(path)),
            None => Err(Refused(format!("{raw} is not an absolute path"))),
        }
    }

    /// The allowed folder `canonical` lies in, if it lies in one and passes no dot-folder
    /// on the way.
    fn check_inside(&self, canonical: &Path, raw: &str) -> Result<(), Refused> {
        for root in &self.allowed {
            if let Ok(rest) = canonical.strip_prefix(root) {
                let hidden = rest
                    .components()
                    .any(|c| matches!(c, Component::Normal(n) if n.to_string_lossy().starts_with('.')));
                if hidden {
                    return Err(Refused(format!("{raw} is in a hidden folder or is a hidden file")));
                }
                return Ok(());
            }
        }
        Err(Refused(format!("{raw} is outside the folders ClawChat may use")))
    }

    /// A file to read: it must exist, and where it really is (links followed) must be
    /// inside an allowed folder.
    pub fn readable(&self, raw: &str) -> Result<PathBuf, Refused> {
        let path = self.absolute(raw)?;
        let canonical = path.canonicalize().map_err(|e| Refused(format!("cannot open {raw}: {e}")))?;
        self.check_inside(&canonical, raw)?;
        if !canonical.is_file() {
            return Err(Refused(format!("{raw} is not a file")));
        }
        Ok(canonical)
    }

    /// A folder inside an allowed folder (a command's working folder).
    pub fn folder(&self, raw: &str) -> Result<PathBuf, Refused> {
        let path = self.absolute(raw)?;
        let canonical = path.canonicalize().map_err(|e| Refused(format!("cannot use {raw}: {e}")))?;
        self.check_inside(&canonical, raw)?;
        if !canonical.is_dir() {
            return Err(Refused(format!("{raw} is not a folder")));
        }
        Ok(canonical)
    }

    /// A new file to create: its folder must exist inside an allowed folder (links
    /// followed), its name must be a plain name, and nothing may be there yet.
    pub fn creatable(&self, raw: &str) -> Result<PathBuf, Refused> {
        let path = self.absolute(raw)?;
        let name = match path.components().next_back() {
            Some(Component::Normal(name)) => name.to_owned(),
            _ => return Err(Refused(format!("{raw} does not name a file"))),
        };
        let parent = path.parent().ok_or_else(|| Refused(format!("{raw} does not name a file")))?;
        let parent =
            parent.canonicalize().map_err(|e| Refused(format!("the folder of {raw} is not there: {e}")))?;
        let target = parent.join(&name);
        self.check_inside(&target, raw)?;
        // `symlink_metadata` sees a dangling link too, which `exists` would not.
        if target.symlink_metadata().is_ok() {
            return Err(Refused(format!("{raw} already exists; ClawChat creates new files only")));
        }
        Ok(target)
    }
}

/// `~` and `~/...` against `home`; anything else unchanged.
pub fn expand_home(raw: &str, home: Option<&Path>) -> PathBuf {
    match (raw.strip_prefix('~'), home) {
        (Some(""), Some(home)) => home.to_path_buf(),
        (Some(rest), Some(home)) if rest.starts_with('/') => home.join(rest.trim_start_matches('/')),
        _ => PathBuf::from(raw),
    }
}
