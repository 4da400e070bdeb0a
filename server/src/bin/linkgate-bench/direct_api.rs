//! Scenario 10, the Direct API: `GET /v1/direct/messages` through Linkgate to a local HTTPS
//! stand-in of a provider's API (end2end/bench/api_stand_in.mjs), beside the same request
//! sent to the stand-in directly, in the same run. The difference is what Linkgate adds:
//! the platform token's lookup, the provider token, the outbound policy, one more hop.
use std::path::{Path, PathBuf};
use std::process::Command;

use sea_orm::EntityTrait;
use serde_json::Value;

use crate::child_process::{free_port, Served};
use crate::seed::Seeded;
use crate::BenchError;

/// The provider access token the stand-in takes (and the imported account holds).
pub const PROVIDER_TOKEN: &str = "bench-provider-token";

/// A certificate authority and a certificate for 127.0.0.1 it signed (openssl); the
/// server trusts the authority through `--outbound-ca-file`, as a deployment would a
/// private one. Returns (authority, certificate, key).
pub fn certificates(dir: &Path) -> Result<(PathBuf, PathBuf, PathBuf), BenchError> {
    let (ca, ca_key) = (dir.join("ca.pem"), dir.join("ca.key"));
    let (cert, key, csr) = (
        dir.join("api.pem"),
        dir.join("api.key"),
        dir.join("api.csr"),
    );
    let ext = dir.join("api.ext");
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )?;
    let p = |p: &PathBuf| p.to_string_lossy().into_owned();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let steps: Vec<Vec<String>> = vec![
        ["req", "-x509"]
            .iter()
            .chain(ec.iter())
            .map(|s| s.to_string())
            .chain(
                [
                    "-days",
                    "2",
                    "-subj",
                    "/CN=linkgate-bench-ca",
                    "-keyout",
                    &p(&ca_key),
                    "-out",
                    &p(&ca),
                ]
                .map(String::from),
            )
            .collect(),
        ["req"]
            .iter()
            .chain(ec.iter())
            .map(|s| s.to_string())
            .chain(
                [
                    "-subj",
                    "/CN=127.0.0.1",
                    "-keyout",
                    &p(&key),
                    "-out",
                    &p(&csr),
                ]
                .map(String::from),
            )
            .collect(),
        [
            "x509",
            "-req",
            "-in",
            &p(&csr),
            "-CA",
            &p(&ca),
            "-CAkey",
            &p(&ca_key),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &p(&ext),
            "-out",
            &p(&cert),
        ]
        .map(String::from)
        .to_vec(),
    ];
    for args in steps {
        let out = Command::new("openssl").args(&args).output()?;
        if !out.status.success() {
            return Err(BenchError::Failed(
                "openssl".into(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ));
        }
    }
    Ok((ca, cert, key))
}

pub struct StandIn {
    served: Served,
    /// `https://127.0.0.1:{port}`
    pub api: String,
}

impl StandIn {
    pub async fn start(
        script: &Path,
        dir: &Path,
        cert: &Path,
        key: &Path,
    ) -> Result<StandIn, BenchError> {
        let (port, ready) = (free_port()?, free_port()?);
        let mut command = Command::new("node");
        command
            .arg(script)
            .env("PORT", port.to_string())
            .env("READY_PORT", ready.to_string())
            .env("CERT", cert)
            .env("KEY", key)
            .env("TOKEN", PROVIDER_TOKEN);
        let served = Served::start(
            "the provider API stand-in",
            command,
            &dir.join("api-stand-in.log"),
            format!("http://127.0.0.1:{ready}"),
            "/ready",
        )
        .await?;
        Ok(StandIn {
            served,
            api: format!("https://127.0.0.1:{port}"),
        })
    }

    pub fn pid(&self) -> u32 {
        self.served.pid()
    }
}

/// Accounts the calls are spread over: Linkgate takes 8 calls at once per account.
pub const ACCOUNTS: usize = 32;

/// Registers Google for the lookup app with the stand-in as its API (as the dashboard's form
/// does, signed in), imports [`ACCOUNTS`] accounts holding the stand-in's token, and checks
/// one call through; the accounts' platform tokens.
pub async fn accounts(
    base: &str,
    db: &sea_orm::DatabaseConnection,
    session: &str,
    seeded: &Seeded,
    stand_in: &StandIn,
) -> Result<Vec<String>, BenchError> {
    let app = app::entity::application::Entity::find_by_id(seeded.lookups.id)
        .one(db)
        .await?
        .ok_or(BenchError::Seed("the lookup app is gone"))?;
    let client = reqwest::Client::new();
    let saved = client
        .post(format!("{base}/api/apps/registrations/save"))
        .header("cookie", session)
        .header("origin", base)
        .form(&[
            ("team_id", app.team_id.to_string()),
            ("app_id", app.id.to_string()),
            ("service_type", "Google".into()),
            ("client_id", "bench-google".into()),
            ("client_secret", "bench-google-secret".into()),
            ("scopes", "Mail.Read".into()),
            ("token_url", format!("{}/token", stand_in.api)),
            ("api_base", format!("{}/api", stand_in.api)),
        ])
        .send()
        .await?;
    if !saved.status().is_success() {
        return Err(BenchError::Check(format!(
            "saving the Google registration answered {}: {}",
            saved.status(),
            saved.text().await.unwrap_or_default()
        )));
    }
    let mut tokens = Vec::with_capacity(ACCOUNTS);
    for i in 0..ACCOUNTS {
        let imported: Value = client
            .post(format!("{base}/v1/am/accounts"))
            .header("authorization", seeded.lookups.basic())
            .json(&serde_json::json!({ "serviceType": "Google", "active": true, "authString1": PROVIDER_TOKEN, "authUserId": format!("bench-direct-{i}"), "email": format!("direct{i}@bench.example") }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = imported["accessToken"]
            .as_str()
            .ok_or(BenchError::Check("the import gave no token".into()))?;
        tokens.push(token.to_owned());
    }
    let r = client
        .get(format!("{base}/v1/direct/messages"))
        .bearer_auth(&tokens[0])
        .send()
        .await?;
    let status = r.status();
    let body = r.text().await?;
    if !status.is_success() || !body.contains("Message 9") {
        return Err(BenchError::Check(format!(
            "GET /v1/direct/messages answered {status}: {body:.200}"
        )));
    }
    Ok(tokens)
}
