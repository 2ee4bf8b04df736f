//! `docket token create|list|revoke`: API bearer tokens for the HTTP service.

use clap::{Args, Subcommand};
use docket_app::{Actor, App, tokens};

use crate::error::CliResult;
use crate::output::{self, Format};

/// Token commands.
#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Makes a token acting as the `--as` official; prints it alone on stdout (shown once).
    Create(CreateArgs),
    /// Every token: key, official, dates (never the secret).
    List(ListArgs),
    /// Revokes a token by its key (or the token itself).
    Revoke(RevokeArgs),
}

/// `token create` options.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Days until it expires (default: never).
    #[arg(long)]
    pub expires: Option<u32>,
}

/// `token list` options.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `token revoke` options.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The token's key (at least 4 characters of it).
    pub key: String,
}

/// Runs a token command.
///
/// # Errors
/// Bad input; not permitted (list and revoke are the office's); failure.
pub async fn run(app: &App, actor: &Actor, cmd: TokenCmd) -> CliResult {
    match cmd {
        TokenCmd::Create(a) => {
            let t = tokens::create_token(app, actor, a.expires).await?;
            eprintln!(
                "token {} for {} made; it is shown only now",
                t.token.key, t.token.official
            );
            output::print(&t.secret)
        }
        TokenCmd::List(a) => {
            let list = tokens::list_tokens(app, actor).await?;
            match a.format {
                Format::Json => {
                    let v: Vec<_> = list
                        .iter()
                        .map(|t| {
                            serde_json::json!({
                                "key": t.key, "official": t.official, "label": t.label,
                                "created_at": t.created_at.to_rfc3339(),
                                "expires_at": t.expires_at.map(|d| d.to_rfc3339()),
                                "revoked_at": t.revoked_at.map(|d| d.to_rfc3339()),
                                "active": t.is_active(app.now()),
                            })
                        })
                        .collect();
                    output::print_json(&v)
                }
                Format::Text => {
                    let mut s = format!(
                        "{:<10} {:<16} {:<8} {}\n",
                        "key", "official", "active", "expires"
                    );
                    for t in &list {
                        s.push_str(&format!(
                            "{:<10} {:<16} {:<8} {}\n",
                            t.key,
                            t.official,
                            if t.is_active(app.now()) { "yes" } else { "no" },
                            t.expires_at
                                .map(|d| d.to_rfc3339())
                                .unwrap_or_else(|| "-".into())
                        ));
                    }
                    s.push_str(&format!("{} token(s)", list.len()));
                    output::print(&s)
                }
            }
        }
        TokenCmd::Revoke(a) => {
            let t = tokens::revoke_token(app, actor, &a.key).await?;
            output::print(&format!("{} revoked", t.key))
        }
    }
}
