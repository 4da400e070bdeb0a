//! Structured logs: `RUST_LOG` filters (default `info`), `--log-format json` for collectors.
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// The request path as logs may show it: an invite, confirmation or reset link's path is its
/// secret token, and a code exchange's path is the one-time code.
pub fn loggable_path(path: &str) -> &str {
    if path.starts_with("/invite/") {
        "/invite/{token}"
    } else if path.starts_with("/verify-email/") {
        "/verify-email/{token}"
    } else if path.starts_with("/reset-password/") {
        "/reset-password/{token}"
    } else if path.starts_with("/change-email/") {
        "/change-email/{token}"
    } else if path.starts_with("/v1/auth/token/") {
        "/v1/auth/token/{code}"
    } else if path.starts_with("/v1/auth/connect/") {
        "/v1/auth/connect/{token}"
    } else if path.starts_with("/v1/direct/") {
        // A provider path names mailboxes and messages (`/users/kim@corp.example/…`).
        "/v1/direct/{path}"
    } else {
        path
    }
}

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn invite_tokens_stay_out_of_logs() {
        assert_eq!(loggable_path("/invite/lg_invite_secret"), "/invite/{token}");
        assert_eq!(loggable_path("/team"), "/team");
        assert_eq!(
            loggable_path("/verify-email/lg_verify_secret"),
            "/verify-email/{token}"
        );
        assert_eq!(
            loggable_path("/reset-password/lg_reset_secret"),
            "/reset-password/{token}"
        );
        assert_eq!(
            loggable_path("/change-email/lg_email_secret"),
            "/change-email/{token}"
        );
        assert_eq!(
            loggable_path("/v1/auth/token/lgc_abc"),
            "/v1/auth/token/{code}"
        );
    }
}
