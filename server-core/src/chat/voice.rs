//! Asking by voice: `/api/chat/voice`. The recording is read here (JSON or a multipart
//! form); checking, transcribing and storing it is the assistant's ([`accept`]).

use axum::extract::{FromRef, FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::brain::AssistantContext;
use crate::brain::pqh;
use crate::brain::voice::{MAX_BODY_BYTES, accept, too_large};
use crate::infra::error::responses::{MalformedJson, NotLoggedIn};
use crate::infra::error::{Error, ErrorBody, Result};
use crate::infra::extract::Json;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VoiceQuery {
    /// The recording, base64.
    #[schema(
        min_length = 1,
        max_length = 13981016,
        pattern = r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)$"
    )]
    pub audio: String,
    /// Such as `audio/webm` or `audio/wav`: wav, webm, ogg, mp3, m4a or flac.
    #[schema(pattern = r"^audio/(wav|x-wav|wave|webm|ogg|mpeg|mp3|mp4|m4a|x-m4a|flac)(;.*)?$")]
    pub mime_type: String,
    #[serde(default, alias = "conversation_id")]
    pub conversation_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoiceAccepted {
    pub message_id: String,
    pub conversation_id: String,
    pub reply_id: String,
    /// What the speech service heard; it is now the user's message.
    pub transcript: String,
    /// Always `delivered`.
    pub status: &'static str,
}

/// Recordings are larger than any other body: this route alone takes up to 10 MB.
pub(super) fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    AssistantContext: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(voice)).layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Accepts `application/json` (`{audio, mimeType, conversation_id?}`) or
/// `multipart/form-data` (a file field `audio`, an optional `conversation_id`).
async fn read(req: Request, state: &AssistantContext) -> Result<VoiceQuery> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if !is_multipart {
        let Json(query) = Json::<VoiceQuery>::from_request(req, state).await?;
        return Ok(query);
    }
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|e| Error::BadRequest { code: "bad_multipart", detail: e.body_text() })?;
    let mut audio = None;
    let mut conversation_id = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            Error::BadRequest { code: "bad_multipart", detail: e.body_text() }
        }
    })? {
        match field.name() {
            Some("audio") => {
                let mime = field.content_type().unwrap_or("application/octet-stream").to_owned();
                let bytes = field.bytes().await.map_err(|_| too_large())?;
                audio = Some((bytes, mime));
            }
            Some("conversation_id") => conversation_id = field.text().await.ok().filter(|t| !t.is_empty()),
            _ => {}
        }
    }
    let (bytes, mime) = audio.ok_or_else(|| Error::invalid("audio", "the form has no audio file"))?;
    Ok(VoiceQuery {
        audio: base64::engine::general_purpose::STANDARD.encode(bytes),
        mime_type: mime,
        conversation_id,
    })
}

/// Ask by voice: the recording is transcribed, stored as the user's message and answered
/// like typed text over the realtime channel.
#[utoipa::path(post, path = "/api/chat/voice", tag = "chat", request_body = VoiceQuery, security(("bearer" = [])),
    responses(
        (status = 202, description = "Transcribed and stored; the answer follows", body = VoiceAccepted),
        MalformedJson,
        NotLoggedIn,
        (status = 404, description = "No such conversation", body = ErrorBody),
        (status = 413, description = "Recording over 10 MB", body = ErrorBody),
        (status = 415, description = "Unsupported audio type", body = ErrorBody),
        (status = 422, description = "Not base64, or nothing heard", body = ErrorBody),
        (status = 502, description = "The speech service failed", body = ErrorBody),
        (status = 503, description = "No speech service is configured", body = ErrorBody),
    ))]
async fn voice(
    State(state): State<AssistantContext>,
    req: Request,
) -> Result<(StatusCode, Json<VoiceAccepted>)> {
    let query = read(req, &state).await?;
    let accepted = accept(&state, query.conversation_id, &query.audio, &query.mime_type).await?;
    let answer = VoiceAccepted {
        message_id: accepted.message_id.clone(),
        conversation_id: accepted.conversation_id.clone(),
        reply_id: accepted.reply_id.clone(),
        transcript: accepted.content.clone(),
        status: "delivered",
    };
    pqh::respond(state, accepted);
    Ok((StatusCode::ACCEPTED, Json(answer)))
}
