//! The card of a value shown once: each value in a read-only field with *Copy*.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::components::copy_button::CopyButton;
use crate::shell::use_page_context;
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

/// What `action`'s card shows: the hydrated form's answer, else what a plain post of the
/// same form left for this page.
pub fn shown_for<I, O>(
    action: ServerAction<I>,
    to: fn(&str, &O) -> ShownOnce,
) -> impl Fn() -> Option<ShownOnce> + Clone + Send + Sync + 'static
where
    I: ServerFn<Output = O, Error = ServerFnError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let kept = use_page_context().shown_once.filter(|s| s.form == I::PATH);
    move || {
        action
            .value()
            .get()
            .and_then(|r| r.ok())
            .map(|o| to(I::PATH, &o))
            .or_else(|| kept.clone())
    }
}
