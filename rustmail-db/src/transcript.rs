//! Transcripts: a ticket's log ([`TicketLog`]) rendered as plain text, Markdown, JSON or HTML.
//!
//! Pure functions, shared by the CLI (`rustmail tickets show`, `rustmail logs`) and, later, the
//! bot's close-time transcripts. Every message is numbered in order and shows its direction and
//! author; anonymous staff replies are marked as such and, for a staff audience, keep their real
//! author; edits list the previous versions, deletions are marked (the text is kept), and
//! attachments are listed with name, size and whether their bytes are stored. HTML output escapes
//! everything it prints and only links `http(s)` URLs.

use std::fmt::Write as _;

use chrono::NaiveDateTime;

use crate::log::{LoggedMessage, TicketLog};
use crate::messages::Direction;
use crate::text_enum;

text_enum! {
    /// An output format.
    pub enum Format {
        Text => "text",
        Markdown => "markdown",
        Json => "json",
        Html => "html",
    }
}

/// Who the transcript is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Show who really wrote anonymous replies (staff and operators: yes; the user: no).
    pub show_real_authors: bool,
    /// The name shown for anonymous replies (`thread.anonymous_label`).
    pub anonymous_label: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            show_real_authors: true,
            anonymous_label: "Staff Team".to_owned(),
        }
    }
}

/// Renders one ticket's transcript.
pub fn render(log: &TicketLog, format: Format, options: &Options) -> String {
    render_many(std::slice::from_ref(log), format, options)
}

/// Renders several tickets' transcripts in the given order (e.g. all of a user's tickets) as one
/// document: one JSON array, one HTML page, or text/Markdown sections one after the other.
pub fn render_many(logs: &[TicketLog], format: Format, options: &Options) -> String {
    match format {
        Format::Text => join(logs, options, text_ticket, "\n"),
        Format::Markdown => join(logs, options, markdown_ticket, "\n---\n\n"),
        Format::Json => json(logs, options),
        Format::Html => html_document(logs, options),
    }
}

fn join(
    logs: &[TicketLog],
    options: &Options,
    one: fn(&TicketLog, &Options) -> String,
    separator: &str,
) -> String {
    logs.iter()
        .map(|log| one(log, options))
        .collect::<Vec<_>>()
        .join(separator)
}

/// A stored time as printed in transcripts.
pub fn format_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A byte count for people: `512 B`, `12.0 KiB`, `3.5 MiB`.
pub fn format_size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    #[allow(clippy::cast_precision_loss)]
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Which way a message went, in words.
pub fn direction_label(direction: Direction) -> &'static str {
    match direction {
        Direction::UserToStaff => "user → staff",
        Direction::StaffToUser => "staff → user",
        Direction::Internal => "internal note",
        Direction::System => "system",
    }
}

/// Who wrote a message, as the audience may see it.
pub fn author_label(message: &LoggedMessage, options: &Options) -> String {
    let m = &message.message;
    if m.anonymous {
        if options.show_real_authors {
            format!(
                "(anonymous) {} — sent by {} ({})",
                options.anonymous_label, m.author_name, m.author_id
            )
        } else {
            format!("(anonymous) {}", options.anonymous_label)
        }
    } else if m.direction == Direction::System {
        format!("{} (system)", m.author_name)
    } else {
        format!("{} ({})", m.author_name, m.author_id)
    }
}

/// The heading line of a ticket: `Ticket #12 — alice (1001)`.
fn title(log: &TicketLog) -> String {
    format!(
        "Ticket #{} — {} ({})",
        log.ticket.id, log.ticket.user_name, log.ticket.user_id
    )
}

/// Summary lines about a ticket (status, category, assignment, times).
fn summary(log: &TicketLog) -> Vec<String> {
    let t = &log.ticket;
    let mut status = t.status.to_string();
    if let Some(kind) = t.close_kind {
        let _ = write!(status, " ({kind})");
    }
    let category = log
        .category
        .as_ref()
        .map_or_else(|| "default inbox".to_owned(), |c| c.name.clone());
    let assigned = t
        .assigned_to
        .map_or_else(|| "nobody".to_owned(), |s| s.to_string());
    let mut lines = vec![
        format!("Status: {status}"),
        format!("Category: {category}"),
        format!("Assigned to: {assigned}"),
        format!("Opened: {} via {}", format_time(t.opened_at), t.opened_via),
    ];
    if let Some(closed) = t.closed_at {
        let mut line = format!("Closed: {}", format_time(closed));
        if let Some(by) = t.closed_by {
            let _ = write!(line, " by {by}");
        }
        if let Some(reason) = &t.close_reason {
            let _ = write!(line, ": {reason}");
        }
        lines.push(line);
    }
    lines.push(format!("Messages: {}", log.messages.len()));
    lines
}

/// The header of one message: `[3] 2026-01-02 03:04:05 UTC · staff → user · reply #2 · author`.
fn message_header(index: usize, message: &LoggedMessage, options: &Options) -> String {
    let m = &message.message;
    let mut header = format!(
        "[{index}] {} · {}",
        format_time(m.created_at),
        direction_label(m.direction)
    );
    if let Some(n) = m.number {
        let _ = write!(header, " · reply #{n}");
    }
    let _ = write!(header, " · {}", author_label(message, options));
    header
}

/// Notes under a message: deletion, edits with previous versions, attachments.
fn message_notes(message: &LoggedMessage) -> Vec<String> {
    let m = &message.message;
    let mut notes = Vec::new();
    if let Some(at) = m.deleted_at {
        let by = m
            .deleted_by
            .map_or_else(String::new, |u| format!(" by {u}"));
        notes.push(format!("DELETED {}{by}", format_time(at)));
    }
    if let Some(at) = m.edited_at {
        notes.push(format!(
            "edited {} ({} previous version{})",
            format_time(at),
            message.revisions.len(),
            if message.revisions.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    notes
}

fn revision_line(r: &crate::messages::Revision) -> String {
    format!("{} by {}", format_time(r.edited_at), r.edited_by)
}

fn attachment_line(a: &crate::attachments::AttachmentInfo) -> String {
    format!(
        "{} ({}, {}) {}",
        a.filename,
        format_size(a.size_bytes),
        if a.stored { "stored" } else { "link only" },
        a.url
    )
}

fn event_line(e: &crate::events::TicketEvent) -> String {
    let mut line = format!("{} {}", format_time(e.created_at), e.kind);
    if let Some(actor) = e.actor_id {
        let _ = write!(line, " by {actor}");
    }
    if !e.detail.is_empty() {
        let _ = write!(line, ": {}", e.detail);
    }
    line
}

fn indent(text: &str, prefix: &str) -> String {
    if text.is_empty() {
        return format!("{prefix}(no text)\n");
    }
    text.lines().fold(String::new(), |mut out, line| {
        let _ = writeln!(out, "{prefix}{line}");
        out
    })
}

fn text_ticket(log: &TicketLog, options: &Options) -> String {
    let mut out = format!("{}\n", title(log));
    for line in summary(log) {
        let _ = writeln!(out, "{line}");
    }
    for (i, message) in log.messages.iter().enumerate() {
        let _ = writeln!(out, "\n{}", message_header(i + 1, message, options));
        out.push_str(&indent(&message.message.content, "    "));
        for note in message_notes(message) {
            let _ = writeln!(out, "    [{note}]");
        }
        for r in &message.revisions {
            let _ = writeln!(out, "    previous version, replaced {}:", revision_line(r));
            out.push_str(&indent(&r.previous_content, "      | "));
        }
        for a in &message.attachments {
            let _ = writeln!(out, "    attachment: {}", attachment_line(a));
        }
    }
    if !log.events.is_empty() {
        out.push_str("\nEvents:\n");
        for e in &log.events {
            let _ = writeln!(out, "  {}", event_line(e));
        }
    }
    out
}

/// Escapes Markdown's inline markup characters in a single-line text.
fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn markdown_ticket(log: &TicketLog, options: &Options) -> String {
    let mut out = format!("# {}\n\n", md_escape(&title(log)));
    for line in summary(log) {
        let _ = writeln!(out, "- {}", md_escape(&line));
    }
    for (i, message) in log.messages.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n### {}\n",
            md_escape(&message_header(i + 1, message, options))
        );
        for note in message_notes(message) {
            let _ = writeln!(out, "**{}**\n", md_escape(&note));
        }
        out.push_str(&indent(&message.message.content, "> "));
        for r in &message.revisions {
            let _ = writeln!(
                out,
                "\n*Previous version, replaced {}:*\n",
                md_escape(&revision_line(r))
            );
            out.push_str(&indent(&r.previous_content, "> "));
        }
        if !message.attachments.is_empty() {
            out.push('\n');
            for a in &message.attachments {
                let _ = writeln!(out, "- Attachment: {}", md_escape(&attachment_line(a)));
            }
        }
    }
    if !log.events.is_empty() {
        out.push_str("\n## Events\n\n");
        for e in &log.events {
            let _ = writeln!(out, "- {}", md_escape(&event_line(e)));
        }
    }
    out
}

/// A copy of the log as the audience may see it (real authors of anonymous replies removed
/// unless shown).
fn audience_copy(log: &TicketLog, options: &Options) -> TicketLog {
    let mut copy = log.clone();
    if !options.show_real_authors {
        for m in &mut copy.messages {
            if m.message.anonymous {
                m.message.author_name.clone_from(&options.anonymous_label);
                m.message.author_id = crate::ids::UserId(0);
                m.message.author_role = None;
            }
        }
    }
    copy
}

fn json(logs: &[TicketLog], options: &Options) -> String {
    let logs: Vec<TicketLog> = logs.iter().map(|l| audience_copy(l, options)).collect();
    let value = if logs.len() == 1 {
        serde_json::to_value(&logs[0])
    } else {
        serde_json::to_value(&logs)
    };
    let mut out = value
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const HTML_STYLE: &str = "body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}\
.msg{border-left:4px solid #5865F2;padding:.3em .8em;margin:1em 0}\
.msg.staff_to_user{border-color:#57F287}.msg.internal{border-color:#999}\
.msg.system{border-color:#ccc;color:#666}.deleted{background:#fee}\
.meta{color:#555;font-size:.9em}.content{white-space:pre-wrap}\
.revision{white-space:pre-wrap;color:#666;border-left:2px dashed #aaa;padding-left:.5em}";

fn html_document(logs: &[TicketLog], options: &Options) -> String {
    let page_title = match logs {
        [one] => title(one),
        _ => format!("{} tickets", logs.len()),
    };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{HTML_STYLE}</style>\n</head>\n<body>\n",
        html_escape(&page_title)
    );
    for log in logs {
        html_ticket(&mut out, log, options);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn html_link(url: &str, label: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            html_escape(url),
            html_escape(label)
        )
    } else {
        html_escape(label)
    }
}

fn html_ticket(out: &mut String, log: &TicketLog, options: &Options) {
    let _ = writeln!(
        out,
        "<section class=\"ticket\" id=\"ticket-{}\">\n<h1>{}</h1>\n<ul>",
        log.ticket.id,
        html_escape(&title(log))
    );
    for line in summary(log) {
        let _ = writeln!(out, "<li>{}</li>", html_escape(&line));
    }
    out.push_str("</ul>\n");
    for (i, message) in log.messages.iter().enumerate() {
        let m = &message.message;
        let deleted = if m.is_deleted() { " deleted" } else { "" };
        let _ = writeln!(
            out,
            "<div class=\"msg {}{deleted}\" id=\"m{}\">\n<div class=\"meta\">{}</div>",
            m.direction,
            i + 1,
            html_escape(&message_header(i + 1, message, options))
        );
        for note in message_notes(message) {
            let _ = writeln!(
                out,
                "<div class=\"meta\"><strong>{}</strong></div>",
                html_escape(&note)
            );
        }
        let _ = writeln!(
            out,
            "<div class=\"content\">{}</div>",
            html_escape(&m.content)
        );
        for r in &message.revisions {
            let _ = writeln!(
                out,
                "<div class=\"meta\">Previous version, replaced {}:</div>\n<div class=\"revision\">{}</div>",
                html_escape(&revision_line(r)),
                html_escape(&r.previous_content)
            );
        }
        if !message.attachments.is_empty() {
            out.push_str("<ul class=\"attachments\">\n");
            for a in &message.attachments {
                let _ = writeln!(
                    out,
                    "<li>{} ({}, {})</li>",
                    html_link(&a.url, &a.filename),
                    format_size(a.size_bytes),
                    if a.stored { "stored" } else { "link only" }
                );
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</div>\n");
    }
    if !log.events.is_empty() {
        out.push_str("<h2>Events</h2>\n<ul class=\"events\">\n");
        for e in &log.events {
            let _ = writeln!(out, "<li>{}</li>", html_escape(&event_line(e)));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests;
