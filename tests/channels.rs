//! Channels besides email through the binary: a missing secret is a config error naming its
//! key; an issue's emails get their group-robot and SMS copies; `mail list` shows each row's
//! channel in words (邮件/企业微信/短信) and JSON gains `channel`.

use docket_testkit::{TestDb, dual_test};

use crate::cli::{docket_cmd, import_sample, raise_args, stderr, stdout};
use crate::server::edited_config;

/// The sample config with 孙丽 on SMS and the land task force's WeCom robot, both pointing at
/// a closed loopback port (the posts stay pending; nothing leaves the machine).
fn config_with_channels() -> tempfile::TempDir {
    edited_config(|text| {
        let official = "email = \"sun.li@example.gov.cn\"\n";
        let task_force = "members = [\"sun_li\"]\ncategories = [\"land\"]\n";
        assert!(text.contains(official) && text.contains(task_force));
        let text = text
            .replace(
                official,
                &format!("{official}phone = \"13800138000\"\nchannels = [\"sms\"]\n"),
            )
            .replace(
                task_force,
                &format!("{task_force}channels = [\"land_wecom\"]\n"),
            );
        format!(
            "{text}\n[[channels]]\nid = \"land_wecom\"\nkind = \"wecom\"\nname = \"用地专班群\"\n\
             url = \"http://127.0.0.1:1/cgi-bin/webhook/send\"\nkey_env = \"DOCKET_TEST_WECOM_KEY\"\n\
             \n[[channels]]\nid = \"sms\"\nkind = \"sms\"\nurl = \"http://127.0.0.1:1/sms\"\n"
        )
    })
}

async fn mail_list_shows_channels(t: &TestDb) {
    let cfg = config_with_channels();
    let work = tempfile::tempdir().unwrap();
    let config = cfg.path().join("docket.toml");
    let bare = docket_cmd(&t.url, &config).current_dir(work.path());
    let o = bare.run(&["mail", "list"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("channels[0].key_env") && stderr(&o).contains("DOCKET_TEST_WECOM_KEY"),
        "{}",
        stderr(&o)
    );

    let d = bare.env("DOCKET_TEST_WECOM_KEY", "k");
    import_sample(&t.url, &["projects"]);
    let raise = raise_args("SZ2024001", "land", "用地指标不足");
    let o = d.run(&raise);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = d.run(&["mail", "flush"]);
    assert_eq!(o.status.code(), Some(1), "the posts failed: {}", stderr(&o));
    assert!(stdout(&o).contains("sent 3 failed 2"), "{}", stdout(&o));

    // The office's list in Chinese: each row's channel in words.
    let o = d.run(&["--lang", "zh", "mail", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for want in [
        "渠道",
        "邮件",
        "企业微信",
        "短信",
        "13800138000",
        "用地专班群",
    ] {
        assert!(out.contains(want), "{want} expected:\n{out}");
    }
    assert!(
        out.contains("合计 5：待发 2 · 发送中 0 · 已发送 3"),
        "{out}"
    );
    let o = d.run(&["--lang", "zh", "mail", "status"]);
    let out = stdout(&o);
    assert!(
        out.contains("投递正常\n企业微信（用地专班群）：投递正常（连续 1 次连接失败：")
            && out.contains("短信（sms）：投递正常（连续 1 次连接失败："),
        "each channel's own breaker, email's untouched:\n{out}"
    );

    let o = d.run(&["mail", "list", "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let mut got: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["channel"].as_str().unwrap_or("").to_string(),
                r["state"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    got.sort();
    let want = [
        ("email", "sent"),
        ("email", "sent"),
        ("email", "sent"),
        ("land_wecom", "pending"),
        ("sms", "pending"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(c, s)| (c.to_string(), s.to_string()))
        .collect();
    assert_eq!(got, want);
}
dual_test!(mail_list_shows_channels);
