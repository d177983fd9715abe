//! The one error type at the HTTP edge.
//!
//! Every failure a client sees has the contract's shape:
//! `{"detail": "...", "code": "snake_case", "errors"?: [{"field", "message"}]}`.
//! Internal errors are logged with their cause and answered with a bland 500; their text
//! never reaches the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One field that failed validation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person.
    pub detail: String,
    /// A stable snake_case reason for programs.
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// The error answers many routes share, declared once for the OpenAPI document: a route
/// lists `NotLoggedIn`, `NotJson`, ... among its `responses(...)` instead of a tuple each.
pub mod responses {
    use std::collections::BTreeMap;

    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

    /// One answer with an [`ErrorBody`](super::ErrorBody), as `(status, description, body =
    /// ErrorBody)` would declare it.
    fn error(status: &str, description: &str) -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
        let response =
            ResponseBuilder::new().description(description).content("application/json", content).build();
        BTreeMap::from([(status.to_owned(), RefOr::T(response))])
    }

    macro_rules! shared {
        ($($(#[$doc:meta])* $name:ident = $status:literal, $description:literal;)*) => {$(
            $(#[$doc])*
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
                    error($status, $description)
                }
            }
        )*};
    }

    shared! {
        /// 401: no token, or one that is not valid.
        NotLoggedIn = "401", "Not logged in";
        /// 415: a body that does not say it is JSON.
        NotJson = "415", "Not JSON";
        /// 400: a body that is not JSON of the right shape.
        MalformedJson = "400", "Malformed JSON";
        /// 413: a body over the limit.
        BodyTooLarge = "413", "Body too large";
        /// 422: values that break the rules, each field named.
        InvalidValues = "422", "Invalid values";
        /// 422: a request whose values are refused (a login or token exchange).
        InvalidRequest = "422", "Invalid request";
        /// 400: a body that is not JSON of the right shape, or names a field the route
        /// does not take.
        UnknownFields = "400", "Malformed JSON or unknown fields";
        /// 422: a list's filters that break the rules.
        InvalidFilter = "422", "Invalid filter";
        /// 422: query parameters that break the rules.
        InvalidParameters = "422", "Invalid parameters";
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("{detail}")]
    Unauthorized { code: &'static str, detail: String },
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("this route does not take that method")]
    MethodNotAllowed,
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Invalid { detail: String, errors: Vec<FieldError> },
    #[error("too many attempts; try again in {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    #[error("the server is busy; try again")]
    Unavailable,
    #[error("{detail}")]
    Unconfigured { code: &'static str, detail: String },
    #[error("{detail}")]
    Upstream { code: &'static str, detail: String },
    #[error("the request took too long; try again")]
    Timeout,
    /// SQLITE_FULL: the disk (or the database's size limit) has no room for the write.
    #[error("the disk holding ClawChat's data is full, so nothing was saved; free some space and try again")]
    StorageFull,
    /// SQLITE_READONLY: the database file, its folder or its disk cannot be written.
    #[error(
        "ClawChat's database cannot be written (the file or its disk is read-only), so nothing was saved"
    )]
    StorageReadOnly,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// A validation failure on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        Error::Invalid { detail: format!("{field}: {message}"), errors: vec![FieldError { field, message }] }
    }

    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Error::Unauthorized { code, detail: detail.into() }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Error::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Error::Forbidden { .. } => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable | Error::Timeout | Error::Unconfigured { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Error::Upstream { .. } => StatusCode::BAD_GATEWAY,
            Error::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
            Error::StorageReadOnly => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Error::BadRequest { code, .. }
            | Error::Conflict { code, .. }
            | Error::Unauthorized { code, .. }
            | Error::Forbidden { code, .. }
            | Error::Unconfigured { code, .. }
            | Error::Upstream { code, .. } => code,
            Error::NotFound(_) => "not_found",
            Error::MethodNotAllowed => "method_not_allowed",
            Error::PayloadTooLarge { .. } => "payload_too_large",
            Error::UnsupportedMediaType(_) => "unsupported_media_type",
            Error::Invalid { .. } => "validation_failed",
            Error::TooManyRequests { .. } => "too_many_requests",
            Error::Unavailable => "unavailable",
            Error::Timeout => "timeout",
            Error::StorageFull => "storage_full",
            Error::StorageReadOnly => "storage_read_only",
            Error::Internal(_) => "internal_error",
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut => Error::Unavailable,
            sqlx::Error::Database(db) => {
                // The schema's own rules (CHECK, UNIQUE, FOREIGN KEY) are a client mistake
                // that slipped past validation, not a server fault.
                if db.is_unique_violation() {
                    Error::Conflict { code: "conflict", detail: "that already exists".into() }
                } else if db.is_foreign_key_violation() {
                    Error::invalid("id", "refers to something that does not exist")
                } else if db.is_check_violation() {
                    Error::Invalid { detail: "a value is out of range".into(), errors: vec![] }
                } else if let Some(trouble) = storage_trouble(&e) {
                    trouble
                } else {
                    Error::Internal(e.into())
                }
            }
            _ => Error::Internal(e.into()),
        }
    }
}

/// The disk refusing a write, told apart from other database failures: `StorageFull` for
/// SQLITE_FULL, `StorageReadOnly` for SQLITE_READONLY (any of its extended codes). The
/// cause is logged here, once, with SQLite's own words.
fn storage_trouble(e: &sqlx::Error) -> Option<Error> {
    let sqlx::Error::Database(db) = e else { return None };
    let code = db.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(-1);
    match code & 0xff {
        13 => {
            tracing::error!(error = %e, "a write failed: the disk holding the database is full");
            Some(Error::StorageFull)
        }
        8 => {
            tracing::error!(error = %e, "a write failed: the database is read-only");
            Some(Error::StorageReadOnly)
        }
        _ => None,
    }
}

/// Adds the answers a full or read-only disk gives (507 `storage_full`, 503
/// `storage_read_only`) to every operation of `spec` that writes (POST, PUT, PATCH, DELETE),
/// as references to two shared responses in `components.responses`.
pub(crate) fn describe_storage_errors(spec: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    const FULL: &str = "The disk holding the data is full; nothing was saved (`storage_full`)";
    const READ_ONLY: &str = "The database cannot be written; nothing was saved (`storage_read_only`)";
    let answer = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
            )
            .build()
    };
    let components = spec.components.get_or_insert_with(Default::default);
    components.responses.insert("StorageFull".to_owned(), RefOr::T(answer(FULL)));
    components.responses.insert("StorageReadOnly".to_owned(), RefOr::T(answer(READ_ONLY)));
    for item in spec.paths.paths.values_mut() {
        for operation in
            [&mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
        {
            let responses = &mut operation.responses.responses;
            responses
                .entry("507".to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name("StorageFull")));
            match responses.get_mut("503") {
                // A route that already answers 503 for another reason names both.
                Some(RefOr::T(existing)) if !existing.description.contains("storage_read_only") => {
                    existing.description = format!("{}; or: {READ_ONLY}", existing.description);
                }
                Some(_) => {}
                None => {
                    responses
                        .insert("503".to_owned(), RefOr::Ref(Ref::from_response_name("StorageReadOnly")));
                }
            }
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        // A storage failure that travelled inside another error still answers as one.
        let this = match self {
            Error::Internal(e) => {
                match e.chain().find_map(|c| c.downcast_ref::<sqlx::Error>()).and_then(storage_trouble) {
                    Some(trouble) => trouble,
                    None => Error::Internal(e),
                }
            }
            other => other,
        };
        let status = this.status();
        let (detail, errors) = match this {
            Error::Internal(ref e) => {
                tracing::error!(error = ?e, "internal error");
                ("something went wrong on our side".to_owned(), None)
            }
            Error::Invalid { ref detail, ref errors } => (detail.clone(), Some(errors.clone())),
            ref other => (other.to_string(), None),
        };
        let body = ErrorBody { detail, code: this.code().to_owned(), errors };
        let mut response = (status, axum::Json(body)).into_response();
        if let Error::TooManyRequests { retry_after } = this {
            if let Ok(v) = HeaderValue::from_str(&retry_after.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The longest memo, in characters.
pub const MAX_CONTENT_CHARS: usize = 200_000;
/// The longest title of a todo, event or memo, in characters.
pub const MAX_TITLE_CHARS: usize = 500;
/// The longest description of a todo or event, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// The longest location of an event, in characters.
pub const MAX_LOCATION_CHARS: usize = 500;
/// The earliest reminder, in minutes before the item (four weeks).
pub const MAX_REMINDER_MINUTES: i64 = 40_320;
/// The most tags an item carries.
pub const MAX_TAGS: usize = 50;
/// The longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 64;
/// The OpenAPI `pattern` of a text that must not be blank: one character that is not
/// white space.
pub const NOT_BLANK: &str = r"\S";

/// The OpenAPI schema of `tags` where an item is made: the limits [`Checks::tags`] keeps.
pub fn tags_schema() -> utoipa::openapi::schema::Array {
    tags_array(utoipa::openapi::schema::ArrayBuilder::new())
}

/// The OpenAPI schema of `tags` in a change, where `null` is taken as "leave as is".
pub fn nullable_tags_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{SchemaType, Type};
    tags_array(
        utoipa::openapi::schema::ArrayBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Array, Type::Null])),
    )
}

fn tags_array(array: utoipa::openapi::schema::ArrayBuilder) -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let tag = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_TAG_CHARS))
        .pattern(Some(NOT_BLANK));
    array.items(tag).max_items(Some(MAX_TAGS)).build()
}

/// The fields todos, events and memos share, checked alike wherever an item is made or
/// changed (`None`: the request leaves that field as it is). Each limit is written here
/// once.
#[derive(Debug, Default, Clone, Copy)]
pub struct Fields<'a> {
    /// A title that must not be empty (todos, events).
    pub title: Option<&'a str>,
    /// A title that may be empty (a memo takes its first line instead).
    pub optional_title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub location: Option<&'a str>,
    /// A memo's text, which must not be empty.
    pub content: Option<&'a str>,
    pub reminder_minutes: Option<i64>,
    pub tags: Option<&'a [String]>,
}

impl Fields<'_> {
    /// Every mistake at once, as one [`Error::Invalid`].
    pub fn check(&self) -> Result<()> {
        let mut checks = Checks::default();
        if let Some(t) = self.title {
            checks.required_text("title", t, MAX_TITLE_CHARS);
        }
        if let Some(t) = self.optional_title {
            checks.text("title", t, MAX_TITLE_CHARS);
        }
        if let Some(d) = self.description {
            checks.text("description", d, MAX_DESCRIPTION_CHARS);
        }
        if let Some(l) = self.location {
            checks.text("location", l, MAX_LOCATION_CHARS);
        }
        if let Some(c) = self.content {
            checks.required_text("content", c, MAX_CONTENT_CHARS);
        }
        if let Some(r) = self.reminder_minutes {
            checks.check(
                (0..=MAX_REMINDER_MINUTES).contains(&r),
                "reminder_minutes",
                "must be between 0 and 40320 (four weeks)",
            );
        }
        if let Some(tags) = self.tags {
            checks.tags(tags);
        }
        checks.finish()
    }
}

/// Collects field errors so a request with several mistakes hears about all of them.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn check(&mut self, ok: bool, field: &str, message: &str) -> &mut Self {
        if !ok {
            self.0.push(FieldError { field: field.into(), message: message.into() });
        }
        self
    }

    pub fn text(&mut self, field: &str, value: &str, max: usize) -> &mut Self {
        self.check(value.chars().count() <= max, field, &format!("must be at most {max} characters"))
    }

    pub fn required_text(&mut self, field: &str, value: &str, max: usize) -> &mut Self {
        self.check(!value.trim().is_empty(), field, "must not be empty").text(field, value, max)
    }

    pub fn tags(&mut self, tags: &[String]) -> &mut Self {
        self.check(tags.len() <= MAX_TAGS, "tags", "at most 50 tags").check(
            tags.iter().all(|t| !t.trim().is_empty() && t.chars().count() <= MAX_TAG_CHARS),
            "tags",
            "each tag must be 1 to 64 characters",
        )
    }

    pub fn finish(&mut self) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        let errors = std::mem::take(&mut self.0);
        let detail =
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        Err(Error::Invalid { detail, errors })
    }
}
