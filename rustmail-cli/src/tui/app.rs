//! The TUI's state and its data: filters, the visible page of tickets (only that page is read),
//! the open ticket's conversation, popups, and the periodic refresh that keeps the selection on
//! the same ticket while the bot writes. Key handling is in [`keys`], actions in [`actions`].

mod actions;
mod keys;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use rustmail_db::categories::{self, Category};
use rustmail_db::ids::{CategoryId, TicketId, UserId};
use rustmail_db::instances::{self, Instance};
use rustmail_db::log::{self, TicketLog};
use rustmail_db::tickets::list::{self, StatusFilter, TicketFilter, TicketPage, TicketSummary};
use rustmail_db::watch::{self, Fingerprint};
use rustmail_db::{Db, DomainResult};

use super::conversation::Conversation;
use crate::strings::tui as s;

pub use actions::Pending;

/// Settings of a TUI session.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// The operator's Discord id, for "assigned to me".
    pub staff_id: Option<UserId>,
    /// How often the database is re-read.
    pub refresh: Duration,
    /// Recorded as `requested_by` of queued actions.
    pub requested_by: String,
}

/// Which screen is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    List,
    Ticket,
}

/// A window over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Help,
    Confirm(Pending),
    /// Choosing a category to move `ticket` to; entry 0 is the default inbox.
    PickCategory {
        ticket: TicketId,
        user: String,
        selected: usize,
    },
}

/// A line under the screen telling what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// The open ticket.
#[derive(Debug)]
pub struct TicketView {
    pub log: TicketLog,
    pub conversation: Conversation,
    pub scroll: usize,
    fingerprint: Fingerprint,
    scheduled_close: Option<chrono::NaiveDateTime>,
}

impl TicketView {
    pub fn scheduled_close(&self) -> Option<chrono::NaiveDateTime> {
        self.scheduled_close
    }
}

/// The greatest scroll offset that still fills `height` lines.
fn max_scroll(view: &TicketView, height: u16) -> usize {
    view.conversation.len().saturating_sub(usize::from(height))
}

/// Everything the TUI shows and remembers.
pub struct App {
    db: Db,
    options: AppOptions,
    pub screen: Screen,
    pub popup: Option<Popup>,
    pub status: StatusFilter,
    /// Index into `categories` of the category filter.
    pub category: Option<usize>,
    pub assigned_to_me: bool,
    pub search: String,
    pub searching: bool,
    /// The visible page of tickets.
    pub page: Option<TicketPage>,
    /// Index of the selected ticket among all matching ones.
    pub selected: i64,
    selected_id: Option<TicketId>,
    /// Ticket rows that fit on screen (the page size).
    rows: i64,
    /// Width and height of the conversation area.
    conversation_area: (u16, u16),
    pub ticket: Option<TicketView>,
    pub categories: Vec<Category>,
    pub counts: (i64, i64),
    pub bots: Vec<Instance>,
    pub notice: Option<Notice>,
    refresh: Refresh,
    /// Database reads so far (reloads and opened tickets); lets tests check that drawing and
    /// scrolling never read.
    reads: u64,
    quit: bool,
}

/// When the data was last read, and whether it must be read again now.
#[derive(Debug, Default)]
struct Refresh {
    last: Option<Instant>,
    dirty: bool,
}

impl App {
    pub fn new(db: Db, options: AppOptions) -> Self {
        Self {
            db,
            options,
            screen: Screen::List,
            popup: None,
            status: StatusFilter::Open,
            category: None,
            assigned_to_me: false,
            search: String::new(),
            searching: false,
            page: None,
            selected: 0,
            selected_id: None,
            rows: 10,
            conversation_area: (80, 20),
            ticket: None,
            categories: Vec::new(),
            counts: (0, 0),
            bots: Vec::new(),
            notice: None,
            refresh: Refresh {
                last: None,
                dirty: true,
            },
            reads: 0,
            quit: false,
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn quit(&mut self) {
        self.quit = true;
    }

    /// How many times the database was read (reloads and opened tickets).
    pub fn reads(&self) -> u64 {
        self.reads
    }

    pub fn staff_id(&self) -> Option<UserId> {
        self.options.staff_id
    }

    /// The ticket the selection is on.
    pub fn selected_summary(&self) -> Option<&TicketSummary> {
        let page = self.page.as_ref()?;
        let offset = (page.page - 1) * page.limit;
        let index = usize::try_from(self.selected - offset).ok()?;
        page.tickets.get(index)
    }

    /// The selected category filter's name, if any.
    pub fn category_name(&self) -> Option<&str> {
        self.category
            .and_then(|i| self.categories.get(i))
            .map(|c| c.name.as_str())
    }

    /// Tells the app how much room the screen has (from the UI layout), before drawing.
    pub fn set_viewport(&mut self, rows: u16, conversation: (u16, u16)) {
        let rows = i64::from(rows.max(1)).min(list::MAX_PAGE_SIZE);
        if rows != self.rows {
            self.rows = rows;
            self.refresh.dirty = true;
        }
        self.conversation_area = conversation;
        if let Some(view) = &mut self.ticket {
            view.conversation.layout(conversation.0);
            view.scroll = view.scroll.min(max_scroll(view, conversation.1));
        }
    }

    fn max_scroll_for(&self, view: &TicketView) -> usize {
        max_scroll(view, self.conversation_area.1)
    }

    /// The greatest scroll offset of the open conversation.
    pub fn max_scroll(&self) -> usize {
        self.ticket.as_ref().map_or(0, |v| self.max_scroll_for(v))
    }

    /// Conversation lines that fit on screen.
    pub fn conversation_height(&self) -> usize {
        usize::from(self.conversation_area.1)
    }

    /// How long the loop may wait for input before the next refresh is due.
    pub fn poll_timeout(&self) -> Duration {
        let wait = self.refresh.last.map_or(Duration::ZERO, |t| {
            self.options.refresh.saturating_sub(t.elapsed())
        });
        wait.min(Duration::from_millis(250))
    }

    /// Reloads what changed when a refresh is due or the filters/selection need new data.
    /// `typing` postpones reloads caused by input while more input is waiting.
    pub fn tick(&mut self, typing: bool) {
        let due = self
            .refresh
            .last
            .is_none_or(|t| t.elapsed() >= self.options.refresh);
        if !due && (!self.refresh.dirty || typing) {
            return;
        }
        self.reload_recorded();
    }

    fn reload_recorded(&mut self) {
        self.reads += 1;
        let result = self.reload();
        self.refresh.last = Some(Instant::now());
        self.refresh.dirty = false;
        if let Err(e) = result {
            self.set_notice(s::load_failed(&e.to_string()), true);
        }
    }

    /// Applies a reload postponed while typing, so a key that acts on the selection (Enter, an
    /// action) sees the list the typed search or movement asked for, not the one on screen.
    fn settle(&mut self) {
        if self.refresh.dirty && self.screen == Screen::List {
            self.reload_recorded();
        }
    }

    /// Asks for a reload at the next tick.
    pub fn invalidate(&mut self) {
        self.refresh.dirty = true;
    }

    /// Re-reads now, even while keys are waiting (`r`, back from a ticket).
    pub fn reload_now(&mut self) {
        self.refresh.dirty = true;
        self.refresh.last = None;
    }

    pub fn set_notice(&mut self, text: String, error: bool) {
        self.notice = Some(Notice { text, error });
    }

    fn filter(&self, page: i64) -> TicketFilter {
        TicketFilter {
            status: self.status,
            user: None,
            category: self
                .category
                .and_then(|i| self.categories.get(i))
                .map(|c| c.id),
            assigned: if self.assigned_to_me {
                self.options.staff_id
            } else {
                None
            },
            search: name_search(&self.search),
            text: text_search(&self.search),
            limit: self.rows,
            page,
        }
    }

    fn reload(&mut self) -> DomainResult<()> {
        let db = self.db.clone();
        db.with_conn(|conn| {
            self.counts = list::counts(conn)?;
            self.bots = instances::online(conn)?;
            let selected_category: Option<CategoryId> = self
                .category
                .and_then(|i| self.categories.get(i))
                .map(|c| c.id);
            self.categories = categories::list(conn)?;
            self.category =
                selected_category.and_then(|id| self.categories.iter().position(|c| c.id == id));
            match self.screen {
                Screen::List => self.reload_list(conn),
                Screen::Ticket => self.reload_ticket(conn),
            }
        })
    }

    fn reload_list(&mut self, conn: &mut rustmail_db::DbConnection) -> DomainResult<()> {
        if let Some(id) = self.selected_id {
            if let Some(position) = list::position(conn, &self.filter(1), id)? {
                self.selected = position;
            }
        }
        let mut page = list::list(conn, &self.filter(self.selected / self.rows + 1))?;
        if page.total > 0 && self.selected >= page.total {
            self.selected = page.total - 1;
            page = list::list(conn, &self.filter(self.selected / self.rows + 1))?;
        } else if page.total == 0 {
            self.selected = 0;
        }
        self.page = Some(page);
        self.selected_id = self.selected_summary().map(|t| t.ticket.id);
        Ok(())
    }

    fn reload_ticket(&mut self, conn: &mut rustmail_db::DbConnection) -> DomainResult<()> {
        let Some(view) = &self.ticket else {
            return Ok(());
        };
        let id = view.log.ticket.id;
        let fingerprint = watch::ticket_fingerprint(conn, id)?;
        if fingerprint != view.fingerprint {
            let scroll = view.scroll;
            self.ticket = Some(self.load_ticket(conn, id, fingerprint, scroll)?);
        }
        Ok(())
    }

    fn load_ticket(
        &self,
        conn: &mut rustmail_db::DbConnection,
        id: TicketId,
        fingerprint: Fingerprint,
        scroll: usize,
    ) -> DomainResult<TicketView> {
        let log = log::ticket_log(conn, id)?;
        let scheduled_close =
            rustmail_db::jobs::live_for_ticket(conn, id, rustmail_db::jobs::JobKind::Close)?
                .map(|j| j.due_at)
                .or(rustmail_db::jobs::live_for_ticket(
                    conn,
                    id,
                    rustmail_db::jobs::JobKind::InactivityClose,
                )?
                .map(|j| j.due_at));
        let mut conversation = Conversation::new(&log);
        conversation.layout(self.conversation_area.0);
        let mut view = TicketView {
            log,
            conversation,
            scroll,
            fingerprint,
            scheduled_close,
        };
        view.scroll = view.scroll.min(self.max_scroll_for(&view));
        Ok(view)
    }

    /// Opens the selected ticket's conversation.
    pub fn open_selected(&mut self) {
        self.settle();
        let Some(id) = self.selected_summary().map(|t| t.ticket.id) else {
            return;
        };
        let db = self.db.clone();
        self.reads += 1;
        let loaded = db.with_conn(|conn| {
            let fingerprint = watch::ticket_fingerprint(conn, id)?;
            self.load_ticket(conn, id, fingerprint, 0)
        });
        match loaded {
            Ok(view) => {
                self.ticket = Some(view);
                self.screen = Screen::Ticket;
            }
            Err(e) => self.set_notice(s::load_failed(&e.to_string()), true),
        }
    }

    /// Back from the conversation to the list.
    pub fn close_ticket(&mut self) {
        self.screen = Screen::List;
        self.ticket = None;
        self.reload_now();
    }

    /// Moves the selection by `delta` rows (clamped), keeping it on screen.
    pub fn move_selection(&mut self, delta: i64) {
        let total = self.page.as_ref().map_or(0, |p| p.total);
        if total == 0 {
            return;
        }
        let target = (self.selected + delta).clamp(0, total - 1);
        self.select_index(target);
    }

    /// Selects the ticket at `index` among all matches; reads another page only when needed.
    pub fn select_index(&mut self, index: i64) {
        self.selected = index;
        let same_page = self
            .page
            .as_ref()
            .is_some_and(|p| (index / self.rows + 1) == p.page && p.limit == self.rows);
        if same_page {
            self.selected_id = self.selected_summary().map(|t| t.ticket.id);
        } else {
            self.selected_id = None;
            self.invalidate();
        }
    }

    /// Rows per page (for page-up/page-down).
    pub fn rows(&self) -> i64 {
        self.rows
    }

    /// Filters changed: back to the top, read again at the next tick. Not at once: while more
    /// keys are waiting (typing a search) the read waits for the last one, because each read of
    /// a search scans message text and would otherwise run once per character.
    fn filters_changed(&mut self) {
        self.selected = 0;
        self.selected_id = None;
        self.invalidate();
    }
}

/// What the search box looks for in message text: `text:WORDS` searches messages (a slower
/// scan, so only on request); anything else searches names and labels.
fn text_search(search: &str) -> Option<String> {
    search
        .trim()
        .strip_prefix(TEXT_PREFIX)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// What the search box looks for in names and labels (see [`text_search`]).
fn name_search(search: &str) -> Option<String> {
    let search = search.trim();
    (!search.is_empty() && !search.starts_with(TEXT_PREFIX)).then(|| search.to_owned())
}

/// Typed first in the search box, searches message text.
pub const TEXT_PREFIX: &str = "text:";
