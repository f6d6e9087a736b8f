//! The REST API server: auth, routing, body parsing (JSON and multipart), fault injection,
//! request log, and attachment downloads.

mod handlers;
pub mod routes;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::Value;

use self::routes::{match_route, Match};
use super::core::{lock, Sim};
use super::error::ApiError;
use super::faults::Fault;
use super::gateway::ws_handler;
use super::state::Upload;

/// One REST request as the simulator saw it.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    /// HTTP method (`GET`, `POST`...).
    pub method: String,
    /// The matched route template (`/channels/{channel_id}/messages`), `None` if unknown.
    pub route: Option<&'static str>,
    /// Path relative to `/api/v10`.
    pub path: String,
    /// Raw query string.
    pub query: String,
    /// JSON body (or the multipart `payload_json`).
    pub body: Option<Value>,
    /// Whether the body was `multipart/form-data`.
    pub multipart: bool,
    /// Uploaded file names.
    pub files: Vec<String>,
    /// Response status.
    pub status: u16,
    /// When the request arrived.
    pub at: DateTime<Utc>,
    /// Handling time (including injected latency).
    pub elapsed: Duration,
}

/// A successful reply: status and optional JSON body (`None` = 204-style empty).
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body: Some(body),
        }
    }

    pub(crate) fn created(body: Value) -> Self {
        Self {
            status: 201,
            body: Some(body),
        }
    }

    pub(crate) fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
        }
    }
}

/// The axum app: `/api/v10/*` REST, `/gateway` WebSocket, `/attachments/...` downloads.
pub(crate) fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/gateway", get(ws_handler))
        .route("/attachments/{channel}/{id}/{filename}", get(attachment))
        .fallback(handle)
        .with_state(sim)
}

async fn attachment(
    State(sim): State<Arc<Sim>>,
    Path((_channel, id, _filename)): Path<(u64, u64, String)>,
) -> Response {
    let file = sim.world().files.get(&id).cloned();
    match file {
        Some(f) => {
            let ct = f
                .content_type
                .unwrap_or_else(|| "application/octet-stream".into());
            let mut resp = Body::from(f.data).into_response();
            if let Ok(v) = HeaderValue::from_str(&ct) {
                resp.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            resp
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// Query parameters (serenity sends `?&before=1&limit=50`).
pub(crate) fn parse_query(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

async fn read_body(req: Request) -> Result<(Value, Vec<Upload>, bool), ApiError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if is_multipart {
        let bad = |e: &dyn std::fmt::Display| {
            ApiError::new(
                400,
                50109,
                &format!("The request body contains invalid JSON. ({e})"),
            )
        };
        let mut mp = Multipart::from_request(req, &())
            .await
            .map_err(|e| bad(&e))?;
        let mut payload = Value::Null;
        let mut uploads = Vec::new();
        while let Some(field) = mp.next_field().await.map_err(|e| bad(&e))? {
            let name = field.name().unwrap_or_default().to_owned();
            let filename = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let data = field.bytes().await.map_err(|e| bad(&e))?;
            if name == "payload_json" {
                payload = serde_json::from_slice(&data).map_err(|e| bad(&e))?;
            } else if let Some(idx) = name
                .strip_prefix("files[")
                .and_then(|s| s.strip_suffix(']'))
            {
                uploads.push(Upload {
                    index: idx.parse().unwrap_or(uploads.len() as u64),
                    filename: filename.unwrap_or_else(|| format!("file{idx}")),
                    content_type,
                    data,
                });
            }
        }
        return Ok((payload, uploads, true));
    }
    let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024 * 1024)
        .await
        .map_err(|_| ApiError::new(413, 40005, "Request entity too large"))?;
    if bytes.is_empty() {
        return Ok((Value::Null, Vec::new(), false));
    }
    let v = serde_json::from_slice(&bytes)
        .map_err(|_| ApiError::new(400, 50109, "The request body contains invalid JSON."))?;
    Ok((v, Vec::new(), false))
}

fn fault_response(fault: &Fault, template: &str) -> ApiError {
    match fault {
        Fault::ServerError => ApiError::internal(),
        Fault::BadGateway => ApiError::new(502, 0, "502: Bad Gateway"),
        Fault::RateLimited {
            retry_after,
            global,
        } => ApiError::rate_limited(*retry_after, *global, template),
    }
}

async fn handle(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let started = Instant::now();
    let at = Utc::now();
    let method = req.method().clone();
    let path_full = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let path = path_full
        .strip_prefix("/api/v10")
        .unwrap_or("\u{0}")
        .to_owned();
    let (route, params) = match match_route(&method, &path) {
        Match::Found(r, p) => (r, p),
        other => {
            lock(&sim.unknown).push(format!("{method} {path_full}"));
            sim.bump();
            let err = if matches!(other, Match::WrongMethod) {
                ApiError::method_not_allowed()
            } else {
                ApiError::not_found_route()
            };
            record(
                &sim,
                method.as_str(),
                None,
                &path,
                &query,
                None,
                false,
                Vec::new(),
                err.status,
                at,
                started,
            );
            return err.into_response();
        }
    };
    let authorized = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.strip_prefix("Bot ") == Some(sim.config.token.as_str()));
    let needs_auth = route.op != routes::Op::GetGateway;
    let (body, uploads, multipart) = match read_body(req).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let files: Vec<String> = uploads.iter().map(|u| u.filename.clone()).collect();
    let latency = sim.faults.latency(method.as_str(), route.template, &path);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let result = if needs_auth && !authorized {
        Err(ApiError::unauthorized())
    } else if let Some(f) = sim
        .faults
        .next_fault(method.as_str(), route.template, &path)
    {
        Err(fault_response(&f, route.template))
    } else {
        let query_map = parse_query(&query);
        handlers::dispatch(&sim, route.op, &params, &query_map, &body, uploads)
    };
    let logged_body = (!body.is_null()).then_some(body);
    let status = match &result {
        Ok(r) => r.status,
        Err(e) => e.status,
    };
    record(
        &sim,
        method.as_str(),
        Some(route.template),
        &path,
        &query,
        logged_body,
        multipart,
        files,
        status,
        at,
        started,
    );
    match result {
        Ok(Reply { status, body }) => {
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            match body {
                Some(b) => (code, axum::Json(b)).into_response(),
                None => code.into_response(),
            }
        }
        Err(e) => e.into_response(),
    }
}

#[allow(clippy::too_many_arguments)]
fn record(
    sim: &Sim,
    method: &str,
    route: Option<&'static str>,
    path: &str,
    query: &str,
    body: Option<Value>,
    multipart: bool,
    files: Vec<String>,
    status: u16,
    at: DateTime<Utc>,
    started: Instant,
) {
    if !sim.config.record_requests {
        return;
    }
    lock(&sim.log).push(RequestRecord {
        method: method.to_owned(),
        route,
        path: path.to_owned(),
        query: query.to_owned(),
        body,
        multipart,
        files,
        status,
        at,
        elapsed: started.elapsed(),
    });
}
