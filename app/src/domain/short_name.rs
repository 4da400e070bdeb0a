//! The names people give things (teams, applications, API keys): trimmed, 1 to 100
//! characters of any script, no control characters, and none of the invisible marks that
//! reorder text (a name is shown in mail subjects, where "U+202E" could disguise it).

pub const MAX_CHARS: usize = 100;

/// The trimmed name, or `what` (e.g. "the team name") woven into a sentence saying what is wrong.
pub fn parse(raw: &str, what: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        Err(format!("Enter {what}."))
    } else if name.chars().count() > MAX_CHARS {
        Err(format!("Use at most {MAX_CHARS} characters for {what}."))
    } else if name.chars().any(|c| c.is_control() || reorders_text(c)) {
        Err(format!("Use only visible characters in {what}."))
    } else {
        Ok(name.to_owned())
    }
}

/// Bidirectional embeddings, overrides, isolates and marks, and zero-width joiners' kin.
fn reorders_text(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
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
        assert!(parse("Ops\u{202E}moc.knab", "the name").is_err());
    }
}
