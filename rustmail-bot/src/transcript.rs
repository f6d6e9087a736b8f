//! The close-time transcript file: the ticket's whole log (every message, edit, deletion and
//! attachment name), rendered by `rustmail_db::transcript` in the configured format.

use rustmail_db::config::TranscriptFormat;
use rustmail_db::log::TicketLog;
use rustmail_db::transcript::{self, Format, Options};

/// The transcript's file name and bytes.
pub fn render(
    log: &TicketLog,
    format: TranscriptFormat,
    anonymous_label: &str,
) -> (String, Vec<u8>) {
    let (format, extension) = match format {
        TranscriptFormat::Markdown => (Format::Markdown, "md"),
        TranscriptFormat::Html => (Format::Html, "html"),
    };
    let options = Options {
        show_real_authors: true,
        anonymous_label: anonymous_label.to_owned(),
    };
    let text = transcript::render(log, format, &options);
    (
        format!("ticket-{}.{extension}", log.ticket.id),
        text.into_bytes(),
    )
}
