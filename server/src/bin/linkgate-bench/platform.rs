//! Scenarios 2, 3, 5 to 9 on one store: seeds a fresh database, starts the release server
//! on it, checks that each scenario's request does what a user expects, then loads it.
use std::path::{Path, PathBuf};
use std::process::Command;

use app::domain::crypto::MasterKey;
use clap::Parser;
use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::Value;

use crate::child_process::{free_port, Served};
use crate::options::Options;
use crate::scenario::{measure, measure_together, Measured, Plan, Unit};
use crate::seed::{self, Keys, Seeded, RETURN_URL};
use crate::wrk::{Load, Scripts};
use crate::BenchError;
use crate::{direct_api, first_visit, revocation};

pub struct Store {
    pub name: &'static str,
    pub database_url: String,
}

/// Expected exchanges per second before the warm-up has measured it; codes are minted with
/// room to spare (threads are not equally fast), as a thread that runs out replays codes
/// and the run fails.
const FIRST_GUESS_PER_SEC: f64 = 10_000.0;

pub fn codes_needed(seconds: u32, previous_rate: Option<f64>) -> usize {
    (previous_rate.unwrap_or(FIRST_GUESS_PER_SEC) * f64::from(seconds) * 3.0) as usize + 2_000
}

pub fn write_lines(path: &Path, lines: impl Iterator<Item = String>) -> Result<(), BenchError> {
    let text: Vec<String> = lines.collect();
    std::fs::write(path, text.join("\n") + "\n")?;
    Ok(())
}

/// What one store's scenarios measured: the loads, and on PostgreSQL the revocation delay
/// between two instances.
pub struct StoreResults {
    pub measured: Vec<Measured>,
    pub revocation: Option<revocation::Delays>,
    /// SQLite only: one server, one bundle, the store does not change what the browser gets.
    pub first_visit: Option<first_visit::FirstVisit>,
}

pub async fn scenarios(
    o: &Options,
    plan: Plan,
    store: &Store,
    linkgate: &Path,
    scripts: &Scripts,
    work: &Path,
) -> Result<StoreResults, BenchError> {
    let dir = work.join(store.name.to_ascii_lowercase());
    std::fs::create_dir_all(&dir)?;
    let master = MasterKey::generate();
    let keys = Keys::new(&master);
    // The server's own connect: the same pool settings and migrations.
    let config = server::config::Config::parse_from([
        "linkgate",
        "--database-url",
        &store.database_url,
        "--data-dir",
        &dir.to_string_lossy(),
    ]);
    let db = server::database::connect(&config).await?;
    eprintln!(
        "Seeding {} ({} accounts and tokens, {} on the dashboard's app)",
        store.name, o.accounts, o.dashboard_accounts
    );
    let seeded = seed::seed(&db, &keys, o.accounts, o.dashboard_accounts).await?;
    // A store in use has its planner statistics (PostgreSQL's autovacuum gathers them after
    // a bulk load like this one, in its own time); measure that steady state, not the
    // minutes before it.
    if sea_orm::ConnectionTrait::get_database_backend(&db) == sea_orm::DatabaseBackend::Postgres {
        sea_orm::ConnectionTrait::execute_unprepared(&db, "ANALYZE").await?;
    }

    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    // The Direct API scenario's stand-in is HTTPS under a private authority the server trusts.
    let direct = o.wants("direct") && store.name == "SQLite";
    let certificates = if direct {
        Some(direct_api::certificates(&dir)?)
    } else {
        None
    };
    let command_on = |port: u16| {
        let mut command = Command::new(linkgate);
        command
            .env("LINKGATE_BIND", format!("127.0.0.1:{port}"))
            .env("LINKGATE_PUBLIC_URL", &base)
            .env("DATABASE_URL", &store.database_url)
            .env("LINKGATE_DATA_DIR", &dir)
            .env("LINKGATE_MASTER_KEY", master.to_base64())
            .env("LINKGATE_SANDBOX", "true")
            // The flow scenario starts hundreds of flows a second from one address on purpose.
            .env("LINKGATE_FLOW_STARTS_PER_ADDRESS", "1000000000")
            .env("LINKGATE_FLOW_STARTS_PER_APP", "1000000000")
            .env("LEPTOS_SITE_ROOT", &o.site_root);
        if let Some((ca, _, _)) = &certificates {
            command.env("LINKGATE_OUTBOUND_CA_FILE", ca);
        }
        command
    };
    let server = Served::start(
        "the Linkgate server",
        command_on(port),
        &dir.join("server.log"),
        base.clone(),
        "/readyz",
    )
    .await?;
    let pid = server.pid();
    // Another instance on the same database (PostgreSQL), its links pointing at the first.
    let second_instance = async |log: &str| {
        let port = free_port()?;
        Served::start(
            "a second Linkgate instance",
            command_on(port),
            &dir.join(log),
            format!("http://127.0.0.1:{port}"),
            "/readyz",
        )
        .await
    };
    let two_threads =
        |url: String, script: PathBuf, headers: Vec<String>, args: Vec<String>| Load {
            threads: o.wrk_threads(),
            connections: o.connections,
            url,
            script,
            headers,
            script_args: args,
        };
    let mut results = Vec::new();
    let mut first_visit = None;

    // 2. Account lookup.
    if o.wants("lookup") {
        check_lookup(&base, &seeded).await?;
        let tokens = dir.join("tokens.txt");
        write_lines(&tokens, seeded.tokens.iter().map(|(t, _)| t.clone()))?;
        let lookup = two_threads(
            base.clone(),
            scripts.path("account_lookup.lua"),
            Vec::new(),
            vec![tokens.to_string_lossy().into_owned()],
        );
        results.push(
            measure(
                plan,
                "Account lookup",
                store.name,
                Unit::Requests,
                pid,
                async |_, _| Ok(lookup.clone()),
            )
            .await?,
        );
        // 2b. The same once every token has been asked for: the answer cache's steady state,
        //     which a server that has run a while is in (the cold row is its first minute).
        eprintln!("  asking for each of {} tokens once", seeded.tokens.len());
        warm(&base, &seeded.tokens).await?;
        results.push(
            measure(
                plan,
                "Account lookup, warm cache",
                store.name,
                Unit::Requests,
                pid,
                async |_, _| Ok(lookup.clone()),
            )
            .await?,
        );
    }

    // 3. Code exchange, on codes minted just before each run.
    if o.wants("exchange") {
        check_exchange(&base, &db, &keys, &seeded).await?;
        let codes = dir.join("codes.txt");
        let threads = o.wrk_threads();
        results.push(
            measure(
                plan,
                "Code exchange",
                store.name,
                Unit::Requests,
                pid,
                async |secs, previous| {
                    let rate = previous.map(|p| p.requests_per_sec());
                    let minted =
                        seed::mint_codes(&db, &keys, &seeded.lookups, codes_needed(secs, rate))
                            .await?;
                    write_lines(&codes, minted.into_iter().map(|(c, _)| c))?;
                    Ok(two_threads(
                        base.clone(),
                        scripts.path("one_time_codes.lua"),
                        Vec::new(),
                        vec![
                            codes.to_string_lossy().into_owned(),
                            threads.to_string(),
                            "linkgate".into(),
                            seeded.lookups.basic(),
                            String::new(),
                        ],
                    ))
                },
            )
            .await?,
        );
    }

    // 5. The whole Sandbox flow, one end user per connection.
    if o.wants("flow") {
        let authorize = format!(
            "/v1/auth/authorize?clientId={}&serviceType=Sandbox&scopes=Mail.Read%20Calendar.Read&returnUrl={}",
            seeded.lookups.client_id,
            url::form_urlencoded::byte_serialize(RETURN_URL.as_bytes()).collect::<String>()
        );
        let flow = Load {
            threads: o.connections,
            connections: o.connections,
            url: base.clone(),
            script: scripts.path("account_flow.lua"),
            headers: Vec::new(),
            script_args: vec![authorize, seeded.lookups.basic()],
        };
        results.push(
            measure(
                plan,
                "Full Sandbox flow",
                store.name,
                Unit::Flows,
                pid,
                async |_, _| Ok(flow.clone()),
            )
            .await?,
        );
    }

    // 6. The dashboard's accounts page, signed in.
    if o.wants("dashboard") {
        let session = sign_in(&base, &seeded).await?;
        let page = format!("{base}/applications/{}/accounts", seeded.dashboard.id);
        check_dashboard(&page, &session).await?;
        let dashboard = two_threads(
            page,
            scripts.path("constant.lua"),
            vec![format!("Cookie: {session}")],
            Vec::new(),
        );
        results.push(
            measure(
                plan,
                "Dashboard accounts page",
                store.name,
                Unit::Requests,
                pid,
                async |_, _| Ok(dashboard.clone()),
            )
            .await?,
        );
    }

    // 6b. The same page's first visit in Chromium, Slow 4G and 4× CPU slowdown.
    if o.wants("first-visit") && store.name == "SQLite" {
        let session = sign_in(&base, &seeded).await?;
        let page = format!("{base}/applications/{}/accounts", seeded.dashboard.id);
        eprintln!("  First dashboard visit in Chromium (Slow 4G, CPU 4× slower)");
        first_visit = Some(first_visit::measure(&o.first_visit_script, &page, &session).await?);
    }

    // 7. The team's accounts page over every account of the team (both apps), its first
    //    page and a search by email that matches few, newest first by keyset.
    if o.wants("team-accounts") {
        let session = sign_in(&base, &seeded).await?;
        for (name, path) in [
            ("Team accounts page", "/accounts".to_owned()),
            (
                "Team accounts, email search",
                "/accounts?email=user4242%40".to_owned(),
            ),
        ] {
            let page = format!("{base}{path}");
            check_dashboard(&page, &session).await?;
            let load = two_threads(
                page,
                scripts.path("constant.lua"),
                vec![format!("Cookie: {session}")],
                Vec::new(),
            );
            results.push(
                measure(plan, name, store.name, Unit::Requests, pid, async |_, _| {
                    Ok(load.clone())
                })
                .await?,
            );
        }
    }

    // 10. The Direct API through Linkgate to a local HTTPS provider API stand-in, and the same
    //     request to the stand-in directly: what the passthrough adds.
    if let Some((_, cert, key)) = &certificates {
        let stand_in = direct_api::StandIn::start(&o.api_stand_in_script, &dir, cert, key).await?;
        let session = sign_in(&base, &seeded).await?;
        let tokens = direct_api::accounts(&base, &db, &session, &seeded, &stand_in).await?;
        let tokens_file = dir.join("direct-tokens.txt");
        write_lines(&tokens_file, tokens.into_iter())?;
        let straight = two_threads(
            format!("{}/api/messages", stand_in.api),
            scripts.path("constant.lua"),
            vec![format!(
                "Authorization: Bearer {}",
                direct_api::PROVIDER_TOKEN
            )],
            Vec::new(),
        );
        results.push(
            measure(
                plan,
                "Provider API stand-in, called directly (HTTPS)",
                store.name,
                Unit::Requests,
                stand_in.pid(),
                async |_, _| Ok(straight.clone()),
            )
            .await?,
        );
        let through = two_threads(
            base.clone(),
            scripts.path("direct_accounts.lua"),
            Vec::new(),
            vec![tokens_file.to_string_lossy().into_owned()],
        );
        results.push(
            measure(
                plan,
                "Direct API passthrough to the stand-in",
                store.name,
                Unit::Requests,
                pid,
                async |_, _| Ok(through.clone()),
            )
            .await?,
        );
    }

    // 8. Two instances on one PostgreSQL, half the connections each: the scale-out path,
    //    measured (warm lookups and code exchanges), before the revocations spend tokens.
    if o.wants("two-instances") && store.name == "PostgreSQL" {
        let b = second_instance("server-b-load.log").await?;
        let pids = [pid, b.pid()];
        let half = (o.connections / 2).max(1);
        let threads = (o.wrk_threads() / 2).max(1);
        let on_each = |url: &str, script: &str, args: Vec<String>| Load {
            threads,
            connections: half,
            url: url.to_owned(),
            script: scripts.path(script),
            headers: Vec::new(),
            script_args: args,
        };
        check_lookup(&b.base, &seeded).await?;
        let tokens = dir.join("tokens.txt");
        write_lines(&tokens, seeded.tokens.iter().map(|(t, _)| t.clone()))?;
        eprintln!(
            "  asking each instance for each of {} tokens once",
            seeded.tokens.len()
        );
        if !o.wants("lookup") {
            warm(&base, &seeded.tokens).await?;
        }
        warm(&b.base, &seeded.tokens).await?;
        let token_args = vec![tokens.to_string_lossy().into_owned()];
        let lookups = vec![
            on_each(&base, "account_lookup.lua", token_args.clone()),
            on_each(&b.base, "account_lookup.lua", token_args),
        ];
        results.push(
            measure_together(
                plan,
                "Account lookup, warm cache, two instances",
                store.name,
                Unit::Requests,
                &pids,
                async |_, _| Ok(lookups.clone()),
            )
            .await?,
        );
        check_exchange(&b.base, &db, &keys, &seeded).await?;
        let codes = [dir.join("codes-a.txt"), dir.join("codes-b.txt")];
        results.push(
            measure_together(
                plan,
                "Code exchange, two instances",
                store.name,
                Unit::Requests,
                &pids,
                async |secs, previous| {
                    let rate = previous.map(|p| p.requests_per_sec());
                    let minted =
                        seed::mint_codes(&db, &keys, &seeded.lookups, codes_needed(secs, rate))
                            .await?;
                    let (first, second) = minted.split_at(minted.len() / 2);
                    write_lines(&codes[0], first.iter().map(|(c, _)| c.clone()))?;
                    write_lines(&codes[1], second.iter().map(|(c, _)| c.clone()))?;
                    let args = |file: &PathBuf| {
                        vec![
                            file.to_string_lossy().into_owned(),
                            threads.to_string(),
                            "linkgate".into(),
                            seeded.lookups.basic(),
                            String::new(),
                        ]
                    };
                    Ok(vec![
                        on_each(&base, "one_time_codes.lua", args(&codes[0])),
                        on_each(&b.base, "one_time_codes.lua", args(&codes[1])),
                    ])
                },
            )
            .await?,
        );
        drop(b);
    }

    // 9. A revocation on this instance, refused by a second one (PostgreSQL: instances share
    //    nothing but the database; SQLite has one process per file). Last: it revokes tokens.
    let mut revocation_delays = None;
    if o.wants("revocation") && store.name == "PostgreSQL" {
        let b = second_instance("server-b.log").await?;
        eprintln!("Revoking {} tokens on A, asking B", o.revocations);
        revocation_delays =
            Some(revocation::measure(&base, &b.base, &seeded.tokens, o.revocations).await?);
        drop(b);
    }

    drop(server);
    db.close().await?;
    Ok(StoreResults {
        measured: results,
        revocation: revocation_delays,
        first_visit,
    })
}

/// Asks for every token once, 16 at a time.
async fn warm(base: &str, tokens: &[(String, i64)]) -> Result<(), BenchError> {
    let client = reqwest::Client::new();
    for chunk in tokens.chunks(16) {
        let mut asks = tokio::task::JoinSet::new();
        for (t, _) in chunk {
            asks.spawn(
                client
                    .get(format!("{base}/v1/account"))
                    .bearer_auth(t)
                    .send(),
            );
        }
        while let Some(r) = asks.join_next().await {
            let status = r.map_err(|e| BenchError::Check(e.to_string()))??.status();
            if !status.is_success() {
                return Err(BenchError::Check(format!(
                    "a seeded token answered {status}"
                )));
            }
        }
    }
    Ok(())
}

async fn check_lookup(base: &str, seeded: &Seeded) -> Result<(), BenchError> {
    let (token, account) = seeded.tokens.first().ok_or(BenchError::Seed("no tokens"))?;
    let r = reqwest::Client::new()
        .get(format!("{base}/v1/account"))
        .bearer_auth(token)
        .send()
        .await?;
    let status = r.status();
    let body: Value = r.json().await?;
    if !status.is_success() || body["id"].as_i64() != Some(*account) {
        return Err(BenchError::Check(format!(
            "GET /v1/account answered {status} {body} for account {account}"
        )));
    }
    Ok(())
}

async fn check_exchange(
    base: &str,
    db: &sea_orm::DatabaseConnection,
    keys: &Keys,
    seeded: &Seeded,
) -> Result<(), BenchError> {
    let minted = seed::mint_codes(db, keys, &seeded.lookups, 1).await?;
    let (code, account) = minted.first().ok_or(BenchError::Seed("no code"))?;
    let r = reqwest::Client::new()
        .post(format!("{base}/v1/auth/token/{code}"))
        .header("authorization", seeded.lookups.basic())
        .send()
        .await?;
    let status = r.status();
    let body: Value = r.json().await?;
    let token_ok = body["accessToken"]
        .as_str()
        .is_some_and(|t| t.starts_with("lga_"));
    if !status.is_success() || body["accountId"].as_i64() != Some(*account) || !token_ok {
        return Err(BenchError::Check(format!(
            "the code exchange answered {status} for account {account}"
        )));
    }
    Ok(())
}

/// Signs the owner in through the dashboard's form; returns the session cookie pair.
async fn sign_in(base: &str, seeded: &Seeded) -> Result<String, BenchError> {
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?
        .post(format!("{base}/signin"))
        .header("origin", base)
        .form(&[
            ("email", seeded.owner_email.as_str()),
            ("password", seeded.owner_password.as_str()),
        ])
        .send()
        .await?;
    let signed_in = r.status().is_redirection()
        && r.headers()
            .get(LOCATION)
            .is_some_and(|l| !l.as_bytes().starts_with(b"/signin"));
    let cookie = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(server::router::SESSION_COOKIE))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    match (signed_in, cookie) {
        (true, Some(c)) => Ok(c),
        _ => Err(BenchError::Check(format!(
            "signing in answered {} without a session",
            r.status()
        ))),
    }
}

async fn check_dashboard(page: &str, session: &str) -> Result<(), BenchError> {
    let r = reqwest::Client::new()
        .get(page)
        .header("cookie", session)
        .send()
        .await?;
    let status = r.status();
    let html = r.text().await?;
    // Seeded accounts, or (newest first on the team's page) those the flow scenario made.
    if !status.is_success() || !(html.contains("@customer") || html.contains("@bench.example")) {
        return Err(BenchError::Check(format!(
            "{page} answered {status} without the app's accounts"
        )));
    }
    Ok(())
}
