//! The load tool: Debian's `wrk`, given a Lua scenario script (with `report.lua` appended,
//! which prints the figures as one JSON line) and run as its own process on loopback.
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::BenchError;

const REPORT: &str = include_str!("wrk/report.lua");

/// The scenario scripts, written out once per benchmark run.
pub struct Scripts {
    dir: PathBuf,
}

impl Scripts {
    pub fn write(dir: &Path) -> Result<Scripts, BenchError> {
        let scripts = [
            ("constant.lua", ""),
            ("account_lookup.lua", include_str!("wrk/account_lookup.lua")),
            ("one_time_codes.lua", include_str!("wrk/one_time_codes.lua")),
            ("account_flow.lua", include_str!("wrk/account_flow.lua")),
            (
                "direct_accounts.lua",
                include_str!("wrk/direct_accounts.lua"),
            ),
        ];
        for (name, body) in scripts {
            std::fs::write(dir.join(name), format!("{body}\n{REPORT}"))?;
        }
        Ok(Scripts {
            dir: dir.to_owned(),
        })
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// One invocation of wrk.
#[derive(Clone, Debug)]
pub struct Load {
    pub threads: u32,
    pub connections: u32,
    pub url: String,
    pub script: PathBuf,
    pub headers: Vec<String>,
    pub script_args: Vec<String>,
}

/// What `report.lua` prints.
#[derive(Clone, Debug, Deserialize)]
pub struct Outcome {
    pub requests: u64,
    pub duration_us: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub socket_errors: u64,
    pub http_errors: u64,
    pub flows: u64,
    pub unexpected: u64,
    /// The flow script's last unexpected answer (which step, which status).
    pub note: String,
}

impl Outcome {
    pub fn requests_per_sec(&self) -> f64 {
        self.requests as f64 / (self.duration_us as f64 / 1e6)
    }
}

/// `Basic base64(id:secret)`, the client authentication of both token endpoints.
pub fn basic_auth(id: &str, secret: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

pub async fn run(load: &Load, seconds: u32) -> Result<Outcome, BenchError> {
    let mut command = Command::new("wrk");
    command
        .arg("--threads")
        .arg(load.threads.to_string())
        .arg("--connections")
        .arg(load.connections.to_string())
        .arg("--duration")
        .arg(format!("{seconds}s"))
        .arg("--timeout")
        .arg("10s")
        .arg("--script")
        .arg(&load.script);
    for h in &load.headers {
        command.arg("--header").arg(h);
    }
    command.arg(&load.url);
    if !load.script_args.is_empty() {
        command.arg("--").args(&load.script_args);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|_| BenchError::Wrk("the wrk task failed".into()))?
        .map_err(|e| BenchError::Wrk(format!("cannot run wrk (is it installed?): {e}")))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("BENCH "))
        .ok_or_else(|| {
            BenchError::Wrk(format!(
                "no figures from wrk: {}{}",
                stdout,
                String::from_utf8_lossy(&output.stderr)
            ))
        })?;
    serde_json::from_str(line).map_err(|e| BenchError::Wrk(format!("{e}: {line}")))
}
