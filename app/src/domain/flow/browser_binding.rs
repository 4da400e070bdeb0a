//! The browser a flow is bound to: the random nonce of its `lg_flow` cookie. The edge reads
//! the cookie into a `BrowserNonce`; a malformed value is as good as none.
use crate::domain::crypto::random_token;

/// A well-formed `lg_flow` nonce: 32 random bytes, base64url without padding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserNonce(String);

impl BrowserNonce {
    /// The nonce a browser sent, if it has the shape the platform issues.
    pub fn from_cookie(value: &str) -> Option<Self> {
        let well_formed = value.len() == 43
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        well_formed.then(|| BrowserNonce(value.to_owned()))
    }

    /// A new nonce for a browser that has none yet.
    pub fn fresh() -> Self {
        BrowserNonce(random_token(""))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_issued_shape_binds() {
        let fresh = BrowserNonce::fresh();
        assert_eq!(BrowserNonce::from_cookie(fresh.as_str()), Some(fresh));
        assert_eq!(BrowserNonce::from_cookie(""), None);
        assert_eq!(BrowserNonce::from_cookie(&"a".repeat(42)), None);
        assert_eq!(
            BrowserNonce::from_cookie(&format!("{}=", "a".repeat(42))),
            None
        );
    }
}
