//! Applications to higher levels (争取上级资金和政策): upserting them from an import by their
//! stable key, recording every change of state or amount as an event (who, when, old → new,
//! the file), and reading them back for listings, one application's history and the
//! bulletin's sums.

use std::collections::HashMap;

use chrono::NaiveDate;
use docket_domain::Amount;
use docket_domain::application::{ApplicationCategory, ApplicationState};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::StoreError;
use crate::entity::{application_events, applications, projects};
use crate::library::ImportMeta;

/// One validated row of an applications file.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationRecord {
    /// The stable key the upsert matches on: `ref:` and the 申报编号 when given, else
    /// `title:` with the title and the applying unit (trimmed, case-folded).
    pub key: String,
    /// The office's own number (申报编号), if the file has one.
    pub ref_no: Option<String>,
    /// What is applied for (申报事项).
    pub title: String,
    /// The project it is for, if any.
    pub project_id: Option<Uuid>,
    /// The funding category.
    pub category: ApplicationCategory,
    /// The applying unit (申报单位).
    pub unit: String,
    /// Amount applied for.
    pub applied: Option<Amount>,
    /// Amount approved.
    pub approved: Option<Amount>,
    /// Amount received.
    pub received: Option<Amount>,
    /// Where it stands.
    pub state: ApplicationState,
    /// The date of that state (日期).
    pub date: NaiveDate,
}

/// What an applications import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ApplicationSummary {
    /// Applications created.
    pub created: usize,
    /// Applications whose state, amounts or facts changed (one event each).
    pub updated: usize,
    /// Rows that changed nothing.
    pub unchanged: usize,
}

/// One field's change in an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FieldChange {
    /// The field (`state`, `applied_wan`, `approved_wan`, `received_wan`, `date`, `title`,
    /// `category`, `unit`, `project`).
    pub field: String,
    /// Before (null when it had no value or the application is new).
    pub old: Option<String>,
    /// After.
    pub new: Option<String>,
}

fn push(changes: &mut Vec<FieldChange>, field: &str, old: Option<String>, new: Option<String>) {
    if old != new {
        changes.push(FieldChange {
            field: field.into(),
            old,
            new,
        });
    }
}

fn wan(yuan: Option<i64>) -> Option<String> {
    yuan.map(|y| Amount::from_yuan(y).to_string())
}

/// The changes from `old` (none for a new application) to `r`.
fn changes_of(
    old: Option<&applications::Model>,
    r: &ApplicationRecord,
    codes: &HashMap<Uuid, String>,
) -> Vec<FieldChange> {
    let mut c = Vec::new();
    let project = |id: Option<Uuid>| id.and_then(|i| codes.get(&i).cloned());
    push(
        &mut c,
        "state",
        old.map(|o| o.state.clone()),
        Some(r.state.code().into()),
    );
    push(
        &mut c,
        "applied_wan",
        old.and_then(|o| wan(o.applied_yuan)),
        r.applied.map(|a| a.to_string()),
    );
    push(
        &mut c,
        "approved_wan",
        old.and_then(|o| wan(o.approved_yuan)),
        r.approved.map(|a| a.to_string()),
    );
    push(
        &mut c,
        "received_wan",
        old.and_then(|o| wan(o.received_yuan)),
        r.received.map(|a| a.to_string()),
    );
    push(
        &mut c,
        "date",
        old.map(|o| o.state_date.to_string()),
        Some(r.date.to_string()),
    );
    push(
        &mut c,
        "title",
        old.map(|o| o.title.clone()),
        Some(r.title.clone()),
    );
    push(
        &mut c,
        "category",
        old.map(|o| o.category.clone()),
        Some(r.category.code().into()),
    );
    push(
        &mut c,
        "unit",
        old.map(|o| o.unit.clone()),
        Some(r.unit.clone()),
    );
    push(
        &mut c,
        "project",
        old.and_then(|o| project(o.project_id)),
        project(r.project_id),
    );
    c
}

/// Upserts `records` by key. A new application records a `created` event, a changed one an
/// `updated` event listing every changed field (its state before and after); an unchanged
/// row writes nothing, so importing the same file twice is a no-op. Expects to run in the
/// caller's transaction.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn upsert_applications<C: ConnectionTrait>(
    conn: &C,
    records: &[ApplicationRecord],
    meta: &ImportMeta,
) -> Result<ApplicationSummary, StoreError> {
    let keys: Vec<String> = records.iter().map(|r| r.key.clone()).collect();
    let mut existing: HashMap<String, applications::Model> = HashMap::new();
    for chunk in keys.chunks(500) {
        for a in applications::Entity::find()
            .filter(applications::Column::AppKey.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            existing.insert(a.app_key.clone(), a);
        }
    }
    let codes: HashMap<Uuid, String> = projects::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.code))
        .collect();
    let mut next_number: i64 = applications::Entity::find()
        .select_only()
        .column(applications::Column::Number)
        .order_by_desc(applications::Column::Number)
        .limit(1)
        .into_tuple::<i64>()
        .one(conn)
        .await?
        .unwrap_or(0)
        + 1;
    let now = meta.now_ms;
    let mut summary = ApplicationSummary::default();
    for r in records {
        let old = existing.get(&r.key);
        let changes = changes_of(old, r, &codes);
        if old.is_some() && changes.is_empty() {
            summary.unchanged += 1;
            continue;
        }
        let id = old.map_or_else(Uuid::now_v7, |o| o.id);
        let model = applications::ActiveModel {
            id: Set(id),
            number: Set(old.map_or(next_number, |o| o.number)),
            app_key: Set(r.key.clone()),
            ref_no: Set(r.ref_no.clone()),
            title: Set(r.title.clone()),
            project_id: Set(r.project_id),
            category: Set(r.category.code().into()),
            unit: Set(r.unit.clone()),
            applied_yuan: Set(r.applied.map(Amount::yuan)),
            approved_yuan: Set(r.approved.map(Amount::yuan)),
            received_yuan: Set(r.received.map(Amount::yuan)),
            state: Set(r.state.code().into()),
            state_date: Set(r.date),
            created_at: Set(old.map_or(now, |o| o.created_at)),
            updated_at: Set(now),
        };
        match old {
            None => {
                next_number += 1;
                summary.created += 1;
                applications::Entity::insert(model).exec(conn).await?;
            }
            Some(_) => {
                summary.updated += 1;
                applications::Entity::update(model).exec(conn).await?;
            }
        }
        let seq = match old {
            None => 1,
            Some(_) => last_seq(conn, id).await? + 1,
        };
        application_events::Entity::insert(application_events::ActiveModel {
            id: Set(Uuid::now_v7()),
            application_id: Set(id),
            seq: Set(seq),
            action: Set(if old.is_none() { "created" } else { "updated" }.into()),
            actor: Set(meta.actor.clone()),
            from_state: Set(old.map(|o| o.state.clone())),
            to_state: Set(r.state.code().into()),
            changes: Set(serde_json::to_string(&changes).unwrap_or_else(|_| "[]".into())),
            source_file: Set(meta.source_file.clone()),
            at: Set(now),
        })
        .exec(conn)
        .await?;
    }
    crate::sql::insert_batched(
        conn,
        "imports",
        &["id", "kind", "source_file", "rows", "actor", "imported_at"],
        vec![vec![
            Expr::val(Uuid::now_v7()),
            Expr::val("applications"),
            Expr::val(meta.source_file.clone()),
            Expr::val(records.len() as i32),
            Expr::val(meta.actor.clone()),
            Expr::val(now),
        ]],
        None,
        |_| {},
    )
    .await?;
    Ok(summary)
}

async fn last_seq<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<i32, StoreError> {
    Ok(application_events::Entity::find()
        .select_only()
        .column(application_events::Column::Seq)
        .filter(application_events::Column::ApplicationId.eq(id))
        .order_by_desc(application_events::Column::Seq)
        .limit(1)
        .into_tuple::<i32>()
        .one(conn)
        .await?
        .unwrap_or(0))
}

/// An application as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationListing {
    /// Its short number, for people and `application show`.
    pub id: i64,
    /// The office's own number (申报编号), if any.
    pub ref_no: Option<String>,
    /// What is applied for.
    pub title: String,
    /// The project's code, if it is for one.
    pub project: Option<String>,
    /// Category code.
    pub category: String,
    /// The applying unit.
    pub unit: String,
    /// Applied for, 万元.
    pub applied_wan: Option<f64>,
    /// Approved, 万元.
    pub approved_wan: Option<f64>,
    /// Received, 万元.
    pub received_wan: Option<f64>,
    /// State code.
    pub state: String,
    /// The date of that state.
    pub date: NaiveDate,
    /// The exact amounts (applied, approved, received), for sums and text.
    #[serde(skip)]
    pub amounts: [Option<Amount>; 3],
}

/// Which applications to list.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    /// Only this state code.
    pub state: Option<String>,
    /// Only this category code.
    pub category: Option<String>,
    /// Only this applying unit.
    pub unit: Option<String>,
    /// Only those dated on or after.
    pub from: Option<NaiveDate>,
    /// Only those dated on or before.
    pub to: Option<NaiveDate>,
}

/// Applications matching `f`, by number.
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn list_applications<C: ConnectionTrait>(
    conn: &C,
    f: &ApplicationFilter,
) -> Result<Vec<ApplicationListing>, StoreError> {
    let mut q = applications::Entity::find().order_by_asc(applications::Column::Number);
    if let Some(s) = &f.state {
        q = q.filter(applications::Column::State.eq(s.clone()));
    }
    if let Some(c) = &f.category {
        q = q.filter(applications::Column::Category.eq(c.clone()));
    }
    if let Some(u) = &f.unit {
        q = q.filter(applications::Column::Unit.eq(u.clone()));
    }
    if let Some(d) = f.from {
        q = q.filter(applications::Column::StateDate.gte(d));
    }
    if let Some(d) = f.to {
        q = q.filter(applications::Column::StateDate.lte(d));
    }
    let rows = q.all(conn).await?;
    let codes: HashMap<Uuid, String> = if rows.iter().any(|a| a.project_id.is_some()) {
        projects::Entity::find()
            .all(conn)
            .await?
            .into_iter()
            .map(|p| (p.id, p.code))
            .collect()
    } else {
        HashMap::new()
    };
    Ok(rows.into_iter().map(|a| listing(a, &codes)).collect())
}

fn listing(a: applications::Model, codes: &HashMap<Uuid, String>) -> ApplicationListing {
    let amt = |y: Option<i64>| y.map(Amount::from_yuan);
    ApplicationListing {
        id: a.number,
        ref_no: a.ref_no,
        title: a.title,
        project: a.project_id.and_then(|p| codes.get(&p).cloned()),
        category: a.category,
        unit: a.unit,
        applied_wan: amt(a.applied_yuan).map(Amount::wan_f64),
        approved_wan: amt(a.approved_yuan).map(Amount::wan_f64),
        received_wan: amt(a.received_yuan).map(Amount::wan_f64),
        state: a.state,
        date: a.state_date,
        amounts: [
            amt(a.applied_yuan),
            amt(a.approved_yuan),
            amt(a.received_yuan),
        ],
    }
}

/// One event of an application's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationEvent {
    /// 1, 2, … in order.
    pub seq: i32,
    /// `created` or `updated`.
    pub action: String,
    /// Who imported the change.
    pub actor: String,
    /// The state before (null when created).
    pub from_state: Option<String>,
    /// The state after.
    pub to_state: String,
    /// Every field that changed, old → new.
    pub changes: Vec<FieldChange>,
    /// The file it came from.
    pub file: String,
    /// When (UTC ms).
    pub at: i64,
}

/// One application with its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplicationDetail {
    /// The application.
    #[serde(flatten)]
    pub application: ApplicationListing,
    /// Its events, oldest first.
    pub history: Vec<ApplicationEvent>,
}

/// Application number `number` with its history, if it exists.
///
/// # Errors
/// [`StoreError::Db`] if a query fails.
pub async fn application_detail<C: ConnectionTrait>(
    conn: &C,
    number: i64,
) -> Result<Option<ApplicationDetail>, StoreError> {
    let Some(a) = applications::Entity::find()
        .filter(applications::Column::Number.eq(number))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let mut codes = HashMap::new();
    if let Some(pid) = a.project_id
        && let Some(p) = projects::Entity::find_by_id(pid).one(conn).await?
    {
        codes.insert(p.id, p.code);
    }
    let history = application_events::Entity::find()
        .filter(application_events::Column::ApplicationId.eq(a.id))
        .order_by_asc(application_events::Column::Seq)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| ApplicationEvent {
            seq: e.seq,
            action: e.action,
            actor: e.actor,
            from_state: e.from_state,
            to_state: e.to_state,
            changes: serde_json::from_str(&e.changes).unwrap_or_default(),
            file: e.source_file,
            at: e.at,
        })
        .collect();
    Ok(Some(ApplicationDetail {
        application: listing(a, &codes),
        history,
    }))
}
