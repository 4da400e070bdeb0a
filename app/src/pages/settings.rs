use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::api::profile::{list_sessions, ChangePassword, EndOtherSessions, RenameProfile};
use crate::components::form_notice::form_notice;
use crate::components::server_error::ActionError;
use crate::components::time_text::utc;
use crate::shell::use_page_context;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let viewer = use_page_context().viewer;
    let rename = ServerAction::<RenameProfile>::new();
    let change_password = ServerAction::<ChangePassword>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions = Resource::new(|| (), |_| list_sessions());
    let user_id = viewer
        .as_ref()
        .map(|v| v.user_id.clone())
        .unwrap_or_default();
    let viewer_email = viewer.as_ref().map(|v| v.email.clone()).unwrap_or_default();
    view! {
        <Title text="Settings" />
        <div class="page-head">
            <h1>"Settings"</h1>
        </div>
        {viewer.clone().map(|v| view! {
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
        <section class="card" aria-labelledby="password">
            <h2 id="password">"Password"</h2>
            <ActionForm action=change_password attr:class="stack narrow">
                // Lets password managers file the new password under the right account.
                <input type="hidden" name="username" autocomplete="username" value=viewer_email.clone() />
                <label for="current-password"><strong>"Current password"</strong></label>
                <input id="current-password" type="password" name="current_password" required autocomplete="current-password" />
                <label for="new-password"><strong>"New password"</strong></label>
                <input id="new-password" type="password" name="new_password" required minlength="10" autocomplete="new-password" />
                <button type="submit" class="button">"Change password"</button>
            </ActionForm>
            <ActionError action=change_password />
            {form_notice(ChangePassword::PATH, &user_id, "notice")}
            <p class="muted">"Changing it signs you out everywhere else. Forgot it? Sign out and use “Forgot your password?”."</p>
        </section>
        <section class="card" aria-labelledby="sessions">
            <h2 id="sessions">"Where you are signed in"</h2>
            {form_notice(EndOtherSessions::PATH, &user_id, "notice")}
            <Transition fallback=|| view! { <p class="muted">"Loading your sessions…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Err(e) => view! { <p class="form-error" role="alert">{crate::components::server_error::error_text(&e)}</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table sessions">
                                <thead><tr><th scope="col">"Browser"</th><th scope="col">"Signed in"</th><th scope="col">"Last active"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|s| view! {
                                        <tr class:current=s.current>
                                            <td>
                                                {if s.device.is_empty() { "Unknown browser".to_owned() } else { s.device.clone() }}
                                                {s.current.then(|| view! { " " <span class="badge">"This session"</span> })}
                                            </td>
                                            <td>{utc(s.signed_in_at)}</td>
                                            <td>{utc(s.last_active_at)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
            <div class="inline-form">
                <ActionForm action=end_others attr:class="inline-form">
                    <button type="submit" class="button">"Sign out everywhere else"</button>
                </ActionForm>
                <form method="post" action="/signout" class="inline-form">
                    <button type="submit" class="button">"Sign out"</button>
                </form>
            </div>
            <ActionError action=end_others />
        </section>
    }
}
