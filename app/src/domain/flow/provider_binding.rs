//! A provider token is only ever sent to the origins that issued it (docs/security.md).
//! When an account's tokens are stored, the origins of the provider's token, userinfo,
//! revoke and introspection endpoints are recorded with them (`accounts.provider_binding`) and bound into the
//! sealed tokens' associated data. Before any later call sends a token — refresh, ping,
//! revoke — the provider as the registration now stands must have the same origins; if the
//! registration moved (edited, or removed and added again), the account becomes `invalid`,
//! needs re-authorization, and nothing is sent.
//!
//! Accounts stored before bindings existed are bound at start-up (`binding_upgrade`); an
//! account still without one (its registration was gone) sends its tokens nowhere.
use url::Url;

use super::provider::ResolvedProvider;

/// The origins a provider's tokens go to, sorted, space-separated. A Direct API base the
/// registration chose itself counts; the catalog's (or the account's checked instance) is
/// the provider's own and leaves bindings as they were before the Direct API existed.
pub fn of(p: &ResolvedProvider) -> String {
    let chosen_api = p
        .api_base
        .as_deref()
        .filter(|_| p.api_base_overridden)
        .and_then(|u| Url::parse(u).ok());
    let mut origins: Vec<String> = [
        Some(p.token_url.clone()),
        p.userinfo_url
            .as_deref()
            .and_then(|u| Url::parse(&u.replace("{token}", "t")).ok()),
        p.revoke_url.clone(),
        p.introspect_url.clone(),
        chosen_api,
    ]
    .into_iter()
    .flatten()
    .map(|u| u.origin().ascii_serialization())
    .collect();
    origins.sort();
    origins.dedup();
    origins.join(" ")
}

/// Whether tokens recorded with `recorded` may go to `p`.
pub fn allows(recorded: Option<&str>, p: &ResolvedProvider) -> bool {
    recorded.is_some_and(|r| r == of(p))
}

/// Where the sealed access token of an account is bound (its AEAD associated data).
pub fn access_place(account_id: i64, binding: Option<&str>) -> String {
    place(account_id, "provider_access_token", binding)
}

pub fn refresh_place(account_id: i64, binding: Option<&str>) -> String {
    place(account_id, "provider_refresh_token", binding)
}

fn place(account_id: i64, field: &str, binding: Option<&str>) -> String {
    match binding {
        Some(b) => format!("accounts:{account_id}:{field}@{b}"),
        None => format!("accounts:{account_id}:{field}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(token: &str, userinfo: Option<&str>, revoke: Option<&str>) -> ResolvedProvider {
        let mut p = ResolvedProvider::example("Hubspot", "https://app.example/auth", token);
        p.userinfo_url = userinfo.map(str::to_owned);
        p.revoke_url = revoke.map(|r| Url::parse(r).unwrap());
        p
    }

    #[test]
    fn the_binding_is_the_set_of_origins_tokens_go_to() {
        let p = provider(
            "https://api.hubapi.com/oauth/v1/token",
            Some("https://api.hubapi.com/oauth/v1/access-tokens/{token}"),
            None,
        );
        assert_eq!(of(&p), "https://api.hubapi.com");
        let g = provider(
            "https://oauth2.googleapis.com/token",
            Some("https://openidconnect.googleapis.com/v1/userinfo"),
            Some("https://oauth2.googleapis.com/revoke"),
        );
        assert_eq!(
            of(&g),
            "https://oauth2.googleapis.com https://openidconnect.googleapis.com"
        );
        // A path may change (a new API version); another host, port or scheme may not.
        let moved_path = provider("https://api.hubapi.com/oauth/2026-03/token", None, None);
        assert!(allows(Some("https://api.hubapi.com"), &moved_path));
        for elsewhere in [
            "https://attacker.example/token",
            "https://api.hubapi.com:8443/token",
            "http://api.hubapi.com/token",
        ] {
            assert!(!allows(
                Some("https://api.hubapi.com"),
                &provider(elsewhere, None, None)
            ));
        }
        assert!(!allows(None, &p), "no binding: the tokens go nowhere");
        assert_ne!(
            access_place(1, Some("https://a")),
            access_place(1, Some("https://b"))
        );
    }
}
