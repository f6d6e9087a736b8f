//! Every payload the simulator emits deserializes into serenity's concrete model types, and every
//! dispatch frame parses as a known `Event` (serenity silently turns a dispatch it fails to parse
//! into `Event::Unknown`, so that is checked explicitly).

use rustmail_tests::sim::{self, dispatch_frame, GwEvent, SimConfig, SimHandle};
use serde_json::Value;
use serenity::all::{
    ButtonStyle, ChannelId, ChannelType, Command, CommandInteraction, CommandOptionType,
    ComponentInteraction, CreateActionRow, CreateAttachment, CreateButton, CreateChannel,
    CreateCommand, CreateCommandOption, CreateEmbed, CreateInputText, CreateInteractionResponse,
    CreateMessage, CreateModal, CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
    GuildId, InputTextStyle, MessageId, ModalInteraction, UserId,
};
use serenity::model::event::{
    ChannelDeleteEvent, Event, GatewayEvent, GuildCreateEvent, GuildMemberAddEvent,
    GuildMemberRemoveEvent, GuildMemberUpdateEvent, MessageDeleteEvent, MessageUpdateEvent,
    TypingStartEvent,
};
use serenity::model::prelude::{GuildChannel, Member, Message, Ready};

use super::support::{assert_clean, http};

fn de<T: serde::de::DeserializeOwned>(what: &str, v: &Value) -> T {
    serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("{what} does not deserialize: {e}\n{v:#}"))
}

fn check_frame(e: &GwEvent, message_content: bool) {
    let frame = dispatch_frame(7, e, message_content);
    let parsed: GatewayEvent = de(&format!("{} frame", e.name), &frame);
    match parsed {
        GatewayEvent::Dispatch(7, Event::Unknown(u)) => {
            panic!("{} parsed as Event::Unknown: {u:?}", e.name)
        }
        GatewayEvent::Dispatch(7, _) => {}
        other => panic!("{} parsed as {other:?}", e.name),
    }
}

/// Deserializes one world event into its concrete serenity type(s).
fn check_event(e: &GwEvent) {
    let d = &e.data;
    match e.name {
        "MESSAGE_CREATE" => {
            let m: Message = de("MESSAGE_CREATE", d);
            if let Some(s) = &e.stripped {
                let stripped: Message = de("stripped MESSAGE_CREATE", s);
                assert!(stripped.content.is_empty());
                assert_eq!(m.id, stripped.id);
            }
        }
        "MESSAGE_UPDATE" => {
            let _: MessageUpdateEvent = de("MESSAGE_UPDATE", d);
        }
        "MESSAGE_DELETE" => {
            let _: MessageDeleteEvent = de("MESSAGE_DELETE", d);
        }
        "CHANNEL_CREATE" | "CHANNEL_UPDATE" => {
            let _: GuildChannel = de(e.name, d);
        }
        "CHANNEL_DELETE" => {
            let _: ChannelDeleteEvent = de("CHANNEL_DELETE", d);
        }
        "GUILD_MEMBER_ADD" => {
            let _: GuildMemberAddEvent = de("GUILD_MEMBER_ADD", d);
            let _: Member = de("GUILD_MEMBER_ADD member", d);
        }
        "GUILD_MEMBER_REMOVE" => {
            let _: GuildMemberRemoveEvent = de("GUILD_MEMBER_REMOVE", d);
        }
        "GUILD_MEMBER_UPDATE" => {
            let _: GuildMemberUpdateEvent = de("GUILD_MEMBER_UPDATE", d);
        }
        "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" => {
            let _: serenity::model::channel::Reaction = de(e.name, d);
        }
        "TYPING_START" => {
            let _: TypingStartEvent = de("TYPING_START", d);
        }
        "INTERACTION_CREATE" => match d["type"].as_u64() {
            Some(2) => {
                let _: CommandInteraction = de("command interaction", d);
            }
            Some(3) => {
                let _: ComponentInteraction = de("component interaction", d);
            }
            Some(5) => {
                let _: ModalInteraction = de("modal interaction", d);
            }
            other => panic!("unexpected interaction type {other:?}"),
        },
        other => panic!("no fidelity check for {other}"),
    }
    check_frame(e, true);
    check_frame(e, false);
}

async fn drive_everything(sim: &SimHandle) {
    let http = http(sim);
    let ids = sim.ids().clone();
    let cmds = vec![
        CreateCommand::new("close")
            .description("Close the ticket")
            .add_option(CreateCommandOption::new(
                CommandOptionType::String,
                "time",
                "When",
            )),
        CreateCommand::new("note")
            .description("Add a note")
            .add_option(
                CreateCommandOption::new(CommandOptionType::User, "user", "Who").required(true),
            )
            .add_option(CreateCommandOption::new(
                CommandOptionType::Integer,
                "count",
                "How many",
            ))
            .add_option(CreateCommandOption::new(
                CommandOptionType::Attachment,
                "file",
                "A file",
            )),
    ];
    let registered = Command::set_global_commands(&http, cmds)
        .await
        .expect("register commands");
    assert_eq!(registered.len(), 2);

    let alice = sim.user("alice");
    let bob = sim.staff("bob");
    let first = alice.dm("hello").await;
    alice
        .dm_with_attachment("a file", "log.txt", b"some log".to_vec())
        .await;
    alice.edit_dm(first, "hello again").await;
    let first_msg = ChannelId::new(alice.dm_channel())
        .message(&http, MessageId::new(first))
        .await
        .expect("get DM");
    first_msg.react(&http, '✅').await.expect("bot reacts");
    let reacted = ChannelId::new(alice.dm_channel())
        .message(&http, MessageId::new(first))
        .await
        .expect("get DM");
    assert!(
        reacted.reactions.iter().any(|r| r.me && r.count == 1),
        "{:?}",
        reacted.reactions
    );
    http.delete_reaction_me(first_msg.channel_id, first_msg.id, &'✅'.into())
        .await
        .expect("unreact");
    alice.typing().await;

    let ticket = GuildId::new(ids.staff_guild_id)
        .create_channel(
            &http,
            CreateChannel::new("alice-0001")
                .kind(ChannelType::Text)
                .category(ChannelId::new(ids.inbox_category_id))
                .topic("ticket"),
        )
        .await
        .expect("create channel");
    let overflow = GuildId::new(ids.staff_guild_id)
        .create_channel(
            &http,
            CreateChannel::new("Overflow").kind(ChannelType::Category),
        )
        .await
        .expect("create category");
    assert_eq!(overflow.kind, ChannelType::Category);
    let buttons = CreateActionRow::Buttons(vec![CreateButton::new("close")
        .label("Close")
        .style(ButtonStyle::Danger)]);
    let header = ticket
        .id
        .send_message(
            &http,
            CreateMessage::new()
                .content("New ticket")
                .embed(
                    CreateEmbed::new()
                        .title("alice")
                        .description("hello")
                        .field("Roles", "none", false),
                )
                .components(vec![buttons.clone()])
                .add_file(CreateAttachment::bytes(
                    b"transcript".to_vec(),
                    "transcript.txt",
                )),
        )
        .await
        .expect("send header");
    bob.say(ticket.id.get(), "!reply hi there").await;
    bob.reply(ticket.id.get(), header.id.get(), "mentioning <@42>")
        .await;
    ticket
        .id
        .send_message(
            &http,
            CreateMessage::new()
                .content("relayed")
                .reference_message((ticket.id, header.id)),
        )
        .await
        .expect("reply");
    ticket
        .id
        .edit_message(
            &http,
            header.id,
            serenity::all::EditMessage::new().content("Ticket (claimed)"),
        )
        .await
        .expect("edit");

    let dm = UserId::new(alice.id())
        .create_dm_channel(&http)
        .await
        .expect("open DM");
    let select = CreateActionRow::SelectMenu(CreateSelectMenu::new(
        "rating",
        CreateSelectMenuKind::String {
            options: vec![CreateSelectMenuOption::new("Good", "good")],
        },
    ));
    let prompt = dm
        .id
        .send_message(
            &http,
            CreateMessage::new()
                .content("Rate us")
                .components(vec![buttons, select]),
        )
        .await
        .expect("DM with components");
    alice.click(prompt.id.get(), "close").await;
    alice.react(dm.id.get(), prompt.id.get(), "👍").await;
    alice.select(prompt.id.get(), "rating", &["good"]).await;

    let slash = bob
        .slash_with_file(
            ticket.id.get(),
            "note",
            &[("user", "alice"), ("count", "3")],
            "file",
            "x.png",
            vec![1, 2, 3],
        )
        .await;
    let payload = sim
        .world(|w| w.interaction(slash.id()).map(|i| i.payload.clone()))
        .expect("payload");
    let cmd: CommandInteraction = de("slash", &payload);
    let modal = CreateModal::new("why", "Why?").components(vec![CreateActionRow::InputText(
        CreateInputText::new(InputTextStyle::Short, "Reason", "reason"),
    )]);
    cmd.create_response(&http, CreateInteractionResponse::Modal(modal))
        .await
        .expect("modal");
    slash.submit_modal(&[("reason", "because")]).await;

    alice.delete_dm(first).await;
    ticket
        .id
        .delete_message(&http, MessageId::new(header.id.get()))
        .await
        .expect("delete message");
    GuildId::new(ids.staff_guild_id)
        .member(&http, UserId::new(bob.id()))
        .await
        .expect("member")
        .add_role(&http, serenity::all::RoleId::new(ids.admin_role_id))
        .await
        .ok(); // hierarchy: the bot may not manage Admin, either way is fine here
    alice.leave_guild().await;
    alice.join_guild().await;
    ticket.id.delete(&http).await.expect("delete channel");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_gateway_event_deserializes_into_serenity_types() {
    let sim = sim::start(SimConfig::default()).await;
    drive_everything(&sim).await;
    let events = sim.events();
    let mut seen: Vec<&str> = events.iter().map(|e| e.name).collect();
    seen.sort_unstable();
    seen.dedup();
    for name in [
        "MESSAGE_CREATE",
        "MESSAGE_UPDATE",
        "MESSAGE_DELETE",
        "CHANNEL_CREATE",
        "CHANNEL_DELETE",
        "GUILD_MEMBER_ADD",
        "GUILD_MEMBER_REMOVE",
        "TYPING_START",
        "INTERACTION_CREATE",
    ] {
        assert!(
            seen.contains(&name),
            "{name} was never emitted (saw {seen:?})"
        );
    }
    for e in &events {
        check_event(e);
    }
    let kinds: Vec<u64> = events
        .iter()
        .filter(|e| e.name == "INTERACTION_CREATE")
        .filter_map(|e| e.data["type"].as_u64())
        .collect();
    for k in [2, 3, 5] {
        assert!(kinds.contains(&k), "no interaction of type {k}");
    }
    // Guild and DM messages, with attachments, embeds, components and a reference.
    let creates: Vec<Message> = events
        .iter()
        .filter(|e| e.name == "MESSAGE_CREATE")
        .map(|e| de("message", &e.data))
        .collect();
    assert!(creates
        .iter()
        .any(|m| m.guild_id.is_none() && !m.attachments.is_empty()));
    assert!(creates
        .iter()
        .any(|m| m.guild_id.is_some() && m.member.is_some()));
    assert!(creates
        .iter()
        .any(|m| !m.embeds.is_empty() && !m.components.is_empty() && !m.attachments.is_empty()));
    assert!(creates
        .iter()
        .any(|m| m.message_reference.is_some() && m.referenced_message.is_some()));

    // READY and GUILD_CREATE, as sent at Identify.
    let mut guild_ids = vec![sim.ids().community_guild_id, sim.ids().staff_guild_id];
    guild_ids.dedup();
    let (ready, guilds) = sim.world(|w| {
        let ready = w.ready_json("abc", "ws://x/gateway", None);
        let guilds: Vec<Value> = guild_ids
            .iter()
            .map(|g| w.guild_create_json(w.guild(*g).expect("seeded guild"), true))
            .collect();
        (ready, guilds)
    });
    let r: Ready = de("READY", &ready);
    assert_eq!(r.user.id.get(), sim.ids().bot_user_id);
    for g in &guilds {
        for c in g["channels"].as_array().expect("channels") {
            let _: GuildChannel = de("GUILD_CREATE channel", c);
        }
        let gc: GuildCreateEvent = de("GUILD_CREATE", g);
        assert!(gc
            .guild
            .channels
            .values()
            .any(|c| c.kind == ChannelType::Category));
        assert!(!gc.guild.channels.is_empty());
        assert!(!gc.guild.roles.is_empty());
        let frame = serde_json::json!({"op": 0, "s": 2, "t": "GUILD_CREATE", "d": g});
        assert!(matches!(
            de::<GatewayEvent>("frame", &frame),
            GatewayEvent::Dispatch(2, Event::GuildCreate(_))
        ));
    }
    let frame = serde_json::json!({"op": 0, "s": 1, "t": "READY", "d": ready});
    assert!(matches!(
        de::<GatewayEvent>("frame", &frame),
        GatewayEvent::Dispatch(1, Event::Ready(_))
    ));
    assert_clean(&sim);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_responses_deserialize_into_serenity_types() {
    let sim = sim::start(SimConfig::dual_server()).await;
    let http = http(&sim);
    let ids = sim.ids().clone();
    let staff = GuildId::new(ids.staff_guild_id);
    let me = http.get_current_user().await.expect("current user");
    assert_eq!(me.id.get(), ids.bot_user_id);
    let app = http
        .get_current_application_info()
        .await
        .expect("application");
    assert_eq!(app.id.get(), ids.application_id);
    assert!(http
        .get_gateway()
        .await
        .expect("gateway")
        .url
        .starts_with("ws://"));
    assert_eq!(http.get_bot_gateway().await.expect("bot gateway").shards, 1);
    let guild = http.get_guild(staff).await.expect("guild");
    assert_eq!(guild.roles.len(), 4);
    assert!(http.get_channels(staff).await.expect("channels").len() >= 4);
    assert!(http
        .get_guild_roles(staff)
        .await
        .expect("roles")
        .iter()
        .any(|r| r.id.get() == ids.staff_role_id));
    let bob = http
        .get_member(staff, UserId::new(ids.staff_user_id))
        .await
        .expect("member");
    assert!(bob.roles.iter().any(|r| r.get() == ids.staff_role_id));
    assert_eq!(
        http.get_guild_members(staff, Some(100), None)
            .await
            .expect("members")
            .len(),
        3
    );
    let carol = http
        .get_user(UserId::new(ids.admin_user_id))
        .await
        .expect("user");
    assert_eq!(carol.name, "carol");
    let dm = UserId::new(ids.admin_user_id)
        .create_dm_channel(&http)
        .await
        .expect("DM");
    let again = UserId::new(ids.admin_user_id)
        .create_dm_channel(&http)
        .await
        .expect("DM again");
    assert_eq!(dm.id, again.id, "same DM channel for the same recipient");
    let sent = dm.id.say(&http, "hi").await.expect("send");
    let fetched = dm.id.message(&http, sent.id).await.expect("get message");
    assert_eq!(fetched.content, "hi");
    let channel = http
        .get_channel(ChannelId::new(ids.log_channel_id))
        .await
        .expect("channel");
    assert!(channel.guild().is_some());
    let cmds =
        Command::set_global_commands(&http, vec![CreateCommand::new("ping").description("p")])
            .await
            .expect("commands");
    let listed = Command::get_global_commands(&http)
        .await
        .expect("list commands");
    assert_eq!(cmds[0].id, listed[0].id);
    let guild_cmds = staff
        .set_commands(&http, vec![CreateCommand::new("close").description("c")])
        .await
        .expect("guild commands");
    assert_eq!(guild_cmds[0].guild_id, Some(staff));
    assert_clean(&sim);
    sim.shutdown().await;
}
