use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::empty_state::EmptyState;

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    view! {
        <Title text="Applications" />
        <div class="page-head">
            <h1>"Applications"</h1>
            <p>"Each application gets a client id and secret, provider registrations and return URLs."</p>
        </div>
        <EmptyState title="No applications yet" text="Applications you create or are granted appear here." />
    }
}
