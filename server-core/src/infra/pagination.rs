//! Shapes shared by every list route: `?page=1&limit=20` in, `{items, total, page, limit}` out.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::infra::error::{Checks, Result};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;
/// The last page a list route serves.
pub const MAX_PAGE: u32 = 1_000_000;

#[derive(ts_rs::TS, Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[ts(type = "number")]
    pub total: i64,
    pub page: u32,
    pub limit: u32,
}

/// A validated page window.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub page: u32,
    pub limit: u32,
}

impl Window {
    pub fn new(page: Option<u32>, limit: Option<u32>) -> Result<Self> {
        let page = page.unwrap_or(1);
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        Checks::default()
            .check(page >= 1, "page", "must be 1 or more")
            .check(page <= MAX_PAGE, "page", "is too large")
            .check((1..=MAX_LIMIT).contains(&limit), "limit", "must be between 1 and 100")
            .finish()?;
        Ok(Self { page, limit })
    }

    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.limit)
    }

    pub fn wrap<T>(self, items: Vec<T>, total: i64) -> Page<T> {
        Page { items, total, page: self.page, limit: self.limit }
    }
}

/// For PATCH bodies: tells "absent" (leave as is) from `null` (clear it).
pub fn double_option<'de, T, D>(de: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// A whole number as JSON may write it, `15` or `15.0`: JSON Schema's `integer` admits
/// both, so a client generated from the document (or Python's `json`) may send either.
/// Absent or `null` is `None`; a fraction is refused.
pub fn whole_number<'de, D: Deserializer<'de>>(de: D) -> std::result::Result<Option<i64>, D::Error> {
    let Some(n) = Option::<serde_json::Number>::deserialize(de)? else { return Ok(None) };
    // Beyond 2^53 a float no longer holds every whole number; no field here needs one.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    n.as_i64()
        .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= EXACT).map(|f| f as i64))
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("expected a whole number, not {n}")))
}

/// [`whole_number`] for PATCH bodies, telling "absent" from `null` as [`double_option`].
pub fn patched_whole_number<'de, D: Deserializer<'de>>(
    de: D,
) -> std::result::Result<Option<Option<i64>>, D::Error> {
    whole_number(de).map(Some)
}

/// Tags are stored as a JSON array; a corrupt value reads as no tags rather than failing a list.
pub fn tags_from_json(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

pub fn tags_to_json(tags: &[String]) -> String {
    let cleaned: Vec<&str> = tags.iter().map(|t| t.trim()).collect();
    serde_json::to_string(&cleaned).unwrap_or_else(|_| "[]".into())
}

/// The authenticated caller of a protected route, put in the request's extensions by
/// `auth::require_auth`. It lives here, with the other shapes every feature shares, so a
/// feature that asks "who is calling" (devices, chat) needs nothing else from `auth`.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub sub: String,
    /// The login (token family) the caller's token belongs to.
    pub family_id: String,
}
