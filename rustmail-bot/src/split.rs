//! Splitting long text into pieces Discord accepts, on line and word boundaries, never dropping
//! or changing a character (the pieces concatenated are the original text).

/// Longest message content Discord accepts.
pub const MESSAGE_LIMIT: usize = 2000;
/// Longest embed description Discord accepts.
pub const EMBED_DESCRIPTION_LIMIT: usize = 4096;

/// Length as Discord counts it. Counted in UTF-16 code units, which is never less than the
/// number of characters, so a piece that fits by this count fits on Discord.
pub fn discord_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The byte index of the longest prefix of `s` whose [`discord_len`] is at most `limit`, but at
/// least one character when `s` is not empty (so splitting always makes progress).
fn fitting_prefix(s: &str, limit: usize) -> usize {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > limit {
            return if i == 0 { c.len_utf8() } else { i };
        }
    }
    s.len()
}

/// Splits `text` into pieces of at most `limit` (see [`discord_len`]), cutting after the last
/// line break that fits, else after the last space, else inside a word. Empty text gives no
/// pieces.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(2);
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if discord_len(rest) <= limit {
            pieces.push(rest.to_owned());
            break;
        }
        let fit = fitting_prefix(rest, limit);
        let window = &rest[..fit];
        let cut = window
            .rfind('\n')
            .or_else(|| window.rfind(' '))
            .map_or(fit, |i| i + 1);
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece.to_owned());
        rest = tail;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, limit: usize) -> Vec<String> {
        let pieces = split(text, limit);
        assert_eq!(pieces.concat(), text, "nothing lost");
        for p in &pieces {
            assert!(discord_len(p) <= limit, "{} > {limit}", discord_len(p));
            assert!(!p.is_empty());
        }
        pieces
    }

    #[test]
    fn short_text_is_one_piece() {
        assert_eq!(check("hello", 2000), vec!["hello"]);
        assert!(split("", 2000).is_empty());
    }

    #[test]
    fn prefers_line_breaks_then_spaces() {
        let text = format!("{}\n{}", "a".repeat(10), "b".repeat(10));
        assert_eq!(
            check(&text, 15),
            vec![format!("{}\n", "a".repeat(10)), "b".repeat(10)]
        );
        assert_eq!(check("one two three", 9), vec!["one two ", "three"]);
    }

    #[test]
    fn cuts_long_words() {
        let pieces = check(&"x".repeat(4500), 2000);
        assert_eq!(pieces.len(), 3);
    }

    #[test]
    fn counts_utf16_and_keeps_characters_whole() {
        let text = "🦀".repeat(1500); // 3000 UTF-16 units
        let pieces = check(&text, 2000);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0].chars().count(), 1000);
        check(&"é ü 漢字 🦀\n".repeat(700), 2000);
        check(&"x🦀".repeat(10), 2);
    }
}
