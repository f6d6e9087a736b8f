//! Actions from the TUI, each confirmed first, queued as the same operator actions the CLI
//! queues (`rustmail_db::operator`), and reported in the notice line.

use rustmail_db::actions::{self, NewAction};
use rustmail_db::ids::{CategoryId, TicketId};
use rustmail_db::operator;

use super::{App, Popup, Screen};
use crate::strings::{self, tui as s};

/// What a confirmation window asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Close {
        ticket: TicketId,
        user: String,
    },
    ForceClose {
        ticket: TicketId,
        user: String,
    },
    CancelClose {
        ticket: TicketId,
        user: String,
    },
    Move {
        ticket: TicketId,
        user: String,
        category: Option<CategoryId>,
        name: String,
    },
}

impl Pending {
    /// Whether `s` (close silently) is offered.
    pub fn allows_silent(&self) -> bool {
        matches!(self, Self::Close { .. })
    }

    /// The window's lines.
    pub fn lines(&self) -> [String; 3] {
        match self {
            Self::Close { ticket, user } => s::confirm_close(*ticket, user),
            Self::ForceClose { ticket, user } => s::confirm_force(*ticket, user),
            Self::CancelClose { ticket, user } => s::confirm_cancel_close(*ticket, user),
            Self::Move {
                ticket, user, name, ..
            } => s::confirm_move(*ticket, user, name),
        }
    }
}

impl App {
    /// The ticket an action applies to: the open conversation's, else the selected one; only
    /// open tickets qualify.
    fn action_target(&mut self) -> Option<(TicketId, String)> {
        self.settle();
        let target = match self.screen {
            Screen::Ticket => self.ticket.as_ref().map(|v| {
                (
                    v.log.ticket.id,
                    v.log.ticket.user_name.clone(),
                    v.log.ticket.is_open(),
                )
            }),
            Screen::List => self
                .selected_summary()
                .map(|t| (t.ticket.id, t.ticket.user_name.clone(), t.ticket.is_open())),
        };
        match target {
            None => {
                self.set_notice(s::NO_SELECTION.to_owned(), true);
                None
            }
            Some((_, _, false)) => {
                self.set_notice(s::NOT_OPEN.to_owned(), true);
                None
            }
            Some((id, user, true)) => Some((id, user)),
        }
    }

    pub(super) fn ask_close(&mut self) {
        if let Some((ticket, user)) = self.action_target() {
            self.popup = Some(Popup::Confirm(Pending::Close { ticket, user }));
        }
    }

    pub(super) fn ask_force_close(&mut self) {
        if let Some((ticket, user)) = self.action_target() {
            self.popup = Some(Popup::Confirm(Pending::ForceClose { ticket, user }));
        }
    }

    pub(super) fn ask_cancel_close(&mut self) {
        if let Some((ticket, user)) = self.action_target() {
            self.popup = Some(Popup::Confirm(Pending::CancelClose { ticket, user }));
        }
    }

    pub(super) fn ask_move(&mut self) {
        if let Some((ticket, user)) = self.action_target() {
            self.popup = Some(Popup::PickCategory {
                ticket,
                user,
                selected: 0,
            });
        }
    }

    /// Entry 0 of the picker is the default inbox, then the categories in order.
    pub(super) fn ask_move_to(&mut self, ticket: TicketId, user: String, entry: usize) {
        let (category, name) = match entry.checked_sub(1).and_then(|i| self.categories.get(i)) {
            Some(c) => (Some(c.id), c.name.clone()),
            None => (None, s::DEFAULT_INBOX.to_owned()),
        };
        self.popup = Some(Popup::Confirm(Pending::Move {
            ticket,
            user,
            category,
            name,
        }));
    }

    /// Queues the confirmed action and says what happened.
    pub(super) fn confirm(&mut self, pending: &Pending, silent: bool) {
        let by = self.options.requested_by.clone();
        let request: NewAction = match pending {
            Pending::Close { ticket, .. } => operator::close(*ticket, silent, &by),
            Pending::ForceClose { ticket, .. } => {
                operator::force_close(*ticket, strings::FORCE_CLOSE_REASON, &by)
            }
            Pending::CancelClose { ticket, .. } => operator::cancel_close(*ticket, &by),
            Pending::Move {
                ticket, category, ..
            } => operator::move_to(*ticket, *category, &by),
        };
        let db = self.db.clone();
        match db.with_conn(|conn| actions::enqueue(conn, &request)) {
            Ok(action) => {
                let mut text = strings::queued(&action);
                if self.bots.is_empty() {
                    text.push_str(" · ");
                    text.push_str(s::BOT_OFFLINE);
                }
                self.set_notice(text, false);
            }
            Err(e) => self.set_notice(s::action_failed(&e.to_string()), true),
        }
        self.invalidate();
    }
}
