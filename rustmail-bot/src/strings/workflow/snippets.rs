//! Texts of snippets and `/help`.

/// `/snippet add` succeeded.
pub fn snippet_added(name: &str) -> String {
    format!("✂️ Snippet `{name}` added. Send it with `!s {name}` or `/reply snippet:{name}`.")
}

/// `/snippet edit` succeeded.
pub fn snippet_edited(name: &str) -> String {
    format!("✏️ Snippet `{name}` updated.")
}

/// `/snippet remove` succeeded.
pub fn snippet_removed(name: &str) -> String {
    format!("🗑️ Snippet `{name}` removed.")
}

/// `/snippet list`'s title.
pub const SNIPPETS_TITLE: &str = "✂️ Snippets";

/// `/snippet list` with no snippet.
pub const NO_SNIPPETS: &str = "No snippets yet. Add one with `!snippet add NAME TEXT`.";

/// One snippet in `/snippet list`.
pub fn snippet_line(name: &str, content: &str) -> String {
    let preview: String = content.chars().take(80).collect();
    let more = if content.chars().count() > 80 {
        "…"
    } else {
        ""
    };
    format!("• `{name}` — {}{more}", preview.replace('\n', " "))
}

/// `/snippet show`.
pub fn snippet_shown(name: &str, content: &str) -> String {
    format!("✂️ `{name}`:\n{content}")
}

/// `/reply` with both text and a snippet.
pub const TEXT_OR_SNIPPET: &str = "⚠️ Give either text or a snippet, not both.";

/// `/help`'s title.
pub const HELP_TITLE: &str = "📖 Rustmail commands";

/// One command in `/help`.
pub fn help_line(name: &str, description: &str) -> String {
    format!("`/{name}` — {description}")
}

/// A category heading in `/help`.
pub fn help_heading(category: &str) -> String {
    format!("**{category}**")
}

/// `/help`'s last line.
pub fn help_footer(prefix: &str) -> String {
    format!("Every command also works with the `{prefix}` prefix, e.g. `{prefix}close 2h`.")
}
