//! A dev CLI for scoring without the server: `cli parse|classify|when|spans [--now RFC3339]
//! [--tz ZONE] [--lang CODE]`, one stdin line in, one JSON line out.

use std::io::{self, BufRead, BufWriter, Write};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clawchat_understand::when::{self, Lang};
use serde_json::json;

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().cloned().unwrap_or_default();
    let tz: Tz = flag(&args, "--tz").and_then(|z| z.parse().ok()).unwrap_or(Tz::UTC);
    let now = flag(&args, "--now")
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map_or_else(|| Utc::now().with_timezone(&tz), |t| t.with_timezone(&tz));
    let lang = flag(&args, "--lang").and_then(|c| Lang::from_code(&c)).unwrap_or_default();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in io::stdin().lock().lines() {
        let line = line?;
        let line = line.trim_end_matches('\r');
        let value = if mode == "parse" {
            let p = clawchat_understand::parse_in(line, now, lang);
            json!({ "intent": p.intent, "params": p.params, "confidence": p.confidence })
        } else if mode == "classify" {
            let p = clawchat_understand::classify::classify(line);
            let top: Vec<_> =
                p.probs.iter().take(3).map(|(l, p)| json!([l, (p * 100.0).round() / 100.0])).collect();
            json!({ "label": p.label, "p": p.p, "top": top })
        } else if mode == "combined" {
            // The one date a request is read as, and the phrases that went into it.
            match when::find_combined_in(line, now, lang) {
                Some((f, spans)) => {
                    let said: Vec<_> = spans.iter().filter_map(|s| line.get(s.clone())).collect();
                    json!({ "start": f.start.to_rfc3339(), "end": f.end.map(|e| e.to_rfc3339()), "grain": f.grain, "said": said })
                }
                None => json!(null),
            }
        } else if mode == "spans" {
            let all: Vec<_> = when::find_all_in(line, now, lang)
                .into_iter()
                .map(|f| {
                    json!([
                        line.get(f.span.clone()),
                        f.start.to_rfc3339(),
                        f.end.map(|e| e.to_rfc3339()),
                        f.grain
                    ])
                })
                .collect();
            json!(all)
        } else {
            when::answer(line, now, lang)
        };
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
