//! The "visible text" rule shared by every text the domain accepts from people (replies, notes,
//! snippets, reminders, category names) and by the bot's and the CLI's own checks, so they all
//! agree on what counts as empty: Discord shows a message of only zero-width or blank characters
//! as nothing at all, so such a text is refused like an empty one.

/// Characters that render as nothing on Discord although they are neither whitespace nor
/// control characters: zero-width spaces and joiners, direction marks, embeddings and isolates,
/// the word joiner family, variation selectors, tags, the byte-order mark, the soft hyphen, and
/// the fillers people use to fake an empty message (Hangul fillers, the blank Braille pattern).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Whether `text` shows nothing: empty, or only whitespace, control and invisible characters.
pub fn is_blank(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_texts() {
        for text in [
            "",
            "   ",
            "\n\t \r\n",
            "\u{200B}",
            "\u{200C}\u{200D}",
            "\u{2060}",
            "\u{FEFF}",
            " \u{200B} \u{FEFF}\n\u{2060} ",
            "\u{00A0}\u{3000}",
            "\u{3164}\u{2800}",
            "\u{202E}\u{2066}\u{2069}",
            "\u{0007}",
        ] {
            assert!(is_blank(text), "{text:?} should be blank");
        }
    }

    #[test]
    fn visible_texts() {
        for text in [
            "a",
            " hi ",
            "\u{200B}x\u{200B}",
            "0",
            ".",
            "👍",
            "\u{FE0F}❤",
            "é",
            "`",
        ] {
            assert!(!is_blank(text), "{text:?} should be visible");
        }
    }
}
