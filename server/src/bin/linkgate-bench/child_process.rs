//! The processes under load: started with their output in a log file, waited for until
//! they answer, stopped with SIGTERM (then killed) when dropped.
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::BenchError;

pub struct Served {
    child: Child,
    pub base: String,
}

impl Served {
    /// Starts `command` and waits until `base` + `ready_path` answers 200.
    pub async fn start(
        name: &str,
        mut command: Command,
        log: &Path,
        base: String,
        ready_path: &str,
    ) -> Result<Served, BenchError> {
        let out = std::fs::File::create(log)?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .map_err(|e| BenchError::Start(name.to_owned(), e.to_string()))?;
        let served = Served { child, base };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = format!("{}{ready_path}", served.base);
        while Instant::now() < deadline {
            if let Ok(r) = client.get(&url).send().await {
                if r.status().is_success() {
                    return Ok(served);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(BenchError::Start(
            name.to_owned(),
            format!("no answer at {url} within 60 s; see {}", log.display()),
        ))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now.
pub fn free_port() -> Result<u16, BenchError> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
