//! docs/operations.md, "Running in production", followed where a test can: its environment
//! file starts a production server (with this machine's URL, directories, key and relay in
//! place of the examples), whose mail goes out through a real SMTP server; its backup command
//! copies the live database; its restore steps bring that copy back, and the server serves
//! what the copy holds and nothing made after it.
use crate::common::mailbox::token_after;
use crate::common::smtp::SmtpServer;
use crate::common::{plain_client, Browser, PASSWORD};
use app::domain::crypto::MasterKey;
use reqwest::StatusCode;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

fn guide() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/operations.md"
    ))
    .expect("docs/operations.md")
}

/// The fenced block whose info string is exactly `info`.
fn block(guide: &str, info: &str) -> String {
    let open = format!("```{info}\n");
    let start = guide
        .find(&open)
        .unwrap_or_else(|| panic!("no ```{info} block in docs/operations.md"))
        + open.len();
    let end = guide[start..].find("```").expect("closed block") + start;
    guide[start..end].to_owned()
}

/// `KEY=value` lines, as systemd's EnvironmentFile and `sh` read them (quotes removed).
fn env_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').expect("KEY=value");
            (k.to_owned(), v.trim_matches('"').to_owned())
        })
        .collect()
}

/// The subcommand and flag the guide gives the binary in a `sh` block line, before the
/// value of its last flag (a path the test chooses).
fn linkgate_command(line: &str) -> Vec<String> {
    let after = line
        .split("/opt/linkgate/linkgate ")
        .nth(1)
        .expect("the guide runs /opt/linkgate/linkgate");
    let mut words: Vec<String> = after.split_whitespace().map(str::to_owned).collect();
    let last_flag = words
        .iter()
        .rposition(|w| w.starts_with("--"))
        .expect("a flag");
    words.truncate(last_flag + 1);
    words
}

struct Running {
    child: Child,
    base: String,
}

/// A failed test leaves no server behind.
impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn start(env: &[(String, String)]) -> Running {
    let child = Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start linkgate");
    let base = env
        .iter()
        .find(|(k, _)| k == "LINKGATE_PUBLIC_URL")
        .map(|(_, v)| v.clone())
        .expect("public URL");
    Running { child, base }
}

async fn ready(r: &mut Running) {
    for _ in 0..200 {
        if let Ok(a) = plain_client()
            .get(format!("{}/readyz", r.base))
            .send()
            .await
        {
            if a.status() == StatusCode::OK {
                return;
            }
        }
        assert!(
            r.child.try_wait().unwrap().is_none(),
            "the server exited at start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

fn stop(mut r: Running) {
    let pid = r.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = r.child.wait().unwrap();
    assert!(
        status.success(),
        "SIGTERM ends the server cleanly: {status}"
    );
}

async fn app_names(b: &mut Browser) -> Vec<String> {
    let teams = b.query("teams", &[]).await.json();
    let team = teams[0]["id"].as_str().unwrap().to_owned();
    let apps = b.query("team/apps", &[("team_id", &team)]).await.json();
    apps.as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn create_app(b: &mut Browser, name: &str) {
    let teams = b.query("teams", &[]).await.json();
    let team = teams[0]["id"].as_str().unwrap().to_owned();
    let r = b
        .call("team/apps/create", &[("team_id", &team), ("name", name)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guide_serves_backs_up_and_restores() {
    crate::common::within_test_limit("production_guide", follow_the_guide()).await
}

async fn follow_the_guide() {
    let guide = guide();
    let smtp = SmtpServer::start();
    let data: PathBuf =
        std::env::temp_dir().join(format!("lg-guide-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data).unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");

    // Step 3's file, with this machine's values where the guide has examples.
    let mut env = env_file(&block(&guide, "ini linkgate.env"));
    let ours = [
        ("LINKGATE_PUBLIC_URL", base.clone()),
        ("LINKGATE_BIND", format!("127.0.0.1:{port}")),
        ("LINKGATE_DATA_DIR", data.display().to_string()),
        ("LINKGATE_MASTER_KEY", MasterKey::generate().to_base64()),
        ("LINKGATE_SMTP_URL", smtp.url()),
    ];
    for (key, value) in &ours {
        let slot = env
            .iter_mut()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("the guide's file sets {key}"));
        slot.1 = value.clone();
    }
    let leftover: Vec<_> = env.iter().filter(|(_, v)| v.contains("REPLACE")).collect();
    assert!(
        leftover.is_empty(),
        "placeholders the test did not fill: {leftover:?}"
    );
    assert!(env.contains(&("LINKGATE_MODE".into(), "production".into())));

    // Step 5's unit runs what step 2 installed, with step 3's file.
    let unit = block(&guide, "ini linkgate.service");
    assert!(unit.contains("EnvironmentFile=/etc/linkgate/linkgate.env"));
    assert!(unit.contains("ExecStart=/opt/linkgate/linkgate\n"));
    assert!(guide.contains("sudo install -m 0755 target/release/linkgate /opt/linkgate/linkgate"));

    let mut server = start(&env);
    ready(&mut server).await;
    // A production server: sign up, confirm through the relay, make an application.
    let email = format!("ops-{}@example.com", uuid::Uuid::new_v4().simple());
    let mut ops = Browser::new(&base);
    assert_eq!(
        ops.sign_up_unverified("Ops", &email).await.status,
        StatusCode::SEE_OTHER
    );
    let mail = smtp.wait_for(&email, "/verify-email/").await;
    assert!(mail
        .header("from")
        .is_some_and(|f| f.contains("<linkgate@example.com>")));
    let token = token_after(&mail.text, "/verify-email/");
    ops.post_form("/verify-email", &[("token", &token)]).await;
    create_app(&mut ops, "Before the backup").await;
    assert_eq!(
        plain_client()
            .get(format!("{base}/sandbox/authorize"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND,
        "production serves no Sandbox"
    );

    // Step 6: the backup command, while the server serves.
    let backup_line = block(&guide, "sh backup");
    let mut args = linkgate_command(backup_line.trim());
    assert_eq!(args, ["backup", "--to"]);
    let copy = data.join("backup-2026-12-04.db");
    args.push(copy.display().to_string());
    let out = Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("backup-2026-12-04.db"));
    create_app(&mut ops, "After the backup").await;
    stop(server);

    // Step 7: the restore steps, on this machine's directory.
    let restore = block(&guide, "sh restore");
    assert!(restore
        .contains("rm -f /var/lib/linkgate/linkgate.db-wal /var/lib/linkgate/linkgate.db-shm"));
    assert!(
        restore.contains("/var/lib/linkgate/backup-2026-12-04.db /var/lib/linkgate/linkgate.db")
    );
    for leftover in ["linkgate.db-wal", "linkgate.db-shm"] {
        let _ = std::fs::remove_file(data.join(leftover));
    }
    std::fs::copy(&copy, data.join("linkgate.db")).unwrap();
    let mut restored = start(&env);
    ready(&mut restored).await;
    let mut back = Browser::new(&base);
    assert_eq!(
        back.sign_in(&email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app_names(&mut back).await, ["Before the backup"]);
    stop(restored);
    remove(&data);
}

fn remove(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}
