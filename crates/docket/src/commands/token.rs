//! `docket token create|list|revoke`: API bearer tokens for the HTTP service.

use clap::{Args, Subcommand};
use docket_app::{Actor, App, tokens};

use crate::error::CliResult;
use crate::i18n::Lang;
use crate::i18n::words::{self, pad};
use crate::output::{self, Format};
use crate::tr;

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
pub async fn run(app: &App, actor: &Actor, cmd: TokenCmd, lang: Lang) -> CliResult {
    match cmd {
        TokenCmd::Create(a) => {
            let t = tokens::create_token(app, actor, a.expires).await?;
            eprintln!(
                "{}",
                tr!(
                    lang,
                    "已为 {} 创建令牌 {}；令牌只显示这一次",
                    "token {1} for {0} made; it is shown only now",
                    words::who(app, lang, &t.token.official),
                    t.token.key
                )
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
                    let head = match lang {
                        Lang::Zh => ["编号", "人员", "有效", "到期"],
                        Lang::En => ["key", "official", "active", "expires"],
                    };
                    let line = |c: [&str; 4]| {
                        format!(
                            "{} {} {} {}\n",
                            pad(c[0], 10),
                            pad(c[1], 16),
                            pad(c[2], 8),
                            c[3]
                        )
                    };
                    let mut s = line(head);
                    for t in &list {
                        let expires = t
                            .expires_at
                            .map(|d| words::office_time(app, d))
                            .unwrap_or_else(|| lang.pick("永不过期", "-").into());
                        s.push_str(&line([
                            &t.key,
                            &words::who(app, lang, &t.official),
                            words::yes_no(lang, t.is_active(app.now())),
                            &expires,
                        ]));
                    }
                    s.push_str(&tr!(lang, "共 {} 个令牌", "{} token(s)", list.len()));
                    output::print(&s)
                }
            }
        }
        TokenCmd::Revoke(a) => {
            let t = tokens::revoke_token(app, actor, &a.key).await?;
            output::print(&tr!(lang, "{} 已吊销", "{} revoked", t.key))
        }
    }
}
