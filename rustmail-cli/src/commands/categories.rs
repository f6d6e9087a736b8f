//! `rustmail categories list|create|rename|delete|enable|disable|prompt`: the same domain
//! functions, rules and validation as the bot's `/category`.

use std::io::Write;

use rustmail_db::categories::{self, Category, NewCategory, PromptSettings};
use serde::Serialize;

use super::tickets::about;
use crate::args::{CategoriesCommand, PromptCommand};
use crate::context::Context;
use crate::error::{with_flags, CliError, CliResult};
use crate::output::{self, Cell, Colour, Table};
use crate::strings;

#[derive(Serialize)]
struct Listing {
    categories: Vec<Category>,
    prompt: PromptSettings,
    prompt_applies: bool,
}

pub fn run(ctx: &Context, command: CategoriesCommand, out: &mut dyn Write) -> CliResult {
    let db = ctx.open()?;
    db.with_conn(|conn| -> CliResult {
        match command {
            CategoriesCommand::List => {
                let listing = Listing {
                    categories: categories::list(conn)?,
                    prompt: categories::prompt(conn)?,
                    prompt_applies: categories::prompt_applies(conn)?,
                };
                list(ctx, &listing, out)
            }
            CategoriesCommand::Create {
                name,
                discord_category,
                description,
                emoji,
            } => {
                let created = categories::create(
                    conn,
                    &NewCategory {
                        name,
                        description,
                        emoji,
                        discord_category_id: discord_category,
                    },
                )
                .map_err(with_flags(&[
                    ("name", "NAME"),
                    ("description", "--description"),
                    ("emoji", "--emoji"),
                ]))?;
                done(ctx, out, &created, &strings::category_created(&created))
            }
            CategoriesCommand::Rename { name, new_name } => {
                let renamed = categories::rename(conn, &name, &new_name).map_err(|e| match e {
                    rustmail_db::DomainError::NotFound { .. } => about("NAME")(e),
                    other => with_flags(&[("name", "NEW_NAME")])(other),
                })?;
                done(
                    ctx,
                    out,
                    &renamed,
                    &strings::category_renamed(&name, &renamed),
                )
            }
            CategoriesCommand::Delete { name } => {
                let deleted = categories::delete(conn, &name).map_err(about("NAME"))?;
                done(ctx, out, &deleted, &strings::category_deleted(&deleted))
            }
            CategoriesCommand::Enable { name } => {
                let c = categories::set_enabled(conn, &name, true).map_err(about("NAME"))?;
                done(ctx, out, &c, &strings::category_enabled(&c))
            }
            CategoriesCommand::Disable { name } => {
                let c = categories::set_enabled(conn, &name, false).map_err(about("NAME"))?;
                done(ctx, out, &c, &strings::category_enabled(&c))
            }
            CategoriesCommand::Prompt { command } => {
                let settings = match command {
                    None => categories::prompt(conn)?,
                    Some(PromptCommand::On) => categories::set_prompt_enabled(conn, true)?,
                    Some(PromptCommand::Off) => categories::set_prompt_enabled(conn, false)?,
                    Some(PromptCommand::Timeout { seconds }) => {
                        categories::set_prompt_timeout(conn, seconds)
                            .map_err(with_flags(&[("timeout", "SECONDS")]))?
                    }
                };
                let applies = categories::prompt_applies(conn)?;
                if ctx.json() {
                    return output::json(
                        out,
                        &serde_json::json!({ "prompt": settings, "prompt_applies": applies }),
                    );
                }
                output::line(out, &strings::prompt_settings(&settings, applies))
            }
        }
    })
}

fn done<T: Serialize>(ctx: &Context, out: &mut dyn Write, value: &T, text: &str) -> CliResult {
    if ctx.json() {
        output::json(out, value)
    } else {
        output::line(out, text)
    }
}

fn list(ctx: &Context, listing: &Listing, out: &mut dyn Write) -> CliResult {
    if ctx.json() {
        return output::json(out, listing);
    }
    if listing.categories.is_empty() {
        output::line(out, strings::NO_CATEGORIES)?;
    } else {
        let mut table = Table::new(&strings::CATEGORY_COLUMNS);
        for c in &listing.categories {
            table.row(vec![
                c.id.to_string().into(),
                c.name.clone().into(),
                if c.enabled {
                    Cell::new(strings::YES).colour(Colour::Green)
                } else {
                    Cell::new(strings::NO).colour(Colour::Dim)
                },
                c.discord_category_id.to_string().into(),
                c.emoji.clone().unwrap_or_else(|| "-".to_owned()).into(),
                c.description.clone().into(),
            ]);
        }
        out.write_all(table.render(&ctx.style).as_bytes())
            .map_err(CliError::stdout)?;
    }
    output::line(
        out,
        &strings::prompt_settings(&listing.prompt, listing.prompt_applies),
    )
}
