//! Unit tests of the transcript renderers over a hand-built log.

use chrono::NaiveDate;

use super::*;
use crate::attachments::AttachmentInfo;
use crate::categories::Category;
use crate::events::{EventKind, TicketEvent};
use crate::ids::{CategoryId, GuildId, MessageId, MessageRecordId, TicketId, UserId};
use crate::log::LoggedMessage;
use crate::messages::{MessageRecord, RelayState, Revision};
use crate::tickets::{CloseKind, OpenedVia, Ticket, TicketStatus};

fn at(minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, 2)
        .unwrap()
        .and_hms_opt(3, minute, 0)
        .unwrap()
}

fn message(id: i64, direction: Direction, author: (u64, &str), content: &str) -> MessageRecord {
    MessageRecord {
        id: MessageRecordId(id),
        ticket_id: TicketId(7),
        direction,
        author_id: UserId(author.0),
        author_name: author.1.to_owned(),
        author_role: None,
        anonymous: false,
        content: content.to_owned(),
        number: None,
        source_message_id: Some(MessageId(900 + id as u64)),
        dm_message_id: None,
        inbox_message_id: None,
        relay_state: RelayState::Delivered,
        relay_attempts: 1,
        relay_error: None,
        next_attempt_at: None,
        created_at: at(u32::try_from(id).unwrap()),
        edited_at: None,
        deleted_at: None,
        deleted_by: None,
    }
}

fn sample() -> TicketLog {
    let user = (1001, "alice");
    let staff = (2002, "bob");
    let first = message(
        1,
        Direction::UserToStaff,
        user,
        "Hello <script>alert(1)</script> & hi",
    );
    let mut reply = message(2, Direction::StaffToUser, staff, "We are on it");
    reply.anonymous = true;
    reply.number = Some(1);
    reply.edited_at = Some(at(5));
    let mut deleted = message(3, Direction::UserToStaff, user, "oops, wrong chat");
    deleted.deleted_at = Some(at(6));
    deleted.deleted_by = Some(UserId(1001));
    let note = message(4, Direction::Internal, staff, "check billing");
    TicketLog {
        ticket: Ticket {
            id: TicketId(7),
            user_id: UserId(1001),
            user_name: "alice".into(),
            guild_id: GuildId(1),
            channel_id: None,
            category_id: Some(CategoryId(1)),
            status: TicketStatus::Closed,
            opened_at: at(0),
            opened_via: OpenedVia::UserDm,
            opened_by: UserId(1001),
            closed_at: Some(at(9)),
            closed_by: Some(UserId(2002)),
            close_kind: Some(CloseKind::Staff),
            close_reason: Some("resolved".into()),
            assigned_to: Some(UserId(2002)),
            label: None,
            next_message_number: 2,
            last_activity_at: at(4),
            first_staff_reply_at: Some(at(2)),
        },
        category: Some(Category {
            id: CategoryId(1),
            name: "Billing".into(),
            name_key: "billing".into(),
            description: String::new(),
            emoji: None,
            discord_category_id: 5,
            position: 0,
            enabled: true,
            created_at: at(0),
        }),
        messages: vec![
            LoggedMessage {
                message: first,
                revisions: vec![],
                attachments: vec![AttachmentInfo {
                    id: 1,
                    message_id: MessageRecordId(1),
                    filename: "shot.png".into(),
                    content_type: Some("image/png".into()),
                    size_bytes: 12_288,
                    url: "https://cdn.example/shot.png?a=1&b=2".into(),
                    stored: true,
                    created_at: at(1),
                }],
            },
            LoggedMessage {
                message: reply,
                revisions: vec![Revision {
                    message_id: MessageRecordId(2),
                    previous_content: "We are on it!!".into(),
                    edited_by: UserId(2002),
                    edited_at: at(5),
                }],
                attachments: vec![],
            },
            LoggedMessage {
                message: deleted,
                revisions: vec![],
                attachments: vec![],
            },
            LoggedMessage {
                message: note,
                revisions: vec![],
                attachments: vec![],
            },
        ],
        events: vec![TicketEvent {
            id: 1,
            ticket_id: TicketId(7),
            kind: EventKind::Opened,
            actor_id: Some(UserId(1001)),
            detail: "user_dm".into(),
            created_at: at(0),
        }],
    }
}

#[test]
fn text_numbers_messages_and_shows_everything() {
    let text = render(&sample(), Format::Text, &Options::default());
    assert!(text.starts_with("Ticket #7 — alice (1001)\n"), "{text}");
    assert!(
        text.contains("[1] 2026-01-02 03:01:00 UTC · user → staff · alice (1001)"),
        "{text}"
    );
    assert!(
        text.contains("[2] 2026-01-02 03:02:00 UTC · staff → user · reply #1 · (anonymous) Staff Team — sent by bob (2002)"),
        "{text}"
    );
    assert!(
        text.contains("[DELETED 2026-01-02 03:06:00 UTC by 1001]"),
        "{text}"
    );
    assert!(
        text.contains("    oops, wrong chat"),
        "deleted text is kept: {text}"
    );
    assert!(
        text.contains("[edited 2026-01-02 03:05:00 UTC (1 previous version)]"),
        "{text}"
    );
    assert!(text.contains("      | We are on it!!"), "{text}");
    assert!(
        text.contains(
            "attachment: shot.png (12.0 KiB, stored) https://cdn.example/shot.png?a=1&b=2"
        ),
        "{text}"
    );
    assert!(
        text.contains("[4] 2026-01-02 03:04:00 UTC · internal note · bob (2002)"),
        "{text}"
    );
    assert!(text.contains("Category: Billing"), "{text}");
    assert!(text.contains("Status: closed (staff)"), "{text}");
    assert!(
        text.contains("Events:\n  2026-01-02 03:00:00 UTC opened by 1001: user_dm"),
        "{text}"
    );
}

#[test]
fn user_audience_hides_the_real_author_everywhere() {
    let options = Options {
        show_real_authors: false,
        anonymous_label: "Mods".into(),
    };
    for format in Format::ALL {
        let out = render(&sample(), *format, &options);
        assert!(!out.contains("sent by bob"), "{format}: {out}");
        if *format != Format::Json {
            assert!(out.contains("(anonymous) Mods"), "{format}: {out}");
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&render(&sample(), Format::Json, &options)).unwrap();
    assert_eq!(json["messages"][1]["author_name"], "Mods");
    assert_eq!(json["messages"][1]["anonymous"], true);
}

#[test]
fn html_escapes_and_marks() {
    let html = render(&sample(), Format::Html, &Options::default());
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; hi"),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://cdn.example/shot.png?a=1&amp;b=2\""),
        "{html}"
    );
    assert!(
        html.contains("class=\"msg user_to_staff deleted\""),
        "{html}"
    );
    assert!(
        html.contains("<div class=\"revision\">We are on it!!</div>"),
        "{html}"
    );
    assert!(
        html.contains("(anonymous) Staff Team — sent by bob (2002)"),
        "{html}"
    );
}

#[test]
fn html_never_links_other_schemes() {
    let mut log = sample();
    log.messages[0].attachments[0].url = "javascript:alert(1)".into();
    let html = render(&log, Format::Html, &Options::default());
    assert!(!html.contains("href=\"javascript"), "{html}");
}

#[test]
fn markdown_quotes_content_and_escapes_headers() {
    let md = render(&sample(), Format::Markdown, &Options::default());
    assert!(md.starts_with("# Ticket \\#7 — alice (1001)\n"), "{md}");
    assert!(md.contains("> We are on it\n"), "{md}");
    assert!(
        md.contains("**DELETED 2026-01-02 03:06:00 UTC by 1001**"),
        "{md}"
    );
    assert!(
        md.contains("- Attachment: shot.png (12.0 KiB, stored)"),
        "{md}"
    );
}

#[test]
fn json_round_trips_and_many_is_an_array() {
    let one: serde_json::Value =
        serde_json::from_str(&render(&sample(), Format::Json, &Options::default())).unwrap();
    assert_eq!(one["ticket"]["id"], 7);
    assert_eq!(one["messages"].as_array().unwrap().len(), 4);
    assert_eq!(one["messages"][1]["author_name"], "bob");
    let many: serde_json::Value = serde_json::from_str(&render_many(
        &[sample(), sample()],
        Format::Json,
        &Options::default(),
    ))
    .unwrap();
    assert_eq!(many.as_array().unwrap().len(), 2);
}

#[test]
fn many_tickets_make_one_html_page() {
    let html = render_many(&[sample(), sample()], Format::Html, &Options::default());
    assert_eq!(html.matches("<!DOCTYPE html>").count(), 1);
    assert_eq!(html.matches("<section class=\"ticket\"").count(), 2);
}

#[test]
fn sizes_and_formats_parse() {
    assert_eq!(format_size(0), "0 B");
    assert_eq!(format_size(1023), "1023 B");
    assert_eq!(format_size(1536), "1.5 KiB");
    assert_eq!(format_size(5 * 1024 * 1024), "5.0 MiB");
    assert_eq!("html".parse::<Format>().unwrap(), Format::Html);
    assert!("pdf".parse::<Format>().is_err());
}
