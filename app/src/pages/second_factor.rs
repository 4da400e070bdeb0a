use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::continue_to::continue_to;
use crate::components::{auth_card::AuthCard, text_field::TextField};
use crate::shell::use_page_context;

/// The second step of signing in: a code from the authenticator app, or a recovery code.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let outcome = use_page_context()
        .outcome
        .filter(|o| o.form == "two_factor")
        .unwrap_or_default();
    let (next, _) = continue_to(&outcome);
    let form_error = outcome.errors.for_field("form");
    view! {
        <Title text="Two-factor sign-in" />
        <AuthCard title="Enter your code">
            <p>"Open your authenticator app and enter the 6-digit code for Linkgate."</p>
            <form method="post" action="/signin/two-factor" class="stack" novalidate>
                <input type="hidden" name="next" value=next />
                <TextField label="Code" name="code" kind="text" error=form_error autocomplete="one-time-code" autofocus=true />
                <button type="submit" class="button primary wide">"Sign in"</button>
            </form>
            <p class="muted">"Lost your device? Enter one of your recovery codes instead; each works once."</p>
            <p class="switch"><a href="/signin">"Start again"</a></p>
        </AuthCard>
    }
}
