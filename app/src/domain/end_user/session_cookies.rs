//! The end-user session cookies a request carried (`AUR<APPID>`), read at the edge so the
//! domain asks for one app's session by name, never by scanning raw cookies.
use super::cookie_name;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionCookies(Vec<(String, String)>);

impl SessionCookies {
    /// The cookies whose names have the shape of a session cookie; others are ignored. No
    /// count cap: another site's apps could plant enough to push this app's out (the
    /// request's header size already bounds them).
    pub fn from_request(cookies: impl IntoIterator<Item = (String, String)>) -> Self {
        SessionCookies(
            cookies
                .into_iter()
                .filter(|(name, _)| {
                    name.len() == 35
                        && name.starts_with("AUR")
                        && name[3..].bytes().all(|b| b.is_ascii_hexdigit())
                })
                .collect(),
        )
    }

    /// The session token the browser holds for `app_id`, if any.
    pub fn for_app(&self, app_id: uuid::Uuid) -> Option<&str> {
        let name = cookie_name(app_id);
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_apps_session_and_ignores_other_cookies() {
        let app = uuid::Uuid::new_v4();
        let other = uuid::Uuid::new_v4();
        let jar = SessionCookies::from_request([
            ("lg_flow".to_owned(), "x".to_owned()),
            (cookie_name(other), "theirs".to_owned()),
            (cookie_name(app), "mine".to_owned()),
        ]);
        assert_eq!(jar.for_app(app), Some("mine"));
        assert_eq!(jar.for_app(uuid::Uuid::new_v4()), None);
        assert_eq!(jar.0.len(), 2);
        // Other sites' apps cannot push this app's cookie out by planting many of theirs.
        let planted = (0..40).map(|_| (cookie_name(uuid::Uuid::new_v4()), "x".to_owned()));
        let jar =
            SessionCookies::from_request(planted.chain([(cookie_name(app), "mine".to_owned())]));
        assert_eq!(jar.for_app(app), Some("mine"));
    }
}
