//! Helpers for set-based statements that work on both backends.

use sea_orm::sea_query::{
    InsertStatement, OnConflict, PostgresQueryBuilder, Query, SimpleExpr, Value,
};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

/// PostgreSQL accepts at most 65,535 bind parameters per statement; SQLite 32,766. Batches
/// stay under the smaller so one code path serves both.
pub const MAX_PARAMS: usize = 32_000;

/// Rows per multi-row statement for a table of `columns` columns.
pub fn batch_rows(columns: usize) -> usize {
    (MAX_PARAMS / columns.max(1)).max(1)
}

/// Inserts `rows` into `table` in as few multi-row statements as the parameter limit allows,
/// with an optional `ON CONFLICT` clause; calls `progress` with the rows sent so far and
/// returns the rows the database reports affected (with `DO NOTHING`, the rows inserted).
///
/// Few large statements rather than many small ones: each statement over loopback
/// PostgreSQL can stall ~40 ms on Nagle's algorithm (CRATES.md trap 5), once per statement.
///
/// # Errors
/// The first failing statement's error; the caller's transaction then rolls back.
pub async fn insert_batched<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<SimpleExpr>>,
    on_conflict: Option<OnConflict>,
    mut progress: impl FnMut(usize),
) -> Result<usize, DbErr> {
    if conn.get_database_backend() == DatabaseBackend::Postgres
        && let Some(types) = pg_types(&rows)
    {
        return insert_pg_json(conn, table, columns, &types, rows, on_conflict, progress).await;
    }
    let per = batch_rows(columns.len());
    let mut done = 0;
    let mut affected = 0;
    let mut it = rows.into_iter().peekable();
    while it.peek().is_some() {
        let mut stmt: InsertStatement = Query::insert()
            .into_table(table.to_string())
            .columns(columns.iter().map(|c| c.to_string()))
            .to_owned();
        let mut n = 0;
        for row in it.by_ref().take(per) {
            stmt.values(row).map_err(|e| DbErr::Custom(e.to_string()))?;
            n += 1;
        }
        if let Some(oc) = &on_conflict {
            stmt.on_conflict(oc.clone());
        }
        affected += conn.execute(&stmt).await?.rows_affected() as usize;
        done += n;
        progress(done);
    }
    Ok(affected)
}

/// Rows per statement on the PostgreSQL path.
const PG_JSON_ROWS: usize = 50_000;

/// The PostgreSQL type of each column, from the first row's values; `None` if a value is
/// not a plain literal of a type this path knows (then the multi-row VALUES path is used).
fn pg_types(rows: &[Vec<SimpleExpr>]) -> Option<Vec<&'static str>> {
    let first = rows.first()?;
    first
        .iter()
        .map(|e| match e {
            SimpleExpr::Value(v) => match v {
                Value::Bool(_) => Some("boolean"),
                Value::Int(_) => Some("integer"),
                Value::BigInt(_) => Some("bigint"),
                Value::String(_) => Some("text"),
                Value::Uuid(_) => Some("uuid"),
                Value::ChronoDate(_) => Some("date"),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Appends `e` to a JSON array being written (a literal of the types [`pg_types`] accepts).
fn push_json(out: &mut Vec<u8>, e: &SimpleExpr) {
    use std::io::Write;
    let quoted = |out: &mut Vec<u8>, s: &str| {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    };
    match e {
        SimpleExpr::Value(Value::Bool(Some(b))) => {
            out.extend_from_slice(if *b { b"true" } else { b"false" })
        }
        SimpleExpr::Value(Value::Int(Some(i))) => {
            let _ = write!(out, "{i}");
        }
        SimpleExpr::Value(Value::BigInt(Some(i))) => {
            let _ = write!(out, "{i}");
        }
        SimpleExpr::Value(Value::String(Some(s))) => quoted(out, s),
        SimpleExpr::Value(Value::Uuid(Some(u))) => {
            let _ = write!(out, "\"{u}\"");
        }
        SimpleExpr::Value(Value::ChronoDate(Some(d))) => {
            let _ = write!(out, "\"{d}\"");
        }
        _ => out.extend_from_slice(b"null"),
    }
}

/// PostgreSQL: one JSON array parameter per column, zipped back into rows server-side:
/// `INSERT … SELECT c0::type, … FROM ROWS FROM (json_array_elements_text($1::json), …)`.
/// Few statements means few Nagle stalls (CRATES.md trap 5); columnar JSON carries NULLs,
/// repeats no keys and parses about three times faster than `jsonb_to_recordset`.
async fn insert_pg_json<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    columns: &[&str],
    types: &[&str],
    rows: Vec<Vec<SimpleExpr>>,
    on_conflict: Option<OnConflict>,
    mut progress: impl FnMut(usize),
) -> Result<usize, DbErr> {
    let quoted: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let conflict = match &on_conflict {
        None => String::new(),
        Some(oc) => {
            // Render the ON CONFLICT clause with sea-query, from a one-row statement.
            let mut probe = Query::insert()
                .into_table(table.to_string())
                .columns(columns.iter().map(|c| c.to_string()))
                .to_owned();
            if let Some(first) = rows.first() {
                probe
                    .values(first.clone())
                    .map_err(|e| DbErr::Custom(e.to_string()))?;
            }
            probe.on_conflict(oc.clone());
            let sql = probe.to_string(PostgresQueryBuilder);
            sql.find(" ON CONFLICT")
                .map(|i| sql[i..].to_string())
                .unwrap_or_default()
        }
    };
    let selects: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| format!("c{i}::{t}"))
        .collect();
    let sources: Vec<String> = (1..=columns.len())
        .map(|i| format!("json_array_elements_text(${i}::json)"))
        .collect();
    let aliases: Vec<String> = (0..columns.len()).map(|i| format!("c{i}")).collect();
    let sql = format!(
        "INSERT INTO \"{table}\" ({cols}) SELECT {selects} FROM ROWS FROM ({sources}) AS x({aliases}){conflict}",
        cols = quoted.join(", "),
        selects = selects.join(", "),
        sources = sources.join(", "),
        aliases = aliases.join(", "),
    );
    let mut done = 0;
    let mut affected = 0;
    for chunk in rows.chunks(PG_JSON_ROWS) {
        let params: Vec<Value> = (0..columns.len())
            .map(|c| {
                let mut json = Vec::with_capacity(chunk.len() * 16);
                json.push(b'[');
                for (i, row) in chunk.iter().enumerate() {
                    if i > 0 {
                        json.push(b',');
                    }
                    push_json(&mut json, &row[c]);
                }
                json.push(b']');
                // Only valid UTF-8 was written: JSON punctuation and escaped strings.
                String::from_utf8(json).unwrap_or_default().into()
            })
            .collect();
        affected += conn
            .execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                &sql,
                params,
            ))
            .await?
            .rows_affected() as usize;
        done += chunk.len();
        progress(done);
    }
    Ok(affected)
}

/// A raw statement written with PostgreSQL's `$N` placeholders, as each backend wants it:
/// unchanged on PostgreSQL, `?N` on SQLite (only a `$` followed by a digit is a placeholder,
/// so `$` inside literals is left alone). The one placeholder helper of the store.
pub fn stmt(backend: DatabaseBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DatabaseBackend::Postgres {
        sql.to_string()
    } else {
        let mut out = String::with_capacity(sql.len());
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                out.push('?');
            } else {
                out.push(c);
            }
        }
        out
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// `n` placeholders numbered from `first`, comma-separated: `placeholders(3, 2)` is
/// `$3,$4` (for an `IN (…)` list; pass the statement through [`stmt`]).
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod placeholder_tests {
    use super::*;

    #[test]
    fn placeholders_and_sqlite_rewrite() {
        assert_eq!(placeholders(3, 2), "$3,$4");
        assert_eq!(placeholders(1, 0), "");
        let s = stmt(
            DatabaseBackend::Sqlite,
            "SELECT '$x' WHERE a IN ($1,$2)",
            vec![],
        );
        assert_eq!(s.sql, "SELECT '$x' WHERE a IN (?1,?2)");
        let p = stmt(DatabaseBackend::Postgres, "SELECT $1::json", vec![]);
        assert_eq!(p.sql, "SELECT $1::json");
    }
}
