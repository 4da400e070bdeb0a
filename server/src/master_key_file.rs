//! Where the master key comes from: the setting, or in development a key file generated once.
use app::domain::crypto::{KeyError, MasterKey};
use std::io::Write;
use std::path::Path;

use crate::config::{Config, Mode};

#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error("production mode needs LINKGATE_MASTER_KEY (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)")]
    MissingInProduction,
    #[error("LINKGATE_MASTER_KEY is not valid: {0}")]
    Invalid(#[from] KeyError),
    #[error("cannot read or create the key file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

pub fn resolve(config: &Config) -> Result<MasterKey, MasterKeyError> {
    if let Some(text) = &config.master_key {
        return Ok(MasterKey::from_base64(text)?);
    }
    if config.mode == Mode::Production {
        return Err(MasterKeyError::MissingInProduction);
    }
    load_or_create(&config.data_dir.join("master.key"))
}

/// Keys that sealed values may still name after a key change (opened, never used to seal).
pub fn previous(config: &Config) -> Result<Vec<MasterKey>, MasterKeyError> {
    config
        .previous_master_keys
        .iter()
        .filter(|k| !k.trim().is_empty())
        .map(|k| MasterKey::from_base64(k).map_err(MasterKeyError::Invalid))
        .collect()
}

fn load_or_create(path: &Path) -> Result<MasterKey, MasterKeyError> {
    let file_err = |source| MasterKeyError::File {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(MasterKey::from_base64(&text)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(file_err)?;
            }
            let key = MasterKey::generate();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(path).map_err(file_err)?;
            file.write_all(key.to_base64().as_bytes())
                .map_err(file_err)?;
            tracing::info!(path = %path.display(), key_id = %key.key_id(), "generated a development master key");
            Ok(key)
        }
        Err(e) => Err(file_err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_key_is_created_once_with_owner_only_permissions() {
        let dir = std::env::temp_dir().join(format!("linkgate-key-{}", uuid::Uuid::new_v4()));
        let mut config = Config::defaults();
        config.data_dir = dir.clone();
        let first = resolve(&config).expect("created");
        let second = resolve(&config).expect("loaded");
        assert_eq!(first.key_id(), second.key_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("master.key"))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn production_refuses_to_start_without_a_key() {
        let mut config = Config::defaults();
        config.mode = Mode::Production;
        assert!(matches!(
            resolve(&config),
            Err(MasterKeyError::MissingInProduction)
        ));
        config.master_key = Some("too short".into());
        assert!(matches!(resolve(&config), Err(MasterKeyError::Invalid(_))));
    }
}
