//! The README's demo command runs to completion: simulator, bot and the scripted story, and the
//! database it leaves is readable by the operator CLI's domain (two tickets, one closed).

use std::process::Command;

#[test]
fn the_demo_runs_to_completion() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rustmail-demo"))
        .arg("--data-dir")
        .arg(dir.path())
        .arg("--pace-ms")
        .arg("0")
        .output()
        .expect("run rustmail-demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("The mute was automatic (link filter)"),
        "{stdout}"
    );
    assert!(stdout.contains("Done."), "{stdout}");
    let db = rustmail_db::Db::open(
        &format!("sqlite://{}", dir.path().join("rustmail.db").display()),
        1,
    )
    .unwrap();
    let (open, closed) = db.with_conn(rustmail_db::tickets::list::counts).unwrap();
    assert_eq!((open, closed), (1, 1));
}
