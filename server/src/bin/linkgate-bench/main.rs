//! `linkgate-bench`: the release server's hot paths under load from wrk, beside a bare
//! axum route of the same binary (the baseline) and the token endpoint of the third-party
//! OAuth server the tests use (the peer). Run it with `bash .ci/bench`, which builds
//! everything in release mode and installs wrk; docs/performance.md has the latest table.
mod bundle;
mod child_process;
mod direct_api;
mod first_visit;
mod options;
mod peer;
mod platform;
mod proc_usage;
mod report;
mod revocation;
mod scenario;
mod scratch_database;
mod seed;
mod wrk;

use std::path::Path;
use std::process::{Command, ExitCode};

use clap::Parser;

use child_process::{free_port, Served};
use options::Options;
use platform::{codes_needed, write_lines, Store};
use scenario::{measure, Measured, Plan, Unit};
use wrk::{Load, Scripts};

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("file or process: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("seeding: {0}")]
    Domain(#[from] app::domain::DomainError),
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    #[error("{0} did not start: {1}")]
    Start(String, String),
    #[error("wrk: {0}")]
    Wrk(String),
    #[error("/proc: cannot read {0}")]
    Proc(&'static str),
    #[error("seeding: {0}")]
    Seed(&'static str),
    #[error("{0} failed: {1}")]
    Failed(String, String),
    #[error("check failed: {0}")]
    Check(String),
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = Options::parse();
    match run(&options).await {
        Ok(table) => {
            println!("{table}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("linkgate-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(o: &Options) -> Result<String, BenchError> {
    let linkgate = match &o.linkgate {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("linkgate"),
    };
    let work =
        std::env::temp_dir().join(format!("linkgate-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&work)?;
    let scripts = Scripts::write(&work)?;
    let plan = Plan {
        warmup_secs: o.warmup_secs,
        duration_secs: o.duration_secs,
        runs: o.runs,
    };
    let mut results = vec![baseline(o, plan, &linkgate, &scripts, &work).await?];
    if o.wants("peer") {
        results.extend(peer_token_endpoint(o, plan, &scripts, &work).await?);
    }

    let on_sqlite =
        platform::scenarios(o, plan, &sqlite(&work), &linkgate, &scripts, &work).await?;
    results.extend(on_sqlite.measured);
    let first_visit = on_sqlite.first_visit;
    let mut revocation = None;
    if !o.sqlite_only {
        let scratch = scratch_database::ScratchDatabase::create(&o.postgres).await?;
        let store = Store {
            name: "PostgreSQL",
            database_url: scratch.url(),
        };
        let measured = platform::scenarios(o, plan, &store, &linkgate, &scripts, &work).await;
        scratch.drop_now().await?;
        let measured = measured?;
        results.extend(measured.measured);
        revocation = measured.revocation;
    }
    let bundle = bundle::measure(&o.site_root)?;
    std::fs::remove_dir_all(&work).ok();
    Ok(report::render(
        o,
        &results,
        &bundle,
        revocation.as_ref(),
        first_visit.as_ref(),
    ))
}

fn sqlite(work: &Path) -> Store {
    Store {
        name: "SQLite",
        database_url: format!(
            "sqlite://{}?mode=rwc",
            work.join("sqlite").join("linkgate.db").display()
        ),
    }
}

/// Scenario 1, `linkgate baseline`: a constant `GET /` on the same HTTP stack, in its own process.
async fn baseline(
    o: &Options,
    plan: Plan,
    linkgate: &Path,
    scripts: &Scripts,
    work: &Path,
) -> Result<Measured, BenchError> {
    let port = free_port()?;
    let mut command = Command::new(linkgate);
    command
        .arg("baseline")
        .env("LINKGATE_BIND", format!("127.0.0.1:{port}"));
    let served = Served::start(
        "the baseline",
        command,
        &work.join("baseline.log"),
        format!("http://127.0.0.1:{port}"),
        "/",
    )
    .await?;
    let load = Load {
        threads: o.wrk_threads(),
        connections: o.connections,
        url: format!("{}/", served.base),
        script: scripts.path("constant.lua"),
        headers: Vec::new(),
        script_args: Vec::new(),
    };
    measure(
        plan,
        "Baseline (bare axum route)",
        "-",
        Unit::Requests,
        served.pid(),
        async |_, _| Ok(load.clone()),
    )
    .await
}

/// Scenario 4, the peer's token endpoint on its own authorization codes: as the tests' sign-in
/// leaves them (`openid`: an ID token is signed), and plain OAuth (no ID token), which
/// does what Linkgate's exchange does.
async fn peer_token_endpoint(
    o: &Options,
    plan: Plan,
    scripts: &Scripts,
    work: &Path,
) -> Result<Vec<Measured>, BenchError> {
    let peer = peer::Peer::start(&o.peer_script, work).await?;
    let codes = work.join("peer_codes.txt");
    let threads = o.wrk_threads();
    let redirect: String =
        url::form_urlencoded::byte_serialize(peer::REDIRECT_URI.as_bytes()).collect();
    let mut measured = Vec::new();
    for (name, scope) in [
        ("Peer token endpoint, OAuth (no ID token)", "email"),
        (
            "Peer token endpoint, OpenID (signed ID token)",
            "openid email",
        ),
    ] {
        peer.check(scope).await?;
        measured.push(
            measure(
                plan,
                name,
                "memory",
                Unit::Requests,
                peer.served.pid(),
                async |secs, previous| {
                    let rate = previous.map(|p| p.requests_per_sec());
                    let minted = peer
                        .mint(codes_needed(secs, rate.or(Some(5_000.0))), scope)
                        .await?;
                    write_lines(&codes, minted.into_iter())?;
                    Ok(Load {
                        threads,
                        connections: o.connections,
                        url: peer.served.base.clone(),
                        script: scripts.path("one_time_codes.lua"),
                        headers: Vec::new(),
                        script_args: vec![
                            codes.to_string_lossy().into_owned(),
                            threads.to_string(),
                            "peer".into(),
                            peer.basic(),
                            redirect.clone(),
                        ],
                    })
                },
            )
            .await?,
        );
    }
    Ok(measured)
}
