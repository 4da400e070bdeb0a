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

/// The value a plain form post left for this page load. Every render of the page shows it
/// (a page may build a section more than once while its data arrives); once the page runs
/// in the browser it is taken out, so navigating back to the form, or to another
/// application's page, does not show it again.
#[derive(Clone, Copy)]
pub struct KeptShownOnce(pub RwSignal<Option<ShownOnce>>);

/// What `action`'s card shows: the hydrated form's answer, else what a plain post of the
/// same form, for the same team or application (`scope`), left for this page.
pub fn shown_for<I, O>(
    action: ServerAction<I>,
    scope: &str,
    to: fn(&str, &O) -> ShownOnce,
) -> impl Fn() -> Option<ShownOnce> + Clone + Send + Sync + 'static
where
    I: ServerFn<Output = O, Error = ServerFnError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let slot = use_context::<KeptShownOnce>().map(|k| k.0);
    let scope = scope.to_owned();
    let ours = move |s: &ShownOnce| s.form == I::PATH && s.scope == scope;
    let kept = slot.and_then(|slot| slot.get_untracked().filter(&ours));
    // Effects run only in the browser, after hydration drew the card.
    if let Some(slot) = slot {
        Effect::new(move |_| {
            if slot.get_untracked().as_ref().is_some_and(&ours) {
                slot.set(None);
            }
        });
    }
    move || {
        action
            .value()
            .get()
            .and_then(|r| r.ok())
            .map(|o| to(I::PATH, &o))
            .or_else(|| kept.clone())
    }
}
