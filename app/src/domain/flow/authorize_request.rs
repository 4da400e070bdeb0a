//! `GET /v1/auth/authorize`, `authorizeDaemon` and `authorizeUser` parameters (wire-api.md,
//! "Authorize parameters"), parsed and checked without the database. Every mistake is a 4xx naming the parameter; nothing here
//! redirects. Unknown parameters are ignored, as Aurinko clients send some we do not use.
use super::FlowError;
use crate::domain::catalog::{SCOPE_ALIASES, UNIFIED_SCOPES};

pub use crate::entity::pending_flow::{AccountRole, FlowKind, ResponseType};

/// The response types each flow takes.
fn response_types(kind: FlowKind) -> &'static [ResponseType] {
    match kind {
        FlowKind::Account => &[ResponseType::Code, ResponseType::Token],
        // A service account's token never travels through a browser (wire-api.md).
        FlowKind::Daemon => &[ResponseType::Code],
        FlowKind::User => &[ResponseType::Cookie, ResponseType::Code, ResponseType::None],
    }
}

/// How a secondary account names its end user without a cookie (wire-api.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSignature {
    pub user_id: String,
    pub timestamp: String,
    pub signature: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub service_type: String,
    pub return_url: String,
    /// Unified scopes, canonical names (aliases resolved), no duplicates.
    pub scopes: Vec<String>,
    pub native_scopes: Vec<String>,
    pub response_type: ResponseType,
    pub state: Option<String>,
    pub account_id: Option<i64>,
    pub login_hint: Option<String>,
    pub client_org_id: Option<String>,
    pub server_url: Option<String>,
    pub ensure_scopes: bool,
    pub recycle: bool,
    pub auth_email: Option<String>,
    pub kind: FlowKind,
    /// User-session flow only.
    pub account_role: Option<AccountRole>,
    pub user_signature: Option<UserSignature>,
    /// A prepared token from `POST /v1/auth/prepare`; required to start a service-account flow.
    pub token: Option<String>,
    /// User-session flow, secondary: the end user a connect link named, vouched for by the
    /// app's credentials when it made the link. Never read from a query.
    pub vouched_user: Option<String>,
}

/// Bounds checked before anything else, so a huge request costs no more than a small one.
const MAX_QUERY_BYTES: usize = 16 * 1024;
pub const MAX_NATIVE_SCOPES: usize = 100;

const SINGLE: [(&str, usize); 19] = [
    ("clientId", 128),
    ("serviceType", 64),
    ("returnUrl", 2048),
    ("responseType", 16),
    ("state", 2048),
    ("accountId", 20),
    ("loginHint", 320),
    ("clientOrgId", 256),
    ("serverUrl", 2048),
    ("ensureScopes", 5),
    ("ensureAccess", 5),
    ("recycle", 5),
    ("authEmail", 320),
    ("timestamp", 20),
    ("accountRole", 16),
    ("userId", 128),
    ("userSignature", 256),
    ("mailboxInfo", 320),
    ("token", 128),
];

struct Params<'a>(&'a [(String, String)]);

impl Params<'_> {
    /// The one value of a single-valued parameter; a repeated one is refused (no pollution).
    fn one(&self, name: &'static str) -> Result<Option<&str>, FlowError> {
        let mut values = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        let first = values.next();
        if values.next().is_some() {
            return Err(FlowError::parameter(
                "request.invalid",
                format!("{name} is given more than once."),
            ));
        }
        Ok(first.map(|v| v.trim()).filter(|v| !v.is_empty()))
    }

    fn required(&self, name: &'static str) -> Result<&str, FlowError> {
        self.one(name)?
            .ok_or_else(|| FlowError::parameter(code_for(name), format!("{name} is required.")))
    }

    fn flag(&self, name: &'static str) -> Result<bool, FlowError> {
        match self.one(name)? {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(_) => Err(FlowError::parameter(
                "request.invalid",
                format!("{name} must be true or false."),
            )),
        }
    }

    /// Every value of a list parameter, repeated or separated by spaces or commas.
    fn list(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split([' ', ',', '+']))
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Error codes name the parameter, as `returnUrl.invalid` does in wire-api.md.
pub(crate) fn code_for(name: &str) -> &'static str {
    match name {
        "clientId" => "clientId.invalid",
        "serviceType" => "serviceType.invalid",
        "returnUrl" => "returnUrl.invalid",
        "responseType" => "responseType.invalid",
        "scopes" => "scopes.invalid",
        "nativeScopes" => "nativeScopes.invalid",
        "accountId" => "accountId.invalid",
        "authEmail" => "authEmail.invalid",
        "state" => "state.invalid",
        "accountRole" => "accountRole.invalid",
        "userId" | "timestamp" | "userSignature" => "userSignature.invalid",
        "token" => "token.invalid",
        "serverUrl" => "serverUrl.invalid",
        _ => "request.invalid",
    }
}

/// Resolves the legacy aliases; `None` for a name that is not a unified scope.
pub fn canonical_scope(s: &str) -> Option<&'static str> {
    let s = SCOPE_ALIASES
        .iter()
        .find(|(alias, _)| *alias == s)
        .map(|(_, to)| *to)
        .unwrap_or(s);
    UNIFIED_SCOPES.iter().copied().find(|u| *u == s)
}

pub fn parse(pairs: &[(String, String)]) -> Result<AuthorizeRequest, FlowError> {
    parse_for(FlowKind::Account, pairs)
}

pub fn parse_for(
    kind: FlowKind,
    pairs: &[(String, String)],
) -> Result<AuthorizeRequest, FlowError> {
    if pairs.len() > 64 {
        return Err(FlowError::parameter(
            "request.invalid",
            "Too many parameters.",
        ));
    }
    if pairs.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>() > MAX_QUERY_BYTES {
        return Err(FlowError::parameter(
            "request.invalid",
            format!("The request is longer than {MAX_QUERY_BYTES} bytes."),
        ));
    }
    for (k, v) in pairs {
        let max = SINGLE
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, m)| *m)
            .unwrap_or(4096);
        if v.len() > max {
            return Err(FlowError::parameter(
                code_for(k),
                format!("{k} is longer than {max} characters."),
            ));
        }
        if v.chars().any(char::is_control) {
            return Err(FlowError::parameter(
                code_for(k),
                format!("{k} contains control characters."),
            ));
        }
    }
    let p = Params(pairs);
    let client_id = p.required("clientId")?.to_owned();
    let service_type = p.required("serviceType")?.to_owned();
    let return_url = p.required("returnUrl")?.to_owned();
    let allowed = response_types(kind);
    let response_type = match p.one("responseType")? {
        None => allowed[0],
        Some(v) => ResponseType::parse(v)
            .filter(|r| allowed.contains(r))
            .ok_or_else(|| {
                let names: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
                FlowError::parameter(
                    "responseType.invalid",
                    format!("responseType must be {}.", names.join(" or ")),
                )
            })?,
    };
    let account_role = match (kind, p.one("accountRole")?) {
        (FlowKind::User, Some("primary")) => Some(AccountRole::Primary),
        (FlowKind::User, Some("secondary")) => Some(AccountRole::Secondary),
        (FlowKind::User, _) => {
            return Err(FlowError::parameter(
                "accountRole.invalid",
                "accountRole must be primary or secondary.",
            ))
        }
        (_, _) => None,
    };
    let signed = (
        p.one("userId")?,
        p.one("timestamp")?,
        p.one("userSignature")?,
    );
    let user_signature =
        match signed {
            (None, None, None) => None,
            (Some(u), Some(t), Some(s)) if account_role == Some(AccountRole::Secondary) => {
                Some(UserSignature {
                    user_id: u.to_owned(),
                    timestamp: t.to_owned(),
                    signature: s.to_owned(),
                })
            }
            _ => return Err(FlowError::parameter(
                "userSignature.invalid",
                "userId, timestamp and userSignature go together, for a secondary account only.",
            )),
        };
    if kind == FlowKind::User
        && account_role == Some(AccountRole::Primary)
        && p.one("accountId")?.is_some()
    {
        return Err(FlowError::parameter(
            "accountId.invalid",
            "accountId re-authorizes a secondary account only.",
        ));
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in p.list("scopes") {
        let unified = canonical_scope(s).ok_or_else(|| {
            FlowError::parameter(
                "scopes.invalid",
                format!(
                    "{s} is not a unified scope; use {} or nativeScopes.",
                    UNIFIED_SCOPES.join(", ")
                ),
            )
        })?;
        if !scopes.iter().any(|x| x == unified) {
            scopes.push(unified.to_owned());
        }
    }
    let listed = p.list("nativeScopes");
    if listed.len() > MAX_NATIVE_SCOPES {
        return Err(FlowError::parameter(
            "nativeScopes.invalid",
            format!("Ask for at most {MAX_NATIVE_SCOPES} native scopes."),
        ));
    }
    let mut native_scopes: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for s in listed {
        if s.len() > 256 {
            return Err(FlowError::parameter(
                "nativeScopes.invalid",
                "A native scope is longer than 256 characters.",
            ));
        }
        if seen.insert(s) {
            native_scopes.push(s.to_owned());
        }
    }
    let account_id = match p.one("accountId")? {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
            FlowError::parameter("accountId.invalid", "accountId must be a positive integer.")
        })?),
    };
    let auth_email = match p.one("authEmail")? {
        None => None,
        Some(v) if v.contains('@') && !v.contains(char::is_whitespace) => Some(v.to_owned()),
        Some(_) => {
            return Err(FlowError::parameter(
                "authEmail.invalid",
                "authEmail must be an email address.",
            ))
        }
    };
    let recycle = p.flag("recycle")?;
    if recycle && account_id.is_some() {
        return Err(FlowError::parameter(
            "request.invalid",
            "Use accountId or recycle, not both.",
        ));
    }
    // `ensureAccess` is an Aurinko parameter for password services; accepted, checked as a flag.
    p.flag("ensureAccess")?;
    Ok(AuthorizeRequest {
        client_id,
        service_type,
        return_url,
        scopes,
        native_scopes,
        response_type,
        // Echoed back verbatim: not trimmed like the other values.
        state: {
            p.one("state")?;
            pairs
                .iter()
                .find(|(k, _)| k == "state")
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        },
        account_id,
        login_hint: p.one("loginHint")?.map(str::to_owned),
        client_org_id: p.one("clientOrgId")?.map(str::to_owned),
        server_url: p.one("serverUrl")?.map(str::to_owned),
        ensure_scopes: p.flag("ensureScopes")?,
        recycle,
        auth_email,
        kind,
        account_role,
        user_signature,
        token: p.one("token")?.map(str::to_owned),
        vouched_user: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    const BASE: &str = "clientId=c&serviceType=Google&returnUrl=https%3A%2F%2Fa.example%2Fcb";

    fn code_of(q: &str) -> &'static str {
        match parse(&pairs(q)) {
            Err(e) => e.code(),
            Ok(_) => "ok",
        }
    }

    #[test]
    fn a_minimal_request_takes_the_defaults() {
        let r = parse(&pairs(BASE)).unwrap();
        assert_eq!(r.response_type, ResponseType::Code);
        assert!(r.scopes.is_empty() && !r.ensure_scopes && !r.recycle);
    }

    #[test]
    fn scopes_may_repeat_or_be_separated_and_aliases_resolve() {
        let q = format!("{BASE}&scopes=Mail.ReadOnly%20Mail.Send&scopes=Calendar.Read,Mail.Read");
        let r = parse(&pairs(&q)).unwrap();
        assert_eq!(r.scopes, ["Mail.Read", "Mail.Send", "Calendar.Read"]);
    }

    #[test]
    fn the_user_flow_needs_a_role_and_signs_secondaries_only() {
        let user = |q: &str| match parse_for(FlowKind::User, &pairs(q)) {
            Err(e) => e.code(),
            Ok(_) => "ok",
        };
        assert_eq!(user(BASE), "accountRole.invalid");
        assert_eq!(
            user(&format!("{BASE}&accountRole=owner")),
            "accountRole.invalid"
        );
        assert_eq!(user(&format!("{BASE}&accountRole=primary")), "ok");
        assert_eq!(
            user(&format!("{BASE}&accountRole=primary&responseType=token")),
            "responseType.invalid"
        );
        let signed = "userId=u1&timestamp=1&userSignature=ab";
        assert_eq!(
            user(&format!("{BASE}&accountRole=secondary&{signed}")),
            "ok"
        );
        assert_eq!(
            user(&format!("{BASE}&accountRole=primary&{signed}")),
            "userSignature.invalid"
        );
        assert_eq!(
            user(&format!("{BASE}&accountRole=secondary&userId=u1")),
            "userSignature.invalid"
        );
        let r = parse_for(
            FlowKind::User,
            &pairs(&format!("{BASE}&accountRole=primary")),
        )
        .unwrap();
        assert_eq!(r.response_type, ResponseType::Cookie);
        assert_eq!(
            code_of(&format!("{BASE}&responseType=cookie")),
            "responseType.invalid"
        );
    }

    #[test]
    fn each_wrong_parameter_is_named() {
        assert_eq!(
            code_of("serviceType=Google&returnUrl=x"),
            "clientId.invalid"
        );
        assert_eq!(code_of("clientId=c&returnUrl=x"), "serviceType.invalid");
        assert_eq!(
            code_of("clientId=c&serviceType=Google"),
            "returnUrl.invalid"
        );
        assert_eq!(
            code_of(&format!("{BASE}&responseType=id_token")),
            "responseType.invalid"
        );
        assert_eq!(
            code_of(&format!("{BASE}&scopes=Mail.Everything")),
            "scopes.invalid"
        );
        assert_eq!(
            code_of(&format!("{BASE}&accountId=-3")),
            "accountId.invalid"
        );
        assert_eq!(
            code_of(&format!("{BASE}&accountId=abc")),
            "accountId.invalid"
        );
        assert_eq!(
            code_of(&format!("{BASE}&ensureScopes=yes")),
            "request.invalid"
        );
        assert_eq!(
            code_of(&format!("{BASE}&authEmail=nobody")),
            "authEmail.invalid"
        );
        assert_eq!(code_of(&format!("{BASE}&clientId=d")), "request.invalid");
        assert_eq!(code_of(&format!("{BASE}&state=a%0Ab")), "state.invalid");
        assert_eq!(
            code_of(&format!("{BASE}&recycle=true&accountId=4")),
            "request.invalid"
        );
        let long = "x".repeat(3000);
        assert_eq!(code_of(&format!("{BASE}&state={long}")), "state.invalid");
    }

    #[test]
    fn service_accounts_answer_with_a_code_only() {
        let daemon = |q: &str| match parse_for(FlowKind::Daemon, &pairs(q)) {
            Err(e) => e.code(),
            Ok(_) => "ok",
        };
        assert_eq!(
            daemon(&format!("{BASE}&responseType=token")),
            "responseType.invalid"
        );
        assert_eq!(
            daemon(&format!("{BASE}&responseType=code&token=lgp_x")),
            "ok"
        );
        let r = parse_for(FlowKind::Daemon, &pairs(&format!("{BASE}&token=lgp_x"))).unwrap();
        assert_eq!(r.token.as_deref(), Some("lgp_x"));
    }

    #[test]
    fn native_scopes_are_bounded_before_they_are_deduplicated() {
        // 60 KB of one-letter scopes: refused by size before any per-scope work.
        let many = "a,".repeat(30_000);
        assert_eq!(
            code_of(&format!("{BASE}&nativeScopes={many}")),
            "request.invalid"
        );
        // Within the size bound, the count is capped.
        let list: Vec<String> = (0..101).map(|i| format!("s{i}")).collect();
        assert_eq!(
            code_of(&format!("{BASE}&nativeScopes={}", list.join(","))),
            "nativeScopes.invalid"
        );
        let r = parse(&pairs(&format!("{BASE}&nativeScopes=a,b,a,c,b"))).unwrap();
        assert_eq!(r.native_scopes, ["a", "b", "c"]);
    }
}
