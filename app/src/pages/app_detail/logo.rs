//! The application's logo, shown on its connect links' page: upload (a plain multipart
//! form, handled by `server::app_logo_form`), preview and removal.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::logo_refusal::LogoRefusal;

/// What the form's post said, from the query it redirected back with (a fixed word each).
fn outcome(word: &str) -> Option<(String, bool)> {
    Some(match word {
        "saved" => (
            "Logo saved. Connect links show it from now on.".to_owned(),
            false,
        ),
        "removed" => ("Logo removed.".to_owned(), false),
        _ => (LogoRefusal::from_word(word)?.message(), true),
    })
}

#[component]
pub fn LogoSection(
    team_id: String,
    app_id: String,
    has_logo: bool,
    can_edit: bool,
) -> impl IntoView {
    let query = use_query_map();
    let said = move || query.read().get("logo").and_then(|w| outcome(&w));
    let action = format!("/applications/{app_id}/logo");
    let remove = format!("/applications/{app_id}/logo/remove");
    let preview = format!("/applications/{app_id}/logo");
    view! {
        <section class="card" id="logo">
            <h2>"Logo"</h2>
            <p class="muted">"Shown beside the application's name on its connect links' page. PNG, JPEG or WebP, at most 256 KB."</p>
            {move || said().map(|(text, bad)| if bad {
                view! { <p class="form-error" role="alert">{text}</p> }.into_any()
            } else {
                view! { <p class="notice" role="status">{text}</p> }.into_any()
            })}
            {has_logo.then(|| view! { <p><img class="app-logo-preview" src=preview alt="The current logo" width="64" height="64" /></p> })}
            {(!has_logo).then(|| view! { <p class="muted">"No logo yet: the page shows the name alone."</p> })}
            {can_edit.then(|| view! {
                <form method="post" action=action enctype="multipart/form-data" class="inline-form wide">
                    <input type="hidden" name="team_id" value=team_id.clone() />
                    <label for="logo-file">"Logo image"</label>
                    <input id="logo-file" type="file" name="logo" accept="image/png,image/jpeg,image/webp" required />
                    <button type="submit" class="button">"Upload logo"</button>
                </form>
                {has_logo.then(|| view! {
                    <form method="post" action=remove class="inline-form">
                        <input type="hidden" name="team_id" value=team_id.clone() />
                        <button type="submit" class="button small danger">"Remove the logo"</button>
                    </form>
                })}
            })}
        </section>
    }
}
