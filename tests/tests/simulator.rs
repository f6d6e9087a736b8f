//! Tests of the Discord simulator itself: payload fidelity against serenity's models, OpenAPI
//! conformance, REST behaviour, and real serenity/poise clients running against it.

mod simulator {
    pub mod fidelity;
    pub mod gateway_behaviour;
    pub mod interactions;
    pub mod poise_smoke;
    pub mod rest_behaviour;
    pub mod serenity_smoke;
    pub mod spec_validation;
    pub mod support;
    pub mod throughput;
}
