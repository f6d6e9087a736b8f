//! Validation of request bodies against Discord's official OpenAPI 3.1 spec.
//!
//! The spec is JSON Schema 2020-12 compatible (OpenAPI 3.1), so each operation's request schema
//! is compiled with the spec's `components` embedded, so `#/components/schemas/...` refs resolve.
//! Documented relaxations (Discord accepts these, the spec is stricter than the API):
//! - `SnowflakeType` also accepts non-negative integers (serenity sends new attachment ids as
//!   numbers);
//! - permission bitsets in request schemas (`allow`, `deny`, `permissions`,
//!   `default_member_permissions`) also accept decimal strings, which is how serenity (and
//!   Discord's own docs) serialize them.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde_json::{json, Value};

/// Errors loading the spec.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("cannot parse {path}: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// The document is not an OpenAPI spec with `paths` and `components`.
    #[error("not an OpenAPI document: {0}")]
    Shape(&'static str),
}

/// Where the spec lives: `$DISCORD_API_SPEC`, else `../shared/discord-api-spec/openapi.json`
/// relative to the repository root.
pub fn spec_path() -> PathBuf {
    if let Ok(p) = std::env::var("DISCORD_API_SPEC") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/discord-api-spec/openapi.json")
}

type Compiled = Arc<Result<jsonschema::Validator, String>>;

const PERMISSION_FIELDS: [&str; 4] = ["allow", "deny", "permissions", "default_member_permissions"];

/// Lets integer permission fields of request schemas also be decimal strings.
fn relax_permission_strings(components: &mut Value) {
    let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, schema) in schemas.iter_mut() {
        if !(name.ends_with("Request") || name.ends_with("RequestPartial")) {
            continue;
        }
        relax_properties(schema);
    }
}

/// Lets the integer permission fields of one object schema also be decimal strings (request
/// schemas in `components`, and inline request bodies such as `PUT .../permissions/{id}`'s).
fn relax_properties(schema: &mut Value) {
    let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for field in PERMISSION_FIELDS {
        let Some(prop) = props.get_mut(field) else {
            continue;
        };
        let is_integer = match prop.get("type") {
            Some(Value::String(t)) => t == "integer",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
            _ => false,
        };
        if is_integer {
            let strict = prop.take();
            *prop = json!({"anyOf": [strict, {"type": "string", "pattern": "^[0-9]+$"}]});
        }
    }
}

/// Validates request bodies against the spec's `requestBody` schemas.
pub struct SpecValidator {
    /// `(segments, template)` for every path in the spec.
    templates: Vec<(Vec<String>, String)>,
    paths: Value,
    components: Value,
    cache: Mutex<HashMap<(String, String), Compiled>>,
}

impl std::fmt::Debug for SpecValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpecValidator")
            .field("paths", &self.templates.len())
            .finish_non_exhaustive()
    }
}

impl SpecValidator {
    /// Loads the spec from [`spec_path`].
    pub fn load() -> Result<Self, SpecError> {
        Self::load_from(&spec_path())
    }

    /// A process-wide instance (loading and compiling is not free).
    pub fn shared() -> Result<&'static SpecValidator, String> {
        static SHARED: OnceLock<Result<SpecValidator, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| Self::load().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Loads the spec from `path`.
    pub fn load_from(path: &std::path::Path) -> Result<Self, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
            path: path.into(),
            source,
        })?;
        let doc: Value = serde_json::from_str(&text).map_err(|source| SpecError::Parse {
            path: path.into(),
            source,
        })?;
        Self::from_document(doc)
    }

    /// Builds a validator from a parsed OpenAPI document.
    pub fn from_document(mut doc: Value) -> Result<Self, SpecError> {
        let paths = doc
            .get_mut("paths")
            .map(Value::take)
            .ok_or(SpecError::Shape("no paths"))?;
        let mut components = doc
            .get_mut("components")
            .map(Value::take)
            .ok_or(SpecError::Shape("no components"))?;
        if let Some(s) = components.pointer_mut("/schemas/SnowflakeType") {
            let strict = s.take();
            *s = json!({"anyOf": [strict, {"type": "integer", "minimum": 0}]});
        }
        relax_permission_strings(&mut components);
        let templates = paths
            .as_object()
            .ok_or(SpecError::Shape("paths is not an object"))?
            .keys()
            .map(|t| (t.split('/').map(str::to_owned).collect(), t.clone()))
            .collect();
        Ok(Self {
            templates,
            paths,
            components,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The spec's path template matching a concrete path (e.g. `/channels/1/messages` ->
    /// `/channels/{channel_id}/messages`), preferring literal segments over parameters.
    pub fn template_for(&self, path: &str) -> Option<&str> {
        let path = path.split('?').next().unwrap_or(path);
        let path = path.strip_prefix("/api/v10").unwrap_or(path);
        let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.templates
            .iter()
            .filter(|(t, _)| {
                t.len() == segs.len()
                    && t.iter()
                        .zip(&segs)
                        .all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()))
            })
            .max_by_key(|(t, _)| t.iter().zip(&segs).filter(|(a, b)| a == *b).count())
            .map(|(_, t)| t.as_str())
    }

    fn compiled(&self, method: &str, template: &str) -> Option<Compiled> {
        let key = (method.to_ascii_lowercase(), template.to_owned());
        if let Some(c) = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Some(c.clone());
        }
        let content = self
            .paths
            .get(template)?
            .get(&key.0)?
            .get("requestBody")?
            .get("content")?;
        let mut schema = content
            .get("application/json")
            .or_else(|| content.get("multipart/form-data"))?
            .get("schema")?
            .clone();
        relax_properties(&mut schema);
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.components,
            "allOf": [schema],
        });
        let compiled: Compiled = Arc::new(
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(&root)
                .map_err(|e| e.to_string()),
        );
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, compiled.clone());
        Some(compiled)
    }

    /// Violations of the operation's request schema by `body` (empty = valid). A request whose
    /// path or method is not in the spec is itself a violation; an operation without a request
    /// body accepts only an empty/null body.
    pub fn validate(&self, method: &str, path: &str, body: &Value) -> Vec<String> {
        let Some(template) = self.template_for(path) else {
            return vec![format!("path {path} is not in the spec")];
        };
        let Some(op) = self
            .paths
            .get(template)
            .and_then(|p| p.get(method.to_ascii_lowercase()))
        else {
            return vec![format!("{method} {template} is not in the spec")];
        };
        if op.get("requestBody").is_none() {
            return if body.is_null() {
                Vec::new()
            } else {
                vec![format!("{method} {template} takes no body")]
            };
        }
        let Some(compiled) = self.compiled(method, template) else {
            return Vec::new();
        };
        match compiled.as_ref() {
            Err(e) => vec![format!(
                "schema for {method} {template} does not compile: {e}"
            )],
            Ok(v) => v
                .iter_errors(body)
                .map(|e| format!("{e} (at {})", e.instance_path()))
                .collect(),
        }
    }
}
