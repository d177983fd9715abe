//! Our own `Json` and `Query` extractors, so a malformed request gets the contract's error
//! shape with the offending field named, not axum's plain-text rejection.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::infra::error::{Error, FieldError};

/// A JSON request body (and a JSON answer). Requires `Content-Type: application/json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(Error::UnsupportedMediaType(
                "send the body as JSON with Content-Type: application/json".into(),
            ));
        }
        let limit_hint = req.extensions().get::<BodyLimit>().map_or(0, |l| l.0);
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge { limit: limit_hint }
            } else {
                Error::BadRequest {
                    code: "unreadable_body",
                    detail: "the request body could not be read".into(),
                }
            }
        })?;
        decode_json(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// The configured body limit, so a 413 can say what it is.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses JSON, telling apart broken JSON (400) from well-formed JSON with wrong values (422).
/// Every body we take is an object: serde would otherwise read a struct from an array by
/// position, and `["Buy milk"]` would quietly become a todo.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let starts_as_object = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if !starts_as_object {
        return Err(match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Ok(_) => Error::invalid("body", "must be a JSON object"),
            Err(e) => Error::BadRequest {
                code: "malformed_json",
                detail: format!("the body is not valid JSON: {e}"),
            },
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() || inner.is_io() {
                return Err(Error::BadRequest {
                    code: "malformed_json",
                    detail: format!("the body is not valid JSON: {inner}"),
                });
            }
            Err(field_error(&path, &inner.to_string()))
        }
    }
}

/// Turns a serde message into a field error, pulling the field's name out of
/// "missing field `x`" where serde reports the parent as the path.
fn field_error(path: &str, message: &str) -> Error {
    // serde_json appends " at line 1 column 7"; that is noise to a person filling a form.
    let message = message.split(" at line ").next().unwrap_or(message).to_owned();
    let field = match message.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
        Some(name) if path == "." || path.is_empty() => name.to_owned(),
        Some(name) => format!("{path}.{name}"),
        None if path == "." || path.is_empty() => "body".to_owned(),
        None => path.to_owned(),
    };
    Error::Invalid { detail: format!("{field}: {message}"), errors: vec![FieldError { field, message }] }
}

/// Query-string parameters, with the same error shape as [`Json`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize::<_, T>(de).map(Query).map_err(|e| {
            let path = e.path().to_string();
            field_error(&path, &e.into_inner().to_string())
        })
    }
}
