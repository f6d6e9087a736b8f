//! Fills a database with realistic modmail data at scale (default 100,000 tickets and 5,000,000
//! messages, one of them a 10,000-message ticket) for the data-at-scale benchmarks of the CLI and
//! TUI. Rows are written in bulk through the diesel schema (not the domain functions, which would
//! take hours at this size), deterministically from a seed.

use std::time::Instant;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rustmail_db::connection::{write_tx, DbConnection};
use rustmail_db::schema::{attachments, message_revisions, messages, ticket_categories, tickets};
use rustmail_db::{Db, DomainError};
use serde::Serialize;

/// What to generate.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SeedSpec {
    pub tickets: u32,
    pub messages: u64,
    /// Messages in the one big ticket (ticket id 1).
    pub big_ticket_messages: u32,
    /// Fraction of tickets still open.
    pub open_fraction: f64,
    pub seed: u64,
}

impl Default for SeedSpec {
    fn default() -> Self {
        Self {
            tickets: 100_000,
            messages: 5_000_000,
            big_ticket_messages: 10_000,
            open_fraction: 0.05,
            seed: 42,
        }
    }
}

/// What was written, and how long it took.
#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    pub spec: SeedSpec,
    pub tickets: u64,
    pub messages: u64,
    pub revisions: u64,
    pub deleted: u64,
    pub attachments: u64,
    pub seconds: f64,
}

const BATCH: usize = 1_000;
const WORDS: &[&str] = &[
    "hello",
    "thanks",
    "order",
    "refund",
    "account",
    "banned",
    "appeal",
    "please",
    "help",
    "server",
    "role",
    "message",
    "issue",
    "payment",
    "sorry",
    "today",
    "yesterday",
    "support",
    "ticket",
    "moderator",
    "rules",
    "warning",
    "screenshot",
    "invite",
    "link",
    "why",
    "when",
    "could",
    "would",
    "again",
];

fn sentence(rng: &mut StdRng) -> String {
    let words = rng.random_range(3..60);
    let mut out = String::new();
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(WORDS[rng.random_range(0..WORDS.len())]);
    }
    out
}

#[derive(Insertable)]
#[diesel(table_name = tickets, treat_none_as_default_value = false)]
struct TicketRow {
    id: i64,
    user_id: i64,
    user_name: String,
    guild_id: i64,
    channel_id: Option<i64>,
    category_id: Option<i64>,
    status: &'static str,
    opened_at: NaiveDateTime,
    opened_via: &'static str,
    opened_by: i64,
    closed_at: Option<NaiveDateTime>,
    closed_by: Option<i64>,
    close_kind: Option<String>,
    assigned_to: Option<i64>,
    next_message_number: i32,
    last_activity_at: NaiveDateTime,
    first_staff_reply_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = messages, treat_none_as_default_value = false)]
struct MessageRow {
    id: i64,
    ticket_id: i64,
    direction: &'static str,
    author_id: i64,
    author_name: String,
    anonymous: bool,
    content: String,
    number: Option<i32>,
    source_message_id: Option<i64>,
    dm_message_id: Option<i64>,
    inbox_message_id: Option<i64>,
    relay_state: &'static str,
    created_at: NaiveDateTime,
    edited_at: Option<NaiveDateTime>,
    deleted_at: Option<NaiveDateTime>,
    deleted_by: Option<i64>,
}

const GUILD: i64 = 900_000_000_000_000_001;
const FIRST_USER: i64 = 100_000_000_000_000_000;
const STAFF: [i64; 5] = [
    800_000_000_000_000_001,
    800_000_000_000_000_002,
    800_000_000_000_000_003,
    800_000_000_000_000_004,
    800_000_000_000_000_005,
];

/// Seeds an empty, migrated database.
pub fn seed(db: &Db, spec: SeedSpec) -> Result<SeedReport, DomainError> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let base = chrono::Utc::now().naive_utc() - Duration::days(365);
    db.with_conn(seed_categories)?;
    let mut report = SeedReport {
        spec,
        tickets: 0,
        messages: 0,
        revisions: 0,
        deleted: 0,
        attachments: 0,
        seconds: 0.0,
    };
    let tickets_n = u64::from(spec.tickets.max(1));
    let rest = spec
        .messages
        .saturating_sub(u64::from(spec.big_ticket_messages));
    let per_ticket = if tickets_n > 1 {
        rest / (tickets_n - 1)
    } else {
        0
    };
    let mut leftover = if tickets_n > 1 {
        rest % (tickets_n - 1)
    } else {
        0
    };
    let mut next_message_id: i64 = 1;
    let mut next_snowflake: i64 = 1_000_000_000_000_000_000;
    let mut ticket_batch = Vec::with_capacity(BATCH);
    let mut message_batch: Vec<MessageRow> = Vec::with_capacity(BATCH);
    let mut revision_batch: Vec<(i64, String, i64, NaiveDateTime)> = Vec::new();
    let mut attachment_batch: Vec<(i64, String, i64, String, NaiveDateTime)> = Vec::new();
    for t in 1..=tickets_n {
        let id = i64::try_from(t).unwrap_or(i64::MAX);
        let count = if t == 1 {
            u64::from(spec.big_ticket_messages)
        } else if leftover > 0 {
            leftover -= 1;
            per_ticket + 1
        } else {
            per_ticket
        };
        let opened = base + Duration::seconds(rng.random_range(0..365 * 86_400));
        let open = t == 1 || rng.random_bool(spec.open_fraction.clamp(0.0, 1.0));
        let user = FIRST_USER + id;
        let staff = STAFF[rng.random_range(0..STAFF.len())];
        let mut at = opened;
        let mut number = 0;
        let mut first_reply = None;
        let mut ticket_messages = Vec::new();
        for m in 0..count {
            at += Duration::seconds(rng.random_range(5..3_600));
            let direction = match (m, rng.random_range(0..10)) {
                (0, _) | (_, 0..=4) => "user_to_staff",
                (_, 5..=8) => "staff_to_user",
                _ => "internal",
            };
            let source = next_snowflake;
            next_snowflake += 2;
            let staff_reply = direction == "staff_to_user";
            if staff_reply {
                number += 1;
                first_reply.get_or_insert(at);
            }
            let deleted = rng.random_bool(0.01);
            let edited = rng.random_bool(0.02);
            let mid = next_message_id;
            next_message_id += 1;
            if edited {
                revision_batch.push((
                    mid,
                    sentence(&mut rng),
                    if staff_reply { staff } else { user },
                    at,
                ));
            }
            if rng.random_bool(0.01) {
                attachment_batch.push((
                    mid,
                    format!("file{mid}.png"),
                    rng.random_range(1_000..5_000_000),
                    format!("https://cdn.example.invalid/attachments/{mid}/file.png"),
                    at,
                ));
            }
            report.deleted += u64::from(deleted);
            ticket_messages.push(MessageRow {
                id: mid,
                ticket_id: id,
                direction,
                author_id: if direction == "user_to_staff" {
                    user
                } else {
                    staff
                },
                author_name: if direction == "user_to_staff" {
                    format!("user{t}")
                } else {
                    "staffer".into()
                },
                anonymous: staff_reply && rng.random_bool(0.2),
                content: sentence(&mut rng),
                number: staff_reply.then_some(number),
                source_message_id: Some(source),
                dm_message_id: (direction == "user_to_staff").then_some(source),
                inbox_message_id: Some(source + 1),
                relay_state: if direction == "internal" {
                    "not_relayed"
                } else {
                    "delivered"
                },
                created_at: at,
                edited_at: edited.then_some(at + Duration::seconds(30)),
                deleted_at: deleted.then_some(at + Duration::seconds(60)),
                deleted_by: deleted.then_some(staff),
            });
        }
        ticket_batch.push(TicketRow {
            id,
            user_id: user,
            user_name: format!("user{t}"),
            guild_id: GUILD,
            channel_id: Some(500_000_000_000_000_000 + id),
            category_id: (t % 3 == 0).then_some(i64::try_from(t % 5 + 1).unwrap_or(1)),
            status: if open { "open" } else { "closed" },
            opened_at: opened,
            opened_via: "user_dm",
            opened_by: user,
            closed_at: (!open).then_some(at + Duration::seconds(600)),
            closed_by: (!open).then_some(staff),
            close_kind: (!open).then(|| "staff".to_owned()),
            assigned_to: rng.random_bool(0.3).then_some(staff),
            next_message_number: number + 1,
            last_activity_at: at,
            first_staff_reply_at: first_reply,
        });
        message_batch.append(&mut ticket_messages);
        if ticket_batch.len() >= BATCH || message_batch.len() >= 10 * BATCH {
            flush(
                db,
                &mut ticket_batch,
                &mut message_batch,
                &mut revision_batch,
                &mut attachment_batch,
                &mut report,
            )?;
        }
    }
    flush(
        db,
        &mut ticket_batch,
        &mut message_batch,
        &mut revision_batch,
        &mut attachment_batch,
        &mut report,
    )?;
    db.with_conn(fix_sequences)?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

fn seed_categories(conn: &mut DbConnection) -> Result<(), DomainError> {
    for (i, name) in ["Support", "Appeals", "Billing", "Reports", "Escalated"]
        .iter()
        .enumerate()
    {
        diesel::insert_into(ticket_categories::table)
            .values((
                ticket_categories::id.eq(i64::try_from(i).unwrap_or(0) + 1),
                ticket_categories::name.eq(*name),
                ticket_categories::name_key.eq(name.to_lowercase()),
                ticket_categories::description.eq(""),
                ticket_categories::discord_category_id
                    .eq(600_000_000_000_000_000 + i64::try_from(i).unwrap_or(0)),
                ticket_categories::position.eq(i32::try_from(i).unwrap_or(0)),
                ticket_categories::enabled.eq(true),
                ticket_categories::created_at.eq(rustmail_db::time::now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Writes the batches in one transaction: tickets first (messages reference them).
fn flush(
    db: &Db,
    tickets_b: &mut Vec<TicketRow>,
    messages_b: &mut Vec<MessageRow>,
    revisions_b: &mut Vec<(i64, String, i64, NaiveDateTime)>,
    attachments_b: &mut Vec<(i64, String, i64, String, NaiveDateTime)>,
    report: &mut SeedReport,
) -> Result<(), DomainError> {
    let tickets_now = std::mem::take(tickets_b);
    let messages_now = std::mem::take(messages_b);
    let revisions_now = std::mem::take(revisions_b);
    let attachments_now = std::mem::take(attachments_b);
    report.tickets += tickets_now.len() as u64;
    report.messages += messages_now.len() as u64;
    report.revisions += revisions_now.len() as u64;
    report.attachments += attachments_now.len() as u64;
    db.with_conn(|conn| {
        write_tx(conn, |conn| {
            insert_tickets(conn, &tickets_now)?;
            for chunk in messages_now.chunks(BATCH) {
                rustmail_db::on_backend!(conn, |c| diesel::insert_into(messages::table)
                    .values(chunk)
                    .execute(c))?;
            }
            for (mid, previous, by, at) in &revisions_now {
                diesel::insert_into(message_revisions::table)
                    .values((
                        message_revisions::message_id.eq(mid),
                        message_revisions::previous_content.eq(previous),
                        message_revisions::edited_by.eq(by),
                        message_revisions::edited_at.eq(at),
                    ))
                    .execute(conn)?;
            }
            for (mid, name, size, url, at) in &attachments_now {
                diesel::insert_into(attachments::table)
                    .values((
                        attachments::message_id.eq(mid),
                        attachments::filename.eq(name),
                        attachments::content_type.eq("image/png"),
                        attachments::size_bytes.eq(size),
                        attachments::url.eq(url),
                        attachments::created_at.eq(at),
                    ))
                    .execute(conn)?;
            }
            Ok::<_, DomainError>(())
        })
    })
}

fn insert_tickets(conn: &mut DbConnection, rows: &[TicketRow]) -> Result<(), DomainError> {
    for chunk in rows.chunks(BATCH) {
        rustmail_db::on_backend!(conn, |c| diesel::insert_into(tickets::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Explicit ids bypass Postgres sequences; move them past the seeded rows so later inserts work.
fn fix_sequences(conn: &mut DbConnection) -> Result<(), DomainError> {
    if let DbConnection::Postgresql(c) = conn {
        use diesel::connection::SimpleConnection;
        c.batch_execute(
            "SELECT setval('tickets_id_seq', (SELECT COALESCE(MAX(id), 1) FROM tickets));
             SELECT setval('messages_id_seq', (SELECT COALESCE(MAX(id), 1) FROM messages));
             SELECT setval('ticket_categories_id_seq', (SELECT COALESCE(MAX(id), 1) FROM ticket_categories));
             ANALYZE;",
        )?;
    } else {
        use diesel::connection::SimpleConnection;
        if let DbConnection::Sqlite(c) = conn {
            c.batch_execute("ANALYZE;")?;
        }
    }
    Ok(())
}
