//! docket-notifier: email. Will own the outbox dispatcher (claim with `UPDATE … RETURNING`,
//! lease, send over SMTP with lettre, retry with backoff or dead-letter), the templates under
//! `config/templates/`, digests, and the `.eml` fallback when no SMTP server is configured.
