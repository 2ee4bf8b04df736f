//! Prometheus metrics: request durations (a histogram per method, route and status class)
//! measured by [`track`], and at each scrape the service's state read from the database —
//! outbox by state, issues by state and flag, cycles, the scheduler's lease holder, and
//! whether mail delivery is paused.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::state::HttpState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelStateLabel {
    channel: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FlagLabel {
    flag: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HolderLabel {
    holder: String,
}

type Durations = Family<RequestLabels, Histogram, fn() -> Histogram>;

fn new_histogram() -> Histogram {
    // 1 ms … ~4 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 13))
}

/// The metrics kept between scrapes.
pub(crate) struct Metrics {
    durations: Durations,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        Metrics {
            durations: Family::new_with_constructor(new_histogram),
        }
    }
}

/// Times a request into the histogram of its route (the route's pattern, never the raw
/// path, so ids do not multiply the series).
pub(crate) async fn track(State(state): State<HttpState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    let labels = RequestLabels {
        method,
        route,
        status: res.status().as_u16().to_string(),
    };
    state
        .metrics
        .durations
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    res
}

fn gauge_family<
    L: Clone + std::hash::Hash + Eq + EncodeLabelSet + std::fmt::Debug + Send + Sync + 'static,
>(
    registry: &mut Registry,
    name: &str,
    help: &str,
    values: impl IntoIterator<Item = (L, i64)>,
) {
    let family = Family::<L, Gauge>::default();
    for (labels, v) in values {
        family.get_or_create(&labels).set(v);
    }
    registry.register(name, help, family);
}

/// `GET /metrics`: Prometheus text.
pub(crate) async fn scrape(State(state): State<HttpState>) -> Response {
    let status = match docket_app::status::service_status(&state.app).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the database does not answer");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response();
        }
    };
    let mut registry = Registry::with_prefix("docket");
    registry.register(
        "http_request_duration_seconds",
        "HTTP request durations by method, route and status",
        state.metrics.durations.clone(),
    );
    let by_state = |rows: Vec<(String, i64)>| {
        rows.into_iter()
            .map(|(state, n)| (StateLabel { state }, n))
            .collect::<Vec<_>>()
    };
    gauge_family(
        &mut registry,
        "outbox_messages",
        "Emails in the outbox by state (pending, sending, sent, dead)",
        by_state(status.outbox),
    );
    gauge_family(
        &mut registry,
        "outbox_messages_by_channel",
        "Outbox rows by channel (email, or a [[channels]] id) and state",
        status
            .outbox_by_channel
            .into_iter()
            .map(|(channel, state, n)| (ChannelStateLabel { channel, state }, n)),
    );
    gauge_family(
        &mut registry,
        "issues",
        "Issues by state",
        by_state(status.issues_by_state),
    );
    gauge_family(
        &mut registry,
        "open_issues_flagged",
        "Open issues by supervision flag (none, blue, yellow, red)",
        status.issues_by_flag.into_iter().map(|(flag, n)| {
            let flag = if flag.is_empty() {
                "none".to_string()
            } else {
                flag
            };
            (FlagLabel { flag }, n)
        }),
    );
    gauge_family(
        &mut registry,
        "dispatch_cycles",
        "Weekly dispatch cycles opened, by state",
        by_state(status.cycles),
    );
    gauge_family(
        &mut registry,
        "scheduler_leader",
        "1 for the process holding the scheduler's lease",
        status
            .scheduler_leader
            .map(|holder| (HolderLabel { holder }, 1)),
    );
    let paused = Gauge::<i64>::default();
    paused.set(i64::from(status.delivery.is_paused()));
    registry.register(
        "mail_delivery_paused",
        "1 while the circuit breaker pauses mail delivery",
        paused,
    );
    let failures = Gauge::<i64>::default();
    failures.set(i64::from(status.delivery.failures));
    registry.register(
        "mail_connection_failures",
        "Consecutive connection failures or timeouts of the mail server",
        failures,
    );
    let mut text = String::new();
    if let Err(e) = encode(&mut text, &registry) {
        tracing::error!(error = %e, "metrics: encoding failed");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
