//! The bot under test as a child process: started from its real binary with a config file, and
//! observed through `/proc/<pid>` (CPU time, current and peak RSS).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running `rustmail-bot` process.
pub struct BotProcess {
    child: Child,
    pub log_file: PathBuf,
}

impl BotProcess {
    /// Starts `binary --config config` with logs to `log_file`.
    pub fn spawn(binary: &Path, config: &Path, log_file: &Path) -> std::io::Result<Self> {
        let log = std::fs::File::create(log_file)?;
        let child = Command::new(binary)
            .arg("--config")
            .arg(config)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        Ok(Self {
            child,
            log_file: log_file.to_owned(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// User + system CPU seconds used so far.
    pub fn cpu_seconds(&self) -> f64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())) else {
            return 0.0;
        };
        // Fields after the command name (which may contain spaces) start after the last ')'.
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after.split_whitespace().collect();
        // utime and stime are fields 14 and 15 (1-based) of the whole line: 11 and 12 here.
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (ticks(11) + ticks(12)) / clock_ticks_per_second()
    }

    /// Current resident set size in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.status_kib("VmRSS:") / 1024.0
    }

    /// The resident set's parts in MiB: heap and stacks (`RssAnon`), mapped files such as the
    /// binary's code (`RssFile`).
    pub fn rss_parts_mib(&self) -> (f64, f64) {
        (
            self.status_kib("RssAnon:") / 1024.0,
            self.status_kib("RssFile:") / 1024.0,
        )
    }

    /// Peak resident set size in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        self.status_kib("VmHWM:") / 1024.0
    }

    fn status_kib(&self, key: &str) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with(key))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<f64>().ok())
            })
            .unwrap_or(0.0)
    }

    /// `Some(status)` once the process has exited (on its own, since `kill`/`terminate` consume
    /// the handle).
    pub fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Stops the bot the hard way (what a crash looks like).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Asks the bot to stop (SIGTERM) and waits up to `timeout`.
    pub fn terminate(mut self, timeout: std::time::Duration) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn clock_ticks_per_second() -> f64 {
    // Linux reports CPU times in USER_HZ, which is 100 on every mainstream configuration.
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(100.0)
}
