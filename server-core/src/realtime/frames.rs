//! Client-to-server frames, parsed once at the edge into an enum.

use serde::Deserialize;
use serde_json::Value;

#[derive(ts_rs::TS, Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "type", content = "data")]
pub enum ClientFrame {
    /// `connection_id` names this connection (see [`crate::protocol::connection_id`]), so
    /// that a message sent over REST naming it has its answer streamed here.
    #[serde(rename = "auth")]
    Auth {
        token: String,
        #[serde(default)]
        #[ts(optional)]
        connection_id: Option<String>,
    },
    #[serde(rename = "send_message")]
    SendMessage {
        #[serde(default)]
        conversation_id: Option<String>,
        content: String,
    },
    #[serde(rename = "task:result")]
    TaskResult { task_id: String, result: Value },
    #[serde(rename = "task:approve")]
    TaskApprove { task_id: String },
    #[serde(rename = "task:deny")]
    TaskDeny {
        task_id: String,
        #[serde(default)]
        reason: Option<String>,
    },
    #[serde(rename = "action_response")]
    ActionResponse {
        message_id: String,
        action: String,
        #[serde(default)]
        params: Value,
    },
    #[serde(rename = "ping")]
    Ping,
    /// Not in the contract's `/ws` list: Socket.IO's `client:register`, taken over as is.
    /// This connection runs those host tools from now on.
    #[serde(rename = "client:register")]
    ClientRegister { tools: Vec<String> },
}

/// Parses one text frame; the error says what was wrong, for the client's `error` frame.
/// `{"type": "ping"}` and `{"type": "ping", "data": {}}` are both a ping.
pub fn parse(text: &str) -> Result<ClientFrame, String> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if let Some(map) = value.as_object_mut() {
        if map.get("type").and_then(Value::as_str) == Some("ping") {
            map.remove("data");
        }
    }
    serde_json::from_value(value).map_err(|e| format!("not a frame this server knows: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse_by_their_contract_names() {
        assert_eq!(parse(r#"{"type":"ping"}"#), Ok(ClientFrame::Ping));
        assert_eq!(parse(r#"{"type":"ping","data":{}}"#), Ok(ClientFrame::Ping));
        assert_eq!(
            parse(r#"{"type":"task:deny","data":{"task_id":"t"}}"#),
            Ok(ClientFrame::TaskDeny { task_id: "t".into(), reason: None })
        );
        assert_eq!(
            parse(r#"{"type":"client:register","data":{"tools":["file_read"]}}"#),
            Ok(ClientFrame::ClientRegister { tools: vec!["file_read".into()] })
        );
        assert!(matches!(
            parse(r#"{"type":"send_message","data":{"content":"hi"}}"#),
            Ok(ClientFrame::SendMessage { conversation_id: None, .. })
        ));
    }

    #[test]
    fn garbage_is_an_error_with_a_reason_not_a_panic() {
        assert!(parse("{").is_err());
        assert!(parse(r#"{"type":"launch_missiles"}"#).is_err());
        assert!(parse(r#"{"type":"send_message","data":{"content":5}}"#).is_err());
        assert!(parse("[]").is_err());
    }
}
