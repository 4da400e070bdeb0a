//! Every setting, as a flag and an environment variable (`--help` lists them with defaults).
use clap::{Parser, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Generates a master key on first run; the Sandbox provider is on (later issue).
    Development,
    /// Refuses to start without an explicit master key.
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// When a SQLite commit is on disk (the file's WAL journal is always on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SqliteDurability {
    /// Each commit waits for its fsync: nothing committed is lost even on power failure.
    Full,
    /// Commits are synced at WAL checkpoints: a crash of the process loses nothing, a power
    /// failure or OS crash may lose the last commits (never corrupts). SQLite's advice for WAL.
    Normal,
}

#[derive(Clone, Debug, clap::Subcommand)]
pub enum Command {
    /// Serve (the default).
    Serve,
    /// Re-seal every encrypted value under the current master key (after changing it, with
    /// the old key in LINKGATE_PREVIOUS_MASTER_KEYS), then exit.
    Reseal,
    /// Serve only a constant `GET /` on --bind: the benchmark's baseline (docs/performance.md).
    Baseline,
    /// Write a consistent copy of the SQLite database to a new file while the server keeps
    /// serving (SQLite's `VACUUM INTO`). PostgreSQL is backed up with `pg_dump`.
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
    },
    /// Manage users from the server, for whoever holds it but cannot sign in to the dashboard.
    #[command(subcommand)]
    User(UserCommand),
}

/// `linkgate user …`: run on the server, against its database (same settings as serving).
#[derive(Clone, Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create a user with a confirmed address and a team of their own. Prints a generated
    /// password, unless --password-stdin reads one from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from the first line of standard input instead.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password and end every session of theirs. Prints a generated password,
    /// unless --password-stdin reads one from standard input.
    ResetPassword {
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input instead.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Turn a user's two-factor sign-in off (lost phone and recovery codes); they sign in
    /// with their password and can set it up again.
    ResetTwoFactor {
        #[arg(long)]
        email: String,
    },
    /// Make a user the Owner of a team (adding them if needed); the previous Owner becomes
    /// an Administrator.
    MakeOwner {
        #[arg(long)]
        email: String,
        /// The team's id, or its exact name when no other team has it.
        #[arg(long)]
        team: String,
    },
}

#[derive(Clone, Debug, Parser)]
#[command(
    name = "linkgate",
    version,
    about = "Linkgate: hosted OAuth consent flows for your users' accounts"
)]
pub struct Config {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The URL users reach this server at; cookies get `Secure` when it is https.
    #[arg(
        long,
        env = "LINKGATE_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000"
    )]
    pub public_url: String,

    /// Address and port to listen on.
    #[arg(long, env = "LINKGATE_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// Directory for the SQLite database and the development master key.
    #[arg(long, env = "LINKGATE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// `sqlite://path?mode=rwc` or `postgres://user@host/db`; default: `linkgate.db` in the data dir.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Maximum connections in the database pool.
    #[arg(long, env = "LINKGATE_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,

    /// Account tokens whose `GET /v1/account` answer each instance keeps in memory (about
    /// 0.6 KB each); revocation stays immediate (docs/security.md). 0 turns the cache off.
    #[arg(long, env = "LINKGATE_TOKEN_CACHE_ENTRIES", default_value_t = 100_000)]
    pub token_cache_entries: usize,

    /// SQLite only: `full` syncs every commit to disk; `normal` syncs at checkpoints.
    #[arg(long, env = "LINKGATE_SQLITE_SYNCHRONOUS", value_enum, default_value_t = SqliteDurability::Full)]
    pub sqlite_synchronous: SqliteDurability,

    #[arg(long, env = "LINKGATE_MODE", value_enum, default_value_t = Mode::Development)]
    pub mode: Mode,

    /// Base64 of 32 random bytes (`openssl rand -base64 32`); required in production. In
    /// development it is generated into `<data dir>/master.key` (mode 0600) when absent.
    #[arg(long, env = "LINKGATE_MASTER_KEY", hide_env_values = true)]
    pub master_key: Option<String>,

    /// Earlier master keys, comma-separated, still accepted to open values sealed before a
    /// key change (see `linkgate reseal`); never used to seal.
    #[arg(
        long,
        env = "LINKGATE_PREVIOUS_MASTER_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub previous_master_keys: Vec<String>,

    /// Directory holding the built site (`pkg/` with the wasm, JS and CSS, and public files).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// A dashboard session ends after this many seconds without a request.
    #[arg(long, env = "LINKGATE_SESSION_IDLE_SECS", default_value_t = 8 * 3600)]
    pub session_idle_secs: i64,

    /// A dashboard session ends this many seconds after sign-in, however active.
    #[arg(long, env = "LINKGATE_SESSION_MAX_AGE_SECS", default_value_t = 7 * 24 * 3600)]
    pub session_max_age_secs: i64,

    /// Window over which failed sign-ins are counted (5 per email, 20 per client address).
    #[arg(long, env = "LINKGATE_SIGN_IN_WINDOW_SECS", default_value_t = 15 * 60)]
    pub sign_in_window_secs: i64,

    /// Behind a load balancer: take the client address from the last `X-Forwarded-For` entry.
    #[arg(long, env = "LINKGATE_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    #[arg(long, env = "LINKGATE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Serve the built-in Sandbox provider (default: on in development, off in production).
    #[arg(long, env = "LINKGATE_SANDBOX")]
    pub sandbox: Option<bool>,

    /// Give up on a provider's endpoint after this many seconds.
    #[arg(long, env = "LINKGATE_PROVIDER_TIMEOUT_SECS", default_value_t = 10)]
    pub provider_timeout_secs: u64,

    /// PEM file of certificate authorities trusted for outbound HTTPS besides the public ones
    /// (an on-premise server under a private CA; a local stand-in in the benchmark).
    #[arg(long, env = "LINKGATE_OUTBOUND_CA_FILE")]
    pub outbound_ca_file: Option<std::path::PathBuf>,

    /// Hosted flows one client address may start per 10 minutes (each keeps a pending flow).
    #[arg(long, env = "LINKGATE_FLOW_STARTS_PER_ADDRESS", default_value_t = 120)]
    pub flow_starts_per_address: i64,

    /// Hosted flows one application's client id may start per 10 minutes, from anywhere.
    #[arg(long, env = "LINKGATE_FLOW_STARTS_PER_APP", default_value_t = 60000)]
    pub flow_starts_per_app: i64,

    /// Dashboard sign-ups one client address may make per hour.
    #[arg(long, env = "LINKGATE_SIGN_UPS_PER_ADDRESS", default_value_t = 20)]
    pub sign_ups_per_address: i64,

    /// Dashboard sign-ups per hour from all addresses together.
    #[arg(long, env = "LINKGATE_SIGN_UPS_PER_HOUR", default_value_t = 1000)]
    pub sign_ups_per_hour: i64,

    /// SMTP relay for mail (invites, verification, password reset):
    /// `smtps://user:pass@host:465`, or `smtp://user:pass@host:587?tls=required` for
    /// STARTTLS. Without it mail is written to `<data dir>/mail/` (listed at `/dev/mail` in
    /// development). Production refuses plain SMTP except to a loopback relay.
    #[arg(long, env = "LINKGATE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of Linkgate's mail, e.g. `Linkgate <linkgate@example.com>`; default:
    /// `Linkgate <noreply@HOST>` with the public URL's host.
    #[arg(long, env = "LINKGATE_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Serve Prometheus metrics at `/metrics` on a listener of its own at this address
    /// (e.g. `127.0.0.1:9464`), with no token: reach it only from where you scrape.
    #[arg(long, env = "LINKGATE_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// Serve `/metrics` on the public listener too, to requests with
    /// `Authorization: Bearer <this token>` (at least 32 characters; `openssl rand -hex 32`).
    #[arg(long, env = "LINKGATE_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Development mode on a non-loopback address: off unless set, because development
    /// serves the Sandbox (anyone signs in as anyone) and may use a generated master key.
    #[arg(long, env = "LINKGATE_DEVELOPMENT_ON_NETWORK", default_value_t = false)]
    pub development_on_network: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--public-url must be an absolute http(s) URL without a path, e.g. https://auth.example.com")]
    PublicUrl,
    #[error("session lifetimes and the sign-in window must be positive, the provider timeout 1 to 300 seconds")]
    Durations,
    #[error("rate limits must be positive")]
    Limits,
    #[error("--metrics-token must be at least 32 characters (openssl rand -hex 32)")]
    MetricsToken,
    #[error("--smtp-url must be smtps://… or smtp://…?tls=required in production (plain SMTP would carry password-reset links and the relay's password in the clear), unless the relay is on loopback")]
    PlainSmtp,
    #[error("development mode serves the Sandbox (anyone signs in as anyone) and is bound to {0}, which is not loopback; use --mode production, bind to 127.0.0.1, or pass --development-on-network to accept that")]
    DevelopmentOnNetwork(std::net::IpAddr),
}

impl Config {
    /// The default configuration, as if started with no flags and no environment.
    pub fn defaults() -> Self {
        Config::parse_from(["linkgate"])
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("linkgate.db").display()
            )
        })
    }

    /// `scheme://host[:port]` of the public URL, the origin browsers send with form posts.
    pub fn public_origin(&self) -> Result<String, ConfigError> {
        let url = self.public_url.trim_end_matches('/');
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or(ConfigError::PublicUrl)?;
        if rest.is_empty() || rest.contains('/') || rest.contains('@') || rest.contains(['?', '#'])
        {
            return Err(ConfigError::PublicUrl);
        }
        Ok(url.to_ascii_lowercase())
    }

    /// Whether requests are measured at all (off costs nothing on the hot paths).
    pub fn metrics_enabled(&self) -> bool {
        self.metrics_bind.is_some() || self.metrics_token.is_some()
    }

    pub fn sandbox_enabled(&self) -> bool {
        self.sandbox.unwrap_or(self.mode == Mode::Development)
    }

    pub fn is_https(&self) -> bool {
        self.public_url.to_ascii_lowercase().starts_with("https://")
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        self.public_origin()?;
        if self.session_idle_secs <= 0
            || self.session_max_age_secs <= 0
            || self.sign_in_window_secs <= 0
            || self.provider_timeout_secs == 0
            || self.provider_timeout_secs > 300
        {
            return Err(ConfigError::Durations);
        }
        if [
            self.flow_starts_per_address,
            self.flow_starts_per_app,
            self.sign_ups_per_address,
            self.sign_ups_per_hour,
        ]
        .iter()
        .any(|n| *n <= 0)
        {
            return Err(ConfigError::Limits);
        }
        if self.metrics_token.as_ref().is_some_and(|t| t.len() < 32) {
            return Err(ConfigError::MetricsToken);
        }
        if self.mode == Mode::Production {
            if let Some(url) = &self.smtp_url {
                if !smtp_is_encrypted_or_local(url) {
                    return Err(ConfigError::PlainSmtp);
                }
            }
        }
        Ok(())
    }

    /// The sender address of Linkgate's mail.
    pub fn mail_from(&self) -> String {
        self.mail_from.clone().unwrap_or_else(|| {
            let host = url::Url::parse(&self.public_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| "localhost".into());
            // A bare IP is no mail domain; `localhost` keeps the address well-formed.
            let domain = if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
                "localhost".to_owned()
            } else {
                host
            };
            format!("Linkgate <noreply@{domain}>")
        })
    }

    /// Development on a network address only when asked for explicitly; checked against
    /// the address actually bound (the listener may come from elsewhere than `--bind`).
    pub fn check_bind(&self, bound: std::net::IpAddr) -> Result<(), ConfigError> {
        if self.mode == Mode::Development && !bound.is_loopback() && !self.development_on_network {
            return Err(ConfigError::DevelopmentOnNetwork(bound));
        }
        Ok(())
    }
}

/// `smtps://`, STARTTLS required, or a relay on this machine.
fn smtp_is_encrypted_or_local(smtp_url: &str) -> bool {
    let Ok(u) = url::Url::parse(smtp_url) else {
        // lettre refuses it at start with its own words.
        return true;
    };
    // lettre obeys the first `tls` parameter; so does this check.
    let starttls = u
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .is_some_and(|(_, v)| v == "required");
    let local = match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        // `smtp:` is not a special scheme to the URL parser: its hosts are opaque text.
        Some(url::Host::Domain(d)) => {
            d == "localhost"
                || d.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    };
    u.scheme() == "smtps" || starttls || local
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_smtp_is_encrypted_unless_on_loopback() {
        let mut c = Config::defaults();
        c.mode = Mode::Production;
        for ok in [
            "smtps://u:p@mail.example.com",
            "smtp://u:p@mail.example.com:587?tls=required",
            "smtp://127.0.0.1:2525",
            "smtp://localhost:25",
        ] {
            c.smtp_url = Some(ok.into());
            assert!(c.validate().is_ok(), "refused {ok}");
        }
        for bad in [
            "smtp://u:p@mail.example.com:587",
            "smtp://mail.example.com?tls=opportunistic",
            "smtp://u:p@mail.example.com:587?tls=opportunistic&tls=required",
        ] {
            c.smtp_url = Some(bad.into());
            assert!(matches!(c.validate(), Err(ConfigError::PlainSmtp)), "{bad}");
        }
    }

    #[test]
    fn mail_comes_from_the_public_host() {
        let mut c = Config::defaults();
        assert_eq!(c.mail_from(), "Linkgate <noreply@localhost>");
        c.public_url = "https://auth.example.com".into();
        assert_eq!(c.mail_from(), "Linkgate <noreply@auth.example.com>");
        c.mail_from = Some("Ops <ops@example.com>".into());
        assert_eq!(c.mail_from(), "Ops <ops@example.com>");
    }

    #[test]
    fn public_origin_is_scheme_host_port() {
        let mut c = Config::defaults();
        c.public_url = "https://Auth.Example.com/".into();
        assert_eq!(
            c.public_origin().ok().as_deref(),
            Some("https://auth.example.com")
        );
        assert!(c.is_https());
        for bad in [
            "auth.example.com",
            "https://a.com/path",
            "ftp://a.com",
            "https://u@a.com",
            "https://",
        ] {
            c.public_url = bad.into();
            assert!(c.public_origin().is_err(), "accepted {bad}");
        }
    }

    #[test]
    fn development_stays_on_loopback_unless_told() {
        let mut c = Config::defaults();
        let lan: std::net::IpAddr = "0.0.0.0".parse().unwrap();
        assert!(c.check_bind("127.0.0.1".parse().unwrap()).is_ok());
        assert!(c.check_bind("::1".parse().unwrap()).is_ok());
        assert!(matches!(
            c.check_bind(lan),
            Err(ConfigError::DevelopmentOnNetwork(_))
        ));
        c.development_on_network = true;
        assert!(c.check_bind(lan).is_ok());
        c.development_on_network = false;
        c.mode = Mode::Production;
        assert!(c.check_bind(lan).is_ok());
    }

    #[test]
    fn defaults_are_development_on_sqlite_in_data() {
        let c = Config::defaults();
        assert_eq!(c.mode, Mode::Development);
        assert_eq!(c.bind.to_string(), "127.0.0.1:3000");
        assert!(c.database_url().starts_with("sqlite://"));
        assert!(c.database_url().contains("data"));
    }
}
