//! Applications to higher levels (争取上级资金和政策) and the derived facts of issue 14 item 7:
//! import with every bad row named and nothing written, re-import recording the state change
//! as an event, the list and show JSON, the bulletin's `applications` figures from the
//! sample, the API's 403/200, 拿地即开工 counted with its configured days, and the national
//! 24-character project code and tags of the library.

use std::path::Path;

use docket_testkit::{TestDb, dual_test};
use serde_json::Value;

use crate::cli::{docket, import_sample, root, sample_config, stderr, stdout};
use crate::server::{Server, edited_config, token};

fn sample(kind: &str) -> String {
    root()
        .join(format!("config/sample/{kind}.csv"))
        .display()
        .to_string()
}

fn json(db: &str, config: &Path, args: &[&str]) -> Value {
    let o = docket(db, config, args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("JSON alone on stdout")
}

async fn applications_import_list_and_history(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let cfg = sample_config();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(sample("applications")).unwrap();

    // Bad rows: an unknown project (row 2), an unknown category (row 3), received above
    // approved (row 4), a bad amount and a bad date (row 5), the same 申报编号 twice (row 6).
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[1] = lines[1].replacen("SZ2024013", "SZ9999999", 1);
    lines[2] = lines[2].replacen("地方政府专项债券", "国债", 1);
    lines[3] = lines[3].replacen("80000,80000,80000", "80000,70000,80000", 1);
    lines[4] =
        lines[4]
            .replacen("30000,20000", "3万,20000", 1)
            .replacen("2024-08-12", "2024-13-01", 1);
    lines[5] = lines[5].replacen("SB2024-05", "SB2024-01", 1);
    let bad = dir.path().join("申报.csv");
    std::fs::write(&bad, lines[..6].join("\n")).unwrap();
    let o = docket(
        &t.url,
        &cfg,
        &["import", "applications", bad.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    for row in [
        "申报.csv:2: 项目编号: SZ9999999:",
        "申报.csv:3: 资金类别: 国债:",
        "申报.csv:4: 到位金额（万元）: 80000: more than the amount approved",
        "申报.csv:5: 申报金额（万元）: 3万:",
        "申报.csv:5: 日期: 2024-13-01:",
        "申报.csv:6: 申报编号: SB2024-01: duplicate of row 2",
    ] {
        assert!(err.contains(row), "missing {row:?} in {err}");
    }
    let listed = json(&t.url, &cfg, &["application", "list", "--format", "json"]);
    assert_eq!(listed, Value::Array(vec![]), "nothing written");

    // A dry run validates and writes nothing.
    let o = docket(
        &t.url,
        &cfg,
        &[
            "import",
            "applications",
            &sample("applications"),
            "--dry-run",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("12 created"), "{}", stdout(&o));
    let listed = json(&t.url, &cfg, &["application", "list", "--format", "json"]);
    assert_eq!(listed.as_array().unwrap().len(), 0);

    // The sample: 12 applications, codes in the JSON, exact amounts.
    let o = docket(
        &t.url,
        &cfg,
        &["import", "applications", &sample("applications")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let listed = json(&t.url, &cfg, &["application", "list", "--format", "json"]);
    let list = listed.as_array().unwrap();
    assert_eq!(list.len(), 12);
    let four = list.iter().find(|a| a["ref_no"] == "SB2024-04").unwrap();
    assert_eq!(four["category"], "policy_finance");
    assert_eq!(four["state"], "approved");
    assert_eq!(four["approved_wan"], 20000.0);
    assert_eq!(four["received_wan"], Value::Null);
    assert_eq!(four["project"], "SZ2024002");
    let approved = json(
        &t.url,
        &cfg,
        &["application", "list", "--state", "批复", "--format", "json"],
    );
    assert_eq!(approved.as_array().unwrap().len(), 2);
    let bonds = json(
        &t.url,
        &cfg,
        &[
            "application",
            "list",
            "--category",
            "special_bond",
            "--format",
            "json",
        ],
    );
    assert_eq!(bonds.as_array().unwrap().len(), 3);
    let o = docket(&t.url, &cfg, &["application", "list", "--state", "done"]);
    assert_eq!(o.status.code(), Some(2));

    // Re-import with SB2024-04 received: one event with the state change and the amount.
    let moved = text.replacen(
        "30000,20000,,批复,2024-08-12",
        "30000,20000,20000,到位,2024-09-25",
        1,
    );
    assert_ne!(moved, text);
    let again = dir.path().join("applications.csv");
    std::fs::write(&again, &moved).unwrap();
    let o = docket(
        &t.url,
        &cfg,
        &["import", "applications", again.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0 created, 1 updated, 11 unchanged"),
        "{}",
        stdout(&o)
    );
    let id = four["id"].as_i64().unwrap().to_string();
    let shown = json(
        &t.url,
        &cfg,
        &["application", "show", &id, "--format", "json"],
    );
    assert_eq!(shown["state"], "received");
    let history = shown["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{shown}");
    assert_eq!(history[0]["action"], "created");
    assert_eq!(history[1]["action"], "updated");
    assert_eq!(history[1]["from_state"], "approved");
    assert_eq!(history[1]["to_state"], "received");
    assert_eq!(history[1]["actor"], "office");
    assert_eq!(history[1]["file"], "applications.csv");
    let changes = history[1]["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["field"] == "state" && c["old"] == "approved" && c["new"] == "received"),
        "{changes:?}"
    );
    assert!(
        changes
            .iter()
            .any(|c| c["field"] == "received_wan" && c["old"].is_null() && c["new"] == "20000"),
        "{changes:?}"
    );
    // The same file again changes nothing and records nothing.
    let o = docket(
        &t.url,
        &cfg,
        &["import", "applications", again.to_str().unwrap()],
    );
    assert!(stdout(&o).contains("12 unchanged"), "{}", stdout(&o));
    let shown = json(
        &t.url,
        &cfg,
        &["application", "show", &id, "--format", "json"],
    );
    assert_eq!(shown["history"].as_array().unwrap().len(), 2);
    // Text for people: labels, never codes.
    let o = docket(&t.url, &cfg, &["--lang", "zh", "application", "show", &id]);
    assert!(stdout(&o).contains("到位") && stdout(&o).contains("政策性金融工具"));
    assert!(!stdout(&o).contains("policy_finance"), "{}", stdout(&o));
    let o = docket(&t.url, &cfg, &["application", "show", "999"]);
    assert_eq!(o.status.code(), Some(2), "not found: {}", stderr(&o));
}
dual_test!(applications_import_list_and_history);

async fn bulletin_counts_applications_and_land_to_start(t: &TestDb) {
    import_sample(
        &t.url,
        &[
            "projects",
            "progress",
            "milestones",
            "indicators",
            "applications",
        ],
    );
    let cfg = sample_config();
    let b = json(
        &t.url,
        &cfg,
        &[
            "bulletin", "build", "--month", "2024-09", "--format", "json",
        ],
    );
    // The seed's figures are unchanged.
    let prov = &b["investment"]["by_level"]["provincial"];
    assert_eq!(
        format!("{:.1}", prov["completion_rate"].as_f64().unwrap() * 100.0),
        "87.6"
    );
    // Applications dated in 2024 up to 30 September: 11 of the 12 (SB2024-12 is October's).
    let a = &b["applications"];
    assert_eq!(a["year"], 2024);
    assert_eq!(a["count"], 11);
    assert_eq!(a["applied_wan"], 231500.0);
    assert_eq!(a["approved_wan"], 155000.0);
    assert_eq!(a["received_wan"], 120000.0);
    assert_eq!(a["target_wan"], 200000.0);
    assert_eq!(a["approved_rate"], 0.775);
    assert_eq!(a["received_rate"], 0.6);
    let bond = &a["by_category"]["special_bond"];
    assert_eq!(bond["count"], 3);
    assert_eq!(bond["applied_wan"], 170000.0);
    assert_eq!(bond["approved_wan"], 125000.0);
    assert_eq!(bond["received_wan"], 110000.0);
    assert_eq!(bond["target_wan"], 120000.0);
    let policy = &a["by_category"]["policy"];
    assert_eq!(policy["count"], 2);
    assert_eq!(policy["target_wan"], Value::Null);
    assert_eq!(a["by_state"]["received"]["count"], 3);
    assert_eq!(a["by_state"]["received"]["received_wan"], 90000.0);
    assert_eq!(a["by_state"]["rejected"]["count"], 2);
    assert!(a["by_state"].get("review").is_some());

    // 拿地即开工 within the sample's 90 days: six starts ten days after the land, none in
    // September.
    assert_eq!(
        b["land_to_start"],
        serde_json::json!({"month": 0, "ytd": 6, "within_days": 90})
    );
    let wide = edited_config(|t| t.replace("land_to_start_days = 90", "land_to_start_days = 180"));
    let b = json(
        &t.url,
        &wide.path().join("docket.toml"),
        &[
            "bulletin", "build", "--month", "2024-09", "--format", "json",
        ],
    );
    assert_eq!(
        b["land_to_start"],
        serde_json::json!({"month": 1, "ytd": 8, "within_days": 180})
    );

    // The section in the text and HTML outputs (DOCX and PDF: tests/bulletin.rs).
    for format in ["text", "html"] {
        let o = docket(
            &t.url,
            &cfg,
            &[
                "bulletin", "build", "--month", "2024-09", "--format", format,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        for s in [
            "七、争取上级资金和政策",
            "共申报争取上级资金和政策事项11项",
            "获批完成77.5%",
            "地方政府专项债券",
            "拿地即开工（用地审批后90日内开工）",
        ] {
            assert!(out.contains(s), "{format} lacks {s:?}");
        }
    }
}
dual_test!(bulletin_counts_applications_and_land_to_start);

async fn api_lists_applications_by_who_asks(t: &TestDb) {
    import_sample(&t.url, &["projects", "applications"]);
    let office = token(&t.url, "chen_zhiyuan");
    let leader = token(&t.url, "zhang_jianguo");
    let owner = token(&t.url, "xu_fang");
    let member = token(&t.url, "sun_li");
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(&t.url, dir.path(), None).await;
    let get = |who: &str, path: &str| s.http.get(s.url(path)).bearer_auth(who.to_string()).send();
    let r = s.http.get(s.url("/api/applications")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = get(&member, "/api/applications").await.unwrap();
    assert_eq!(r.status(), 403, "a task-force member is not a reader");
    for who in [&office, &leader] {
        let r = get(who, "/api/applications").await.unwrap();
        assert_eq!(r.status(), 200, "{}", s.log());
        assert_eq!(
            r.json::<Value>().await.unwrap().as_array().unwrap().len(),
            12
        );
    }
    // The city investment group's contact sees its unit's two applications only.
    let mine: Value = get(&owner, "/api/applications")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert!(
        mine.iter()
            .all(|a| a["unit"] == "示例市城市建设投资集团有限公司")
    );
    let r = get(&office, "/api/applications?state=到位").await.unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap().as_array().unwrap().len(),
        3
    );
    let r = get(&office, "/api/applications?category=gold")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // One with its history; another unit's is not found for the owner.
    let r = get(&office, "/api/applications/1").await.unwrap();
    assert_eq!(r.status(), 200);
    let one: Value = r.json().await.unwrap();
    assert_eq!(one["history"].as_array().unwrap().len(), 1);
    let r = get(&owner, "/api/applications/1").await.unwrap();
    assert_eq!(r.status(), 404);
    let doc: Value = s
        .http
        .get(s.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/applications"].is_object());
    // The multipart import takes the new kind (the office only).
    let form = || {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(std::fs::read(sample("applications")).unwrap())
                .file_name("申报.csv"),
        )
    };
    let r = s
        .http
        .post(s.url("/api/imports/applications"))
        .bearer_auth(&leader)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = s
        .http
        .post(s.url("/api/imports/applications"))
        .bearer_auth(&office)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", s.log());
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["report"]["applications"]["unchanged"], 12, "{v}");
}
dual_test!(api_lists_applications_by_who_asks);

async fn national_code_and_tags_in_the_library(t: &TestDb) {
    let cfg = sample_config();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(sample("projects")).unwrap();
    let mut lines: Vec<String> = text.lines().take(4).map(str::to_string).collect();
    // Row 3: 23 characters; row 4: a character not allowed.
    lines[2] = lines[2].replacen("2024-330102-48-02-100001", "2024-330102-48-02-10000", 1);
    lines[3] = lines[3].replacen("2024-330103-48-03-100002", "2024-330103-48-03-10000#", 1);
    let bad = dir.path().join("projects.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let o = docket(&t.url, &cfg, &["import", "projects", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("projects.csv:3: 项目代码: 2024-330102-48-02-10000: 23 characters"),
        "{err}"
    );
    assert!(err.contains("projects.csv:4: 项目代码:"), "{err}");
    let listed = json(&t.url, &cfg, &["project", "list", "--format", "json"]);
    assert_eq!(listed.as_array().unwrap().len(), 0, "nothing written");

    import_sample(&t.url, &["projects"]);
    let listed = json(&t.url, &cfg, &["project", "list", "--format", "json"]);
    let list = listed.as_array().unwrap();
    let first = list.iter().find(|p| p["code"] == "SZ2024001").unwrap();
    assert_eq!(first["national_code"], "2024-330101-48-01-100000");
    assert_eq!(first["tags"], serde_json::json!(["重大工程", "十四五"]));
    // Shown with the project (the API's project show is the use case's).
    let office = token(&t.url, "chen_zhiyuan");
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(&t.url, dir.path(), None).await;
    let shown: Value = s
        .http
        .get(s.url("/api/projects/SZ2024002"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["national_code"], "2024-330102-48-02-100001");
    assert_eq!(shown["tags"], serde_json::json!(["重大工程"]));
    // A change of tags is a recorded field change.
    let retagged = text.replacen("重大工程，十四五", "重大工程", 1);
    let file = dir.path().join("projects.csv");
    std::fs::write(&file, retagged).unwrap();
    let o = docket(
        &t.url,
        &cfg,
        &["import", "projects", file.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 field changes"), "{}", stdout(&o));
}
dual_test!(national_code_and_tags_in_the_library);
