//! Shared fixtures: a test per backend, the binary pointed at a test database, and a seeded set
//! of tickets whose times are fixed so output is deterministic.

use assert_cmd::Command;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use rustmail_db::attachments::NewAttachment;
use rustmail_db::categories::{self, NewCategory};
use rustmail_db::ids::{ChannelId, GuildId, MessageId, MessageRecordId, TicketId, UserId};
use rustmail_db::jobs::{self, CloseSchedule, JobKind};
use rustmail_db::messages::{self, Author, InboundDm, StaffReply};
use rustmail_db::tickets::{self, CloseKind, CloseRequest, NewTicket, OpenedVia};
use rustmail_db::{reminders, Db, DbConnection, DomainResult};

pub use rustmail_db::testing::TestDatabase;

pub const ALICE: u64 = 1001;
pub const CAROL: u64 = 1002;
pub const DAVE: u64 = 1003;
pub const BOB: u64 = 2002;
pub const FRANK: u64 = 2003;

/// Declares `sqlite::NAME` and `postgres::NAME` for each `fn NAME(&TestDatabase)`. The Postgres
/// variant returns early only when `RUSTMAIL_TEST_POSTGRES_URL` is unset outside CI (under
/// `CI=true` the helper fails instead).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(&crate::support::TestDatabase::sqlite());
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                let Some(url) = crate::support::TestDatabase::postgres_url() else {
                    eprintln!("RUSTMAIL_TEST_POSTGRES_URL is unset: Postgres variant not run");
                    return;
                };
                super::$name(&crate::support::TestDatabase::postgres(&url));
            })*
        }
    };
}
pub(crate) use on_both_backends;

/// The `rustmail` binary with `--database-url` set to the test database and no colours.
pub fn rustmail(db: &TestDatabase) -> Command {
    let mut cmd = bin();
    cmd.arg("--database-url").arg(&db.url);
    cmd
}

/// The `rustmail` binary with a clean environment for database lookups.
pub fn bin() -> Command {
    let mut cmd = Command::cargo_bin("rustmail").expect("the rustmail binary is built");
    cmd.env_remove("RUSTMAIL_DATABASE_URL")
        .env_remove("RUSTMAIL_STAFF_ID")
        .env("NO_COLOR", "1")
        .env("USER", "tester");
    cmd
}

/// Standard output of a successful run.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run rustmail");
    assert!(
        out.status.success(),
        "rustmail failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Exit code and standard error of a failed run.
pub fn failure_of(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().expect("run rustmail");
    assert!(
        !out.status.success(),
        "expected a failure, got: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stderr).expect("utf-8 errors"),
    )
}

pub fn at(day: u32, hour: u32, minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, day)
        .and_then(|d| d.and_hms_opt(hour, minute, 0))
        .expect("valid time")
}

fn author(id: u64, name: &str) -> Author {
    Author {
        id: UserId(id),
        name: name.to_owned(),
        role: None,
    }
}

/// Records a user's DM.
pub fn inbound(
    conn: &mut DbConnection,
    ticket: TicketId,
    dm: u64,
    user: (u64, &str),
    text: &str,
    files: Vec<NewAttachment>,
) -> DomainResult<MessageRecordId> {
    let dm = InboundDm {
        ticket_id: ticket,
        dm_message_id: MessageId(dm),
        author: author(user.0, user.1),
        content: text.to_owned(),
        attachments: files,
    };
    Ok(messages::record_inbound(conn, &dm)?.message.id)
}

fn reply(
    conn: &mut DbConnection,
    ticket: TicketId,
    source: u64,
    staff: (u64, &str),
    text: &str,
    anonymous: bool,
) -> DomainResult<MessageRecordId> {
    let reply = StaffReply {
        ticket_id: ticket,
        source_message_id: MessageId(source),
        author: author(staff.0, staff.1),
        anonymous,
        content: text.to_owned(),
        attachments: vec![],
        inactivity_close_after: None,
    };
    Ok(messages::record_reply(conn, &reply)?.message.id)
}

fn open(
    conn: &mut DbConnection,
    user: (u64, &str),
    category: Option<rustmail_db::ids::CategoryId>,
) -> DomainResult<TicketId> {
    let new = NewTicket {
        user_id: UserId(user.0),
        user_name: user.1.to_owned(),
        guild_id: GuildId(1),
        opened_via: OpenedVia::UserDm,
        opened_by: UserId(user.0),
        category_id: category,
    };
    Ok(tickets::open(conn, &new)?.ticket.id)
}

/// Seeds three categories (Appeals disabled) and four tickets:
/// #1 alice, Billing, closed; #2 alice, Billing, open, assigned to bob, with an attachment, an
/// edited anonymous reply, an internal note, a deleted message and a scheduled close;
/// #3 carol, Technical, open, with a reminder; #4 dave, default inbox, open, no channel.
pub fn seed(db: &Db) {
    db.with_conn(|conn| -> DomainResult<()> {
        let category = |name: &str, id: u64, description: &str| NewCategory {
            name: name.to_owned(),
            description: description.to_owned(),
            emoji: None,
            discord_category_id: ChannelId(id),
        };
        let billing =
            categories::create(conn, &category("Billing", 9001, "Payments and invoices"))?;
        let technical = categories::create(conn, &category("Technical", 9002, "Bugs"))?;
        categories::create(conn, &category("Appeals", 9003, "Ban appeals"))?;
        categories::set_enabled(conn, "Appeals", false)?;

        let t1 = open(conn, (ALICE, "alice"), Some(billing.id))?;
        tickets::set_channel(conn, t1, ChannelId(5000))?;
        inbound(conn, t1, 100, (ALICE, "alice"), "Old question", vec![])?;
        reply(conn, t1, 101, (FRANK, "frank"), "Answered", false)?;
        tickets::close(
            conn,
            t1,
            &CloseRequest {
                kind: CloseKind::Staff,
                by: Some(UserId(FRANK)),
                reason: Some("resolved".into()),
            },
        )?;

        let t2 = open(conn, (ALICE, "alice"), Some(billing.id))?;
        tickets::set_channel(conn, t2, ChannelId(5001))?;
        tickets::assign(conn, t2, UserId(BOB), false)?;
        let invoice = NewAttachment {
            discord_attachment_id: None,
            filename: "invoice.pdf".into(),
            content_type: Some("application/pdf".into()),
            size_bytes: 2048,
            url: "https://cdn.example/invoice.pdf".into(),
            data: Some(vec![0; 16]),
        };
        inbound(
            conn,
            t2,
            200,
            (ALICE, "alice"),
            "Hello, I was charged twice",
            vec![invoice],
        )?;
        let answer = reply(conn, t2, 201, (BOB, "bob"), "We are looking into it", true)?;
        messages::record_edit(conn, answer, "We are looking into it now", UserId(BOB))?;
        messages::record_internal(
            conn,
            t2,
            MessageId(202),
            &author(BOB, "bob"),
            "Refund issued",
            &[],
        )?;
        let oops = inbound(conn, t2, 203, (ALICE, "alice"), "Sorry, wrong chat", vec![])?;
        messages::record_delete(conn, oops, UserId(ALICE))?;
        jobs::schedule_close(
            conn,
            t2,
            &CloseSchedule {
                kind: JobKind::Close,
                due_at: at(10, 12, 0),
                by: Some(UserId(BOB)),
                silent: false,
            },
        )?;

        let t3 = open(conn, (CAROL, "carol"), Some(technical.id))?;
        tickets::set_channel(conn, t3, ChannelId(5002))?;
        inbound(conn, t3, 300, (CAROL, "carol"), "My bot is broken", vec![])?;
        reminders::add(
            conn,
            t3,
            UserId(BOB),
            ChannelId(5002),
            "follow up with carol",
            at(9, 9, 0),
        )?;

        let t4 = open(conn, (DAVE, "dave"), None)?;
        inbound(conn, t4, 400, (DAVE, "dave"), "hi", vec![])?;
        Ok(())
    })
    .expect("seed");
    fix_times(db);
}

/// Replaces every time written by the seed with a fixed one.
fn fix_times(db: &Db) {
    let t = |d, h, m| format!("'{}'", at(d, h, m).format("%Y-%m-%d %H:%M:%S"));
    let mut sql = vec![
        format!("UPDATE tickets SET opened_at = {}, last_activity_at = {}, closed_at = {}, first_staff_reply_at = {} WHERE id = 1", t(1, 9, 0), t(1, 10, 0), t(1, 10, 0), t(1, 9, 30)),
        format!("UPDATE tickets SET opened_at = {}, last_activity_at = {}, first_staff_reply_at = {} WHERE id = 2", t(5, 8, 0), t(5, 9, 0), t(5, 8, 15)),
        format!("UPDATE tickets SET opened_at = {}, last_activity_at = {} WHERE id = 3", t(4, 12, 0), t(4, 12, 0)),
        format!("UPDATE tickets SET opened_at = {}, last_activity_at = {} WHERE id = 4", t(3, 7, 0), t(3, 7, 0)),
        format!("UPDATE messages SET edited_at = {} WHERE edited_at IS NOT NULL", t(5, 8, 20)),
        format!("UPDATE messages SET deleted_at = {} WHERE deleted_at IS NOT NULL", t(5, 8, 50)),
        format!("UPDATE message_revisions SET edited_at = {}", t(5, 8, 20)),
        format!("UPDATE attachments SET created_at = {}", t(5, 8, 0)),
        format!("UPDATE ticket_events SET created_at = {}", t(5, 8, 0)),
        format!("UPDATE scheduled_jobs SET created_at = {}", t(5, 8, 0)),
        format!("UPDATE reminders SET created_at = {}", t(5, 8, 0)),
        format!("UPDATE ticket_categories SET created_at = {}", t(1, 0, 0)),
    ];
    let message_times = [
        (1, 9, 0),
        (1, 9, 30),
        (5, 8, 0),
        (5, 8, 15),
        (5, 8, 30),
        (5, 8, 45),
        (4, 12, 0),
        (3, 7, 0),
    ];
    for (id, (d, h, m)) in message_times.iter().enumerate() {
        sql.push(format!(
            "UPDATE messages SET created_at = {} WHERE id = {}",
            t(*d, *h, *m),
            id + 1
        ));
    }
    db.with_conn(|conn| -> Result<(), rustmail_db::DbError> {
        conn.batch_execute(&sql.join(";\n")).expect("fix times");
        Ok(())
    })
    .expect("connection");
}
