//! Sign-up: a new user, a team named after them, and their Owner membership, in one transaction.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, SqlErr,
};
use uuid::Uuid;

use super::authz::{Actor, Principal};
use super::email_address::EmailAddress;
use super::email_link::{verification, LinkContext};
use super::password::{self, PasswordGate};
use super::person_name::PersonName;
use super::rate_limit::{self, Limit};
use super::team::audit::{self, Change};
use super::team::teams;
use super::DomainError;
use crate::entity::user;
use crate::form_outcome::FieldErrors;
use crate::viewer::Role;

pub struct SignUpInput {
    pub name: String,
    pub email: String,
    pub password: String,
    /// The client's network address, as the deployment trusts it (see server config).
    pub client_addr: String,
}

/// Sign-ups are open to anyone, and each costs a password hash and a team: bounded per
/// client address and for everyone together (docs/security.md).
#[derive(Clone, Copy, Debug)]
pub struct SignUpLimits {
    pub per_address: Limit,
    pub overall: Limit,
}

impl Default for SignUpLimits {
    fn default() -> Self {
        SignUpLimits {
            per_address: Limit::new(20, 3600),
            overall: Limit::new(1000, 3600),
        }
    }
}

/// Counts a sign-up before its work is done; refuses it past either limit.
async fn count(
    db: &DatabaseConnection,
    limits: SignUpLimits,
    client_addr: &str,
    now: i64,
) -> Result<(), DomainError> {
    let buckets = [
        (
            format!("signup:addr:{}", rate_limit::address_key(client_addr)),
            limits.per_address,
        ),
        ("signup:all".to_owned(), limits.overall),
    ];
    // In the writer queue, in one transaction (a write outside it waits in SQLite's busy
    // handler while a write group holds the lock).
    let txn = super::write_transaction::begin_write(db).await?;
    let mut refused = None;
    for (bucket, limit) in buckets {
        if let Err(r) = rate_limit::hit(&txn, &bucket, limit, now).await? {
            refused = Some(r);
            break;
        }
    }
    txn.commit().await?;
    match refused {
        Some(r) => Err(DomainError::RateLimited {
            message: "Too many accounts were created from here recently.",
            retry_after_secs: r.retry_after_secs,
        }),
        None => Ok(()),
    }
}

struct ValidSignUp {
    name: PersonName,
    email: EmailAddress,
    password: String,
}

fn validate(input: SignUpInput) -> Result<ValidSignUp, DomainError> {
    let mut errors = FieldErrors::default();
    let name = PersonName::parse(&input.name)
        .map_err(|m| errors.add("name", m))
        .ok();
    let email = EmailAddress::parse(&input.email)
        .map_err(|m| errors.add("email", m))
        .ok();
    let policy = password::check_policy(&input.password).map_err(|m| errors.add("password", m));
    match (name, email, policy) {
        (Some(name), Some(email), Ok(())) => Ok(ValidSignUp {
            name,
            email,
            password: input.password,
        }),
        _ => Err(DomainError::Invalid(errors)),
    }
}

/// How a new user's address is proven.
pub enum Verification<'a> {
    /// A confirmation link is mailed in the sign-up's transaction (everyone who signs up).
    Mail(&'a LinkContext),
    /// The operator vouches for it (`linkgate user create`, the benchmark's seed).
    Trusted,
}

/// Creates the user; returns the new user's id.
pub async fn sign_up(
    db: &DatabaseConnection,
    passwords: &PasswordGate,
    limits: SignUpLimits,
    verification: Verification<'_>,
    input: SignUpInput,
    now: i64,
) -> Result<Uuid, DomainError> {
    let client_addr = input.client_addr.clone();
    let valid = validate(input)?;
    count(db, limits, &client_addr, now).await?;
    let taken = user::Entity::find()
        .filter(user::Column::Email.eq(valid.email.as_str()))
        .one(db)
        .await?
        .is_some();
    if taken {
        return Err(DomainError::EmailTaken);
    }
    let password_hash = passwords.hash(valid.password).await?;

    let user_id = Uuid::new_v4();
    let txn = crate::domain::write_transaction::begin_write(db).await?;
    let inserted = user::ActiveModel {
        id: Set(user_id),
        name: Set(valid.name.as_str().to_owned()),
        email: Set(valid.email.as_str().to_owned()),
        password_hash: Set(password_hash),
        created_at: Set(now),
        email_verified_at: Set(match verification {
            Verification::Mail(_) => None,
            Verification::Trusted => Some(now),
        }),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let user = match inserted {
        Ok(user) => user,
        // Two sign-ups for one email raced past the check above; the unique index decides.
        Err(e) => {
            return Err(match e.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => DomainError::EmailTaken,
                _ => DomainError::Storage(e),
            })
        }
    };
    if let Verification::Mail(links) = verification {
        verification::send(&txn, links, &user, now).await?;
    }
    let team_id = teams::insert_with_owner(&txn, valid.name.as_str(), user_id, now).await?;
    let owner = Actor {
        principal: Principal::User(user_id),
        team_id,
        role: Role::Owner,
        label: valid.email.as_str().to_owned(),
    };
    let change = Change {
        action: "team.created",
        target_kind: "team",
        target_id: team_id.to_string(),
        target_label: valid.name.as_str().to_owned(),
        before: None,
        after: Some(serde_json::json!({ "name": valid.name.as_str(), "at_sign_up": true })),
    };
    audit::record(&txn, &owner, change, now).await?;
    txn.commit().await?;
    Ok(user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_bad_field_at_once() {
        let result = validate(SignUpInput {
            name: " ".into(),
            email: "nope".into(),
            password: "short".into(),
            client_addr: "127.0.0.1".into(),
        });
        let Err(DomainError::Invalid(errors)) = result else {
            panic!("accepted bad input")
        };
        for field in ["name", "email", "password"] {
            assert!(errors.for_field(field).is_some(), "no error for {field}");
        }
    }
}
