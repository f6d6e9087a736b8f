//! The bot creates its SQLite database owner-only (tickets are personal data): the real binary,
//! started on a fresh path, opens and migrates the database before it tries Discord (here
//! unreachable, so it stops right after). Whatever SQLite files it leaves are owner-only.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn database_files_created_by_the_bot_are_owner_only() {
    let dir = std::env::temp_dir().join(format!("rustmail-bot-db-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("data").join("rustmail.db");
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[bot]
token = "MTE4NDk3NjQ0ODkyMzM0NTkyMA.GkX2pQ.Zq4vR8mT1sWc7yHn3LbE9uJf0aKd6pXo2iGtVw"
api_base_url = "http://127.0.0.1:9/api/v10"

[database]
url = "sqlite://{}"

[servers]
guild_id = 111111111111111111
staff_roles = [222222222222222222]

[channels]
inbox_category_id = 333333333333333333
log_channel_id = 444444444444444444
"#,
            db.display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rustmail-bot"))
        .arg("--config")
        .arg(&config)
        .env_remove("RUSTMAIL_TOKEN")
        .env_remove("RUSTMAIL_DATABASE_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot connect to Discord"), "{stderr}");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(db.parent().unwrap()).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        let name = entry.file_name().to_string_lossy().into_owned();
        assert_eq!(mode, 0o600, "{name} has mode {mode:o}");
        checked.push(name);
    }
    assert!(checked.iter().any(|n| n == "rustmail.db"), "{checked:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
