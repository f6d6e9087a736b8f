//! The binary's start-up errors: one line on stderr, exit status 1, and never the token.

use std::path::PathBuf;
use std::process::Command;

const TOKEN: &str = "MTIz.startup-test-token.SECRETSECRET";

fn temp_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "rustmail-bot-startup-{}-{name}",
        std::process::id()
    ));
    std::fs::write(&path, text).expect("write temp file");
    path
}

fn config(database: &str) -> String {
    format!(
        r#"
[bot]
token = "{TOKEN}"
api_base_url = "http://127.0.0.1:9/api/v10"

[database]
url = "{database}"

[servers]
guild_id = 111111111111111111
staff_roles = [222222222222222222]

[channels]
inbox_category_id = 333333333333333333
log_channel_id = 444444444444444444
"#
    )
}

/// Runs the binary; returns (exit code, stderr).
fn run(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rustmail-bot"));
    cmd.args(args)
        .env_remove("RUSTMAIL_TOKEN")
        .env_remove("RUSTMAIL_DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run rustmail-bot");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_one_line_error(code: Option<i32>, stderr: &str, needle: &str) {
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(needle), "{needle:?} in {stderr}");
    assert!(
        !stderr.contains("SECRETSECRET"),
        "the token leaked: {stderr}"
    );
}

#[test]
fn a_missing_config_file_is_one_line() {
    let (code, stderr) = run(&["--config", "/nonexistent/rustmail.toml"], &[]);
    assert_one_line_error(code, &stderr, "cannot read the configuration file");
}

#[test]
fn a_missing_token_is_one_line() {
    let text = config("sqlite::memory:").replace(&format!("token = \"{TOKEN}\""), "");
    let path = temp_file("no-token.toml", &text);
    let (code, stderr) = run(&["--config", path.to_str().unwrap()], &[]);
    assert_one_line_error(code, &stderr, "bot.token");
    let _ = std::fs::remove_file(path);
}

#[test]
fn a_bad_config_lists_every_problem_on_one_line() {
    let text = config("mysql://root@localhost/db").replace(
        "log_channel_id = 444444444444444444",
        "log_channel_id = 333333333333333333",
    );
    let path = temp_file("bad.toml", &text);
    let (code, stderr) = run(&["--config", path.to_str().unwrap()], &[]);
    assert_one_line_error(code, &stderr, "database.url");
    assert!(stderr.contains("channels.log_channel_id"), "{stderr}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn an_unreachable_database_is_one_line() {
    let path = temp_file(
        "db.toml",
        &config("postgres://rustmail:hunter2@127.0.0.1:9/rustmail"),
    );
    let (code, stderr) = run(&["--config", path.to_str().unwrap()], &[]);
    assert_one_line_error(code, &stderr, "cannot connect");
    assert!(!stderr.contains("hunter2"), "the password leaked: {stderr}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn an_unreachable_discord_is_one_line_and_the_token_stays_secret() {
    let db = std::env::temp_dir().join(format!("rustmail-bot-startup-{}.db", std::process::id()));
    let text = format!(
        "{}\n[logging]\nlevel = \"trace\"\n",
        config(&format!("sqlite://{}", db.display()))
    );
    let path = temp_file("discord.toml", &text);
    let (code, stderr) = run(&["--config", path.to_str().unwrap()], &[]);
    assert!(stderr.lines().count() > 1, "trace logging is on: {stderr}");
    assert_eq!(code, Some(1), "{stderr}");
    let last = stderr.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.starts_with("rustmail-bot: cannot connect to Discord"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("SECRETSECRET"),
        "the token leaked: {stderr}"
    );
    let _ = std::fs::remove_file(path);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}
