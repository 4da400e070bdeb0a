//! Why an application's logo upload was refused. The domain decides; the upload form
//! redirects back with the refusal's word; the application page says it in plain words.
//! Shared by the server and the page, so the three never drift apart.

/// The largest logo accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogoRefusal {
    Empty,
    TooLarge,
    NotImage,
}

impl LogoRefusal {
    const ALL: [LogoRefusal; 3] = [
        LogoRefusal::Empty,
        LogoRefusal::TooLarge,
        LogoRefusal::NotImage,
    ];

    /// The word the form's redirect carries (`?logo=too_large`).
    pub fn word(self) -> &'static str {
        match self {
            LogoRefusal::Empty => "empty",
            LogoRefusal::TooLarge => "too_large",
            LogoRefusal::NotImage => "not_image",
        }
    }

    pub fn from_word(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.word() == word)
    }

    pub fn message(self) -> String {
        match self {
            LogoRefusal::Empty => "Choose an image file to upload.".to_owned(),
            LogoRefusal::TooLarge => {
                format!("The logo must be at most {} KB.", MAX_LOGO_BYTES / 1024)
            }
            LogoRefusal::NotImage => "The logo must be a PNG, JPEG or WebP image.".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_comes_back_from_its_word() {
        for r in LogoRefusal::ALL {
            assert_eq!(LogoRefusal::from_word(r.word()), Some(r));
        }
        assert_eq!(LogoRefusal::from_word("saved"), None);
        assert_eq!(
            LogoRefusal::TooLarge.message(),
            "The logo must be at most 256 KB."
        );
    }
}
