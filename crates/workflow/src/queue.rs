//! Issue lists read from narrow rows: the columns a list shows, flags computed per line
//! (cheap: the calendar counts working days, it does not walk them), and a queue paged by
//! the database.

use chrono::{DateTime, Utc};
use docket_store::issue_lines::{self, IssueLine, LineQuery};
use sea_orm::ConnectionTrait;

use crate::error::WorkflowError;
use crate::limits::{self, Flag};
use crate::service::Workflow;
use crate::stored::{parse_category, parse_state};
use crate::views::IssueSummary;

/// One page of a queue.
#[derive(Debug, Clone, Default)]
pub struct QueuePage {
    /// The page's issues, overdue first, each with its project's name.
    pub items: Vec<(IssueSummary, String)>,
    /// Issues in the whole queue.
    pub total: u64,
    /// Of which overdue.
    pub overdue: u64,
}

impl Workflow {
    /// The summary of one line with its flag on `today`.
    fn summary(
        &self,
        line: IssueLine,
        today: chrono::NaiveDate,
    ) -> Result<(IssueSummary, String), WorkflowError> {
        let state = parse_state(&line.state)?;
        let category = parse_category(&line.category)?;
        let limit = limits::current_limit(state, line.accept_due, line.due);
        let flag = limits::flag(&self.settings, &self.calendar, limit, today);
        Ok((
            IssueSummary {
                id: line.id,
                number: line.number,
                project: line.project_code,
                category: category.code().to_string(),
                title: line.title,
                state: state.code().to_string(),
                task_force: line.task_force,
                due: line.due,
                limit,
                flag,
                escalation_rung: line.escalation_rung,
            },
            line.project_name,
        ))
    }

    /// Every issue of `q` with its flag and project name on `now`'s business date;
    /// `overdue_only` keeps the yellow and red ones.
    ///
    /// # Errors
    /// [`WorkflowError::Corrupt`] if a stored state or category does not read back;
    /// [`WorkflowError::Store`].
    pub async fn lines<C: ConnectionTrait>(
        &self,
        db: &C,
        q: &LineQuery,
        overdue_only: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<(IssueSummary, String)>, WorkflowError> {
        let today = limits::business_date(&self.settings, now);
        let mut q = q.clone();
        if overdue_only {
            // Yellow and red: a limit before today.
            q.limit_between = Some((None, today.pred_opt()));
        }
        let rows = issue_lines::issue_lines(db, &q).await?;
        let mut out = Vec::with_capacity(rows.len());
        for line in rows {
            let item = self.summary(line, today)?;
            if overdue_only && item.0.flag < Flag::Yellow {
                continue;
            }
            out.push(item);
        }
        Ok(out)
    }

    /// Issues `offset..offset + limit` of `q`, overdue first, only those flagged `flag` when
    /// given, with the counts over the whole queue.
    ///
    /// # Errors
    /// As [`Workflow::lines`].
    pub async fn queue_page<C: ConnectionTrait>(
        &self,
        db: &C,
        q: &LineQuery,
        flag: Option<Flag>,
        now: DateTime<Utc>,
        offset: u64,
        limit: u64,
    ) -> Result<QueuePage, WorkflowError> {
        let today = limits::business_date(&self.settings, now);
        let mut q = q.clone();
        q.overdue_first = true;
        if let Some(flag) = flag {
            match limits::flag_range(&self.settings, &self.calendar, flag, today) {
                Some(range) => q.limit_between = Some(range),
                None => return Ok(QueuePage::default()),
            }
        }
        let page = issue_lines::issue_page(db, &q, today, offset, limit).await?;
        let items = page
            .lines
            .into_iter()
            .map(|l| self.summary(l, today))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(QueuePage {
            items,
            total: page.total,
            overdue: page.overdue,
        })
    }
}
