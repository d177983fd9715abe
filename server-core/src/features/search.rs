//! Full-text search across todos, events, memos and messages: `/api/search`.
//!
//! Each kind has an external-content FTS5 index kept in step by triggers (see the first
//! migration). A query runs against all requested indexes, ranks by bm25 (best first) and
//! returns snippets with the matched words in `<mark>`.

use std::collections::HashMap;

use axum::extract::{FromRef, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::features::OrganiserContext;
use crate::infra::db::{Arg, Readers, one_row, pack, unpack};
use crate::infra::error::responses::{InvalidParameters, NotLoggedIn};
use crate::infra::error::{Error, Result};
use crate::infra::extract::{Json, Query};
use crate::infra::pagination::{Page, Window};
use crate::infra::time::render;

/// The items a person's words may name: those whose title is exactly what was said, and
/// those that hold its words ([`fts_query`]). Which one is meant is for the caller to
/// decide, or to ask.
#[derive(Debug)]
pub struct Named<T> {
    pub exact: Vec<T>,
    pub fuzzy: Vec<T>,
}

/// Turns what a person typed into an FTS5 query that cannot fail to parse: every word is
/// quoted (so `AND`, `NEAR`, `*`, `"` and `:` are just text), the words must all match,
/// and the last one matches as a prefix so results follow the typing. `None` when the
/// input has no searchable word.
pub fn fts_query(input: &str) -> Option<String> {
    query_of(words(input).collect())
}

/// Like [`fts_query`], for an item named in a sentence ("mark pay the gas bill as done"):
/// the little words a title may or may not hold ("the", "my", "to") are left out, unless
/// they are all there is.
pub fn named_query(said: &str) -> Option<String> {
    const LITTLE: &[&str] =
        &["a", "an", "the", "my", "our", "your", "to", "of", "for", "on", "in", "at", "with", "and"];
    let content: Vec<&str> = words(said).filter(|w| !LITTLE.contains(&w.to_lowercase().as_str())).collect();
    if content.is_empty() { fts_query(said) } else { query_of(content) }
}

fn words(input: &str) -> impl Iterator<Item = &str> {
    input
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '_'))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .take(32)
}

/// Every word quoted, all required, the last one a prefix.
fn query_of(words: Vec<&str>) -> Option<String> {
    let last = words.len().checked_sub(1)?;
    let mut q = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            q.push(' ');
        }
        q.push('"');
        q.push_str(&w.replace('"', "\"\""));
        q.push('"');
        if i == last {
            q.push('*');
        }
    }
    Some(q)
}

#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultType {
    Todo,
    Event,
    Memo,
    Message,
}

#[derive(ts_rs::TS, Debug, Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(rename = "type")]
    pub kind: ResultType,
    pub id: String,
    pub title: String,
    /// HTML-escaped text around the match, with matched words wrapped in `<mark>`.
    pub snippet: String,
    /// Higher is a better match.
    pub score: f64,
    #[schema(format = DateTime)]
    pub created_at: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for.
    pub q: String,
    /// Comma-separated subset of `todos,events,memos,messages`; all by default.
    pub types: Option<String>,
    /// Which page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items a page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// A rank as SQL text that reads back as the same double: 17 significant digits (SQLite's
/// `!` flag lets its printf give more than 16).
const RANK_TEXT: &str = "printf('%!.17g', rank)";

/// How many of the newest matches of each kind are ranked (and counted).
pub const RANK_WINDOW: usize = 2_000;

impl ResultType {
    const ALL: [ResultType; 4] = [ResultType::Todo, ResultType::Event, ResultType::Memo, ResultType::Message];

    fn from_param(s: &str) -> Option<Self> {
        match s.trim() {
            "todos" | "todo" => Some(ResultType::Todo),
            "events" | "event" => Some(ResultType::Event),
            "memos" | "memo" => Some(ResultType::Memo),
            "messages" | "message" => Some(ResultType::Message),
            _ => None,
        }
    }

    fn tag(self) -> &'static str {
        match self {
            ResultType::Todo => "todo",
            ResultType::Event => "event",
            ResultType::Memo => "memo",
            ResultType::Message => "message",
        }
    }

    /// The FTS index of this kind and the bm25 weights that count a title match above a
    /// body match.
    fn index(self) -> (&'static str, &'static str) {
        match self {
            ResultType::Todo => ("todos_fts", "4.0, 1.0, 2.0"),
            ResultType::Event => ("events_fts", "4.0, 1.0, 1.0, 2.0"),
            ResultType::Memo => ("memos_fts", "4.0, 1.0, 2.0"),
            ResultType::Message => ("messages_fts", "1.0"),
        }
    }

    /// Matches of this kind with their rank: its [`RANK_WINDOW`] newest matches.
    ///
    /// bm25 costs a little for every matching row, and a common word matches most of a
    /// large notebook: ranking all of them took 40 ms over 100,000 memos. FTS5 walks a
    /// match list newest-first and stops at the limit, so the ranking is confined to the
    /// newest matches, in one pass over the index. What is traded away: an old note that
    /// mentions a word thousands of newer notes also mention is not found by that word
    /// alone. How many a client can page through is the count of these rows.
    fn ranked(self) -> String {
        let (fts, weights) = self.index();
        format!(
            "SELECT * FROM (SELECT '{tag}' AS kind, rowid AS seq, bm25({fts}, {weights}) AS rank FROM {fts}
                WHERE {fts} MATCH ?1 ORDER BY rowid DESC LIMIT {RANK_WINDOW})",
            tag = self.tag(),
        )
    }

    /// Item fields and a snippet for the rowids listed, in ascending order, under this
    /// kind's tag in the JSON object `?2`. `snippet()` only works inside the MATCH query,
    /// so it runs here, for one page of rows, not for every match.
    ///
    /// The rowids bound the scan as a range (from the list's first to its last), and the
    /// list itself only filters (`+rowid`, which no index serves): given `rowid IN (list)`
    /// as an index constraint, FTS5 runs the whole text query again for every rowid, and
    /// those twenty lookups were most of a search's time over 100,000 memos.
    fn details(self) -> String {
        let (fts, _) = self.index();
        let (table, title, snip_title) = match self {
            ResultType::Todo => ("todos", "t.title", format!("snippet({fts}, 0, char(2), char(3), '…', 16)")),
            ResultType::Event => {
                ("events", "t.title", format!("snippet({fts}, 0, char(2), char(3), '…', 16)"))
            }
            ResultType::Memo => ("memos", "t.title", format!("snippet({fts}, 0, char(2), char(3), '…', 16)")),
            ResultType::Message => {
                ("messages", "coalesce(nullif(c.title, ''), 'Conversation')", "''".to_owned())
            }
        };
        let conversation = if self == ResultType::Message {
            " JOIN conversations c ON c.id = t.conversation_id"
        } else {
            ""
        };
        format!(
            "SELECT '{tag}' AS kind, {fts}.rowid AS seq, t.id AS id, {title} AS title, {snip_title} AS snip_title,
                    snippet({fts}, {body}, char(2), char(3), '…', 16) AS snip, t.created_at AS created_at
                FROM {fts} JOIN {table} t ON t.seq = {fts}.rowid{conversation}
                WHERE {fts} MATCH ?1
                  AND {fts}.rowid BETWEEN ?2 ->> '$.{tag}[0]' AND ?2 ->> '$.{tag}[#-1]'
                  AND +{fts}.rowid IN (SELECT value FROM json_each(?2, '$.{tag}'))",
            tag = self.tag(),
            body = if self == ResultType::Message { 0 } else { 1 },
        )
    }
}

/// Merges each search index into one b-tree. Every write adds a small one that FTS5 merges
/// only four at a time, so an index written one item at a time is a dozen or more b-trees
/// (19 for 100,000 memos), and every search looks in each: merged, the ranked page of a
/// search over 100,000 memos took 0.35 ms of SQLite's time where it took 0.75. Rewrites
/// the index (0.3 s of CPU for 100,000 memos), so it runs with the nightly cleanup.
pub async fn merge_indexes(conn: &mut sqlx::SqliteConnection) -> sqlx::Result<()> {
    for kind in ResultType::ALL {
        let (fts, _) = kind.index();
        sqlx::query(&format!("INSERT INTO {fts} ({fts}) VALUES ('optimize')")).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The body's fragment when the match is there; when only the title matched, the title
/// (so the highlight shows) followed by the start of the body (so there is context).
fn pick_snippet(title: String, body: String) -> String {
    const MARK: char = '\u{2}';
    if body.contains(MARK) || !title.contains(MARK) {
        return if body.trim().is_empty() { title } else { body };
    }
    if body.trim().is_empty() { title } else { format!("{title} — {body}") }
}

/// Escapes the snippet for HTML, then turns our private markers into `<mark>`; user text
/// can therefore never inject markup.
fn highlight(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        match c {
            '\u{2}' => out.push_str("<mark>"),
            '\u{3}' => out.push_str("</mark>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    OrganiserContext: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(search))
}

/// Search everything, best match first.
#[utoipa::path(get, path = "/api/search", tag = "search", params(SearchParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Matches, best first", body = Page<SearchHit>),
        NotLoggedIn,
        InvalidParameters,
    ))]
async fn search(
    State(state): State<OrganiserContext>,
    Query(p): Query<SearchParams>,
) -> Result<Json<Page<SearchHit>>> {
    let window = Window::new(p.page, p.limit)?;
    Ok(Json(run(&state.db.pages, state.tz, &p.q, p.types.as_deref(), window).await?))
}

/// Runs a search; shared by the route and the assistant's `search` tool.
pub async fn run(
    db: &Readers,
    tz: chrono_tz::Tz,
    q: &str,
    types: Option<&str>,
    window: Window,
) -> Result<Page<SearchHit>> {
    let types = parse_types(types)?;
    if q.chars().count() > 500 {
        return Err(Error::invalid("q", "must be at most 500 characters"));
    }
    let Some(fts) = fts_query(q) else {
        return Ok(window.wrap(vec![], 0));
    };

    let union = types.iter().map(|t| t.ranked()).collect::<Vec<_>>().join(" UNION ALL ");
    // One statement, one row: the count of the ranked matches, and the page packed as JSON
    // (see `db::unpack`). The rank goes as text with 17 digits, which gives back the same
    // double (JSON numbers from SQLite carry 15).
    let page = "SELECT kind, seq, rank FROM ranked ORDER BY rank, seq DESC LIMIT ?2 OFFSET ?3";
    let sql = format!(
        "WITH ranked AS MATERIALIZED ({union}) SELECT (SELECT COUNT(*) FROM ranked),
            (SELECT {packed_page} FROM ({page}))",
        packed_page = pack(&format!("kind, seq, {RANK_TEXT}")),
    );
    let args = vec![Arg::Text(fts.clone()), Arg::Int(i64::from(window.limit)), Arg::Int(window.offset())];
    // The ranked page and its details, one after the other on one reader.
    let (total, order, mut found) = db
        .run(move |conn| {
            let (total, ranked): (i64, String) = one_row(conn, &sql, args, |r| Ok((r.get(0)?, r.get(1)?)))?;
            let ranked: Vec<(String, i64, String)> = unpack(&ranked)?;
            let mut order: Vec<(String, i64, f64)> = Vec::with_capacity(ranked.len());
            for (kind, seq, rank) in ranked {
                let rank = rank.parse().map_err(|e: std::num::ParseFloatError| Error::Internal(e.into()))?;
                order.push((kind, seq, rank));
            }
            let found = details(conn, &types, &fts, &order)?;
            Ok((total, order, found))
        })
        .await?;
    let items = order
        .into_iter()
        .filter_map(|(kind, seq, rank)| {
            let kind = ResultType::ALL.into_iter().find(|t| t.tag() == kind)?;
            let (id, title, snip, created_at) = found.remove(&(kind.tag(), seq))?;
            Some(SearchHit {
                kind,
                id,
                title,
                snippet: highlight(&snip),
                // bm25 is lower-is-better and negative; flip it so a client sorts naturally.
                score: -rank,
                created_at: render(created_at, tz),
            })
        })
        .collect();
    Ok(window.wrap(items, total))
}

/// `?types=todos,memos`, or every kind when absent.
fn parse_types(types: Option<&str>) -> Result<Vec<ResultType>> {
    match types.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(ResultType::ALL.to_vec()),
        Some(list) => list
            .split(',')
            .filter(|t| !t.trim().is_empty())
            .map(|t| {
                ResultType::from_param(t).ok_or_else(|| {
                    Error::invalid(
                        "types",
                        format!("unknown type {:?}; use todos, events, memos, messages", t.trim()),
                    )
                })
            })
            .collect(),
    }
}

/// A hit's details as [`ResultType::details`] packs them: kind, seq, id, title, the
/// title's snippet, the body's snippet, creation time.
type Detail = (String, i64, String, String, String, String, i64);

/// Each ranked hit's id, title, snippet and creation time, by its kind's tag and seq.
type Found = HashMap<(&'static str, i64), (String, String, String, i64)>;

/// The id, title, snippet and creation time of each ranked hit, by (kind, seq): one
/// statement for every kind that has hits, its rows packed into one JSON text.
fn details(
    conn: &rusqlite::Connection,
    types: &[ResultType],
    fts: &str,
    order: &[(String, i64, f64)],
) -> Result<Found> {
    let mut seqs: HashMap<&'static str, Vec<i64>> = HashMap::new();
    for t in types {
        let mut of_kind: Vec<i64> =
            order.iter().filter(|(k, _, _)| k == t.tag()).map(|(_, s, _)| *s).collect();
        // Ascending: the first and the last bound the scan (see `ResultType::details`).
        of_kind.sort_unstable();
        if !of_kind.is_empty() {
            seqs.insert(t.tag(), of_kind);
        }
    }
    if seqs.is_empty() {
        return Ok(HashMap::new());
    }
    let union = types.iter().filter(|t| seqs.contains_key(t.tag())).map(|t| t.details()).collect::<Vec<_>>();
    // MATERIALIZED keeps SQLite from folding the hits into the packing aggregate: FTS5's
    // snippet() only works in the query that scans its index.
    let sql = format!(
        "WITH hits AS MATERIALIZED ({}) SELECT json_group_array(json_array(kind, seq, id, title, snip_title, snip, created_at)) FROM hits",
        union.join(" UNION ALL ")
    );
    let ids = serde_json::to_string(&seqs).map_err(|e| Error::Internal(e.into()))?;
    let rows: String = one_row(conn, &sql, vec![Arg::Text(fts.to_owned()), Arg::Text(ids)], |r| r.get(0))?;
    let rows: Vec<Detail> = unpack(&rows)?;
    let mut found = HashMap::with_capacity(rows.len());
    for (kind, seq, id, title, snip_title, snip, created_at) in rows {
        let Some(kind) = ResultType::ALL.into_iter().find(|t| t.tag() == kind) else { continue };
        found.insert((kind.tag(), seq), (id, title, pick_snippet(snip_title, snip), created_at));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_input_is_quoted_word_by_word() {
        assert_eq!(fts_query("buy milk").as_deref(), Some("\"buy\" \"milk\"*"));
        assert_eq!(fts_query("\"OR\" NEAR( x:*").as_deref(), Some("\"OR\" \"NEAR\" \"x\"*"));
        assert_eq!(fts_query("  ()*:^ "), None);
        assert_eq!(fts_query("café d'été").as_deref(), Some("\"café\" \"d'été\"*"));
        assert_eq!(named_query("pay the gas bill").as_deref(), Some("\"pay\" \"gas\" \"bill\"*"));
        assert_eq!(named_query("The End").as_deref(), Some("\"End\"*"));
        assert_eq!(named_query("to the").as_deref(), Some("\"to\" \"the\"*"));
    }

    #[test]
    fn a_title_match_keeps_its_highlight_and_gains_the_bodys_context() {
        assert_eq!(
            pick_snippet("\u{2}Lisbon\u{3}".into(), "The night train".into()),
            "\u{2}Lisbon\u{3} — The night train"
        );
        assert_eq!(
            pick_snippet("Trains".into(), "The \u{2}Lisbon\u{3} train".into()),
            "The \u{2}Lisbon\u{3} train"
        );
        assert_eq!(pick_snippet("\u{2}Milk\u{3}".into(), " ".into()), "\u{2}Milk\u{3}");
    }

    /// The page's ranks cross from SQLite as text; each must read back as the very double
    /// SQLite computed, or the scores a client sees would drift in their last digits.
    #[tokio::test]
    async fn a_rank_sent_as_text_reads_back_exactly() {
        use sqlx::Connection as _;
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await.expect("in-memory database");
        let mut x = 0.123_456_789_012_345_67_f64;
        for i in 0..2000 {
            x = -(x * 7.123_456_789 + f64::from(i)).fract() * 10f64.powi(i % 9 - 4);
            let text: String = sqlx::query_scalar(&format!("SELECT {RANK_TEXT} FROM (SELECT ?1 AS rank)"))
                .bind(x)
                .fetch_one(&mut conn)
                .await
                .expect("printf");
            assert_eq!(text.parse::<f64>().ok(), Some(x), "{x} became {text}");
        }
    }

    #[test]
    fn snippets_are_escaped_and_marked() {
        assert_eq!(highlight("a <b> \u{2}milk\u{3} & co"), "a &lt;b&gt; <mark>milk</mark> &amp; co");
    }
}
