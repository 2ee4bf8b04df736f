//! The workflow on both backends: routing and assignment emails, the lifecycle (with a
//! property test over random actions and actors), permissions, time limits over the
//! working-day calendar and the escalation ladder, refusal of bad input, and stored values
//! (corrupt codes, unique-index races).

mod common;
mod input;
mod lifecycle;
mod limits;
mod permissions;
mod queue;
mod routing;
mod stored;
