//! The reliability ("chaos") suite of issue #7: the real bot binary, as a separate process,
//! takes a storm of DMs and staff replies while it is killed with SIGKILL and restarted
//! ([`Plan::crash`]), or while Discord misbehaves: REST 500s and 429s, gateway disconnects and an
//! invalid session ([`Plan::faults`]). Afterwards every DM must be in its ticket channel exactly
//! once and in order, and every staff reply issued while the bot was up must have reached the
//! user exactly once and in order. `just chaos` runs the full plans (`rustmail-chaos`);
//! `tests/tests/chaos.rs` runs short ones in CI.

pub mod rig;
pub mod storm;
mod tally;
pub mod verify;

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

pub use self::storm::run;
use self::verify::Tally;

/// What to do to Discord while the storm runs (besides the storm itself).
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// Fraction of all REST requests answered `500`.
    pub server_errors: f64,
    /// Fraction of all REST requests answered `429` (with `retry_after`).
    pub rate_limits: f64,
    /// The `retry_after` of those 429s, seconds.
    pub retry_after: f64,
    /// A gateway disconnect this often (alternately a close frame and a dropped connection).
    pub disconnect_every: Duration,
    /// Non-resumable invalid sessions, at random moments of the storm.
    pub invalid_sessions: usize,
}

impl FaultPlan {
    /// Issue #7's figures: 10 % 500s, 5 % 429s, a disconnect every 20 s, one invalid session.
    pub fn issue() -> Self {
        Self {
            server_errors: 0.10,
            rate_limits: 0.05,
            retry_after: 0.5,
            disconnect_every: Duration::from_secs(20),
            invalid_sessions: 1,
        }
    }
}

/// One run of the suite.
#[derive(Debug, Clone)]
pub struct Plan {
    /// `crash` or `faults` (names the files and the report).
    pub name: String,
    pub users: usize,
    /// DMs per user during the storm (each user also sends one first DM to open a ticket).
    pub dms_per_user: usize,
    /// How long the users take to send their DMs (each user paces their own).
    pub storm: Duration,
    /// Tickets that get staff replies during the storm (the first users' tickets).
    pub reply_tickets: usize,
    /// Mean pause between two replies in one ticket.
    pub reply_interval: Duration,
    /// SIGKILLs (each followed by a restart) at random moments of the storm.
    pub kills: usize,
    pub faults: Option<FaultPlan>,
    /// Seeds the kill times, pacing, fault choices and the simulator's fault RNG.
    pub seed: u64,
    /// After everything arrived, how long the bot must stay quiet before the final count (so
    /// late duplicates are caught).
    pub quiet: Duration,
    /// The longest wait for everything to arrive after the storm.
    pub deadline: Duration,
}

impl Plan {
    /// The crash storm: `users` × `dms_per_user` DMs over `storm`, replies into 20 tickets,
    /// `kills` SIGKILLs and restarts.
    pub fn crash(
        users: usize,
        dms_per_user: usize,
        storm: Duration,
        kills: usize,
        seed: u64,
    ) -> Self {
        Self {
            name: "crash".to_owned(),
            users,
            dms_per_user,
            storm,
            reply_tickets: users.min(20),
            reply_interval: Duration::from_secs(2),
            kills,
            faults: None,
            seed,
            quiet: Duration::from_secs(5),
            deadline: Duration::from_secs(300),
        }
    }

    /// The faults run: the same storm shape, no kills, Discord misbehaving per `faults`.
    pub fn faults(
        users: usize,
        dms_per_user: usize,
        storm: Duration,
        faults: FaultPlan,
        seed: u64,
    ) -> Self {
        Self {
            name: "faults".to_owned(),
            kills: 0,
            faults: Some(faults),
            ..Self::crash(users, dms_per_user, storm, 0, seed)
        }
    }
}

/// One kill and restart.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Kill {
    /// Seconds into the storm.
    pub at_s: f64,
    /// From SIGKILL to the new process being spawned.
    pub down_ms: f64,
    /// From spawn to the new gateway session.
    pub restart_to_session_ms: f64,
    /// DMs users sent between the kill and the new session (recovery must find them).
    pub dms_sent_while_down: usize,
}

/// The outcome of one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub run: String,
    pub backend: String,
    pub seed: u64,
    pub users: usize,
    pub dms_per_user: usize,
    /// Every DM sent, the ticket-opening ones included.
    pub dms_sent: usize,
    /// Staff replies whose command the simulator accepted.
    pub replies_issued: usize,
    /// Of those, the ones issued while the bot was up (they must arrive).
    pub replies_required: usize,
    pub storm_seconds: f64,
    /// From the last DM of the storm to the last required message arriving.
    pub quiescence_seconds: Option<f64>,
    pub kills: Vec<Kill>,
    pub disconnects: usize,
    pub invalid_sessions: usize,
    pub gateway_identifies: u64,
    pub gateway_resumes: u64,
    pub rest_requests: usize,
    pub rest_500s: usize,
    pub rest_429s: usize,
    /// DMs, per user, in their ticket channel.
    pub dms: Tally,
    /// Staff replies in the user's DMs, per ticket.
    pub replies: Tally,
    /// The replies' copies in the ticket channel.
    pub reply_copies: Tally,
    /// For each lost reply: when it was issued relative to the kills.
    pub lost_reply_context: Vec<String>,
    /// Lost replies issued less than 2 s before a kill (the command was in flight at the crash).
    pub replies_lost_in_flight: usize,
    /// Lost replies issued longer before a kill, or with no kill after them.
    pub replies_lost_other: usize,
    /// DMs relayed after a later DM of the same user, that were sent while the bot had no
    /// gateway session (fetched by recovery, overtaken by live DMs).
    pub dms_late_after_outage: usize,
    /// DMs relayed after a later DM of the same user, otherwise.
    pub dms_late_other: usize,
    /// Staff replies (in the DMs or the channel copy) that arrived after a later reply of the
    /// ticket, and had a post refused by Discord (a 500 or 429) first.
    pub replies_late_after_failure: usize,
    /// Staff replies that arrived after a later reply of the ticket, otherwise.
    pub replies_late_other: usize,
    pub late_samples: Vec<String>,
    pub ticket_channels: usize,
    pub users_with_several_channels: usize,
    pub misrouted_replies: usize,
    pub open_tickets_in_db: i64,
    pub log_errors: usize,
    pub log_error_samples: Vec<String>,
    pub peak_rss_mib: f64,
    /// Everything that went wrong; empty when the run passed.
    pub problems: Vec<String>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    /// A few lines for a terminal.
    pub fn summary(&self) -> String {
        let t = |name: &str, t: &Tally| {
            format!(
                "  {name:<13} expected {:>6}  delivered {:>6}  lost {:>4}  doubled {:>4}  out of order {:>3}",
                t.expected, t.delivered, t.lost, t.duplicated, t.out_of_order
            )
        };
        let mut out = format!(
            "{} on {} (seed {}): {} users, {} DMs, {} replies ({} required), storm {:.1} s, quiescence {}, {} kills, {} disconnects, {} invalid sessions, {} identifies, {} resumes, REST {} ({} × 500, {} × 429)\n",
            self.run,
            self.backend,
            self.seed,
            self.users,
            self.dms_sent,
            self.replies_issued,
            self.replies_required,
            self.storm_seconds,
            self.quiescence_seconds
                .map_or_else(|| "never".to_owned(), |s| format!("{s:.1} s")),
            self.kills.len(),
            self.disconnects,
            self.invalid_sessions,
            self.gateway_identifies,
            self.gateway_resumes,
            self.rest_requests,
            self.rest_500s,
            self.rest_429s,
        );
        out.push_str(&t("DMs", &self.dms));
        out.push('\n');
        out.push_str(&t("replies", &self.replies));
        out.push('\n');
        out.push_str(&t("reply copies", &self.reply_copies));
        out.push('\n');
        if self.passed() {
            out.push_str("  PASSED\n");
        } else {
            for p in &self.problems {
                let _ = writeln!(out, "  PROBLEM: {p}");
            }
        }
        out
    }
}
