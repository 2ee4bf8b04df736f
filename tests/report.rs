//! A weekly report's problems become routed blocking issues, once.

use docket_testkit::{TestDb, dual_test};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::cli::{docket, root, sample_config, stderr, stdout};

async fn report_problems_are_raised_once(t: &TestDb) {
    let cfg = sample_config();
    let lib = root().join("config/sample/projects.csv");
    let o = docket(&t.url, &cfg, &["import", "projects", lib.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let submit = || {
        docket(
            &t.url,
            &cfg,
            &[
                "report",
                "submit",
                "--project",
                "SZ2024001",
                "--week",
                "2024-W37",
                "--progress",
                "主体结构施工",
                "--problems",
                "用地：新增用地指标未落实\n临时用电接入慢",
            ],
        )
    };
    let o = submit();
    assert!(o.status.success(), "{}", stderr(&o));
    let report_id: uuid::Uuid = stdout(&o)
        .trim()
        .parse()
        .expect("the report id alone on stdout");
    let issues = docket_store::entity::issues::Entity::find()
        .filter(docket_store::entity::issues::Column::ReportId.eq(report_id))
        .all(&t.db.conn)
        .await
        .unwrap();
    let mut got: Vec<(String, String, Option<String>)> = issues
        .iter()
        .map(|i| (i.category.clone(), i.title.clone(), i.task_force.clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "land".to_string(),
                "新增用地指标未落实".to_string(),
                Some("land".to_string())
            ),
            ("other".to_string(), "临时用电接入慢".to_string(), None),
        ]
    );
    assert!(issues.iter().all(|i| i.state == "assigned"));
    // Submitting again records the report again but raises no second issue.
    let o = submit();
    assert!(o.status.success(), "{}", stderr(&o));
    let all = docket_store::entity::issues::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}
dual_test!(report_problems_are_raised_once);
