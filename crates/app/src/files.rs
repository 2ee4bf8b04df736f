//! Attachments (附件): site photos with weekly reports and documents with issues. JPEG, PNG
//! or PDF, recognised by their content (never by the name), up to `[http] max_file_mb`. The
//! bytes are kept outside the database, content-addressed (`ab/abcdef…` by SHA-256), in the
//! folder `[http] files_dir` or the S3-compatible bucket `[http.files_s3]`
//! ([`crate::file_store`]: never half a file under a real key); the database lists each
//! upload with its object, uploader and time. Only people who may see the object may list
//! or fetch its files.

use chrono::{DateTime, Utc};
use docket_store::entity::attachments;
use docket_store::time::{from_ms, to_ms};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use uuid::Uuid;

use crate::actor::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};

/// What an attachment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A weekly report (形象进度照片).
    Report(Uuid),
    /// An issue (e.g. 批文).
    Issue(Uuid),
}

impl Owner {
    /// The stored kind of a weekly report's attachments.
    const REPORT: &'static str = "report";
    /// The stored kind of an issue's attachments.
    const ISSUE: &'static str = "issue";

    fn kind(self) -> &'static str {
        match self {
            Owner::Report(_) => Self::REPORT,
            Owner::Issue(_) => Self::ISSUE,
        }
    }

    fn id(self) -> Uuid {
        match self {
            Owner::Report(id) | Owner::Issue(id) => id,
        }
    }

    fn parse(kind: &str, id: Uuid) -> Option<Owner> {
        match kind {
            Self::REPORT => Some(Owner::Report(id)),
            Self::ISSUE => Some(Owner::Issue(id)),
            _ => None,
        }
    }
}

/// A file uploaded, checked and ready to be stored.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name it had on the uploader's device (shown, never used as a path).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// An attachment as listed.
#[derive(Debug, Clone, Serialize)]
pub struct StoredFile {
    /// Id (in the download link).
    pub id: Uuid,
    /// Name as uploaded.
    pub name: String,
    /// `image/jpeg`, `image/png` or `application/pdf`.
    pub mime: String,
    /// Bytes.
    pub size: i64,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: DateTime<Utc>,
    sha256: String,
}

impl StoredFile {
    /// 照片 or PDF文件.
    pub fn kind_label(&self) -> &'static str {
        if self.mime.starts_with("image/") {
            "照片"
        } else {
            "PDF文件"
        }
    }

    /// `1.2 MB`, `35 KB`.
    pub fn size_label(&self) -> String {
        let kb = self.size as f64 / 1024.0;
        if kb >= 1024.0 {
            format!("{:.1} MB", kb / 1024.0)
        } else {
            format!("{} KB", kb.ceil() as i64)
        }
    }

    /// Whether a browser may show it inline (images and PDFs).
    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }
}

impl From<attachments::Model> for StoredFile {
    fn from(m: attachments::Model) -> Self {
        StoredFile {
            id: m.id,
            name: m.name,
            mime: m.mime,
            size: m.size,
            uploaded_by: m.uploaded_by,
            uploaded_at: from_ms(m.uploaded_at),
            sha256: m.sha256,
        }
    }
}

/// The type of `bytes` by their first bytes: JPEG, PNG or PDF; anything else is `None`.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// Checks uploads before anything is written: type by content, size, name length.
///
/// # Errors
/// Bad input naming the file and what is wrong (in Chinese: people see it next to the field).
pub fn check_uploads(app: &App, files: &[Upload]) -> AppResult {
    let max = u64::from(app.config.http.max_file_mb) * 1024 * 1024;
    let mut bad = Vec::new();
    for f in files {
        let name = display_name(&f.name);
        if sniff(&f.bytes).is_none() {
            bad.push(format!("{name}：只接受 JPEG、PNG 照片或 PDF 文件"));
        } else if f.bytes.len() as u64 > max {
            bad.push(format!(
                "{name}：文件超过 {} MB 的上限",
                app.config.http.max_file_mb
            ));
        }
    }
    match bad.len() {
        0 => Ok(()),
        1 => Err(AppError::bad_input(bad.remove(0))),
        _ => Err(AppError::bad_rows("附件不符合要求".to_string(), bad)),
    }
}

/// The name shown for an upload: its last path part, without control characters, at most
/// 120 characters; `附件` when nothing is left.
fn display_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if clean.trim().is_empty() {
        "附件".into()
    } else {
        clean.trim().to_string()
    }
}

/// Stores checked uploads for `owner` on `conn` (the caller's transaction, so the listing
/// commits with the report or action it belongs to). The bytes are written first: a
/// rollback leaves only an unlisted file, never a listed file without bytes.
///
/// # Errors
/// Bad input for a file [`check_uploads`] refuses; unexpected if the file store (folder or
/// bucket) or the database fails.
pub async fn store_uploads<C: ConnectionTrait>(
    app: &App,
    conn: &C,
    actor: &Actor,
    owner: Owner,
    files: &[Upload],
) -> AppResult<Vec<Uuid>> {
    check_uploads(app, files)?;
    let now = to_ms(app.now());
    let mut ids = Vec::with_capacity(files.len());
    for f in files {
        let sha =
            app.files.put(&f.bytes).await.map_err(|e| {
                AppError::unexpected(format!("storing {}", display_name(&f.name)), e)
            })?;
        let id = Uuid::now_v7();
        docket_store::attachments::insert(
            conn,
            attachments::Model {
                id,
                object_kind: owner.kind().into(),
                object_id: owner.id(),
                name: display_name(&f.name),
                mime: sniff(&f.bytes).unwrap_or("application/octet-stream").into(),
                size: f.bytes.len() as i64,
                sha256: sha,
                uploaded_by: actor.id.clone(),
                uploaded_at: now,
            },
        )
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Attaches files to issue `id` as `actor`: the office, the issue's task force, or its
/// project's owner unit.
///
/// # Errors
/// Not found (an issue the actor may not see), not permitted, bad input for the files.
pub async fn attach_to_issue(
    app: &App,
    actor: &Actor,
    id: Uuid,
    files: &[Upload],
) -> AppResult<Vec<Uuid>> {
    let d = crate::issues::show_issue(app, actor, id).await?;
    let member = d.task_force.as_deref().is_some_and(|tf| {
        docket_workflow::permission::in_task_force(&app.workflow.settings, tf, &actor.id)
    });
    if !(actor.office || member || actor.unit.is_some()) {
        return Err(AppError::not_permitted(format!(
            "{} may not attach files to issue {}: only the office, its task force and the owner unit may",
            actor.name,
            d.number.as_deref().unwrap_or("?")
        )));
    }
    use sea_orm::TransactionTrait;
    let txn = app
        .db
        .conn
        .begin_with_options(docket_store::db::WRITE)
        .await?;
    let ids = store_uploads(app, &txn, actor, Owner::Issue(id), files).await?;
    sea_orm::TransactionSession::commit(txn).await?;
    Ok(ids)
}

/// Whether `actor` may see `owner` (its issue or its report's project).
async fn may_see(app: &App, actor: &Actor, owner: Owner) -> AppResult<bool> {
    match owner {
        Owner::Issue(id) => match crate::issues::show_issue(app, actor, id).await {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == crate::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        },
        Owner::Report(id) => {
            if actor.office || actor.unit.is_none() {
                return Ok(true);
            }
            let unit = docket_store::weekly_reports::report_owner_unit(&app.db.conn, id).await?;
            Ok(unit.is_some() && unit.as_deref() == actor.unit.as_deref())
        }
    }
}

/// The files of `owner` that `actor` may see (none when they may not see the object).
///
/// # Errors
/// Unexpected if the database fails.
pub async fn list_files(app: &App, actor: &Actor, owner: Owner) -> AppResult<Vec<StoredFile>> {
    if !may_see(app, actor, owner).await? {
        return Ok(Vec::new());
    }
    Ok(
        docket_store::attachments::of_object(&app.db.conn, owner.kind(), owner.id())
            .await?
            .into_iter()
            .map(StoredFile::from)
            .collect(),
    )
}

/// The files of the weekly reports `ids`, by report, oldest first; for a caller that has
/// checked the reader may see the reports' project.
///
/// # Errors
/// Unexpected if the database fails.
pub(crate) async fn of_reports(
    app: &App,
    ids: &[Uuid],
) -> AppResult<std::collections::BTreeMap<Uuid, Vec<StoredFile>>> {
    let mut by_report: std::collections::BTreeMap<Uuid, Vec<StoredFile>> = Default::default();
    for row in docket_store::attachments::of_objects(&app.db.conn, Owner::REPORT, ids).await? {
        by_report
            .entry(row.object_id)
            .or_default()
            .push(StoredFile::from(row));
    }
    Ok(by_report)
}

/// One file with its bytes, if `actor` may see what it belongs to.
///
/// # Errors
/// Not found (also for a file of an object the actor may not see); unexpected if the bytes
/// are missing from the file store.
pub async fn open_file(app: &App, actor: &Actor, id: Uuid) -> AppResult<(StoredFile, Vec<u8>)> {
    let not_found = || AppError::NotFound(format!("file {id}: no such file"));
    let row = docket_store::attachments::get(&app.db.conn, id)
        .await?
        .ok_or_else(not_found)?;
    let owner = Owner::parse(&row.object_kind, row.object_id).ok_or_else(not_found)?;
    if !may_see(app, actor, owner).await? {
        return Err(not_found());
    }
    let file = StoredFile::from(row);
    let bytes = app
        .files
        .get(&file.sha256)
        .await
        .map_err(|e| AppError::unexpected(format!("attachment {id}"), e))?;
    Ok((file, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_known_by_content_not_name() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(b"MZ\x90\x00 an exe named photo.jpg"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(display_name("C:\\照片\\现场.jpg"), "现场.jpg");
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("a\r\nb.png"), "ab.png");
        assert_eq!(display_name(""), "附件");
    }
}
