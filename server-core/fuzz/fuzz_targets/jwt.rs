//! Access tokens: any string is refused or accepted without a panic, and a token is only
//! accepted when it is HS256, signed with the server's secret, for the `clawchat` audience
//! and not expired. The fuzzer gets to write header and claims and have them signed with
//! the real secret, so it can reach every check after the signature.
//!
//! Input: one byte choosing the mode (even: the rest is a raw token; odd: the rest is a
//! header and claims separated by a newline).
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clawchat_server::auth::Tokens;
use hmac::{Hmac, Mac as _};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sha2::Sha256;

const SECRET: &[u8] = b"fuzzing-secret-0123456789abcdef0123456789";

fuzz_target!(|data: &[u8]| {
    let tokens = Tokens::new(SECRET, 3600, 86_400_000);
    let Some((&mode, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    match mode % 2 {
        // Whatever arrives in an `Authorization` header.
        0 => {
            let token = text;
            // Without the secret, nothing passes (the chance of guessing a MAC is nil).
            assert!(tokens.verify_access(&token).is_err(), "accepted an unsigned token: {token}");
        }
        // Header and claims of the fuzzer's choosing (split at the first newline), signed
        // with the real secret.
        _ => {
            let (header, claims) = text.split_once('\n').unwrap_or((text.as_ref(), ""));
            let signing_input =
                format!("{}.{}", URL_SAFE_NO_PAD.encode(&header), URL_SAFE_NO_PAD.encode(&claims));
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(SECRET) else { return };
            mac.update(signing_input.as_bytes());
            let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
            if tokens.verify_access(&token).is_ok() {
                let header: Value = serde_json::from_str(&header).expect("an accepted header is JSON");
                assert_eq!(header["alg"], "HS256", "accepted another algorithm: {header}");
                let claims: Value = serde_json::from_str(&claims).expect("accepted claims are JSON");
                let aud_ok = claims["aud"] == "clawchat"
                    || claims["aud"].as_array().is_some_and(|a| a.iter().any(|v| v == "clawchat"));
                assert!(aud_ok, "accepted a foreign audience: {claims}");
                let exp = claims["exp"].as_f64().expect("an accepted token expires");
                let now = chrono::Utc::now().timestamp() as f64;
                // The server allows 5 s of leeway.
                assert!(exp + 6.0 >= now, "accepted an expired token: {claims}");
                assert!(claims["sid"].is_string() && claims["sub"].is_string(), "{claims}");
            }
        }
    }
});
