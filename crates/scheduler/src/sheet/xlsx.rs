//! The sheet as an XLSX workbook: 调度单 (one line per project) and 问题 (issues by task
//! force). Figures are numbers in `#,##0.00` 万元, dates are dates, 迟报/未报 cells are
//! filled; A4 landscape, one page wide, header rows frozen and repeated on every page.

use chrono::Datelike;
use docket_domain::Amount;
use docket_domain::config::CoreConfig;
use docket_store::cycles::SheetData;
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::labels::{category_label, sections, state_label, status_label, title, ytd, ytd_source};
use super::official;
use super::text::headline;

/// A4 in Excel's paper codes.
const A4: u8 = 9;

fn page_setup(ws: &mut Worksheet, header_rows: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(A4);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_freeze_panes(header_rows, 0)?;
    ws.set_repeat_rows(header_rows - 1, header_rows - 1)?;
    Ok(())
}

/// The sheet as an XLSX workbook.
///
/// # Errors
/// The writer's message if the workbook cannot be built.
pub fn render_xlsx(core: &CoreConfig, s: &SheetData) -> Result<Vec<u8>, String> {
    build(core, s).map_err(|e| e.to_string())
}

fn build(core: &CoreConfig, s: &SheetData) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let font = "宋体";
    let title_f = Format::new()
        .set_font_name(font)
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let note_f = Format::new().set_font_name(font);
    let head_f = Format::new()
        .set_font_name(font)
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new()
        .set_font_name(font)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let num = cell.clone().set_num_format("#,##0.00");
    let date = cell.clone().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    let late = cell.clone().set_background_color(Color::RGB(0xFFF4CE));
    let missing = cell.clone().set_background_color(Color::RGB(0xFDE7E9));

    let ws = wb.add_worksheet();
    ws.set_name("调度单")?;
    let head = [
        ("序号", 6.0),
        ("项目编号", 12.0),
        ("项目名称", 28.0),
        ("建设单位", 20.0),
        ("责任领导", 10.0),
        ("报送状态", 10.0),
        ("本周完成（万元）", 14.0),
        ("累计完成（万元）", 14.0),
        ("累计口径", 10.0),
        ("形象进度", 30.0),
        ("存在问题", 30.0),
    ];
    let last = (head.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last, &title(&s.week), &title_f)?;
    ws.merge_range(
        1,
        0,
        1,
        last,
        &format!("{}　{}", core.office.name, headline(s)),
        &note_f,
    )?;
    for (c, (h, w)) in head.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &head_f)?;
        ws.set_column_width(c as u16, *w)?;
    }
    for (i, r) in s.rows.iter().enumerate() {
        let row = (i + 3) as u32;
        ws.write_number_with_format(row, 0, (i + 1) as f64, &cell)?;
        ws.write_string_with_format(row, 1, &r.code, &cell)?;
        ws.write_string_with_format(row, 2, &r.name, &cell)?;
        ws.write_string_with_format(row, 3, &r.owner_unit, &cell)?;
        ws.write_string_with_format(row, 4, official(core, &r.responsible_official), &cell)?;
        let status_f = match super::labels::status_class(r.status) {
            "late" => &late,
            "missing" => &missing,
            _ => &cell,
        };
        ws.write_string_with_format(row, 5, status_label(r.status), status_f)?;
        match r.week_amount {
            Some(a) => ws.write_number_with_format(row, 6, Amount::from_yuan(a).wan_f64(), &num)?,
            None => ws.write_blank(row, 6, &cell)?,
        };
        match ytd(r) {
            Some((y, m)) => {
                ws.write_number_with_format(row, 7, Amount::from_yuan(y).wan_f64(), &num)?;
                let source = match m {
                    None => "周报".to_string(),
                    Some(m) => ytd_source(Some(m)),
                };
                ws.write_string_with_format(row, 8, source, &cell)?
            }
            None => {
                ws.write_blank(row, 7, &cell)?;
                ws.write_blank(row, 8, &cell)?
            }
        };
        let progress = match (r.status.is_reported(), r.no_change) {
            (false, _) => "",
            (true, true) => "本期无变化",
            (true, false) => r.progress.as_str(),
        };
        ws.write_string_with_format(row, 9, progress, &cell)?;
        ws.write_string_with_format(row, 10, &r.problems, &cell)?;
    }
    page_setup(ws, 3)?;

    let ws = wb.add_worksheet();
    ws.set_name("问题")?;
    let head = [
        ("工作专班", 18.0),
        ("类别", 10.0),
        ("项目编号", 12.0),
        ("项目名称", 24.0),
        ("问题", 36.0),
        ("要素类别", 10.0),
        ("办理状态", 10.0),
        ("办理时限", 16.0),
    ];
    let last = (head.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last, "问题办理情况（按工作专班）", &title_f)?;
    for (c, (h, w)) in head.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &head_f)?;
        ws.set_column_width(c as u16, *w)?;
    }
    let mut row = 2u32;
    for sec in sections(core, s) {
        for (heading, list) in &sec.lists {
            for i in list {
                let kind_f = if *heading == "逾期问题" {
                    &missing
                } else {
                    &cell
                };
                ws.write_string_with_format(row, 0, &sec.name, &cell)?;
                ws.write_string_with_format(row, 1, heading.trim_end_matches("问题"), kind_f)?;
                ws.write_string_with_format(row, 2, &i.project, &cell)?;
                ws.write_string_with_format(row, 3, &i.project_name, &cell)?;
                ws.write_string_with_format(row, 4, &i.title, &cell)?;
                ws.write_string_with_format(row, 5, category_label(&i.category), &cell)?;
                ws.write_string_with_format(row, 6, state_label(&i.state), &cell)?;
                match i.due {
                    Some(d) => {
                        let d = ExcelDateTime::from_ymd(
                            d.year() as u16,
                            d.month() as u8,
                            d.day() as u8,
                        )?;
                        ws.write_date_with_format(row, 7, &d, &date)?
                    }
                    None => ws.write_blank(row, 7, &cell)?,
                };
                row += 1;
            }
        }
    }
    page_setup(ws, 2)?;
    wb.save_to_buffer()
}
