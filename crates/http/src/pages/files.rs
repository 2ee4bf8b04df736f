//! Attachments on pages: `GET /files/{id}` serves a file to someone who may see what it
//! belongs to; `POST /issues/{key}/files` attaches one to an issue. Reading a multipart form
//! (CSRF token and files) is shared with the weekly report form.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_app::files::{self as uc, Upload};
use uuid::Uuid;

use super::issue::refused;
use super::person::Person;
use crate::state::HttpState;

/// A multipart form as text fields and files (files with an empty name are skipped: a file
/// input left empty still sends a part).
#[derive(Debug, Default)]
pub(crate) struct MultipartForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl MultipartForm {
    /// Reads a signed-in person's form and checks its CSRF token; the refusal page (titled
    /// `title`) otherwise.
    pub(crate) async fn read_checked(
        s: &HttpState,
        p: &Person,
        m: Multipart,
        title: &str,
    ) -> Result<MultipartForm, Response> {
        let form = MultipartForm::read(m)
            .await
            .map_err(|msg| s.pages.message(s, StatusCode::BAD_REQUEST, title, msg))?;
        if !p.csrf_ok(form.field("csrf")) {
            return Err(super::signin::csrf_refused(s));
        }
        Ok(form)
    }

    /// The first value of field `name`, or empty.
    pub(crate) fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Reads the whole form; a broken body is `Err` with a Chinese reason.
    pub(crate) async fn read(mut m: Multipart) -> Result<MultipartForm, &'static str> {
        let mut form = MultipartForm::default();
        while let Some(field) = m
            .next_field()
            .await
            .map_err(|_| "上传的内容不完整或过大。")?
        {
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|_| "上传的文件不完整或过大。")?;
                    if !file_name.is_empty() || !bytes.is_empty() {
                        form.files.push(Upload {
                            name: file_name,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                None => {
                    let text = field.text().await.map_err(|_| "表单内容无法读取。")?;
                    form.fields.push((name, text));
                }
            }
        }
        Ok(form)
    }
}

/// A refusal with every detail line, for a page (the attachment checks word theirs in
/// Chinese).
pub(crate) fn refusal_text(e: &docket_app::AppError) -> String {
    std::iter::once(e.to_string())
        .chain(e.details().iter().cloned())
        .collect::<Vec<_>>()
        .join("；")
}

/// `GET /files/{id}`.
pub(crate) async fn download(
    State(s): State<HttpState>,
    p: Person,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return s
            .pages
            .message(&s, StatusCode::NOT_FOUND, "未找到", "没有找到该附件。");
    };
    match uc::open_file(&s.app, &p.actor, id).await {
        Ok((file, bytes)) => {
            let disposition = format!("inline; filename*=UTF-8''{}", percent_encode(&file.name));
            let mut res = (StatusCode::OK, bytes).into_response();
            let h = res.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&file.mime) {
                h.insert(header::CONTENT_TYPE, v);
            }
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            res
        }
        Err(e) if e.kind() == docket_app::ErrorKind::NotFound => s.pages.message(
            &s,
            StatusCode::NOT_FOUND,
            "未找到",
            "没有找到该附件，或您无权查看。",
        ),
        Err(e) => refused(&s, &e),
    }
}

/// RFC 5987 encoding of a file name for `Content-Disposition`.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `POST /issues/{key}/files`.
pub(crate) async fn attach_to_issue(
    State(s): State<HttpState>,
    p: Person,
    Path(key): Path<String>,
    m: Multipart,
) -> Response {
    let form = match MultipartForm::read_checked(&s, &p, m, "上传失败").await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if form.files.is_empty() {
        return s.pages.message(
            &s,
            StatusCode::BAD_REQUEST,
            "上传失败",
            "请选择要上传的文件。",
        );
    }
    let id = match docket_app::issues::resolve_issue_id(&s.app, &key).await {
        Ok(id) => id,
        Err(e) => return refused(&s, &e),
    };
    match uc::attach_to_issue(&s.app, &p.actor, id, &form.files).await {
        Ok(_) => Redirect::to(&format!("/issues/{key}")).into_response(),
        Err(e) if e.kind() == docket_app::ErrorKind::BadInput => {
            let text = refusal_text(&e);
            s.pages
                .message(&s, StatusCode::BAD_REQUEST, "上传失败", &text)
        }
        Err(e) => refused(&s, &e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_percent_encoded() {
        assert_eq!(
            super::percent_encode("现场 1.jpg"),
            "%E7%8E%B0%E5%9C%BA%201.jpg"
        );
    }
}
