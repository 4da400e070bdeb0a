//! PostgreSQL: every change to an account or one of its tokens, from any instance or any
//! tool, announces the account id on `linkgate_account_changes` when its transaction
//! commits, so every instance can evict its cached answers (answer_cache). SQLite has one
//! process per file, whose connections report changes themselves (an update hook).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
CREATE OR REPLACE FUNCTION linkgate_account_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'accounts' THEN
    PERFORM pg_notify('linkgate_account_changes', OLD.id::text);
  ELSE
    PERFORM pg_notify('linkgate_account_changes', OLD.account_id::text);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER accounts_changed AFTER UPDATE OR DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION linkgate_account_changed();
CREATE TRIGGER account_tokens_changed AFTER UPDATE OR DELETE ON account_tokens
  FOR EACH ROW EXECUTE FUNCTION linkgate_account_changed();
-- A TRUNCATE names no rows: listeners drop everything.
CREATE OR REPLACE FUNCTION linkgate_accounts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('linkgate_account_changes', 'truncated');
  RETURN NULL;
END
$$;
CREATE TRIGGER accounts_truncated AFTER TRUNCATE ON accounts
  FOR EACH STATEMENT EXECUTE FUNCTION linkgate_accounts_truncated();
CREATE TRIGGER account_tokens_truncated AFTER TRUNCATE ON account_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION linkgate_accounts_truncated();
"#;

const DOWN: &str = r#"
DROP TRIGGER IF EXISTS account_tokens_truncated ON account_tokens;
DROP TRIGGER IF EXISTS accounts_truncated ON accounts;
DROP FUNCTION IF EXISTS linkgate_accounts_truncated();
DROP TRIGGER IF EXISTS account_tokens_changed ON account_tokens;
DROP TRIGGER IF EXISTS accounts_changed ON accounts;
DROP FUNCTION IF EXISTS linkgate_account_changed();
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared(UP).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection().execute_unprepared(DOWN).await?;
        }
        Ok(())
    }
}
