//! Keyboard handling: arrows and vim keys, Enter, Esc, `/` search, filters, actions, `?`, `q`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rustmail_db::tickets::list::StatusFilter;

use super::{App, Popup, Screen};
use crate::strings::tui as s;

impl App {
    /// Handles one key press.
    pub fn on_key(&mut self, key: KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            self.quit();
            return;
        }
        if let Some(popup) = self.popup.take() {
            self.on_popup_key(popup, key);
            return;
        }
        if self.searching {
            self.on_search_key(key);
            return;
        }
        match (key.code, ctrl) {
            (KeyCode::Char('q'), _) => self.quit(),
            (KeyCode::Char('?'), _) => self.popup = Some(Popup::Help),
            (KeyCode::Char('r'), _) => self.reload_now(),
            (KeyCode::Char('c'), false) => self.ask_close(),
            (KeyCode::Char('F'), _) => self.ask_force_close(),
            (KeyCode::Char('x'), _) => self.ask_cancel_close(),
            (KeyCode::Char('m'), _) => self.ask_move(),
            _ => match self.screen {
                Screen::List => self.on_list_key(key.code, ctrl),
                Screen::Ticket => self.on_ticket_key(key.code, ctrl),
            },
        }
    }

    fn on_list_key(&mut self, code: KeyCode, ctrl: bool) {
        let page = self.rows();
        match (code, ctrl) {
            (KeyCode::Down | KeyCode::Char('j'), false) => self.move_selection(1),
            (KeyCode::Up | KeyCode::Char('k'), false) => self.move_selection(-1),
            (KeyCode::PageDown, _) | (KeyCode::Char('d'), true) => self.move_selection(page),
            (KeyCode::PageUp, _) | (KeyCode::Char('u'), true) => self.move_selection(-page),
            (KeyCode::Home | KeyCode::Char('g'), false) => self.move_selection(i64::MIN / 2),
            (KeyCode::End | KeyCode::Char('G'), false) => self.move_selection(i64::MAX / 2),
            (KeyCode::Enter, _) => self.open_selected(),
            (KeyCode::Char('/'), false) => self.searching = true,
            (KeyCode::Esc, _) if !self.search.is_empty() => {
                self.search.clear();
                self.filters_changed();
            }
            (KeyCode::Char('f'), false) => {
                self.status = match self.status {
                    StatusFilter::Open => StatusFilter::Closed,
                    StatusFilter::Closed => StatusFilter::All,
                    StatusFilter::All => StatusFilter::Open,
                };
                self.filters_changed();
            }
            (KeyCode::Char('t'), false) => {
                self.category = match self.category {
                    None if self.categories.is_empty() => None,
                    None => Some(0),
                    Some(i) if i + 1 < self.categories.len() => Some(i + 1),
                    Some(_) => None,
                };
                self.filters_changed();
            }
            (KeyCode::Char('a'), false) => {
                if self.staff_id().is_some() {
                    self.assigned_to_me = !self.assigned_to_me;
                    self.filters_changed();
                } else {
                    self.set_notice(s::NO_STAFF_ID.to_owned(), true);
                }
            }
            _ => {}
        }
    }

    fn on_ticket_key(&mut self, code: KeyCode, ctrl: bool) {
        let height = self.conversation_height().max(1);
        let max = self.max_scroll();
        let Some(view) = &mut self.ticket else {
            self.screen = Screen::List;
            return;
        };
        let scroll = view.scroll;
        view.scroll = match (code, ctrl) {
            (KeyCode::Down | KeyCode::Char('j'), false) => scroll + 1,
            (KeyCode::Up | KeyCode::Char('k'), false) => scroll.saturating_sub(1),
            (KeyCode::PageDown | KeyCode::Char(' '), _) | (KeyCode::Char('d'), true) => {
                scroll + height
            }
            (KeyCode::PageUp, _) | (KeyCode::Char('u'), true) => scroll.saturating_sub(height),
            (KeyCode::Home | KeyCode::Char('g'), false) => 0,
            (KeyCode::End | KeyCode::Char('G'), false) => max,
            (KeyCode::Esc | KeyCode::Backspace | KeyCode::Left | KeyCode::Char('h'), false) => {
                self.close_ticket();
                return;
            }
            _ => scroll,
        }
        .min(max);
    }

    fn on_search_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Enter => self.searching = false,
            KeyCode::Esc => {
                self.searching = false;
                self.search.clear();
                self.filters_changed();
            }
            KeyCode::Backspace => {
                self.search.pop();
                self.filters_changed();
            }
            KeyCode::Char(c) if !c.is_control() => {
                self.search.push(c);
                self.filters_changed();
            }
            KeyCode::Down | KeyCode::Up => {
                self.searching = false;
                self.on_list_key(key.code, false);
            }
            _ => {}
        }
    }

    fn on_popup_key(&mut self, popup: Popup, key: KeyEvent) {
        match popup {
            Popup::Help => {}
            Popup::Confirm(pending) => match key.code {
                KeyCode::Char('y' | 'Y') | KeyCode::Enter => self.confirm(&pending, false),
                KeyCode::Char('s' | 'S') if pending.allows_silent() => self.confirm(&pending, true),
                KeyCode::Esc | KeyCode::Char('n' | 'N' | 'q') => {}
                _ => self.popup = Some(Popup::Confirm(pending)),
            },
            Popup::PickCategory {
                ticket,
                user,
                selected,
            } => {
                let entries = self.categories.len() + 1;
                let selected = match key.code {
                    KeyCode::Down | KeyCode::Char('j') => (selected + 1).min(entries - 1),
                    KeyCode::Up | KeyCode::Char('k') => selected.saturating_sub(1),
                    KeyCode::Enter => {
                        self.ask_move_to(ticket, user, selected);
                        return;
                    }
                    KeyCode::Esc | KeyCode::Char('q') => return,
                    _ => selected,
                };
                self.popup = Some(Popup::PickCategory {
                    ticket,
                    user,
                    selected,
                });
            }
        }
    }
}
