use leptos::prelude::*;
use leptos_meta::Title;

use crate::shell::use_page_context;

#[component]
pub fn TeamPage() -> impl IntoView {
    let viewer = use_page_context().viewer;
    view! {
        <Title text="Team" />
        <div class="page-head">
            <h1>"Team"</h1>
            <p>"Members of this team and their roles."</p>
        </div>
        <table class="table">
            <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th></tr></thead>
            <tbody>
                {viewer.map(|v| view! {
                    <tr><td>{v.name}</td><td>{v.email}</td><td><span class="badge">{v.role.as_str()}</span></td></tr>
                })}
            </tbody>
        </table>
    }
}
