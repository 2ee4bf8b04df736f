//! Routes: email and each configured channel are delivered side by side, each in its own
//! session with its own claim filter and circuit breaker, so a webhook that is down (or a
//! mail server that is) never holds up the others. A pass first expands new email rows into
//! their channel copies (`channels/fanout.rs`).

use std::sync::Arc;

use tokio::sync::watch;
use uuid::Uuid;

use crate::NotifyError;
use crate::channels::post::ChannelRoute;
use crate::dispatcher::{DeliveryReport, Dispatcher, Source};
use crate::session::{Mode, Stop, request_stop};

/// Where a claimed row goes.
#[derive(Debug, Clone)]
pub(crate) enum Route {
    /// Email: SMTP or `.eml` files.
    Email,
    /// A group robot or an SMS gateway.
    Channel(Arc<ChannelRoute>),
}

impl Route {
    /// The outbox `channel` this route claims.
    pub(crate) fn code(&self) -> &str {
        match self {
            Route::Email => docket_store::outbox::EMAIL,
            Route::Channel(r) => &r.channel.id,
        }
    }

    /// The name of its circuit breaker: `smtp`, or `channel:{id}`.
    pub(crate) fn breaker(&self) -> String {
        match self {
            Route::Email => crate::breaker::ROUTE.to_string(),
            Route::Channel(r) => r.channel.route(),
        }
    }
}

impl Dispatcher {
    /// One delivery pass over every route at once: expands new email rows into channel
    /// copies, then delivers `ids` (a flush) or every due row (the service), route by route
    /// concurrently. A stop requested on `stop` reaches every route; a route that finds its
    /// endpoint unreachable stops alone. The report adds the routes' counts up; its
    /// `delivery` is email's.
    pub(crate) async fn deliver_routes(
        &self,
        ids: Option<Vec<Uuid>>,
        mode: Mode,
        stop: Arc<watch::Sender<Stop>>,
    ) -> Result<DeliveryReport, NotifyError> {
        if mode == Mode::Service {
            self.fan_out().await?;
        }
        let routes: Vec<Route> = std::iter::once(Route::Email)
            .chain(
                self.inner
                    .channel_routes
                    .iter()
                    .cloned()
                    .map(Route::Channel),
            )
            .collect();
        let stops: Vec<Arc<watch::Sender<Stop>>> = routes
            .iter()
            .map(|_| Arc::new(watch::channel(*stop.borrow()).0))
            .collect();
        let sessions = routes.into_iter().zip(&stops).map(|(route, s)| {
            let source = match &ids {
                Some(ids) => Source::Ids(ids.iter().copied().collect()),
                None => Source::Due,
            };
            self.deliver(source, mode, s.clone(), route)
        });
        let all = futures::future::join_all(sessions);
        let forward = async {
            let mut rx = stop.subscribe();
            loop {
                let level = *rx.borrow_and_update();
                for s in &stops {
                    request_stop(s, level);
                }
                if rx.changed().await.is_err() {
                    break;
                }
            }
            // The caller holds `stop` for the whole pass: wait for the sessions.
            std::future::pending::<()>().await
        };
        let results = tokio::select! {
            r = all => r,
            () = forward => Vec::new(),
        };
        let mut total = DeliveryReport::default();
        let mut first_err = None;
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Ok(r) => merge(&mut total, r, i == 0),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(total),
        }
    }
}

/// Adds `r` into `total`; the email route's (`primary`) breaker state is the report's.
fn merge(total: &mut DeliveryReport, r: DeliveryReport, primary: bool) {
    total.attempted += r.attempted;
    total.sent += r.sent;
    total.retried += r.retried;
    total.deferred += r.deferred;
    total.dead += r.dead;
    total.untried += r.untried;
    total.cancelled += r.cancelled;
    total.failures.extend(r.failures);
    if primary {
        total.delivery = r.delivery;
    }
}
