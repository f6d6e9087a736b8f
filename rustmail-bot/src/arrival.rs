//! Putting messages back in gateway order, without ever dropping one.
//!
//! serenity runs each gateway event in a task of its own, so the handlers of two messages sent
//! back to back may run in either order; but the shard runner stores every message in serenity's
//! cache, in gateway order, before it spawns the message's task. So when a message's handler
//! runs, the messages before it are in the cache, and a lane (a user's DMs, a channel's
//! commands) enqueues those not enqueued yet, in id order, then the message itself.
//!
//! The cache keeps only the newest messages of each channel. Under load, handlers can fall so
//! far behind the shard runner that a message leaves the cache before anything enqueued it; the
//! lane's "newest enqueued" mark has then passed it when its own handler finally runs. Such a
//! message used to be skipped as already enqueued, and was lost (a whole burst of a user's DMs,
//! in the benchmarks). [`Arrivals`] remembers which messages it enqueued ahead of their own
//! handler, so a message past the mark that is not among them is enqueued late rather than lost
//! (the database's idempotency on message ids makes a rare second enqueue harmless).

use std::collections::VecDeque;

use serenity::all::MessageId;

/// Messages enqueued ahead of their own handler remembered at most (per lane); past this, the
/// oldest is forgotten and its handler, if it still comes, enqueues it again (harmless).
const AHEAD_LIMIT: usize = 64;

/// One lane's arrivals.
#[derive(Debug, Default)]
pub struct Arrivals {
    /// The newest message enqueued.
    newest: Option<MessageId>,
    /// Messages enqueued from the cache before their own handler ran (normally empty again
    /// within milliseconds, when those handlers run).
    ahead: VecDeque<MessageId>,
}

/// What to enqueue for a message whose handler runs now.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission<M> {
    /// These, in order (earlier messages from the cache, then the message).
    InOrder(Vec<M>),
    /// Only the message, after later ones: the cache had dropped it before its turn.
    Late(M),
    /// Nothing: it was enqueued already.
    Already,
}

impl Arrivals {
    /// The newest message enqueued (what `cached_after` is asked for).
    pub fn newest(&self) -> Option<MessageId> {
        self.newest
    }

    /// Admits `message` (its id is `id`), whose handler runs now. `cached_after(mark)` lists the
    /// lane's cached messages newer than `mark` (all of them if `None`) and older than `id`.
    pub fn admit<M>(
        &mut self,
        id: MessageId,
        message: M,
        cached_after: impl FnOnce(Option<MessageId>) -> Vec<(MessageId, M)>,
    ) -> Admission<M> {
        if let Some(at) = self.ahead.iter().position(|a| *a == id) {
            self.ahead.remove(at);
            if self.ahead.is_empty() {
                // The burst is over: give the memory back (one lane per user adds up).
                self.ahead.shrink_to_fit();
            }
            return Admission::Already;
        }
        if self.newest.is_some_and(|newest| id <= newest) {
            return Admission::Late(message);
        }
        let mut earlier = cached_after(self.newest);
        earlier.retain(|(m, _)| *m < id && self.newest.is_none_or(|newest| *m > newest));
        earlier.sort_by_key(|(m, _)| *m);
        earlier.dedup_by_key(|(m, _)| *m);
        for (m, _) in &earlier {
            self.remember_ahead(*m);
        }
        self.newest = Some(id);
        let mut batch: Vec<M> = earlier.into_iter().map(|(_, m)| m).collect();
        batch.push(message);
        Admission::InOrder(batch)
    }

    /// Records `id` as enqueued by another path (recovery fetched it): its live handler, if one
    /// comes, enqueues nothing.
    pub fn note_enqueued(&mut self, id: MessageId) {
        if self.newest.is_none_or(|newest| id > newest) {
            self.newest = Some(id);
        }
        self.remember_ahead(id);
    }

    /// Whether nothing newer than `id` was enqueued yet (its handler has not run, nor a later
    /// one's).
    pub fn is_unseen(&self, id: MessageId) -> bool {
        self.newest.is_none_or(|newest| id > newest)
    }

    fn remember_ahead(&mut self, id: MessageId) {
        if self.ahead.len() >= AHEAD_LIMIT {
            self.ahead.pop_front();
        }
        self.ahead.push_back(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u64) -> MessageId {
        MessageId::new(n)
    }

    /// A cache holding `ids` (the newest `limit` of everything received so far).
    fn cache(received: &[u64], limit: usize) -> Vec<u64> {
        received[received.len().saturating_sub(limit)..].to_vec()
    }

    fn lookup(
        cached: Vec<u64>,
        below: u64,
    ) -> impl FnOnce(Option<MessageId>) -> Vec<(MessageId, u64)> {
        move |after| {
            cached
                .into_iter()
                .filter(|m| *m < below && after.is_none_or(|a| id(*m) > a))
                .map(|m| (id(m), m))
                .collect()
        }
    }

    #[test]
    fn handlers_in_order_enqueue_each_message_once() {
        let mut a = Arrivals::default();
        let mut out = Vec::new();
        for n in 1..=5 {
            match a.admit(id(n), n, lookup(cache(&(1..=n).collect::<Vec<_>>(), 32), n)) {
                Admission::InOrder(batch) => out.extend(batch),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(out, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_later_handler_first_enqueues_the_earlier_cached_messages_and_theirs_come_to_nothing() {
        let mut a = Arrivals::default();
        let received: Vec<u64> = (1..=3).collect();
        assert_eq!(
            a.admit(id(3), 3, lookup(cache(&received, 32), 3)),
            Admission::InOrder(vec![1, 2, 3])
        );
        assert_eq!(
            a.admit(id(1), 1, lookup(cache(&received, 32), 1)),
            Admission::Already
        );
        assert_eq!(
            a.admit(id(2), 2, lookup(cache(&received, 32), 2)),
            Admission::Already
        );
        assert!(a.ahead.is_empty());
    }

    #[test]
    fn a_message_the_cache_dropped_before_its_turn_is_enqueued_late_not_lost() {
        // 60 DMs received before any handler ran; the cache keeps the newest 32.
        let received: Vec<u64> = (1..=60).collect();
        let mut a = Arrivals::default();
        let mut enqueued = Vec::new();
        let mut late = Vec::new();
        // The handler of DM 45 runs first, then the others in order.
        for n in std::iter::once(45).chain((1..=60).filter(|n| *n != 45)) {
            match a.admit(id(n), n, lookup(cache(&received, 32), n)) {
                Admission::InOrder(batch) => enqueued.extend(batch),
                Admission::Late(m) => late.push(m),
                Admission::Already => {}
            }
        }
        let mut all: Vec<u64> = enqueued.iter().chain(&late).copied().collect();
        all.sort_unstable();
        assert_eq!(all, received, "every DM exactly once");
        // The ones the cache still held went in order; only the dropped ones came late.
        assert_eq!(late, (1..=28).collect::<Vec<_>>());
        assert!(enqueued.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn recovered_messages_are_not_enqueued_again_by_their_live_handler() {
        let mut a = Arrivals::default();
        a.note_enqueued(id(7));
        assert!(!a.is_unseen(id(7)));
        assert_eq!(a.admit(id(7), 7, lookup(Vec::new(), 7)), Admission::Already);
        assert!(a.is_unseen(id(8)));
    }

    #[test]
    fn the_memory_of_messages_enqueued_ahead_is_bounded() {
        let mut a = Arrivals::default();
        let received: Vec<u64> = (1..=200).collect();
        let _ = a.admit(id(200), 200, lookup(received.clone(), 200));
        assert_eq!(a.ahead.len(), AHEAD_LIMIT);
    }
}
