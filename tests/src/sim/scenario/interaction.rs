//! Handles on interactions triggered by simulated humans: read responses, follow-ups, modals.

use std::sync::Arc;
use std::time::Duration;

use crate::sim::core::Sim;
use crate::sim::model::{InteractionResponse, Message};
use crate::sim::Timeout;

/// An interaction a simulated human triggered; read what the bot answered.
#[derive(Clone, Debug)]
pub struct InteractionHandle {
    sim: Arc<Sim>,
    id: u64,
}

impl InteractionHandle {
    pub(crate) fn new(sim: Arc<Sim>, id: u64) -> Self {
        Self { sim, id }
    }

    /// The interaction id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The interaction token.
    pub fn token(&self) -> String {
        self.sim
            .world()
            .interaction(self.id)
            .map(|i| i.token.clone())
            .unwrap_or_default()
    }

    /// The initial callback, if the bot answered.
    pub fn response(&self) -> Option<InteractionResponse> {
        self.sim
            .world()
            .interaction(self.id)
            .and_then(|i| i.response.clone())
    }

    /// Waits for the initial callback.
    pub async fn wait_response(&self, timeout: Duration) -> Result<InteractionResponse, Timeout> {
        self.wait(timeout, InteractionHandle::response).await
    }

    /// Whether the response (or deferred response) is ephemeral.
    pub fn is_ephemeral(&self) -> bool {
        self.original().is_some_and(|m| m.flags & 64 != 0)
            || self.response().is_some_and(|r| {
                r.data
                    .get("flags")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0)
                    & 64
                    != 0
            })
    }

    /// The original response message (after edits).
    pub fn original(&self) -> Option<Message> {
        let w = self.sim.world();
        let i = w.interaction(self.id)?;
        w.message(i.original_message?).cloned()
    }

    /// The original response's content once it is no longer "thinking".
    pub fn content(&self) -> Option<String> {
        self.original()
            .filter(|m| m.flags & 128 == 0)
            .map(|m| m.content)
    }

    /// Waits until the original response has content (deferred responses: until edited).
    pub async fn wait_content(&self, timeout: Duration) -> Result<String, Timeout> {
        self.wait(timeout, InteractionHandle::content).await
    }

    /// Follow-up messages, in order.
    pub fn followups(&self) -> Vec<Message> {
        let w = self.sim.world();
        w.interaction(self.id)
            .map(|i| {
                i.followups
                    .iter()
                    .filter_map(|m| w.message(*m).cloned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The modal the bot opened (callback type 9), as sent.
    pub fn modal(&self) -> Option<serde_json::Value> {
        self.response().filter(|r| r.kind == 9).map(|r| r.data)
    }

    /// Submits the modal the bot opened with `(text input custom_id, value)` pairs.
    ///
    /// # Panics
    /// If the bot did not answer with a modal.
    pub async fn submit_modal(&self, values: &[(&str, &str)]) -> InteractionHandle {
        let id = self
            .sim
            .mutate(|w| w.create_modal_submit(self.id, values))
            .expect("submit modal");
        tokio::task::yield_now().await;
        InteractionHandle::new(Arc::clone(&self.sim), id)
    }

    async fn wait<T>(
        &self,
        timeout: Duration,
        f: impl Fn(&Self) -> Option<T>,
    ) -> Result<T, Timeout> {
        let mut rx = self.sim.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if let Some(v) = f(self) {
                return Ok(v);
            }
            if !matches!(
                tokio::time::timeout_at(deadline, rx.changed()).await,
                Ok(Ok(()))
            ) {
                return f(self).ok_or(Timeout);
            }
        }
    }
}
