//! Configuration: command-line flags over environment variables over a `.env` file.
//!
//! The names are the ones the original ClawChat server used (HOST, PORT, PIN, ...), so an
//! existing `.env` keeps working. Defaults are the safe ones: loopback only, no built-in
//! secret, no built-in PIN.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand};

/// `clawchat-server [serve | mcp | reset-pin | parse | when]`.
#[derive(Debug, Parser)]
#[command(name = "clawchat-server", version, about = "ClawChat's headless server")]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Speak MCP on stdin and stdout for a desktop MCP client, passing it to the running
    /// app's `/mcp` with the token in `CLAWCHAT_MCP_TOKEN`.
    Mcp {
        /// The running app's address, such as `http://127.0.0.1:8000` (default: the one it
        /// recorded in its data folder).
        #[arg(long)]
        url: Option<String>,
    },
    /// Parse utterances (one per stdin line) into ParseResult JSON lines.
    Parse {
        /// Reference time, RFC 3339 (default: now).
        #[arg(long)]
        now: Option<String>,
        /// IANA time zone (default: TZ, else UTC).
        #[arg(long)]
        tz: Option<String>,
        /// Language code dates are also read in, such as `de` (default: LANGUAGE, else `en`).
        #[arg(long)]
        lang: Option<String>,
    },
    /// Resolve date/time expressions (one per stdin line) into {"start","end","grain"} lines.
    When {
        /// Reference time, RFC 3339 (default: now).
        #[arg(long)]
        now: Option<String>,
        /// IANA time zone (default: TZ, else UTC).
        #[arg(long)]
        tz: Option<String>,
        /// Language code dates are also read in, such as `de` (default: LANGUAGE, else `en`).
        #[arg(long)]
        lang: Option<String>,
    },
    /// Set a new login PIN, print it once and end every existing login.
    ResetPin {
        /// Use this PIN instead of generating one (at least 6 characters).
        #[arg(long)]
        pin: Option<String>,
    },
}

/// Every setting, each readable from a flag or from the environment.
#[derive(Clone, Args)]
pub struct Settings {
    /// Address to listen on. Keep 127.0.0.1 unless other devices must reach the server.
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, env = "PORT", default_value_t = 8000)]
    pub port: u16,
    /// Verbose logs.
    #[arg(long, env = "DEBUG", default_value_t = false, action = clap::ArgAction::Set)]
    pub debug: bool,
    /// `sqlite:///relative/file.db`, `sqlite:////absolute/file.db` (`sqlite+aiosqlite:` too)
    /// or a plain path; default is the user's data directory.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where secrets and the default database live.
    #[arg(long, env = "CLAWCHAT_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// HS256 secret for access tokens; generated and kept in the data directory when unset.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Lifetime of an access token in hours.
    #[arg(long, env = "JWT_EXPIRY_HOURS", default_value_t = 1)]
    pub jwt_expiry_hours: u32,
    /// Lifetime of a refresh token in days.
    #[arg(long, env = "REFRESH_EXPIRY_DAYS", default_value_t = 30)]
    pub refresh_expiry_days: u32,
    /// Milliseconds during which a just-spent refresh token is taken for the loser of two
    /// concurrent refreshes (409) rather than a replay that ends the login (401).
    #[arg(long, env = "REFRESH_RACE_GRACE_MS", default_value_t = 10_000)]
    pub refresh_race_grace_ms: u64,
    /// Login PIN; when unset one is generated on first start and printed once.
    #[arg(long, env = "PIN", hide_env_values = true)]
    pub pin: Option<String>,
    /// `auto`, `builtin`, `ollama` or `openai`.
    #[arg(long, env = "AI_PROVIDER", default_value = "auto")]
    pub ai_provider: String,
    #[arg(long, env = "AI_BASE_URL", default_value = "http://localhost:11434")]
    pub ai_base_url: String,
    #[arg(long, env = "AI_API_KEY", hide_env_values = true)]
    pub ai_api_key: Option<String>,
    #[arg(long, env = "AI_MODEL", default_value = "llama3.2")]
    pub ai_model: String,
    /// Seconds to wait for the model's first token, and between tokens, before the
    /// built-in parser answers instead.
    #[arg(long, env = "AI_TIMEOUT", default_value_t = 60)]
    pub ai_timeout: u64,
    /// Longest answer the model may give, in tokens (sent as `max_tokens`); unset, the
    /// server's own limit applies. Set it for a model that does not end its turns.
    #[arg(long, env = "AI_MAX_TOKENS")]
    pub ai_max_tokens: Option<u32>,
    /// How much earlier conversation goes to the model with each message, in characters.
    #[arg(long, env = "AI_HISTORY_CHARS", default_value_t = 12_000)]
    pub ai_history_chars: usize,
    /// An OpenAI-compatible speech-to-text service (`/v1/audio/transcriptions`: whisper.cpp,
    /// faster-whisper, OpenAI); none by default, and voice queries then say so.
    #[arg(long, env = "STT_BASE_URL")]
    pub stt_base_url: Option<String>,
    #[arg(long, env = "STT_MODEL", default_value = "whisper-1")]
    pub stt_model: String,
    #[arg(long, env = "STT_API_KEY", hide_env_values = true)]
    pub stt_api_key: Option<String>,
    /// A SearXNG instance for `web_search`, such as http://localhost:8888; none by default.
    #[arg(long, env = "SEARCH_URL")]
    pub search_url: Option<String>,
    #[arg(long, env = "ENABLE_SCHEDULER", default_value_t = true, action = clap::ArgAction::Set)]
    pub enable_scheduler: bool,
    /// Local time of the daily briefing, HH:MM.
    #[arg(long, env = "BRIEFING_TIME", default_value = "08:00")]
    pub briefing_time: String,
    /// Upper bound, in seconds, on how long a change can go unnoticed by the reminder engine.
    #[arg(long, env = "REMINDER_CHECK_INTERVAL", default_value_t = 60)]
    pub reminder_check_interval: u64,
    /// Expo's push endpoint; reminders go to every registered Expo push token through it.
    #[arg(long, env = "EXPO_PUSH_URL", default_value = "https://exp.host/--/api/v2/push/send")]
    pub expo_push_url: String,
    /// An SMTP server that e-mails one-time sign-in codes; without one they are shown on the
    /// desktop (and printed on the console).
    #[arg(long, env = "SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, env = "SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    #[arg(long, env = "SMTP_USER")]
    pub smtp_user: Option<String>,
    #[arg(long, env = "SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The sender, such as `ClawChat <clawchat@example.com>`; default is `SMTP_USER`.
    #[arg(long, env = "SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// `starttls` (the default), `tls` (SMTPS from the first byte) or `none` (only for a
    /// relay on this computer).
    #[arg(long, env = "SMTP_TLS")]
    pub smtp_tls: Option<String>,
    /// The user's IANA time zone; default is the system's.
    #[arg(long = "tz", env = "TZ")]
    pub tz: Option<String>,
    /// The language dates are read in besides English (`de`, `fr`, `ko`, ...); `en` by default.
    #[arg(long, env = "LANGUAGE", default_value = "en")]
    pub language: String,
    /// Extra host names the server answers to (comma separated), besides loopback names and IPs.
    #[arg(long, env = "ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Origins allowed to call the API from a browser (comma separated); none by default.
    #[arg(long, env = "CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Largest request body in bytes.
    #[arg(long, env = "BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// Seconds between WebSocket heartbeats; each also re-checks the connection's token.
    #[arg(long, env = "WS_HEARTBEAT", default_value_t = 20)]
    pub ws_heartbeat: u64,
    /// Seconds a request may take before it is answered with a timeout.
    #[arg(long, env = "REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
}

/// Secrets stay out of logs: Debug names which are set, never their values.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database_url", &self.database_url)
            .field("data_dir", &self.data_dir)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "<set>"))
            .field("pin", &self.pin.as_ref().map(|_| "<set>"))
            .field("ai_provider", &self.ai_provider)
            .field("ai_base_url", &self.ai_base_url)
            .field("ai_api_key", &self.ai_api_key.as_ref().map(|_| "<set>"))
            .field("ai_model", &self.ai_model)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_user", &self.smtp_user)
            .field("smtp_password", &self.smtp_password.as_ref().map(|_| "<set>"))
            .field("tz", &self.tz)
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The speech-to-text service's URL, when one is configured: voice queries are on.
    pub fn speech_to_text_url(&self) -> Option<&str> {
        self.stt_base_url.as_deref().filter(|u| !u.trim().is_empty())
    }

    /// Settings from the environment alone (and `.env`), as the tests and the desktop shell use.
    pub fn from_env() -> anyhow::Result<Self> {
        let _ = dotenvy::dotenv();
        let cli = Cli::try_parse_from(["clawchat-server"])?;
        Ok(cli.settings)
    }

    /// The data directory: configured, or the platform's (`~/.local/share/clawchat` on Linux).
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        if let Some(dir) = &self.data_dir {
            return Ok(dir.clone());
        }
        let dirs = directories::ProjectDirs::from("", "", "clawchat")
            .context("no home directory to keep ClawChat's data in; set CLAWCHAT_DATA_DIR")?;
        Ok(dirs.data_dir().to_path_buf())
    }

    /// The database file: `DATABASE_URL` when set, else `clawchat.db` in the data directory.
    /// See [`database_file`] for the forms it takes.
    pub fn database_path(&self) -> anyhow::Result<PathBuf> {
        match self.database_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => database_file(url),
            None => Ok(self.data_dir()?.join("clawchat.db")),
        }
    }

    /// The language dates are read in: configured, else English. `LANGUAGE` as GNU sets it
    /// (`de_DE:en`) names the first language of its list.
    pub fn language(&self) -> clawchat_understand::Lang {
        let first = self.language.split([':', '_', '.', '-']).next().unwrap_or("");
        clawchat_understand::Lang::from_code(first).unwrap_or_default()
    }

    /// The user's time zone: configured, else the system's, else UTC.
    pub fn time_zone(&self) -> anyhow::Result<Tz> {
        match self.tz.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(name) => {
                let name = name.strip_prefix(':').unwrap_or(name);
                name.parse::<Tz>().map_err(|_| anyhow::anyhow!("TZ {name:?} is not an IANA time zone name"))
            }
            None => {
                Ok(iana_time_zone::get_timezone().ok().and_then(|n| n.parse::<Tz>().ok()).unwrap_or(Tz::UTC))
            }
        }
    }
}

/// The file a `DATABASE_URL` names, read as the original server's stack reads it:
/// `sqlite:///data/clawchat.db` is relative to the working directory (three slashes),
/// `sqlite:////var/lib/clawchat.db` is absolute (four), and `sqlite+aiosqlite:` (any
/// `sqlite+<driver>:`) means the same. A value without a scheme is a plain path. Any other
/// scheme is refused: ClawChat keeps its data in SQLite only.
pub fn database_file(url: &str) -> anyhow::Result<PathBuf> {
    let Some((scheme, rest)) = split_scheme(url) else {
        return Ok(PathBuf::from(url));
    };
    let scheme = scheme.to_ascii_lowercase();
    anyhow::ensure!(
        scheme == "sqlite" || scheme.starts_with("sqlite+"),
        "DATABASE_URL {url:?} is not a SQLite URL: ClawChat stores its data in one SQLite file; \
         use sqlite:///relative/path.db, sqlite:////absolute/path.db or a plain path"
    );
    let Some(path) = rest.strip_prefix("///") else {
        anyhow::bail!(
            "DATABASE_URL {url:?} names no file: write sqlite:///relative/path.db (three slashes, \
             relative to the working directory) or sqlite:////absolute/path.db (four)"
        );
    };
    let path = path.split('?').next().unwrap_or_default();
    anyhow::ensure!(
        !path.is_empty(),
        "DATABASE_URL {url:?} names no file (an in-memory database keeps nothing)"
    );
    Ok(PathBuf::from(path))
}

/// `scheme` and what follows `scheme:`, when `url` starts with a URL scheme. One letter
/// before a colon is a Windows drive (`C:\data\clawchat.db`), not a scheme.
fn split_scheme(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once(':')?;
    let valid = scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_slashes_are_relative_and_four_absolute() {
        let file = |url| database_file(url).unwrap();
        assert_eq!(file("sqlite+aiosqlite:///./data/clawchat.db"), PathBuf::from("./data/clawchat.db"));
        assert_eq!(file("sqlite:///./data/clawchat.db"), PathBuf::from("./data/clawchat.db"));
        assert_eq!(file("sqlite:///data/clawchat.db"), PathBuf::from("data/clawchat.db"));
        assert_eq!(file("sqlite:////var/lib/clawchat.db"), PathBuf::from("/var/lib/clawchat.db"));
        assert_eq!(file("SQLite+pysqlite:////srv/c.db?mode=rwc"), PathBuf::from("/srv/c.db"));
        assert_eq!(file("/srv/clawchat.db"), PathBuf::from("/srv/clawchat.db"));
        assert_eq!(file("data/clawchat.db"), PathBuf::from("data/clawchat.db"));
        assert_eq!(file(r"C:\data\clawchat.db"), PathBuf::from(r"C:\data\clawchat.db"));
    }

    #[test]
    fn other_schemes_and_forms_are_refused_with_the_forms_that_work() {
        for url in ["postgresql://me@localhost/clawchat", "mysql+aiomysql://db/x", "file:///tmp/x.db"] {
            let e = database_file(url).unwrap_err().to_string();
            assert!(e.contains("not a SQLite URL") && e.contains("sqlite:///"), "{url}: {e}");
        }
        for url in ["sqlite://", "sqlite:///", "sqlite:clawchat.db", "sqlite://host/x.db", "sqlite::memory:"]
        {
            let e = database_file(url).unwrap_err().to_string();
            assert!(e.contains("names no file"), "{url}: {e}");
        }
    }
}
