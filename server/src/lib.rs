//! The Linkgate server: configuration, wiring and the HTTP surfaces. The logic lives in
//! `app::domain`; handlers here parse, call it, and map the result.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod account_change_listener;
pub mod api_error;
pub mod app_logo_form;
pub mod auth_forms;
pub mod baseline;
pub mod bundle_files;
pub mod client_addr;
pub mod config;
pub mod database;
pub mod email_link_forms;
pub mod health;
pub mod html_escape;
pub mod http_metrics;

pub mod manage;
pub mod master_key_file;
pub mod pages;
pub mod router;
pub mod run_to_completion;
pub mod same_origin;
pub mod sandbox;
pub mod security_headers;
pub mod session_touch;
pub mod telemetry;
pub mod v1;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use app::domain::account::answer_cache::AnswerCache;
use app::domain::app::AppKeys;
use app::domain::crypto::{HashPurpose, MasterKey};
use app::domain::email_link::LinkContext;
use app::domain::flow::{
    binding_upgrade, code_exchange, pending, prepared_token, FlowContext, FlowKeys, FlowStartLimits,
};
use app::domain::mail::transport::MailTransport;
use app::domain::mail::MailContext;
use app::domain::outbound::{OutboundClient, Policy};
use app::domain::password::PasswordGate;
use app::domain::rate_limit::Limit;
use app::domain::reseal::{self, ResealReport};
use app::domain::sealed::KeyRing;
use app::domain::session_store::DbSessionStore;
use app::domain::sign_in_limit::SignInLimits;
use app::domain::sign_up::SignUpLimits;
use app::domain::two_factor::TwoFactorKeys;
use app::web::{AppState, AppStateParts};
use axum::serve::{ListenerExt, TapIo};
use leptos::config::{Env, LeptosOptions};
use sea_orm::DatabaseConnection;
use tokio::net::{TcpListener, TcpStream};
use tower_sessions::ExpiredDeletion;

use config::{Config, Mode, UserCommand};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    MasterKey(#[from] master_key_file::MasterKeyError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    #[error("the HTTP client for providers could not be built: {0}")]
    Http(String),
    #[error("re-sealing failed: {0}")]
    Reseal(String),
    #[error("{0}")]
    User(String),
    #[error("mail: {0}")]
    Mail(#[from] app::domain::mail::transport::MailError),
}

/// The extra certificate authorities of `--outbound-ca-file`, read once at start.
fn outbound_roots(config: &Config) -> Result<Vec<u8>, StartError> {
    match &config.outbound_ca_file {
        Some(path) => std::fs::read(path)
            .map_err(|e| StartError::Http(format!("--outbound-ca-file {}: {e}", path.display()))),
        None => Ok(Vec::new()),
    }
}

fn app_keys(master_key: &MasterKey, previous: Vec<MasterKey>) -> AppKeys {
    AppKeys {
        secret_hasher: master_key.hasher(HashPurpose::ClientSecret),
        ring: KeyRing::new(master_key.clone(), previous),
    }
}

/// `linkgate reseal`: re-seals every stored secret under the current master key.
pub async fn reseal(config: &Config) -> Result<ResealReport, StartError> {
    config.validate()?;
    let keys = app_keys(
        &master_key_file::resolve(config)?,
        master_key_file::previous(config)?,
    );
    let db = database::connect(config).await?;
    let report = reseal::reseal_all(&db, &keys)
        .await
        .map_err(|e| StartError::Reseal(e.to_string()))?;
    db.close().await?;
    Ok(report)
}

/// `linkgate backup --to FILE`: a consistent copy of the SQLite database, taken while the
/// server serves; returns a sentence for the terminal. Opens the database as it is (no
/// migrations: a backup never changes what it copies).
pub async fn backup(config: &Config, to: &std::path::Path) -> Result<String, StartError> {
    use sea_orm::{ConnectionTrait, Database};
    let url = config.database_url();
    let Some(rest) = url.strip_prefix("sqlite://") else {
        return Err(StartError::User(
            "this server stores its data in PostgreSQL: back it up with pg_dump --format=custom --file=linkgate.dump \"$DATABASE_URL\" (docs/operations.md)".into(),
        ));
    };
    let file = rest.split('?').next().unwrap_or_default();
    if !std::path::Path::new(file).is_file() {
        return Err(StartError::User(format!("no database at {file}")));
    }
    if to.exists() {
        return Err(StartError::User(format!(
            "{} exists already; a backup never overwrites",
            to.display()
        )));
    }
    let target = to
        .to_str()
        .ok_or_else(|| StartError::User("the backup path is not UTF-8".into()))?;
    let db = Database::connect(format!("sqlite://{file}?mode=ro")).await?;
    // VACUUM INTO takes a read transaction: a consistent snapshot, writers go on meanwhile.
    let quoted = target.replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{quoted}'"))
        .await?;
    db.close().await?;
    let bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    Ok(format!("Wrote {} ({bytes} bytes).", to.display()))
}

/// `linkgate user …`: what it did, in a sentence for the terminal.
pub async fn user_command(config: &Config, command: &UserCommand) -> Result<String, StartError> {
    use app::domain::operator;
    config.validate()?;
    let db = database::connect(config).await?;
    let passwords = PasswordGate::new(1);
    let now = app::domain::now_unix();
    let password = |from_stdin: bool| -> Result<(String, bool), StartError> {
        if from_stdin {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
        } else {
            Ok((app::domain::crypto::random_token(""), true))
        }
    };
    let refused = |e: app::domain::DomainError| StartError::User(e.user_message());
    let said = match command {
        UserCommand::Create {
            email,
            name,
            password_stdin,
        } => {
            let (secret, generated) = password(*password_stdin)?;
            operator::create_user(&db, &passwords, email, name, secret.clone(), now)
                .await
                .map_err(refused)?;
            match generated {
                true => format!("Created {email}, confirmed. Password (shown once): {secret}"),
                false => format!("Created {email}, confirmed."),
            }
        }
        UserCommand::ResetPassword {
            email,
            password_stdin,
        } => {
            let (secret, generated) = password(*password_stdin)?;
            operator::set_password(&db, &passwords, email, secret.clone(), now)
                .await
                .map_err(refused)?;
            match generated {
                true => format!(
                    "Set the password of {email}; their sessions ended. Password (shown once): {secret}"
                ),
                false => format!("Set the password of {email}; their sessions ended."),
            }
        }
        UserCommand::ResetTwoFactor { email } => {
            let key = master_key_file::resolve(config)?;
            let mail = MailContext {
                ring: KeyRing::new(key, master_key_file::previous(config)?),
                public_url: config.public_origin()?,
            };
            operator::reset_two_factor(&db, &mail, email, now)
                .await
                .map_err(refused)?;
            format!("Two-factor sign-in is off for {email}; they sign in with their password.")
        }
        UserCommand::MakeOwner { email, team } => {
            let name = operator::make_owner(&db, email, team, now)
                .await
                .map_err(refused)?;
            format!("{email} is now the Owner of {name}.")
        }
    };
    db.close().await?;
    Ok(said)
}

/// Connects, migrates and serves on `listener` until `shutdown` completes, then drains.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    config.validate()?;
    let addr = listener.local_addr()?;
    config.check_bind(addr.ip())?;
    let master_key = master_key_file::resolve(&config)?;
    let previous_keys = master_key_file::previous(&config)?;
    let previous_for_flows = previous_keys.clone();
    let db = database::connect(&config).await?;
    let outbound_policy = match config.mode {
        Mode::Development => Policy::DEVELOPMENT,
        Mode::Production => Policy::PRODUCTION,
    };

    let mut leptos_options = LeptosOptions::builder()
        .output_name("linkgate")
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(match config.mode {
            Mode::Development => Env::DEV,
            Mode::Production => Env::PROD,
        })
        .build();
    // A site built with hashed names lists them in pkg/hash.txt. Leptos looks for that list
    // beside the binary unless given an absolute path, so it is given one.
    if let Some(list) = std::path::absolute(&config.site_root)
        .ok()
        .and_then(|root| app::site_assets::hash_file(&root))
    {
        leptos_options.hash_files = true;
        leptos_options.hash_file = list.to_string_lossy().as_ref().into();
    }

    // SQLite: one process owns the file and its hook evicts; PostgreSQL: live once the
    // listener listens.
    let is_sqlite = db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
    let answers = AnswerCache::new(config.token_cache_entries, is_sqlite);
    let listener_task = if is_sqlite {
        answers.watch_sqlite();
        None
    } else {
        Some(account_change_listener::AbortOnDrop(tokio::spawn(
            account_change_listener::listen(config.database_url(), db.clone(), answers.clone()),
        )))
    };
    let ring = KeyRing::new(master_key.clone(), previous_keys.clone());
    let mail_directory = app::domain::mail::mail_directory::directory(&config.data_dir);
    let transport = match &config.smtp_url {
        Some(url) => MailTransport::smtp(url, &config.mail_from())?,
        None => {
            if config.mode == Mode::Production {
                tracing::warn!(directory = %mail_directory.display(), "no --smtp-url: mail (invites, verification, password resets) is written to a directory and not sent");
            }
            MailTransport::Directory(mail_directory.clone())
        }
    };
    let links = LinkContext {
        hasher: master_key.hasher(HashPurpose::EmailLink),
        mail: MailContext {
            ring: ring.clone(),
            public_url: config.public_origin()?,
        },
    };
    let two_factor = TwoFactorKeys {
        ring: ring.clone(),
        recovery: master_key.hasher(HashPurpose::RecoveryCode),
        mail: links.mail.clone(),
    };
    let state = AppState::new(AppStateParts {
        two_factor,
        device_hasher: master_key.hasher(HashPurpose::DeviceCookie),
        session_ids: master_key.hasher(HashPurpose::DashboardSession),
        links,
        mail_directory: (config.mode == Mode::Development && config.smtp_url.is_none())
            .then(|| mail_directory.clone()),
        answers,
        db: db.clone(),
        leptos_options,
        sign_in_email_hasher: master_key.hasher(HashPurpose::SignInEmail),
        invite_hasher: master_key.hasher(HashPurpose::InviteToken),
        api_key_hasher: master_key.hasher(HashPurpose::ApiKey),
        app_keys: app_keys(&master_key, previous_keys.clone()),
        sign_in_limits: SignInLimits {
            window_secs: config.sign_in_window_secs,
            ..SignInLimits::default()
        },
        session_max_age_secs: config.session_max_age_secs,
        public_origin: config.public_origin()?,
        trust_forwarded_for: config.trust_forwarded_for,
        flows: FlowContext {
            keys: FlowKeys::new(&master_key, &previous_for_flows),
            http: OutboundClient::with_roots(
                outbound_policy,
                Duration::from_secs(config.provider_timeout_secs),
                &outbound_roots(&config)?,
            )
            .map_err(|e| StartError::Http(e.to_string()))?,
            public_origin: config.public_origin()?,
            sandbox_enabled: config.sandbox_enabled(),
            lease_secs: config.provider_timeout_secs as i64 + 5,
            check_timeout: Duration::from_secs(config.provider_timeout_secs),
            start_limits: FlowStartLimits {
                per_address: Limit::new(config.flow_starts_per_address, 10 * 60),
                per_app: Limit::new(config.flow_starts_per_app, 10 * 60),
            },
        },
        passwords: PasswordGate::per_core(),
        sign_up_limits: SignUpLimits {
            per_address: Limit::new(config.sign_ups_per_address, 3600),
            overall: Limit::new(config.sign_ups_per_hour, 3600),
        },
    });
    if config.mode == Mode::Production && config.sandbox_enabled() {
        tracing::warn!("the Sandbox provider is on in production: anyone can sign in to it as anyone; turn it off with --sandbox false");
    }
    // Before serving: accounts from before provider bindings get theirs (docs/security.md).
    match binding_upgrade::bind_unbound(&db, &state.flows).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(accounts = n, "bound accounts' tokens to their providers"),
        Err(e) => tracing::error!(error = %e, "could not bind accounts' tokens to their providers"),
    }
    let store = DbSessionStore::new(db.clone(), master_key.hasher(HashPurpose::DashboardSession));
    // Rate counters outlive their longest window (an hour, or a longer sign-in window).
    let counter_horizon = config.sign_in_window_secs.max(3600) * 2;
    let mail_files = config.smtp_url.is_none().then(|| mail_directory.clone());
    let cleanup = tokio::spawn(delete_expired(
        store.clone(),
        db.clone(),
        counter_horizon,
        mail_files,
    ));
    // Every instance delivers webhooks; a delivery is claimed by one at a time.
    let deliveries = tokio::spawn(app::domain::webhook::delivery::worker(
        db.clone(),
        state.flows.http.clone(),
        state.flows.keys.ring.clone(),
    ));
    // Every instance sends mail; a queued mail is claimed by one at a time.
    let mail = tokio::spawn(app::domain::mail::sender::worker(
        db.clone(),
        ring,
        transport,
    ));
    let db_for_metrics = db.clone();
    let app = router::build(state, store, &config);
    // Metrics on a listener of their own, reached only from where they are bound.
    let metrics_listener = match config.metrics_bind {
        Some(bind) => {
            http_metrics::handle();
            let listener = TcpListener::bind(bind).await?;
            tracing::info!(%bind, "metrics at /metrics");
            Some(account_change_listener::AbortOnDrop(tokio::spawn(
                async move {
                    if let Err(e) =
                        axum::serve(listener, http_metrics::own_listener(db_for_metrics)).await
                    {
                        tracing::error!(error = %e, "the metrics listener stopped");
                    }
                },
            )))
        }
        None => None,
    };
    if config.metrics_token.is_some() {
        http_metrics::handle();
    }

    tracing::info!(%addr, mode = ?config.mode, key_id = %master_key.key_id(), "Linkgate is ready at {}", config.public_url);
    let served = axum::serve(
        no_delay(listener),
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    cleanup.abort();
    deliveries.abort();
    mail.abort();
    drop(metrics_listener);
    drop(listener_task);
    db.close().await?;
    served?;
    Ok(())
}

/// Pages stream in several writes; with Nagle's algorithm each later write waited for the
/// client's delayed ACK (about 40 ms a page, docs/performance.md).
pub fn no_delay(listener: TcpListener) -> TapIo<TcpListener, fn(&mut TcpStream)> {
    fn set(tcp: &mut TcpStream) {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY could not be set");
        }
    }
    listener.tap_io(set as fn(&mut TcpStream))
}

/// Expired sessions, flows and codes are refused on use anyway; this keeps tables small.
async fn delete_expired(
    store: DbSessionStore,
    db: DatabaseConnection,
    counter_horizon: i64,
    mail_files: Option<std::path::PathBuf>,
) {
    let mut every = tokio::time::interval(tokio::time::Duration::from_secs(300));
    loop {
        every.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "could not delete expired sessions");
        }
        let now = app::domain::now_unix();
        if let Err(e) = pending::delete_expired(&db, now).await {
            tracing::warn!(error = %e, "could not delete expired flows");
        }
        if let Err(e) = code_exchange::delete_stale(&db, now).await {
            tracing::warn!(error = %e, "could not delete stale codes");
        }
        if let Err(e) = app::domain::end_user::signature::delete_stale(&db, now).await {
            tracing::warn!(error = %e, "could not delete used signatures");
        }
        if let Err(e) = prepared_token::delete_expired(&db, now).await {
            tracing::warn!(error = %e, "could not delete prepared tokens");
        }
        if let Err(e) = app::domain::connect_link::link::delete_stale(&db, now).await {
            tracing::warn!(error = %e, "could not delete old connect links");
        }
        if let Err(e) = app::domain::rate_limit::delete_stale(&db, counter_horizon, now).await {
            tracing::warn!(error = %e, "could not delete rate counters");
        }
        if let Err(e) = app::domain::webhook::retention::delete_old(&db, now).await {
            tracing::warn!(error = %e, "could not delete old webhook deliveries");
        }
        if let Some(dir) = &mail_files {
            if let Err(e) = app::domain::mail::mail_directory::delete_old(dir).await {
                tracing::warn!(error = %e, "could not delete old mail files");
            }
        }
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn termination_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
