//! The XLSX workbook: one sheet per section of the HTML bulletin (summary, categories,
//! districts, lagging projects, projects that did not report, starts and milestones, issues,
//! city indicators, applications to higher levels) and the legend.
//!
//! Every sheet prints as an office expects: A4 landscape, one page wide, the header rows
//! frozen and repeated on each page, page numbers "— N —" in the footer, columns sized to
//! their content (CJK characters count double), the office's font (宋体 for Chinese).
//! Numbers stay numbers: rates as `0.0%`, growth signed (`+0.0%`), amounts `#,##0.00` 万元,
//! the cut-off a real date in a Chinese format (the quoted format of CRATES.md trap 9),
//! booleans as 是/否.

use chrono::Datelike;
use docket_domain::config::Language;
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::{Kind, fig_headers, issue_groups, issue_headers, label, project_headers};
use crate::model::{Bulletin, Fig};

/// A4 in Excel's paper codes.
const A4: u8 = 9;

struct Formats {
    head: Format,
    text: Format,
    int: Format,
    pct: Format,
    growth: Format,
    wan: Format,
    pts: Format,
    date: Format,
    title: Format,
    note: Format,
}

fn formats(lang: Language) -> Formats {
    let font = if lang == Language::Zh {
        "宋体"
    } else {
        "Arial"
    };
    let cell = || {
        Format::new()
            .set_font_name(font)
            .set_font_size(11)
            .set_border(FormatBorder::Thin)
    };
    Formats {
        head: cell()
            .set_bold()
            .set_background_color(Color::RGB(0xEEF1F5))
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap(),
        text: cell(),
        int: cell().set_num_format("#,##0"),
        pct: cell().set_num_format("0.0%"),
        growth: cell().set_num_format("+0.0%;-0.0%;0.0%"),
        wan: cell().set_num_format("#,##0.00"),
        pts: cell().set_num_format("+0.0;-0.0;0.0"),
        date: cell().set_num_format(if lang == Language::Zh {
            "yyyy\"年\"m\"月\"d\"日\""
        } else {
            "yyyy-mm-dd"
        }),
        title: Format::new()
            .set_font_name(font)
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center),
        note: Format::new()
            .set_font_name(font)
            .set_font_size(10)
            .set_text_wrap()
            .set_align(FormatAlign::Top),
    }
}

/// The width a text takes in Excel's character units: CJK and full-width characters count
/// two.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2.0 } else { 1.0 })
        .sum()
}

/// One sheet being written: remembers how wide each column's content is, and sets up the
/// page when finished.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    f: &'a Formats,
    widths: Vec<f64>,
    /// The header rows to freeze and repeat: (first, last).
    header: Option<(u32, u32)>,
    /// Sentences outside the tables, by row: written when the columns' widths are known.
    notes: Vec<(u32, String)>,
}

impl<'a> Sheet<'a> {
    fn new(wb: &'a mut Workbook, name: &str, f: &'a Formats) -> Result<Sheet<'a>, XlsxError> {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        Ok(Sheet {
            ws,
            f,
            widths: Vec::new(),
            header: None,
            notes: Vec::new(),
        })
    }

    fn fit(&mut self, col: u16, width: f64) {
        let c = usize::from(col);
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0.0);
        }
        self.widths[c] = self.widths[c].max(width);
    }

    /// A header row; the first one written is frozen and repeated on every printed page.
    fn headers(&mut self, row: u32, cells: &[&str]) -> Result<(), XlsxError> {
        for (c, h) in cells.iter().enumerate() {
            let c = c as u16;
            self.ws.write_string_with_format(row, c, *h, &self.f.head)?;
            // Long headers wrap; they need not set the column's width alone.
            self.fit(c, text_width(h).min(16.0));
        }
        if self.header.is_none() {
            self.header = Some((row, row));
        }
        Ok(())
    }

    fn text(&mut self, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
        self.ws
            .write_string_with_format(row, col, s, &self.f.text)?;
        self.fit(col, text_width(s));
        Ok(())
    }

    fn styled(&mut self, row: u32, col: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(row, col, s, f)?;
        self.fit(col, text_width(s));
        Ok(())
    }

    /// A number in `format`; the width assumes a formatted figure of that many digits.
    fn num(&mut self, row: u32, col: u16, x: f64, format: &Format) -> Result<(), XlsxError> {
        self.ws.write_number_with_format(row, col, x, format)?;
        let digits = format!("{:.2}", x.abs()).len() as f64;
        self.fit(col, digits + digits / 3.0 + 2.0);
        Ok(())
    }

    fn int(&mut self, row: u32, col: u16, x: i64) -> Result<(), XlsxError> {
        let f = self.f;
        self.num(row, col, x as f64, &f.int)
    }

    /// A number, or "—" when there is none.
    fn opt(&mut self, row: u32, col: u16, x: Option<f64>, f: &Format) -> Result<(), XlsxError> {
        match x {
            Some(x) => self.num(row, col, x, f),
            None => {
                let f = self.f;
                self.styled(row, col, "—", &f.text)
            }
        }
    }

    /// A boolean as 是/否 (Yes/No).
    fn yes_no(&mut self, row: u32, col: u16, v: bool, zh: bool) -> Result<(), XlsxError> {
        let s = match (v, zh) {
            (true, true) => "是",
            (false, true) => "否",
            (true, false) => "Yes",
            (false, false) => "No",
        };
        self.text(row, col, s)
    }

    /// A sentence outside the table, not counted in widths: in [`Sheet::finish`] it spans
    /// the table's columns and wraps, so that it neither widens the printed page nor runs
    /// off it.
    fn note(&mut self, row: u32, s: &str) -> Result<(), XlsxError> {
        self.notes.push((row, s.to_string()));
        Ok(())
    }

    /// Column widths, page set-up, frozen and repeated header rows, footer.
    fn finish(self) -> Result<(), XlsxError> {
        let widths: Vec<f64> = self
            .widths
            .iter()
            .map(|w| (w + 2.0).clamp(6.0, 60.0))
            .collect();
        for (c, w) in widths.iter().enumerate() {
            self.ws.set_column_width(c as u16, *w)?;
        }
        // Notes span the columns (at least 60 characters wide) and get one 14 pt line per
        // width of text.
        let last = widths.len().max(1) as u16 - 1;
        let span: f64 = widths.iter().sum::<f64>().max(60.0);
        for (row, text) in &self.notes {
            if last == 0 {
                self.ws.set_column_width(0, span)?;
                self.ws
                    .write_string_with_format(*row, 0, text, &self.f.note)?;
            } else {
                self.ws
                    .merge_range(*row, 0, *row, last, text, &self.f.note)?;
            }
            let lines = (text_width(text) / span).ceil().max(1.0);
            self.ws.set_row_height(*row, lines * 14.0)?;
        }
        self.ws.set_paper_size(A4);
        self.ws.set_landscape();
        self.ws.set_print_fit_to_pages(1, 0);
        self.ws.set_print_center_horizontally(true);
        self.ws.set_margins(0.6, 0.6, 0.8, 0.8, 0.3, 0.3);
        self.ws.set_footer("&C— &P —");
        if let Some((first, last)) = self.header {
            self.ws.set_freeze_panes(last + 1, 0)?;
            self.ws.set_repeat_rows(first, last)?;
        }
        Ok(())
    }
}

fn fig_rows(s: &mut Sheet, first_row: u32, rows: &[(String, &Fig)]) -> Result<(), XlsxError> {
    let f = s.f;
    for (i, (name, g)) in rows.iter().enumerate() {
        let r = first_row + i as u32;
        s.text(r, 0, name)?;
        s.int(r, 1, g.projects)?;
        s.num(r, 2, g.annual_plan_wan, &f.wan)?;
        s.num(r, 3, g.ytd_completed_wan, &f.wan)?;
        s.num(r, 4, g.completion_rate, &f.pct)?;
        s.num(r, 5, g.target, &f.pct)?;
        s.num(r, 6, g.ahead_points, &f.pts)?;
        s.num(r, 7, g.share, &f.pct)?;
        s.opt(r, 8, g.yoy_growth, &f.growth)?;
    }
    Ok(())
}

/// The sheet names, in order: summary, categories, districts, lagging projects, projects
/// that did not report, starts and milestones, issues, city indicators, applications to
/// higher levels, legend.
pub fn sheet_names(lang: Language) -> [&'static str; 10] {
    match lang {
        Language::Zh => [
            "汇总",
            "分类别",
            "分区县",
            "滞后项目",
            "未报项目",
            "开工和前期",
            "问题办理",
            "全市投资指标",
            "争取上级资金和政策",
            "图例说明",
        ],
        Language::En => [
            "Summary",
            "Categories",
            "Districts",
            "Lagging projects",
            "Not reported",
            "Starts",
            "Issues",
            "City indicators",
            "Higher-level funds",
            "Legend",
        ],
    }
}

/// The workbook's bytes.
///
/// # Errors
/// [`XlsxError`] from the writer.
pub fn render(b: &Bulletin) -> Result<Vec<u8>, XlsxError> {
    let lang = b.meta.language;
    let zh = lang == Language::Zh;
    let f = formats(lang);
    let names = sheet_names(lang);
    let mut wb = Workbook::new();
    let tr = |z: &'static str, e: &'static str| if zh { z } else { e };

    // Summary: the title, cut-off, target and issue number above the frozen header row.
    let mut s = Sheet::new(&mut wb, names[0], &f)?;
    let heads = fig_headers(lang);
    let title = format!(
        "{}　{}　{}",
        super::title(b),
        super::issue_line(b),
        super::ytd_label(b)
    );
    s.ws.merge_range(0, 0, 0, heads.len() as u16 - 1, &title, &f.title)?;
    s.ws.set_row_height(0, 24)?;
    s.text(1, 0, tr("数据截止日期", "Data cut-off"))?;
    let c = b.cutoff;
    let cutoff = ExcelDateTime::from_ymd(c.year() as u16, c.month() as u8, c.day() as u8)?;
    s.ws.write_datetime_with_format(1, 1, cutoff, &f.date)?;
    s.fit(1, 16.0);
    s.text(1, 2, tr("序时进度", "Schedule target"))?;
    s.num(1, 3, b.schedule_target, &f.pct)?;
    s.text(1, 4, tr("期号", "Issue"))?;
    s.int(1, 5, b.issue_number)?;
    s.headers(2, &heads)?;
    fig_rows(&mut s, 3, &super::summary_rows(b))?;
    let first_note = 4 + super::summary_rows(b).len() as u32;
    for (r, h) in (first_note..).zip(super::headlines(b)) {
        s.note(r, &h)?;
    }
    s.finish()?;

    for (sheet, kind, groups) in [
        (names[1], Kind::Category, &b.investment.by_category),
        (names[2], Kind::District, &b.investment.by_district),
    ] {
        let mut s = Sheet::new(&mut wb, sheet, &f)?;
        s.headers(0, &fig_headers(lang))?;
        let rows: Vec<(String, &Fig)> =
            groups.iter().map(|(k, g)| (label(b, kind, k), g)).collect();
        fig_rows(&mut s, 1, &rows)?;
        s.finish()?;
    }

    lagging_sheet(&mut wb, b, names[3], &f)?;

    let mut s = Sheet::new(&mut wb, names[4], &f)?;
    s.headers(
        0,
        &[
            tr("序号", "No."),
            tr("项目编号", "Code"),
            tr("项目名称", "Project"),
            tr("建设单位", "Owner unit"),
        ],
    )?;
    for (i, code) in b.not_reported.iter().enumerate() {
        let r = 1 + i as u32;
        s.int(r, 0, i as i64 + 1)?;
        s.text(r, 1, code)?;
        let (name, unit) = b
            .meta
            .not_reported_projects
            .get(code)
            .map_or(("—", "—"), |(n, u)| (n.as_str(), u.as_str()));
        s.text(r, 2, name)?;
        s.text(r, 3, unit)?;
    }
    if b.not_reported.is_empty() {
        s.note(
            1,
            tr(
                "本月所有项目均已报送。",
                "Every project reported this month.",
            ),
        )?;
    }
    s.finish()?;

    starts_sheet(&mut wb, b, names[5], &f)?;

    let mut s = Sheet::new(&mut wb, names[6], &f)?;
    s.headers(0, &issue_headers(lang))?;
    let groups = issue_groups(b, true);
    for (i, (name, g)) in groups.iter().enumerate() {
        let r = 1 + i as u32;
        s.text(r, 0, name)?;
        s.int(r, 1, g.raised)?;
        s.int(r, 2, g.resolved)?;
        s.int(r, 3, g.closed)?;
        s.opt(r, 4, g.close_rate, &f.pct)?;
        s.int(r, 5, g.overdue)?;
        s.opt(
            r,
            6,
            g.median_days_to_resolve,
            &f.pts.clone().set_num_format("0.0"),
        )?;
    }
    s.note(2 + groups.len() as u32, &super::issues_sentence(b))?;
    s.finish()?;

    let mut s = Sheet::new(&mut wb, names[7], &f)?;
    s.headers(
        0,
        &[
            tr("指标", "Indicator"),
            tr("累计（万元）", "YTD (10k yuan)"),
            tr("同比", "YoY"),
            tr("占固定资产投资比重", "Share of fixed-asset investment"),
        ],
    )?;
    for (i, (code, g)) in b.indicators.iter().enumerate() {
        let r = 1 + i as u32;
        s.text(r, 0, &label(b, Kind::Indicator, code))?;
        s.num(r, 1, g.ytd_wan, &f.wan)?;
        s.opt(r, 2, g.yoy_growth, &f.growth)?;
        s.opt(r, 3, g.share, &f.pct)?;
    }
    if b.indicators.is_empty() {
        s.note(
            1,
            tr("本期未导入全市投资指标。", "No city indicators this month."),
        )?;
    }
    s.finish()?;

    let mut s = Sheet::new(&mut wb, names[8], &f)?;
    s.headers(0, &super::applications::headers(lang))?;
    let rows = super::applications::rows(b);
    for (i, (name, g)) in rows.iter().enumerate() {
        let r = 1 + i as u32;
        s.text(r, 0, name)?;
        s.int(r, 1, g.count)?;
        s.num(r, 2, g.applied_wan, &f.wan)?;
        s.num(r, 3, g.approved_wan, &f.wan)?;
        s.num(r, 4, g.received_wan, &f.wan)?;
        s.opt(r, 5, g.target_wan, &f.wan)?;
        s.opt(r, 6, g.approved_rate, &f.pct)?;
        s.opt(r, 7, g.received_rate, &f.pct)?;
    }
    s.note(2 + rows.len() as u32, &super::applications::sentence(b))?;
    s.finish()?;

    let mut s = Sheet::new(&mut wb, names[9], &f)?;
    s.headers(0, &[tr("颜色", "Colour"), tr("含义", "Meaning")])?;
    for (i, l) in super::legend::lines(b).iter().enumerate() {
        let r = 1 + i as u32;
        match l.colour.and_then(hex) {
            Some(rgb) => {
                let swatch = f.text.clone().set_background_color(Color::RGB(rgb));
                s.styled(r, 0, "", &swatch)?;
            }
            None => s.text(r, 0, tr("图表", "Charts"))?,
        }
        s.text(r, 1, &l.text)?;
    }
    s.finish()?;

    wb.save_to_buffer()
}

fn hex(colour: &str) -> Option<u32> {
    u32::from_str_radix(colour.trim_start_matches('#'), 16).ok()
}

/// A light cell: the light's name in white on its colour.
fn light_format(f: &Formats, light: crate::formula::Light) -> Format {
    f.text
        .clone()
        .set_background_color(Color::RGB(hex(light.colour()).unwrap_or(0)))
        .set_font_color(Color::White)
        .set_bold()
        .set_align(FormatAlign::Center)
}

fn lagging_sheet(
    wb: &mut Workbook,
    b: &Bulletin,
    name: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    let lang = b.meta.language;
    let zh = lang == Language::Zh;
    let mut s = Sheet::new(wb, name, f)?;
    let heads = project_headers(
        lang,
        &["责任领导", "完成率", "超/慢（百分点）", "本月未报"],
        &[
            "Responsible",
            "Completion",
            "Ahead (points)",
            "Not reported",
        ],
    );
    s.headers(0, &heads)?;
    for (i, l) in b.lagging.iter().enumerate() {
        let r = 1 + i as u32;
        s.styled(r, 0, l.light.label(lang), &light_format(f, l.light))?;
        s.text(r, 1, &l.code)?;
        s.text(r, 2, &l.name)?;
        s.text(r, 3, &l.owner_unit)?;
        s.text(r, 4, l.responsible_official_name.as_deref().unwrap_or("—"))?;
        s.num(r, 5, l.completion_rate, &f.pct)?;
        s.num(r, 6, l.ahead_points, &f.pts)?;
        s.yes_no(r, 7, l.not_reported, zh)?;
    }
    if b.lagging.is_empty() {
        s.note(
            1,
            if zh {
                "本期无滞后项目。"
            } else {
                "No project is lagging."
            },
        )?;
    }
    s.finish()
}

/// Section 四: the start sentence, the projects that missed their start, the milestones and
/// the 拿地即开工 line.
fn starts_sheet(wb: &mut Workbook, b: &Bulletin, name: &str, f: &Formats) -> Result<(), XlsxError> {
    let lang = b.meta.language;
    let zh = lang == Language::Zh;
    let mut s = Sheet::new(wb, name, f)?;
    s.note(0, &super::start_sentence(b))?;
    s.headers(
        1,
        &project_headers(
            lang,
            &["计划开工", "未开工月数"],
            &["Planned start", "Months missed"],
        ),
    )?;
    let mut r = 2;
    for st in &b.starts.lights {
        s.styled(r, 0, st.light.label(lang), &light_format(f, st.light))?;
        s.text(r, 1, &st.code)?;
        s.text(r, 2, &st.name)?;
        s.text(r, 3, &st.owner_unit)?;
        let d = st.planned_date;
        let date = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
        s.ws.write_datetime_with_format(r, 4, date, &f.date)?;
        s.fit(4, 16.0);
        s.int(r, 5, i64::from(st.months_missed))?;
        r += 1;
    }
    if b.starts.lights.is_empty() {
        s.note(
            r,
            if zh {
                "无逾期未开工项目。"
            } else {
                "No missed start."
            },
        )?;
        r += 1;
    }
    r += 1;
    let own = super::own_period_label(b);
    let ytd = super::ytd_label(b);
    s.headers(r, &[if zh { "前期节点" } else { "Milestone" }, &own, &ytd])?;
    r += 1;
    for (code, m) in &b.milestones {
        s.text(r, 0, &label(b, Kind::Milestone, code))?;
        s.int(r, 1, m.month)?;
        s.int(r, 2, m.ytd)?;
        r += 1;
    }
    s.note(r + 1, &super::applications::land_sentence(b))?;
    s.finish()
}
