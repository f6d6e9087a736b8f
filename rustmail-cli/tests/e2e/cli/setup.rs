//! `db`, `config`, `completions`, where the database URL comes from, and usage errors.

use rustmail_db::config::Config;

use crate::support::{bin, failure_of, on_both_backends, rustmail, stdout_of, TestDatabase};

on_both_backends!(migrations_and_database_resolution);

fn config_file(dir: &std::path::Path, url: &str, token: Option<&str>) -> std::path::PathBuf {
    let token = token.map_or_else(String::new, |t| format!("token = \"{t}\"\n"));
    let text = format!(
        "[bot]\n{token}\n[database]\nurl = \"{url}\"\n\n[servers]\nguild_id = 111111111111111111\n\
         staff_roles = [222222222222222222]\n\n[channels]\ninbox_category_id = 333333333333333333\n\
         log_channel_id = 444444444444444444\n"
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn migrations_and_database_resolution(db: &TestDatabase) {
    assert!(stdout_of(rustmail(db).args(["db", "migrate"])).ends_with("is up to date\n"));
    let status = stdout_of(rustmail(db).args(["db", "status"]));
    assert!(
        status.contains("applied") && !status.contains("pending"),
        "{status}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(rustmail(db).args(["db", "status", "--json"]))).unwrap();
    assert!(json
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["applied"] == true));

    // RUSTMAIL_DATABASE_URL alone; the flag beats it; a config file without a token suffices.
    stdout_of(
        bin()
            .env("RUSTMAIL_DATABASE_URL", &db.url)
            .args(["tickets", "list"]),
    );
    stdout_of(
        bin()
            .env("RUSTMAIL_DATABASE_URL", "mysql://nowhere/x")
            .arg("--database-url")
            .arg(&db.url)
            .args(["tickets", "list"]),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path(), &db.url, None);
    stdout_of(bin().arg("--config").arg(&config).args(["tickets", "list"]));
    let (code, err) = failure_of(
        bin()
            .env("RUSTMAIL_DATABASE_URL", "mysql://root:hunter2@h/x")
            .args(["tickets", "list"]),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("unsupported scheme `mysql`") && !err.contains("hunter2"),
        "{err}"
    );
}

#[test]
fn fresh_database_asks_for_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
    let (code, err) = failure_of(
        bin()
            .arg("--database-url")
            .arg(&url)
            .args(["tickets", "list"]),
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: the database at sqlite://")
            && err.contains("run `rustmail db migrate`"),
        "{err}"
    );
    let out = stdout_of(
        bin()
            .arg("--database-url")
            .arg(&url)
            .args(["db", "migrate"]),
    );
    let migrations =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/sqlite"))
            .expect("migrations folder")
            .count();
    let expected = if migrations == 1 {
        "applied 1 migration to sqlite://".to_owned()
    } else {
        format!("applied {migrations} migrations to sqlite://")
    };
    assert!(out.starts_with(&expected), "{out}");
    assert_eq!(
        stdout_of(
            bin()
                .arg("--database-url")
                .arg(&url)
                .args(["tickets", "list"])
        ),
        "no tickets match\n"
    );
}

#[test]
fn no_database_is_one_clear_error() {
    assert_eq!(
        failure_of(bin().args(["tickets", "list"])),
        (1, "error: no database: pass --database-url URL, set RUSTMAIL_DATABASE_URL, or pass --config FILE\n".into())
    );
    let (code, err) =
        failure_of(bin().args(["--config", "/nonexistent/rustmail.toml", "tickets", "list"]));
    assert_eq!(code, 1);
    assert!(
        err.starts_with(
            "error: --config: cannot read the configuration file /nonexistent/rustmail.toml"
        ),
        "{err}"
    );
}

#[test]
fn config_check_and_example() {
    let dir = tempfile::tempdir().unwrap();
    let good = config_file(dir.path(), "sqlite://x.db", Some("abc.def"));
    assert_eq!(
        stdout_of(
            bin()
                .env_remove("RUSTMAIL_TOKEN")
                .args(["config", "check"])
                .arg(&good)
        ),
        "ok\n"
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&good)
            .unwrap()
            .replace("token = \"abc.def\"", "prefix = \"toolong\""),
    )
    .unwrap();
    let out = bin()
        .env_remove("RUSTMAIL_TOKEN")
        .args(["config", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("bot.token: is required")
            && stdout.contains("bot.prefix: must be at most 5 characters"),
        "{stdout}"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("error: {} has 2 problems\n", bad.display())
    );
    let json = bin()
        .env_remove("RUSTMAIL_TOKEN")
        .args(["config", "check", "--json"])
        .arg(&bad)
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["ok"], false);
    assert_eq!(value["problems"].as_array().unwrap().len(), 2);
    assert_eq!(
        stdout_of(bin().args(["config", "example"])),
        Config::example()
    );
}

#[test]
fn completions_and_usage() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout_of(bin().args(["completions", shell]));
        assert!(
            script.contains("rustmail") && script.contains("force-close"),
            "{shell}"
        );
    }
    assert_eq!(failure_of(bin().args(["completions", "tcsh"])).0, 2);
    assert_eq!(failure_of(&mut bin()).0, 2);
    let (code, err) = failure_of(bin().arg("frobnicate"));
    assert_eq!(code, 2);
    assert_eq!(err, "error: unrecognized subcommand 'frobnicate'\n");
    assert!(stdout_of(bin().arg("--help")).contains("Exit codes: 0 ok, 1 error, 2 usage"));
}
