//! The wiring of one process: configuration, database, clock, calendar, and the feature
//! services built once from them. The CLI and the HTTP service hold one [`App`] each.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use docket_domain::calendar::{CalendarYear, WorkCalendar};
use docket_domain::clock::{Clock, SystemClock};
use docket_domain::period::IsoWeek;
use docket_notifier::{Dispatcher, NotifierSettings};
use docket_scheduler::Scheduler;
use docket_store::Db;
use docket_workflow::{Settings, Workflow};

use docket_auth::LinkSigner;

use crate::actor::Actor;
use crate::config::{self, AppConfig};
use crate::error::{AppError, AppResult};
use crate::file_store::FileStore;
use crate::links::ActionLinks;
use crate::token_uses::TokenUses;

/// Everything a use case works with.
#[derive(Debug, Clone)]
pub struct App {
    /// The validated configuration.
    pub config: Arc<AppConfig>,
    /// The database.
    pub db: Db,
    /// The clock (system time outside tests and the demo).
    pub clock: Arc<dyn Clock>,
    /// The working-day calendar: the config folder's tables with imported years laid over.
    pub calendar: Arc<WorkCalendar>,
    /// The issue workflow over this configuration and calendar.
    pub workflow: Arc<Workflow>,
    /// The weekly-dispatch scheduler over this configuration and calendar.
    pub scheduler: Arc<Scheduler>,
    /// Signed one-click links in emails, when a secret is configured ([`App::with_links`]).
    pub links: Option<Arc<ActionLinks>>,
    /// Where attachments are kept: the folder or the S3-compatible bucket of the config.
    pub files: FileStore,
    /// API token uses noted by requests, recorded in batches.
    pub token_uses: Arc<TokenUses>,
}

/// The system clock, or the test clock `DOCKET_CLOCK` (+ `DOCKET_CLOCK_SPEED`) when set: the
/// reliability harness starts real processes at a chosen instant and lets weeks pass in
/// seconds. Logged as a warning, since production never sets it.
///
/// # Errors
/// Bad input naming the variable that does not parse.
pub fn clock_from_env() -> AppResult<Arc<dyn Clock>> {
    match docket_domain::clock::ScaledClock::from_env(&|k| std::env::var(k).ok())
        .map_err(AppError::bad_input)?
    {
        Some(c) => {
            tracing::warn!(now = %c.now(), "the clock is set by DOCKET_CLOCK (a test setting)");
            Ok(Arc::new(c))
        }
        None => Ok(Arc::new(SystemClock)),
    }
}

impl App {
    /// Loads the configuration, connects to and migrates the database, reads the calendar
    /// (config folder and imported years) and builds the services.
    ///
    /// # Errors
    /// Bad input for a bad config, URL or calendar file; unexpected if the database is down.
    pub async fn start(config_path: &Path, database_url: &str) -> AppResult<App> {
        let config = config::load(config_path)?;
        let db = docket_store::connect(database_url).await?;
        docket_store::migrate(&db).await?;
        App::assemble(config, db, clock_from_env()?).await
    }

    /// Loads the configuration and connects, leaving the schema as it is (for `migrate`).
    ///
    /// # Errors
    /// As [`App::start`].
    pub async fn connect_only(
        config_path: &Path,
        database_url: &str,
    ) -> AppResult<(AppConfig, Db)> {
        let config = config::load(config_path)?;
        let db = docket_store::connect(database_url).await?;
        Ok((config, db))
    }

    /// Builds the services over an already connected, migrated database.
    ///
    /// # Errors
    /// Bad input for a bad calendar table or `[schedules]`; unexpected if the database fails.
    pub async fn assemble(config: AppConfig, db: Db, clock: Arc<dyn Clock>) -> AppResult<App> {
        let mut calendar = load_calendar(&config.dir().join("calendar"))?;
        for y in docket_store::calendar::list_years(&db.conn).await? {
            let table = CalendarYear::from_toml_str(&y.table_toml).map_err(|e| {
                AppError::unexpected(
                    format!("the stored calendar of {} is unreadable", y.year),
                    e.to_string(),
                )
            })?;
            calendar.insert(table);
        }
        App::with_parts(Arc::new(config), db, clock, calendar)
    }

    fn with_parts(
        config: Arc<AppConfig>,
        db: Db,
        clock: Arc<dyn Clock>,
        calendar: WorkCalendar,
    ) -> AppResult<App> {
        let workflow = Workflow::new(
            Settings::new(config.core.clone(), config.workflow.clone()),
            calendar.clone(),
        );
        let scheduler = scheduler(&config, &db, &calendar)?;
        let files = FileStore::open(&config.files).map_err(|e| {
            let cause = std::error::Error::source(&e)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            AppError::bad_input(format!(
                "config {}: http.files_s3: {e}{cause}",
                config.path.display()
            ))
        })?;
        Ok(App {
            config,
            db,
            clock,
            calendar: Arc::new(calendar),
            workflow: Arc::new(workflow),
            scheduler: Arc::new(scheduler),
            links: None,
            files,
            token_uses: Arc::default(),
        })
    }

    /// The same app with signed one-click links in emails (and their pages working): links
    /// under `base_url`, signed by `signer` (keyed with `DOCKET_SECRET`).
    pub fn with_links(&self, signer: LinkSigner, base_url: &str) -> App {
        let mut office: Vec<String> = self.config.workflow.office_staff.clone();
        office.push(self.config.core.office.head.clone());
        App {
            links: Some(Arc::new(ActionLinks::new(
                signer,
                base_url,
                office,
                self.clock.clone(),
            ))),
            ..self.clone()
        }
    }

    /// The same app on another clock (the demo runs September 2024 on a manual clock).
    pub fn on_clock(&self, clock: Arc<dyn Clock>) -> App {
        App {
            clock,
            ..self.clone()
        }
    }

    /// The same app over another calendar (after a year is imported); services rebuilt.
    ///
    /// # Errors
    /// As [`App::assemble`].
    pub fn with_calendar(&self, calendar: WorkCalendar) -> AppResult<App> {
        let mut app = App::with_parts(
            self.config.clone(),
            self.db.clone(),
            self.clock.clone(),
            calendar,
        )?;
        app.links = self.links.clone();
        app.token_uses = self.token_uses.clone();
        Ok(app)
    }

    /// A scheduler of its own (the service's, the demo's), holding the lease as `holder`
    /// when given, else under a unique id.
    ///
    /// # Errors
    /// Bad input for a bad `[schedules]` table.
    pub fn new_scheduler(&self, holder: Option<&str>) -> AppResult<Scheduler> {
        let s = scheduler(&self.config, &self.db, &self.calendar)?;
        Ok(match holder {
            Some(h) => s.with_holder(h),
            None => s,
        })
    }

    /// The dispatcher: email by `[smtp]` (or `DOCKET_SMTP_URL`, credentials from the
    /// environment) or `.eml` files, and the `[[channels]]` (secrets from the environment).
    ///
    /// # Errors
    /// Bad input for a bad mail configuration or template.
    pub fn dispatcher(&self) -> AppResult<Dispatcher> {
        let c = &self.config;
        let env = |k: &str| std::env::var(k).ok();
        let settings = NotifierSettings::resolve(&c.core, &c.smtp, &c.mail, c.dir(), &env)
            .and_then(|s| s.with_channels(&c.core, &c.channels, &env))
            .map_err(|e| AppError::bad_input(format!("config {}: {e}", c.path.display())))?;
        let dispatcher = Dispatcher::new(
            self.db.clone(),
            &c.core,
            settings,
            self.clock.clone(),
            self.calendar.clone(),
        )?;
        if let Some(links) = &self.links {
            dispatcher.set_links(links.clone());
        }
        Ok(dispatcher)
    }

    /// Resolves who acts: `None` is the coordinating office, else a configured official.
    ///
    /// # Errors
    /// Bad input for an id that names no official.
    pub fn actor(&self, id: Option<&str>) -> AppResult<Actor> {
        Actor::resolve(
            &self.workflow.settings,
            id.unwrap_or(docket_workflow::permission::OFFICE_ACTOR),
        )
        .map_err(|_| {
            AppError::bad_input(format!(
                "--as {}: no official with this id in the config",
                id.unwrap_or_default()
            ))
        })
    }

    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today in the office's time zone.
    pub fn today(&self) -> NaiveDate {
        self.now()
            .with_timezone(&self.workflow.settings.tz())
            .date_naive()
    }

    /// The week given (`YYYY-Www`), or the current week in office time.
    ///
    /// # Errors
    /// Bad input for a malformed week.
    pub fn week_or_current(&self, week: Option<&str>) -> AppResult<IsoWeek> {
        match week {
            Some(w) => IsoWeek::parse(w).map_err(|e| AppError::bad_input(format!("--week: {e}"))),
            None => Ok(IsoWeek::containing(self.today())),
        }
    }

    /// Mirrors the configured officials and task forces into the database; done by the
    /// commands that change what the office runs with (`migrate`, `run`, `demo`).
    ///
    /// # Errors
    /// Unexpected if the database fails.
    pub async fn sync_reference(&self) -> AppResult {
        sync_reference(&self.db, &self.config, self.now()).await
    }
}

/// A scheduler over `config` whose bulletin schedule builds and queues the bulletin.
fn scheduler(config: &Arc<AppConfig>, db: &Db, calendar: &WorkCalendar) -> AppResult<Scheduler> {
    Ok(Scheduler::new(
        db.clone(),
        config.core.clone(),
        config.schedules.clone(),
        calendar.clone(),
    )?
    .with_bulletin_hook(Arc::new(crate::service::QueueBulletin {
        config: config.clone(),
        calendar: Arc::new(calendar.clone()),
    })))
}

/// Mirrors officials and task forces into `db` (also before an [`App`] exists, for `migrate`).
///
/// # Errors
/// Unexpected if the database fails.
pub async fn sync_reference(db: &Db, config: &AppConfig, now: DateTime<Utc>) -> AppResult {
    use sea_orm::TransactionTrait;
    let txn = db.conn.begin_with_options(docket_store::db::WRITE).await?;
    docket_store::reference::sync_reference(&txn, &config.core, docket_store::time::to_ms(now))
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Reads every `*.toml` year table in `dir` (a missing folder gives an empty calendar).
///
/// # Errors
/// Bad input naming the file for a table that does not parse or check.
pub fn load_calendar(dir: &Path) -> AppResult<WorkCalendar> {
    let mut tables = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Ok(WorkCalendar::default());
    };
    let mut paths: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
    {
        let text = std::fs::read_to_string(p)
            .map_err(|e| AppError::bad_input(format!("{}: cannot read: {e}", p.display())))?;
        let table = CalendarYear::from_toml_str(&text)
            .map_err(|e| AppError::bad_input(format!("{}: {e}", p.display())))?;
        tables.push(table);
    }
    Ok(WorkCalendar::new(tables))
}
