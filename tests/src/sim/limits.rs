//! Discord's request body limits, answered with `50035 Invalid Form Body` like Discord.

use serde_json::{json, Map, Value};

use super::error::ApiError;

/// Collects `errors` in Discord's nested shape: `{"embeds": {"0": {"title": {"_errors": [...]}}}}`.
#[derive(Default)]
struct Errors(Map<String, Value>);

impl Errors {
    fn add(&mut self, path: &[&str], code: &str, message: &str) {
        let mut node = &mut self.0;
        for seg in path {
            node = node
                .entry((*seg).to_owned())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("error tree nodes are objects");
        }
        let list = node.entry("_errors").or_insert_with(|| json!([]));
        if let Some(list) = list.as_array_mut() {
            list.push(json!({"code": code, "message": message}));
        }
    }

    fn max_len(&mut self, path: &[&str], value: Option<&str>, max: usize) -> usize {
        let len = value.map_or(0, |s| s.chars().count());
        if len > max {
            self.add(
                path,
                "BASE_TYPE_MAX_LENGTH",
                &format!("Must be {max} or fewer in length."),
            );
        }
        len
    }

    fn into_result(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid_form(Value::Object(self.0)))
        }
    }
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn non_empty_array(v: &Value, key: &str) -> bool {
    v.get(key)
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

/// Validates a message create/edit body. `files` is the number of uploaded files; `create`
/// enables the empty-message check (edits may clear fields).
pub fn validate_message(body: &Value, files: usize, create: bool) -> Result<(), ApiError> {
    let mut errors = Errors::default();
    errors.max_len(&["content"], str_at(body, "content"), 2000);
    if let Some(embeds) = body.get("embeds").and_then(Value::as_array) {
        if embeds.len() > 10 {
            errors.add(
                &["embeds"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 10 or fewer in length.",
            );
        }
        let mut total = 0;
        for (i, e) in embeds.iter().enumerate() {
            let idx = i.to_string();
            total += errors.max_len(&["embeds", &idx, "title"], str_at(e, "title"), 256);
            total += errors.max_len(
                &["embeds", &idx, "description"],
                str_at(e, "description"),
                4096,
            );
            if let Some(footer) = e.get("footer") {
                total += errors.max_len(
                    &["embeds", &idx, "footer", "text"],
                    str_at(footer, "text"),
                    2048,
                );
            }
            if let Some(author) = e.get("author") {
                total += errors.max_len(
                    &["embeds", &idx, "author", "name"],
                    str_at(author, "name"),
                    256,
                );
            }
            if let Some(fields) = e.get("fields").and_then(Value::as_array) {
                if fields.len() > 25 {
                    errors.add(
                        &["embeds", &idx, "fields"],
                        "BASE_TYPE_MAX_LENGTH",
                        "Must be 25 or fewer in length.",
                    );
                }
                for (j, f) in fields.iter().enumerate() {
                    let jdx = j.to_string();
                    for (key, max) in [("name", 256), ("value", 1024)] {
                        let path = ["embeds", &idx, "fields", &jdx, key];
                        match str_at(f, key) {
                            None | Some("") => {
                                errors.add(&path, "BASE_TYPE_REQUIRED", "This field is required");
                            }
                            s => total += errors.max_len(&path, s, max),
                        }
                    }
                }
            }
        }
        if total > 6000 {
            errors.add(
                &["embeds"],
                "MAX_EMBED_SIZE_EXCEEDED",
                "Embed size exceeds maximum size of 6000",
            );
        }
    }
    validate_components(body, &mut errors);
    validate_allowed_mentions(body, &mut errors);
    errors.into_result()?;
    if create {
        let content_empty = str_at(body, "content").is_none_or(str::is_empty);
        let has_other = non_empty_array(body, "embeds")
            || non_empty_array(body, "components")
            || non_empty_array(body, "sticker_ids")
            || body.get("poll").is_some_and(|p| !p.is_null())
            || files > 0;
        if content_empty && !has_other {
            return Err(ApiError::empty_message());
        }
    }
    Ok(())
}

fn validate_components(body: &Value, errors: &mut Errors) {
    let Some(rows) = body.get("components").and_then(Value::as_array) else {
        return;
    };
    if rows.len() > 5 {
        errors.add(
            &["components"],
            "BASE_TYPE_MAX_LENGTH",
            "Must be 5 or fewer in length.",
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let idx = i.to_string();
        let Some(children) = row.get("components").and_then(Value::as_array) else {
            continue;
        };
        if children.len() > 5 {
            errors.add(
                &["components", &idx, "components"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 5 or fewer in length.",
            );
        }
        for (j, c) in children.iter().enumerate() {
            let jdx = j.to_string();
            errors.max_len(
                &["components", &idx, "components", &jdx, "custom_id"],
                str_at(c, "custom_id"),
                100,
            );
            errors.max_len(
                &["components", &idx, "components", &jdx, "label"],
                str_at(c, "label"),
                80,
            );
        }
    }
}

fn validate_allowed_mentions(body: &Value, errors: &mut Errors) {
    let Some(am) = body.get("allowed_mentions").filter(|v| v.is_object()) else {
        return;
    };
    let parse: Vec<&str> = am
        .get("parse")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (kind, list) in [("users", "users"), ("roles", "roles")] {
        if parse.contains(&kind) && non_empty_array(am, list) {
            errors.add(
                &["allowed_mentions"],
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                &format!("parse:[\"{kind}\"] and {list}: [ids...] are mutually exclusive."),
            );
        }
    }
}

/// Validates a channel create/modify body.
pub fn validate_channel(body: &Value, create: bool) -> Result<(), ApiError> {
    let mut errors = Errors::default();
    match body.get("name") {
        Some(Value::String(name)) => {
            let len = name.chars().count();
            if len == 0 || len > 100 {
                errors.add(
                    &["name"],
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                );
            }
        }
        None if create => errors.add(&["name"], "BASE_TYPE_REQUIRED", "This field is required"),
        _ => {}
    }
    errors.max_len(&["topic"], str_at(body, "topic"), 1024);
    if let Some(t) = body.get("type").and_then(Value::as_u64) {
        if ![0, 2, 4, 5, 13, 15, 16].contains(&t) {
            errors.add(
                &["type"],
                "BASE_TYPE_CHOICES",
                &format!("Value must be one of {{0, 2, 4, 5, 13, 15, 16}}. Got {t}"),
            );
        }
    }
    errors.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_limit_and_empty() {
        assert!(validate_message(&json!({"content": "x".repeat(2000)}), 0, true).is_ok());
        let err = validate_message(&json!({"content": "x".repeat(2001)}), 0, true).unwrap_err();
        assert_eq!(err.code(), 50035);
        assert!(err.body["errors"]["content"]["_errors"].is_array());
        assert_eq!(
            validate_message(&json!({}), 0, true).unwrap_err().code(),
            50006
        );
        assert!(validate_message(&json!({}), 1, true).is_ok());
    }

    #[test]
    fn embed_limits() {
        let big = json!({"embeds": [{"description": "d".repeat(4000)}, {"description": "d".repeat(2001)}]});
        let err = validate_message(&big, 0, true).unwrap_err();
        assert_eq!(
            err.body["errors"]["embeds"]["_errors"][0]["code"],
            "MAX_EMBED_SIZE_EXCEEDED"
        );
        let fields: Vec<Value> = (0..26)
            .map(|_| json!({"name": "a", "value": "b"}))
            .collect();
        let err = validate_message(&json!({"embeds": [{"fields": fields}]}), 0, true).unwrap_err();
        assert!(err.body["errors"]["embeds"]["0"]["fields"]["_errors"].is_array());
    }
}
