//! Authentication: API bearer tokens, sign-in links and the sign-in attempts that rate-limit
//! them, browser sessions, and the nonces of one-click action links already used.
//!
//! Every secret (token, sign-in link, session id) is stored only as its SHA-256 hex digest;
//! officials are referenced by their configured id (the configuration is the source of truth,
//! as in the outbox), so no foreign key ties these rows to the `officials` mirror.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{drop_tables, index, instant, instant_null, table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("api_tokens")
                .col(string("key"))
                .col(string("token_hash"))
                .col(string("official"))
                .col(string("label"))
                .col(instant("created_at"))
                .col(instant_null("expires_at"))
                .col(instant_null("revoked_at"))
                .col(instant_null("last_used_at"))
                .take(),
        )
        .await?;
        index(m, "api_tokens", &["key"], true).await?;
        index(m, "api_tokens", &["token_hash"], true).await?;

        m.create_table(
            table("signin_attempts")
                .col(string("email"))
                .col(string("ip"))
                .col(instant("at"))
                .take(),
        )
        .await?;
        index(m, "signin_attempts", &["email", "at"], false).await?;
        index(m, "signin_attempts", &["ip", "at"], false).await?;

        m.create_table(
            table("signin_links")
                .col(string("token_hash"))
                .col(string("official"))
                .col(string("email"))
                .col(instant("created_at"))
                .col(instant("expires_at"))
                .col(instant_null("used_at"))
                .take(),
        )
        .await?;
        index(m, "signin_links", &["token_hash"], true).await?;

        m.create_table(
            table("sessions")
                .col(string("id_hash"))
                .col(string("official"))
                .col(string("csrf_token"))
                .col(instant("created_at"))
                .col(instant("expires_at"))
                .take(),
        )
        .await?;
        index(m, "sessions", &["id_hash"], true).await?;
        index(m, "sessions", &["official"], false).await?;

        m.create_table(
            table("used_links")
                .col(string("nonce"))
                .col(string("recipient"))
                .col(string("object"))
                .col(string("action"))
                .col(instant("used_at"))
                .col(instant("expires_at"))
                .take(),
        )
        .await?;
        index(m, "used_links", &["nonce"], true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "used_links",
                "sessions",
                "signin_links",
                "signin_attempts",
                "api_tokens",
            ],
        )
        .await
    }
}
