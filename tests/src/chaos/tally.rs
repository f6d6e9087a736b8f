//! The final count of a chaos run: losses, duplicates and reorderings from the observation,
//! each late or lost message placed against the kills, outages and refused posts that explain
//! it, and the figures read from the database, the gateway, the REST log and the bot's logs.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::rig::ChaosRig;
use super::storm::{Issued, Shared};
use super::verify::{self, Observation, Tally};
use super::Report;

/// A lost reply issued this shortly before a kill was in flight at the crash.
const IN_FLIGHT: Duration = Duration::from_secs(2);

/// The final count.
pub(super) fn count(
    o: &Observation,
    expected_dms: &BTreeSet<(usize, usize)>,
    required: &BTreeSet<(usize, usize)>,
    report: &mut Report,
) {
    let (sequences, several) = verify::relay_sequences(o);
    report.dms = Tally::of(expected_dms, &sequences);
    report.replies = Tally::of(required, &o.reply_dms);
    report.reply_copies = Tally::of(required, &o.reply_copies);
    report.ticket_channels = o.inbox_channels;
    report.users_with_several_channels = several;
    report.misrouted_replies = o.misrouted_replies;
    for (what, t) in [
        ("DMs", &report.dms),
        ("staff replies", &report.replies),
        ("reply copies", &report.reply_copies),
    ] {
        if t.lost > 0 {
            report
                .problems
                .push(format!("{} {what} lost, e.g. {:?}", t.lost, t.lost_samples));
        }
        if t.duplicated > 0 {
            report.problems.push(format!(
                "{} {what} doubled, e.g. {:?}",
                t.duplicated, t.duplicate_samples
            ));
        }
        if t.out_of_order > 0 {
            report.problems.push(format!(
                "{what} out of order in {} conversations, e.g. {:?}",
                t.out_of_order, t.reorder_samples
            ));
        }
    }
    if o.inbox_channels != report.users {
        report.problems.push(format!(
            "{} ticket channels for {} users",
            o.inbox_channels, report.users
        ));
    }
    if several > 0 {
        report.problems.push(format!(
            "{several} users' DMs went to more than one channel"
        ));
    }
    if o.misrouted_replies > 0 {
        report.problems.push(format!(
            "{} replies reached the wrong user",
            o.misrouted_replies
        ));
    }
}

/// Places each lost required reply relative to the kills, to tell "in flight at a crash" from
/// anything else.
pub(super) fn lost_reply_context(
    issued: &[Issued],
    o: &Observation,
    report: &mut Report,
    storm_start: Instant,
) {
    for r in issued.iter().filter(|r| r.required) {
        if o.reply_dms
            .get(&r.ticket)
            .is_some_and(|l| l.contains(&r.seq))
        {
            continue;
        }
        let key = format!("{}-{}", r.ticket, r.seq);
        let at = (r.at - storm_start).as_secs_f64();
        let before_kill = report.kills.iter().map(|k| k.at_s).find(|k| *k >= at);
        if before_kill.is_some_and(|k| k - at <= IN_FLIGHT.as_secs_f64()) {
            report.replies_lost_in_flight += 1;
        } else {
            report.replies_lost_other += 1;
        }
        let next_kill = before_kill.map_or_else(
            || "no kill after it".to_owned(),
            |k| format!("{:.0} ms before a kill", (k - at) * 1000.0),
        );
        report
            .lost_reply_context
            .push(format!("reply {key} issued at {at:.3} s, {next_kill}"));
    }
}

/// Numbers read after the run: database, gateway, REST log, bot logs.
pub(super) fn finish(rig: &mut ChaosRig, report: &mut Report) {
    let stats = rig.sim.gateway().stats();
    report.gateway_identifies = stats.identifies;
    report.gateway_resumes = stats.resumes;
    let requests = rig.sim.requests();
    report.rest_requests = requests.len();
    report.rest_500s = requests.iter().filter(|r| r.status == 500).count();
    report.rest_429s = requests.iter().filter(|r| r.status == 429).count();
    match rig.db.db.with_conn(rustmail_db::tickets::list::counts) {
        Ok((open, _)) => {
            report.open_tickets_in_db = open;
            if usize::try_from(open).ok() != Some(report.users) {
                report.problems.push(format!(
                    "{open} open tickets in the database for {} users",
                    report.users
                ));
            }
        }
        Err(e) => report.problems.push(format!("cannot count tickets: {e}")),
    }
    let errors = rig.log_lines("ERROR");
    report.log_errors = errors.len();
    report.log_error_samples = errors.into_iter().take(10).collect();
    let panics = rig.log_lines("panicked");
    if !panics.is_empty() {
        report.problems.push(format!(
            "the bot panicked: {:?}",
            &panics[..panics.len().min(3)]
        ));
    }
    report.peak_rss_mib = rig.peak_rss_mib();
}

/// Finds DMs that arrived after a later DM of the same user, and tells those the bot had to
/// fetch after a crash or an invalid session (sent while it had no session) from the others;
/// the same for staff replies, telling those whose first post Discord refused.
pub(super) fn late_dms(rig: &ChaosRig, o: &Observation, shared: &Shared, report: &mut Report) {
    let sent_at = shared.sent_at.lock().expect("sent_at");
    let down = shared.down.lock().expect("down");
    let (sequences, _) = verify::relay_sequences(o);
    for (u, m, n) in verify::late_arrivals(&sequences) {
        let missed = sent_at
            .get(&(u, m))
            .is_some_and(|at| down.iter().any(|(from, to)| from <= at && at <= to));
        if missed {
            report.dms_late_after_outage += 1;
        } else {
            report.dms_late_other += 1;
        }
        if report.late_samples.len() < 10 {
            let why = if missed {
                " (sent while the bot had no session)"
            } else {
                ""
            };
            report
                .late_samples
                .push(format!("user {u}: DM {m} after DM {n}{why}"));
        }
    }
    let refused = verify::refused_posts(&rig.sim, 'r');
    for (side, seen) in [("DMs", &o.reply_dms), ("channel", &o.reply_copies)] {
        for (t, k, n) in verify::late_arrivals(seen) {
            let failed = refused.contains(&(t, k));
            if failed {
                report.replies_late_after_failure += 1;
            } else {
                report.replies_late_other += 1;
            }
            if report.late_samples.len() < 20 {
                let why = if failed {
                    " (a post of it had been refused)"
                } else {
                    ""
                };
                report.late_samples.push(format!(
                    "ticket {t} ({side}): reply {k} after reply {n}{why}"
                ));
            }
        }
    }
}
