//! Schema migrations, applied at server start-up. One schema serves SQLite and PostgreSQL.
pub use sea_orm_migration::prelude::*;

mod m20261127_000001_identity;
mod m20261127_000002_team_admin;
mod m20261127_000003_app_credentials;
mod m20261127_000004_provider_registrations;
mod m20261127_000005_custom_providers;
mod m20261127_000006_accounts;
mod m20261127_000007_trusted_domains;
mod m20261127_000008_account_flows;
mod m20261127_000009_users_and_daemons;
mod m20261127_000010_password_accounts;
mod m20261202_000011_security;
mod m20261202_000012_webhooks;
mod m20261202_000013_account_directory;
mod m20261202_000014_event_history;
mod m20261202_000015_end_user_settings;
mod m20261202_000016_account_change_notices;
mod m20261204_000017_mail;
mod m20261204_000018_two_factor;
mod m20261204_000019_known_devices;
mod m20261204_000020_connect_links;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_identity::Migration),
            Box::new(m20261127_000002_team_admin::Migration),
            Box::new(m20261127_000003_app_credentials::Migration),
            Box::new(m20261127_000004_provider_registrations::Migration),
            Box::new(m20261127_000005_custom_providers::Migration),
            Box::new(m20261127_000006_accounts::Migration),
            Box::new(m20261127_000007_trusted_domains::Migration),
            Box::new(m20261127_000008_account_flows::Migration),
            Box::new(m20261127_000009_users_and_daemons::Migration),
            Box::new(m20261127_000010_password_accounts::Migration),
            Box::new(m20261202_000011_security::Migration),
            Box::new(m20261202_000012_webhooks::Migration),
            Box::new(m20261202_000013_account_directory::Migration),
            Box::new(m20261202_000014_event_history::Migration),
            Box::new(m20261202_000015_end_user_settings::Migration),
            Box::new(m20261202_000016_account_change_notices::Migration),
            Box::new(m20261204_000017_mail::Migration),
            Box::new(m20261204_000018_two_factor::Migration),
            Box::new(m20261204_000019_known_devices::Migration),
            Box::new(m20261204_000020_connect_links::Migration),
        ]
    }
}
