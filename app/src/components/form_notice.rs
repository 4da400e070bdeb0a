//! A form's notice of success ("Google registration saved."), on the page its post returns
//! to: every dashboard form is a plain post (islands), so the sentence rides in the session
//! (`web/shown_once_flash.rs`) like a show-once value.
use leptos::prelude::*;

use crate::components::shown_once_card::kept;

/// The notice the form posting to `form` (a server function's path) left for `scope` (the
/// team, application or account it acted on), if this page load carries one.
pub fn form_notice(form: &'static str, scope: &str, class: &'static str) -> impl IntoView {
    let notice = kept(form, scope).filter(|s| s.values.is_empty());
    notice.map(|s| view! { <p class=class role="status">{s.heading}</p> })
}
