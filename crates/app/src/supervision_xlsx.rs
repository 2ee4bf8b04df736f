//! The 督办/考核 record as an XLSX workbook for 考核: one sheet per measure (reports, issue
//! handling, escalations by rung, flags, working days) and a sheet of the raw events;
//! Chinese sheet names and headers, units and task forces by name; A4 landscape, one page
//! wide, the header rows repeated and frozen (as the dispatch sheet prints).

use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::error::{AppError, AppResult};
use crate::supervision::{IssueCounts, SupervisionRecord};

/// A4 in Excel's paper codes.
const A4: u8 = 9;

/// The sheet names, in order.
pub const SHEETS: [&str; 6] = [
    "报送情况",
    "问题办理",
    "督办升级",
    "督办标识",
    "办理时长",
    "原始记录",
];

/// The record as an XLSX workbook; `rung_label` names a rung code in words.
///
/// # Errors
/// Unexpected if the workbook cannot be built.
pub fn render_xlsx(
    r: &SupervisionRecord,
    rung_label: &dyn Fn(&str) -> String,
) -> AppResult<Vec<u8>> {
    build(r, rung_label)
        .map_err(|e| AppError::unexpected("the supervision workbook failed", e.to_string()))
}

struct Sheet<'a> {
    ws: &'a mut Worksheet,
    head: &'a Format,
    row: u32,
}

impl Sheet<'_> {
    fn start(
        &mut self,
        title: &str,
        headers: &[String],
        title_f: &Format,
    ) -> Result<(), XlsxError> {
        self.ws.set_paper_size(A4);
        self.ws.set_landscape();
        self.ws.set_print_fit_to_pages(1, 0);
        self.ws.write_string_with_format(0, 0, title, title_f)?;
        for (c, h) in headers.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            self.ws.write_string_with_format(1, c, h, self.head)?;
            self.ws.set_column_width(c, if c < 2 { 26 } else { 14 })?;
        }
        self.ws.set_freeze_panes(2, 0)?;
        self.ws.set_repeat_rows(1, 1)?;
        self.row = 2;
        Ok(())
    }

    fn line(&mut self, text: &[&str], numbers: &[Option<f64>]) -> Result<(), XlsxError> {
        let mut c: u16 = 0;
        for t in text {
            self.ws.write_string(self.row, c, *t)?;
            c += 1;
        }
        for n in numbers {
            match n {
                Some(v) => self.ws.write_number(self.row, c, *v)?,
                None => self.ws.write_string(self.row, c, "—")?,
            };
            c += 1;
        }
        self.row += 1;
        Ok(())
    }
}

fn groups(r: &SupervisionRecord) -> Vec<(&'static str, &str, &IssueCounts)> {
    r.units
        .iter()
        .map(|u| ("责任单位", u.unit.as_str(), &u.issues))
        .chain(
            r.task_forces
                .iter()
                .map(|t| ("工作专班", t.name.as_str(), &t.issues)),
        )
        .collect()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn build(r: &SupervisionRecord, rung_label: &dyn Fn(&str) -> String) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xEEF1F5))
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let title_f = Format::new().set_bold().set_font_size(14);
    let period = format!(
        "{} 至 {}（截至 {}）",
        r.from,
        r.to,
        r.cutoff.format("%Y年%-m月%-d日")
    );
    let n = |v: u32| Some(f64::from(v));

    let ws = wb.add_worksheet().set_name(SHEETS[0])?;
    let mut s = Sheet {
        ws,
        head: &head,
        row: 0,
    };
    s.start(
        &format!("周报报送情况 {period}"),
        &strings(&[
            "责任单位",
            "应报",
            "按时报送",
            "迟报",
            "未报送",
            "待报送",
            "按时报送率",
        ]),
        &title_f,
    )?;
    for u in &r.units {
        let c = &u.reports;
        let rate = (c.due > 0).then(|| f64::from(c.on_time) / f64::from(c.due));
        s.line(
            &[u.unit.as_str()],
            &[
                n(c.due),
                n(c.on_time),
                n(c.late),
                n(c.missing),
                n(c.pending),
                rate,
            ],
        )?;
    }

    let ws = wb.add_worksheet().set_name(SHEETS[1])?;
    let mut s = Sheet {
        ws,
        head: &head,
        row: 0,
    };
    s.start(
        &format!("问题受理与办理 {period}"),
        &strings(&[
            "类型",
            "名称",
            "收到",
            "已签收",
            "按时签收",
            "已办结",
            "按时办结",
            "逾期",
        ]),
        &title_f,
    )?;
    for (kind, name, c) in groups(r) {
        s.line(
            &[kind, name],
            &[
                n(c.received),
                n(c.accepted),
                n(c.accepted_in_time),
                n(c.resolved),
                n(c.resolved_in_time),
                n(c.overdue),
            ],
        )?;
    }

    let ws = wb.add_worksheet().set_name(SHEETS[2])?;
    let mut s = Sheet {
        ws,
        head: &head,
        row: 0,
    };
    let mut headers = strings(&["类型", "名称"]);
    headers.extend(r.rungs.iter().map(|c| rung_label(c)));
    headers.push("合计".into());
    s.start(&format!("督办升级（按层级） {period}"), &headers, &title_f)?;
    for (kind, name, c) in groups(r) {
        let mut nums: Vec<Option<f64>> = r
            .rungs
            .iter()
            .map(|k| n(c.escalations.get(k).copied().unwrap_or(0)))
            .collect();
        nums.push(n(c.escalations.values().sum()));
        s.line(&[kind, name], &nums)?;
    }

    let ws = wb.add_worksheet().set_name(SHEETS[3])?;
    let mut s = Sheet {
        ws,
        head: &head,
        row: 0,
    };
    s.start(
        &format!("督办标识（截止日在办问题） {period}"),
        &strings(&["类型", "名称", "红色督办", "黄色督办"]),
        &title_f,
    )?;
    for (kind, name, c) in groups(r) {
        s.line(&[kind, name], &[n(c.red), n(c.yellow)])?;
    }

    let ws = wb.add_worksheet().set_name(SHEETS[4])?;
    let mut s = Sheet {
        ws,
        head: &head,
        row: 0,
    };
    s.start(
        &format!("办理时长（工作日中位数） {period}"),
        &strings(&["类型", "名称", "签收用时（工作日）", "办结用时（工作日）"]),
        &title_f,
    )?;
    for (kind, name, c) in groups(r) {
        s.line(
            &[kind, name],
            &[c.median_days_to_accept, c.median_days_to_resolve],
        )?;
    }

    let ws = wb.add_worksheet().set_name(SHEETS[5])?;
    let mut s = Sheet {
        ws,
        head: &head,
        row: 0,
    };
    s.start(
        &format!("原始记录 {period}"),
        &strings(&[
            "时间",
            "类别",
            "责任单位",
            "工作专班",
            "项目编号",
            "项目名称",
            "事项",
            "情况",
            "办理人",
            "说明",
        ]),
        &title_f,
    )?;
    for e in &r.events {
        let kind = if e.kind == "report" {
            "周报"
        } else {
            "问题"
        };
        s.line(
            &[
                e.at.as_str(),
                kind,
                e.unit.as_str(),
                e.task_force.as_deref().unwrap_or(""),
                e.project.as_str(),
                e.project_name.as_str(),
                e.subject.as_str(),
                e.what.as_str(),
                e.by.as_deref().unwrap_or(""),
                e.note.as_deref().unwrap_or(""),
            ],
            &[],
        )?;
    }
    wb.save_to_buffer()
}
