//! `rustmail db migrate|status`, `rustmail config check|example` and `rustmail completions`.

use std::io::Write;

use clap::CommandFactory;
use rustmail_db::config::{Config, ConfigError};

use crate::args::{Cli, ConfigCommand, DbCommand};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::output::{self, Cell, Colour, Table};
use crate::strings;

pub fn db(ctx: &Context, command: DbCommand, out: &mut dyn Write) -> CliResult {
    let db = ctx.connect()?;
    match command {
        DbCommand::Migrate => {
            let applied = db.migrate()?;
            if ctx.json() {
                return output::json(out, &serde_json::json!({ "applied": applied }));
            }
            output::line(out, &strings::migrated(&db.redacted_url(), &applied))
        }
        DbCommand::Status => {
            let status = db.migration_status()?;
            if ctx.json() {
                return output::json(out, &status);
            }
            let mut table = Table::new(&strings::MIGRATION_COLUMNS);
            for m in &status {
                table.row(vec![
                    m.version.clone().into(),
                    if m.applied {
                        Cell::new(strings::APPLIED).colour(Colour::Green)
                    } else {
                        Cell::new(strings::PENDING).colour(Colour::Yellow)
                    },
                ]);
            }
            output::line(out, &strings::database_is(&db.redacted_url(), db.backend()))?;
            out.write_all(table.render(&ctx.style).as_bytes())
                .map_err(CliError::stdout)
        }
    }
}

pub fn config(ctx: &Context, command: ConfigCommand, out: &mut dyn Write) -> CliResult {
    match command {
        ConfigCommand::Example => out
            .write_all(Config::example().as_bytes())
            .map_err(CliError::stdout),
        ConfigCommand::Check { file } => match Config::load(&file) {
            Ok(_) => {
                if ctx.json() {
                    output::json(out, &serde_json::json!({ "ok": true, "problems": [] }))
                } else {
                    output::line(out, strings::CONFIG_OK)
                }
            }
            Err(ConfigError::Invalid(problems)) => {
                if ctx.json() {
                    let list: Vec<_> = problems
                        .iter()
                        .map(|p| serde_json::json!({ "key": p.key, "message": p.message }))
                        .collect();
                    output::json(out, &serde_json::json!({ "ok": false, "problems": list }))?;
                } else {
                    for p in &problems {
                        output::line(out, &p.to_string())?;
                    }
                }
                Err(CliError::Message(strings::config_problems(
                    &file,
                    problems.len(),
                )))
            }
            Err(other) => Err(other.into()),
        },
    }
}

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "rustmail", out);
}
