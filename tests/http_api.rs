//! The JSON API over the real `docket run`: health, OpenAPI, bearer auth (401/403), the
//! full issue lifecycle, object-level access, a multipart import with bad rows, schedules
//! paused and resumed, metrics, and a clean stop on SIGTERM. Each on SQLite and PostgreSQL.

use docket_testkit::{TestDb, dual_test};
use serde_json::{Value, json};

use crate::cli::import_sample;
use crate::server::{Server, token};

async fn api_serves_the_issue_lifecycle_with_permissions(t: &TestDb) {
    import_sample(&t.url, &["projects"]);
    let office = token(&t.url, "chen_zhiyuan");
    let member = token(&t.url, "sun_li");
    let other = token(&t.url, "wu_gang");
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(&t.url, dir.path(), None).await;
    let h = &s.http;

    // Contract routes.
    let r = h.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"status": "ok"}));
    let doc: Value = h
        .get(s.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");
    for p in [
        "/api/issues",
        "/api/issues/{id}",
        "/api/issues/{id}/actions",
        "/api/reports",
        "/api/imports/{kind}",
    ] {
        assert!(doc["paths"][p].is_object(), "openapi lists {p}");
    }
    let r = h.get(s.url("/api/issues")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "unauthorized"
    );
    let r = h
        .get(s.url("/api/issues"))
        .bearer_auth("dkt_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // The office raises a land issue: routed to the land task force.
    let r = h
        .post(s.url("/api/issues"))
        .bearer_auth(&office)
        .json(&json!({"project": "SZ2024001", "category": "用地", "title": "用地指标未落实", "detail": "缺30亩"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", s.log());
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let act = |who: &str, body: Value| {
        h.post(s.url(&format!("/api/issues/{id}/actions")))
            .bearer_auth(who.to_string())
            .json(&body)
            .send()
    };
    // A member of another task force may not accept it: 403, nothing changes.
    let r = act(&other, json!({"action": "accept"})).await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "not_permitted"
    );
    // Bad input names the field.
    let r = act(&member, json!({"action": "resolve"})).await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.json::<Value>().await.unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("note")
    );
    let r = act(&member, json!({"action": "accept"})).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "accepted");
    // Closing before it is resolved is a conflict.
    let r = act(&office, json!({"action": "close"})).await.unwrap();
    assert_eq!(r.status(), 409);
    let r = act(&member, json!({"action": "resolve", "note": "已调剂指标"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = act(&office, json!({"action": "close", "note": "核实无误"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let d: Value = h
        .get(s.url(&format!("/api/issues/{id}")))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["state"], "closed");
    assert!(d["history"].as_array().unwrap().len() >= 4, "{d}");
    // Lists: open only by default, all with ?all=true.
    let open: Value = h
        .get(s.url("/api/issues"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(open.as_array().unwrap().len(), 0);
    let all: Value = h
        .get(s.url("/api/issues?all=true&task_force=land"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 1);

    // Object-level access: an owner contact sees only its unit's projects.
    let owner = token(&t.url, "huang_wei");
    let mine: Value = h
        .get(s.url("/api/projects"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let units: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["owner_unit"].as_str().unwrap())
        .collect();
    assert!(
        !units.is_empty() && units.iter().all(|u| *u == "华海药业股份有限公司"),
        "{units:?}"
    );
    let r = h
        .get(s.url("/api/projects/SZ2024002"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "another unit's project is not shown");
    let r = h
        .get(s.url("/api/projects/SZ2024003"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = h
        .get(s.url(&format!("/api/issues/{id}")))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "another unit's issue is not shown");
    // Only the office reads the outbox.
    let r = h
        .get(s.url("/api/mail"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = h
        .get(s.url("/api/mail?limit=5"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Metrics: Prometheus text with the request histogram and the issue counts.
    let m = h
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        m.contains("docket_http_request_duration_seconds_bucket"),
        "{m}"
    );
    assert!(m.contains("docket_issues{state=\"closed\"} 1"), "{m}");
    assert!(m.contains("docket_outbox_messages{"), "{m}");
    assert!(m.contains("docket_mail_delivery_paused 0"), "{m}");
    assert!(m.contains("docket_mail_connection_failures 0"), "{m}");

    assert!(s.stop(), "docket run exits 0 on SIGTERM: {}", s.log());
}
dual_test!(api_serves_the_issue_lifecycle_with_permissions);

async fn multipart_import_with_bad_rows_writes_nothing(t: &TestDb) {
    let office = token(&t.url, "chen_zhiyuan");
    let member = token(&t.url, "sun_li");
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(&t.url, dir.path(), None).await;
    let good =
        std::fs::read_to_string(crate::cli::root().join("config/sample/projects.csv")).unwrap();
    let mut lines: Vec<String> = good.lines().take(4).map(str::to_string).collect();
    // Row 3: a level that does not exist; row 4: an annual plan that is not a number.
    lines[2] = lines[2].replacen("省重点", "国重点", 1);
    let cols: Vec<&str> = lines[3].split(',').collect();
    let mut cols: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
    cols[7] = "很多".into();
    lines[3] = cols.join(",");
    let body = lines.join("\n");
    let form = || {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(body.clone().into_bytes()).file_name("重点项目.csv"),
        )
    };
    let r = s
        .http
        .post(s.url("/api/imports/projects"))
        .bearer_auth(&member)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "only the office imports");
    let r = s
        .http
        .post(s.url("/api/imports/projects"))
        .bearer_auth(&office)
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    let details: Vec<&str> = e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(e["error"]["code"], "bad_input");
    assert!(
        details.iter().any(|d| d.starts_with("重点项目.csv:3:")),
        "{details:?}"
    );
    assert!(
        details.iter().any(|d| d.starts_with("重点项目.csv:4:")),
        "{details:?}"
    );
    let listed: Value = s
        .http
        .get(s.url("/api/projects"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 0, "nothing written");
    // The good rows alone import.
    let ok = lines[..2].join("\n");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(ok.into_bytes()).file_name("good.csv"),
    );
    let r = s
        .http
        .post(s.url("/api/imports/projects"))
        .bearer_auth(&office)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", s.log());
    let listed: Value = s
        .http
        .get(s.url("/api/projects"))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}
dual_test!(multipart_import_with_bad_rows_writes_nothing);

// Schedules over the API: the office pauses 催报 with a reason (the list shows who and why),
// a second pause conflicts, an unknown schedule is bad input, another official may not, and
// the resume clears the pause.
async fn api_pauses_and_resumes_schedules(t: &TestDb) {
    let office = token(&t.url, "chen_zhiyuan");
    let member = token(&t.url, "sun_li");
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(&t.url, dir.path(), None).await;
    let h = &s.http;
    let post = |path: &str, who: &str, body: Value| {
        h.post(s.url(path)).bearer_auth(who).json(&body).send()
    };
    let get = |who: &str| h.get(s.url("/api/schedules")).bearer_auth(who).send();

    let r = post("/api/schedules/remind/pause", &member, json!({}))
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "only the office");
    let r = post(
        "/api/schedules/remind/pause",
        &office,
        json!({"reason": "春节假期停报"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["schedule"], "remind");
    assert_eq!(e["action"], "pause");
    let list: Value = get(&office).await.unwrap().json().await.unwrap();
    let remind = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "remind")
        .expect("remind listed");
    assert_eq!(remind["paused"]["reason"], "春节假期停报", "{remind}");
    assert_eq!(remind["paused"]["by"], "chen_zhiyuan");
    assert!(!remind["next"].as_array().unwrap().is_empty(), "{remind}");
    let open = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "open");
    assert_eq!(open.expect("open listed")["paused"], Value::Null);

    let r = post("/api/schedules/remind/pause", &office, json!({}))
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "already paused");
    let r = post("/api/schedules/nightly/pause", &office, json!({}))
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "no such schedule");
    let r = post("/api/schedules/remind/resume", &office, json!({}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = post("/api/schedules/remind/resume", &office, json!({}))
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "not paused");
    assert_eq!(get(&member).await.unwrap().status(), 403);
}
dual_test!(api_pauses_and_resumes_schedules);
