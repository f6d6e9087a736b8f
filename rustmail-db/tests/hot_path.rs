//! The statements of the DM intake (the relay's hot path), as SQLite sees them: no one-row
//! lookup binds a `LIMIT` (SQLite then prepares the cached statement again on every execution,
//! see `rustmail_db::connection::only_row`), and the intake run through the bot's batched writer
//! adds no savepoint of its own (each is a round trip on Postgres), nor any other statement; and
//! every statement of a relayed DM is prepared once per connection, then only executed (on both
//! backends).

use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::Connection as _;
use rustmail_db::connection::write_tx;
use rustmail_db::ids::{ChannelId, GuildId, MessageId, UserId};
use rustmail_db::intake::{self, IncomingDm, Intake};
use rustmail_db::messages::relay;
use rustmail_db::testing::TestDatabase;
use rustmail_db::DomainError;

fn dm(id: u64) -> IncomingDm {
    IncomingDm {
        user_id: UserId(42),
        user_name: "user42".to_owned(),
        staff_guild: GuildId(900_000_000_000_000_001),
        dm_channel: ChannelId(700_000_000_000_000_042),
        message_id: MessageId(id),
        content: format!("message {id}"),
        attachments: Vec::new(),
        may_open: true,
    }
}

/// Collects the SQL of every statement run on the connection.
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            self.0.lock().expect("recorder").push(query.to_string());
        }
    }
}

/// Statements run, and statements put in the connection's prepared-statement cache.
#[derive(Default)]
struct Preparations {
    run: Vec<String>,
    cached: Vec<String>,
}

struct CacheRecorder(Arc<Mutex<Preparations>>);

impl Instrumentation for CacheRecorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        let mut seen = self.0.lock().expect("recorder");
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                // The text without diesel's `-- binds: [...]` suffix.
                let text = query.to_string();
                let sql = text.split(" -- binds: ").next().unwrap_or_default();
                seen.run.push(sql.to_owned());
            }
            InstrumentationEvent::CacheQuery { sql, .. } => seen.cached.push(sql.to_owned()),
            _ => {}
        }
    }
}

rustmail_db::stories!(every_statement_of_a_relayed_dm_is_prepared_once);

/// Takes in DM `id` of user 42 and records its relay as delivered (the bot's two writes).
fn relay_one(c: &mut rustmail_db::DbConnection, id: u64) -> Result<(), DomainError> {
    let Intake::Recorded(r) = write_tx(c, |c| intake::intake_dm_within(c, &dm(id)))? else {
        panic!("DM {id} is recorded");
    };
    relay::record_copies(
        c,
        r.recorded.message.id,
        relay::Side::Inbox,
        0,
        &[MessageId(id + 1_000_000)],
        true,
    )
}

/// diesel caches no `UPDATE` and no `INSERT` with an `Option` field by itself: each was parsed
/// and planned again on every DM (session 5). Once a conversation is warm, relaying a DM must
/// run only statements the connection has prepared before, and prepare nothing new.
fn every_statement_of_a_relayed_dm_is_prepared_once(t: &TestDatabase) {
    let seen = Arc::new(Mutex::new(Preparations::default()));
    t.db.with_conn(|c| {
        c.set_instrumentation(CacheRecorder(Arc::clone(&seen)));
        // Warm-up: the first DM opens the ticket, the second is an ordinary one.
        relay_one(c, 1)?;
        relay_one(c, 2)?;
        let warm = std::mem::take(&mut *seen.lock().expect("recorder"));
        relay_one(c, 3)?;
        let measured = std::mem::take(&mut *seen.lock().expect("recorder"));
        assert!(
            measured.cached.is_empty(),
            "prepared again: {:#?}",
            measured.cached
        );
        let unprepared: Vec<&String> = measured
            .run
            .iter()
            .filter(|sql| !matches!(sql.as_str(), "BEGIN" | "BEGIN IMMEDIATE" | "COMMIT"))
            .filter(|sql| !warm.cached.contains(sql))
            .collect();
        assert!(
            unprepared.is_empty(),
            "statements not taken from the cache: {unprepared:#?}\ncached: {:#?}",
            warm.cached
        );
        assert!(measured.run.len() >= 5, "{:#?}", measured.run);
        Ok::<_, DomainError>(())
    })
    .expect("relay");
}

#[test]
fn the_intake_of_a_dm_binds_no_limit_and_adds_no_savepoint() {
    let t = TestDatabase::sqlite();
    let statements = Arc::new(Mutex::new(Vec::new()));
    t.db.with_conn(|c| {
        // The first DM opens the ticket; the second is the common case measured here.
        let Intake::Recorded(first) = intake::intake_dm(c, &dm(1))? else {
            panic!("the first DM is recorded");
        };
        // Relayed, as the per-user lane does before it takes in the next DM.
        relay::mark_delivered(c, first.recorded.message.id)?;
        c.set_instrumentation(Recorder(Arc::clone(&statements)));
        let outcome = write_tx(c, |c| intake::intake_dm_within(c, &dm(2)))?;
        assert!(matches!(outcome, Intake::Recorded(r) if r.recorded.created));
        Ok::<_, DomainError>(())
    })
    .expect("intake");
    let statements = statements.lock().expect("recorder").clone();
    // Each statement is a round trip on Postgres: record the last-seen DM; the open ticket with
    // seen, blocked, selection, backlog, jobs and alerts in one read; the insert; the ticket's
    // activity (nothing to cancel, fire or deliver first, so no statement for those).
    let work = statements
        .iter()
        .filter(|s| !matches!(s.as_str(), "BEGIN IMMEDIATE" | "COMMIT"))
        .count();
    assert_eq!(work, 4, "{statements:#?}");
    let limited: Vec<&String> = statements
        .iter()
        .filter(|s| s.to_uppercase().contains("LIMIT"))
        .collect();
    assert!(
        limited.is_empty(),
        "lookups with a bound LIMIT: {limited:#?}"
    );
    let savepoints = statements
        .iter()
        .filter(|s| s.to_uppercase().contains("SAVEPOINT"))
        .count();
    assert_eq!(savepoints, 0, "{statements:#?}");
}
