//! `clawchat-server parse` and `clawchat-server when`: one line in, one JSON line out, in
//! order, as the contract fixes them. Handy for scripts and for scoring the parser.

use std::io::{self, BufRead, BufWriter, Write};

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

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

fn rfc3339(t: &DateTime<Tz>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The `when` answer for one line.
pub fn when_line(line: &str, now: DateTime<Tz>) -> Value {
    match when::find(line, now) {
        Some(f) => {
            // A time said with its own zone ("9:00 PST") is written in that zone.
            let at = |t: &DateTime<Tz>, zone: Option<FixedOffset>| match zone {
                Some(off) => t.with_timezone(&off).to_rfc3339_opts(SecondsFormat::Secs, false),
                None => rfc3339(t),
            };
            let end = f.end.as_ref().map(|e| at(e, f.end_zone));
            json!({ "start": at(&f.start, f.zone), "end": end, "grain": f.grain })
        }
        None => json!({ "error": "no date or time found" }),
    }
}

pub enum Mode {
    Parse,
    When,
}

pub fn run(mode: Mode, now: DateTime<Tz>) -> anyhow::Result<()> {
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    let result = (|| -> io::Result<()> {
        for line in stdin.lock().lines() {
            let line = line?;
            let line = line.trim_end_matches('\r');
            // Written straight from the typed value, so the f32 confidence prints as 0.9,
            // not as its f64 widening.
            match mode {
                Mode::Parse => serde_json::to_writer(&mut out, &super::parse(line, now))?,
                Mode::When => serde_json::to_writer(&mut out, &when_line(line, now))?,
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
