//! What the Sandbox's authorization and token endpoints read of a query or form, by their
//! RFC 6749 names, typed at the edge: the first value of each name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OAuthParams {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub state: Option<String>,
    pub scope: Option<String>,
    pub login_hint: Option<String>,
    pub nonce: Option<String>,
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub assertion: Option<String>,
}

impl OAuthParams {
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let get = |name: &str| crate::domain::query_pairs::first(pairs, name).map(str::to_owned);
        OAuthParams {
            client_id: get("client_id"),
            redirect_uri: get("redirect_uri"),
            response_type: get("response_type"),
            code_challenge: get("code_challenge"),
            code_challenge_method: get("code_challenge_method"),
            state: get("state"),
            scope: get("scope"),
            login_hint: get("login_hint"),
            nonce: get("nonce"),
            grant_type: get("grant_type"),
            code: get("code"),
            code_verifier: get("code_verifier"),
            refresh_token: get("refresh_token"),
            assertion: get("assertion"),
        }
    }
}
