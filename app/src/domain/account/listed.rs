//! Account rows as lists read them (dashboard pages, `/v1/am/accounts`): the sealed tokens,
//! credentials and refresh lease come back as NULL, so rendering a list never reads a secret
//! from the database, and a page's total comes with its rows in one query.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ConnectionTrait, DbErr, FromQueryResult, IdenStatic, Iterable, PaginatorTrait, QueryResult,
    QuerySelect, Select,
};

use crate::domain::DomainError;
use crate::entity::account;

/// Columns a list never needs: secrets, and the refresh machinery's own state.
const UNREAD: [account::Column; 4] = [
    account::Column::ProviderAccessToken,
    account::Column::ProviderRefreshToken,
    account::Column::ProviderCredentials,
    account::Column::RefreshLeaseId,
];

/// `q` selecting every column but the unread ones, which are NULL.
pub fn without_secrets(q: Select<account::Entity>) -> Select<account::Entity> {
    let mut q = q.select_only();
    for c in account::Column::iter() {
        q = if UNREAD.iter().any(|u| u.as_str() == c.as_str()) {
            q.expr_as(Expr::cust("CAST(NULL AS TEXT)"), c.as_str())
        } else {
            q.column(c)
        };
    }
    q
}

/// A listed row with the number of rows the query matches (`COUNT(*) OVER ()`).
struct Counted(account::Model, i64);

impl FromQueryResult for Counted {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Counted(
            account::Model::from_query_result(res, pre)?,
            res.try_get(pre, "total_rows")?,
        ))
    }
}

/// One page of `q` (already ordered), without secrets, and how many rows `q` matches.
pub async fn page_with_total(
    db: &impl ConnectionTrait,
    q: Select<account::Entity>,
    limit: u64,
    offset: u64,
) -> Result<(Vec<account::Model>, u64), DomainError> {
    let rows: Vec<Counted> = without_secrets(q.clone())
        .expr_as(Expr::cust("COUNT(*) OVER ()"), "total_rows")
        .limit(limit)
        .offset(offset)
        .into_model::<Counted>()
        .all(db)
        .await?;
    let total = match rows.first() {
        Some(r) => u64::try_from(r.1).unwrap_or(0),
        // Past the end the window has no row to ride on: ask for the count alone.
        None if offset > 0 => q.count(db).await?,
        None => 0,
    };
    Ok((rows.into_iter().map(|r| r.0).collect(), total))
}
