//! Operator actions from the CLI: what is queued (and refused), whether a bot is online, and
//! `--wait` against a fake bot thread that claims and completes actions like the real one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rustmail_db::actions::{self, ActionKind, Outcome};
use rustmail_db::{instances, Db};

use crate::support::{failure_of, on_both_backends, rustmail, seed, stdout_of, TestDatabase};

on_both_backends!(queues_actions_and_refuses_bad_ones, waits_for_the_bot);

/// A stand-in for the bot: heartbeats, claims actions and completes them with a fixed outcome.
struct FakeBot {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl FakeBot {
    fn start(db: Db, outcome: Outcome, result: &'static str) -> Self {
        db.with_conn(|c| instances::register(c, "fake-bot", "testhost", 42, "test"))
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let claimed = db
                    .with_conn(|c| {
                        instances::heartbeat(c, "fake-bot")?;
                        actions::claim_next(c, "fake-bot", Duration::from_secs(30))
                    })
                    .unwrap();
                match claimed {
                    Some(action) => {
                        db.with_conn(|c| actions::complete(c, action.id, outcome, result))
                            .unwrap();
                    }
                    None => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        });
        Self {
            stop,
            handle: Some(handle),
        }
    }
}

impl Drop for FakeBot {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

const OFFLINE: &str = "warning: no bot is online; the action will run when a bot starts\n";

fn queues_actions_and_refuses_bad_ones(db: &TestDatabase) {
    seed(&db.db);
    let run = |args: &[&str]| stdout_of(rustmail(db).arg("tickets").args(args));
    let fail = |args: &[&str]| failure_of(rustmail(db).arg("tickets").args(args));

    assert_eq!(
        run(&["close", "3"]),
        format!("queued close of ticket #3 (action 1)\n{OFFLINE}")
    );
    assert_eq!(
        run(&["close", "#2", "--silent"]),
        format!("queued silent close of ticket #2 (action 2)\n{OFFLINE}")
    );
    assert_eq!(
        run(&["force-close", "2"]),
        format!("queued force-close of ticket #2 (action 3)\n{OFFLINE}")
    );
    assert_eq!(
        run(&["cancel-close", "2"]),
        format!("queued cancellation of the scheduled close of ticket #2 (action 4)\n{OFFLINE}")
    );
    assert_eq!(
        run(&["move", "3", "billing"]),
        format!("queued move of ticket #3 to category 1 (action 5)\n{OFFLINE}")
    );
    assert_eq!(
        run(&["move", "3", "default"]),
        format!("queued move of ticket #3 to the default inbox (action 6)\n{OFFLINE}")
    );
    let orphans = run(&["force-close", "--orphans"]);
    assert_eq!(
        orphans,
        format!(
            "1 open ticket without a channel; the bot decides which other tickets lost their user or channel\n\
             queued force-close of ticket #4 (action 7)\n\
             queued recovery pass (closes tickets whose user left or whose channel vanished) (action 8)\n{OFFLINE}"
        )
    );

    assert_eq!(
        fail(&["cancel-close", "3"]),
        (1, "error: ticket #3 has no scheduled close\n".into())
    );
    assert_eq!(
        fail(&["close", "1"]),
        (1, "error: ticket #1 is not open\n".into())
    );
    assert_eq!(
        fail(&["close", "99"]),
        (1, "error: ticket #99 not found\n".into())
    );
    assert!(fail(&["move", "3", "nope"])
        .1
        .starts_with("error: CATEGORY: category `nope`"));
    assert_eq!(fail(&["force-close"]).0, 2);
    assert_eq!(fail(&["force-close", "2", "--orphans"]).0, 2);
    assert_eq!(
        fail(&["close", "3", "--timeout", "5"]).0,
        2,
        "--timeout needs --wait"
    );
    assert_eq!(fail(&["close", "x"]).0, 2);

    let queued = db.db.with_conn(|c| actions::recent(c, 20)).unwrap();
    assert_eq!(queued.len(), 8);
    let by_id = |id: i64| queued.iter().find(|a| a.id.0 == id).unwrap();
    assert_eq!(by_id(1).kind, ActionKind::Close);
    assert_eq!(by_id(1).payload_json()["silent"], false);
    assert_eq!(by_id(2).payload_json()["silent"], true);
    assert_eq!(by_id(3).kind, ActionKind::ForceClose);
    assert_eq!(by_id(5).payload_json()["category_id"], 1);
    assert!(by_id(6).payload_json()["category_id"].is_null());
    assert_eq!(by_id(8).kind, ActionKind::Recover);
    assert!(queued.iter().all(|a| a.requested_by == "tester"));

    let json: serde_json::Value = serde_json::from_str(&run(&["close", "3", "--json"])).unwrap();
    assert_eq!(json["bot_online"], false);
    assert_eq!(json["actions"][0]["kind"], "close");
}

fn waits_for_the_bot(db: &TestDatabase) {
    seed(&db.db);
    {
        let _bot = FakeBot::start(db.db.clone(), Outcome::Ok, "closed in Discord");
        let out =
            stdout_of(rustmail(db).args(["tickets", "close", "3", "--wait", "--timeout", "20"]));
        assert!(out.starts_with("queued close of ticket #3 (action 1)\na bot is online (testhost, pid 42, last heartbeat "), "{out}");
        assert!(out.contains("waiting up to 20s for the bot...\naction 1 done (by fake-bot): closed in Discord\n"), "{out}");

        let json: serde_json::Value = serde_json::from_str(&stdout_of(rustmail(db).args([
            "--json",
            "tickets",
            "force-close",
            "--orphans",
            "--wait",
        ])))
        .unwrap();
        assert_eq!(json["bot_online"], true);
        assert_eq!(json["waited"], true);
        let done = json["actions"].as_array().unwrap();
        assert_eq!(done.len(), 2);
        assert!(
            done.iter()
                .all(|a| a["outcome"] == "ok" && a["result"] == "closed in Discord"),
            "{json}"
        );
    }
    {
        let _bot = FakeBot::start(db.db.clone(), Outcome::Error, "the channel is gone");
        let out = rustmail(db)
            .args(["tickets", "close", "2", "--wait"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("action 4 failed (by fake-bot): the channel is gone"),
            "{stdout}"
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: the bot could not run action 4 (close of ticket #2): the channel is gone\n"
        );
    }
    // The bot stopped answering: --wait gives up after --timeout and says the action stays queued.
    let (code, err) =
        failure_of(rustmail(db).args(["tickets", "close", "3", "--wait", "--timeout", "1"]));
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "error: --timeout: the bot did not finish action 5 (close of ticket #3) within 1s; it stays queued\n"
    );
}
