//! Where to send a user after sign-in: only a path on this site, never another origin.

/// `raw` if it is a local absolute path (`/invite/…`), else `None`. Refuses `//host`,
/// `/\host` (browsers read both as another origin), schemes and control characters.
pub fn local_path(raw: &str) -> Option<&str> {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && raw.len() <= 512
        && !raw.chars().any(|c| c.is_control() || c == '\\');
    ok.then_some(raw)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths() {
        assert_eq!(
            local_path("/invite/lg_invite_abc"),
            Some("/invite/lg_invite_abc")
        );
        assert_eq!(local_path("/team?x=1"), Some("/team?x=1"));
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "team",
            "/a\nb",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
