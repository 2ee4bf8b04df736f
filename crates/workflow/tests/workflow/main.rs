//! The workflow on both backends: routing and assignment emails, the lifecycle (with a
//! property test over random actions and actors), permissions, time limits over the
//! working-day calendar and the escalation ladder, and refusal of bad input.

mod common;
mod input;
mod lifecycle;
mod limits;
mod permissions;
mod routing;
