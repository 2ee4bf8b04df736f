//! `docket bulletin`: the sample city's September bulletin through the CLI in every format,
//! bad input exiting 2, and `bulletin send` queuing once per recipient.

use docket_testkit::{TestDb, dual_test};

use crate::cli::{docket, import_sample, sample_config, stderr, stdout};

async fn bulletin_build_and_send(t: &TestDb) {
    import_sample(
        &t.url,
        &["projects", "progress", "milestones", "indicators"],
    );
    let cfg = sample_config();
    let o = docket(
        &t.url,
        &cfg,
        &[
            "bulletin", "build", "--month", "2024-09", "--format", "json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON alone on stdout");
    assert_eq!(v["month"], "2024-09");
    let prov = &v["investment"]["by_level"]["provincial"];
    assert_eq!(prov["ytd_completed_wan"], 1_300_000.0);
    assert_eq!(
        format!("{:.1}", prov["completion_rate"].as_f64().unwrap() * 100.0),
        "87.6"
    );
    assert_eq!(
        format!(
            "{:.1}",
            prov["by_stage"]["continuing"]["completion_rate"]
                .as_f64()
                .unwrap()
                * 100.0
        ),
        "92.0"
    );
    // The same data and month give the same JSON.
    let again = docket(
        &t.url,
        &cfg,
        &[
            "bulletin", "build", "--month", "2024-09", "--format", "json",
        ],
    );
    assert_eq!(stdout(&again), stdout(&o));

    let dir = tempfile::tempdir().unwrap();
    for format in ["html", "text", "xlsx"] {
        let out = dir.path().join(format!("b.{format}"));
        let o = docket(
            &t.url,
            &cfg,
            &[
                "bulletin",
                "build",
                "--month",
                "2024-09",
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        assert!(stdout(&o).is_empty());
        let bytes = std::fs::read(&out).unwrap();
        if format != "xlsx" {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.contains("92.0%") && text.contains("87.6%"), "{format}");
        } else {
            assert!(bytes.starts_with(b"PK"));
        }
    }

    for (args, what) in [
        (vec!["bulletin", "build", "--month", "2024-13"], "2024-13"),
        (
            vec!["bulletin", "build", "--month", "2024-09", "--format", "pdf"],
            "pdf",
        ),
        (vec!["bulletin", "build", "--month", "2024-01"], "1-2月"),
    ] {
        let o = docket(&t.url, &cfg, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(what), "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }

    let o = docket(&t.url, &cfg, &["bulletin", "send", "--month", "2024-09"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "queued 5 of 5 recipients");
    let o = docket(&t.url, &cfg, &["bulletin", "send", "--month", "2024-09"]);
    assert_eq!(stdout(&o).trim(), "queued 0 of 5 recipients");
    let o = docket(
        &t.url,
        &cfg,
        &["bulletin", "send", "--month", "2024-09", "--resend"],
    );
    assert_eq!(stdout(&o).trim(), "queued 5 of 5 recipients");
}
dual_test!(bulletin_build_and_send);

/// Nothing empty reaches leaders: a month without data exits 2 naming what is missing, for
/// `build` and `send` alike, and queues nothing.
async fn empty_bulletins_are_refused(t: &TestDb) {
    let cfg = sample_config();
    let o = docket(&t.url, &cfg, &["bulletin", "build", "--month", "2024-09"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no projects"), "{}", stderr(&o));
    import_sample(&t.url, &["projects"]);
    let o = docket(&t.url, &cfg, &["bulletin", "send", "--month", "2024-09"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no completed investment"),
        "{}",
        stderr(&o)
    );
    let o = docket(&t.url, &cfg, &["mail", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|m| m["kind"] != "bulletin"),
        "no bulletin queued"
    );
}
dual_test!(empty_bulletins_are_refused);
