//! Discord-shaped API errors (`{"message": ..., "code": ...}` with the right HTTP status).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An error response as Discord sends it.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Value,
    /// Extra response headers (rate limits).
    pub headers: Vec<(String, String)>,
}

impl ApiError {
    /// An error with Discord's `{"message", "code"}` body.
    pub fn new(status: u16, code: u32, message: &str) -> Self {
        Self {
            status,
            body: json!({"message": message, "code": code}),
            headers: Vec::new(),
        }
    }

    /// `10003 Unknown Channel` (404).
    pub fn unknown_channel() -> Self {
        Self::new(404, 10003, "Unknown Channel")
    }

    /// `10004 Unknown Guild` (404).
    pub fn unknown_guild() -> Self {
        Self::new(404, 10004, "Unknown Guild")
    }

    /// `10007 Unknown Member` (404).
    pub fn unknown_member() -> Self {
        Self::new(404, 10007, "Unknown Member")
    }

    /// `10008 Unknown Message` (404).
    pub fn unknown_message() -> Self {
        Self::new(404, 10008, "Unknown Message")
    }

    /// `10011 Unknown Role` (404).
    pub fn unknown_role() -> Self {
        Self::new(404, 10011, "Unknown Role")
    }

    /// `10013 Unknown User` (404).
    pub fn unknown_user() -> Self {
        Self::new(404, 10013, "Unknown User")
    }

    /// `10015 Unknown Webhook` (404).
    pub fn unknown_webhook() -> Self {
        Self::new(404, 10015, "Unknown Webhook")
    }

    /// `10062 Unknown interaction` (404): bad token or answered too late.
    pub fn unknown_interaction() -> Self {
        Self::new(404, 10062, "Unknown interaction")
    }

    /// `10063 Unknown application command` (404).
    pub fn unknown_command() -> Self {
        Self::new(404, 10063, "Unknown application command")
    }

    /// `40060 Interaction has already been acknowledged.` (400).
    pub fn already_acknowledged() -> Self {
        Self::new(400, 40060, "Interaction has already been acknowledged.")
    }

    /// `50001 Missing Access` (403).
    pub fn missing_access() -> Self {
        Self::new(403, 50001, "Missing Access")
    }

    /// `50013 Missing Permissions` (403).
    pub fn missing_permissions() -> Self {
        Self::new(403, 50013, "Missing Permissions")
    }

    /// `50007 Cannot send messages to this user` (403).
    pub fn cannot_dm() -> Self {
        Self::new(403, 50007, "Cannot send messages to this user")
    }

    /// `50006 Cannot send an empty message` (400).
    pub fn empty_message() -> Self {
        Self::new(400, 50006, "Cannot send an empty message")
    }

    /// `50005 Cannot edit a message authored by another user` (403).
    pub fn not_author() -> Self {
        Self::new(403, 50005, "Cannot edit a message authored by another user")
    }

    /// `30013 Maximum number of channels in category reached (50)` (400).
    pub fn category_full() -> Self {
        Self::new(
            400,
            30013,
            "Maximum number of channels in category reached (50)",
        )
    }

    /// `50035 Invalid Form Body` with Discord's nested `errors` object.
    pub fn invalid_form(errors: Value) -> Self {
        let mut body = json!({"message": "Invalid Form Body", "code": 50035});
        body["errors"] = errors;
        Self {
            status: 400,
            body,
            headers: Vec::new(),
        }
    }

    /// `401: Unauthorized`.
    pub fn unauthorized() -> Self {
        Self::new(401, 0, "401: Unauthorized")
    }

    /// `404: Not Found` for unknown routes.
    pub fn not_found_route() -> Self {
        Self::new(404, 0, "404: Not Found")
    }

    /// `405: Method Not Allowed`.
    pub fn method_not_allowed() -> Self {
        Self::new(405, 0, "405: Method Not Allowed")
    }

    /// A 500 as Discord sends it on a bad day.
    pub fn internal() -> Self {
        Self::new(500, 0, "500: Internal Server Error")
    }

    /// A 429 with Discord's body and headers. `retry_after` in seconds.
    #[allow(
        clippy::cast_precision_loss,
        reason = "Unix milliseconds fit f64's mantissa"
    )]
    pub fn rate_limited(retry_after: f64, global: bool, bucket: &str) -> Self {
        let mut headers = vec![
            ("Retry-After".to_owned(), format!("{}", retry_after.ceil())),
            ("X-RateLimit-Limit".to_owned(), "5".to_owned()),
            ("X-RateLimit-Remaining".to_owned(), "0".to_owned()),
            (
                "X-RateLimit-Reset-After".to_owned(),
                format!("{retry_after:.3}"),
            ),
            (
                "X-RateLimit-Reset".to_owned(),
                format!(
                    "{:.3}",
                    chrono::Utc::now().timestamp_millis() as f64 / 1000.0 + retry_after
                ),
            ),
            ("X-RateLimit-Bucket".to_owned(), bucket.to_owned()),
            (
                "X-RateLimit-Scope".to_owned(),
                if global { "global" } else { "user" }.to_owned(),
            ),
        ];
        if global {
            headers.push(("X-RateLimit-Global".to_owned(), "true".to_owned()));
        }
        Self {
            status: 429,
            body: json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": global}),
            headers,
        }
    }

    /// A single-field `50035` error: `{"<field>": {"_errors": [{"code", "message"}]}}`.
    pub fn field(field: &str, code: &str, message: &str) -> Self {
        Self::invalid_form(json!({ field: {"_errors": [{"code": code, "message": message}]} }))
    }

    /// The Discord error code (0 for generic HTTP errors).
    pub fn code(&self) -> u64 {
        self.body.get("code").and_then(Value::as_u64).unwrap_or(0)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, axum::Json(self.body)).into_response();
        for (k, v) in self.headers {
            if let (Ok(name), Ok(value)) = (
                axum::http::HeaderName::from_bytes(k.as_bytes()),
                axum::http::HeaderValue::from_str(&v),
            ) {
                resp.headers_mut().insert(name, value);
            }
        }
        resp
    }
}
