//! Integration tests for configuration loading: the example file, parse errors, every validation
//! rule (table-driven), environment overrides and secret redaction.

use std::time::Duration;

use rustmail_db::config::{
    redact_url, Colour, Config, ConfigError, DatabaseKind, NewTicketMention, Secret,
    TranscriptFormat,
};
use rustmail_db::ids::{ChannelId, GuildId, RoleId};
use toml::Value;

const TOKEN: &str = "MTIz.test-token.abcDEF123";

const BASE: &str = r#"
[bot]
token = "MTIz.test-token.abcDEF123"

[servers]
guild_id = 111111111111111111
staff_roles = [222222222222222222]

[channels]
inbox_category_id = 333333333333333333
log_channel_id = 444444444444444444
"#;

/// Ids used in `BASE` (guild, inbox category, log channel) and a spare one.
const GUILD: i64 = 111_111_111_111_111_111;
const INBOX: i64 = 333_333_333_333_333_333;
const ROLE: i64 = 222_222_222_222_222_222;
const LOG: i64 = 444_444_444_444_444_444;
const OTHER: i64 = 555_555_555_555_555_555;

fn no_env(_: &str) -> Option<String> {
    None
}

/// A dotted key (`thread.close_message`) and its new value; `None` removes the key.
type Edit = (&'static str, Option<Value>);

#[allow(clippy::unnecessary_wraps)] // `Edit` values are options: `None` removes the key.
fn s(text: &str) -> Option<Value> {
    Some(Value::String(text.to_owned()))
}

#[allow(clippy::unnecessary_wraps)] // `Edit` values are options: `None` removes the key.
fn i(n: i64) -> Option<Value> {
    Some(Value::Integer(n))
}

#[allow(clippy::unnecessary_wraps)] // `Edit` values are options: `None` removes the key.
fn ints(ns: &[i64]) -> Option<Value> {
    Some(Value::Array(
        ns.iter().map(|n| Value::Integer(*n)).collect(),
    ))
}

/// `BASE` with the edits applied, as TOML text.
fn edited(edits: &[Edit]) -> String {
    let mut table: toml::Table = toml::from_str(BASE).unwrap();
    for (dotted, value) in edits {
        let (section, key) = dotted.split_once('.').unwrap();
        let section = table
            .entry(section.to_owned())
            .or_insert_with(|| Value::Table(toml::Table::new()))
            .as_table_mut()
            .unwrap();
        match value {
            Some(value) => {
                section.insert(key.to_owned(), value.clone());
            }
            None => {
                section.remove(key);
            }
        }
    }
    toml::to_string(&table).unwrap()
}

fn load(edits: &[Edit]) -> Result<Config, ConfigError> {
    Config::from_toml_str(&edited(edits), &no_env)
}

fn base() -> Config {
    load(&[]).expect("base config is valid")
}

#[test]
fn example_parses_and_validates() {
    let env = |name: &str| (name == "RUSTMAIL_TOKEN").then(|| TOKEN.to_owned());
    let config = match Config::from_toml_str(Config::example(), &env) {
        Ok(config) => config,
        Err(e) => panic!("example config is invalid:\n{e}"),
    };
    assert_eq!(config.bot.token.expose(), TOKEN);
    assert_eq!(config.bot.prefix, "!");
    assert_eq!(config.database.url, "sqlite://rustmail.db");
    assert_eq!(config.database.pool_size, 8);
    assert!(!config.servers.is_dual_server());
    assert_eq!(config.servers.community_guild(), GuildId::from_db(GUILD));
    assert_eq!(config.servers.staff_guild(), GuildId::from_db(GUILD));
    assert!(config.servers.admin_roles.is_empty());
    assert_eq!(config.attachments.max_stored_bytes, 8_388_608);
    assert_eq!(config.logging.level, "info");
    assert_eq!(config.metrics.socket_addr(), None);
}

#[test]
fn example_values_equal_the_defaults() {
    let env = |name: &str| (name == "RUSTMAIL_TOKEN").then(|| TOKEN.to_owned());
    let config = Config::from_toml_str(Config::example(), &env).unwrap();
    // Sections that are entirely optional: the example shows the defaults.
    let minimal = Config::from_toml_str(BASE, &no_env).unwrap();
    assert_eq!(config.thread, minimal.thread);
    assert_eq!(config.database, minimal.database);
    assert_eq!(config.attachments, minimal.attachments);
    assert_eq!(config.metrics, minimal.metrics);
    assert_eq!(config.logging, minimal.logging);
    assert_eq!(config.bot.prefix, minimal.bot.prefix);
}

#[test]
fn example_documents_every_key() {
    let example = Config::example();
    let keys = "token prefix api_base_url status url pool_size guild_id community_guild_id
        staff_guild_id staff_roles admin_roles inbox_category_id overflow_category_id
        log_channel_id archive_category_id welcome_message close_message new_thread_notify_user
        new_thread_message time_to_close_thread close_on_leave embedded_message block_quote
        show_log_on_edit show_log_on_delete create_ticket_by_create_channel anonymous_label
        user_colour staff_colour relay_typing blocked_message not_in_guild_message
        transcript_format mention_on_new_ticket max_stored_bytes address level file";
    for key in keys.split_whitespace() {
        assert!(
            example.lines().any(|line| {
                let line = line.trim_start_matches(['#', ' ']);
                line.starts_with(&format!("{key} ="))
            }),
            "config.example.toml does not document `{key}`"
        );
    }
    for section in "bot database servers channels thread attachments metrics logging".split(' ') {
        assert!(
            example.contains(&format!("[{section}]")),
            "missing [{section}]"
        );
    }
}

#[test]
fn defaults_for_optional_sections() {
    let config = base();
    assert_eq!(
        config.thread.welcome_message,
        "Thanks for your message! Our staff will reply here as soon as possible."
    );
    assert_eq!(
        config.thread.close_message,
        "This ticket has been closed. Send a new message to open a new one."
    );
    assert!(config.thread.new_thread_notify_user);
    assert_eq!(config.thread.time_to_close_thread, None);
    assert!(!config.thread.close_on_leave);
    assert!(config.thread.embedded_message);
    assert!(config.thread.block_quote);
    assert!(config.thread.show_log_on_edit);
    assert!(config.thread.show_log_on_delete);
    assert!(!config.thread.create_ticket_by_create_channel);
    assert_eq!(config.thread.anonymous_label, "Staff Team");
    assert_eq!(config.thread.user_colour, Colour(0x58_65F2));
    assert_eq!(config.thread.staff_colour, Colour(0x57_F287));
    assert!(!config.thread.relay_typing);
    assert_eq!(config.thread.transcript_format, TranscriptFormat::Markdown);
    assert_eq!(config.thread.mention_on_new_ticket, NewTicketMention::None);
    assert_eq!(config.database.kind(), DatabaseKind::Sqlite);
    assert_eq!(config.channels.overflow_category_id, None);
    assert_eq!(config.channels.archive_category_id, None);
    assert_eq!(config.logging.file, None);
}

fn parse_error(text: &str) -> String {
    match Config::from_toml_str(text, &no_env) {
        Err(ConfigError::Parse { message }) => message,
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn unknown_keys_are_parse_errors_naming_the_key() {
    // Top level: before the first table header.
    let message = parse_error(&format!("frobnicate = true\n{BASE}"));
    assert!(message.contains("unknown field `frobnicate`"), "{message}");

    let message = parse_error(&format!("{BASE}\n[channels.extra]\nx = 1\n"));
    assert!(message.contains("extra"), "{message}");

    let message = parse_error(&format!("{BASE}\n[thread]\ncolour = \"#000000\"\n"));
    assert!(message.contains("unknown field `colour`"), "{message}");

    let message = parse_error(&format!("{BASE}\n[webhooks]\nurl = \"x\"\n"));
    assert!(message.contains("webhooks"), "{message}");

    let message = parse_error(&format!("{BASE}\n[database]\npoolsize = 4\n"));
    assert!(message.contains("poolsize"), "{message}");

    let message = parse_error(&format!("{BASE}\n[thread]\nbots_ignored = true\n"));
    assert!(message.contains("bots_ignored"), "{message}");
}

#[test]
fn missing_required_sections_and_keys_are_parse_errors() {
    let message = parse_error(&edited(&[]).replace("[bot]", "[botx]"));
    assert!(message.contains("bot"), "{message}");

    let message = parse_error(&edited(&[("channels.inbox_category_id", None)]));
    assert!(message.contains("inbox_category_id"), "{message}");

    let message = parse_error(&edited(&[("channels.log_channel_id", None)]));
    assert!(message.contains("log_channel_id"), "{message}");

    let message = parse_error("[bot]\n[channels]\ninbox_category_id = 3\nlog_channel_id = 4\n");
    assert!(message.contains("servers"), "{message}");

    let message = parse_error(&edited(&[("database.pool_size", s("eight"))]));
    assert!(message.contains("pool_size"), "{message}");

    let message = parse_error("this is not toml");
    assert!(!message.is_empty());
}

/// Asserts that `edits` make `BASE` invalid with problems under `key` only.
fn assert_invalid(edits: &[Edit], key: &str) {
    let err = match load(edits) {
        Err(err @ ConfigError::Invalid(_)) => err,
        other => panic!("edits {edits:?}: expected a validation error, got {other:?}"),
    };
    let problems = err.problems();
    assert!(!problems.is_empty());
    for problem in problems {
        assert_eq!(problem.key, key, "edits {edits:?} gave {problems:?}");
        assert!(!problem.message.is_empty());
    }
    let display = err.to_string();
    assert!(display.contains(&format!("\n{key}: ")), "{display}");
    assert!(!display.contains("hunter2"), "password leaked: {display}");
    assert!(!display.contains("abc.def"), "token leaked: {display}");
}

#[test]
fn each_rule_reports_its_key() {
    let long = |n: usize| s(&"x".repeat(n));
    // One key set to a bad value; the problem is reported under that key.
    let cases: Vec<Edit> = vec![
        ("bot.token", s("")),
        ("bot.token", None),
        ("bot.token", s("Bot abc.def")),
        ("bot.prefix", s("")),
        ("bot.prefix", s("toolong")),
        ("bot.prefix", s("! ")),
        ("bot.api_base_url", s("ftp://example.com")),
        ("bot.api_base_url", s("127.0.0.1:8080")),
        ("bot.api_base_url", s("http://")),
        ("bot.status", long(129)),
        ("database.url", s("")),
        ("database.url", s("mysql://u:hunter2@db/rm")),
        ("database.url", s("sqlite://")),
        ("database.pool_size", i(0)),
        ("database.pool_size", i(65)),
        ("servers.guild_id", None),
        ("servers.guild_id", i(0)),
        ("servers.staff_roles", ints(&[])),
        ("servers.staff_roles", None),
        ("servers.staff_roles", ints(&[0])),
        ("servers.admin_roles", ints(&[0])),
        ("channels.inbox_category_id", i(0)),
        ("channels.log_channel_id", i(INBOX)),
        ("channels.overflow_category_id", i(INBOX)),
        ("channels.overflow_category_id", i(0)),
        ("channels.archive_category_id", i(LOG)),
        ("thread.welcome_message", s("")),
        ("thread.close_message", s("   ")),
        ("thread.close_message", long(2001)),
        ("thread.new_thread_message", s("")),
        ("thread.not_in_guild_message", s("")),
        ("thread.blocked_message", long(2001)),
        ("thread.time_to_close_thread", s("2x")),
        ("thread.time_to_close_thread", s("400d")),
        ("thread.time_to_close_thread", s("")),
        ("thread.anonymous_label", s("")),
        ("thread.anonymous_label", long(81)),
        ("thread.user_colour", s("red")),
        ("thread.staff_colour", s("#12345")),
        ("thread.transcript_format", s("pdf")),
        ("thread.mention_on_new_ticket", s("everyone")),
        ("thread.mention_on_new_ticket", i(-5)),
        ("attachments.max_stored_bytes", i(104_857_601)),
        ("metrics.address", s("localhost:9100")),
        ("metrics.address", s("127.0.0.1")),
        ("logging.level", s(" ")),
        ("logging.file", s("")),
    ];
    assert!(cases.len() >= 25);
    for edit in cases {
        let key = edit.0;
        assert_invalid(&[edit], key);
    }

    // Rules spanning several keys.
    let no_guild = ("servers.guild_id", None);
    assert_invalid(
        &[("servers.community_guild_id", i(OTHER))],
        "servers.guild_id",
    );
    assert_invalid(&[("servers.staff_guild_id", i(OTHER))], "servers.guild_id");
    let community = ("servers.community_guild_id", i(OTHER));
    let staff = ("servers.staff_guild_id", i(OTHER));
    assert_invalid(
        &[no_guild.clone(), community.clone()],
        "servers.staff_guild_id",
    );
    assert_invalid(
        &[no_guild.clone(), staff.clone()],
        "servers.community_guild_id",
    );
    assert_invalid(&[no_guild, community, staff], "servers.staff_guild_id");
}

#[test]
fn valid_variations_stay_valid() {
    let cases: Vec<Vec<Edit>> = vec![
        vec![],
        vec![("bot.prefix", s("rm!"))],
        vec![("bot.prefix", s("?????"))],
        vec![("bot.api_base_url", s("http://127.0.0.1:8080/api/v10"))],
        vec![("bot.api_base_url", s("https://proxy.example/api"))],
        vec![("bot.status", s("DM me for help"))],
        vec![("database.url", s("postgres://u:p@db.example/rustmail"))],
        vec![("database.url", s("postgresql://localhost/rustmail"))],
        vec![("database.url", s("data/rustmail.db"))],
        vec![("database.pool_size", i(1))],
        vec![("database.pool_size", i(64))],
        vec![
            ("servers.guild_id", None),
            ("servers.community_guild_id", i(GUILD)),
            ("servers.staff_guild_id", i(OTHER)),
        ],
        vec![("servers.admin_roles", ints(&[OTHER]))],
        vec![
            ("channels.overflow_category_id", i(OTHER)),
            ("channels.archive_category_id", i(OTHER + 1)),
        ],
        vec![("thread.blocked_message", s(""))],
        vec![("thread.time_to_close_thread", s("1d12h"))],
        vec![("thread.time_to_close_thread", s("1h 30m"))],
        vec![("thread.user_colour", s("#000000"))],
        vec![("thread.staff_colour", s("#ffffff"))],
        vec![("thread.transcript_format", s("html"))],
        vec![("thread.mention_on_new_ticket", s("here"))],
        vec![("thread.mention_on_new_ticket", s("555555555555555555"))],
        vec![("thread.mention_on_new_ticket", i(OTHER))],
        vec![("thread.anonymous_label", s(&"x".repeat(80)))],
        vec![("thread.welcome_message", s(&"x".repeat(2000)))],
        vec![("attachments.max_stored_bytes", i(0))],
        vec![("attachments.max_stored_bytes", i(104_857_600))],
        vec![("metrics.address", s("0.0.0.0:9100"))],
        vec![("metrics.address", s("[::1]:9100"))],
        vec![("logging.level", s("info,rustmail_bot=debug"))],
        vec![("logging.file", s("/var/log/rustmail.log"))],
    ];
    for edits in &cases {
        if let Err(e) = load(edits) {
            panic!("edits {edits:?} should be valid:\n{e}");
        }
    }
}

#[test]
fn parsed_values_are_typed() {
    let config = load(&[
        ("thread.time_to_close_thread", s("1d12h")),
        ("thread.user_colour", s("#0a0B0c")),
        ("thread.transcript_format", s("html")),
        ("thread.mention_on_new_ticket", s("555555555555555555")),
        ("metrics.address", s("127.0.0.1:9100")),
        ("database.url", s("postgres://u:p@h/db")),
        ("servers.guild_id", None),
        ("servers.community_guild_id", i(GUILD)),
        ("servers.staff_guild_id", i(OTHER)),
    ])
    .unwrap();
    assert_eq!(
        config.thread.time_to_close_thread.map(|d| d.as_secs()),
        Some(129_600)
    );
    assert_eq!(config.thread.user_colour.get(), 0x0A_0B0C);
    assert_eq!(config.thread.transcript_format, TranscriptFormat::Html);
    assert_eq!(
        config.thread.mention_on_new_ticket,
        NewTicketMention::Role(RoleId::from_db(OTHER))
    );
    assert_eq!(
        config.metrics.socket_addr(),
        Some("127.0.0.1:9100".parse().unwrap())
    );
    assert_eq!(config.database.kind(), DatabaseKind::Postgres);
    assert!(config.servers.is_dual_server());
    assert_eq!(config.servers.community_guild(), GuildId::from_db(GUILD));
    assert_eq!(config.servers.staff_guild(), GuildId::from_db(OTHER));
    assert_eq!(config.servers.staff_roles, vec![RoleId::from_db(ROLE)]);
    assert_eq!(config.channels.inbox_category_id, ChannelId::from_db(INBOX));
}

#[test]
fn all_problems_are_reported_at_once_in_file_order() {
    let err = load(&[
        ("logging.level", s("")),
        ("thread.close_message", s("")),
        ("thread.user_colour", s("blue")),
        ("servers.staff_roles", ints(&[])),
        ("bot.prefix", s("")),
    ])
    .unwrap_err();
    let keys: Vec<&str> = err.problems().iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "bot.prefix",
            "servers.staff_roles",
            "thread.user_colour",
            "thread.close_message",
            "logging.level"
        ]
    );
    let display = err.to_string();
    assert!(
        display.contains("\nthread.close_message: must not be empty"),
        "{display}"
    );
    assert!(
        display.contains("\nservers.staff_roles: must list at least one role id"),
        "{display}"
    );
    assert_eq!(display.lines().count(), 6, "{display}");
}

#[test]
fn tweaked_structs_are_revalidated() {
    let mut config = base();
    assert!(config.validate().is_ok());
    config.thread.time_to_close_thread = Some(Duration::ZERO);
    config.thread.user_colour = Colour(0x0100_0000);
    config.thread.mention_on_new_ticket = NewTicketMention::Role(RoleId(0));
    config.channels.archive_category_id = Some(config.channels.log_channel_id);
    let keys: Vec<String> = config.problems().into_iter().map(|p| p.key).collect();
    assert_eq!(
        keys,
        [
            "channels.archive_category_id",
            "thread.time_to_close_thread",
            "thread.user_colour",
            "thread.mention_on_new_ticket"
        ]
    );
    assert!(matches!(config.validate(), Err(ConfigError::Invalid(p)) if p.len() == 4));
}

#[test]
fn env_overrides_apply_before_validation() {
    let text = edited(&[("bot.token", None)]);
    let env = |name: &str| match name {
        "RUSTMAIL_TOKEN" => Some(format!("  {TOKEN}\n")),
        "RUSTMAIL_DATABASE_URL" => Some("postgres://rm:pw@db/rustmail".to_owned()),
        "RUSTMAIL_API_BASE_URL" => Some("http://127.0.0.1:8080/api/v10".to_owned()),
        _ => None,
    };
    let config = Config::from_toml_str(&text, &env).unwrap();
    assert_eq!(config.bot.token.expose(), TOKEN);
    assert_eq!(config.database.url, "postgres://rm:pw@db/rustmail");
    assert_eq!(
        config.bot.api_base_url.as_deref(),
        Some("http://127.0.0.1:8080/api/v10")
    );

    // The environment wins over the file.
    let env = |name: &str| (name == "RUSTMAIL_TOKEN").then(|| "from-env".to_owned());
    let config = Config::from_toml_str(BASE, &env).unwrap();
    assert_eq!(config.bot.token.expose(), "from-env");

    // Empty values are ignored.
    let env = |_: &str| Some("  ".to_owned());
    let config = Config::from_toml_str(BASE, &env).unwrap();
    assert_eq!(config.bot.token.expose(), TOKEN);
    assert_eq!(config.database.url, "sqlite://rustmail.db");
    assert_eq!(config.bot.api_base_url, None);

    // Overridden values are validated too.
    let env = |name: &str| (name == "RUSTMAIL_API_BASE_URL").then(|| "ws://nope".to_owned());
    let err = Config::from_toml_str(BASE, &env).unwrap_err();
    assert_eq!(err.problems()[0].key, "bot.api_base_url");

    // No token anywhere.
    let err = Config::from_toml_str(&text, &no_env).unwrap_err();
    assert_eq!(err.problems()[0].key, "bot.token");
    assert!(err.to_string().contains("RUSTMAIL_TOKEN"), "{err}");
}

#[test]
fn token_is_redacted() {
    let config = base();
    let debug = format!("{config:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("[redacted]"));
    let pretty = format!("{config:#?}");
    assert!(!pretty.contains(TOKEN));
    assert_eq!(config.bot.token.to_string(), "[redacted]");
    assert_eq!(format!("{:?}", config.bot.token), "[redacted]");
    assert_eq!(config.bot.token.expose(), TOKEN);
    assert_eq!(Secret::new("x"), Secret::from("x"));

    // A whitespace error does not echo the token.
    let err = load(&[("bot.token", s("secret-part another-part"))]).unwrap_err();
    assert!(!err.to_string().contains("secret-part"), "{err}");

    // Nor does a syntax error on the token's line.
    let text = BASE.replace(&format!("\"{TOKEN}\""), &format!("\"{TOKEN}"));
    let message = parse_error(&text);
    assert!(!message.contains(TOKEN), "{message}");
    let text = format!("{BASE}\n[database]\nurl = \"postgres://u:hunter2@h/db\n");
    let message = parse_error(&text);
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn redact_url_hides_passwords() {
    let cases = [
        (
            "postgres://rustmail:hunter2@db.example:5432/rustmail",
            "postgres://rustmail:***@db.example:5432/rustmail",
        ),
        ("postgresql://u:p@h/db", "postgresql://u:***@h/db"),
        ("postgres://u@h/db", "postgres://u@h/db"),
        (
            "postgres://h/db?user=u&password=hunter2",
            "postgres://h/db?user=u&password=***",
        ),
        ("sqlite://rustmail.db", "sqlite://rustmail.db"),
        ("data/rustmail.db", "data/rustmail.db"),
    ];
    for (url, expected) in cases {
        assert_eq!(redact_url(url), expected);
    }
    let err = load(&[("database.url", s("mysql://root:hunter2@db/rm"))]).unwrap_err();
    let display = err.to_string();
    assert!(display.contains("mysql://root:***@db/rm"), "{display}");
    assert!(!display.contains("hunter2"));
}

#[test]
fn load_reads_files_and_reports_read_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, BASE).unwrap();
    let config = Config::load(&path).unwrap();
    assert_eq!(config.servers.staff_guild(), GuildId::from_db(GUILD));

    let missing = dir.path().join("missing.toml");
    match Config::load(&missing) {
        Err(ConfigError::Read { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected a read error, got {other:?}"),
    }
    let err = Config::load(&missing).unwrap_err();
    assert!(err.to_string().contains("missing.toml"), "{err}");
}

#[test]
fn token_is_redacted_however_its_key_is_written() {
    // Found by `fuzz/` (config target): toml quotes the broken line, and the scrubbing only
    // knew the plain `token = "..."` form.
    let cases = [
        format!("bot.token = '{TOKEN}'(x\n"),
        format!("bot = {{ token = \"{TOKEN}\", prefix = 5 }}\n"),
        format!("[bot]\ntoken = \"\"\"{TOKEN}\"\"\" x\n"),
        format!("[bot]\n\"token\" = '''{TOKEN}''' x\n"),
    ];
    for text in cases {
        let message = parse_error(&text);
        assert!(message.contains("line"), "{message}");
        assert!(!message.contains(TOKEN), "{text:?} → {message}");
    }
}
