//! The foundation: migrations, imports through the CLI, config validation, docker-compose.

use docket_testkit::{TestDb, dual_test};

use crate::cli::{docket, docket_cmd, root, sample_config, stderr, stdout};

async fn migrate_twice_is_a_no_op(t: &TestDb) {
    // The harness already migrated; both runs through the CLI find nothing to do.
    for _ in 0..2 {
        let o = docket(&t.url, &sample_config(), &["migrate"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            stdout(&o).trim(),
            "schema is current (0 migrations applied)"
        );
    }
    // The configured officials and task forces are mirrored for queries, once each.
    use sea_orm::{EntityTrait, PaginatorTrait};
    let officials = docket_store::entity::officials::Entity::find()
        .count(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(officials, 14);
    let members = docket_store::entity::task_force_members::Entity::find()
        .count(&t.db.conn)
        .await
        .unwrap();
    assert_eq!(members, 10, "3 leaders, 3 deputies, 4 members");
}
dual_test!(migrate_twice_is_a_no_op);

#[test]
fn migrate_creates_a_fresh_sqlite_file_then_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/sub/docket.db", dir.path().display());
    let first = docket(&url, &sample_config(), &["migrate"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("(9 migrations applied)")
            || stdout(&first).contains("migrations applied")
    );
    assert!(dir.path().join("sub/docket.db").is_file());
    let second = docket(&url, &sample_config(), &["migrate"]);
    assert_eq!(
        stdout(&second).trim(),
        "schema is current (0 migrations applied)"
    );
}

async fn import_sample_and_bad_file(t: &TestDb) {
    let sample = root().join("config/sample/projects.csv");
    let o = docket(
        &t.url,
        &sample_config(),
        &["import", "projects", sample.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("76 rows imported: 76 created"),
        "{}",
        stdout(&o)
    );
    let o = docket(
        &t.url,
        &sample_config(),
        &["project", "list", "--format", "json"],
    );
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON on stdout only");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 76);
    for key in [
        "code",
        "name",
        "level",
        "stage",
        "category",
        "plan_year",
        "annual_plan_wan",
    ] {
        assert!(list[0].get(key).is_some(), "missing {key}");
    }
    let municipal_key = list
        .iter()
        .filter(|p| p["level"] == "municipal" && p["stage"] != "reserve")
        .count();
    assert_eq!(municipal_key, 40);

    // Two bad rows among good ones: exit 2, one line each, nothing written.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&sample).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen("省重点", "国家级", 1);
    lines[10] = lines[10].replacen(",2024,", ",二〇二四,", 1);
    lines[1] = lines[1].replacen("SZ2024001", "NEW001", 1);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let o = docket(
        &t.url,
        &sample_config(),
        &["import", "projects", bad.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    let file = bad.display().to_string();
    assert!(
        err.contains(&format!("{file}:4: 项目级别: 国家级: not a known level")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{file}:11: 计划年度: 二〇二四: not a year")),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.starts_with(&file)).count(),
        2,
        "{err}"
    );
    assert!(stdout(&o).is_empty());
    let o = docket(
        &t.url,
        &sample_config(),
        &["project", "list", "--format", "json"],
    );
    let after: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["code"] != "NEW001"),
        "nothing written"
    );

    // --dry-run validates and writes nothing.
    lines[3] = lines[3].replacen("国家级", "省重点", 1);
    lines[10] = lines[10].replacen(",二〇二四,", ",2024,", 1);
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let o = docket(
        &t.url,
        &sample_config(),
        &["import", "projects", "--dry-run", bad.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("1 created") && stdout(&o).contains("dry run"),
        "{}",
        stdout(&o)
    );
    let o = docket(
        &t.url,
        &sample_config(),
        &["project", "list", "--format", "json"],
    );
    assert!(!stdout(&o).contains("NEW001"));
}
dual_test!(import_sample_and_bad_file);

/// Each bad config case exits 2 and names its key.
#[test]
fn bad_config_names_the_key() {
    let base = std::fs::read_to_string(sample_config()).unwrap();
    let cases: Vec<(String, &str)> = vec![
        (
            base.replace("head = \"chen_zhiyuan\"", "head = \"nobody\""),
            "office.head",
        ),
        (
            base.replace("lead = \"liu_qiang\"", "lead = \"ghost\""),
            "task_forces[1].lead",
        ),
        (
            base.replace("categories = [\"funding\"]", "categories = [\"land\"]"),
            "task_forces[1].categories[0]",
        ),
        (
            base.replace(
                "email = \"sun.li@example.gov.cn\"",
                "email = \"sun.li at example\"",
            ),
            "officials[8].email",
        ),
        (
            base.replace(
                "timezone = \"Asia/Shanghai\"",
                "timezone = \"Asia/Atlantis\"",
            ),
            "office.timezone",
        ),
        (
            base.replace(
                "curves = { 2023 = [0.05, 0.12,",
                "curves = { 2023 = [0.15, 0.12,",
            ),
            "targets.curves.2023",
        ),
        (
            base.replace("0.91, 1.0] }", "0.91, 0.99] }"),
            "targets.curves.2023",
        ),
        (format!("{base}\n[bogus]\nx = 1\n"), "bogus"),
        (
            base.replace("open = \"0 0 9 * * Mon\"", "open = \"0 0 9 * * Funday\""),
            "schedules.open",
        ),
        (
            base.replace("open = \"0 0 9 * * Mon\"", "open = \"0 0 9 * * 1\""),
            "schedules.open",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/x.db", dir.path().display());
    for (i, (text, key)) in cases.iter().enumerate() {
        assert_ne!(text, &base, "case {i} did not change the config");
        let path = dir.path().join(format!("c{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let o = docket(&db, &path, &["migrate"]);
        assert_eq!(o.status.code(), Some(2), "case {i}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("{key}:")),
            "case {i} should name {key}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn environment_overrides_config() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/x.db", dir.path().display());
    let o = docket_cmd(&db, &sample_config())
        .env("DOCKET__OFFICE__TIMEZONE", "Nowhere/Town")
        .run(&["migrate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("office.timezone"), "{}", stderr(&o));
}

/// No container engine runs here, so the compose file is checked against the config.
#[test]
fn docker_compose_matches_the_config() {
    let text = std::fs::read_to_string(root().join("docker-compose.yml")).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let services = doc["services"].as_mapping().expect("services");
    for s in ["postgres", "mailpit", "docket"] {
        assert!(services.contains_key(s), "service {s}");
    }
    let docket = &doc["services"]["docket"];
    let env = docket["environment"]
        .as_mapping()
        .expect("docket environment");
    let get = |k: &str| {
        env.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        get("DOCKET_DATABASE_URL").starts_with("postgres://"),
        "docket uses the postgres service"
    );
    assert!(get("DOCKET_DATABASE_URL").contains("@postgres:5432/"));
    assert_eq!(get("DOCKET_SMTP_URL"), "smtp://mailpit:1025");
    assert_eq!(get("DOCKET_CONFIG"), "/app/config/docket.toml");
    let listen = get("DOCKET_LISTEN");
    let port = listen.rsplit(':').next().unwrap().to_string();
    let ports: Vec<String> = docket["ports"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str().map(String::from))
        .collect();
    assert!(
        ports.iter().any(|p| p.ends_with(&format!(":{port}"))),
        "the listen port {port} is published: {ports:?}"
    );
    let pg_ports: Vec<String> = doc["services"]["postgres"]["ports"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str().map(String::from))
        .collect();
    assert!(pg_ports.iter().any(|p| p.ends_with(":5432")));
    let mp_ports: Vec<String> = doc["services"]["mailpit"]["ports"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str().map(String::from))
        .collect();
    assert!(
        mp_ports.iter().any(|p| p.ends_with(":1025"))
            && mp_ports.iter().any(|p| p.ends_with(":8025"))
    );
    // The config the container reads is this repository's sample, which must be valid.
    let o = crate::cli::docket(
        &format!(
            "sqlite://{}/c.db",
            tempfile::tempdir().unwrap().path().display()
        ),
        &sample_config(),
        &["migrate"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}
