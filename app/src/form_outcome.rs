//! The result of a form post that did not succeed, carried from the server render to the
//! hydrating client so both draw the same field errors.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field the message belongs next to; `form` for errors about the whole form.
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }
}

/// What a re-rendered form shows: its errors and the (non-secret) values to refill.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOutcome {
    /// Which form this belongs to (`signin`, `signup`), so another page ignores it.
    pub form: String,
    pub errors: FieldErrors,
    pub name: String,
    pub email: String,
    /// The local path to continue to after signing in.
    pub next: String,
}
