//! The data under load, written straight into the fresh database with the domain's own
//! keyed hashes (the server runs with the same master key): an owner, an application with
//! many accounts and tokens for the lookups, another with the dashboard's accounts, and
//! one-time codes minted just before each exchange run.
use app::app_views::NewApp;
use app::domain::app::{lifecycle, return_urls, AppKeys};
use app::domain::authz::{Actor, Principal};
use app::domain::crypto::{random_token, HashPurpose, MasterKey};
use app::domain::flow::{account_token, code_exchange, FlowKeys, CODE_TTL_SECS};
use app::domain::now_unix;
use app::domain::password::PasswordGate;
use app::domain::sealed::KeyRing;
use app::domain::sign_up::{sign_up, SignUpInput, SignUpLimits, Verification};
use app::entity::{account, account_token as token_row, auth_code, team_member};
use app::viewer::Role;
use rand::seq::SliceRandom;
use rand::Rng;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use crate::BenchError;

/// Where the flow scenario's apps send the end user back (never visited).
pub const RETURN_URL: &str = "https://app.bench.example/done";
const SERVICE_TYPES: [&str; 4] = ["Google", "Office365", "Zoho", "Sandbox"];
/// Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits.
const BATCH: usize = 500;

pub struct BenchApp {
    pub id: Uuid,
    pub client_id: String,
    pub secret: String,
    pub account_ids: Vec<i64>,
}

impl BenchApp {
    /// AppAuth: `Basic base64(clientId:clientSecret)`.
    pub fn basic(&self) -> String {
        crate::wrk::basic_auth(&self.client_id, &self.secret)
    }
}

pub struct Seeded {
    pub owner_email: String,
    pub owner_password: String,
    pub lookups: BenchApp,
    pub dashboard: BenchApp,
    /// Account tokens of the lookup app, each with the account it belongs to.
    pub tokens: Vec<(String, i64)>,
}

pub struct Keys {
    pub app: AppKeys,
    pub flow: FlowKeys,
}

impl Keys {
    pub fn new(master: &MasterKey) -> Keys {
        Keys {
            app: AppKeys {
                secret_hasher: master.hasher(HashPurpose::ClientSecret),
                ring: KeyRing::new(master.clone(), Vec::new()),
            },
            flow: FlowKeys::new(master, &[]),
        }
    }
}

pub async fn seed(
    db: &DatabaseConnection,
    keys: &Keys,
    accounts: usize,
    dashboard_accounts: usize,
) -> Result<Seeded, BenchError> {
    let now = now_unix();
    let owner_email = "owner@bench.example".to_owned();
    let owner_password = random_token("bench-");
    let user_id = sign_up(
        db,
        &PasswordGate::new(1),
        SignUpLimits::default(),
        Verification::Trusted,
        SignUpInput {
            name: "Bench Owner".into(),
            email: owner_email.clone(),
            password: owner_password.clone(),
            client_addr: "127.0.0.1".into(),
        },
        now,
    )
    .await?;
    let membership = team_member::Entity::find()
        .filter(team_member::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(BenchError::Seed("the owner has no team"))?;
    let owner = Actor {
        principal: Principal::User(user_id),
        team_id: membership.team_id,
        role: Role::Owner,
        label: owner_email.clone(),
    };
    let mut lookups = app(db, keys, &owner, "Bench lookups", now).await?;
    lookups.account_ids = insert_accounts(db, lookups.id, accounts, now).await?;
    let mut dashboard = app(db, keys, &owner, "Bench dashboard", now).await?;
    dashboard.account_ids = insert_accounts(db, dashboard.id, dashboard_accounts, now).await?;
    let tokens = insert_tokens(db, keys, &lookups, accounts, now).await?;
    Ok(Seeded {
        owner_email,
        owner_password,
        lookups,
        dashboard,
        tokens,
    })
}

async fn app(
    db: &DatabaseConnection,
    keys: &Keys,
    owner: &Actor,
    name: &str,
    now: i64,
) -> Result<BenchApp, BenchError> {
    let NewApp {
        id,
        client_id,
        secret,
        ..
    } = lifecycle::create(db, &keys.app, owner, name, now).await?;
    let id = Uuid::parse_str(&id).map_err(|_| BenchError::Seed("app id"))?;
    return_urls::add(db, owner, id, RETURN_URL, now).await?;
    Ok(BenchApp {
        id,
        client_id,
        secret,
        account_ids: Vec::new(),
    })
}

/// Accounts as a flow leaves them, spread over a few providers and a year of sign-ups.
async fn insert_accounts(
    db: &DatabaseConnection,
    app_id: Uuid,
    count: usize,
    now: i64,
) -> Result<Vec<i64>, BenchError> {
    let txn = app::domain::write_transaction::begin_write(db).await?;
    let mut rng = rand::thread_rng();
    for start in (0..count).step_by(BATCH) {
        let rows = (start..count.min(start + BATCH)).map(|i| {
            let service = SERVICE_TYPES[i % SERVICE_TYPES.len()];
            let email = format!("user{i}@customer{}.example", i % 97);
            let created = now - rng.gen_range(0..365 * 24 * 3600);
            account::ActiveModel {
                app_id: Set(app_id),
                service_type: Set(service.into()),
                service_provider: Set(service.into()),
                kind: Set(app::entity::account::AccountKind::Personal),
                active: Set(true),
                token_status: Set(app::entity::account::TokenStatus::Active),
                login_string: Set(Some(email.clone())),
                email: Set(Some(email)),
                name: Set(Some(format!("Customer User {i}"))),
                auth_user_id: Set(Some(format!("subject-{i}"))),
                auth_scopes: Set("Mail.Read Calendar.Read".into()),
                auth_native_scopes: Set("mail.read calendar.read".into()),
                auth_obtained_at: Set(Some(created)),
                auth_expires_at: Set(Some(now + 3600)),
                created_at: Set(created),
                updated_at: Set(created),
                last_refreshed_at: Set(Some(created)),
                ..Default::default()
            }
        });
        account::Entity::insert_many(rows.collect::<Vec<_>>())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::AppId.eq(app_id))
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// `count` tokens, each for an account drawn at random.
async fn insert_tokens(
    db: &DatabaseConnection,
    keys: &Keys,
    app: &BenchApp,
    count: usize,
    now: i64,
) -> Result<Vec<(String, i64)>, BenchError> {
    let mut rng = rand::thread_rng();
    let tokens: Vec<(String, i64)> = (0..count)
        .filter_map(|_| {
            let account = *app.account_ids.choose(&mut rng)?;
            Some((random_token(account_token::PREFIX), account))
        })
        .collect();
    let txn = app::domain::write_transaction::begin_write(db).await?;
    for batch in tokens.chunks(BATCH) {
        let rows = batch
            .iter()
            .map(|(token, account_id)| token_row::ActiveModel {
                token_hash: Set(keys.flow.token.hash(token.as_bytes())),
                account_id: Set(*account_id),
                app_id: Set(app.id),
                code_hash: Set(None),
                created_at: Set(now),
            });
        token_row::Entity::insert_many(rows.collect::<Vec<_>>())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(tokens)
}

/// Fresh one-time codes of `app`, each for an account drawn at random, as a finished flow
/// issues them.
pub async fn mint_codes(
    db: &DatabaseConnection,
    keys: &Keys,
    app: &BenchApp,
    count: usize,
) -> Result<Vec<(String, i64)>, BenchError> {
    let now = now_unix();
    let mut rng = rand::thread_rng();
    let codes: Vec<(String, i64)> = (0..count)
        .filter_map(|_| {
            let account = *app.account_ids.choose(&mut rng)?;
            Some((random_token(code_exchange::PREFIX), account))
        })
        .collect();
    let txn = app::domain::write_transaction::begin_write(db).await?;
    for batch in codes.chunks(BATCH) {
        let rows = batch
            .iter()
            .map(|(code, account_id)| auth_code::ActiveModel {
                code_hash: Set(keys.flow.code.hash(code.as_bytes())),
                app_id: Set(app.id),
                account_id: Set(*account_id),
                issued_at: Set(now),
                expires_at: Set(now + CODE_TTL_SECS),
                used_at: Set(None),
                end_user_id: Set(None),
                issue_session: Set(false),
            });
        auth_code::Entity::insert_many(rows.collect::<Vec<_>>())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(codes)
}
