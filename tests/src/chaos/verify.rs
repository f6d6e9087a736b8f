//! The checks of the chaos suite, made on what the simulated Discord finally holds (not on the
//! bot's requests: a retried POST that the nonce deduplicated is one message, and must count as
//! one). Every DM and staff reply carries a token (`chaos-d-<user>-<seq>`,
//! `chaos-r-<ticket>-<seq>`) that is looked up in the bot's messages.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::sim::{Message, SimHandle};

/// The token of a user's DM number `seq` (0 is the message that opened the ticket).
pub fn dm_token(user: usize, seq: usize) -> String {
    format!("chaos-d-{user}-{seq}")
}

/// The token of staff reply number `seq` in the ticket of user `ticket`.
pub fn reply_token(ticket: usize, seq: usize) -> String {
    format!("chaos-r-{ticket}-{seq}")
}

/// Every `chaos-<kind>-<a>-<b>` token in `text`.
pub fn tokens(text: &str, kind: char) -> Vec<(usize, usize)> {
    let prefix = format!("chaos-{kind}-");
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&prefix) {
        rest = &rest[i + prefix.len()..];
        let a_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let tail = &rest[a_len..];
        let Some(tail) = tail.strip_prefix('-') else {
            continue;
        };
        let b_len = tail.bytes().take_while(u8::is_ascii_digit).count();
        if let (Ok(a), Ok(b)) = (rest[..a_len].parse(), tail[..b_len].parse()) {
            found.push((a, b));
        }
    }
    found
}

/// The texts of a message a token may be in: content and embed descriptions.
fn texts(m: &Message) -> impl Iterator<Item = &str> {
    std::iter::once(m.content.as_str()).chain(
        m.embeds
            .iter()
            .filter_map(|e| e.get("description").and_then(serde_json::Value::as_str)),
    )
}

/// What the simulator holds now, reduced to tokens in message order.
#[derive(Debug, Default)]
pub struct Observation {
    /// User → (ticket channel, DM seq) of relayed DMs, in message order.
    pub relays: BTreeMap<usize, Vec<(u64, usize)>>,
    /// Ticket (user index) → reply seqs found in that user's DM channel, in order.
    pub reply_dms: BTreeMap<usize, Vec<usize>>,
    /// Ticket → reply seqs of the channel copies, in order.
    pub reply_copies: BTreeMap<usize, Vec<usize>>,
    /// Reply tokens found in another user's DM channel.
    pub misrouted_replies: usize,
    /// Channels under the inbox category.
    pub inbox_channels: usize,
    /// Bot messages looked at (to tell when the bot has gone quiet).
    pub bot_messages: usize,
}

/// Reads the world once. `dm_channels[u]` is user `u`'s DM channel with the bot.
pub fn observe(sim: &SimHandle, dm_channels: &[u64]) -> Observation {
    let ids = sim.ids().clone();
    let bot = ids.bot_user_id;
    sim.world(|w| {
        let mut o = Observation::default();
        let channels = w.channels_in_category(ids.inbox_category_id);
        o.inbox_channels = channels.len();
        for channel in channels {
            for m in w.channel_messages(channel.id) {
                if m.author_id != bot {
                    continue;
                }
                o.bot_messages += 1;
                for text in texts(m) {
                    for (u, seq) in tokens(text, 'd') {
                        o.relays.entry(u).or_default().push((channel.id, seq));
                    }
                    for (t, seq) in tokens(text, 'r') {
                        o.reply_copies.entry(t).or_default().push(seq);
                    }
                }
            }
        }
        for (owner, dm) in dm_channels.iter().enumerate() {
            for m in w.channel_messages(*dm) {
                if m.author_id != bot {
                    continue;
                }
                o.bot_messages += 1;
                for text in texts(m) {
                    for (t, seq) in tokens(text, 'r') {
                        if t == owner {
                            o.reply_dms.entry(t).or_default().push(seq);
                        } else {
                            o.misrouted_replies += 1;
                        }
                    }
                }
            }
        }
        o
    })
}

/// Losses, duplicates and reorderings of one kind of message.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    /// Messages that must arrive.
    pub expected: usize,
    /// Of those, how many arrived (at least once).
    pub delivered: usize,
    pub lost: usize,
    /// Extra copies (a message seen three times counts two).
    pub duplicated: usize,
    /// Users (or tickets) whose messages arrived out of order.
    pub out_of_order: usize,
    /// Arrived although not required (e.g. a reply issued while the bot was down).
    pub extra_delivered: usize,
    pub lost_samples: Vec<String>,
    pub duplicate_samples: Vec<String>,
    pub reorder_samples: Vec<String>,
}

impl Tally {
    /// Compares `seen` (group → seqs in arrival order) with `expected` (group, seq) pairs.
    pub fn of(expected: &BTreeSet<(usize, usize)>, seen: &BTreeMap<usize, Vec<usize>>) -> Self {
        const SAMPLES: usize = 10;
        let mut t = Self {
            expected: expected.len(),
            ..Self::default()
        };
        let mut counts: HashMap<(usize, usize), usize> = HashMap::new();
        for (group, seqs) in seen {
            for seq in seqs {
                *counts.entry((*group, *seq)).or_default() += 1;
            }
            // Order is judged on first arrivals: a late duplicate is counted as a duplicate.
            let mut firsts = BTreeSet::new();
            let mut last: Option<usize> = None;
            for seq in seqs.iter().filter(|s| firsts.insert(**s)) {
                if let Some(prev) = last.filter(|prev| seq < prev) {
                    t.out_of_order += 1;
                    if t.reorder_samples.len() < SAMPLES {
                        t.reorder_samples
                            .push(format!("{group}: {seq} after {prev}"));
                    }
                    break;
                }
                last = Some(*seq);
            }
        }
        for key in expected {
            if counts.contains_key(key) {
                t.delivered += 1;
            } else {
                t.lost += 1;
                if t.lost_samples.len() < SAMPLES {
                    t.lost_samples.push(format!("{}-{}", key.0, key.1));
                }
            }
        }
        let mut dups: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
        dups.sort_unstable();
        for ((group, seq), n) in dups {
            t.duplicated += n - 1;
            if t.duplicate_samples.len() < SAMPLES {
                t.duplicate_samples.push(format!("{group}-{seq} x{n}"));
            }
        }
        t.extra_delivered = counts.keys().filter(|k| !expected.contains(k)).count();
        t
    }

    /// Nothing lost, doubled or reordered.
    pub fn clean(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.out_of_order == 0
    }
}

/// Messages that arrived after a later one of the same group: (group, late seq, newest before
/// it), judged on first arrivals.
pub fn late_arrivals(seen: &BTreeMap<usize, Vec<usize>>) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for (group, seqs) in seen {
        let mut firsts = BTreeSet::new();
        let mut newest: Option<usize> = None;
        for seq in seqs.iter().filter(|s| firsts.insert(**s)) {
            if let Some(n) = newest.filter(|n| seq < n) {
                out.push((*group, *seq, n));
            }
            newest = Some(newest.map_or(*seq, |n| n.max(*seq)));
        }
    }
    out
}

/// Tokens of `kind` in message POSTs the simulator refused (an injected 500 or 429).
pub fn refused_posts(sim: &SimHandle, kind: char) -> BTreeSet<(usize, usize)> {
    let mut out = BTreeSet::new();
    for r in sim.requests() {
        if r.method != "POST"
            || r.route != Some("/channels/{channel_id}/messages")
            || r.status < 400
        {
            continue;
        }
        let Some(body) = &r.body else { continue };
        let mut texts = vec![body.get("content").and_then(serde_json::Value::as_str)];
        if let Some(embeds) = body.get("embeds").and_then(serde_json::Value::as_array) {
            texts.extend(
                embeds
                    .iter()
                    .map(|e| e.get("description").and_then(serde_json::Value::as_str)),
            );
        }
        for text in texts.into_iter().flatten() {
            out.extend(tokens(text, kind));
        }
    }
    out
}

/// The DM side of an observation: relays per user in order, and users whose DMs landed in more
/// than one channel.
pub fn relay_sequences(o: &Observation) -> (BTreeMap<usize, Vec<usize>>, usize) {
    let mut seqs = BTreeMap::new();
    let mut several = 0;
    for (u, list) in &o.relays {
        seqs.insert(*u, list.iter().map(|(_, s)| *s).collect());
        if list.iter().map(|(c, _)| c).collect::<BTreeSet<_>>().len() > 1 {
            several += 1;
        }
    }
    (seqs, several)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_in_surrounding_text() {
        assert_eq!(
            tokens("x chaos-d-3-14 words chaos-d-3-15, chaos-r-1-2", 'd'),
            vec![(3, 14), (3, 15)]
        );
        assert_eq!(tokens("chaos-d-3 chaos-d--1 chaos-d-", 'd'), vec![]);
        assert_eq!(tokens(&reply_token(7, 9), 'r'), vec![(7, 9)]);
    }

    #[test]
    fn a_tally_counts_losses_duplicates_and_reorderings() {
        let expected: BTreeSet<_> = [(0, 1), (0, 2), (0, 3), (1, 1), (1, 2)].into();
        let seen: BTreeMap<_, _> = [(0, vec![1, 3, 2, 3]), (1, vec![1, 9, 1])].into();
        let t = Tally::of(&expected, &seen);
        assert_eq!((t.delivered, t.lost, t.duplicated), (4, 1, 2));
        assert_eq!(t.out_of_order, 1);
        assert_eq!(t.extra_delivered, 1);
        assert_eq!(t.lost_samples, vec!["1-2"]);
        assert_eq!(t.reorder_samples, vec!["0: 2 after 3"]);
        assert!(!t.clean());
        let ok: BTreeMap<_, _> = [(0, vec![1, 2, 3]), (1, vec![1, 2])].into();
        assert!(Tally::of(&expected, &ok).clean());
    }
}
