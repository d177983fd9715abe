//! `clawchat-server parse` and `clawchat-server when`: one line in, one JSON line out, in
//! order, as the contract fixes them. Handy for scripts and for scoring the parser.

use std::io::{self, BufRead, BufWriter, Write};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use clawchat_understand::Lang;

use super::when;

/// The reference time: `--now` in `--tz` (else TZ, else UTC).
pub fn reference(now: Option<&str>, tz: Option<&str>) -> anyhow::Result<DateTime<Tz>> {
    let name = tz
        .map(str::to_owned)
        .or_else(|| std::env::var("TZ").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "UTC".into());
    let name = name.trim().trim_start_matches(':');
    let tz: Tz = name.parse().map_err(|_| anyhow::anyhow!("{name:?} is not an IANA time zone"))?;
    Ok(match now {
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map_err(|e| anyhow::anyhow!("--now {s:?} is not an RFC 3339 date-time: {e}"))?
            .with_timezone(&tz),
        None => Utc::now().with_timezone(&tz),
    })
}

/// The language dates are read in: `--lang`, else the configured one.
pub fn language(lang: Option<&str>, settings: &crate::infra::config::Settings) -> anyhow::Result<Lang> {
    match lang {
        Some(code) => Lang::from_code(code)
            .ok_or_else(|| anyhow::anyhow!("--lang {code:?} is not a language dates can be read in")),
        None => Ok(settings.language()),
    }
}

pub enum Mode {
    Parse,
    When,
}

pub fn run(mode: Mode, now: DateTime<Tz>, lang: Lang) -> anyhow::Result<()> {
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    let result = (|| -> io::Result<()> {
        for line in stdin.lock().lines() {
            let line = line?;
            let line = line.trim_end_matches('\r');
            // Written straight from the typed value, so the f32 confidence prints as 0.9,
            // not as its f64 widening.
            match mode {
                Mode::Parse => serde_json::to_writer(&mut out, &super::parse(line, now, lang))?,
                Mode::When => serde_json::to_writer(&mut out, &when::answer(line, now, lang))?,
            }
            out.write_all(b"\n")?;
        }
        out.flush()
    })();
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
