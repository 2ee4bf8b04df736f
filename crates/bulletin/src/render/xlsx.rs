//! The XLSX workbook: sheets for the summary, categories, districts, lagging projects,
//! issues and applications to higher levels; rates as `0.0%` numbers, amounts as `#,##0.00`, the cut-off as a Chinese date
//! (the quoted format of CRATES.md trap 9), frozen header rows.

use chrono::Datelike;
use docket_domain::config::Language;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::{Kind, fig_headers, issue_groups, issue_headers, label, project_headers};
use crate::model::{Bulletin, Fig};

struct Formats {
    head: Format,
    pct: Format,
    wan: Format,
    pts: Format,
    date: Format,
    title: Format,
}

fn formats(lang: Language) -> Formats {
    Formats {
        head: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xEEF1F5))
            .set_align(FormatAlign::Center),
        pct: Format::new().set_num_format("0.0%"),
        wan: Format::new().set_num_format("#,##0.00"),
        pts: Format::new().set_num_format("+0.0;-0.0;0.0"),
        date: Format::new().set_num_format(if lang == Language::Zh {
            "yyyy\"年\"m\"月\"d\"日\""
        } else {
            "yyyy-mm-dd"
        }),
        title: Format::new().set_bold().set_font_size(14),
    }
}

fn headers(ws: &mut Worksheet, row: u32, cells: &[&str], f: &Formats) -> Result<(), XlsxError> {
    for (c, h) in cells.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.head)?;
        ws.set_column_width(c as u16, if c == 0 { 24 } else { 16 })?;
    }
    Ok(())
}

fn fig_rows(
    ws: &mut Worksheet,
    first_row: u32,
    rows: &[(String, &Fig)],
    f: &Formats,
) -> Result<(), XlsxError> {
    for (i, (name, g)) in rows.iter().enumerate() {
        let r = first_row + i as u32;
        ws.write_string(r, 0, name)?;
        ws.write_number(r, 1, g.projects as f64)?;
        ws.write_number_with_format(r, 2, g.annual_plan_wan, &f.wan)?;
        ws.write_number_with_format(r, 3, g.ytd_completed_wan, &f.wan)?;
        ws.write_number_with_format(r, 4, g.completion_rate, &f.pct)?;
        ws.write_number_with_format(r, 5, g.target, &f.pct)?;
        ws.write_number_with_format(r, 6, g.ahead_points, &f.pts)?;
        ws.write_number_with_format(r, 7, g.share, &f.pct)?;
        match g.yoy_growth {
            Some(y) => ws.write_number_with_format(r, 8, y, &f.pct)?,
            None => ws.write_string(r, 8, "—")?,
        };
    }
    Ok(())
}

/// The sheet names, in order: summary, categories, districts, lagging projects, issues,
/// applications to higher levels.
pub fn sheet_names(lang: Language) -> [&'static str; 6] {
    match lang {
        Language::Zh => [
            "汇总",
            "分类别",
            "分区县",
            "滞后项目",
            "问题办理",
            "争取上级资金和政策",
        ],
        Language::En => [
            "Summary",
            "Categories",
            "Districts",
            "Lagging projects",
            "Issues",
            "Higher-level funds",
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

    // Summary: title, issue number and cut-off above the frozen header row.
    let ws = wb.add_worksheet();
    ws.set_name(names[0])?;
    ws.write_string_with_format(
        0,
        0,
        format!(
            "{}　{}　{}",
            super::title(b),
            super::issue_line(b),
            super::ytd_label(b)
        ),
        &f.title,
    )?;
    ws.write_string(
        1,
        0,
        if zh {
            "数据截止日期"
        } else {
            "Data cut-off"
        },
    )?;
    let c = b.cutoff;
    let cutoff = ExcelDateTime::from_ymd(c.year() as u16, c.month() as u8, c.day() as u8)?;
    ws.write_datetime_with_format(1, 1, cutoff, &f.date)?;
    ws.write_string(
        1,
        2,
        if zh {
            "序时进度"
        } else {
            "Schedule target"
        },
    )?;
    ws.write_number_with_format(1, 3, b.schedule_target, &f.pct)?;
    ws.write_string(1, 4, if zh { "期号" } else { "Issue" })?;
    ws.write_number(1, 5, b.issue_number as f64)?;
    headers(ws, 2, &fig_headers(lang), &f)?;
    let rows: Vec<(String, &Fig)> = super::summary_rows(b);
    fig_rows(ws, 3, &rows, &f)?;
    ws.set_freeze_panes(3, 0)?;

    for (sheet, kind, groups) in [
        (names[1], Kind::Category, &b.investment.by_category),
        (names[2], Kind::District, &b.investment.by_district),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(sheet)?;
        headers(ws, 0, &fig_headers(lang), &f)?;
        let rows: Vec<(String, &Fig)> =
            groups.iter().map(|(k, g)| (label(b, kind, k), g)).collect();
        fig_rows(ws, 1, &rows, &f)?;
        ws.set_freeze_panes(1, 0)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name(names[3])?;
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
    headers(ws, 0, &heads, &f)?;
    for (i, l) in b.lagging.iter().enumerate() {
        let r = 1 + i as u32;
        let colour = u32::from_str_radix(l.light.colour().trim_start_matches('#'), 16).unwrap_or(0);
        let light_fmt = Format::new()
            .set_background_color(Color::RGB(colour))
            .set_font_color(Color::White)
            .set_bold();
        ws.write_string_with_format(r, 0, l.light.label(lang), &light_fmt)?;
        ws.write_string(r, 1, &l.code)?;
        ws.write_string(r, 2, &l.name)?;
        ws.write_string(r, 3, &l.owner_unit)?;
        ws.write_string(r, 4, l.responsible_official_name.as_deref().unwrap_or("—"))?;
        ws.write_number_with_format(r, 5, l.completion_rate, &f.pct)?;
        ws.write_number_with_format(r, 6, l.ahead_points, &f.pts)?;
        ws.write_boolean(r, 7, l.not_reported)?;
    }
    ws.set_freeze_panes(1, 0)?;

    let ws = wb.add_worksheet();
    ws.set_name(names[4])?;
    headers(ws, 0, &issue_headers(lang), &f)?;
    for (i, (name, g)) in issue_groups(b, true).into_iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &name)?;
        ws.write_number(r, 1, g.raised as f64)?;
        ws.write_number(r, 2, g.resolved as f64)?;
        ws.write_number(r, 3, g.closed as f64)?;
        match g.close_rate {
            Some(x) => ws.write_number_with_format(r, 4, x, &f.pct)?,
            None => ws.write_string(r, 4, "—")?,
        };
        ws.write_number(r, 5, g.overdue as f64)?;
        match g.median_days_to_resolve {
            Some(x) => ws.write_number(r, 6, x)?,
            None => ws.write_string(r, 6, "—")?,
        };
    }
    ws.set_freeze_panes(1, 0)?;

    let ws = wb.add_worksheet();
    ws.set_name(names[5])?;
    headers(ws, 0, &super::applications::headers(lang), &f)?;
    for (i, (name, g)) in super::applications::rows(b).into_iter().enumerate() {
        let r = 1 + i as u32;
        ws.write_string(r, 0, &name)?;
        ws.write_number(r, 1, g.count as f64)?;
        ws.write_number_with_format(r, 2, g.applied_wan, &f.wan)?;
        ws.write_number_with_format(r, 3, g.approved_wan, &f.wan)?;
        ws.write_number_with_format(r, 4, g.received_wan, &f.wan)?;
        for (c, v) in [
            (5, g.target_wan),
            (6, g.approved_rate),
            (7, g.received_rate),
        ] {
            let fmt = if c == 5 { &f.wan } else { &f.pct };
            match v {
                Some(x) => ws.write_number_with_format(r, c, x, fmt)?,
                None => ws.write_string(r, c, "—")?,
            };
        }
    }
    ws.set_freeze_panes(1, 0)?;

    wb.save_to_buffer()
}
