//! What every command works with: the validated configuration, the database, the clock
//! and the working-day calendar.

use std::path::Path;
use std::sync::Arc;

use docket_domain::calendar::{CalendarYear, WorkCalendar};
use docket_domain::clock::{Clock, SystemClock};
use docket_store::Db;

use crate::config::{self, AppConfig};
use crate::error::{CliError, CliResult};

/// The wiring of one process.
#[derive(Debug, Clone)]
pub struct App {
    /// The configuration.
    pub config: Arc<AppConfig>,
    /// The database.
    pub db: Db,
    /// The clock (system time outside tests).
    pub clock: Arc<dyn Clock>,
    /// The working-day calendar.
    pub calendar: Arc<WorkCalendar>,
    /// The official the command acts as (`--as`); the office when `None`.
    pub actor: Option<String>,
}

impl App {
    /// Loads the configuration, connects to (and migrates) the database, reads the calendar.
    ///
    /// # Errors
    /// Bad input for a bad config, URL or calendar file; failure if the database is down.
    pub async fn start(
        config_path: &Path,
        database_url: &str,
        actor: Option<String>,
    ) -> CliResult<App> {
        let mut app = App::connect(config_path, database_url, actor).await?;
        docket_store::migrate(&app.db).await?;
        app.calendar = Arc::new(app.merged_calendar().await?);
        Ok(app)
    }

    /// The config folder's calendar with the years imported into the database
    /// (`docket calendar import`) laid over it: an imported year replaces a shipped one.
    ///
    /// # Errors
    /// Failure if the database fails or a stored table no longer parses.
    pub async fn merged_calendar(&self) -> CliResult<WorkCalendar> {
        let mut cal = (*self.calendar).clone();
        for y in docket_store::calendar::list_years(&self.db.conn).await? {
            let table = CalendarYear::from_toml_str(&y.table_toml).map_err(|e| {
                CliError::Failed(anyhow::anyhow!(
                    "stored calendar for {} is unreadable: {e}",
                    y.year
                ))
            })?;
            cal.insert(table);
        }
        Ok(cal)
    }

    /// As [`App::start`] but leaves the schema as it is (for `docket migrate` itself).
    ///
    /// # Errors
    /// As [`App::start`].
    pub async fn connect(
        config_path: &Path,
        database_url: &str,
        actor: Option<String>,
    ) -> CliResult<App> {
        let config = config::load(config_path)?;
        if let Some(id) = &actor
            && config.core.official(id).is_none()
        {
            return Err(CliError::bad_input(format!(
                "--as {id}: no official with this id in the config"
            )));
        }
        let calendar = load_calendar(&config.dir().join("calendar"))?;
        let db = docket_store::connect(database_url).await?;
        Ok(App {
            config: Arc::new(config),
            db,
            clock: Arc::new(SystemClock),
            calendar: Arc::new(calendar),
            actor,
        })
    }
}

impl App {
    /// Mirrors the configured officials and task forces into the database. Done by the
    /// commands that change what the office runs with (`migrate`, `run`, `demo`), not on
    /// every command.
    ///
    /// # Errors
    /// Failure if the database fails.
    pub async fn sync_reference(&self) -> CliResult {
        use sea_orm::TransactionTrait;
        let txn = self
            .db
            .conn
            .begin()
            .await
            .map_err(docket_store::StoreError::from)?;
        let now = docket_store::time::to_ms(self.clock.now());
        docket_store::reference::sync_reference(&txn, &self.config.core, now).await?;
        txn.commit().await.map_err(docket_store::StoreError::from)?;
        Ok(())
    }

    /// Who acts: the `--as` official's id, or `office`.
    pub fn actor_id(&self) -> String {
        self.actor.clone().unwrap_or_else(|| "office".to_string())
    }
}

/// Reads every `*.toml` year table in `dir` (a missing folder gives an empty calendar).
///
/// # Errors
/// Bad input naming the file for a table that does not parse or check.
pub fn load_calendar(dir: &Path) -> CliResult<WorkCalendar> {
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
            .map_err(|e| CliError::bad_input(format!("{}: cannot read: {e}", p.display())))?;
        let table = CalendarYear::from_toml_str(&text)
            .map_err(|e| CliError::bad_input(format!("{}: {e}", p.display())))?;
        tables.push(table);
    }
    Ok(WorkCalendar::new(tables))
}
