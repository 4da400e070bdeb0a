//! Scenario 8 (PostgreSQL): how long a token revoked on instance A is still answered by
//! instance B, whose cache held it. For each of `count` accounts: B answers its token twice
//! (cached), A revokes it (`DELETE /v1/account/token`), then B is asked back to back until it
//! refuses; the delay runs from A's answer to B's first refusal.
use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::BenchError;

pub struct Delays {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

async fn status(
    client: &reqwest::Client,
    base: &str,
    token: &str,
) -> Result<StatusCode, BenchError> {
    Ok(client
        .get(format!("{base}/v1/account"))
        .bearer_auth(token)
        .send()
        .await?
        .status())
}

pub async fn measure(
    a: &str,
    b: &str,
    tokens: &[(String, i64)],
    count: usize,
) -> Result<Delays, BenchError> {
    let client = reqwest::Client::new();
    let mut seen = HashSet::new();
    let mut delays = Vec::with_capacity(count);
    // From the end of the list, one token per account (revoking one revokes its siblings).
    for (token, account) in tokens.iter().rev() {
        if delays.len() == count {
            break;
        }
        if !seen.insert(*account) {
            continue;
        }
        for _ in 0..2 {
            let s = status(&client, b, token).await?;
            if s != StatusCode::OK {
                return Err(BenchError::Check(format!(
                    "B answered {s} before the revocation"
                )));
            }
        }
        let revoked = client
            .delete(format!("{a}/v1/account/token"))
            .bearer_auth(token)
            .send()
            .await?
            .status();
        if revoked != StatusCode::OK {
            return Err(BenchError::Check(format!(
                "A answered {revoked} to the revocation"
            )));
        }
        let start = Instant::now();
        loop {
            let s = status(&client, b, token).await?;
            if s == StatusCode::UNAUTHORIZED {
                break;
            }
            if start.elapsed() > Duration::from_secs(15) {
                return Err(BenchError::Check(
                    "B still answered a revoked token after 15 s".into(),
                ));
            }
        }
        delays.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    if delays.is_empty() {
        return Err(BenchError::Seed("no tokens to revoke"));
    }
    delays.sort_by(f64::total_cmp);
    let at = |q: f64| delays[((delays.len() as f64 - 1.0) * q).round() as usize];
    Ok(Delays {
        count: delays.len(),
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: delays[delays.len() - 1],
    })
}
