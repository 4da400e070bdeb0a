//! Account rows as lists read them (dashboard pages, `/v1/am/accounts`): the sealed tokens,
//! credentials and refresh lease come back as NULL, so rendering a list never reads a secret
//! from the database.
use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, IdenStatic, Iterable, PaginatorTrait, QuerySelect, Select};

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

/// One page of `q` (already ordered), without secrets, and how many rows `q` matches.
/// Decision, measured (docs/performance.md): two queries. A `COUNT(*) OVER ()` beside the
/// page made the database read every matching row whole, about three times the CPU of an
/// index-only count and a short page.
pub async fn page_with_total(
    db: &impl ConnectionTrait,
    q: Select<account::Entity>,
    limit: u64,
    offset: u64,
) -> Result<(Vec<account::Model>, u64), DomainError> {
    let total = q.clone().count(db).await?;
    if offset >= total {
        return Ok((Vec::new(), total));
    }
    let rows = without_secrets(q)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((rows, total))
}
