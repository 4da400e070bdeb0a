//! An app's webhook receiver for the tests: `end2end/webhook_receiver.mjs`, which verifies
//! each delivery with npm's `standardwebhooks` (not Linkgate's code) and answers as told.
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Receiver {
    pub base: String,
    child: Child,
}

/// One request the receiver got.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub verified: bool,
    pub mode: String,
    pub body: String,
}

impl Receiver {
    /// Starts a receiver for deliveries signed with `secret`, answering `mode` (`ok`, `fail`,
    /// `hang`), on `port` (0: any free one).
    pub fn start(secret: &str, mode: &str, port: u16) -> Receiver {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../end2end/webhook_receiver.mjs"
        );
        let mut child = Command::new("node")
            .arg(script)
            .env("SECRET", secret)
            .env("MODE", mode)
            .env("PORT", port.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node runs the webhook receiver (bash .ci/test installs it)");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("receiver output");
        let port = line
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("receiver said {line:?}"))
            .to_owned();
        Receiver {
            base: format!("http://127.0.0.1:{port}"),
            child,
        }
    }

    pub async fn set_mode(&self, mode: &str) {
        super::plain_client()
            .post(format!("{}/_mode", self.base))
            .json(&serde_json::json!({ "mode": mode }))
            .send()
            .await
            .expect("receiver control");
    }

    pub async fn received(&self) -> Vec<Received> {
        super::plain_client()
            .get(format!("{}/_received", self.base))
            .send()
            .await
            .expect("receiver")
            .json()
            .await
            .expect("receiver JSON")
    }

    /// Waits (up to `secs`) until `done` holds of what was received; returns it.
    pub async fn wait_for(&self, secs: u64, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let got = self.received().await;
            if done(&got) || std::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
