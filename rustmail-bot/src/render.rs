//! How relayed messages look: embeds (`embedded_message = true`) or plain text (with `>>> `
//! when `block_quote`), split into as many parts as Discord's limits need, never truncated.
//!
//! Rendering is pure: it turns recorded content into [`Part`]s; the relay posts them.

use rustmail_db::config::ThreadConfig;
use serenity::all::{
    Colour, CreateAllowedMentions, CreateEmbed, CreateEmbedAuthor, CreateEmbedFooter,
    CreateMessage, EditMessage, Timestamp,
};

use crate::split::{discord_len, split, EMBED_DESCRIPTION_LIMIT, MESSAGE_LIMIT};
use crate::strings;

/// Longest embed author name.
const AUTHOR_LIMIT: usize = 256;
/// Longest embed field value.
const FIELD_LIMIT: usize = 1024;

/// One Discord message of a relay.
#[derive(Debug, Clone, Default)]
pub struct Part {
    pub content: Option<String>,
    pub embed: Option<CreateEmbed>,
}

impl Part {
    fn text(content: String) -> Self {
        Self {
            content: Some(content),
            embed: None,
        }
    }

    /// A message builder for this part, mentioning no one.
    pub fn to_create(&self) -> CreateMessage {
        let mut m = CreateMessage::new().allowed_mentions(CreateAllowedMentions::new());
        if let Some(c) = &self.content {
            m = m.content(c.clone());
        }
        if let Some(e) = &self.embed {
            m = m.embed(e.clone());
        }
        m
    }

    /// An edit builder turning an existing copy into this part, mentioning no one.
    pub fn to_edit(&self) -> EditMessage {
        let mut m = EditMessage::new()
            .allowed_mentions(CreateAllowedMentions::new())
            .content(self.content.clone().unwrap_or_default());
        m = match &self.embed {
            Some(e) => m.embed(e.clone()),
            None => m.embeds(Vec::new()),
        };
        m
    }
}

/// Shortens a name (not message text) to `limit` characters for an author line.
fn short(name: &str, limit: usize) -> String {
    if name.chars().count() <= limit {
        name.to_owned()
    } else {
        let mut s: String = name.chars().take(limit.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// A user's DM as shown in the ticket channel.
#[derive(Debug, Clone, Default)]
pub struct UserMessage<'a> {
    pub author_name: &'a str,
    pub avatar_url: Option<String>,
    pub text: &'a str,
    pub timestamp: Option<Timestamp>,
    /// The text of the message the user replied to.
    pub reply_to: Option<String>,
    /// Lines for attachments too large to copy (a link and a note).
    pub file_links: Vec<String>,
    /// Files are uploaded with the last part.
    pub has_files: bool,
    /// The user deleted the message (shown on the copy; the copy stays for staff).
    pub deleted: bool,
}

fn body_with_links(text: &str, links: &[String]) -> String {
    let mut body = text.to_owned();
    for link in links {
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str(link);
    }
    body
}

/// The ticket-channel copy of a user's DM.
pub fn user_message(thread: &ThreadConfig, m: &UserMessage<'_>) -> Vec<Part> {
    let body = body_with_links(m.text, &m.file_links);
    if thread.embedded_message {
        let chunks = split(&body, EMBED_DESCRIPTION_LIMIT);
        let chunks = if chunks.is_empty() {
            vec![if m.has_files {
                strings::ONLY_ATTACHMENTS.to_owned()
            } else {
                String::new()
            }]
        } else {
            chunks
        };
        let last = chunks.len() - 1;
        chunks
            .into_iter()
            .enumerate()
            .map(|(i, chunk)| {
                let mut author = CreateEmbedAuthor::new(short(m.author_name, AUTHOR_LIMIT));
                if let Some(url) = &m.avatar_url {
                    author = author.icon_url(url.clone());
                }
                let mut e = CreateEmbed::new()
                    .author(author)
                    .colour(Colour::new(thread.user_colour.get()));
                if !chunk.is_empty() {
                    e = e.description(chunk);
                }
                if i == 0 {
                    if let Some(reply) = &m.reply_to {
                        let quoted = split(reply, FIELD_LIMIT - 1)
                            .into_iter()
                            .next()
                            .unwrap_or_default();
                        let quoted = if quoted.len() < reply.len() {
                            format!("{quoted}…")
                        } else {
                            quoted
                        };
                        if !quoted.trim().is_empty() {
                            e = e.field(strings::IN_REPLY_TO, quoted, false);
                        }
                    }
                }
                if i == last {
                    if let Some(ts) = m.timestamp {
                        e = e.timestamp(ts);
                    }
                    if m.deleted {
                        e = e.footer(CreateEmbedFooter::new(strings::DELETED_BY_USER));
                    }
                }
                Part {
                    content: None,
                    embed: Some(e),
                }
            })
            .collect()
    } else {
        let name = short(m.author_name, AUTHOR_LIMIT);
        let mut body = body;
        if let Some(reply) = &m.reply_to {
            let first_line = reply.lines().next().unwrap_or_default();
            let quoted: String = first_line.chars().take(200).collect();
            body = format!("{} {quoted}\n{body}", strings::IN_REPLY_TO);
        }
        if m.deleted {
            body = format!("{body}\n{}", strings::DELETED_BY_USER);
        }
        if body.is_empty() && m.has_files {
            strings::ONLY_ATTACHMENTS.clone_into(&mut body);
        }
        plain_parts(&format!("**{name}:**"), &body, thread.block_quote)
    }
}

/// Plain-text parts: `header` then the body, each part quoted with `>>> ` when `quote`.
fn plain_parts(header: &str, body: &str, quote: bool) -> Vec<Part> {
    let first = if quote {
        format!("{header}\n>>> ")
    } else {
        format!("{header} ")
    };
    let next = if quote { ">>> " } else { "" };
    let limit = MESSAGE_LIMIT - discord_len(&first);
    let chunks = split(body, limit);
    if chunks.is_empty() {
        return vec![Part::text(header.to_owned())];
    }
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            if i == 0 {
                Part::text(format!("{first}{chunk}"))
            } else {
                Part::text(format!("{next}{chunk}"))
            }
        })
        .collect()
}

/// A staff reply, as recorded.
#[derive(Debug, Clone, Default)]
pub struct StaffMessage<'a> {
    pub author_name: &'a str,
    pub role: Option<&'a str>,
    pub anonymous: bool,
    pub text: &'a str,
    pub number: Option<i32>,
    pub timestamp: Option<Timestamp>,
    pub has_files: bool,
    /// Lines for attachments too large to copy.
    pub file_links: Vec<String>,
}

fn staff_parts(
    thread: &ThreadConfig,
    author: &str,
    text: &str,
    footer: Option<&str>,
    timestamp: Option<Timestamp>,
    has_files: bool,
) -> Vec<Part> {
    if thread.embedded_message {
        let chunks = split(text, EMBED_DESCRIPTION_LIMIT);
        let chunks = if chunks.is_empty() {
            vec![if has_files {
                strings::ONLY_ATTACHMENTS.to_owned()
            } else {
                String::new()
            }]
        } else {
            chunks
        };
        let last = chunks.len() - 1;
        chunks
            .into_iter()
            .enumerate()
            .map(|(i, chunk)| {
                let mut e = CreateEmbed::new()
                    .author(CreateEmbedAuthor::new(short(author, AUTHOR_LIMIT)))
                    .colour(Colour::new(thread.staff_colour.get()));
                if !chunk.is_empty() {
                    e = e.description(chunk);
                }
                if let Some(f) = footer {
                    e = e.footer(CreateEmbedFooter::new(f));
                }
                if i == last {
                    if let Some(ts) = timestamp {
                        e = e.timestamp(ts);
                    }
                }
                Part {
                    content: None,
                    embed: Some(e),
                }
            })
            .collect()
    } else {
        let header = match footer {
            Some(f) => format!("**{}** · {f}", short(author, AUTHOR_LIMIT)),
            None => format!("**{}:**", short(author, AUTHOR_LIMIT)),
        };
        let body = if text.is_empty() && has_files {
            strings::ONLY_ATTACHMENTS
        } else {
            text
        };
        plain_parts(&header, body, thread.block_quote)
    }
}

/// The copy of a staff reply the user gets (anonymous replies show `anonymous_label`).
pub fn staff_for_user(thread: &ThreadConfig, m: &StaffMessage<'_>) -> Vec<Part> {
    let author = if m.anonymous {
        thread.anonymous_label.clone()
    } else {
        strings::staff_author_for_user(m.author_name, m.role)
    };
    let text = body_with_links(m.text, &m.file_links);
    staff_parts(thread, &author, &text, None, m.timestamp, m.has_files)
}

/// The ticket-channel copy of a staff reply: the real author, and the reply's number.
pub fn staff_for_channel(thread: &ThreadConfig, m: &StaffMessage<'_>) -> Vec<Part> {
    let author = strings::staff_author(m.author_name, m.role, m.anonymous);
    let footer = m.number.map(strings::reply_footer);
    let text = body_with_links(m.text, &m.file_links);
    staff_parts(
        thread,
        &author,
        &text,
        footer.as_deref(),
        m.timestamp,
        m.has_files,
    )
}

/// A bot notice or log line, split to fit.
pub fn notice(text: &str) -> Vec<Part> {
    split(text, MESSAGE_LIMIT)
        .into_iter()
        .map(Part::text)
        .collect()
}

/// A stored time as a Discord timestamp.
pub fn timestamp(t: chrono::NaiveDateTime) -> Option<Timestamp> {
    Timestamp::from_unix_timestamp(t.and_utc().timestamp()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread(embedded: bool, quote: bool) -> ThreadConfig {
        ThreadConfig {
            embedded_message: embedded,
            block_quote: quote,
            ..ThreadConfig::default()
        }
    }

    fn texts(parts: &[Part]) -> Vec<String> {
        parts
            .iter()
            .map(|p| p.content.clone().unwrap_or_default())
            .collect()
    }

    #[test]
    fn plain_block_quote_wraps_every_part() {
        let long = "word ".repeat(1000);
        let parts = user_message(
            &thread(false, true),
            &UserMessage {
                author_name: "alice",
                text: &long,
                ..UserMessage::default()
            },
        );
        let t = texts(&parts);
        assert!(t.len() >= 3);
        assert!(t[0].starts_with("**alice:**\n>>> "));
        assert!(t[1].starts_with(">>> "));
        for p in &t {
            assert!(discord_len(p) <= MESSAGE_LIMIT);
        }
        let rebuilt: String = t
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if i == 0 {
                    p.trim_start_matches("**alice:**\n>>> ").to_owned()
                } else {
                    p[4..].to_owned()
                }
            })
            .collect();
        assert_eq!(rebuilt, long);
    }

    #[test]
    fn plain_without_quote() {
        let parts = user_message(
            &thread(false, false),
            &UserMessage {
                author_name: "alice",
                text: "hi",
                ..UserMessage::default()
            },
        );
        assert_eq!(texts(&parts), vec!["**alice:** hi"]);
    }

    #[test]
    fn embeds_split_at_4096() {
        let parts = user_message(
            &thread(true, true),
            &UserMessage {
                author_name: "alice",
                text: &"x".repeat(9000),
                ..UserMessage::default()
            },
        );
        assert_eq!(parts.len(), 3);
        assert!(parts
            .iter()
            .all(|p| p.embed.is_some() && p.content.is_none()));
    }

    #[test]
    fn anonymous_hides_the_name_from_the_user_only() {
        let m = StaffMessage {
            author_name: "bob",
            role: Some("Staff"),
            anonymous: true,
            text: "hello",
            number: Some(7),
            ..StaffMessage::default()
        };
        let t = thread(false, false);
        let user = texts(&staff_for_user(&t, &m)).concat();
        let channel = texts(&staff_for_channel(&t, &m)).concat();
        assert!(!user.contains("bob"), "{user}");
        assert!(user.contains("Staff Team"), "{user}");
        assert!(channel.contains("bob"), "{channel}");
        assert!(channel.contains("#7 · /edit 7"), "{channel}");
    }
}
