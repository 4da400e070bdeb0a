//! A syntactically plausible email address, normalised to lower case so that sign-up and
//! sign-in agree on identity. Deliverability is not checked (no mail is sent yet).

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("Enter your email address.");
        }
        if text.len() > Self::MAX_LEN {
            return Err("This email address is too long.");
        }
        let Some((local, domain)) = text.rsplit_once('@') else {
            return Err("Enter an email address like name@example.com.");
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && c != '"');
        if !domain_ok || !local_ok {
            return Err("Enter an email address like name@example.com.");
        }
        Ok(EmailAddress(text.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn accepts_and_normalises() {
        let e = EmailAddress::parse("  Ada.Lovelace@Example.COM ").map(|e| e.as_str().to_owned());
        assert_eq!(e.as_deref(), Ok("ada.lovelace@example.com"));
        assert!(EmailAddress::parse("jörg@bücher.de").is_ok());
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "   ",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@.com",
            "a@b..com",
            "a b@c.com",
            "a@b@c.com",
            "a@exa mple.com",
            "a\u{0}@b.com",
            "a@b.com\u{202e}",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "accepted {bad:?}");
        }
        assert!(EmailAddress::parse(&format!("{}@example.com", "a".repeat(300))).is_err());
    }
}
