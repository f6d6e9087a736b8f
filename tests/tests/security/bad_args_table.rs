//! The bad-argument corpus for the bot: one row per command line, with the text its answer
//! must contain (the argument named, or the bad value quoted back). Placeholders: `{user}` the
//! ticket's user id, `{erin}` a member without a ticket, `{general}` a text channel (not a
//! category), `{long:N}` N characters.

/// Who runs a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Plain staff (bob).
    Staff,
    /// An admin (carol), for the category commands.
    Admin,
}

/// One bad command: `!...` text, or `/name` with options separated by `|` as `key=value`.
pub struct Case {
    pub who: Who,
    pub command: &'static str,
    pub needle: &'static str,
}

const fn staff(command: &'static str, needle: &'static str) -> Case {
    Case {
        who: Who::Staff,
        command,
        needle,
    }
}

const fn admin(command: &'static str, needle: &'static str) -> Case {
    Case {
        who: Who::Admin,
        command,
        needle,
    }
}

#[rustfmt::skip]
pub const CASES: &[Case] = &[
    // Durations.
    staff("!close 5x", "5x"),
    staff("!close in 5x", "in"),
    staff("!close -1h", "-1h"),
    staff("!close 99999999999d", "99999999999d"),
    staff("!close 366d", "366d"),
    staff("!close 1h1d", "1h1d"),
    staff("!close soon", "soon"),
    staff("!close 1\u{200b}h", "1"),
    staff("!close \u{202e}h1", "h1"),
    staff("!close ２h", "２h"),
    staff("/close time=5x", "5x"),
    staff("/close time=-1h", "-1h"),
    staff("/close time=99999999999d", "99999999999d"),
    staff("/close time={long:3000}", "xxxx"),
    staff("!add_reminder 5x look", "5x"),
    staff("!add_reminder -1h look", "-1h"),
    staff("!add_reminder 99999999999d look", "99999999999d"),
    staff("!add_reminder look", "look"),
    staff("/add_reminder time=5x|content=look", "5x"),
    staff("/add_reminder time=-30m|content=look", "-30m"),
    staff("/add_reminder time=|content=look", "duration"),
    staff("/block user={erin}|duration=5x", "5x"),
    staff("/block user={erin}|duration=-1h", "-1h"),
    staff("/block user={erin}|duration=99999999999d", "99999999999d"),
    // Reply numbers.
    staff("!edit 0 text", "0"),
    staff("!edit -1 text", "-1"),
    staff("!edit 99999 text", "99999"),
    staff("!edit 99999999999 text", "`99999999999` is too large"),
    staff("!edit abc text", "`abc` is not a whole number"),
    staff("!edit 1.5 text", "`1.5`"),
    staff("!edit ١ text", "`١`"),
    staff("!edit", "NUMBER"),
    staff("!delete 0", "0"),
    staff("!delete -1", "-1"),
    staff("!delete 99999", "99999"),
    staff("!delete 99999999999", "`99999999999`"),
    staff("!delete abc", "`abc`"),
    staff("!delete", "NUMBER"),
    staff("/edit message_id=99999|new_content=x", "99999"),
    staff("/delete message_id=99999", "99999"),
    staff("/delete message_id=0", "0"),
    staff("!note remove 99999", "99999"),
    staff("!note remove abc", "`abc`"),
    staff("!note remove", "NOTE_ID"),
    staff("/note remove note_id=-5", "-5"),
    staff("!remove_reminder 99999", "99999"),
    staff("!remove_reminder abc", "`abc`"),
    staff("/remove_reminder reminder_id=0", "0"),
    // Users: ids, mentions, unknown users.
    staff("!block <@999999999999999999>", "999999999999999999"),
    staff("!block 999999999999999998", "999999999999999998"),
    staff("!block abc", "abc"),
    staff("!block <@&{staff_role}>", "user"),
    staff("!block @everyone", "everyone"),
    staff("!block", "USER_ID"),
    staff("!new_thread <@999999999999999999>", "999999999999999999"),
    staff("!new_thread abc", "abc"),
    staff("!new_thread 0", "0"),
    staff("!new_thread", "USER_ID"),
    staff("!add_staff <@999999999999999999>", "999999999999999999"),
    staff("!add_staff notauser", "notauser"),
    staff("!remove_staff abc", "abc"),
    staff("!unblock abc", "abc"),
    staff("!unblock 18446744073709551616", "18446744073709551616"),
    staff("!logs abc", "USER_ID"),
    staff("!logs -1", "USER_ID"),
    // Categories.
    staff("!move_thread Nope", "Nope"),
    staff("!move_thread {long:200}", "xxxx"),
    staff("!move_thread \u{200b}", "category"),
    staff("!move_thread", "category"),
    staff("/move_thread category=Nope", "Nope"),
    admin("/category create discord_category={general}|name=Sales", "categor"),
    admin("/category create discord_category={inbox}|name={long:51}", "50"),
    admin("/category create discord_category={inbox}|name=", "Name"),
    admin("/category create discord_category={inbox}|name=\u{200b}", "Name"),
    admin("/category delete name=Nope", "Nope"),
    admin("/category rename name=Nope|new_name=Other", "Nope"),
    admin("/category rename name=Billing|new_name={long:51}", "50"),
    admin("/category enable name=Nope", "Nope"),
    admin("/category disable name=Nope", "Nope"),
    admin("/category timeout seconds=5", "10"),
    admin("/category timeout seconds=-1", "10"),
    admin("/category timeout seconds=999999", "86400"),
    admin("!category timeout abc", "`abc`"),
    admin("!category create 0 Sales", "channel"),
    admin("!category create abc Sales", "channel"),
    admin("!category rename Billing", "rename"),
    // Snippets.
    staff("!snippet add", "NAME"),
    staff("!snippet add only_a_name", "Content"),
    staff("!snippet add {long:51} text", "50"),
    staff("!snippet add greet other text", "greet"),
    staff("/snippet add name=two words|content=x", "Name"),
    staff("/snippet add name=x|content={long:4001}", "2000"),
    staff("!s nope", "nope"),
    staff("!as nope", "nope"),
    staff("!s", "NAME"),
    staff("!snippet show nope", "nope"),
    staff("!snippet remove nope", "nope"),
    staff("!snippet edit nope text", "nope"),
    staff("/reply snippet=nope", "nope"),
    staff("/reply content=x|snippet=greet", "snippet"),
    // Oversize and empty text.
    staff("!note add {long:1001}", "1000"),
    staff("!note add", "Content"),
    staff("/note add content=", "Content"),
    staff("!rename {long:61}", "60"),
    staff("/rename label={long:61}", "60"),
    staff("!reply", "reply"),
    staff("!reply    ", "reply"),
    staff("/reply", "reply"),
    staff("/reply content=", "reply"),
    staff("!anonreply", "reply"),
    staff("/edit message_id=1|new_content=", "needs some text"),
    staff("/edit message_id=1|new_content=   ", "needs some text"),
];
