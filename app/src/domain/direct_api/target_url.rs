//! The provider URL of one Direct API call: the API base, then the path the app wrote after
//! `/v1/direct/`, then its query. The path may not leave the base: no empty, `.` or `..`
//! segment (percent-encoded or not), no encoded slash or backslash, no scheme, no control
//! character; and the URL built must keep the base's origin and path prefix untouched.
use url::Url;

use super::DirectError;

/// Longer paths are no API call's (Graph's longest documented paths are a few hundred bytes).
const MAX_PATH_BYTES: usize = 8 * 1024;

pub fn join(base: &Url, path: &str, query: Option<&str>) -> Result<Url, DirectError> {
    check_path(path)?;
    let prefix = base.path().trim_end_matches('/');
    let wanted_path = format!("{prefix}/{path}");
    let origin = base.origin().ascii_serialization();
    let mut url = Url::parse(&format!("{origin}{wanted_path}")).map_err(|_| refused())?;
    // The parser normalises what the checks above let through unchanged; anything it did
    // change (a dot segment it saw differently) is refused rather than trusted.
    if url.origin() != base.origin() || url.path() != wanted_path {
        return Err(refused());
    }
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        if q.bytes().any(|b| b.is_ascii_control() || b == b'#') {
            return Err(refused());
        }
        url.set_query(Some(q));
    }
    Ok(url)
}

fn refused() -> DirectError {
    DirectError::Path
}

pub fn check_path(path: &str) -> Result<(), DirectError> {
    if path.is_empty() || path.len() > MAX_PATH_BYTES {
        return Err(refused());
    }
    if path
        .bytes()
        .any(|b| b.is_ascii_control() || b == b' ' || b == b'\\' || b == b'#' || b >= 0x80)
    {
        return Err(refused());
    }
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        // A trailing slash is the API's business; an empty segment elsewhere (`//host`) is not.
        if segment.is_empty() && i != last {
            return Err(refused());
        }
        let decoded = percent_decoded(segment).ok_or_else(refused)?;
        if decoded == b"." || decoded == b".." {
            return Err(refused());
        }
        if decoded
            .iter()
            .any(|&b| b == b'/' || b == b'\\' || b.is_ascii_control())
        {
            return Err(refused());
        }
        if i == 0 && decoded.contains(&b':') {
            return Err(refused());
        }
    }
    Ok(())
}

/// The bytes a segment stands for; `None` for a `%` not followed by two hex digits.
fn percent_decoded(segment: &str) -> Option<Vec<u8>> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph() -> Url {
        Url::parse("https://graph.microsoft.com/v1.0").unwrap()
    }

    #[test]
    fn a_path_and_query_land_under_the_base() {
        let u = join(&graph(), "me/messages", Some("$top=5&$select=subject")).unwrap();
        assert_eq!(
            u.as_str(),
            "https://graph.microsoft.com/v1.0/me/messages?$top=5&$select=subject"
        );
        let u = join(&graph(), "me/messages/AAMk%3D%3D/", None).unwrap();
        assert_eq!(u.path(), "/v1.0/me/messages/AAMk%3D%3D/");
        let root = Url::parse("https://www.googleapis.com/").unwrap();
        let u = join(&root, "gmail/v1/users/me/messages", Some("q=is%3Aunread")).unwrap();
        assert_eq!(
            u.as_str(),
            "https://www.googleapis.com/gmail/v1/users/me/messages?q=is%3Aunread"
        );
    }

    #[test]
    fn paths_that_try_to_leave_the_api_are_refused() {
        for path in [
            "",
            "/evil.example/x",
            "/",
            "me//messages",
            "..",
            "me/../../beta/me",
            "me/./messages",
            "%2e%2e/beta",
            "%2E%2e/beta",
            ".%2e/beta",
            "me/%2e",
            "..%2f..%2fbeta",
            "me%2f..%2f..%2fx",
            "me%5c..%5cx",
            "me\\..\\x",
            "https://evil.example/x",
            "https:%2f%2fevil.example",
            "http:evil",
            "me/messages%00",
            "me/mess ages",
            "me/%zz",
            "me/%2",
            "me/\u{00e9}",
            "me#frag",
        ] {
            assert_eq!(
                join(&graph(), path, None),
                Err(DirectError::Path),
                "{path:?}"
            );
        }
        assert_eq!(join(&graph(), "me", Some("a=1#x")), Err(DirectError::Path));
        let long = "a/".repeat(MAX_PATH_BYTES);
        assert_eq!(join(&graph(), &long, None), Err(DirectError::Path));
    }

    #[test]
    fn a_colon_after_the_first_segment_is_an_ordinary_character() {
        let u = join(&graph(), "me/events/x:y", None).unwrap();
        assert_eq!(u.host_str(), Some("graph.microsoft.com"));
        assert_eq!(u.path(), "/v1.0/me/events/x:y");
    }
}
