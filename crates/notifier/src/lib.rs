//! docket-notifier: email delivery that loses nothing, and its copies on other channels.
//!
//! It owns the dispatcher that works the outbox (rows queued by other crates with
//! [`docket_store::outbox::enqueue`] in the transaction of the change that causes them),
//! the SMTP transport (`[smtp]`) and its `.eml` fallback, the minijinja templates under
//! `config/templates/`, and digests. It imports `docket-domain` and `docket-store` only,
//! never another feature crate: they meet in the outbox table.
//!
//! Delivery guarantees: a row is claimed with a lease by a conditional `UPDATE … RETURNING`,
//! sent outside any transaction, then marked sent, retried later with exponential backoff and
//! jitter (4xx replies such as 451), or dead-lettered (5xx replies, or `[mail] max_attempts`
//! of the service's own retries). An unreachable server (refused or broken connection, no
//! greeting, a stall, 421) never uses up attempts: the row waits, the session stops, and
//! after `[mail] breaker_failures` in a row the circuit breaker pauses delivery; an
//! operator's flush never uses up attempts on any transient failure. A row whose lease expired (its process died) is claimed again; the
//! Message-ID derives from the row id, so such a resend is recognisable.
//!
//! Channels besides email (`[[channels]]`: 企业微信 and 钉钉 group robots, an SMS gateway)
//! get copies of the emails made once per email row by the dispatcher and delivered through
//! the same ledger, route by route; see [`channels`].
//!
//! # Queuing email: kinds and their template context
//!
//! Queue a [`docket_store::outbox::NewMessage`] with `kind` one of [`templates::KINDS`] and
//! a JSON object `context`; leave `subject`/`text_body`/`html_body` `None` to have the
//! templates render it. One message per recipient (each addressed To them), with a dedupe
//! key unique per logical email, e.g. `assignment:{issue}:{official}`. Use
//! `Delivery::Immediate` for assignments, escalations, the dispatch sheet, the bulletin and
//! calendar alarms; `Delivery::Digestible` (with `official` set) for notices, reminders and
//! overdue notices, which a digest-mode official then receives in their digest.
//!
//! Every template also receives, unless the context sets them: `office` `{name, city,
//! email}`, `recipient` `{name, email, official, salutation}` (the greeting without its colon:
//! the official's configured or derived salutation, else the name), `lang` (`"zh"`/`"en"`). Fields that a
//! template marks optional may be absent or null. Dates are `"YYYY-MM-DD"` strings, amounts
//! are numbers in 万元, rates are already formatted strings such as `"83.2%"`.
//!
//! | kind | context fields |
//! |---|---|
//! | `assignment` | `issue` (below), `project` (below), `role`: `"lead"`/`"deputy"`/`"member"`/`"office"` (optional), `actor` (optional name) |
//! | `accepted`, `resolved`, `closed`, `sent_back`, `extension_requested` | `issue`, `project`, `actor` (who did it, name), `note` (resolution note or reason, optional) |
//! | `reminder` | `week` (`"2024-W37"`), `deadline` (text, e.g. `"2024-09-11 17:00"`), `rung` (1, 2, …), `projects`: `[{code, name, owner_unit}]` |
//! | `overdue` | `issue`, `project`, `days_overdue` (working days, int) |
//! | `escalation` | `issue`, `project`, `days_overdue`, `rung` (int), `level` (text, e.g. `"组长"`) |
//! | `dispatch_sheet` | `week`, `total` (active projects), `reported`, `missing`: `[{code, name, owner_unit}]`, `investment_week_wan` (number), `new_issues`, `resolved_issues`, `overdue_issues`: each `[{title, project, category_label, task_force, due}]`, `version` (1, then 2… for a corrected sheet), `corrections`: the week's 补报 `[{code, name, week}]` |
//! | `bulletin` | `month` (`"2024-09"`), `title`, `issue_number`, `cutoff`, `schedule_target` (text, e.g. `"75.0%"`), `total`: `{projects, annual_plan_wan, ytd_completed_wan, completion_rate, ahead_points}` (formatted texts or numbers), `highlights`: `[text]`, `lagging`: `[{code, name, owner_unit, responsible_official, completion_rate, light}]`; the XLSX goes in `attachments` |
//! | `digest` | built by the notifier: `official` `{id, name, title}`, `date`, `mode` (`daily`/`weekly`), `count`, `items`: `[{kind, subject, period, queued_at}]` |
//! | `calendar_alarm` | `year` (int), `message` (text) |
//!
//! `issue` = `{id, title, detail (optional), category, category_label, state, due (optional),
//! task_force (name, optional), task_force_id (optional: whose group robots post it)}`; `project` = `{code, name, owner_unit (optional)}`.

mod breaker;
pub mod channels;
pub mod config;
mod digest;
mod dispatcher;
mod error;
pub mod links;
pub mod message;
mod routes;
mod session;
pub mod templates;
mod transport;

pub use breaker::{DeliveryState, ROUTE, delivery_state, route_state};
pub use channels::{Channel, ChannelConfig, ChannelKind, channel_label, resolve_channels};
pub use config::{MailConfig, NotifierSettings, SmtpConfig, TransportSpec};
pub use dispatcher::{DeliveryReport, Dispatcher};
pub use error::NotifyError;
pub use links::LinkMaker;
pub use templates::{KINDS, Rendered, Templates};
pub use transport::SendFailure;
