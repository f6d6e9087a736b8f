//! A corpus of bad configuration files, one row each, through the real loader
//! ([`Config::load`]): every row must be refused with a message naming the offending key, must
//! not echo the token, and must change nothing (the file is untouched and no database file is
//! created). Unknown keys at every level, wrong types, out-of-range values, bad URLs, empty or
//! malformed tokens, bad snowflakes, duplicate ids.

use std::path::Path;

use rustmail_db::config::{Config, ConfigError};

/// A token shaped like Discord's; its HMAC part must never appear in an error.
const TOKEN: &str = "MTE4NDk3NjQ0ODkyMzM0NTkyMA.GkX2pQ.Zq4vR8mT1sWc7yHn3LbE9uJf0aKd6pXo2iGtVw";
const HMAC: &str = "Zq4vR8mT1sWc7yHn3LbE9uJf0aKd6pXo2iGtVw";

/// A valid file; `{DB}` becomes a database path inside the test's directory.
const BASE: &str = r#"[bot]
token = "MTE4NDk3NjQ0ODkyMzM0NTkyMA.GkX2pQ.Zq4vR8mT1sWc7yHn3LbE9uJf0aKd6pXo2iGtVw"

[database]
url = "sqlite://{DB}"

[servers]
guild_id = 111111111111111111
staff_roles = [222222222222222222]

[channels]
inbox_category_id = 333333333333333333
log_channel_id = 444444444444444444

[thread]

[attachments]

[metrics]

[logging]
"#;

/// How a row changes [`BASE`].
#[derive(Clone, Copy, Debug)]
enum Edit {
    /// Adds a line at the top of a section (`""` = before every section).
    Add(&'static str, &'static str),
    /// Replaces text (which must occur).
    Replace(&'static str, &'static str),
}

use Edit::{Add, Replace};

/// One bad file and the text its error must contain (the key, dotted for validation problems).
struct Case(&'static str, Edit, &'static str);

const SERVERS: &str = "guild_id = 111111111111111111";
const STAFF: &str = "staff_roles = [222222222222222222]";
const INBOX: &str = "inbox_category_id = 333333333333333333";
const LOG: &str = "log_channel_id = 444444444444444444";
const TOKEN_LINE: &str =
    "token = \"MTE4NDk3NjQ0ODkyMzM0NTkyMA.GkX2pQ.Zq4vR8mT1sWc7yHn3LbE9uJf0aKd6pXo2iGtVw\"";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Unknown keys, at every level.
    Case("unknown top-level key", Add("", "debug = true"), "debug"),
    Case("unknown section", Add("", "[discord]\ntoken = \"x\""), "discord"),
    Case("unknown key in bot", Add("bot", "tokne = \"x\""), "tokne"),
    Case("unknown key in database", Add("database", "pool = 4"), "pool"),
    Case("unknown key in servers", Add("servers", "staff_role = [1]"), "staff_role"),
    Case("unknown key in channels", Add("channels", "log_channel = 5"), "log_channel"),
    Case("unknown key in thread", Add("thread", "welcome = \"hi\""), "welcome"),
    Case("unknown key in attachments", Add("attachments", "max_bytes = 5"), "max_bytes"),
    Case("unknown key in metrics", Add("metrics", "port = 9100"), "port"),
    Case("unknown key in logging", Add("logging", "format = \"json\""), "format"),
    Case("unknown nested table", Add("", "[bot.extra]\nx = 1"), "extra"),
    Case("misspelt known key casing", Add("bot", "Prefix = \"?\""), "Prefix"),
    // Missing required sections and keys.
    Case("no bot section", Replace("[bot]\n", "[bot_]\n"), "bot"),
    Case("no servers section", Replace("[servers]\n", "[server]\n"), "server"),
    Case("no channels section", Replace("[channels]\n", "[channel]\n"), "channel"),
    Case("no inbox category", Replace(INBOX, ""), "inbox_category_id"),
    Case("no log channel", Replace(LOG, ""), "log_channel_id"),
    Case("no guild at all", Replace(SERVERS, ""), "servers.guild_id"),
    Case("no staff roles", Replace(STAFF, ""), "servers.staff_roles"),
    Case("empty staff roles", Replace(STAFF, "staff_roles = []"), "servers.staff_roles"),
    // Tokens.
    Case("no token", Replace(TOKEN_LINE, ""), "bot.token"),
    Case("empty token", Replace(TOKEN_LINE, "token = \"\""), "bot.token"),
    Case("blank token", Replace(TOKEN_LINE, "token = \"   \""), "bot.token"),
    Case("token with Bot prefix", Replace(TOKEN_LINE, "token = \"Bot MTE4NDk3NjQ0ODkyMzM0NTkyMA.GkX2pQ.Zq4vR8mT1sWc7yHn3LbE9uJf0aKd6pXo2iGtVw\""), "bot.token"),
    Case("token with a newline", Replace(TOKEN_LINE, "token = \"MTE4NDk3NjQ0ODkyMzM0NTkyMA.GkX2pQ.\\nZq4vR8mT1sWc7yHn3LbE9uJf0aKd6pXo2iGtVw\""), "bot.token"),
    Case("token with a tab", Replace(TOKEN_LINE, "token = \"MTE4NDk3NjQ0ODkyMzM0NTkyMA.GkX2pQ.\\tZq4vR8mT1sWc7yHn3LbE9uJf0aKd6pXo2iGtVw\""), "bot.token"),
    Case("token as a number", Replace(TOKEN_LINE, "token = 12345"), "token"),
    Case("token as a table", Replace(TOKEN_LINE, "token = { value = \"x\" }"), "token"),
    Case("token unterminated", Replace(TOKEN_LINE, "token = \"MTE4NDk3NjQ0ODkyMzM0NTkyMA.GkX2pQ.Zq4vR8mT1sWc7yHn3LbE9uJf0aKd6pXo2iGtVw"), "token"),
    Case("token twice", Add("bot", TOKEN_LINE), "token"),
    // bot.prefix
    Case("empty prefix", Add("bot", "prefix = \"\""), "bot.prefix"),
    Case("prefix too long", Add("bot", "prefix = \"!!!!!!\""), "bot.prefix"),
    Case("prefix with a space", Add("bot", "prefix = \"! \""), "bot.prefix"),
    Case("prefix only a space", Add("bot", "prefix = \" \""), "bot.prefix"),
    Case("prefix with a newline", Add("bot", "prefix = \"!\\n\""), "bot.prefix"),
    Case("prefix as a number", Add("bot", "prefix = 1"), "prefix"),
    Case("prefix as a list", Add("bot", "prefix = [\"!\"]"), "prefix"),
    Case("prefix long unicode", Add("bot", "prefix = \"ééééééé\""), "bot.prefix"),
    // bot.api_base_url
    Case("api url without scheme", Add("bot", "api_base_url = \"127.0.0.1:8080/api/v10\""), "bot.api_base_url"),
    Case("api url ftp", Add("bot", "api_base_url = \"ftp://example.com\""), "bot.api_base_url"),
    Case("api url scheme only", Add("bot", "api_base_url = \"http://\""), "bot.api_base_url"),
    Case("api url with a space", Add("bot", "api_base_url = \"http://exa mple.com\""), "bot.api_base_url"),
    Case("api url empty", Add("bot", "api_base_url = \"\""), "bot.api_base_url"),
    Case("api url as a number", Add("bot", "api_base_url = 8080"), "api_base_url"),
    Case("api url ws", Add("bot", "api_base_url = \"ws://127.0.0.1:8080\""), "bot.api_base_url"),
    // bot.status
    Case("status too long", Add("bot", "status = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""), "bot.status"),
    Case("status as a bool", Add("bot", "status = true"), "status"),
    // database
    Case("database url empty", Replace("url = \"sqlite://{DB}\"", "url = \"\""), "database.url"),
    Case("database url mysql", Replace("url = \"sqlite://{DB}\"", "url = \"mysql://root@localhost/db\""), "database.url"),
    Case("database url http", Replace("url = \"sqlite://{DB}\"", "url = \"http://localhost/db\""), "database.url"),
    Case("database url redis with password", Replace("url = \"sqlite://{DB}\"", "url = \"redis://u:hunter2@h/0\""), "database.url"),
    Case("database url as a number", Replace("url = \"sqlite://{DB}\"", "url = 5"), "url"),
    Case("pool size zero", Add("database", "pool_size = 0"), "database.pool_size"),
    Case("pool size too big", Add("database", "pool_size = 65"), "database.pool_size"),
    Case("pool size huge", Add("database", "pool_size = 100000"), "database.pool_size"),
    Case("pool size negative", Add("database", "pool_size = -1"), "pool_size"),
    Case("pool size as a string", Add("database", "pool_size = \"8\""), "pool_size"),
    Case("pool size as a float", Add("database", "pool_size = 8.5"), "pool_size"),
    Case("pool size beyond u32", Add("database", "pool_size = 4294967296"), "pool_size"),
    Case("database as a string", Replace("[database]\nurl = \"sqlite://{DB}\"", "database = \"sqlite://x.db\""), "database"),
    // servers: snowflakes
    Case("guild id zero", Replace(SERVERS, "guild_id = 0"), "servers.guild_id"),
    Case("guild id negative", Replace(SERVERS, "guild_id = -111111111111111111"), "guild_id"),
    Case("guild id as a string", Replace(SERVERS, "guild_id = \"111111111111111111\""), "guild_id"),
    Case("guild id as a float", Replace(SERVERS, "guild_id = 1.5"), "guild_id"),
    Case("guild id as a bool", Replace(SERVERS, "guild_id = true"), "guild_id"),
    Case("guild id beyond i64", Replace(SERVERS, "guild_id = 18446744073709551616"), "guild_id"),
    Case("guild id as a list", Replace(SERVERS, "guild_id = [1]"), "guild_id"),
    Case("guild id with community id", Add("servers", "community_guild_id = 555555555555555555"), "servers.guild_id"),
    Case("guild id with staff id", Add("servers", "staff_guild_id = 555555555555555555"), "servers.guild_id"),
    Case("community without staff", Replace(SERVERS, "community_guild_id = 555555555555555555"), "servers.staff_guild_id"),
    Case("staff without community", Replace(SERVERS, "staff_guild_id = 555555555555555555"), "servers.community_guild_id"),
    Case("community equals staff", Replace(SERVERS, "community_guild_id = 5\nstaff_guild_id = 5"), "servers.staff_guild_id"),
    Case("community id zero", Replace(SERVERS, "community_guild_id = 0\nstaff_guild_id = 5"), "servers.community_guild_id"),
    Case("staff guild id zero", Replace(SERVERS, "community_guild_id = 5\nstaff_guild_id = 0"), "servers.staff_guild_id"),
    Case("staff role zero", Replace(STAFF, "staff_roles = [0]"), "servers.staff_roles"),
    Case("staff role negative", Replace(STAFF, "staff_roles = [-2]"), "staff_roles"),
    Case("staff role as a string", Replace(STAFF, "staff_roles = [\"222222222222222222\"]"), "staff_roles"),
    Case("staff roles not a list", Replace(STAFF, "staff_roles = 222222222222222222"), "staff_roles"),
    Case("staff roles mixed types", Replace(STAFF, "staff_roles = [222222222222222222, \"x\"]"), "staff_roles"),
    Case("staff role listed twice", Replace(STAFF, "staff_roles = [222222222222222222, 222222222222222222]"), "servers.staff_roles"),
    Case("admin role zero", Add("servers", "admin_roles = [0]"), "servers.admin_roles"),
    Case("admin role listed twice", Add("servers", "admin_roles = [7, 7]"), "servers.admin_roles"),
    Case("admin role as a string", Add("servers", "admin_roles = [\"7\"]"), "admin_roles"),
    Case("admin roles as a table", Add("servers", "admin_roles = { a = 1 }"), "admin_roles"),
    // channels
    Case("inbox zero", Replace(INBOX, "inbox_category_id = 0"), "channels.inbox_category_id"),
    Case("log zero", Replace(LOG, "log_channel_id = 0"), "channels.log_channel_id"),
    Case("inbox as a string", Replace(INBOX, "inbox_category_id = \"333333333333333333\""), "inbox_category_id"),
    Case("log negative", Replace(LOG, "log_channel_id = -4"), "log_channel_id"),
    Case("log equals inbox", Replace(LOG, "log_channel_id = 333333333333333333"), "channels.log_channel_id"),
    Case("overflow zero", Add("channels", "overflow_category_id = 0"), "channels.overflow_category_id"),
    Case("overflow equals inbox", Add("channels", "overflow_category_id = 333333333333333333"), "channels.overflow_category_id"),
    Case("archive equals log", Add("channels", "archive_category_id = 444444444444444444"), "channels.archive_category_id"),
    Case("archive zero", Add("channels", "archive_category_id = 0"), "channels.archive_category_id"),
    Case("archive as a float", Add("channels", "archive_category_id = 7.0"), "archive_category_id"),
    Case("overflow equals archive", Add("channels", "overflow_category_id = 9\narchive_category_id = 9"), "channels.archive_category_id"),
    // thread: texts
    Case("empty welcome", Add("thread", "welcome_message = \"\""), "thread.welcome_message"),
    Case("blank welcome", Add("thread", "welcome_message = \" \\n \""), "thread.welcome_message"),
    Case("welcome too long", Add("thread", "welcome_message = \"{LONG2001}\""), "thread.welcome_message"),
    Case("empty close message", Add("thread", "close_message = \"\""), "thread.close_message"),
    Case("close message too long", Add("thread", "close_message = \"{LONG2001}\""), "thread.close_message"),
    Case("empty new thread message", Add("thread", "new_thread_message = \"\""), "thread.new_thread_message"),
    Case("new thread message too long", Add("thread", "new_thread_message = \"{LONG2001}\""), "thread.new_thread_message"),
    Case("blocked message too long", Add("thread", "blocked_message = \"{LONG2001}\""), "thread.blocked_message"),
    Case("empty not-in-guild message", Add("thread", "not_in_guild_message = \"\""), "thread.not_in_guild_message"),
    Case("not-in-guild message too long", Add("thread", "not_in_guild_message = \"{LONG2001}\""), "thread.not_in_guild_message"),
    Case("welcome as a number", Add("thread", "welcome_message = 1"), "welcome_message"),
    Case("empty anonymous label", Add("thread", "anonymous_label = \"\""), "thread.anonymous_label"),
    Case("anonymous label too long", Add("thread", "anonymous_label = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""), "thread.anonymous_label"),
    // thread: switches
    Case("notify user as a string", Add("thread", "new_thread_notify_user = \"yes\""), "new_thread_notify_user"),
    Case("close on leave as a number", Add("thread", "close_on_leave = 1"), "close_on_leave"),
    Case("embedded message as a string", Add("thread", "embedded_message = \"true\""), "embedded_message"),
    Case("block quote as a number", Add("thread", "block_quote = 0"), "block_quote"),
    Case("log on edit as a string", Add("thread", "show_log_on_edit = \"no\""), "show_log_on_edit"),
    Case("log on delete as a list", Add("thread", "show_log_on_delete = [true]"), "show_log_on_delete"),
    Case("create by channel as a string", Add("thread", "create_ticket_by_create_channel = \"on\""), "create_ticket_by_create_channel"),
    Case("relay typing as a number", Add("thread", "relay_typing = 2"), "relay_typing"),
    // thread: durations
    Case("auto-close unit unknown", Add("thread", "time_to_close_thread = \"5x\""), "thread.time_to_close_thread"),
    Case("auto-close negative", Add("thread", "time_to_close_thread = \"-1h\""), "thread.time_to_close_thread"),
    Case("auto-close huge", Add("thread", "time_to_close_thread = \"99999999999d\""), "thread.time_to_close_thread"),
    Case("auto-close over a year", Add("thread", "time_to_close_thread = \"366d\""), "thread.time_to_close_thread"),
    Case("auto-close empty", Add("thread", "time_to_close_thread = \"\""), "thread.time_to_close_thread"),
    Case("auto-close words", Add("thread", "time_to_close_thread = \"one day\""), "thread.time_to_close_thread"),
    Case("auto-close units out of order", Add("thread", "time_to_close_thread = \"1h1d\""), "thread.time_to_close_thread"),
    Case("auto-close bare number", Add("thread", "time_to_close_thread = 3600"), "time_to_close_thread"),
    Case("auto-close zero-width", Add("thread", "time_to_close_thread = \"1\u{200b}h\""), "thread.time_to_close_thread"),
    // thread: colours, formats, mentions
    Case("user colour name", Add("thread", "user_colour = \"red\""), "thread.user_colour"),
    Case("user colour short", Add("thread", "user_colour = \"#FFF\""), "thread.user_colour"),
    Case("user colour without hash", Add("thread", "user_colour = \"5865F2\""), "thread.user_colour"),
    Case("staff colour not hex", Add("thread", "staff_colour = \"#GGGGGG\""), "thread.staff_colour"),
    Case("staff colour too long", Add("thread", "staff_colour = \"#5865F2F\""), "thread.staff_colour"),
    Case("staff colour as a number", Add("thread", "staff_colour = 5793266"), "staff_colour"),
    Case("staff colour empty", Add("thread", "staff_colour = \"\""), "thread.staff_colour"),
    Case("transcript format pdf", Add("thread", "transcript_format = \"pdf\""), "thread.transcript_format"),
    Case("transcript format empty", Add("thread", "transcript_format = \"\""), "thread.transcript_format"),
    Case("transcript format as a bool", Add("thread", "transcript_format = true"), "transcript_format"),
    Case("mention everyone", Add("thread", "mention_on_new_ticket = \"everyone\""), "thread.mention_on_new_ticket"),
    Case("mention at-everyone", Add("thread", "mention_on_new_ticket = \"@everyone\""), "thread.mention_on_new_ticket"),
    Case("mention role zero", Add("thread", "mention_on_new_ticket = \"0\""), "thread.mention_on_new_ticket"),
    Case("mention negative number", Add("thread", "mention_on_new_ticket = -5"), "thread.mention_on_new_ticket"),
    Case("mention bool", Add("thread", "mention_on_new_ticket = true"), "thread.mention_on_new_ticket"),
    Case("mention list", Add("thread", "mention_on_new_ticket = [1, 2]"), "thread.mention_on_new_ticket"),
    Case("mention role mention syntax", Add("thread", "mention_on_new_ticket = \"<@&222222222222222222>\""), "thread.mention_on_new_ticket"),
    // attachments, metrics, logging
    Case("stored bytes over the limit", Add("attachments", "max_stored_bytes = 104857601"), "attachments.max_stored_bytes"),
    Case("stored bytes negative", Add("attachments", "max_stored_bytes = -1"), "max_stored_bytes"),
    Case("stored bytes as a string", Add("attachments", "max_stored_bytes = \"8 MiB\""), "max_stored_bytes"),
    Case("metrics host name", Add("metrics", "address = \"localhost:9100\""), "metrics.address"),
    Case("metrics no port", Add("metrics", "address = \"127.0.0.1\""), "metrics.address"),
    Case("metrics port out of range", Add("metrics", "address = \"127.0.0.1:70000\""), "metrics.address"),
    Case("metrics empty", Add("metrics", "address = \"\""), "metrics.address"),
    Case("metrics as a number", Add("metrics", "address = 9100"), "address"),
    Case("log level unknown", Add("logging", "level = \"verbose\""), "logging.level"),
    Case("log level empty", Add("logging", "level = \"\""), "logging.level"),
    Case("log level bad directive", Add("logging", "level = \"info,rustmail=loud\""), "logging.level"),
    Case("log level as a number", Add("logging", "level = 3"), "level"),
    Case("log file empty", Add("logging", "file = \"\""), "logging.file"),
    Case("log file as a bool", Add("logging", "file = false"), "file"),
    // Not TOML at all, or broken TOML.
    Case("section header unterminated", Replace("[metrics]", "[metrics"), "metrics"),
    Case("key without value", Add("logging", "level ="), "level"),
    Case("duplicate section", Add("", "[logging]\n[logging]"), "logging"),
];

/// Writes the row's file into `dir` and returns its text.
fn file_text(dir: &Path, edit: Edit) -> String {
    let db = dir.join("rustmail.db");
    let long = "x".repeat(2001);
    let mut text = BASE.to_owned();
    match edit {
        Add("", line) => text = format!("{line}\n{text}"),
        Add(section, line) => {
            let header = format!("[{section}]\n");
            assert!(text.contains(&header), "no section {section}");
            text = text.replacen(&header, &format!("{header}{line}\n"), 1);
        }
        Replace(old, new) => {
            assert!(text.contains(old), "{old:?} is not in the base file");
            text = text.replacen(old, new, 1);
        }
    }
    text.replace("{DB}", &db.display().to_string())
        .replace("{LONG2001}", &long)
}

#[test]
fn the_base_file_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let text = file_text(dir.path(), Add("logging", ""));
    let path = dir.path().join("config.toml");
    std::fs::write(&path, &text).unwrap();
    let config = Config::load(&path).expect("the base file is valid");
    assert_eq!(config.bot.token.expose(), TOKEN);
}

#[test]
fn every_bad_file_is_refused_naming_the_key_and_changes_nothing() {
    assert!(CASES.len() >= 150, "the corpus has {} rows", CASES.len());
    let mut failures = Vec::new();
    for Case(name, edit, needle) in CASES {
        let dir = tempfile::tempdir().unwrap();
        let text = file_text(dir.path(), *edit);
        let path = dir.path().join("config.toml");
        std::fs::write(&path, &text).unwrap();
        let result = Config::load(&path);
        let after = std::fs::read_to_string(&path).unwrap();
        let entries: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let problem = match result {
            Ok(_) => Some("accepted".to_owned()),
            Err(e) => check_error(&e, needle),
        };
        let problem = problem
            .or_else(|| (after != text).then(|| "the file changed".to_owned()))
            .or_else(|| {
                (entries != ["config.toml"]).then(|| format!("files appeared: {entries:?}"))
            });
        if let Some(problem) = problem {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// What is wrong with this error for a row expecting `needle`, if anything.
fn check_error(e: &ConfigError, needle: &str) -> Option<String> {
    let message = e.to_string();
    if !message.contains(needle) {
        return Some(format!("{needle:?} not named in: {message}"));
    }
    if message.contains(HMAC) {
        return Some(format!("the token leaked: {message}"));
    }
    // Validation problems name their key exactly; a dotted needle must be one of them.
    if needle.contains('.')
        && matches!(e, ConfigError::Invalid(_))
        && !e.problems().iter().any(|p| p.key == needle)
    {
        return Some(format!("no problem under {needle}: {message}"));
    }
    None
}

#[test]
fn unknown_keys_are_refused_in_every_section() {
    // Every section of the example file refuses a key it does not know.
    for section in [
        "bot",
        "database",
        "servers",
        "channels",
        "thread",
        "attachments",
        "metrics",
        "logging",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text = file_text(dir.path(), Add(section, "no_such_key_here = 1"));
        let err = Config::from_toml_str(&text, &|_| None).expect_err(section);
        let message = err.to_string();
        assert!(message.contains("no_such_key_here"), "{section}: {message}");
    }
}
