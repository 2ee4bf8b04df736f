//! The signed-in person of a page request ([`Person`]): pages for people need one and send
//! everyone else to the sign-in page.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use docket_app::Actor;
use docket_auth::Session;
use docket_auth::session::SESSION_COOKIE;
use serde::Serialize;

use crate::state::HttpState;

/// A signed-in official: the session (for its CSRF token) and who they are.
pub(crate) struct Person {
    pub session: Session,
    pub actor: Actor,
}

/// What the page layout shows about the person: name and which menus they have.
#[derive(Debug, Serialize)]
pub(crate) struct Me {
    name: String,
    title: String,
    office: bool,
    owner: bool,
    leader: bool,
    csrf: String,
}

impl Person {
    /// The layout's view of the person.
    pub(crate) fn me(&self, state: &HttpState) -> minijinja::Value {
        minijinja::Value::from(minijinja::value::Serde(self.me_of(state)))
    }

    fn me_of(&self, state: &HttpState) -> Me {
        let o = state.app.config.core.official(&self.actor.id);
        let in_task_force = state
            .app
            .config
            .core
            .task_forces
            .iter()
            .any(|t| t.everyone().contains(&self.actor.id.as_str()));
        Me {
            name: o.map(|o| o.name.clone()).unwrap_or_else(|| "协调办".into()),
            title: o.map(|o| o.title.clone()).unwrap_or_default(),
            office: self.actor.office,
            owner: self.actor.unit.is_some(),
            // Everyone configured who is neither an owner contact nor in a task force reads
            // the leaders' dashboard; the office too.
            leader: self.actor.office || (self.actor.unit.is_none() && !in_task_force),
            csrf: self.session.csrf_token.clone(),
        }
    }

    /// The session's CSRF token matches the form's.
    pub(crate) fn csrf_ok(&self, submitted: &str) -> bool {
        docket_auth::session::check_csrf(&self.session, submitted).is_ok()
    }
}

impl FromRequestParts<HttpState> for Person {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, Response> {
        let Some(id) = crate::auth::cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(Redirect::to("/login").into_response());
        };
        match docket_app::signin::signed_in(&state.app, id).await {
            Ok(Some((session, actor))) => Ok(Person { session, actor }),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(super::signin::failed(state, &e)),
        }
    }
}
