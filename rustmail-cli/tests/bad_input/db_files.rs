//! The CLI creates SQLite files (the database, its `-wal` and `-shm`) readable by their owner
//! only: tickets are personal data. The test process's umask (typically 022) would otherwise
//! make them world-readable.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn database_files_created_by_the_cli_are_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh").join("rustmail.db");
    let url = format!("sqlite://{}", path.display());
    let out = super::support::bin()
        .args(["--database-url", &url, "db", "migrate"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&path), 0o600, "database file");

    // A command that writes, then waits for a bot (none runs) with the database open: its WAL
    // files exist meanwhile.
    let mut holder = std::process::Command::new(env!("CARGO_BIN_EXE_rustmail"))
        .args([
            "--database-url",
            &url,
            "tickets",
            "force-close",
            "--orphans",
            "--wait",
            "--timeout",
            "3",
        ])
        .env_remove("RUSTMAIL_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (wal, shm) = (
        dir.path().join("fresh").join("rustmail.db-wal"),
        dir.path().join("fresh").join("rustmail.db-shm"),
    );
    let deadline = Instant::now() + Duration::from_secs(3);
    while !(wal.exists() && shm.exists()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let seen = wal.exists() && shm.exists();
    let modes = seen.then(|| (mode(&wal), mode(&shm)));
    let _ = holder.kill();
    let _ = holder.wait();
    assert!(
        seen,
        "the CLI opened the database in WAL mode while waiting"
    );
    assert_eq!(modes, Some((0o600, 0o600)), "-wal and -shm files");
}
