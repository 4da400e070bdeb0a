use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::api::profile::{
    list_sessions, two_factor_setup, BeginTwoFactor, ChangeEmail, ChangePassword, ConfirmTwoFactor,
    DisableTwoFactor, EndOtherSessions, RenameProfile, SetNewSignInMail,
};
use crate::components::form_notice::form_notice;
use crate::components::server_error::ActionError;
use crate::components::shown_once_card::{kept_for, ShownOnceCard};
use crate::components::time_text::utc;
use crate::shell::use_page_context;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let viewer = use_page_context().viewer;
    let rename = ServerAction::<RenameProfile>::new();
    let change_password = ServerAction::<ChangePassword>::new();
    let change_email = ServerAction::<ChangeEmail>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let new_sign_in_mail = ServerAction::<SetNewSignInMail>::new();
    let notify = viewer.as_ref().is_some_and(|v| v.notify_new_sign_in);
    let sessions = Resource::new(|| (), |_| list_sessions());
    let begin_two_factor = ServerAction::<BeginTwoFactor>::new();
    let confirm_two_factor = ServerAction::<ConfirmTwoFactor>::new();
    let disable_two_factor = ServerAction::<DisableTwoFactor>::new();
    let setup = Resource::new(|| (), |_| two_factor_setup());
    let two_factor_on = viewer.as_ref().is_some_and(|v| v.two_factor);
    let user_id = viewer
        .as_ref()
        .map(|v| v.user_id.clone())
        .unwrap_or_default();
    let viewer_email = viewer.as_ref().map(|v| v.email.clone()).unwrap_or_default();
    let two_factor_scope = user_id.clone();
    let email_for_two_factor = viewer_email.clone();
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
                <h3>"Change your address"</h3>
                <p class="muted">"Your address is how you sign in and how invites find you. A link goes to the new address; it changes when you open it."</p>
                <ActionForm action=change_email attr:class="stack narrow">
                    <label for="new-email"><strong>"New address"</strong></label>
                    <input id="new-email" type="email" name="email" required autocomplete="email" />
                    <label for="email-password"><strong>"Current password"</strong></label>
                    <input id="email-password" type="password" name="password" required autocomplete="current-password" />
                    <button type="submit" class="button">"Mail me a link"</button>
                </ActionForm>
                <ActionError action=change_email />
                {form_notice(ChangeEmail::PATH, &v.user_id, "notice")}
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
        <section class="card" aria-labelledby="two-factor" id="two-factor">
            <h2 id="two-factor">"Two-factor sign-in"</h2>
            {move || kept_for::<ConfirmTwoFactor>(&two_factor_scope)().map(|s| view! { <ShownOnceCard shown=s /> })}
            {form_notice(DisableTwoFactor::PATH, &user_id, "notice")}
            {if two_factor_on {
                view! {
                    <p>"On: signing in asks for a code from your authenticator app, or one of your recovery codes."</p>
                    <ActionForm action=disable_two_factor attr:class="stack narrow">
                        <input type="hidden" name="username" autocomplete="username" value=email_for_two_factor.clone() />
                        <label for="off-password"><strong>"Current password"</strong></label>
                        <input id="off-password" type="password" name="password" required autocomplete="current-password" />
                        <label for="off-code"><strong>"A code from your app"</strong></label>
                        <input id="off-code" type="text" name="code" required autocomplete="one-time-code" inputmode="numeric" />
                        <button type="submit" class="button danger">"Turn off two-factor sign-in"</button>
                    </ActionForm>
                    <ActionError action=disable_two_factor />
                }.into_any()
            } else {
                view! {
                    <p>"Off. With it on, signing in also asks for a code from an authenticator app on your phone."</p>
                    <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match setup.await {
                                Ok(Some(s)) => view! {
                                    <ol class="stack">
                                        <li>"Scan this QR code with your authenticator app:"
                                            <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=s.qr_svg></div>
                                            "Or type this key into it: " <code class="totp-secret">{s.secret_base32}</code>
                                        </li>
                                        <li>"Enter the 6-digit code it shows:"</li>
                                    </ol>
                                    <ActionForm action=confirm_two_factor attr:class="inline-form wide">
                                        <input type="text" name="code" aria-label="Code from your app" required autocomplete="one-time-code" inputmode="numeric" />
                                        <input type="password" name="password" aria-label="Your current password" placeholder="Current password" required autocomplete="current-password" />
                                        <button type="submit" class="button primary">"Turn on"</button>
                                    </ActionForm>
                                }.into_any(),
                                Ok(None) => view! {
                                    <ActionForm action=begin_two_factor>
                                        <button type="submit" class="button primary">"Set up two-factor sign-in"</button>
                                    </ActionForm>
                                }.into_any(),
                                Err(e) => view! { <p class="form-error" role="alert">{crate::components::server_error::error_text(&e)}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                    <ActionError action=begin_two_factor />
                    <ActionError action=confirm_two_factor />
                }.into_any()
            }}
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
            <ActionForm action=new_sign_in_mail attr:class="inline-form wide">
                <label class="check">
                    <input type="checkbox" name="on" value="on" checked=notify />
                    " Mail me when my account is signed in to from a new browser"
                </label>
                <button type="submit" class="button">"Save"</button>
            </ActionForm>
            <ActionError action=new_sign_in_mail />
            {form_notice(SetNewSignInMail::PATH, &user_id, "notice")}
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
