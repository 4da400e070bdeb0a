//! A value made safe to put in a URL's query (percent-encoding all but the unreserved bytes).

pub fn query_escape(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `path` with `pairs` as its query (values escaped; none given, no `?`): a link to the
/// same list with other filters or another page.
pub fn href_with<'a>(path: &str, pairs: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let query: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={}", query_escape(&v)))
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::href_with;

    #[test]
    fn values_are_escaped_and_no_query_means_no_question_mark() {
        assert_eq!(href_with("/accounts", []), "/accounts");
        assert_eq!(
            href_with(
                "/a",
                [
                    ("before", "7".to_owned()),
                    ("org", "acme corp&x@y".to_owned())
                ]
            ),
            "/a?before=7&org=acme%20corp%26x%40y"
        );
    }
}
