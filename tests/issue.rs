//! Issues through the CLI: the contract's raise/show, refusals exit 2 and write nothing.

use docket_testkit::{TestDb, dual_test};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::cli::{docket, import_sample, raise_args, sample_config, stderr, stdout};

async fn issue_count(t: &TestDb) -> (u64, u64, u64) {
    use docket_store::entity::{issue_events, issues, outbox};
    (
        issues::Entity::find().count(&t.db.conn).await.unwrap(),
        issue_events::Entity::find()
            .count(&t.db.conn)
            .await
            .unwrap(),
        outbox::Entity::find().count(&t.db.conn).await.unwrap(),
    )
}

async fn raise_show_and_bad_input(t: &TestDb) {
    let cfg = sample_config();
    import_sample(&t.url, &["projects"]);
    let raise = |project: &str, category: &str, title: &str| {
        docket(&t.url, &cfg, &raise_args(project, category, title))
    };
    let o = raise("SZ2024001", "land", "用地指标不足");
    assert!(o.status.success(), "{}", stderr(&o));
    let id = stdout(&o).trim().to_string();
    assert!(
        uuid::Uuid::parse_str(&id).is_ok(),
        "the id alone on stdout: {id:?}"
    );
    // The same open problem (trimmed, case-folded) prints the existing id.
    let again = raise("SZ2024001", "用地", "  用地指标不足 ");
    assert_eq!(stdout(&again).trim(), id);
    let show = docket(&t.url, &cfg, &["issue", "show", &id, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&show)).expect("JSON");
    for key in [
        "id",
        "project",
        "category",
        "state",
        "task_force",
        "assignees",
        "due",
        "history",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(
        (v["state"].as_str(), v["task_force"].as_str()),
        (Some("assigned"), Some("land"))
    );
    assert_eq!(
        v["assignees"].as_array().unwrap().len(),
        3,
        "leader, deputy, member"
    );
    let approval = raise("SZ2024001", "approval", "施工许可办理慢");
    let aid = stdout(&approval).trim().to_string();
    let v: serde_json::Value = serde_json::from_str(&stdout(&docket(
        &t.url,
        &cfg,
        &["issue", "show", &aid, "--format", "json"],
    )))
    .unwrap();
    assert!(v["task_force"].is_null(), "approval stays with the office");

    let before = issue_count(t).await;
    let long_note = "长".repeat(2001);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (raise_args("NOPE", "land", "x").to_vec(), "NOPE"),
        (raise_args("SZ2024001", "roads", "x").to_vec(), "roads"),
        (raise_args("SZ2024001", "land", "  ").to_vec(), "title"),
        (vec!["issue", "resolve", &id, "--note", &long_note], "note"),
        (vec!["issue", "close", &id], "assigned"),
    ];
    // Not permitted is its own exit code, 3, and writes nothing either.
    let refused: Vec<(Vec<&str>, &str)> =
        vec![(vec!["--as", "sun_li", "issue", "close", &aid], "孙丽")];
    let expected = cases
        .into_iter()
        .map(|c| (c, 2))
        .chain(refused.into_iter().map(|c| (c, 3)));
    for ((args, names), code) in expected {
        let o = docket(&t.url, &cfg, &args);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(names),
            "{args:?} should name {names}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty());
    }
    assert_eq!(issue_count(t).await, before, "refusals write nothing");
}
dual_test!(raise_show_and_bad_input);

/// Parallel writers wait for each other instead of failing: 4 loops of 15 `issue raise` at
/// once, each with its own titles, all exit 0 and every issue gets its own short number
/// (SQLite: write transactions begin IMMEDIATE; PostgreSQL: the counter row serialises).
async fn parallel_raises_all_succeed(t: &TestDb) {
    let cfg = sample_config();
    let o = docket(
        &t.url,
        &cfg,
        &["import", "projects", "config/sample/projects.csv"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let loops: Vec<_> = (0..4)
        .map(|l| {
            let (url, cfg) = (t.url.clone(), cfg.clone());
            std::thread::spawn(move || {
                (0..15)
                    .map(|i| {
                        let title = format!("并发问题{l}-{i}");
                        let o = docket(&url, &cfg, &raise_args("SZ2024001", "land", &title));
                        (o.status.code(), stderr(&o))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<_> = loops.into_iter().flat_map(|h| h.join().unwrap()).collect();
    let failed: Vec<_> = results.iter().filter(|(c, _)| *c != Some(0)).collect();
    assert!(
        failed.is_empty(),
        "{} of 60 failed: {failed:?}",
        failed.len()
    );
    let numbers: std::collections::HashSet<Option<String>> =
        docket_store::entity::issues::Entity::find()
            .all(&t.db.conn)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.number)
            .collect();
    assert_eq!(numbers.len(), 60, "60 distinct numbers");
    assert!(numbers.iter().all(Option::is_some));
}
dual_test!(parallel_raises_all_succeed);
