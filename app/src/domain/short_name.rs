//! The names people give things (teams, applications, API keys): trimmed, 1 to 100
//! characters of any script, no control characters.

pub const MAX_CHARS: usize = 100;

/// The trimmed name, or `what` (e.g. "the team name") woven into a sentence saying what is wrong.
pub fn parse(raw: &str, what: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err(format!("Enter {what}."))
    } else if name.chars().count() > MAX_CHARS {
        Err(format!("Use at most {MAX_CHARS} characters for {what}."))
    } else if name.chars().any(char::is_control) {
        Err(format!("Use only visible characters in {what}."))
    } else {
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(parse("  Mail sync ", "the name"), Ok("Mail sync".into()));
        assert_eq!(
            parse(&"é".repeat(100), "the name").map(|n| n.chars().count()),
            Ok(100)
        );
        assert_eq!(
            parse("", "the team name"),
            Err("Enter the team name.".into())
        );
        assert!(parse(&"x".repeat(101), "the name").is_err());
        assert!(parse("a\u{7}b", "the name").is_err());
    }
}
