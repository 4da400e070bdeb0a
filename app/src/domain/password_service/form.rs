//! What the hosted form asks for each password service (providers.md), checked field by
//! field; a mistake names its field and keeps everything typed except the password.
use std::collections::BTreeMap;
use url::{Host, Url};

use super::form_submission::FormSubmission;
use super::imap::TlsMode;
use crate::domain::catalog;
use crate::domain::outbound::address_policy as host_policy;
use crate::form_outcome::FieldErrors;

pub const MAX_PASSWORD: usize = 1024;

/// The typed forms hold passwords: their `Debug` never shows them.
#[derive(Clone)]
pub struct ImapForm {
    pub email: String,
    pub login: String,
    pub password: String,
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
}

#[derive(Clone)]
pub struct EwsForm {
    pub email: Option<String>,
    pub login: String,
    pub password: String,
    pub server_url: Url,
}

#[derive(Clone)]
pub struct SugarForm {
    pub server_url: Url,
    pub username: String,
    pub password: String,
}

#[derive(Clone)]
pub enum ServiceForm {
    Imap(ImapForm),
    Ews(EwsForm),
    Sugar(SugarForm),
}

impl std::fmt::Debug for ServiceForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServiceForm::Imap(i) => {
                write!(f, "Imap({}@{}:{}, password: ..)", i.login, i.host, i.port)
            }
            ServiceForm::Ews(e) => write!(f, "Ews({} at {}, password: ..)", e.login, e.server_url),
            ServiceForm::Sugar(s) => {
                write!(f, "Sugar({} at {}, password: ..)", s.username, s.server_url)
            }
        }
    }
}

/// The form's fields: `(name, label, input type)`.
pub fn fields(service_type: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    match service_type {
        "IMAP" => &[
            ("email", "Email", "email"),
            ("login", "Login (if not the email)", "text"),
            ("password", "Password (or app password)", "password"),
            ("imap_host", "IMAP server", "text"),
            ("imap_port", "IMAP port", "number"),
            ("tls", "Security", "tls"),
            ("smtp_host", "SMTP server (optional)", "text"),
            ("smtp_port", "SMTP port (optional)", "number"),
        ],
        "EWS" => &[
            ("email", "Email (optional)", "email"),
            ("login", "Login", "text"),
            ("password", "Password", "password"),
            (
                "server_url",
                "Exchange server URL (…/EWS/Exchange.asmx)",
                "url",
            ),
        ],
        _ => &[
            ("server_url", "SugarCRM URL", "url"),
            ("username", "User name", "text"),
            ("password", "Password", "password"),
        ],
    }
}

/// Values to pre-fill: `loginHint`, `serverUrl`, and a well-known IMAP host for the email.
pub fn prefill(
    service_type: &str,
    login_hint: Option<&str>,
    server_url: Option<&str>,
) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    if let Some(hint) = login_hint {
        let key = if service_type == "SugarCRM" {
            "username"
        } else if service_type == "EWS" {
            "login"
        } else {
            "email"
        };
        v.insert(key.to_owned(), hint.to_owned());
    }
    if let Some(url) = server_url {
        let key = if service_type == "IMAP" {
            "imap_host"
        } else {
            "server_url"
        };
        v.insert(key.to_owned(), url.to_owned());
    }
    if service_type == "IMAP" {
        v.insert("imap_port".into(), "993".into());
        v.insert("tls".into(), "implicit".into());
        if let Some((host, port)) = login_hint.and_then(well_known_imap) {
            v.entry("imap_host".into()).or_insert(host);
            v.insert("imap_port".into(), port.to_string());
        }
    }
    v
}

/// The IMAP server of a well-known mail provider for an email address.
pub fn well_known_imap(email: &str) -> Option<(String, u16)> {
    let domain = email.rsplit_once('@')?.1.to_ascii_lowercase();
    let entry = catalog::builtin()
        .get("IMAP")?
        .well_known_hosts
        .get(&domain)?;
    let (host, port) = entry.rsplit_once(':')?;
    Some((host.to_owned(), port.parse().ok()?))
}

fn text<'a>(form: &'a FormSubmission, name: &str) -> &'a str {
    form.field(name).trim()
}

fn plain(v: &str, max: usize) -> bool {
    v.len() <= max && !v.chars().any(char::is_control)
}

fn port(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<u16> {
    match raw.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => Some(p as u16),
        _ => {
            errors.add(field, "Enter a port from 1 to 65535.");
            None
        }
    }
}

fn server_url(raw: &str, allow_loopback: bool, errors: &mut FieldErrors) -> Option<Url> {
    let url = Url::parse(raw).ok().filter(|u| {
        let loopback = match u.host() {
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        (u.scheme() == "https" || (u.scheme() == "http" && loopback && allow_loopback))
            && u.username().is_empty()
            && u.password().is_none()
            && raw.len() <= 2048
    });
    if url.is_none() {
        errors.add("server_url", "Enter the server's https URL.");
    }
    url
}

fn password(form: &FormSubmission, errors: &mut FieldErrors) -> String {
    // Not trimmed: spaces may be part of a password.
    let p = form.field("password").to_owned();
    if p.is_empty() {
        errors.add("password", "Enter the password.");
    } else if p.len() > MAX_PASSWORD || p.contains(['\r', '\n', '\0']) {
        errors.add("password", "Use at most 1024 characters, on one line.");
    }
    p
}

fn email_ok(v: &str) -> bool {
    v.len() <= 254
        && v.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        && !v.contains(char::is_whitespace)
}

pub fn parse(
    service_type: &str,
    form: &FormSubmission,
    allow_loopback: bool,
) -> Result<ServiceForm, FieldErrors> {
    let mut e = FieldErrors::default();
    let parsed = match service_type {
        "IMAP" => {
            let email = text(form, "email").to_owned();
            if !email_ok(&email) {
                e.add("email", "Enter the email address.");
            }
            let login = match text(form, "login") {
                "" => email.clone(),
                l => l.to_owned(),
            };
            if !plain(&login, 320) {
                e.add(
                    "login",
                    "Use at most 320 characters, no control characters.",
                );
            }
            let password = password(form, &mut e);
            let host = text(form, "imap_host").to_owned();
            if let Err(m) = host_policy::check_text(&host) {
                e.add("imap_host", m);
            }
            let imap_port = port(text(form, "imap_port"), "imap_port", &mut e);
            let tls = match text(form, "tls") {
                "" | "implicit" => TlsMode::Implicit,
                "starttls" => TlsMode::StartTls,
                _ => {
                    e.add("tls", "Choose implicit TLS or STARTTLS.");
                    TlsMode::Implicit
                }
            };
            let smtp_host = Some(text(form, "smtp_host").to_owned()).filter(|s| !s.is_empty());
            if let Some(h) = &smtp_host {
                if let Err(m) = host_policy::check_text(h) {
                    e.add("smtp_host", m);
                }
            }
            let smtp_port = match text(form, "smtp_port") {
                "" => None,
                raw => port(raw, "smtp_port", &mut e),
            };
            ServiceForm::Imap(ImapForm {
                email,
                login,
                password,
                host,
                port: imap_port.unwrap_or(993),
                tls,
                smtp_host,
                smtp_port,
            })
        }
        "EWS" => {
            let email = Some(text(form, "email").to_owned()).filter(|s| !s.is_empty());
            if email.as_deref().is_some_and(|m| !email_ok(m)) {
                e.add("email", "Enter the email address, or leave it empty.");
            }
            let login = text(form, "login").to_owned();
            if login.is_empty() || !plain(&login, 320) {
                e.add("login", "Enter the login (up to 320 characters).");
            }
            let password = password(form, &mut e);
            let url = server_url(text(form, "server_url"), allow_loopback, &mut e);
            match url {
                Some(server_url) => ServiceForm::Ews(EwsForm {
                    email,
                    login,
                    password,
                    server_url,
                }),
                None => return Err(e),
            }
        }
        _ => {
            let url = server_url(text(form, "server_url"), allow_loopback, &mut e);
            let username = text(form, "username").to_owned();
            if username.is_empty() || !plain(&username, 320) {
                e.add("username", "Enter the user name (up to 320 characters).");
            }
            let password = password(form, &mut e);
            match url {
                Some(server_url) => ServiceForm::Sugar(SugarForm {
                    server_url,
                    username,
                    password,
                }),
                None => return Err(e),
            }
        }
    };
    if e.is_empty() {
        Ok(parsed)
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> FormSubmission {
        FormSubmission::from_pairs(v.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    fn fields_of(e: FieldErrors) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn each_bad_field_is_named() {
        let long = "x".repeat(10 * 1024);
        let bad = pairs(&[
            ("email", ""),
            ("password", &long),
            ("imap_host", "imap\r\nexample.com"),
            ("imap_port", "70000"),
            ("tls", "ssl3"),
        ]);
        let errors = fields_of(parse("IMAP", &bad, true).unwrap_err());
        for f in ["email", "password", "imap_host", "imap_port", "tls"] {
            assert!(errors.contains(&f.to_owned()), "{f} in {errors:?}");
        }
        let ok = pairs(&[
            ("email", "a@example.com"),
            ("password", "p w"),
            ("imap_host", "imap.example.com"),
            ("imap_port", "993"),
        ]);
        match parse("IMAP", &ok, true).unwrap() {
            ServiceForm::Imap(f) => assert_eq!(
                (f.login.as_str(), f.password.as_str()),
                ("a@example.com", "p w")
            ),
            _ => unreachable!(),
        }
        let errors =
            fields_of(parse("SugarCRM", &pairs(&[("server_url", "ftp://x")]), true).unwrap_err());
        assert!(errors.contains(&"server_url".to_owned()));
    }

    #[test]
    fn well_known_hosts_prefill_the_form() {
        assert_eq!(
            well_known_imap("someone@GMAIL.com"),
            Some(("imap.gmail.com".into(), 993))
        );
        assert_eq!(well_known_imap("someone@example.org"), None);
        let v = prefill("IMAP", Some("me@icloud.com"), None);
        assert_eq!(
            v.get("imap_host").map(String::as_str),
            Some("imap.mail.me.com")
        );
    }
}
