//! The card of a value shown once: each value in a read-only field with *Copy*.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::components::copy_button::CopyButton;
use crate::shown_once::ShownOnce;

#[component]
pub fn ShownOnceCard(shown: ShownOnce) -> impl IntoView {
    view! {
        <div class="secret-once" role="status">
            <p>{shown.heading}</p>
            {shown.values.into_iter().map(|v| {
                let id = format!("shown-{}", v.class);
                view! {
                    <label for=id.clone()>{v.label}</label>
                    <div class="copy-row">
                        <input id=id class=format!("copy-field {}", v.class) readonly value=v.value.clone() />
                        <CopyButton text=v.value />
                    </div>
                }
            }).collect_view()}
            {shown.link.map(|(href, text)| view! { <p><a href=href>{text}</a></p> })}
        </div>
    }
}

/// The value a plain form post left for this page load (every dashboard form is one, in
/// islands mode). The server took it out of the session as it drew the page, so a reload or
/// another page does not show it again.
#[derive(Clone)]
pub struct KeptShownOnce(pub Option<ShownOnce>);

/// What the post of the form at `form` (a server function's path), for `scope` (the team,
/// application or account it acted on), left for this page load: a value or a notice.
pub fn kept(form: &str, scope: &str) -> Option<ShownOnce> {
    use_context::<KeptShownOnce>()
        .and_then(|k| k.0)
        .filter(|s| s.form == form && s.scope == scope)
}

/// What the card of form `I` shows: the value a post of that form, for the same team or
/// application (`scope`), left for this page.
pub fn kept_for<I: ServerFn>(scope: &str) -> impl Fn() -> Option<ShownOnce> + Clone + Send + Sync {
    let value = kept(I::PATH, scope).filter(|s| !s.values.is_empty());
    move || value.clone()
}
