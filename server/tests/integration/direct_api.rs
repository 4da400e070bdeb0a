//! Issue 20: the Direct API (`ANY /v1/direct/{path}`). An account imported for a Google
//! registration whose token and API endpoints point at a local provider API (`ProviderApi`
//! below, which checks bearer tokens and rotates them on refresh as Google does); Sandbox
//! accounts made through the real flow reach the Sandbox's own API; an IMAP account (real
//! dovecot) is refused.
use crate::common::dovecot::{Dovecot, PASSWORD, USER};
use crate::common::flow::{account, connect, FlowApp};
use crate::common::{plain_client, Backend, Fixture};
use crate::password_accounts::enable;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::response::{IntoResponse, Response};
use axum::Router;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;

/// One request as the provider API received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
}

#[derive(Default)]
pub struct ApiState {
    /// The access token the API takes now; a refresh replaces it.
    pub current: String,
    pub issued: u32,
    /// The refresh token is refused (`invalid_grant`): the grant was revoked.
    pub grant_revoked: bool,
    /// Every token is refused, fresh ones too (the user lost access).
    pub refuse_all: bool,
    pub received: Vec<Received>,
    /// Sizes of the uploads that arrived whole.
    pub uploads: Vec<usize>,
}

/// A provider's API and token endpoint: `/token` (refresh grant), and under `/api` a few
/// calls that take only the current access token.
pub struct ProviderApi {
    pub base: String,
    pub state: Arc<Mutex<ApiState>>,
    /// `/api/gated` sends its first chunk, then waits for this before the rest.
    pub gate: Arc<Notify>,
}

type Shared = (Arc<Mutex<ApiState>>, Arc<Notify>);

const CHUNK: usize = 64 * 1024;

impl ProviderApi {
    pub async fn start() -> ProviderApi {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(ApiState {
            current: "at-0".into(),
            ..ApiState::default()
        }));
        let gate = Arc::new(Notify::new());
        let app = Router::new()
            .fallback(handle)
            .with_state((state.clone(), gate.clone()));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        ProviderApi { base, state, gate }
    }

    pub fn api_calls(&self) -> Vec<Received> {
        let s = self.state.lock().unwrap();
        s.received
            .iter()
            .filter(|r| r.path.starts_with("/api/"))
            .cloned()
            .collect()
    }

    pub fn refreshes(&self) -> usize {
        let s = self.state.lock().unwrap();
        s.received.iter().filter(|r| r.path == "/token").count()
    }

    /// The provider forgets the token it issued (revoked, or a session that ended early).
    pub fn forget_token(&self) {
        self.state.lock().unwrap().current = "forgotten".into();
    }

    pub fn set(&self, f: impl FnOnce(&mut ApiState)) {
        f(&mut self.state.lock().unwrap());
    }
}

fn unauthorized() -> Response {
    (
        AxumStatus::UNAUTHORIZED,
        [("www-authenticate", "Bearer error=\"invalid_token\"")],
        axum::Json(json!({ "error": { "code": 401, "message": "Invalid Credentials" } })),
    )
        .into_response()
}

async fn handle(State((state, gate)): State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let received = Received {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers.clone(),
    };
    state.lock().unwrap().received.push(received);
    if parts.uri.path() == "/token" {
        let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap();
        let form: Vec<(String, String)> =
            url::form_urlencoded::parse(&bytes).into_owned().collect();
        let mut s = state.lock().unwrap();
        let refresh = form
            .iter()
            .find(|(k, _)| k == "refresh_token")
            .map(|(_, v)| v.as_str());
        if s.grant_revoked || refresh != Some("rt") {
            return (
                AxumStatus::BAD_REQUEST,
                axum::Json(json!({ "error": "invalid_grant" })),
            )
                .into_response();
        }
        s.issued += 1;
        s.current = format!("at-{}", s.issued);
        let token = s.current.clone();
        return axum::Json(
            json!({ "access_token": token, "expires_in": 3599, "token_type": "Bearer" }),
        )
        .into_response();
    }
    let presented = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let refused = {
        let s = state.lock().unwrap();
        s.refuse_all || presented != format!("Bearer {}", s.current)
    };
    if refused {
        // Read what was sent before refusing, as a server that keeps its connection does: a
        // refusal in the middle of an upload would race the client still writing it.
        let _ = axum::body::to_bytes(body, usize::MAX).await;
        return unauthorized();
    }
    match parts.uri.path() {
        "/api/gmail/v1/users/me/profile" => {
            let seen: Vec<String> = parts.headers.keys().map(|k| k.to_string()).collect();
            (
                [
                    ("x-ratelimit-remaining", "41"),
                    ("set-cookie", "provider-session=abc; Path=/"),
                    ("content-type", "application/json; charset=UTF-8"),
                ],
                json!({ "emailAddress": "kim@corp.example", "headersSeen": seen }).to_string(),
            )
                .into_response()
        }
        "/api/echo" => {
            let bytes = axum::body::to_bytes(body, 1024 * 1024).await.unwrap();
            let ct = parts
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            (
                AxumStatus::CREATED,
                axum::Json(json!({ "method": parts.method.as_str(), "contentType": ct, "body": String::from_utf8_lossy(&bytes) })),
            )
                .into_response()
        }
        "/api/upload" => {
            // Counts what arrives, chunk by chunk, as an upload endpoint would.
            let mut stream = body.into_data_stream();
            let mut total = 0usize;
            use futures_util::StreamExt;
            while let Some(chunk) = stream.next().await {
                match chunk {
                    Ok(c) => total += c.len(),
                    Err(_) => return AxumStatus::BAD_REQUEST.into_response(),
                }
            }
            state.lock().unwrap().uploads.push(total);
            axum::Json(json!({ "received": total })).into_response()
        }
        "/api/large" => {
            let mib: usize = parts
                .uri
                .query()
                .and_then(|q| q.strip_prefix("mib="))
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            let chunks =
                (0..mib * 16).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b'm'; CHUNK])));
            (
                [("content-type", "application/octet-stream")],
                Body::from_stream(futures_util::stream::iter(chunks)),
            )
                .into_response()
        }
        "/api/gated" => {
            let gate = gate.clone();
            let first = futures_util::stream::once(async {
                Ok::<_, std::io::Error>(Bytes::from(vec![b'1'; CHUNK]))
            });
            let rest = futures_util::stream::once(async move {
                gate.notified().await;
                Ok::<_, std::io::Error>(Bytes::from(vec![b'2'; CHUNK]))
            });
            use futures_util::StreamExt;
            Body::from_stream(first.chain(rest)).into_response()
        }
        _ => AxumStatus::NOT_FOUND.into_response(),
    }
}

/// An app with a Google registration whose token and API endpoints are `api`, and one
/// account imported with the access token `at-0` and the refresh token `rt`.
pub async fn account_at(base: &str, api: &ProviderApi) -> (FlowApp, String) {
    let mut app = FlowApp::create(base, "Direct caller").await;
    let p = &api.base;
    app.save_registration(&[
        ("service_type", "Google"),
        ("client_id", "g-client"),
        ("client_secret", "g-secret"),
        ("scopes", "Mail.Read"),
        ("token_url", &format!("{p}/token")),
        ("api_base", &format!("{p}/api")),
    ])
    .await;
    let r = plain_client()
        .post(format!("{base}/v1/am/accounts"))
        .header("authorization", app.basic())
        .json(&json!({ "serviceType": "Google", "active": true, "authString1": "at-0", "authString2": "rt", "authUserId": "g-42", "email": "kim@corp.example" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    (app, saved["accessToken"].as_str().unwrap().to_owned())
}

fn direct(base: &str, token: &str, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    plain_client()
        .request(method, format!("{base}/v1/direct/{path}"))
        .header("authorization", format!("Bearer {token}"))
}

/// `GET /v1/direct/gmail/v1/users/me/profile` with `token`.
async fn profile(base: &str, token: &str) -> reqwest::Response {
    direct(
        base,
        token,
        reqwest::Method::GET,
        "gmail/v1/users/me/profile",
    )
    .send()
    .await
    .unwrap()
}

async fn token_status(base: &str, token: &str) -> String {
    let j: Value = account(base, token, "").await.json().await.unwrap();
    j["tokenStatus"].as_str().unwrap().to_owned()
}

/// A request written by hand: clients normalise `..` and `//` away before sending.
async fn raw(base: &str, head: &str) -> (u16, String) {
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        s.read_to_end(&mut answer),
    )
    .await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

async fn calls_reach_the_provider_with_its_token_and_nothing_of_ours(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let api = ProviderApi::start().await;
    let (_app, token) = account_at(&base, &api).await;

    let r = direct(
        &base,
        &token,
        reqwest::Method::GET,
        "gmail/v1/users/me/profile?fields=emailAddress",
    )
    .header("accept", "application/json")
    .header("cookie", "linkgate_session=ours")
    .header("x-forwarded-for", "10.1.2.3")
    .header("x-aurinko-session", "ours")
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-ratelimit-remaining"], "41");
    assert_eq!(
        r.headers()["content-type"],
        "application/json; charset=UTF-8"
    );
    assert_eq!(
        r.headers()["cache-control"],
        "no-store",
        "no cache between keeps one account's data"
    );
    assert!(
        r.headers().get("set-cookie").is_none(),
        "the provider's cookies stay with it"
    );
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["emailAddress"], "kim@corp.example");
    let calls = api.api_calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("GET", "/api/gmail/v1/users/me/profile")
    );
    assert_eq!(call.query.as_deref(), Some("fields=emailAddress"));
    assert_eq!(
        call.headers["authorization"], "Bearer at-0",
        "the provider's token, never ours"
    );
    assert_eq!(call.headers["accept"], "application/json");
    for ours in ["cookie", "x-forwarded-for", "x-aurinko-session"] {
        assert!(call.headers.get(ours).is_none(), "{ours} was forwarded");
    }

    // A body goes through with its type, and the provider's status comes back.
    let r = direct(&base, &token, reqwest::Method::POST, "echo")
        .header("content-type", "application/json")
        .body(r#"{"raw":"message"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let j: Value = r.json().await.unwrap();
    assert_eq!(
        (
            j["method"].as_str(),
            j["contentType"].as_str(),
            j["body"].as_str()
        ),
        (
            Some("POST"),
            Some("application/json"),
            Some(r#"{"raw":"message"}"#)
        )
    );

    // A platform token that is not one: ours to refuse, nothing sent.
    let before = api.api_calls().len();
    let r = profile(&base, "not-a-token").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get("www-authenticate").is_some());
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["code"], "token.invalid");

    // Paths that try to leave the API: refused before anything is sent.
    for path in [
        "/v1/direct//evil.example/x",
        "/v1/direct/..%2f..%2ftoken",
        "/v1/direct/gmail/../../token",
        "/v1/direct/%2e%2e/token",
        "/v1/direct/https://evil.example/x",
        "/v1/direct/http:%2f%2fevil.example",
        "/v1/direct/gmail%5c..%5c..%5ctoken",
    ] {
        let head = format!("GET {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\nconnection: close\r\n\r\n");
        let (status, text) = raw(&base, &head).await;
        assert_eq!(status, 400, "{path}: {text}");
        assert!(text.contains("direct.path"), "{path}: {text}");
    }
    // An absolute URL as the request target names our own path, not another host.
    let head = format!("GET http://evil.example/v1/direct/echo HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\nconnection: close\r\n\r\n");
    let (status, text) = raw(&base, &head).await;
    assert_eq!(status, 201, "the provider's echo answered: {text}");
    let calls = api.api_calls();
    assert!(
        calls
            .iter()
            .all(|c| c.path.starts_with("/api/") && !c.path.contains("..")),
        "{calls:?}"
    );
    assert_eq!(api.refreshes(), 0);
    assert_eq!(calls.len(), before + 1, "one call, to the provider's API");
    assert_eq!(calls[before].path, "/api/echo");

    // A body larger than the cap: refused from its announced length, unread and unsent.
    let head = format!("POST /v1/direct/upload HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\ncontent-length: {}\r\nconnection: close\r\n\r\nabc", 40 * 1024 * 1024);
    let (status, text) = raw(&base, &head).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("direct.too_large"));
    assert!(api.api_calls().iter().all(|c| c.path != "/api/upload"));

    // A registration that moved the provider's token endpoint but kept the catalog's API:
    // its tokens are not sent to the catalog's API.
    let mut moved = FlowApp::create(&base, "Moved endpoints").await;
    moved
        .save_registration(&[
            ("service_type", "Google"),
            ("client_id", "g-client"),
            ("client_secret", "g-secret"),
            ("token_url", &format!("{}/token", api.base)),
        ])
        .await;
    let r = plain_client()
        .post(format!("{base}/v1/am/accounts"))
        .header("authorization", moved.basic())
        .json(&json!({ "serviceType": "Google", "active": true, "authString1": "at-0", "authString2": "rt", "authUserId": "g-7" }))
        .send()
        .await
        .unwrap();
    let saved: Value = r.json().await.unwrap();
    let r = profile(&base, saved["accessToken"].as_str().unwrap()).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["code"], "direct.unsupported", "{j}");
    fx.finish().await;
}
on_both_backends!(calls_reach_the_provider_with_its_token_and_nothing_of_ours);

async fn a_refused_token_is_renewed_once_and_the_call_sent_again(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let api = ProviderApi::start().await;
    let (_app, token) = account_at(&base, &api).await;

    // The provider forgot the token before its time: one refresh, the same call again.
    api.forget_token();
    let r = direct(&base, &token, reqwest::Method::POST, "echo")
        .header("content-type", "text/plain")
        .body("sent twice, intact")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["body"], "sent twice, intact");
    assert_eq!(api.refreshes(), 1);
    let calls = api.api_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].headers["authorization"], "Bearer at-0");
    assert_eq!(calls[1].headers["authorization"], "Bearer at-1");
    // The renewed token is kept: the next call needs no refresh.
    let r = profile(&base, &token).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(api.refreshes(), 1);
    assert_eq!(token_status(&base, &token).await, "active");

    // Refused even with a new token: the provider's 401 reaches the app, once renewed, and
    // the account is `invalid`; accepted again later, it is `active` again.
    api.set(|s| s.refuse_all = true);
    let r = profile(&base, &token).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let j: Value = r.json().await.unwrap();
    assert_eq!(
        j["error"]["message"], "Invalid Credentials",
        "the provider's own answer"
    );
    assert_eq!(api.refreshes(), 2);
    assert_eq!(token_status(&base, &token).await, "invalid");
    api.set(|s| s.refuse_all = false);
    let r = profile(&base, &token).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(token_status(&base, &token).await, "active");

    // The grant itself revoked: the account is dead and nothing more is sent.
    api.forget_token();
    api.set(|s| s.grant_revoked = true);
    let r = profile(&base, &token).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["code"], "token.dead");
    let sent = api.api_calls().len();
    let r = profile(&base, &token).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.api_calls().len(), sent, "a dead account calls nobody");
    fx.finish().await;
}
on_both_backends!(a_refused_token_is_renewed_once_and_the_call_sent_again);

async fn large_bodies_stream_both_ways(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let api = ProviderApi::start().await;
    let (_app, token) = account_at(&base, &api).await;

    // The first chunk reaches the app while the provider still holds back the rest: nothing
    // waits for the whole answer.
    let mut r = direct(&base, &token, reqwest::Method::GET, "gated")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let first = tokio::time::timeout(std::time::Duration::from_secs(20), r.chunk())
        .await
        .expect("the first chunk arrives before the provider sends the rest")
        .unwrap()
        .unwrap();
    assert_eq!(first[0], b'1');
    api.gate.notify_one();
    let mut rest = first.len();
    while let Some(c) = r.chunk().await.unwrap() {
        rest += c.len();
    }
    assert_eq!(rest, 2 * CHUNK);

    // 256 MiB through, counted at the app.
    let mut r = direct(&base, &token, reqwest::Method::GET, "large?mib=256")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut total = 0usize;
    while let Some(c) = r.chunk().await.unwrap() {
        total += c.len();
    }
    assert_eq!(total, 256 * 1024 * 1024);

    // An upload of 20 MiB streams to the provider whole; one past the cap, sent without a
    // length, is cut off and refused.
    let upload = |mib: usize| {
        let chunks = (0..mib * 16).map(|_| Ok::<_, std::io::Error>(vec![b'u'; CHUNK]));
        reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))
    };
    let r = direct(&base, &token, reqwest::Method::POST, "upload")
        .body(upload(20))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["received"], 20 * 1024 * 1024);
    // The server may refuse before the client has finished writing: a 413, or the
    // connection closed under the client; either way no upload past the cap arrived.
    match direct(&base, &token, reqwest::Method::POST, "upload")
        .body(upload(40))
        .send()
        .await
    {
        Ok(r) => {
            assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
            let j: Value = r.json().await.unwrap();
            assert_eq!(j["code"], "direct.too_large", "the app's own fault: {j}");
        }
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    // A streamed upload refused for its token is not sent again (it was not kept): the 401
    // reaches the app, the token is renewed for its retry, and no empty upload arrives.
    api.forget_token();
    let r = direct(&base, &token, reqwest::Method::POST, "upload")
        .body(upload(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let uploads = api.state.lock().unwrap().uploads.clone();
    assert_eq!(
        uploads,
        vec![20 * 1024 * 1024],
        "only the upload within the cap arrived"
    );
    fx.finish().await;
}
on_both_backends!(large_bodies_stream_both_ways);

async fn sandbox_accounts_reach_its_api_and_password_accounts_are_refused(backend: Backend) {
    let dovecot = Dovecot::start();
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let mut app = FlowApp::create(&base, "Sandbox caller").await;
    let (_, token) = connect(&base, &app, &[]).await;
    let r = direct(&base, &token, reqwest::Method::GET, "me")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    let account: Value = account(&base, &token, "").await.json().await.unwrap();
    assert_eq!(me["email"], account["email"]);
    let r = direct(&base, &token, reqwest::Method::PUT, "echo?x=1")
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let j: Value = r.json().await.unwrap();
    assert_eq!(
        (
            j["method"].as_str(),
            j["query"].as_str(),
            j["body"].as_str()
        ),
        (Some("PUT"), Some("x=1"), Some("hello"))
    );

    enable(&mut app, "IMAP", "true", "").await;
    let r = plain_client()
        .post(format!("{base}/v1/am/accounts?ensureAccess=true"))
        .header("authorization", app.basic())
        .json(&json!({ "serviceType": "IMAP", "active": true, "email": USER, "password": PASSWORD, "serverUrl": format!("127.0.0.1:{}", dovecot.imaps_port) }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let imap: Value = r.json().await.unwrap();
    let r = direct(
        &base,
        imap["accessToken"].as_str().unwrap(),
        reqwest::Method::GET,
        "INBOX",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["code"], "direct.unsupported");
    assert!(j["message"].as_str().unwrap().contains("password"), "{j}");
    fx.finish().await;
}
on_both_backends!(sandbox_accounts_reach_its_api_and_password_accounts_are_refused);

/// The peak resident memory of a process, in KiB.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The server as its own process, so its memory is its own: 512 MiB through it moves its
/// peak by less than 64 MiB.
async fn memory_stays_flat_while_a_large_answer_streams(backend: Backend) {
    let db = crate::common::TestDatabase::create(backend).await;
    let key = app::domain::crypto::MasterKey::generate();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_linkgate"))
        .env("LINKGATE_BIND", format!("127.0.0.1:{port}"))
        .env("LINKGATE_PUBLIC_URL", &base)
        .env("LINKGATE_DATA_DIR", &db.dir)
        .env("DATABASE_URL", &db.url)
        .env("LINKGATE_MASTER_KEY", key.to_base64())
        .env("LINKGATE_SIGN_UPS_PER_ADDRESS", "1000")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the linkgate binary");
    let mut ready = false;
    for _ in 0..200 {
        if let Ok(r) = plain_client().get(format!("{base}/readyz")).send().await {
            if r.status() == StatusCode::OK {
                ready = true;
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ready, "the server did not become ready");
    let api = ProviderApi::start().await;
    let (_app, token) = account_at(&base, &api).await;
    let stream = |mib: usize| {
        let base = base.clone();
        let token = token.clone();
        async move {
            let mut r = direct(
                &base,
                &token,
                reqwest::Method::GET,
                &format!("large?mib={mib}"),
            )
            .send()
            .await
            .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let mut total = 0usize;
            while let Some(c) = r.chunk().await.unwrap() {
                total += c.len();
            }
            assert_eq!(total, mib * 1024 * 1024);
        }
    };
    stream(4).await;
    let before = peak_kib(child.id());
    stream(512).await;
    let after = peak_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    eprintln!("peak memory: {before} KiB after 4 MiB, {after} KiB after 512 MiB");
    assert!(
        after < before + 64 * 1024,
        "the peak grew from {before} KiB to {after} KiB"
    );
    db.drop_it().await;
}
on_both_backends!(memory_stays_flat_while_a_large_answer_streams);

/// An API base override saved in development (or before the production rule) is checked
/// again on every call: a production instance sends no token to it.
async fn an_api_base_saved_in_development_gets_no_token_in_production(backend: Backend) {
    let db = crate::common::TestDatabase::create(backend).await;
    let key = app::domain::crypto::MasterKey::generate();
    let dev = crate::common::TestServer::start(&db, &key, |_| {}).await;
    let api = ProviderApi::start().await;
    let (_app, token) = account_at(&dev.base, &api).await;
    let r = profile(&dev.base, &token).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "development reaches the test API"
    );
    let calls = api.api_calls().len();
    dev.stop().await;

    let prod = crate::common::TestServer::start(&db, &key, |c| {
        c.mode = server::config::Mode::Production;
    })
    .await;
    let r = profile(&prod.base, &token).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["code"], "direct.unsupported", "{j}");
    assert!(j["message"].as_str().unwrap().contains("own clouds"), "{j}");
    assert_eq!(api.api_calls().len(), calls, "nothing more reached it");
    prod.stop().await;
    db.drop_it().await;
}
on_both_backends!(an_api_base_saved_in_development_gets_no_token_in_production);
