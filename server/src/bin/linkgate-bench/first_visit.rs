//! A first dashboard visit in Chromium over DevTools' Slow 4G with the CPU slowed 4× (the
//! release bundle): the bytes it transfers and the time until the page's buttons work, then
//! the same with the cache the first visit filled. `end2end/bench/first_visit.mjs` drives it.
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::BenchError;

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FirstVisit {
    pub bytes: u64,
    pub hydrated_ms: u64,
    pub repeat_bytes: u64,
    pub repeat_hydrated_ms: u64,
}

pub async fn measure(script: &Path, page: &str, session: &str) -> Result<FirstVisit, BenchError> {
    let mut command = Command::new("node");
    command.arg(script).arg(page).arg(session);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|_| BenchError::Failed("the first visit".into(), "its task failed".into()))??;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("FIRST_VISIT "))
        .ok_or_else(|| {
            BenchError::Failed(
                "the first visit".into(),
                format!("{stdout}{}", String::from_utf8_lossy(&output.stderr)),
            )
        })?;
    serde_json::from_str(line)
        .map_err(|e| BenchError::Failed("the first visit".into(), format!("{e}: {line}")))
}
