//! Input limits through the command line: amounts past the bound or with a decimal comma are
//! refused (exit 2, nothing written), the sheet's sum of the largest allowed amounts is exact,
//! and a CRLF in an issue title is stored as one line.

use docket_testkit::{TestDb, dual_test};
use sea_orm::EntityTrait;

use crate::cli::{docket, root, sample_config, stderr, stdout};

async fn amounts_and_titles_are_checked_at_the_door(t: &TestDb) {
    let cfg = sample_config();
    let lib = root().join("config/sample/projects.csv");
    let run = |args: &[&str]| docket(&t.url, &cfg, args);
    let o = run(&["import", "projects", lib.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["cycle", "open", "--week", "2024-W39"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = |code: &str, amount: &str| {
        run(&[
            "report",
            "submit",
            "--project",
            code,
            "--week",
            "2024-W39",
            "--week-amount",
            amount,
            "--progress",
            "施工",
        ])
    };
    for (amount, reason) in [
        ("922337203685477", "larger than 10000000000 万元"),
        ("1,5", "a comma is not a decimal point"),
    ] {
        let o = report("SZ2024001", amount);
        assert_eq!(o.status.code(), Some(2), "{amount}: {}", stderr(&o));
        assert!(stderr(&o).contains(reason), "{amount}: {}", stderr(&o));
    }
    let rows = docket_store::entity::weekly_reports::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap();
    assert!(rows.is_empty(), "refused amounts write nothing");

    // The largest amount allowed, twice: the sheet's sum is exact.
    for code in ["SZ2024001", "SZ2024002"] {
        let o = report(code, "10,000,000,000");
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = run(&["cycle", "sheet", "--week", "2024-W39"]);
    assert!(
        stdout(&o).contains("本周完成投资 20,000,000,000 万元"),
        "{}",
        stdout(&o)
    );

    // A CRLF (and an escape) in a title never reaches storage, mail headers or <title>.
    let o = run(&[
        "issue",
        "raise",
        "--project",
        "SZ2024001",
        "--category",
        "land",
        "--title",
        "指标未落实\r\nBcc: all@example.com\u{1b}[2J",
        "--detail",
        "第一行\r\n第二行\u{7}",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let issues = docket_store::entity::issues::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].title, "指标未落实 Bcc: all@example.com [2J");
    assert_eq!(issues[0].detail, "第一行\n第二行");
    let queued = docket_store::entity::outbox::Entity::find()
        .all(&t.db.conn)
        .await
        .unwrap();
    assert!(!queued.is_empty());
    assert!(
        queued.iter().all(|m| !m.context.contains("\\r\\nBcc")),
        "no CRLF in any queued mail"
    );
}
dual_test!(amounts_and_titles_are_checked_at_the_door);
