//! What the (already validated) return URL receives (wire-api.md, "What the return URL
//! receives"): the app's own query is kept, ours is appended.
use url::Url;

/// The failure statuses of wire-api.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureStatus {
    AccessDenied,
    ScopesNotGranted,
    EmailMismatch,
    ProviderError,
    Expired,
    ServerError,
}

impl FailureStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureStatus::AccessDenied => "access_denied",
            FailureStatus::ScopesNotGranted => "scopes_not_granted",
            FailureStatus::EmailMismatch => "email_mismatch",
            FailureStatus::ProviderError => "provider_error",
            FailureStatus::Expired => "expired",
            FailureStatus::ServerError => "server_error",
        }
    }
}

/// A flow that ended badly, with a sentence safe to show (no provider detail, no secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub status: FailureStatus,
    pub details: String,
}

impl Failure {
    pub fn new(status: FailureStatus, details: impl Into<String>) -> Self {
        Failure {
            status,
            details: details.into(),
        }
    }
}

pub fn success_code(return_url: &Url, code: &str, state: Option<&str>) -> Url {
    let mut url = return_url.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", code);
        if let Some(s) = state {
            q.append_pair("state", s);
        }
        q.append_pair("status", "success");
    }
    url
}

/// Cookie and none modes of the user-session flow: only the outcome and the state.
pub fn success_plain(return_url: &Url, state: Option<&str>) -> Url {
    let mut url = return_url.clone();
    {
        let mut q = url.query_pairs_mut();
        if let Some(s) = state {
            q.append_pair("state", s);
        }
        q.append_pair("status", "success");
    }
    url
}

/// Token mode puts the token in the fragment, never the query (decision in wire-api.md).
pub fn success_token(return_url: &Url, token: &str, account_id: i64, state: Option<&str>) -> Url {
    let mut url = return_url.clone();
    let mut fragment = url::form_urlencoded::Serializer::new(String::new());
    fragment.append_pair("accessToken", token);
    fragment.append_pair("accountId", &account_id.to_string());
    if let Some(s) = state {
        fragment.append_pair("state", s);
    }
    fragment.append_pair("status", "success");
    url.set_fragment(Some(&fragment.finish()));
    url
}

pub fn failure(return_url: &Url, f: &Failure, state: Option<&str>) -> Url {
    let mut url = return_url.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("status", f.status.as_str());
        q.append_pair("details", &f.details);
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_apps_query_is_kept_and_ours_appended() {
        let u = success_code(&parse("https://a.example/cb?x=1"), "c0de", Some("s t"));
        assert_eq!(
            u.as_str(),
            "https://a.example/cb?x=1&code=c0de&state=s+t&status=success"
        );
        let u = success_token(&parse("https://a.example/cb"), "tok", 7, None);
        assert_eq!(u.query(), None);
        assert_eq!(
            u.fragment(),
            Some("accessToken=tok&accountId=7&status=success")
        );
        let f = Failure::new(FailureStatus::AccessDenied, "The user declined.");
        let u = failure(&parse("https://a.example/cb"), &f, Some("s"));
        assert_eq!(
            u.query(),
            Some("status=access_denied&details=The+user+declined.&state=s")
        );
    }
}
