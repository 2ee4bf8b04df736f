//! What every handler shares: the application, the public address, the page templates and
//! the metrics.

use std::sync::Arc;

use docket_app::App;

use crate::metrics::Metrics;
use crate::pages::Pages;

/// The service's shared state (cheap to clone).
#[derive(Clone)]
pub struct HttpState {
    /// The use cases.
    pub app: App,
    /// Where people reach the service (no trailing slash); links start with it.
    pub base_url: Arc<str>,
    /// Whether cookies are marked `Secure` (served over https).
    pub secure_cookies: bool,
    pub(crate) pages: Arc<Pages>,
    pub(crate) metrics: Arc<Metrics>,
}

impl HttpState {
    /// The state for `app`, reached at `base_url`; loads the page templates from the config
    /// folder's `templates/web/`.
    ///
    /// # Errors
    /// A message naming a missing or broken page template.
    pub fn new(app: App, base_url: &str) -> Result<HttpState, String> {
        let pages = Pages::load(&app.config.dir().join("templates/web"))?;
        Ok(HttpState {
            secure_cookies: base_url.starts_with("https://"),
            base_url: Arc::from(base_url.trim_end_matches('/')),
            app,
            pages: Arc::new(pages),
            metrics: Arc::new(Metrics::new()),
        })
    }
}
