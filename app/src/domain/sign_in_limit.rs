//! Sign-in throttling on the shared rate counters (`rate_limit`), so the limits hold across
//! every instance and under parallel guesses: each attempt is counted *before* its password
//! is checked, by one atomic statement, and the counter decides. Limits are per (email,
//! client address) and per client address, so a stranger can lock an email out only from
//! their own address, never for the real user elsewhere (docs/security.md). A successful
//! sign-in forgives that pair and gives its attempt back to the address.
use super::rate_limit::{self, Limit};
use super::write_transaction::begin_write;
use super::DomainError;

#[derive(Clone, Copy, Debug)]
pub struct SignInLimits {
    /// Attempts for one email from one client address, per window.
    pub per_email: u64,
    /// Attempts from one client address, whatever the email, per window.
    pub per_client: u64,
    pub window_secs: i64,
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits {
            per_email: 5,
            per_client: 20,
            window_secs: 15 * 60,
        }
    }
}

/// The counters one attempt is held against.
pub struct Reservation {
    pair: String,
    address: String,
}

/// Counts an attempt before the password is checked; refuses it when a counter is full.
/// The counters are written in the writer queue, in one transaction (on SQLite a write
/// outside the queue sleeps in SQLite's busy handler while a write group holds the lock).
pub async fn reserve(
    db: &sea_orm::DatabaseConnection,
    limits: SignInLimits,
    email_key: &str,
    client_addr: &str,
    now: i64,
) -> Result<Reservation, DomainError> {
    let txn = begin_write(db).await?;
    let counted = count_attempt(&txn, limits, email_key, client_addr, now).await?;
    txn.commit().await?;
    counted.map_err(|retry_after_secs| DomainError::TooManyAttempts { retry_after_secs })
}

/// [`reserve`]'s counting: the reservation, or how long until another attempt is allowed.
async fn count_attempt(
    db: &impl sea_orm::ConnectionTrait,
    limits: SignInLimits,
    email_key: &str,
    client_addr: &str,
    now: i64,
) -> Result<Result<Reservation, u64>, DomainError> {
    let client = rate_limit::address_key(client_addr);
    let r = Reservation {
        pair: format!("signin:pair:{email_key}:{client}"),
        address: format!("signin:addr:{client}"),
    };
    let window = limits.window_secs;
    // The address first: an address over its limit adds no counter per email it tries.
    let by_address = rate_limit::hit(
        db,
        &r.address,
        Limit::new(limits.per_client as i64, window),
        now,
    )
    .await?;
    if let Err(refused) = by_address {
        return Ok(Err(refused.retry_after_secs));
    }
    let by_pair = rate_limit::hit(
        db,
        &r.pair,
        Limit::new(limits.per_email as i64, window),
        now,
    )
    .await?;
    if let Err(refused) = by_pair {
        rate_limit::give_back(db, &r.address).await?;
        return Ok(Err(refused.retry_after_secs));
    }
    Ok(Ok(r))
}

/// The attempt could not be checked (the server was busy): it does not count.
pub async fn release(db: &sea_orm::DatabaseConnection, r: Reservation) -> Result<(), DomainError> {
    // The address's row first, as `reserve` takes them: PostgreSQL locks rows in that order.
    let txn = begin_write(db).await?;
    rate_limit::give_back(&txn, &r.address).await?;
    rate_limit::give_back(&txn, &r.pair).await?;
    Ok(txn.commit().await?)
}

/// The password was right: that email's attempts from this address are forgiven.
pub async fn succeeded(
    db: &sea_orm::DatabaseConnection,
    r: Reservation,
) -> Result<(), DomainError> {
    // The address's row first, as `reserve` takes them (no lock-order deadlock on PostgreSQL).
    let txn = begin_write(db).await?;
    rate_limit::give_back(&txn, &r.address).await?;
    rate_limit::reset(&txn, &r.pair).await?;
    Ok(txn.commit().await?)
}
