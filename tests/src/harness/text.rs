//! Reading what a simulated message shows: its content and its embeds' text, flattened for
//! assertions.

use serde_json::Value;

use crate::sim::Message;

fn push(out: &mut String, v: Option<&Value>) {
    if let Some(s) = v.and_then(Value::as_str) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(s);
    }
}

/// The message's content, then each embed's title, author, description, fields and footer.
pub fn text_of(m: &Message) -> String {
    let mut out = m.content.clone();
    for e in &m.embeds {
        push(&mut out, e.get("title"));
        push(&mut out, e.get("author").and_then(|a| a.get("name")));
        push(&mut out, e.get("description"));
        if let Some(fields) = e.get("fields").and_then(Value::as_array) {
            for f in fields {
                push(&mut out, f.get("name"));
                push(&mut out, f.get("value"));
            }
        }
        push(&mut out, e.get("footer").and_then(|f| f.get("text")));
    }
    out
}

/// The first embed's description, if any (the relayed text in embed mode).
pub fn description(m: &Message) -> Option<String> {
    m.embeds
        .first()
        .and_then(|e| e.get("description"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}
