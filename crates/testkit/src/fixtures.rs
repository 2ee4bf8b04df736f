//! Shared fixtures: the repository's config folder, an office configuration from TOML, the
//! shipped working-day calendars, Beijing wall-clock instants, project records and seeding
//! them, and a temporary copy of the office's mail templates.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use docket_domain::Amount;
use docket_domain::calendar::{CalendarYear, WorkCalendar};
use docket_domain::config::CoreConfig;
use docket_domain::project::{Category, Level, Stage};
use docket_store::Db;
use docket_store::library::{ImportMeta, ProjectRecord, UpsertSummary, upsert_projects};
use sea_orm::TransactionTrait;

/// The repository's root folder (`Cargo.toml`, `config/`, `migrations/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

/// The repository's `config/` folder: `docket.toml`, templates, calendars, the sample city.
pub fn config_dir() -> PathBuf {
    repo_root().join("config")
}

/// An office configuration parsed from TOML and validated.
///
/// # Panics
/// When the TOML does not parse or does not validate: the fixture itself is wrong.
pub fn core_config(toml_text: &str) -> CoreConfig {
    let core: CoreConfig = toml::from_str(toml_text).expect("the fixture's config parses");
    core.validate().expect("the fixture's config is valid");
    core
}

/// The shipped working-day calendar (`config/calendar/YEAR.toml`) of `years`.
///
/// # Panics
/// When a year's table is missing or does not parse.
pub fn calendar(years: &[i32]) -> WorkCalendar {
    let dir = config_dir().join("calendar");
    WorkCalendar::new(years.iter().map(|y| {
        let text = std::fs::read_to_string(dir.join(format!("{y}.toml")))
            .unwrap_or_else(|e| panic!("calendar/{y}.toml: {e}"));
        CalendarYear::from_toml_str(&text).unwrap_or_else(|e| panic!("calendar/{y}.toml: {e}"))
    }))
}

/// The instant of a Beijing wall-clock time.
///
/// # Panics
/// When the date or time does not exist.
pub fn beijing(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Shanghai
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a valid Beijing time")
        .with_timezone(&Utc)
}

/// A municipal, continuing industry project of 2024: name `项目CODE`, owner unit
/// `建设单位CODE`, 10,000 万元 total, 1,000 万元 planned this year, no district, official,
/// contact or monthly plans. Change the fields a test cares about with `..project(code)`.
pub fn project(code: &str) -> ProjectRecord {
    ProjectRecord {
        code: code.into(),
        name: format!("项目{code}"),
        level: Level::Municipal,
        stage: Stage::Continuing,
        category: Category::Industry,
        plan_year: 2024,
        total_investment: Amount::from_wan(10_000),
        annual_plan: Amount::from_wan(1_000),
        owner_unit: format!("建设单位{code}"),
        district: None,
        responsible_official: None,
        contact_email: None,
        special_bond: false,
        monthly_plans: [None; 12],
        national_code: None,
        tags: Vec::new(),
    }
}

/// Mirrors `core`'s officials and task forces and imports `projects`, in one transaction,
/// as the office importing `test.csv` at time 0.
///
/// # Panics
/// When a statement fails.
pub async fn seed_projects(
    db: &Db,
    core: &CoreConfig,
    projects: &[ProjectRecord],
) -> UpsertSummary {
    let txn = db.conn.begin().await.expect("begin");
    docket_store::reference::sync_reference(&txn, core, 0)
        .await
        .expect("mirror the config");
    let meta = ImportMeta {
        source_file: "test.csv".into(),
        actor: "office".into(),
        now_ms: 0,
    };
    let summary = upsert_projects(&txn, projects, &meta, |_| {})
        .await
        .expect("import the projects");
    txn.commit().await.expect("commit");
    summary
}

/// A temporary copy of the shipped mail templates (`zh/` and `en/`), for tests that edit
/// one; removed on drop.
#[derive(Debug)]
pub struct TempTemplates {
    dir: tempfile::TempDir,
}

impl TempTemplates {
    /// Copies `config/templates` into a new temporary folder.
    ///
    /// # Panics
    /// When a file cannot be read or written.
    pub fn copy() -> TempTemplates {
        let dir = tempfile::tempdir().expect("temp dir");
        let from = config_dir().join("templates");
        for lang in ["zh", "en"] {
            std::fs::create_dir_all(dir.path().join(lang)).expect("create the language folder");
            for e in std::fs::read_dir(from.join(lang)).expect("read the templates") {
                let e = e.expect("a template");
                std::fs::copy(e.path(), dir.path().join(lang).join(e.file_name()))
                    .expect("copy a template");
            }
        }
        TempTemplates { dir }
    }

    /// The folder holding `zh/` and `en/`.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Replaces the text of template `file` (e.g. `zh/reminder.txt`) by `edit`'s result and
    /// returns it.
    ///
    /// # Panics
    /// When the file cannot be read or written, or `edit` changes nothing.
    pub fn edit(&self, file: &str, edit: impl FnOnce(&str) -> String) -> String {
        let path = self.dir.path().join(file);
        let text = std::fs::read_to_string(&path).expect("read the template");
        let edited = edit(&text);
        assert_ne!(edited, text, "the edit of {file} changes nothing");
        std::fs::write(&path, &edited).expect("write the template");
        edited
    }
}
