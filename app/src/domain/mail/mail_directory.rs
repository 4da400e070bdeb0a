//! Development without SMTP: each mail is a JSON file in `<data dir>/mail/`, listed newest
//! first on the development-only page `/dev/mail`, so every journey that needs a mail
//! (verification, password reset, invites) works on a fresh machine.
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use super::Mail;

/// A mail as written to the directory.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeliveredMail {
    pub at_ms: i64,
    #[serde(flatten)]
    pub mail: Mail,
}

/// At most this many are listed; older files stay on disk.
pub const LISTED: usize = 100;

pub fn directory(data_dir: &Path) -> PathBuf {
    data_dir.join("mail")
}

/// Mail left here longer than this is deleted (its links have expired by then).
pub const KEPT_SECS: u64 = 7 * 24 * 3600;

pub async fn write(dir: &Path, mail: &Mail) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    // The files hold live links: readable by the server's user alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tokio::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).await?;
    }
    let at_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(i64::MAX);
    let delivered = DeliveredMail {
        at_ms,
        mail: mail.clone(),
    };
    let body = serde_json::to_vec_pretty(&delivered).map_err(std::io::Error::other)?;
    // Written aside, then renamed: a reader never sees half a mail.
    let name = format!("{at_ms:015}-{}", uuid::Uuid::new_v4().simple());
    let partial = dir.join(format!(".{name}.tmp"));
    let done = dir.join(format!("{name}.json"));
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let mut file = open.open(&partial)?;
        file.write_all(&body)?;
        file.sync_all()?;
        std::fs::rename(&partial, done)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Deletes mail older than [`KEPT_SECS`]; returns how many.
pub async fn delete_old(dir: &Path) -> std::io::Result<usize> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut deleted = 0;
    while let Some(entry) = entries.next_entry().await? {
        let age = entry
            .metadata()
            .await?
            .modified()?
            .elapsed()
            .unwrap_or_default();
        if age.as_secs() > KEPT_SECS {
            tokio::fs::remove_file(entry.path()).await?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// The newest mails first, at most [`LISTED`]; unreadable files are skipped.
pub async fn list(dir: &Path) -> std::io::Result<Vec<DeliveredMail>> {
    let mut names = Vec::new();
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort_unstable_by(|a, b| b.cmp(a));
    let mut out = Vec::new();
    for name in names.into_iter().take(LISTED) {
        if let Ok(bytes) = tokio::fs::read(dir.join(&name)).await {
            if let Ok(m) = serde_json::from_slice::<DeliveredMail>(&bytes) {
                out.push(m);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lists_what_was_written_newest_first() {
        let dir = std::env::temp_dir().join(format!("lg-mail-{}", uuid::Uuid::new_v4().simple()));
        for n in 0..3 {
            let mail = Mail {
                to: format!("n{n}@example.com"),
                subject: format!("number {n}"),
                text: "hello".into(),
            };
            write(&dir, &mail).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        let listed = list(&dir).await.unwrap();
        let subjects: Vec<_> = listed.iter().map(|m| m.mail.subject.as_str()).collect();
        assert_eq!(subjects, ["number 2", "number 1", "number 0"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
