//! Reassembly of streamed tool calls.
//!
//! Servers disagree on how they cut tool calls into stream fragments:
//! - OpenAI: the first fragment of a call has `index`, `id` and `function.name`; later ones carry only
//!   `index` and a piece of the `function.arguments` string.
//! - Ollama's OpenAI-compatible endpoint: every call arrives complete in one fragment, but parallel calls
//!   all say `index: 0` (distinct ids), and older versions send no `index` at all.
//! - Some servers send `arguments` as a JSON object instead of a string holding JSON.
//!
//! So fragments are keyed by id when they have one, and by index (or recency) when they do not.

use std::collections::HashSet;

use serde_json::Value;

use super::error::LlmError;
use super::types::ToolCall;

/// One `tool_calls[]` entry of a stream delta, already pulled out of the wire JSON.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ToolCallFragment {
    pub index: Option<u64>,
    pub id: Option<String>,
    pub name: Option<String>,
    /// A piece of a JSON string, or a whole JSON value from servers that send objects.
    pub arguments: Option<Value>,
}

#[derive(Debug)]
enum Arguments {
    /// Concatenated string pieces, parsed at the end.
    Text(String),
    /// A server sent the arguments already as a JSON value.
    Value(Value),
}

#[derive(Debug)]
struct PartialCall {
    id: Option<String>,
    index: Option<u64>,
    name: String,
    arguments: Arguments,
}

impl PartialCall {
    /// Whether the arguments so far already form a complete JSON value, meaning a further id-less fragment
    /// that names a function must be a new call rather than more of this one.
    fn arguments_complete(&self) -> bool {
        match &self.arguments {
            Arguments::Value(_) => true,
            Arguments::Text(text) => {
                !text.trim().is_empty() && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
            }
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct ToolCallAssembler {
    calls: Vec<PartialCall>,
}

impl ToolCallAssembler {
    pub fn push(&mut self, fragment: ToolCallFragment) {
        let id = fragment.id.filter(|id| !id.trim().is_empty());
        let name = fragment.name.filter(|name| !name.trim().is_empty());

        let target = match &id {
            // An id we have not seen starts a new call, whatever its index says (Ollama's parallel calls).
            Some(id) => self.calls.iter().rposition(|call| call.id.as_ref() == Some(id)),
            None => {
                let found = match fragment.index {
                    Some(index) => self.calls.iter().rposition(|call| call.index == Some(index)),
                    None => self.calls.len().checked_sub(1),
                };
                // Without an id, a fragment naming a function after the previous call is already complete is
                // the next parallel call (id-less, index-less servers), not a continuation.
                found.filter(|&at| {
                    let call = &self.calls[at];
                    name.is_none() || call.name.is_empty() || !call.arguments_complete()
                })
            }
        };

        let at = match target {
            Some(at) => at,
            None => {
                self.calls.push(PartialCall {
                    id,
                    index: fragment.index,
                    name: String::new(),
                    arguments: Arguments::Text(String::new()),
                });
                self.calls.len() - 1
            }
        };
        let call = &mut self.calls[at];
        // The name comes whole in one fragment; servers that repeat it on later fragments must not make it
        // `get_weatherget_weather`, so it is set once.
        if call.name.is_empty() {
            if let Some(name) = name {
                call.name = name;
            }
        }
        match fragment.arguments {
            None | Some(Value::Null) => {}
            Some(Value::String(piece)) => match &mut call.arguments {
                Arguments::Text(text) => text.push_str(&piece),
                Arguments::Value(_) => {
                    tracing::debug!(tool = %call.name, "ignoring argument text after a JSON-object argument");
                }
            },
            Some(value) => call.arguments = Arguments::Value(value),
        }
    }

    /// Completes every call: parses arguments and gives id-less calls a deterministic id.
    pub fn finish(self) -> Result<Vec<ToolCall>, LlmError> {
        let mut taken: HashSet<String> = self.calls.iter().filter_map(|call| call.id.clone()).collect();
        let mut out = Vec::with_capacity(self.calls.len());
        for (position, call) in self.calls.into_iter().enumerate() {
            if call.name.is_empty() {
                let raw = match &call.arguments {
                    Arguments::Text(text) => text.clone(),
                    Arguments::Value(value) => value.to_string(),
                };
                return Err(LlmError::Protocol {
                    detail: format!("a tool call has no function name (arguments: {raw:?})"),
                });
            }
            let id = match call.id {
                Some(id) => id,
                None => {
                    let mut n = position;
                    while taken.contains(&format!("call_{n}")) {
                        n += 1;
                    }
                    let id = format!("call_{n}");
                    taken.insert(id.clone());
                    id
                }
            };
            let arguments = parse_arguments(&call.name, call.arguments)?;
            out.push(ToolCall { id, name: call.name, arguments });
        }
        Ok(out)
    }
}

fn parse_arguments(name: &str, arguments: Arguments) -> Result<Value, LlmError> {
    let invalid = |raw: String| LlmError::InvalidToolArguments { name: name.to_owned(), raw };
    let value = match arguments {
        Arguments::Value(value) => value,
        Arguments::Text(text) if text.trim().is_empty() => return Ok(Value::Object(Default::default())),
        Arguments::Text(text) => match serde_json::from_str::<Value>(&text) {
            Ok(value) => value,
            Err(_) => return Err(invalid(text)),
        },
    };
    match value {
        Value::Object(_) => Ok(value),
        Value::Null => Ok(Value::Object(Default::default())),
        // Some models encode the arguments twice: a JSON string whose content is the JSON object.
        Value::String(inner) => match serde_json::from_str::<Value>(&inner) {
            Ok(object @ Value::Object(_)) => Ok(object),
            _ => Err(invalid(Value::String(inner).to_string())),
        },
        // Function arguments are always an object; anything else cannot be matched to the tool's schema.
        other => Err(invalid(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn frag(
        index: Option<u64>,
        id: Option<&str>,
        name: Option<&str>,
        arguments: Option<Value>,
    ) -> ToolCallFragment {
        ToolCallFragment { index, id: id.map(str::to_owned), name: name.map(str::to_owned), arguments }
    }

    fn text(s: &str) -> Option<Value> {
        Some(Value::String(s.to_owned()))
    }

    fn assemble(fragments: Vec<ToolCallFragment>) -> Result<Vec<ToolCall>, LlmError> {
        let mut assembler = ToolCallAssembler::default();
        for fragment in fragments {
            assembler.push(fragment);
        }
        assembler.finish()
    }

    #[test]
    fn openai_fragments_interleaved_by_index() {
        let calls = assemble(vec![
            frag(Some(0), Some("call_a"), Some("get_weather"), text("")),
            frag(Some(1), Some("call_b"), Some("add_todo"), text("")),
            frag(Some(0), None, None, text("{\"ci")),
            frag(Some(1), None, None, text("{\"title\":")),
            frag(Some(0), None, None, text("ty\":\"Paris\"}")),
            frag(Some(1), None, None, text("\"milk\"}")),
        ])
        .unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!((calls[0].id.as_str(), calls[0].name.as_str()), ("call_a", "get_weather"));
        assert_eq!(calls[0].arguments, json!({"city": "Paris"}));
        assert_eq!(calls[1].arguments, json!({"title": "milk"}));
    }

    #[test]
    fn ollama_parallel_calls_share_index_zero() {
        let calls = assemble(vec![
            frag(Some(0), Some("call_x"), Some("a"), text("{\"n\":1}")),
            frag(Some(0), Some("call_y"), Some("b"), text("{\"n\":2}")),
        ])
        .unwrap();
        assert_eq!(calls.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["call_x", "call_y"]);
        assert_eq!(calls[1].arguments, json!({"n": 2}));
    }

    #[test]
    fn no_id_no_index_complete_calls_stay_separate() {
        let calls = assemble(vec![
            frag(None, None, Some("a"), Some(json!({"n": 1}))),
            frag(None, None, Some("a"), text("{\"n\":2}")),
        ])
        .unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].id, "call_0");
        assert_eq!(calls[1].id, "call_1");
        assert_eq!(calls[1].arguments, json!({"n": 2}));
    }

    #[test]
    fn repeated_name_and_id_do_not_duplicate() {
        let calls = assemble(vec![
            frag(Some(0), Some("c1"), Some("search"), text("{\"q\":")),
            frag(Some(0), Some("c1"), Some("search"), text("\"x\"}")),
            frag(None, None, Some("other"), text("{}")),
        ])
        .unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].name, "search");
        assert_eq!(calls[0].arguments, json!({"q": "x"}));
        assert_eq!(calls[1].name, "other");
    }

    #[test]
    fn argument_edge_cases() {
        let calls = assemble(vec![
            frag(Some(0), Some("e"), Some("empty"), text("  ")),
            frag(Some(1), Some("n"), Some("null"), Some(Value::Null)),
            frag(Some(2), Some("d"), Some("double"), text("\"{\\\"a\\\":1}\"")),
        ])
        .unwrap();
        assert_eq!(calls[0].arguments, json!({}));
        assert_eq!(calls[1].arguments, json!({}));
        assert_eq!(calls[2].arguments, json!({"a": 1}));

        let err = assemble(vec![frag(None, None, Some("t"), text("{\"a\":"))]).unwrap_err();
        assert_eq!(err, LlmError::InvalidToolArguments { name: "t".into(), raw: "{\"a\":".into() });
        let err = assemble(vec![frag(None, None, Some("t"), text("[1,2]"))]).unwrap_err();
        assert_eq!(err.reason_code(), "invalid_tool_arguments");
        let err = assemble(vec![frag(None, Some("x"), None, text("{}"))]).unwrap_err();
        assert_eq!(err.reason_code(), "model_bad_response");
    }

    #[test]
    fn generated_ids_avoid_server_ids() {
        let calls = assemble(vec![
            frag(Some(0), Some("call_1"), Some("a"), text("{}")),
            frag(Some(1), None, Some("b"), text("{}")),
        ])
        .unwrap();
        assert_eq!(calls[0].id, "call_1");
        assert_eq!(calls[1].id, "call_2");
    }
}
