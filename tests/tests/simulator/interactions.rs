//! Interaction flows as Discord runs them: deferrals, follow-ups, `@original`, ephemeral
//! messages, single acknowledgement, the 3 s deadline, components and modals.

use std::time::Duration;

use rustmail_tests::sim::{self, InteractionHandle, SimConfig, SimHandle};
use serenity::all::{
    ButtonStyle, CommandInteraction, CommandOptionType, ComponentInteraction, CreateActionRow,
    CreateButton, CreateCommand, CreateCommandOption, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    EditInteractionResponse, ResolvedValue,
};

use super::support::{discord_error, http};

fn payload<T: serde::de::DeserializeOwned>(sim: &SimHandle, i: &InteractionHandle) -> T {
    let v = sim
        .world(|w| w.interaction(i.id()).map(|x| x.payload.clone()))
        .expect("interaction");
    serde_json::from_value(v).expect("interaction payload")
}

async fn setup(config: SimConfig) -> (SimHandle, serenity::http::Http) {
    let sim = sim::start(config).await;
    let http = http(&sim);
    let close = CreateCommand::new("close")
        .description("Close")
        .add_option(CreateCommandOption::new(
            CommandOptionType::String,
            "time",
            "When",
        ))
        .add_option(CreateCommandOption::new(
            CommandOptionType::Boolean,
            "silent",
            "Quietly",
        ));
    let snippet = CreateCommand::new("snippet")
        .description("Snippets")
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "add", "Add one")
                .add_sub_option(
                    CreateCommandOption::new(CommandOptionType::String, "name", "Name")
                        .required(true),
                )
                .add_sub_option(CreateCommandOption::new(
                    CommandOptionType::Integer,
                    "uses",
                    "Uses",
                )),
        );
    serenity::all::Command::set_global_commands(&http, vec![close, snippet])
        .await
        .expect("register");
    (sim, http)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_options_are_typed_and_resolved() {
    let (sim, _http) = setup(SimConfig::default()).await;
    let bob = sim.staff("bob");
    let i = bob
        .slash(
            sim.ids().staff_channel_id,
            "close",
            &[("time", "2h"), ("silent", "true")],
        )
        .await;
    let cmd: CommandInteraction = payload(&sim, &i);
    let opts = cmd.data.options();
    assert!(matches!(opts[0].value, ResolvedValue::String("2h")));
    assert!(matches!(opts[1].value, ResolvedValue::Boolean(true)));
    let member = cmd
        .member
        .as_ref()
        .expect("guild interactions carry the member");
    assert!(member
        .roles
        .iter()
        .any(|r| r.get() == sim.ids().staff_role_id));
    assert!(member.permissions.is_some());
    assert!(cmd.app_permissions.is_some());
    let i = bob
        .slash(
            sim.ids().staff_channel_id,
            "snippet add",
            &[("name", "hi"), ("uses", "3")],
        )
        .await;
    let cmd: CommandInteraction = payload(&sim, &i);
    match &cmd.data.options()[0].value {
        ResolvedValue::SubCommand(sub) => {
            assert!(matches!(sub[0].value, ResolvedValue::String("hi")));
            assert!(matches!(sub[1].value, ResolvedValue::Integer(3)));
        }
        other => panic!("expected a subcommand, got {other:?}"),
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deferred_response_edit_followups_and_single_ack() {
    let (sim, http) = setup(SimConfig::default()).await;
    let bob = sim.staff("bob");
    let channel = sim.ids().staff_channel_id;
    let i = bob.slash(channel, "close", &[]).await;
    let cmd: CommandInteraction = payload(&sim, &i);
    cmd.defer_ephemeral(&http).await.expect("defer");
    assert!(i.content().is_none(), "still thinking");
    assert!(i.is_ephemeral());
    let err = cmd.defer(&http).await.expect_err("second ack");
    assert_eq!(discord_error(&err), (400, 40060));
    cmd.edit_response(
        &http,
        EditInteractionResponse::new().content("closing in 2h"),
    )
    .await
    .expect("edit @original");
    assert_eq!(i.content().as_deref(), Some("closing in 2h"));
    assert_eq!(
        cmd.get_response(&http)
            .await
            .expect("get @original")
            .content,
        "closing in 2h"
    );
    let f = cmd
        .create_followup(
            &http,
            CreateInteractionResponseFollowup::new()
                .content("done")
                .ephemeral(true),
        )
        .await
        .expect("followup");
    assert_eq!(i.followups().len(), 1);
    assert_eq!(i.followups()[0].id, f.id.get());
    cmd.delete_response(&http).await.expect("delete @original");
    assert!(
        sim.channel_messages(channel).is_empty(),
        "ephemeral messages never reach the channel"
    );

    // A follow-up while the deferred response is still thinking replaces the placeholder.
    let i = bob.slash(channel, "close", &[]).await;
    let cmd: CommandInteraction = payload(&sim, &i);
    cmd.defer(&http).await.expect("defer");
    cmd.create_followup(
        &http,
        CreateInteractionResponseFollowup::new().content("first"),
    )
    .await
    .expect("followup");
    assert_eq!(i.content().as_deref(), Some("first"));
    assert!(i.followups().is_empty());
    assert_eq!(
        sim.channel_messages(channel).len(),
        1,
        "public deferred response is a channel message"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_callback_is_unknown_interaction() {
    let config = SimConfig {
        interaction_deadline: Duration::from_millis(50),
        ..SimConfig::default()
    };
    let (sim, http) = setup(config).await;
    let i = sim
        .staff("bob")
        .slash(sim.ids().staff_channel_id, "close", &[])
        .await;
    let cmd: CommandInteraction = payload(&sim, &i);
    tokio::time::sleep(Duration::from_millis(120)).await;
    let msg = CreateInteractionResponseMessage::new().content("too late");
    let err = cmd
        .create_response(&http, CreateInteractionResponse::Message(msg))
        .await
        .expect_err("late");
    assert_eq!(discord_error(&err), (404, 10062));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn button_click_update_message_and_modal() {
    let (sim, http) = setup(SimConfig::default()).await;
    let alice = sim.user("alice");
    let dm = serenity::all::UserId::new(alice.id())
        .create_dm_channel(&http)
        .await
        .expect("DM");
    let row = CreateActionRow::Buttons(vec![CreateButton::new("confirm")
        .label("Confirm")
        .style(ButtonStyle::Success)]);
    let prompt = dm
        .id
        .send_message(
            &http,
            CreateMessage::new()
                .content("Open a ticket?")
                .components(vec![row]),
        )
        .await
        .expect("prompt");
    let click = alice.click(prompt.id.get(), "confirm").await;
    let comp: ComponentInteraction = payload(&sim, &click);
    assert_eq!(comp.data.custom_id, "confirm");
    assert_eq!(comp.message.id, prompt.id);
    assert!(
        comp.user.id.get() == alice.id() && comp.member.is_none(),
        "DM interactions carry `user`"
    );
    let update = CreateInteractionResponseMessage::new()
        .content("Ticket opened")
        .components(vec![]);
    comp.create_response(&http, CreateInteractionResponse::UpdateMessage(update))
        .await
        .expect("update");
    let updated = sim.message(prompt.id.get()).expect("prompt");
    assert_eq!(updated.content, "Ticket opened");
    assert!(updated.components.is_empty());

    let bob = sim.staff("bob");
    let i = bob.slash(sim.ids().staff_channel_id, "close", &[]).await;
    let cmd: CommandInteraction = payload(&sim, &i);
    let modal = serenity::all::CreateModal::new("close-reason", "Close ticket").components(vec![
        CreateActionRow::InputText(serenity::all::CreateInputText::new(
            serenity::all::InputTextStyle::Paragraph,
            "Reason",
            "reason",
        )),
    ]);
    cmd.create_response(&http, CreateInteractionResponse::Modal(modal))
        .await
        .expect("modal");
    assert_eq!(i.modal().expect("modal shown")["custom_id"], "close-reason");
    let submit = i.submit_modal(&[("reason", "resolved")]).await;
    let m: serenity::all::ModalInteraction = payload(&sim, &submit);
    assert_eq!(m.data.custom_id, "close-reason");
    let serenity::all::ActionRowComponent::InputText(input) = &m.data.components[0].components[0]
    else {
        panic!("expected a text input")
    };
    assert_eq!(input.value.as_deref(), Some("resolved"));
    let ack = CreateInteractionResponseMessage::new().content("Closed");
    m.create_response(&http, CreateInteractionResponse::Message(ack))
        .await
        .expect("answer modal");
    assert_eq!(submit.content().as_deref(), Some("Closed"));
    sim.shutdown().await;
}
