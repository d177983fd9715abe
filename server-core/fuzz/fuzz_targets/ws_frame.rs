//! The `/ws` frame decoder: any text frame is a frame or an error message, never a panic,
//! and the same input always decodes the same way.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let first = clawchat_server::realtime::parse_frame(&text);
    assert_eq!(first, clawchat_server::realtime::parse_frame(&text));
    if let Err(message) = first {
        assert!(!message.is_empty(), "an error says what was wrong");
    }
});
