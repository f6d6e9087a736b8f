//! Rustmail bot.
