//! Full-text search across todos, events, memos and messages: `/api/search`.
//!
//! Each kind has an external-content FTS5 index kept in step by triggers (see the first
//! migration). A query runs against all requested indexes, ranks by bm25 (best first) and
//! returns snippets with the matched words in `<mark>`.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Turns what a person typed into an FTS5 query that cannot fail to parse: every word is
/// quoted (so `AND`, `NEAR`, `*`, `"` and `:` are just text), the words must all match,
/// and the last one matches as a prefix so results follow the typing. `None` when the
/// input has no searchable word.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '_'))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .take(32)
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    let last = words.len().checked_sub(1)?;
    let mut q = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            q.push(' ');
        }
        q.push_str(w);
        if i == last {
            q.push('*');
        }
    }
    Some(q)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResultType {
    Todo,
    Event,
    Memo,
    Message,
}

#[derive(Debug, Serialize, ToSchema)]
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
    pub page: Option<u32>,
    pub limit: Option<u32>,
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
    }
}

pub fn router() -> utoipa_axum::router::OpenApiRouter<crate::state::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
}
