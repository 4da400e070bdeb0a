//! A value the dashboard shows once (a new client secret, API key, invite link), or a form's
//! notice of success, carried after a plain form post (every dashboard form, in islands
//! mode) through the session to the page the post returns to.
use serde::{Deserialize, Serialize};

use crate::app_views::{NewApp, NewSecret};
use crate::team_views::{NewApiKey, NewInvite};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownValue {
    pub label: String,
    pub value: String,
    /// A class naming what the value is, for styles and tests (`new-secret`).
    pub class: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownOnce {
    /// The server function that produced it (its path), so only that form's card shows it.
    pub form: String,
    pub heading: String,
    pub values: Vec<ShownValue>,
    /// A next step: (href, text).
    pub link: Option<(String, String)>,
    /// What it belongs to (the team or application id), so another app's page never
    /// shows it.
    #[serde(default)]
    pub scope: String,
    /// The page a plain post of the form came from: only that page shows it.
    #[serde(default)]
    pub page: String,
    /// When a plain post kept it (unix seconds); an old one is dropped unseen.
    #[serde(default)]
    pub kept_at: i64,
}

fn value(label: &str, value: &str, class: &str) -> ShownValue {
    ShownValue {
        label: label.to_owned(),
        value: value.to_owned(),
        class: class.to_owned(),
    }
}

impl ShownOnce {
    fn blank() -> Self {
        Self {
            form: String::new(),
            heading: String::new(),
            values: Vec::new(),
            link: None,
            scope: String::new(),
            page: String::new(),
            kept_at: 0,
        }
    }

    pub fn new_app(form: &str, n: &NewApp) -> Self {
        Self {
            form: form.to_owned(),
            heading: format!(
                "{} is ready. Copy its client secret now: it is not shown again.",
                n.name
            ),
            values: vec![
                value("Client id", &n.client_id, "new-client-id"),
                value("Client secret", &n.secret, "new-secret"),
            ],
            link: Some((
                format!("/applications/{}", n.id),
                format!("Set up {} →", n.name),
            )),
            ..Self::blank()
        }
    }

    pub fn new_secret(form: &str, n: &NewSecret) -> Self {
        Self {
            form: form.to_owned(),
            heading: "Copy the new secret now: it is not shown again.".to_owned(),
            values: vec![value("New client secret", &n.value, "new-secret")],
            link: None,
            ..Self::blank()
        }
    }

    pub fn new_api_key(form: &str, k: &NewApiKey) -> Self {
        Self {
            form: form.to_owned(),
            heading: format!("Copy the key “{}” now: it is not shown again.", k.key.name),
            values: vec![value("New API key", &k.secret, "api-key-secret")],
            link: None,
            ..Self::blank()
        }
    }

    pub fn new_invite(form: &str, n: &NewInvite) -> Self {
        Self {
            form: form.to_owned(),
            heading: format!(
                "Invite link for {}: send it yourself; it is not shown again.",
                n.invite.email
            ),
            values: vec![value("Invite link", &n.link, "invite-link")],
            link: None,
            ..Self::blank()
        }
    }

    /// A sentence saying a form did what it was asked ("Google registration saved."): no
    /// value to copy, shown once on the page the form returns to.
    pub fn recovery_codes(form: &str, codes: &[String]) -> Self {
        Self {
            form: form.to_owned(),
            heading: "Two-factor sign-in is on. Keep these recovery codes somewhere safe: each signs you in once without your app. They are not shown again.".to_owned(),
            values: vec![value("Recovery codes", &codes.join(" "), "recovery-codes")],
            ..Self::blank()
        }
    }

    pub fn notice(form: &str, sentence: String) -> Self {
        Self {
            form: form.to_owned(),
            heading: sentence,
            ..Self::blank()
        }
    }

    pub fn connect_link(form: &str, url: &str) -> Self {
        Self {
            form: form.to_owned(),
            heading: "A connect link to try: open it in a browser. It works once, in the first browser that opens it, for 30 minutes.".to_owned(),
            values: vec![value("Connect link", url, "connect-link")],
            ..Self::blank()
        }
    }

    pub fn signing_secret(form: &str, secret: &str) -> Self {
        Self {
            form: form.to_owned(),
            heading: "Keep it where your webhook receiver can read it, and nowhere else."
                .to_owned(),
            values: vec![value("Signing secret", secret, "signing-secret")],
            link: None,
            ..Self::blank()
        }
    }
}
