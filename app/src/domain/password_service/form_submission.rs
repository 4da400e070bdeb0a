//! A submission of the hosted password form as the edge reads it: the flow's state and the
//! fields by name (the first of each name; the domain never scans raw form pairs).
use std::collections::BTreeMap;

/// The form has a handful of fields; anything past this many is ignored.
const MAX_FIELDS: usize = 32;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormSubmission {
    pub state: String,
    /// The end user pressed *Cancel*: back to the app with `access_denied`.
    pub cancel: bool,
    fields: BTreeMap<String, String>,
}

impl FormSubmission {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut fields = BTreeMap::new();
        for (name, value) in pairs.into_iter().take(MAX_FIELDS) {
            fields.entry(name).or_insert(value);
        }
        let state = fields.remove("state").unwrap_or_default();
        let cancel = fields.remove("cancel").is_some();
        FormSubmission {
            state,
            cancel,
            fields,
        }
    }

    /// A field as typed (untrimmed), empty when absent.
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The fields to show again on the form: never the password.
    pub fn redisplayed(&self) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .filter(|(k, _)| *k != "password")
            .map(|(k, v)| (k.clone(), v.chars().take(2048).collect()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_of_each_name_counts_and_the_password_is_never_shown_again() {
        let s = FormSubmission::from_pairs(
            [
                ("state", "s1"),
                ("email", "a@x.org"),
                ("email", "b@x.org"),
                ("password", "pw"),
                ("state", "s2"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        assert_eq!(s.state, "s1");
        assert_eq!(s.field("email"), "a@x.org");
        assert_eq!(s.field("password"), "pw");
        assert_eq!(s.field("absent"), "");
        assert!(!s.redisplayed().contains_key("password"));
        assert!(!s.redisplayed().contains_key("state"));
    }
}
