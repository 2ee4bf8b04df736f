//! Authentication for Docket's HTTP service and CLI, without HTTP: API bearer tokens,
//! HMAC-signed one-click action links, password-less sign-in links, database sessions with a
//! CSRF token, and sign-in rate limits counted in the database so replicas agree.
//!
//! Every function is a plain async function taking `&impl ConnectionTrait` (so it runs in or
//! out of the caller's transaction) and the current instant `now`, so tests drive time.
//! Secrets (tokens, link tokens, session ids) are random, printable, and stored only as their
//! SHA-256 digest; signed links are not stored at all, only their nonce once used.
//!
//! It imports `docket-store` (the only crate with SQL) and crypto crates, never a feature
//! crate or the HTTP layer: turning an [`AuthError`] into a status code or a page is the
//! caller's job.

mod crypto;
pub mod error;
pub mod links;
pub mod session;
pub mod signin;
pub mod tokens;

pub use error::{AuthError, LinkError, RateScope};
pub use links::{ActionClaim, LinkSigner};
pub use session::{Session, SessionId};
pub use signin::{SigninConfig, SigninLink};
pub use tokens::{ApiToken, NewToken};
