//! `GET /v1/auth/authorize` parameters (wire-api.md, "Authorize parameters"), parsed and
//! checked without the database. Every mistake is a 4xx naming the parameter; nothing here
//! redirects. Unknown parameters are ignored, as Aurinko clients send some we do not use.
use super::FlowError;
use crate::domain::catalog::{SCOPE_ALIASES, UNIFIED_SCOPES};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseType {
    Code,
    Token,
}

impl ResponseType {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Code => "code",
            ResponseType::Token => "token",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "code" => Some(ResponseType::Code),
            "token" => Some(ResponseType::Token),
            _ => None,
        }
    }
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
}

const SINGLE: [(&str, usize); 14] = [
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
    if pairs.len() > 64 {
        return Err(FlowError::parameter(
            "request.invalid",
            "Too many parameters.",
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
    let response_type = match p.one("responseType")? {
        None => ResponseType::Code,
        Some(v) => ResponseType::parse(v).ok_or_else(|| {
            FlowError::parameter(
                "responseType.invalid",
                "responseType must be code or token.",
            )
        })?,
    };
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
    let mut native_scopes: Vec<String> = Vec::new();
    for s in p.list("nativeScopes") {
        if s.len() > 256 {
            return Err(FlowError::parameter(
                "nativeScopes.invalid",
                "A native scope is longer than 256 characters.",
            ));
        }
        if !native_scopes.iter().any(|x| x == s) {
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
        state: p.one("state")?.map(str::to_owned),
        account_id,
        login_hint: p.one("loginHint")?.map(str::to_owned),
        client_org_id: p.one("clientOrgId")?.map(str::to_owned),
        server_url: p.one("serverUrl")?.map(str::to_owned),
        ensure_scopes: p.flag("ensureScopes")?,
        recycle,
        auth_email,
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
}
