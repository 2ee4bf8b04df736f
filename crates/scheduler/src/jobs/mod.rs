//! The weekly-dispatch jobs the engine fires: [`open`] a cycle, [`remind`] the projects
//! that have not reported, [`close`] the cycle and send its sheet, and the missing-calendar
//! [`alarm`]. Each job owns ONE recipients function, used both by the job when it queues its
//! emails and by `docket schedule preview`, so the preview names exactly who is emailed.
//!
//! Every email is queued as an outbox row carrying its template `kind` and a JSON context;
//! the notifier renders it at send time from `config/templates/{zh,en}/KIND.{txt,html}`
//! (the context fields are listed in the notifier's crate docs).

pub mod alarm;
pub mod chase;
pub mod close;
pub mod open;
pub mod remind;

/// Someone a job emails.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recipient {
    /// Address.
    pub email: String,
    /// Display name: the official's name (e.g. 孙丽), the unit's, or the office's.
    pub name: String,
    /// The official's id, when the recipient is a configured official.
    pub official: Option<String>,
}

impl Recipient {
    /// A recipient.
    pub fn new(email: &str, name: &str, official: Option<&str>) -> Self {
        Recipient {
            email: email.to_string(),
            name: name.to_string(),
            official: official.map(str::to_string),
        }
    }
}

/// The office as a recipient.
pub(crate) fn office(core: &docket_domain::config::CoreConfig) -> Recipient {
    Recipient::new(&core.office.email, &core.office.name, None)
}
