//! Help texts of the command line (`rustmail --help` and each subcommand's).

pub const ABOUT: &str = "Rustmail operator CLI and terminal UI";
pub const LONG_ABOUT: &str = "Rustmail operator CLI and terminal UI.\n\n\
The database is found with --database-url, else RUSTMAIL_DATABASE_URL, else the [database] \
section of --config FILE. Commands that act on Discord (close, force-close, cancel-close, move) \
queue an operator action that the running bot executes; --wait waits for its result.\n\n\
Exit codes: 0 ok, 1 error, 2 usage.";

pub const CONFIG: &str = "Configuration file whose [database] section to use";
pub const DATABASE_URL: &str =
    "Database URL (sqlite://path, postgres://...); overrides --config [env: RUSTMAIL_DATABASE_URL]";
pub const JSON: &str = "Machine-readable JSON output";
pub const NO_COLOR: &str = "Never use colours (also when NO_COLOR is set)";

pub const TICKETS: &str = "List, show, close and move tickets";
pub const LOGS: &str = "Print the full log of a ticket, or of all of a user's tickets";
pub const CATEGORIES: &str = "Manage ticket categories and the category prompt";
pub const SCHEDULES: &str = "List and cancel scheduled closes, reminders and other jobs";
pub const STATS: &str = "Ticket statistics over a time window";
pub const DB: &str = "Database migrations";
pub const CONFIG_CMD: &str = "Check a configuration file or print the example";
pub const COMPLETIONS: &str = "Print shell completions";
pub const SHELL: &str = "The shell to complete for";
pub const TUI: &str = "Open the terminal UI";

pub const TICKETS_LIST: &str = "List tickets, most recently active first";
pub const TICKETS_SHOW: &str = "Show a ticket's full log (or export it with --output)";
pub const TICKETS_CLOSE: &str = "Ask the bot to close a ticket (the user is told unless --silent)";
pub const TICKETS_FORCE_CLOSE: &str =
    "Ask the bot to close a ticket without contacting the user, or every orphaned ticket";
pub const TICKETS_CANCEL_CLOSE: &str = "Ask the bot to cancel a ticket's scheduled close";
pub const TICKETS_MOVE: &str = "Ask the bot to move a ticket to another category";

pub const OPEN: &str = "Only open tickets (the default)";
pub const CLOSED: &str = "Only closed tickets";
pub const ALL: &str = "Open and closed tickets";
pub const USER: &str = "Only this user's tickets";
pub const CATEGORY: &str = "Only tickets in this category (by name)";
pub const ASSIGNED: &str = "Only tickets assigned to this staff member";
pub const SEARCH: &str = "Text to find in user names and labels";
pub const TEXT: &str = "Text to find in the tickets' messages (slower: reads message text)";
pub const LIMIT: &str = "Tickets per page, 1 to 500";
pub const PAGE: &str = "Page number, from 1";
pub const FORMAT: &str = "Output format (default: text, or json with --json)";
pub const OUTPUT: &str = "Write the transcript to this file instead of standard output";
pub const TICKET_ID: &str = "Ticket id (as shown by `tickets list`, e.g. 12 or #12)";
pub const LOGS_USER: &str = "Print the logs of every ticket of this user, oldest first";
pub const WAIT: &str = "Wait for the bot to execute the action and print its result";
pub const TIMEOUT: &str = "How long --wait waits, in seconds";
pub const SILENT: &str = "Close without sending the close message to the user";
pub const ORPHANS: &str = "Every open ticket without a channel, and ask the bot to close those whose user left or whose channel vanished";
pub const MOVE_CATEGORY: &str = "Category name, or `default` for the inbox";

pub const CATEGORIES_LIST: &str = "List categories and the prompt settings";
pub const CATEGORIES_CREATE: &str = "Create a category";
pub const CATEGORIES_RENAME: &str = "Rename a category";
pub const CATEGORIES_DELETE: &str =
    "Delete a category (its open tickets fall back to the default inbox)";
pub const CATEGORIES_ENABLE: &str = "Show a category in the prompt";
pub const CATEGORIES_DISABLE: &str = "Hide a category from the prompt";
pub const CATEGORIES_PROMPT: &str = "Show or change the category prompt settings";
pub const CATEGORY_NAME: &str = "Category name (case-insensitive)";
pub const NEW_NAME: &str = "The new name";
pub const DISCORD_CATEGORY: &str = "Id of the Discord category that holds this category's tickets";
pub const DESCRIPTION: &str = "Description shown in the prompt (at most 100 characters)";
pub const EMOJI: &str = "Emoji shown on the category's button";
pub const PROMPT_ON: &str = "Ask new users to pick a category";
pub const PROMPT_OFF: &str = "Open new tickets in the default inbox";
pub const PROMPT_TIMEOUT: &str = "How long the prompt waits before using the default inbox";
pub const SECONDS: &str = "Seconds, 10 to 86400";

pub const SCHEDULES_LIST: &str = "List live scheduled jobs, soonest first";
pub const SCHEDULES_CANCEL: &str = "Cancel a scheduled job";
pub const JOB_ID: &str = "Job id (as shown by `schedules list`)";

pub const SINCE: &str = "Window to report on, e.g. 24h, 7d, 4w (at most 365 days)";

pub const DB_MIGRATE: &str = "Apply pending migrations";
pub const DB_STATUS: &str = "List migrations and whether each is applied";

pub const CONFIG_CHECK: &str = "Validate a configuration file and list every problem";
pub const CONFIG_FILE: &str = "The configuration file";
pub const CONFIG_EXAMPLE: &str = "Print the commented example configuration";

pub const STAFF_ID: &str = "Your Discord user id, for the \"assigned to me\" filter";
pub const LOG_FILE: &str =
    "Where the TUI writes its logs (default: rustmail-tui.log in the temp directory)";
pub const REFRESH_MS: &str = "How often the TUI re-reads the database, in milliseconds";
