use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::empty_state::EmptyState;

#[component]
pub fn AccountsPage() -> impl IntoView {
    view! {
        <Title text="Accounts" />
        <div class="page-head">
            <h1>"Accounts"</h1>
            <p>"Accounts your end users connect through the hosted flows."</p>
        </div>
        <EmptyState title="No accounts connected" text="When an end user completes a flow, their account shows up here." />
    }
}
