//! The real `rustmail tui` binary in a pseudo-terminal: it draws, quits on `q` with exit code 0,
//! leaves the alternate screen, and writes its logs to the log file, not the screen.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, PtySize};

use crate::support::{seed, TestDatabase};

fn wait_for(output: &Arc<Mutex<Vec<u8>>>, needle: &str, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if String::from_utf8_lossy(&output.lock().unwrap()).contains(needle) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn tui_in_a_real_terminal_quits_cleanly() {
    let db = TestDatabase::sqlite();
    seed(&db.db);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("tui.log");

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_rustmail"));
    cmd.args(["--database-url", &db.url, "tui", "--log-file"]);
    cmd.arg(&log);
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("RUSTMAIL_DATABASE_URL");
    cmd.env("RUST_LOG", "info");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);

    let output = Arc::new(Mutex::new(Vec::new()));
    let mut reader = pty.master.try_clone_reader().unwrap();
    let sink = output.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let mut writer = pty.master.take_writer().unwrap();

    assert!(
        wait_for(&output, "open 3 · closed 1", Duration::from_secs(30)),
        "the TUI drew its status bar: {:?}",
        String::from_utf8_lossy(&output.lock().unwrap())
    );
    writer.write_all(b"q").unwrap();
    writer.flush().unwrap();

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the TUI did not quit on q");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    assert!(
        wait_for(&output, "\x1b[?1049l", Duration::from_secs(5)),
        "left the alternate screen"
    );
    let screen = String::from_utf8_lossy(&output.lock().unwrap()).into_owned();
    assert!(
        screen.contains("\x1b[?1049h"),
        "entered the alternate screen"
    );
    assert!(
        !screen.contains("tui starting"),
        "logs never reach the screen"
    );
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("tui starting") && logged.contains("tui stopped"),
        "{logged}"
    );
}
