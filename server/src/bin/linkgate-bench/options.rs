//! The benchmark's settings; the defaults are the documented run (docs/performance.md).
use clap::Parser;
use std::path::PathBuf;

#[derive(Clone, Debug, Parser)]
#[command(
    name = "linkgate-bench",
    about = "Load-tests the release server's hot paths against a bare axum baseline and a third-party OAuth server"
)]
pub struct Options {
    /// Connections held open by the load tool, the same for every scenario.
    #[arg(long, default_value_t = 16)]
    pub connections: u32,
    /// Measured runs per scenario (reported as median, min and max).
    #[arg(long, default_value_t = 3)]
    pub runs: u32,
    /// Seconds of each measured run.
    #[arg(long, default_value_t = 5)]
    pub duration_secs: u32,
    /// Seconds of load before the measured runs of each scenario.
    #[arg(long, default_value_t = 2)]
    pub warmup_secs: u32,
    /// Accounts (and as many tokens, spread at random over them) for the lookup scenario.
    #[arg(long, default_value_t = 100_000)]
    pub accounts: usize,
    /// Accounts of the application whose dashboard page is loaded.
    #[arg(long, default_value_t = 1_000)]
    pub dashboard_accounts: usize,
    /// Server for the PostgreSQL runs; the benchmark makes and drops its own database there.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    pub postgres: String,
    /// Skip the PostgreSQL runs.
    #[arg(long)]
    pub sqlite_only: bool,
    /// Revocations measured between two instances on PostgreSQL.
    #[arg(long, default_value_t = 1_000)]
    pub revocations: usize,
    /// Only these scenarios (comma-separated: peer, lookup, exchange, flow, dashboard,
    /// first-visit, team-accounts, direct, two-instances, revocation); the
    /// baseline always runs. For profiling one path; the documented run takes all.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// The release server binary (default: `linkgate` beside this one).
    #[arg(long)]
    pub linkgate: Option<PathBuf>,
    /// The built site (release bundle) the server serves and whose size is reported.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// The third-party OAuth server the browser tests use (npm `oidc-provider`).
    #[arg(long, default_value = "end2end/peer/oidc_peer.mjs")]
    pub peer_script: PathBuf,
    /// The provider API stand-in of the Direct API scenario (HTTPS, node).
    #[arg(long, default_value = "end2end/bench/api_stand_in.mjs")]
    pub api_stand_in_script: PathBuf,
    /// The first dashboard visit in Chromium, throttled (playwright-core from end2end/).
    #[arg(long, default_value = "end2end/bench/first_visit.mjs")]
    pub first_visit_script: PathBuf,
}

impl Options {
    /// wrk threads for request scenarios: two, as wrk's default (never more than connections).
    pub fn wrk_threads(&self) -> u32 {
        2.min(self.connections)
    }

    pub fn wants(&self, scenario: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == scenario)
    }
}
