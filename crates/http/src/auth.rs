//! Who calls: an API caller by its bearer token ([`ApiActor`]), a browser by its session
//! cookie ([`Visitor`]). Both resolve to the official's [`Actor`], whose permissions the use
//! cases check.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use docket_app::{Actor, signin};
use docket_auth::Session;
use docket_auth::session::SESSION_COOKIE;

use crate::error::ApiError;
use crate::state::HttpState;

/// The official behind the request's bearer token; rejects with 401 otherwise.
pub struct ApiActor(pub Actor);

impl FromRequestParts<HttpState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        match signin::bearer_actor(&state.app, token).await? {
            Some(actor) => Ok(ApiActor(actor)),
            None => Err(ApiError::unauthorized()),
        }
    }
}

/// A browser: its session and official when signed in.
pub struct Visitor(pub Option<(Session, Actor)>);

/// The value of cookie `name` in the request's headers, if any.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<HttpState> for Visitor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &HttpState) -> Result<Self, ApiError> {
        match cookie(&parts.headers, SESSION_COOKIE) {
            Some(id) => Ok(Visitor(signin::signed_in(&state.app, id).await?)),
            None => Ok(Visitor(None)),
        }
    }
}
