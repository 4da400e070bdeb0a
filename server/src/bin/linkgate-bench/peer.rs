//! The peer: the third-party OpenID provider the browser tests sign in at (npm
//! `oidc-provider`, end2end/peer/oidc_peer.mjs), started with its code-minting port so its
//! token endpoint can be loaded with fresh authorization codes like Linkgate's exchange.
use std::path::Path;
use std::process::Command;

use crate::child_process::{free_port, Served};
use crate::BenchError;

const CLIENT_ID: &str = "bench-client";
const CLIENT_SECRET: &str = "bench-client-secret";
pub const REDIRECT_URI: &str = "https://app.bench.example/callback";

pub struct Peer {
    pub served: Served,
    mint_base: String,
}

impl Peer {
    pub async fn start(script: &Path, work: &Path) -> Result<Peer, BenchError> {
        let port = free_port()?;
        let mint_port = free_port()?;
        let mut command = Command::new("node");
        command
            .arg(script)
            .env("PORT", port.to_string())
            .env("MINT_PORT", mint_port.to_string())
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", REDIRECT_URI);
        let served = Served::start(
            "the peer (oidc-provider)",
            command,
            &work.join("peer.log"),
            format!("http://127.0.0.1:{port}"),
            "/.well-known/openid-configuration",
        )
        .await?;
        Ok(Peer {
            served,
            mint_base: format!("http://127.0.0.1:{mint_port}"),
        })
    }

    pub fn basic(&self) -> String {
        crate::wrk::basic_auth(CLIENT_ID, CLIENT_SECRET)
    }

    /// `count` authorization codes for `scope`, as the peer's authorization endpoint issues them.
    pub async fn mint(&self, count: usize, scope: &str) -> Result<Vec<String>, BenchError> {
        let text = reqwest::Client::new()
            .post(format!("{}/mint", self.mint_base))
            .query(&[("n", count.to_string()), ("scope", scope.to_owned())])
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?;
        Ok(text.lines().map(str::to_owned).collect())
    }
}

impl Peer {
    /// One code through the token endpoint, as the load will do it: an access token comes back.
    pub async fn check(&self, scope: &str) -> Result<(), BenchError> {
        let code = self
            .mint(1, scope)
            .await?
            .pop()
            .ok_or(BenchError::Check("the peer minted no code".into()))?;
        let r = reqwest::Client::new()
            .post(format!("{}/token", self.served.base))
            .header("authorization", self.basic())
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT_URI),
            ])
            .send()
            .await?;
        let status = r.status();
        let body: serde_json::Value = r.json().await?;
        if !status.is_success() || !body["access_token"].is_string() {
            return Err(BenchError::Check(format!(
                "the peer's token endpoint answered {status} {body}"
            )));
        }
        Ok(())
    }
}
