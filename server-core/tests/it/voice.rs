//! Voice queries: a stand-in transcription service on loopback speaks the OpenAI
//! `/v1/audio/transcriptions` form; without one, the user is told plainly.

use axum::Router;
use axum::extract::Multipart;
use axum::routing::post;
use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::json;

use crate::brain::wait_for;
use crate::common::{Options, TestServer, assert_error_code, send, str_field};

/// A transcription service that checks the form and "hears" a fixed sentence.
async fn stand_in_stt(heard: &'static str) -> String {
    let app = Router::new().route(
        "/v1/audio/transcriptions",
        post(move |mut form: Multipart| async move {
            let (mut model, mut file_bytes) = (None, 0);
            while let Some(field) = form.next_field().await.unwrap() {
                match field.name() {
                    Some("model") => model = Some(field.text().await.unwrap()),
                    Some("file") => file_bytes = field.bytes().await.unwrap().len(),
                    _ => {}
                }
            }
            assert_eq!(model.as_deref(), Some("whisper-1"));
            assert!(file_bytes > 0);
            axum::Json(json!({ "text": heard }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn wav() -> String {
    // A tiny RIFF header and some samples: the stand-in never decodes it.
    let mut bytes = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
    bytes.extend(std::iter::repeat_n(0u8, 64));
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn without_a_speech_service_the_answer_is_stt_unavailable_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let (status, body) =
        send(server.post("/api/chat/voice", &token).json(&json!({"audio": wav(), "mimeType": "audio/wav"})))
            .await;
    assert_error_code(status, &body, StatusCode::SERVICE_UNAVAILABLE, "stt_unavailable");
    assert_eq!(server.total("/api/chat/conversations", &token).await, 0);
}

#[tokio::test]
async fn bad_audio_gets_its_own_clear_error() {
    let server = TestServer::start().await;
    let token = server.token().await;
    let voice = |body: serde_json::Value| send(server.post("/api/chat/voice", &token).json(&body));
    let (status, body) = voice(json!({"audio": "not base64!!", "mimeType": "audio/wav"})).await;
    assert_error_code(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "audio");
    let (status, body) = voice(json!({"audio": wav(), "mimeType": "text/plain"})).await;
    assert_error_code(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let eleven_mb = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 11 * 1024 * 1024]);
    let (status, body) = voice(json!({"audio": eleven_mb, "mimeType": "audio/wav"})).await;
    assert_error_code(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn a_voice_query_becomes_the_right_todo() {
    let stt = stand_in_stt("remind me to call the dentist tomorrow at 3pm").await;
    let server = TestServer::start_with(Options {
        extra_args: vec!["--stt-base-url".into(), stt],
        ..Options::default()
    })
    .await;
    let token = server.token().await;
    let mut rx = server.state.bus.subscribe();
    let (status, accepted) =
        send(server.post("/api/chat/voice", &token).json(&json!({"audio": wav(), "mimeType": "audio/wav"})))
            .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    assert_eq!(accepted["transcript"], "remind me to call the dentist tomorrow at 3pm");
    let reply = str_field(&accepted, "reply_id");
    wait_for(&mut rx, |e| matches!(e, clawchat_server::bus::ServerEvent::StreamEnd { message_id, .. } if *message_id == reply)).await;
    let todos = server.get_ok("/api/todos", &token).await;
    assert_eq!(todos["items"][0]["title"], "call the dentist");

    // The same recording as a multipart upload works too.
    let bytes = base64::engine::general_purpose::STANDARD.decode(wav()).unwrap();
    let form = reqwest::multipart::Form::new().part(
        "audio",
        reqwest::multipart::Part::bytes(bytes).file_name("v.wav").mime_str("audio/wav").unwrap(),
    );
    let (status, accepted) = send(server.post("/api/chat/voice", &token).multipart(form)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
}
