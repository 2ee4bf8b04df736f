//! Problems written in a weekly report (存在问题/需协调事项) become blocking issues: one
//! per line (or per `；`/`;`), each optionally led by its category, e.g. `用地：指标未落实`
//! or `funding: 资本金缺口`. A line without a known category is `other`. Each title is one
//! line without control characters ([`single_line`]), as every issue title is.

use docket_domain::issue::IssueCategory;
use docket_domain::text::single_line;
use uuid::Uuid;

use crate::raise::NewIssue;

/// The issues to raise for `problems` of `project`'s report `report_id`.
pub fn issues_from_report(project: &str, report_id: Uuid, problems: &str) -> Vec<NewIssue> {
    problems
        .split(['\n', '\r', '\u{2028}', '\u{2029}', '；', ';'])
        .map(single_line)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let line = line.as_str();
            let (category, title) = match line.split_once(['：', ':']) {
                Some((head, rest)) if !rest.trim().is_empty() => match IssueCategory::parse(head) {
                    Ok(c) => (c, rest.trim()),
                    Err(_) => (IssueCategory::Other, line),
                },
                _ => (IssueCategory::Other, line),
            };
            NewIssue {
                project: project.to_string(),
                category: category.code().to_string(),
                title: title.to_string(),
                detail: String::new(),
                severity: None,
                report_id: Some(report_id),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_issue_per_line_with_its_category() {
        let id = Uuid::nil();
        let v = issues_from_report(
            "P1",
            id,
            "用地：指标未落实\nfunding: 资本金缺口；  \n水电接入慢;时间:紧",
        );
        let got: Vec<(&str, &str)> = v
            .iter()
            .map(|i| (i.category.as_str(), i.title.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("land", "指标未落实"),
                ("funding", "资本金缺口"),
                ("other", "水电接入慢"),
                ("other", "时间:紧")
            ]
        );
        assert!(
            v.iter()
                .all(|i| i.report_id == Some(id) && i.project == "P1")
        );
        assert!(issues_from_report("P1", id, " \n；").is_empty());
        let v = issues_from_report("P1", id, "用地：指标\u{1b}未落实\r\n资金\t缺口\r");
        let titles: Vec<&str> = v.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["指标 未落实", "资金 缺口"]);
    }
}
