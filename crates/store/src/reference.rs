//! Mirrors the configured officials and task forces into their tables so that queries can
//! join them. The configuration stays the source of truth: rows no longer configured are
//! marked inactive, never deleted (history refers to them).

use std::collections::HashMap;

use docket_domain::config::CoreConfig;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::StoreError;
use crate::entity::{officials, task_forces};
use crate::sql::insert_batched;

/// Writes the configured officials and task forces (with their members) into the database.
/// Expects to run in a transaction.
///
/// # Errors
/// [`StoreError::Db`] if a statement fails.
pub async fn sync_reference<C: ConnectionTrait>(
    conn: &C,
    config: &CoreConfig,
    now_ms: i64,
) -> Result<(), StoreError> {
    let existing: HashMap<String, uuid::Uuid> = officials::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.code, o.id))
        .collect();
    conn.execute(
        &Query::update()
            .table("officials")
            .value("active", false)
            .to_owned(),
    )
    .await?;
    let mut ids = HashMap::new();
    let rows = config
        .officials
        .iter()
        .map(|o| {
            let id = existing
                .get(&o.id)
                .copied()
                .unwrap_or_else(uuid::Uuid::now_v7);
            ids.insert(o.id.clone(), id);
            vec![
                Expr::val(id),
                Expr::val(o.id.clone()),
                Expr::val(o.name.clone()),
                Expr::val(o.title.clone()),
                Expr::val(o.email.clone()),
                Expr::val(o.unit.clone()),
                Expr::val(format!("{:?}", o.digest).to_lowercase()),
                Expr::val(true),
                Expr::val(now_ms),
            ]
        })
        .collect();
    let cols = [
        "id",
        "code",
        "name",
        "title",
        "email",
        "unit",
        "digest",
        "active",
        "updated_at",
    ];
    let upd = OnConflict::column("code")
        .update_columns(cols[2..].iter().copied())
        .to_owned();
    insert_batched(conn, "officials", &cols, rows, Some(upd), |_| {}).await?;

    let existing_tf: HashMap<String, uuid::Uuid> = task_forces::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.code, t.id))
        .collect();
    conn.execute(
        &Query::update()
            .table("task_forces")
            .value("active", false)
            .to_owned(),
    )
    .await?;
    conn.execute(&Query::delete().from_table("task_force_members").to_owned())
        .await?;
    let mut tf_rows = Vec::new();
    let mut member_rows = Vec::new();
    for tf in &config.task_forces {
        let id = existing_tf
            .get(&tf.id)
            .copied()
            .unwrap_or_else(uuid::Uuid::now_v7);
        tf_rows.push(vec![
            Expr::val(id),
            Expr::val(tf.id.clone()),
            Expr::val(tf.name.clone()),
            Expr::val(tf.categories.join(",")),
            Expr::val(true),
            Expr::val(now_ms),
        ]);
        let roles = std::iter::once(("lead", &tf.lead))
            .chain(tf.deputies.iter().map(|d| ("deputy", d)))
            .chain(tf.members.iter().map(|m| ("member", m)));
        for (role, official) in roles {
            if let Some(oid) = ids.get(official) {
                member_rows.push(vec![
                    Expr::val(uuid::Uuid::now_v7()),
                    Expr::val(id),
                    Expr::val(*oid),
                    Expr::val(role),
                ]);
            }
        }
    }
    let cols = ["id", "code", "name", "categories", "active", "updated_at"];
    let upd = OnConflict::column("code")
        .update_columns(cols[2..].iter().copied())
        .to_owned();
    insert_batched(conn, "task_forces", &cols, tf_rows, Some(upd), |_| {}).await?;
    let upd = OnConflict::columns(["task_force_id", "official_id", "role"])
        .do_nothing()
        .to_owned();
    insert_batched(
        conn,
        "task_force_members",
        &["id", "task_force_id", "official_id", "role"],
        member_rows,
        Some(upd),
        |_| {},
    )
    .await?;
    Ok(())
}
