//! One WebSocket connection: Hello, heartbeats, Identify (READY + `GUILD_CREATE`s) and Resume.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::shard::{self, Shard};
use super::{intents, Conn, Out, Session};
use crate::sim::core::Sim;

/// Axum handler for the gateway URL.
pub async fn ws_handler(State(sim): State<Arc<Sim>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| run(sim, socket))
}

async fn run(sim: Arc<Sim>, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Out>();
    let conn_id = {
        let mut inner = sim.hub.lock();
        inner.next_conn += 1;
        inner.stats.connections += 1;
        inner.next_conn
    };
    let mut writer = tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            match out {
                Out::Text(t) => {
                    if sink.send(Message::Text(t.as_ref().into())).await.is_err() {
                        return;
                    }
                }
                Out::Close(code, reason) => {
                    let frame = CloseFrame {
                        code,
                        reason: reason.into(),
                    };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    return;
                }
                Out::Drop => return,
            }
        }
    });
    let interval = u64::try_from(sim.config.heartbeat_interval.as_millis()).unwrap_or(41_250);
    let hello =
        json!({"op": 10, "d": {"heartbeat_interval": interval, "_trace": ["[\"discord-sim\"]"]}});
    let _ = tx.send(Out::Text(hello.to_string().into()));
    let mut session: Option<String> = None;
    loop {
        tokio::select! {
            _ = &mut writer => break,
            msg = stream.next() => match msg {
                Some(Ok(Message::Text(text))) => {
                    if let Some(s) = handle_frame(&sim, conn_id, &tx, &text) {
                        session = Some(s);
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            }
        }
    }
    writer.abort();
    if let Some(id) = session {
        let mut inner = sim.hub.lock();
        if let Some(s) = inner.sessions.get_mut(&id) {
            if s.conn.as_ref().is_some_and(|c| c.id == conn_id) {
                s.conn = None;
            }
        }
    }
    sim.bump();
}

/// Handles one client frame; returns the session id when this connection got a session.
fn handle_frame(
    sim: &Sim,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Out>,
    text: &str,
) -> Option<String> {
    let frame: Value = serde_json::from_str(text).ok()?;
    let d = frame.get("d").cloned().unwrap_or(Value::Null);
    match frame.get("op").and_then(Value::as_u64)? {
        1 => {
            let ack = {
                let mut inner = sim.hub.lock();
                inner.stats.heartbeats += 1;
                inner.ack_heartbeats
            };
            if ack {
                let _ = tx.send(Out::Text(r#"{"op":11}"#.into()));
            }
            None
        }
        2 => identify(sim, conn_id, tx, &d),
        6 => resume(sim, conn_id, tx, &d),
        _ => None,
    }
}

fn token_ok(sim: &Sim, d: &Value) -> bool {
    d.get("token")
        .and_then(Value::as_str)
        .is_some_and(|t| t.trim_start_matches("Bot ") == sim.config.token)
}

fn identify(sim: &Sim, conn_id: u64, tx: &mpsc::UnboundedSender<Out>, d: &Value) -> Option<String> {
    if !token_ok(sim, d) {
        let _ = tx.send(Out::Close(4004, "Authentication failed.".into()));
        return None;
    }
    let session_intents = d.get("intents").and_then(Value::as_u64).unwrap_or(0);
    let shard = d.get("shard").cloned();
    let routing = Shard::from_identify(shard.as_ref());
    let session_id = format!("{:032x}", rand::random::<u128>());
    // Hold the world lock so no dispatch can slip between READY and the GUILD_CREATEs.
    let world = sim.world();
    let ready = world.ready_json(&session_id, &sim.ws_url, shard.as_ref());
    let guild_creates: Vec<Value> = if session_intents & intents::GUILDS != 0 {
        let all_members = session_intents & intents::GUILD_MEMBERS != 0;
        world
            .guilds
            .values()
            .filter(|g| shard::receives(routing, Some(g.id)))
            .map(|g| world.guild_create_json(g, all_members))
            .collect()
    } else {
        Vec::new()
    };
    let mut inner = sim.hub.lock();
    // A new Identify for the same shard means the old, disconnected sessions are dead.
    inner
        .sessions
        .retain(|_, s| s.conn.is_some() || s.shard != shard);
    inner.sessions.insert(
        session_id.clone(),
        Session {
            intents: session_intents,
            seq: 0,
            shard,
            routing,
            buffer: VecDeque::new(),
            conn: Some(Conn {
                id: conn_id,
                tx: tx.clone(),
            }),
        },
    );
    inner.stats.identifies += 1;
    sim.hub
        .dispatch_to(&mut inner, &session_id, "READY", &ready);
    for g in &guild_creates {
        sim.hub
            .dispatch_to(&mut inner, &session_id, "GUILD_CREATE", g);
    }
    drop(inner);
    drop(world);
    sim.bump();
    Some(session_id)
}

fn resume(sim: &Sim, conn_id: u64, tx: &mpsc::UnboundedSender<Out>, d: &Value) -> Option<String> {
    let session_id = d
        .get("session_id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let client_seq = d.get("seq").and_then(Value::as_u64).unwrap_or(0);
    let invalid = || {
        let _ = tx.send(Out::Text(r#"{"op":9,"d":false}"#.into()));
        None
    };
    if !token_ok(sim, d) {
        return invalid();
    }
    let world = sim.world();
    let mut inner = sim.hub.lock();
    let Some(session) = inner.sessions.get_mut(&session_id) else {
        return invalid();
    };
    // Events the client has not seen must all still be buffered.
    let oldest = session.buffer.front().map_or(session.seq + 1, |(s, _)| *s);
    if client_seq > session.seq || client_seq + 1 < oldest {
        inner.sessions.remove(&session_id);
        return invalid();
    }
    if let Some(old) = session.conn.replace(Conn {
        id: conn_id,
        tx: tx.clone(),
    }) {
        let _ = old
            .tx
            .send(Out::Close(4000, "session resumed elsewhere".into()));
    }
    for (seq, frame) in &session.buffer {
        if *seq > client_seq {
            let _ = tx.send(Out::Text(frame.clone()));
        }
    }
    inner.stats.resumes += 1;
    sim.hub.dispatch_to(
        &mut inner,
        &session_id,
        "RESUMED",
        &json!({"_trace": ["[\"discord-sim\"]"]}),
    );
    drop(inner);
    drop(world);
    sim.bump();
    Some(session_id)
}
