//! Reading the mail a test server wrote: in development without SMTP it lists mail at
//! `/api/dev/mail` (the development mailbox), as a developer on a fresh machine reads it.
use super::{plain_client, Browser};
use reqwest::StatusCode;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// Servers in production mode without SMTP write mail to their data directory but list it
/// nowhere; `TestServer::start` notes the directory here, by base URL.
static MAIL_DIRECTORIES: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());

pub fn note_directory(base: &str, dir: PathBuf) {
    if let Ok(mut dirs) = MAIL_DIRECTORIES.lock() {
        dirs.insert(base.to_owned(), dir);
    }
}

/// The mail a server wrote: from its development mailbox, or its noted directory.
async fn listed(base: &str) -> serde_json::Value {
    let noted = MAIL_DIRECTORIES
        .lock()
        .ok()
        .and_then(|d| d.get(base).cloned());
    if let Some(dir) = noted {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "json") {
                if let Ok(bytes) = std::fs::read(entry.path()) {
                    all.extend(serde_json::from_slice::<serde_json::Value>(&bytes).ok());
                }
            }
        }
        return serde_json::Value::Array(all);
    }
    let r = plain_client()
        .get(format!("{base}/api/dev/mail"))
        .send()
        .await
        .expect("GET /api/dev/mail");
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the development mailbox answers"
    );
    r.json().await.expect("JSON")
}

/// Waits (up to 15 s) for a mail to `to` whose text holds `needle`; returns its text.
pub async fn wait_for_mail(base: &str, to: &str, needle: &str) -> String {
    for _ in 0..300 {
        let list = listed(base).await;
        let found = list.as_array().into_iter().flatten().find(|m| {
            m["to"].as_str() == Some(to) && m["text"].as_str().is_some_and(|t| t.contains(needle))
        });
        if let Some(m) = found {
            return m["text"].as_str().unwrap_or_default().to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no mail to {to} containing {needle:?} arrived");
}

/// The token of the first link in `text` whose path starts with `path` (e.g. `/verify-email/`).
pub fn token_after(text: &str, path: &str) -> String {
    let start = text
        .find(path)
        .unwrap_or_else(|| panic!("no {path} link in: {text}"))
        + path.len();
    text[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Opens the confirmation link mailed to `email` and confirms, as `browser`.
pub async fn verify(browser: &mut Browser, email: &str) {
    let text = wait_for_mail(&browser.base, email, "/verify-email/").await;
    let token = token_after(&text, "/verify-email/");
    let r = browser
        .post_form("/verify-email", &[("token", token.as_str())])
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "confirm {email}: {}",
        r.body
    );
}

/// How many mails to `to` hold `needle` so far.
pub async fn count_mail(base: &str, to: &str, needle: &str) -> usize {
    let list = listed(base).await;
    list.as_array()
        .into_iter()
        .flatten()
        .filter(|m| {
            m["to"].as_str() == Some(to) && m["text"].as_str().is_some_and(|t| t.contains(needle))
        })
        .count()
}
