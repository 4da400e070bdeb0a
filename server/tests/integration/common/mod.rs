//! Starts a real Linkgate server on loopback, on a fresh SQLite file or a fresh PostgreSQL
//! database (dropped afterwards), and talks to it over HTTP like a browser without JS.
#![allow(dead_code)]

pub mod dovecot;
pub mod flow;
pub mod listener;
pub mod mailbox;
pub mod receiver;
pub mod smtp;
pub mod stand_in;
pub mod team;

use app::domain::crypto::MasterKey;
use reqwest::header::{HeaderMap, HeaderValue, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use server::config::Config;
use std::path::PathBuf;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const COOKIE: &str = "linkgate_session";
pub const PASSWORD: &str = "correct horse battery";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

fn postgres_admin_url() -> String {
    std::env::var("LINKGATE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A database of its own for one test: a SQLite file in a temp dir, or a new PostgreSQL database.
pub struct TestDatabase {
    pub url: String,
    pub dir: PathBuf,
    pg_name: Option<String>,
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> Self {
        let dir =
            std::env::temp_dir().join(format!("linkgate-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}?mode=rwc", dir.join("linkgate.db").display());
                TestDatabase {
                    url,
                    dir,
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("linkgate_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(format!("{}/postgres", postgres_admin_url()))
                    .await
                    .expect("PostgreSQL at LINKGATE_TEST_POSTGRES (default 127.0.0.1:5432) must be running");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create database");
                admin.close().await.ok();
                TestDatabase {
                    url: format!("{}/{name}", postgres_admin_url()),
                    dir,
                    pg_name: Some(name),
                }
            }
        }
    }

    pub async fn drop_it(self) {
        if let Some(name) = self.pg_name {
            if let Ok(admin) = Database::connect(format!("{}/postgres", postgres_admin_url())).await
            {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
                admin.close().await.ok();
            }
        }
        let _ = std::fs::remove_dir_all(self.dir);
    }
}

pub struct TestServer {
    pub base: String,
    shutdown: Option<oneshot::Sender<()>>,
    handle: JoinHandle<Result<(), server::StartError>>,
}

impl TestServer {
    /// Starts a server on `db` with a shared key, after `tweak` adjusts the configuration.
    pub async fn start(
        db: &TestDatabase,
        key: &MasterKey,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut config = Config::defaults();
        config.public_url = format!("http://{addr}");
        config.data_dir = db.dir.clone();
        config.database_url = Some(db.url.clone());
        config.master_key = Some(key.to_base64());
        config.db_max_connections = 5;
        // Every test signs its users up from 127.0.0.1; the sign-up limits have their own.
        config.sign_ups_per_address = 1000;
        config.sign_ups_per_hour = 1000;
        tweak(&mut config);
        if config.mode == server::config::Mode::Production && config.smtp_url.is_none() {
            mailbox::note_directory(&format!("http://{addr}"), config.data_dir.join("mail"));
        }
        let (tx, rx) = oneshot::channel();
        let handle = tokio::spawn(server::serve(config, listener, async {
            let _ = rx.await;
        }));
        let base = format!("http://{addr}");
        // Ready once migrations ran and the database answers.
        for _ in 0..200 {
            if let Ok(r) = plain_client().get(format!("{base}/readyz")).send().await {
                if r.status() == StatusCode::OK {
                    return TestServer {
                        base,
                        shutdown: Some(tx),
                        handle,
                    };
                }
            }
            if handle.is_finished() {
                panic!("server exited during start: {:?}", handle.await);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("server did not become ready");
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let result = self.handle.await.expect("server task");
        assert!(result.is_ok(), "server stopped with {result:?}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// One server on its own database, the usual shape of a test.
pub struct Fixture {
    pub db: TestDatabase,
    pub server: TestServer,
    /// The server's master key (for commands run beside it, like `linkgate user …`).
    pub master_key_base64: String,
}

impl Fixture {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        let db = TestDatabase::create(backend).await;
        let key = MasterKey::generate();
        let server = TestServer::start(&db, &key, tweak).await;
        Fixture {
            db,
            server,
            master_key_base64: key.to_base64(),
        }
    }

    pub async fn finish(self) {
        self.server.stop().await;
        self.db.drop_it().await;
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.server.base)
    }
}

/// Past this a request has hung (the slowest answer a test waits for is a few seconds): it
/// fails the test with its error instead of holding CI until its own limit.
pub const REQUEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Past this a whole test has hung somewhere (a request, a shutdown, a database).
pub const TEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

pub async fn within_test_limit<F: std::future::Future>(name: &str, test: F) -> F::Output {
    match tokio::time::timeout(TEST_LIMIT, test).await {
        Ok(out) => out,
        Err(_) => panic!("{name} did not finish within {TEST_LIMIT:?}: something hung"),
    }
}

pub fn plain_client() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .timeout(REQUEST_LIMIT)
        .build()
        .expect("client")
}

/// A cookie-keeping client that, like a browser, sends only the session cookie it was given.
pub struct Browser {
    pub base: String,
    pub cookie: Option<String>,
    client: Client,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub set_cookie: Option<String>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Browser {
            base: base.to_owned(),
            cookie: None,
            client: plain_client(),
        }
    }

    /// Points this browser at another server (another instance behind the same balancer).
    pub fn at(&self, base: &str) -> Self {
        Browser {
            base: base.to_owned(),
            cookie: self.cookie.clone(),
            client: plain_client(),
        }
    }

    async fn read(&mut self, r: Response) -> Answer {
        let status = r.status();
        let headers = r.headers().clone();
        let set_cookie = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{COOKIE}=")))
            .map(str::to_owned);
        if let Some(c) = &set_cookie {
            let value = c
                .split(';')
                .next()
                .unwrap_or_default()
                .trim_start_matches(&format!("{COOKIE}="))
                .to_owned();
            let removed = value.is_empty() || c.contains("Max-Age=0");
            self.cookie = if removed { None } else { Some(value) };
        }
        let body = r.text().await.unwrap_or_default();
        Answer {
            status,
            headers,
            body,
            set_cookie,
        }
    }

    fn with_cookie(&self, mut rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if let Some(c) = &self.cookie {
            rb = rb.header("cookie", format!("{COOKIE}={c}"));
        }
        rb
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let rb = self.with_cookie(self.client.get(format!("{}{path}", self.base)));
        let r = rb.send().await.expect("GET");
        self.read(r).await
    }

    pub async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.post_form_with(path, form, &[]).await
    }

    pub async fn post_form_with(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut rb = self.with_cookie(self.client.post(format!("{}{path}", self.base)).form(form));
        for (k, v) in headers {
            rb = rb.header(*k, HeaderValue::from_str(v).expect("header"));
        }
        let r = rb.send().await.expect("POST");
        self.read(r).await
    }

    /// Posts a `multipart/form-data` form, as a browser posts a form with a file input:
    /// `fields`, then `file` as (field name, file name, bytes).
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Answer {
        let boundary = "----linkgate-test-boundary-7f3a";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\ncontent-disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, filename, bytes) = file;
        body.extend_from_slice(
            format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\ncontent-type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let rb = self.with_cookie(
            self.client
                .post(format!("{}{path}", self.base))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body),
        );
        let r = rb.send().await.expect("POST");
        self.read(r).await
    }

    /// Calls a POST server function (`/api/...`) with form fields.
    pub async fn call(&mut self, endpoint: &str, fields: &[(&str, &str)]) -> Answer {
        self.post_form(&format!("/api/{endpoint}"), fields).await
    }

    /// Calls a GET server function with query parameters.
    pub async fn query(&mut self, endpoint: &str, params: &[(&str, &str)]) -> Answer {
        let rb = self.with_cookie(
            self.client
                .get(format!("{}/api/{endpoint}", self.base))
                .query(params),
        );
        let r = rb.send().await.expect("GET");
        self.read(r).await
    }

    /// Signs up and confirms the address from the mailed link (what most tests need).
    pub async fn sign_up(&mut self, name: &str, email: &str) -> Answer {
        let answer = self.sign_up_unverified(name, email).await;
        if answer.status == StatusCode::SEE_OTHER {
            mailbox::verify(self, &email.to_lowercase()).await;
        }
        answer
    }

    /// Signs up and leaves the confirmation mail unopened.
    pub async fn sign_up_unverified(&mut self, name: &str, email: &str) -> Answer {
        self.post_form(
            "/signup",
            &[("name", name), ("email", email), ("password", PASSWORD)],
        )
        .await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Answer {
        self.post_form("/signin", &[("email", email), ("password", password)])
            .await
    }
}

/// Runs a test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::common::within_test_limit(
                    concat!(stringify!($name), "::sqlite"),
                    super::$name($crate::common::Backend::Sqlite),
                )
                .await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::common::within_test_limit(
                    concat!(stringify!($name), "::postgres"),
                    super::$name($crate::common::Backend::Postgres),
                )
                .await
            }
        }
    };
}
