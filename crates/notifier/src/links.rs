//! One-click links in emails. The notifier knows nothing of signing: the layer above hands
//! the dispatcher a [`LinkMaker`], asked at render time for the links an email to an
//! official carries (templates show them under `links`, e.g. `links.accept`).

/// Adds signed one-click links to an email's template context.
pub trait LinkMaker: Send + Sync {
    /// Adds the links a message of `kind` to the official `recipient` carries into `context`
    /// (e.g. `links: {accept, extend}` for an assignment, a `no_change` link on each project
    /// of a reminder). Leaves the context as it is when the kind carries none.
    fn add_links(
        &self,
        kind: &str,
        recipient: &str,
        context: &mut serde_json::Map<String, serde_json::Value>,
    );
}
