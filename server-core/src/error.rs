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
                let msg = db.message().to_owned();
                if db.is_unique_violation() {
                    Error::Conflict { code: "conflict", detail: "that already exists".into() }
                } else if db.is_foreign_key_violation() {
                    Error::invalid("id", "refers to something that does not exist")
                } else if db.is_check_violation() {
                    Error::Invalid { detail: "a value is out of range".into(), errors: vec![] }
                } else if msg.contains("database or disk is full") || msg.contains("readonly") {
                    tracing::error!(error = %e, "the database cannot take writes");
                    Error::Unavailable
                } else {
                    Error::Internal(e.into())
                }
            }
            _ => Error::Internal(e.into()),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let (detail, errors) = match self {
            Error::Internal(ref e) => {
                tracing::error!(error = ?e, "internal error");
                ("something went wrong on our side".to_owned(), None)
            }
            Error::Invalid { ref detail, ref errors } => (detail.clone(), Some(errors.clone())),
            ref other => (other.to_string(), None),
        };
        let body = ErrorBody { detail, code: self.code().to_owned(), errors };
        let mut response = (status, axum::Json(body)).into_response();
        if let Error::TooManyRequests { retry_after } = self {
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
        self.check(tags.len() <= 50, "tags", "at most 50 tags").check(
            tags.iter().all(|t| !t.trim().is_empty() && t.chars().count() <= 64),
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
