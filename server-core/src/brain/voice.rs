//! Voice queries: audio in, transcribed by an OpenAI-compatible speech service
//! (`/v1/audio/transcriptions`, which whisper.cpp and faster-whisper servers speak), then
//! handled exactly like a typed message. The doors are `/api/chat/voice` (in
//! [`crate::chat`]) and the realtime channels' voice frames.

use std::time::Duration;

use base64::Engine as _;

use super::{AssistantContext, pqh};
use crate::infra::error::{Error, Result};

/// The largest recording accepted, decoded.
pub const MAX_AUDIO_BYTES: usize = 10 * 1024 * 1024;
/// The request body may be that much audio in base64, plus a little JSON.
pub const MAX_BODY_BYTES: usize = MAX_AUDIO_BYTES / 3 * 4 + 64 * 1024;

const TYPES: &[(&str, &str)] = &[
    ("audio/wav", "wav"),
    ("audio/x-wav", "wav"),
    ("audio/wave", "wav"),
    ("audio/webm", "webm"),
    ("audio/ogg", "ogg"),
    ("audio/mpeg", "mp3"),
    ("audio/mp3", "mp3"),
    ("audio/mp4", "m4a"),
    ("audio/m4a", "m4a"),
    ("audio/x-m4a", "m4a"),
    ("audio/flac", "flac"),
];

/// The speech service, when configured.
#[derive(Debug, Clone)]
pub struct Stt {
    pub base_url: String,
    pub model: String,
    pub api_key: Option<String>,
    pub client: reqwest::Client,
}

fn extension_for(mime: &str) -> Result<&'static str> {
    let essence = mime.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    TYPES.iter().find(|(t, _)| *t == essence).map(|(_, ext)| *ext).ok_or_else(|| {
        Error::UnsupportedMediaType(format!(
            "audio of type {mime:?} is not supported; send wav, webm, ogg, mp3, m4a or flac"
        ))
    })
}

pub(crate) fn too_large() -> Error {
    Error::PayloadTooLarge { limit: MAX_AUDIO_BYTES }
}

/// Decodes and checks a recording. Shared with the realtime channels' voice frames.
pub fn decode(audio_b64: &str, mime: &str) -> Result<(Vec<u8>, &'static str)> {
    let ext = extension_for(mime)?;
    if audio_b64.len() > MAX_AUDIO_BYTES / 3 * 4 + 4 {
        return Err(too_large());
    }
    let audio = base64::engine::general_purpose::STANDARD
        .decode(audio_b64.trim())
        .map_err(|e| Error::invalid("audio", format!("is not valid base64: {e}")))?;
    if audio.is_empty() {
        return Err(Error::invalid("audio", "is empty"));
    }
    if audio.len() > MAX_AUDIO_BYTES {
        return Err(too_large());
    }
    Ok((audio, ext))
}

impl Stt {
    /// The text the service heard.
    pub async fn transcribe(&self, audio: Vec<u8>, ext: &str, mime: &str) -> Result<String> {
        let part = reqwest::multipart::Part::bytes(audio)
            .file_name(format!("voice.{ext}"))
            .mime_str(mime)
            .map_err(|_| Error::UnsupportedMediaType(format!("{mime:?} is not a media type")))?;
        let form = reqwest::multipart::Form::new().part("file", part).text("model", self.model.clone());
        let url = format!(
            "{}/v1/audio/transcriptions",
            self.base_url.trim_end_matches('/').trim_end_matches("/v1")
        );
        let mut request = self.client.post(url).multipart(form).timeout(Duration::from_secs(120));
        if let Some(key) = self.api_key.as_deref().filter(|k| !k.is_empty()) {
            request = request.bearer_auth(key);
        }
        let failed = |why: String| Error::Upstream { code: "stt_failed", detail: why };
        let response = request
            .send()
            .await
            .map_err(|e| failed(format!("the speech service did not answer ({})", e.without_url())))?;
        if !response.status().is_success() {
            return Err(failed(format!("the speech service answered {}", response.status())));
        }
        let body: serde_json::Value = response
            .json()
            .await
            .map_err(|_| failed("the speech service sent something unreadable".into()))?;
        let text = body.get("text").and_then(|t| t.as_str()).map(str::trim).unwrap_or("");
        if text.is_empty() {
            return Err(Error::invalid("audio", "no speech was heard in the recording"));
        }
        Ok(text.to_owned())
    }
}

/// Checks a recording, has it transcribed and stores the text as the user's message, as
/// [`pqh::accept`] does for typed text; every voice door (REST, Socket.IO) goes through here.
pub async fn accept(
    state: &AssistantContext,
    conversation_id: Option<String>,
    audio_b64: &str,
    mime: &str,
) -> Result<pqh::Accepted> {
    let (audio, ext) = decode(audio_b64, mime)?;
    let Some(stt) = state.brain.stt.clone() else {
        return Err(Error::Unconfigured {
            code: "stt_unavailable",
            detail: "no speech service is set up (STT_BASE_URL); type the request instead".into(),
        });
    };
    let transcript = stt.transcribe(audio, ext, mime).await?;
    pqh::accept(state, conversation_id, transcript).await
}
