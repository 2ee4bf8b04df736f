//! Weekly reports (周报/调度表): one by command line, a batch (read by
//! `docket_library::reports::read_batch`), or a quick "本期无变化" (no change).
//!
//! The problems text is recorded with the report; raising each problem as a blocking issue is
//! the workflow's part, which the binary calls with the returned report ids.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use docket_store::cycles::{self, Cycle, NewReport, Submitted};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};
use uuid::Uuid;

use crate::error::SchedulerError;

pub use docket_domain::cycle::ReportInput;

/// Records reports in one transaction; every unknown project code is reported (bad input,
/// nothing written).
///
/// # Errors
/// [`SchedulerError::BadRows`] listing every unknown code; [`SchedulerError::Store`].
pub async fn submit<C: ConnectionTrait + TransactionTrait>(
    conn: &C,
    inputs: &[ReportInput],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Submitted>, SchedulerError> {
    // Only the projects named: one report must not read the whole library.
    let mut codes: Vec<String> = inputs.iter().map(|r| r.code.trim().to_string()).collect();
    codes.sort_unstable();
    codes.dedup();
    let projects = docket_store::issues::projects_by_code(conn, &codes).await?;
    let ids = projects.into_iter().map(|(c, p)| (c, p.id)).collect();
    // A savepoint when the caller already holds a transaction (report + its issues).
    let txn = conn.begin_with_options(docket_store::db::WRITE).await?;
    let out = record(&txn, inputs, &ids, None, actor, now).await?;
    txn.commit().await?;
    Ok(out)
}

/// As [`submit`] with the projects already looked up (`ids`: code → id), in the caller's
/// transaction: no lookup and no savepoint of its own, so a request that checked the
/// projects itself pays for neither twice. `cycles` (week → cycle, read in this transaction
/// by [`cycles::cycles_of_weeks`]) spares reading the weeks' cycles again; `None` reads them.
///
/// # Errors
/// [`SchedulerError::BadRows`] listing every code missing from `ids`;
/// [`SchedulerError::Store`].
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    inputs: &[ReportInput],
    ids: &HashMap<String, Uuid>,
    cycles: Option<&HashMap<String, Cycle>>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Submitted>, SchedulerError> {
    let mut bad = Vec::new();
    let mut rows = Vec::with_capacity(inputs.len());
    for (i, r) in inputs.iter().enumerate() {
        let Some(id) = ids.get(r.code.trim()) else {
            bad.push(format!(
                "report {}: code: {}: no project with this code",
                i + 1,
                r.code
            ));
            continue;
        };
        rows.push(NewReport {
            project_id: *id,
            input: r.clone(),
            submitted_by: actor.to_string(),
        });
    }
    if !bad.is_empty() {
        return Err(SchedulerError::BadRows(bad));
    }
    let now_ms = now.timestamp_millis();
    Ok(match cycles {
        Some(read) => cycles::submit_reports_in(conn, &rows, read, now_ms).await?,
        None => cycles::submit_reports(conn, &rows, now_ms).await?,
    })
}
