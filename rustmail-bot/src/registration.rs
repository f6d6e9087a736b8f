//! Registers the slash commands in the staff guild at start-up. Discord's command routes fail
//! now and then with a 5xx; without a retry the bot would run for its whole life with no (or
//! stale) slash commands. Transient failures (5xx, 429, network) are retried a few times with a
//! doubling delay; a refusal (4xx) is not, since repeating the same body cannot fix it. This runs
//! inside poise's setup, so events wait for it (they are not lost) and a slash command never
//! arrives before its registration.

use std::time::Duration;

use poise::serenity_prelude as serenity;

use crate::error::CommandError;
use crate::state::Data;

/// Attempts in all, the first included.
pub const ATTEMPTS: u32 = 5;

/// The delay before the second attempt; each later one doubles it (0.5 + 1 + 2 + 4 s at most).
pub const FIRST_RETRY_DELAY: Duration = Duration::from_millis(500);

/// Registers `commands` in `guild`, retrying transient failures; logs the outcome. Returns
/// whether they were registered.
pub async fn register_commands(
    http: &serenity::Http,
    commands: &[poise::Command<Data, CommandError>],
    guild: serenity::GuildId,
) -> bool {
    let body = poise::builtins::create_application_commands(commands);
    let outcome = with_retries(ATTEMPTS, FIRST_RETRY_DELAY, |_| {
        guild.set_commands(http, body.clone())
    })
    .await;
    match outcome {
        Ok(attempts) => {
            tracing::info!(
                attempts,
                count = commands.len(),
                "slash commands registered"
            );
            true
        }
        Err((attempts, e)) => {
            tracing::error!(
                attempts,
                error = %crate::discord::describe(&e),
                "cannot register slash commands: they stay missing or stale until the bot is restarted (prefix commands still work)"
            );
            false
        }
    }
}

/// Runs `attempt` (given its number, from 1) until it succeeds, fails for good, or `attempts`
/// are used up, sleeping `first_delay`, then twice as long each time, between tries. `Ok` with
/// the number of attempts made, or `Err` with it and the last error.
pub async fn with_retries<T, F, Fut>(
    attempts: u32,
    first_delay: Duration,
    mut attempt: F,
) -> Result<u32, (u32, serenity::Error)>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<T, serenity::Error>>,
{
    let mut delay = first_delay;
    let mut n = 1;
    loop {
        match attempt(n).await {
            Ok(_) => return Ok(n),
            Err(e) if n < attempts && crate::discord::classify(&e).is_transient() => {
                tracing::warn!(
                    attempt = n,
                    retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    error = %crate::discord::describe(&e),
                    "registering slash commands failed; retrying"
                );
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2);
                n += 1;
            }
            Err(e) => return Err((n, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io_error() -> serenity::Error {
        serenity::Error::Io(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "reset",
        ))
    }

    fn permanent_error() -> serenity::Error {
        serenity::Error::Other("refused")
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_success() {
        let outcome = with_retries(5, Duration::from_millis(1), |n| async move {
            if n < 3 {
                Err(io_error())
            } else {
                Ok(())
            }
        })
        .await;
        assert_eq!(outcome.map_err(|(n, _)| n), Ok(3));
    }

    #[tokio::test]
    async fn retries_stop_after_the_last_attempt() {
        let mut calls = 0;
        let outcome = with_retries(4, Duration::from_millis(1), |_| {
            calls += 1;
            async { Err::<(), _>(io_error()) }
        })
        .await;
        assert_eq!(outcome.map_err(|(n, _)| n), Err(4));
        assert_eq!(calls, 4);
    }

    #[tokio::test]
    async fn a_permanent_failure_is_not_retried() {
        let mut calls = 0;
        let outcome = with_retries(5, Duration::from_millis(1), |_| {
            calls += 1;
            async { Err::<(), _>(permanent_error()) }
        })
        .await;
        assert_eq!(outcome.map_err(|(n, _)| n), Err(1));
        assert_eq!(calls, 1);
    }
}
