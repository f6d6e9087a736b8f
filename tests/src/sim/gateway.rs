//! The gateway: sessions, sequence numbers, intents, resume buffers and scripted faults.
//!
//! Each Identify creates a session. Dispatches go to every valid session whose intents allow the
//! event; each session numbers its own events and keeps them for Resume. A session outlives its
//! WebSocket connection, so a dropped bot can resume and get what it missed (as on Discord).
//! Several sessions may be connected with the same token at once (two bot processes, or one per
//! shard): each gets every event it is entitled to, by intents and by shard (see [`shard`]).

mod conn;
pub mod shard;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{json, Value};
use tokio::sync::mpsc;

pub use conn::ws_handler;

/// Gateway intent bits the simulator honours.
pub mod intents {
    /// `GUILDS`.
    pub const GUILDS: u64 = 1 << 0;
    /// `GUILD_MEMBERS` (privileged).
    pub const GUILD_MEMBERS: u64 = 1 << 1;
    /// `GUILD_MESSAGES`.
    pub const GUILD_MESSAGES: u64 = 1 << 9;
    /// `GUILD_MESSAGE_TYPING`.
    pub const GUILD_MESSAGE_TYPING: u64 = 1 << 11;
    /// `DIRECT_MESSAGES`.
    pub const DIRECT_MESSAGES: u64 = 1 << 12;
    /// `DIRECT_MESSAGE_TYPING`.
    pub const DIRECT_MESSAGE_TYPING: u64 = 1 << 14;
    /// `MESSAGE_CONTENT` (privileged).
    pub const MESSAGE_CONTENT: u64 = 1 << 15;
}

/// A dispatch the world wants to send.
#[derive(Clone, Debug)]
pub struct GwEvent {
    /// Dispatch name (`t`), e.g. `MESSAGE_CREATE`.
    pub name: &'static str,
    /// Intent bits of which at least one is needed (0 = always sent).
    pub intents: u64,
    /// The event data (`d`).
    pub data: Value,
    /// The data with message content fields emptied, for sessions without `MESSAGE_CONTENT`
    /// (`None` when content is always visible: DMs, bot mentions, the bot's own messages).
    pub stripped: Option<Value>,
}

impl GwEvent {
    /// An event that needs one of `intents`.
    pub fn new(name: &'static str, intents: u64, data: Value) -> Self {
        Self {
            name,
            intents,
            data,
            stripped: None,
        }
    }
}

/// Something to write to a connection.
#[derive(Debug)]
pub(crate) enum Out {
    Text(Arc<str>),
    /// Send a close frame with this code, then hang up.
    Close(u16, String),
    /// Hang up without a close frame.
    Drop,
}

#[derive(Debug)]
struct Conn {
    id: u64,
    tx: mpsc::UnboundedSender<Out>,
}

#[derive(Debug)]
struct Session {
    intents: u64,
    seq: u64,
    shard: Option<Value>,
    /// The parsed `shard`, which decides the guilds this session hears about.
    routing: Option<shard::Shard>,
    buffer: VecDeque<(u64, Arc<str>)>,
    conn: Option<Conn>,
}

/// Counters about gateway activity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GatewayStats {
    /// WebSocket connections accepted.
    pub connections: u64,
    /// Identify payloads accepted.
    pub identifies: u64,
    /// Successful resumes.
    pub resumes: u64,
    /// Heartbeats received.
    pub heartbeats: u64,
    /// Dispatches sent (all sessions).
    pub dispatched: u64,
    /// Sessions currently attached to a connection.
    pub connected_sessions: u64,
}

#[derive(Debug, Default)]
struct HubInner {
    sessions: HashMap<String, Session>,
    offline: bool,
    next_conn: u64,
    stats: GatewayStats,
    ack_heartbeats: bool,
}

/// All gateway sessions.
#[derive(Debug)]
pub struct Hub {
    inner: Mutex<HubInner>,
    resume_cap: usize,
}

impl Hub {
    pub(crate) fn new(resume_cap: usize) -> Self {
        Self {
            inner: Mutex::new(HubInner {
                ack_heartbeats: true,
                ..HubInner::default()
            }),
            resume_cap,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends `event` to every session that should get it.
    pub(crate) fn dispatch(&self, event: &GwEvent) {
        let mut inner = self.lock();
        if inner.offline || inner.sessions.is_empty() {
            return;
        }
        let mut full: Option<String> = None;
        let mut stripped: Option<String> = None;
        let mut sent = 0;
        let guild = shard::event_guild(event.name, &event.data);
        for session in inner.sessions.values_mut() {
            if event.intents != 0 && session.intents & event.intents == 0 {
                continue;
            }
            if !shard::receives(session.routing, guild) {
                continue;
            }
            let data = match &event.stripped {
                Some(s) if session.intents & intents::MESSAGE_CONTENT == 0 => {
                    stripped.get_or_insert_with(|| s.to_string())
                }
                _ => full.get_or_insert_with(|| event.data.to_string()),
            };
            push_dispatch(session, event.name, data, self.resume_cap);
            sent += 1;
        }
        inner.stats.dispatched += sent;
    }

    /// Sends an arbitrary dispatch to one session (READY, `GUILD_CREATE`, RESUMED).
    fn dispatch_to(&self, inner: &mut HubInner, session: &str, name: &str, data: &Value) {
        if let Some(s) = inner.sessions.get_mut(session) {
            push_dispatch(s, name, &data.to_string(), self.resume_cap);
            inner.stats.dispatched += 1;
        }
    }

    /// Current counters.
    pub fn stats(&self) -> GatewayStats {
        let inner = self.lock();
        let mut stats = inner.stats;
        stats.connected_sessions =
            inner.sessions.values().filter(|s| s.conn.is_some()).count() as u64;
        stats
    }

    /// While offline, dispatches are dropped (not even buffered for resume): the bot misses
    /// everything that happens, although REST still works and state keeps changing.
    pub fn set_offline(&self, offline: bool) {
        self.lock().offline = offline;
    }

    /// Whether dispatches are currently dropped.
    pub fn is_offline(&self) -> bool {
        self.lock().offline
    }

    /// Stop (or resume) answering heartbeats, which makes the client reconnect.
    pub fn set_ack_heartbeats(&self, ack: bool) {
        self.lock().ack_heartbeats = ack;
    }

    /// Disconnects every connection: with a close frame carrying `close_code`, or by dropping
    /// the TCP connection when `None`. Sessions stay resumable.
    pub fn disconnect_all(&self, close_code: Option<u16>) {
        let mut inner = self.lock();
        for s in inner.sessions.values_mut() {
            if let Some(conn) = s.conn.take() {
                let out =
                    close_code.map_or(Out::Drop, |c| Out::Close(c, "simulated disconnect".into()));
                let _ = conn.tx.send(out);
            }
        }
    }

    /// Sends op 9 Invalid Session to every connection. When not `resumable`, sessions are
    /// discarded so a later Resume fails too.
    pub fn invalidate_sessions(&self, resumable: bool) {
        let mut inner = self.lock();
        let frame: Arc<str> = json!({"op": 9, "d": resumable}).to_string().into();
        for s in inner.sessions.values() {
            if let Some(conn) = &s.conn {
                let _ = conn.tx.send(Out::Text(frame.clone()));
            }
        }
        if !resumable {
            inner.sessions.clear();
        }
    }

    /// Sends op 7 Reconnect to every connection.
    pub fn request_reconnect(&self) {
        let inner = self.lock();
        let frame: Arc<str> = json!({"op": 7, "d": null}).to_string().into();
        for s in inner.sessions.values() {
            if let Some(conn) = &s.conn {
                let _ = conn.tx.send(Out::Text(frame.clone()));
            }
        }
    }
}

fn push_dispatch(session: &mut Session, name: &str, data: &str, cap: usize) {
    session.seq += 1;
    let frame: Arc<str> = format!(
        r#"{{"op":0,"s":{},"t":"{}","d":{}}}"#,
        session.seq, name, data
    )
    .into();
    if session.buffer.len() >= cap {
        session.buffer.pop_front();
    }
    session.buffer.push_back((session.seq, frame.clone()));
    if let Some(conn) = &session.conn {
        if conn.tx.send(Out::Text(frame)).is_err() {
            session.conn = None;
        }
    }
}

/// Builds a whole dispatch frame (`{"op":0,"s":..,"t":..,"d":..}`) as the simulator sends it.
pub fn dispatch_frame(seq: u64, event: &GwEvent, message_content: bool) -> Value {
    let data = match &event.stripped {
        Some(s) if !message_content => s.clone(),
        _ => event.data.clone(),
    };
    json!({"op": 0, "s": seq, "t": event.name, "d": data})
}
