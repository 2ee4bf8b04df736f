//! Weekly reports (周报/调度表): one by command line, a batch (read by
//! `docket_library::reports::read_batch`), or a quick "本期无变化" (no change).
//!
//! The problems text is recorded with the report; raising each problem as a blocking issue is
//! the workflow's part, which the binary calls with the returned report ids.

use chrono::{DateTime, Utc};
use docket_store::cycles::{self, NewReport, Submitted};
use sea_orm::{ConnectionTrait, TransactionSession, TransactionTrait};

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
    let ids = docket_store::library::project_ids(conn).await?;
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
    // A savepoint when the caller already holds a transaction (report + its issues).
    let txn = conn.begin_with_options(docket_store::db::WRITE).await?;
    let out = cycles::submit_reports(&txn, &rows, now.timestamp_millis()).await?;
    txn.commit().await?;
    Ok(out)
}
