//! A person's display name: any script, but no control or invisible formatting characters,
//! and short enough to lay out in the header.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("Enter your name.");
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err("Use at most 100 characters for your name.");
        }
        // Bidi overrides and invisible marks let a name masquerade as another. The joiners
        // U+200C/U+200D stay allowed: emoji sequences and several scripts need them.
        let is_format = |c: char| matches!(c, '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
        if text.chars().any(|c| c.is_control() || is_format(c)) {
            return Err("Your name contains characters that cannot be shown.");
        }
        Ok(PersonName(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::PersonName;

    #[test]
    fn accepts_any_script() {
        for ok in [
            "Ada",
            "José Ñúñez",
            "李小龍",
            "Zoë 👩\u{200d}💻",
            "عبد الله",
            "می\u{200c}خواهم",
        ] {
            assert!(PersonName::parse(ok).is_ok(), "refused {ok:?}");
        }
        assert_eq!(
            PersonName::parse("  Ada  ").map(|n| n.as_str().to_owned()),
            Ok("Ada".into())
        );
    }

    #[test]
    fn refuses_empty_long_and_invisible() {
        for bad in [
            "",
            "   ",
            "a\u{0}b",
            "evil\u{202e}gnp",
            "tab\there",
            "\u{200b}",
        ] {
            assert!(PersonName::parse(bad).is_err(), "accepted {bad:?}");
        }
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
    }
}
