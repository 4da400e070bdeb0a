//! The team's accounts across every application the viewer may see: search by the start of
//! the email, filters by application, service and token status, newest first, a page at a
//! time by keyset on the id (`before`), so a page costs the same at 200,000 accounts as at
//! 20. The search is "starts with" (decision): an index on the lowercased email finds it
//! at once, where "contains" reads every account of the team.
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::app_views::{TeamAccountPage, TeamAccountRow};
use crate::domain::authz::Actor;
use crate::domain::team::grants;
use crate::domain::DomainError;
use crate::entity::account::{self, TokenStatus};

pub const PAGE: u64 = 50;

#[derive(Clone, Debug, Default)]
pub struct DirectoryFilter {
    /// Part of the email, any case.
    pub email: Option<String>,
    pub app_id: Option<Uuid>,
    pub service_type: Option<String>,
    pub token_status: Option<TokenStatus>,
    /// Only accounts with a smaller id (the previous page's last).
    pub before: Option<i64>,
}

/// The lowercased emails that start with `typed`: `[typed, typed + U+10FFFF)` in byte
/// order, so `%` or `_` typed are themselves and the prefix index serves the range.
fn prefix_range(typed: &str) -> (String, String) {
    let low = typed.to_lowercase();
    let high = format!("{low}\u{10FFFF}");
    (low, high)
}

pub async fn page(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: DirectoryFilter,
) -> Result<TeamAccountPage, DomainError> {
    let visible = grants::visible_apps(db, actor).await?;
    let apps: Vec<(Uuid, String)> = visible
        .into_iter()
        .filter_map(|a| Uuid::parse_str(&a.id).ok().map(|id| (id, a.name)))
        .collect();
    // An application the viewer may not see is as empty as an unknown one.
    let wanted: Vec<Uuid> = apps
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| filter.app_id.is_none_or(|want| want == *id))
        .collect();
    let typed = filter
        .email
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(254).collect::<String>());
    let mut query = account::Entity::find();
    query = match (&typed, db.get_database_backend()) {
        // SQLite would pick the app index (an equality) over the email range and read every
        // account of the apps; a unary `+` keeps app_id out of index choice for a search.
        (Some(_), DatabaseBackend::Sqlite) => {
            query.filter(Expr::cust(r#"+"accounts"."app_id""#).is_in(wanted))
        }
        _ => query.filter(account::Column::AppId.is_in(wanted)),
    };
    if let Some(typed) = &typed {
        let (low, high) = prefix_range(typed);
        let lowered = match db.get_database_backend() {
            DatabaseBackend::Postgres => r#"lower("accounts"."email") COLLATE "C""#,
            _ => r#"lower("accounts"."email")"#,
        };
        query = query
            .filter(Expr::cust(lowered).gte(low))
            .filter(Expr::cust(lowered).lt(high));
    }
    if let Some(s) = filter.service_type.as_deref().filter(|s| !s.is_empty()) {
        query = query.filter(account::Column::ServiceType.eq(s));
    }
    if let Some(status) = filter.token_status {
        query = query.filter(account::Column::TokenStatus.eq(status));
    }
    if let Some(before) = filter.before {
        query = query.filter(account::Column::Id.lt(before));
    }
    // One more than a page says whether there is an older one.
    let mut rows = super::listed::without_secrets(query)
        .order_by_desc(account::Column::Id)
        .limit(PAGE + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let older = more.then(|| rows.last().map(|a| a.id)).flatten();
    let name_of = |id: Uuid| {
        apps.iter()
            .find(|(a, _)| *a == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let records = rows
        .into_iter()
        .map(|a| TeamAccountRow {
            id: a.id,
            app_id: a.app_id.to_string(),
            app_name: name_of(a.app_id),
            service_type: a.service_type,
            kind: a.kind.as_str().to_owned(),
            email: a.email,
            name: a.name,
            token_status: a.token_status.as_str().to_owned(),
            created_at: a.created_at,
            last_refreshed_at: a.last_refreshed_at,
        })
        .collect();
    Ok(TeamAccountPage {
        records,
        older,
        apps: apps
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::prefix_range;

    #[test]
    fn a_prefix_is_a_range_of_lowercased_emails() {
        let (low, high) = prefix_range("Ada_%");
        assert_eq!(low, "ada_%");
        for inside in ["ada_%", "ada_%@x.test", "ada_%\u{10FFFE}"] {
            assert!(low.as_str() <= inside && inside < high.as_str(), "{inside}");
        }
        for outside in ["ada_", "ada_&", "adb", "ad"] {
            assert!(
                !(low.as_str() <= outside && outside < high.as_str()),
                "{outside}"
            );
        }
    }
}
