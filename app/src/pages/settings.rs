use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::api::profile::RenameProfile;
use crate::components::form_notice::form_notice;
use crate::components::server_error::ActionError;
use crate::shell::use_page_context;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let viewer = use_page_context().viewer;
    let rename = ServerAction::<RenameProfile>::new();
    view! {
        <Title text="Settings" />
        <div class="page-head">
            <h1>"Settings"</h1>
        </div>
        {viewer.map(|v| view! {
            <section class="card" aria-labelledby="profile">
                <h2 id="profile">"Profile"</h2>
                <label for="profile-name"><strong>"Your name"</strong></label>
                <ActionForm action=rename attr:class="inline-form wide">
                    <input id="profile-name" type="text" name="name" value=v.name.clone() required maxlength="100" autocomplete="name" />
                    <button type="submit" class="button">"Save name"</button>
                </ActionForm>
                <ActionError action=rename />
                {form_notice(RenameProfile::PATH, &v.user_id, "notice")}
                <dl class="facts">
                    <dt>"Email"</dt><dd>{v.email}</dd>
                    <dt>"Team"</dt><dd>{v.team_name}</dd>
                    <dt>"Role"</dt><dd>{v.role.as_str()}</dd>
                </dl>
                <p class="muted">"Your email is how you sign in and how invites find you; it cannot be changed here."</p>
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
