//! Diesel table definitions shared by both backends.
//!
//! Written by hand to match `migrations/{sqlite,postgres}` (types are chosen so that one
//! definition maps onto both: BIGINT snowflakes, TEXT enums, UTC TIMESTAMP). The schema test in
//! `tests/story.rs` runs every table through real queries on both backends, so a drift shows up.

diesel::table! {
    ticket_categories (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        description -> Text,
        emoji -> Nullable<Text>,
        discord_category_id -> BigInt,
        position -> Integer,
        enabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    category_prompt (id) {
        id -> Integer,
        enabled -> Bool,
        timeout_seconds -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tickets (id) {
        id -> BigInt,
        user_id -> BigInt,
        user_name -> Text,
        guild_id -> BigInt,
        channel_id -> Nullable<BigInt>,
        category_id -> Nullable<BigInt>,
        status -> Text,
        opened_at -> Timestamp,
        opened_via -> Text,
        opened_by -> BigInt,
        closed_at -> Nullable<Timestamp>,
        closed_by -> Nullable<BigInt>,
        close_kind -> Nullable<Text>,
        close_reason -> Nullable<Text>,
        assigned_to -> Nullable<BigInt>,
        label -> Nullable<Text>,
        next_message_number -> Integer,
        last_activity_at -> Timestamp,
        first_staff_reply_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        direction -> Text,
        author_id -> BigInt,
        author_name -> Text,
        author_role -> Nullable<Text>,
        anonymous -> Bool,
        content -> Text,
        number -> Nullable<Integer>,
        source_message_id -> Nullable<BigInt>,
        dm_message_id -> Nullable<BigInt>,
        inbox_message_id -> Nullable<BigInt>,
        relay_state -> Text,
        relay_attempts -> Integer,
        relay_error -> Nullable<Text>,
        next_attempt_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    message_parts (id) {
        id -> BigInt,
        message_id -> BigInt,
        side -> Text,
        part -> Integer,
        discord_message_id -> BigInt,
    }
}

diesel::table! {
    message_revisions (id) {
        id -> BigInt,
        message_id -> BigInt,
        previous_content -> Text,
        edited_by -> BigInt,
        edited_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        message_id -> BigInt,
        discord_attachment_id -> Nullable<BigInt>,
        filename -> Text,
        content_type -> Nullable<Text>,
        size_bytes -> BigInt,
        url -> Text,
        data -> Nullable<Binary>,
        sha256 -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_events (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        kind -> Text,
        actor_id -> Nullable<BigInt>,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_staff_access (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        staff_id -> BigInt,
        added_by -> BigInt,
        added_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
        removed_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    alerts (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        staff_id -> BigInt,
        created_at -> Timestamp,
        fired_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    scheduled_jobs (id) {
        id -> BigInt,
        kind -> Text,
        ticket_id -> Nullable<BigInt>,
        payload -> Text,
        due_at -> Timestamp,
        created_at -> Timestamp,
        created_by -> Nullable<BigInt>,
        cancelled_at -> Nullable<Timestamp>,
        cancelled_by -> Nullable<BigInt>,
        done_at -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        lease_expires_at -> Nullable<Timestamp>,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        idempotency_key -> Nullable<Text>,
    }
}

diesel::table! {
    reminders (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        staff_id -> BigInt,
        channel_id -> BigInt,
        content -> Text,
        due_at -> Timestamp,
        job_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        fired_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    category_selections (ticket_id) {
        ticket_id -> BigInt,
        prompt_message_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        chosen_category_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    operator_actions (id) {
        id -> BigInt,
        kind -> Text,
        ticket_id -> Nullable<BigInt>,
        payload -> Text,
        requested_at -> Timestamp,
        requested_by -> Text,
        claimed_by -> Nullable<Text>,
        claimed_at -> Nullable<Timestamp>,
        lease_expires_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
        result -> Nullable<Text>,
    }
}

diesel::table! {
    bot_instances (id) {
        id -> Text,
        hostname -> Text,
        pid -> Integer,
        version -> Text,
        started_at -> Timestamp,
        last_heartbeat_at -> Timestamp,
        stopped_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    event_claims (key) {
        key -> Text,
        claimed_by -> Text,
        claimed_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    dm_channels (user_id) {
        user_id -> BigInt,
        channel_id -> BigInt,
        last_seen_message_id -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    blocked_users (id) {
        id -> BigInt,
        user_id -> BigInt,
        reason -> Text,
        blocked_by -> BigInt,
        blocked_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        unblocked_at -> Nullable<Timestamp>,
        unblocked_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    snippets (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        content -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_notes (id) {
        id -> BigInt,
        user_id -> BigInt,
        content -> Text,
        author_id -> BigInt,
        author_name -> Text,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(tickets -> ticket_categories (category_id));
diesel::joinable!(messages -> tickets (ticket_id));
diesel::joinable!(message_parts -> messages (message_id));
diesel::joinable!(message_revisions -> messages (message_id));
diesel::joinable!(attachments -> messages (message_id));
diesel::joinable!(ticket_events -> tickets (ticket_id));
diesel::joinable!(ticket_staff_access -> tickets (ticket_id));
diesel::joinable!(alerts -> tickets (ticket_id));
diesel::joinable!(scheduled_jobs -> tickets (ticket_id));
diesel::joinable!(reminders -> tickets (ticket_id));
diesel::joinable!(category_selections -> tickets (ticket_id));
diesel::joinable!(operator_actions -> tickets (ticket_id));

diesel::allow_tables_to_appear_in_same_query!(
    ticket_categories,
    category_prompt,
    tickets,
    messages,
    message_parts,
    message_revisions,
    attachments,
    ticket_events,
    ticket_staff_access,
    alerts,
    scheduled_jobs,
    reminders,
    category_selections,
    operator_actions,
    bot_instances,
    event_claims,
    dm_channels,
    blocked_users,
    snippets,
    user_notes,
);
