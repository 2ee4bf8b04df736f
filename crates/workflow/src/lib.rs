//! docket-workflow: blocking issues. Will own raising, routing to task forces, the lifecycle
//! (交办 → 签收 → 办结 → 销号), time limits over the working-day calendar, escalation,
//! permissions and the immutable event history.
