use leptos::prelude::*;
use leptos_meta::Title;

use crate::shell::use_page_context;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let viewer = use_page_context().viewer;
    view! {
        <Title text="Settings" />
        <div class="page-head">
            <h1>"Settings"</h1>
        </div>
        {viewer.map(|v| view! {
            <section class="card">
                <h2>"Profile"</h2>
                <dl class="facts">
                    <dt>"Name"</dt><dd>{v.name}</dd>
                    <dt>"Email"</dt><dd>{v.email}</dd>
                    <dt>"Team"</dt><dd>{v.team_name}</dd>
                    <dt>"Role"</dt><dd>{v.role.as_str()}</dd>
                </dl>
            </section>
        })}
        <section class="card">
            <h2>"Session"</h2>
            <p>"Signing out ends this session on every server."</p>
            <form method="post" action="/signout">
                <button type="submit" class="button">"Sign out"</button>
            </form>
        </section>
    }
}
