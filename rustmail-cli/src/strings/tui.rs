//! Labels, hints and messages of the terminal UI.

use rustmail_db::ids::TicketId;
use rustmail_db::tickets::list::StatusFilter;

pub const APP: &str = "Rustmail";
pub const TICKETS: &str = "Tickets";
pub const ALL: &str = "all";
pub const ANYONE: &str = "anyone";
pub const ME: &str = "me";
pub const DEFAULT: &str = "default";
pub const NOBODY: &str = "-";
pub const NO_TICKETS: &str = "No tickets match these filters.";
pub const LOADING: &str = "Loading…";
pub const BOT_ONLINE: &str = "bot online";
pub const BOT_OFFLINE: &str = "bot OFFLINE";
pub const HINTS_LIST: &str = "? help · / search · enter open · q quit";
pub const HINTS_TICKET: &str = "? help · esc back · c close · F force · m move · q quit";
pub const SEARCH_PROMPT: &str = "  search: ";
pub const CURSOR: &str = "█";
pub const HINTS_SHORT: &str = "? help · q quit";
pub const HINTS_SEARCH: &str =
    "type to search names · text:… searches messages · enter keep · esc clear";
pub const LIST_COLUMNS_NARROW: [&str; 6] =
    ["#", "user", "category", "assigned", "activity", "close at"];
pub const LIST_COLUMNS_WIDE: [&str; 8] = [
    "#", "user", "category", "status", "assigned", "opened", "activity", "close at",
];
pub const NO_STAFF_ID: &str = "\"assigned to me\" needs --staff-id (or RUSTMAIL_STAFF_ID)";
pub const NO_SELECTION: &str = "no ticket selected";
pub const NOT_OPEN: &str = "this ticket is closed";
pub const NO_CATEGORIES: &str = "there are no categories to move to";
pub const HELP_TITLE: &str = " Keys (any key closes) ";
pub const CONFIRM_TITLE: &str = " Confirm ";
pub const PICK_TITLE: &str = " Move to category (enter choose · esc cancel) ";
pub const DEFAULT_INBOX: &str = "(default inbox)";
pub const ANONYMOUS_LABEL: &str = "Staff Team";

/// The help overlay, one line per key.
pub const HELP: [(&str, &str); 20] = [
    ("↑ ↓ / k j", "move the selection, scroll the conversation"),
    ("PgUp PgDn", "one page up or down (also ctrl-u, ctrl-d)"),
    ("g / G", "first / last"),
    ("enter", "open the selected ticket"),
    ("esc", "back to the list, clear the search, close a window"),
    ("/", "search as you type (user, label, messages)"),
    ("f", "status filter: open, closed, all"),
    ("t", "category filter: cycle through categories"),
    ("a", "only tickets assigned to me (--staff-id)"),
    ("r", "refresh now"),
    ("c", "close the ticket (asks; s = silently)"),
    ("F", "force-close without contacting the user (asks)"),
    ("x", "cancel the scheduled close (asks)"),
    ("m", "move to a category (asks)"),
    ("?", "this help"),
    ("q / ctrl-c", "quit"),
    ("", ""),
    (
        "",
        "Actions are queued for the running bot, like the CLI's.",
    ),
    ("", "The list refreshes by itself; the selection is kept."),
    ("", "Times are UTC."),
];

pub fn status_filter(s: StatusFilter) -> &'static str {
    match s {
        StatusFilter::Open => "open",
        StatusFilter::Closed => "closed",
        StatusFilter::All => "all",
    }
}

pub fn header(status: StatusFilter, category: &str, assigned: &str, search: &str) -> String {
    let mut text = format!(
        " {APP} · {TICKETS}  status: {}  category: {category}  assigned: {assigned}",
        status_filter(status)
    );
    if !search.is_empty() {
        text.push_str("  search: ");
        text.push_str(search);
    }
    text
}

pub fn counts(open: i64, closed: i64, matching: i64) -> String {
    format!(" open {open} · closed {closed} · showing {matching} ")
}

pub fn position(selected: i64, total: i64) -> String {
    if total == 0 {
        String::new()
    } else {
        format!(" {}/{total} ", selected + 1)
    }
}

pub fn lines(first: usize, last: usize, total: usize) -> String {
    format!(" lines {first}-{last} of {total} ")
}

pub fn confirm_close(ticket: TicketId, user: &str) -> [String; 3] {
    [
        format!("Close ticket #{ticket} ({user})?"),
        String::new(),
        "y close and tell the user · s close silently · esc cancel".to_owned(),
    ]
}

pub fn confirm_force(ticket: TicketId, user: &str) -> [String; 3] {
    [
        format!("Force-close ticket #{ticket} ({user})?"),
        "The user is not contacted.".to_owned(),
        "y force-close · esc cancel".to_owned(),
    ]
}

pub fn confirm_cancel_close(ticket: TicketId, user: &str) -> [String; 3] {
    [
        format!("Cancel the scheduled close of ticket #{ticket} ({user})?"),
        String::new(),
        "y cancel the close · esc keep it".to_owned(),
    ]
}

pub fn confirm_move(ticket: TicketId, user: &str, category: &str) -> [String; 3] {
    [
        format!("Move ticket #{ticket} ({user}) to {category}?"),
        String::new(),
        "y move · esc cancel".to_owned(),
    ]
}

pub fn ticket_header(
    id: TicketId,
    user: &str,
    status: &str,
    category: &str,
    assigned: &str,
) -> String {
    format!(" #{id} {user} · {status} · category {category} · assigned {assigned}")
}

pub fn closes_at(at: &str) -> String {
    format!(" · closes {at}")
}

pub fn action_failed(error: &str) -> String {
    format!("error: {error}")
}

pub fn load_failed(error: &str) -> String {
    format!("database error: {error}")
}

pub const TERMINAL: &str = "terminal";

pub fn disabled(name: &str) -> String {
    format!("{name} (disabled)")
}

// --- the conversation ---------------------------------------------------------------------------

pub const NO_TEXT: &str = "(no text)";

pub fn deleted(at: &str, by: Option<rustmail_db::ids::UserId>) -> String {
    match by {
        Some(by) => format!("[deleted {at} by {by}]"),
        None => format!("[deleted {at}]"),
    }
}

pub fn edited(at: &str, by: rustmail_db::ids::UserId) -> String {
    format!("[edited {at} by {by}; before:]")
}

pub fn attachment(name: &str, size: &str, stored: bool) -> String {
    let kept = if stored { "stored" } else { "link only" };
    format!("[attachment] {name} ({size}, {kept})")
}

pub fn relay_error(state: &str, error: &str) -> String {
    format!("[relay {state}: {error}]")
}
