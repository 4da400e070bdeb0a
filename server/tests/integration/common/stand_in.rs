//! A provider played by a local HTTP server, for recorded-conversation tests: every request
//! Linkgate sends is kept, checked by the provider's script against that provider's
//! documented contract, and answered as the documentation says (errors included). What a
//! script found against the contract is in `broken`, which a test asserts empty.
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use url::Url;

/// One request as the provider received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    /// The form body (`application/x-www-form-urlencoded`), else empty.
    pub form: BTreeMap<String, String>,
    pub authorization: Option<String>,
}

impl Seen {
    pub fn is(&self, method: &str, path: &str) -> bool {
        self.method == method && self.path == path
    }
    pub fn form(&self, name: &str) -> &str {
        self.form.get(name).map(String::as_str).unwrap_or_default()
    }
    pub fn query(&self, name: &str) -> &str {
        self.query.get(name).map(String::as_str).unwrap_or_default()
    }
}

pub enum Reply {
    Json(u16, serde_json::Value),
    /// A 302 to the given URL (an authorize endpoint sending the browser back).
    Redirect(String),
    Status(u16),
}

pub trait Script: Send + 'static {
    /// The documented answer to `seen`; anything the contract forbids goes to `broken`.
    fn answer(&mut self, seen: &Seen, broken: &mut Vec<String>) -> Reply;
}

struct Inner {
    script: Box<dyn Script>,
    seen: Vec<Seen>,
    broken: Vec<String>,
}

pub struct StandIn {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl StandIn {
    pub async fn start(script: impl Script) -> StandIn {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let inner = Arc::new(Mutex::new(Inner {
            script: Box::new(script),
            seen: Vec::new(),
            broken: Vec::new(),
        }));
        let app = Router::new().fallback(handle).with_state(inner.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        StandIn { base, inner }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.inner.lock().unwrap().seen.clone()
    }

    /// Requests to `method path`.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.seen().iter().filter(|s| s.is(method, path)).count()
    }

    pub fn broken(&self) -> Vec<String> {
        self.inner.lock().unwrap().broken.clone()
    }
}

fn pairs(raw: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

async fn handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let seen = Seen {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(pairs).unwrap_or_default(),
        form: if is_form {
            pairs(&String::from_utf8_lossy(&body))
        } else {
            BTreeMap::new()
        },
        authorization: headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let reply = {
        let mut g = inner.lock().unwrap();
        let mut broken = std::mem::take(&mut g.broken);
        let reply = g.script.answer(&seen, &mut broken);
        g.broken = broken;
        g.seen.push(seen);
        reply
    };
    let status = |s: u16| StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match reply {
        Reply::Json(s, v) => (status(s), axum::Json(v)).into_response(),
        Reply::Redirect(to) => (StatusCode::FOUND, [(header::LOCATION, to)]).into_response(),
        Reply::Status(s) => status(s).into_response(),
    }
}

/// The authorize endpoint's answer: back to `redirect_uri` with a code, the state, and
/// `extra` (Zoho's `accounts-server`).
pub fn back_with_code(seen: &Seen, code: &str, extra: &[(&str, &str)]) -> Reply {
    let mut to = match Url::parse(seen.query("redirect_uri")) {
        Ok(u) => u,
        Err(_) => return Reply::Status(400),
    };
    to.query_pairs_mut()
        .append_pair("code", code)
        .append_pair("state", seen.query("state"));
    for (k, v) in extra {
        to.query_pairs_mut().append_pair(k, v);
    }
    Reply::Redirect(to.to_string())
}
