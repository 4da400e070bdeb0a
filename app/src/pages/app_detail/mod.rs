//! One application: its client id, client secrets (rotation), provider registrations and
//! authorized return URLs.
mod logo;
mod registrations;
mod signing;
mod trusted;
mod webhooks;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::apps::{
    get_app, AddReturnUrl, DeleteApp, RemoveReturnUrl, RenameApp, RevokeSecret, RotateSecret,
    SetWildcards,
};
use crate::app_views::AppDetail;
use crate::components::confirm::Confirm;
use crate::components::copy_button::CopyButton;
use crate::components::server_error::{error_text, ActionError};
use crate::components::shown_once_card::{kept_for, ShownOnceCard};
use crate::components::time_text::utc;
use crate::query_escape::query_escape;
use crate::shell::use_page_context;

#[component]
pub fn AppDetailPage() -> impl IntoView {
    let team_id = use_page_context()
        .viewer
        .map(|v| v.team_id)
        .unwrap_or_default();
    let params = use_params_map();
    let app_id = move || params.read().get("id").unwrap_or_default();
    let rotate = ServerAction::<RotateSecret>::new();
    let revoke = ServerAction::<RevokeSecret>::new();
    let add_url = ServerAction::<AddReturnUrl>::new();
    let remove_url = ServerAction::<RemoveReturnUrl>::new();
    let wildcards = ServerAction::<SetWildcards>::new();
    let rename = ServerAction::<RenameApp>::new();
    let tid = team_id.clone();
    let app = Resource::new(
        move || {
            (
                app_id(),
                rotate.version().get(),
                revoke.version().get(),
                add_url.version().get(),
                remove_url.version().get(),
                wildcards.version().get(),
                rename.version().get(),
            )
        },
        move |(id, ..)| get_app(tid.clone(), id),
    );
    let actions = Actions {
        rotate,
        revoke,
        add_url,
        remove_url,
        wildcards,
        rename,
    };
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let team_id = team_id.clone();
                Suspend::new(async move {
                    match app.await {
                        Ok(a) => detail(team_id, a, actions).into_any(),
                        Err(e) => view! {
                            <Title text="Application" />
                            <p class="form-error" role="alert">{error_text(&e)}</p>
                            <p><a href="/applications">"All applications"</a></p>
                        }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    rotate: ServerAction<RotateSecret>,
    revoke: ServerAction<RevokeSecret>,
    add_url: ServerAction<AddReturnUrl>,
    remove_url: ServerAction<RemoveReturnUrl>,
    wildcards: ServerAction<SetWildcards>,
    rename: ServerAction<RenameApp>,
}

fn detail(team_id: String, a: AppDetail, act: Actions) -> impl IntoView {
    let delete = ServerAction::<DeleteApp>::new();
    let (tid, aid) = (team_id.clone(), a.id.clone());
    let hidden = move || {
        view! {
            <input type="hidden" name="team_id" value=tid.clone() />
            <input type="hidden" name="app_id" value=aid.clone() />
        }
    };
    let new_secret = kept_for::<RotateSecret>(&a.id);
    view! {
        <Title text=a.name.clone() />
        <div class="page-head">
            <p class="muted"><a href="/applications">"Applications"</a> " / "</p>
            <h1 class="app-name">{a.name.clone()}</h1>
            <p>"Created " {utc(a.created_at)} " · " <a href=format!("/applications/{}/accounts", a.id)>"Accounts"</a> " · " <a href=format!("/applications/{}/users", a.id)>"End users"</a></p>
        </div>

        <nav class="section-nav" aria-label="Sections of this application">
            <a href="#client-id">"Client id"</a>
            <a href="#try">"Try it"</a>
            <a href="#secrets">"Secrets"</a>
            <a href="#registrations">"Providers"</a>
            <a href="#return-urls">"Return URLs"</a>
            <a href="#logo">"Logo"</a>
            <a href="#trusted-domains">"Trusted domains"</a>
            <a href="#webhooks">"Webhooks"</a>
            {a.can_administer.then(|| view! { <a href="#settings">"Settings"</a> })}
        </nav>

        <section class="card" id="client-id">
            <h2>"Client id"</h2>
            <p class="muted">"Your product sends it as " <code>"clientId"</code> " to start hosted flows."</p>
            <div class="copy-row">
                <input class="copy-field client-id" readonly value=a.client_id.clone() aria-label="Client id" />
                <CopyButton text=a.client_id.clone() />
            </div>
        </section>

        <TryCard app=a.clone() />

        <section class="card" id="secrets">
            <h2>"Client secrets"</h2>
            <p class="muted">"Used with the client id for " <code>"Authorization: Basic"</code> ". Shown once; rotate to replace one without downtime."</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Client secrets">
                <table class="table secrets">
                    <thead><tr><th>"Secret"</th><th>"Created"</th><th>"Last used"</th><th>"Expires"</th><th></th></tr></thead>
                    <tbody>
                        {a.secrets.iter().map(|s| {
                            // Revoking stops the app's servers at once: Administrators only.
                            let (hidden, sid, several, edit, prefix) = (hidden.clone(), s.id.clone(), a.secrets.len() > 1, a.can_administer, s.prefix.clone());
                            view! {
                                <tr>
                                    <td><code>{s.prefix.clone()}"…"</code></td>
                                    <td>{utc(s.created_at)}</td>
                                    <td>{s.last_used_at.map(utc).unwrap_or_else(|| "Never".to_owned())}</td>
                                    <td>{s.expires_at.map(utc).unwrap_or_else(|| "Never".to_owned())}</td>
                                    <td>{(edit && several).then(|| view! {
                                        <Confirm label="Revoke now" question=format!("Revoke the secret {prefix}…? Servers still using it are refused at once.") small=true>
                                            <ActionForm action=act.revoke attr:class="inline-form">
                                                {hidden()}
                                                <input type="hidden" name="secret_id" value=sid />
                                                <button type="submit" class="button small danger">"Yes, revoke"</button>
                                            </ActionForm>
                                        </Confirm>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <ActionError action=act.revoke />
            {a.can_edit.then(|| { let (hidden, admin) = (hidden.clone(), a.can_administer); view! {
                <ActionForm action=act.rotate attr:class="inline-form wide">
                    {hidden()}
                    <label for="old-valid">"Keep the current secret working for"</label>
                    <select id="old-valid" name="old_valid_for_secs">
                        <option value="3600">"1 hour"</option>
                        <option value="86400" selected=true>"1 day"</option>
                        <option value="604800">"7 days"</option>
                        <option value="2592000">"30 days"</option>
                        {admin.then(|| view! { <option value="0">"No time: end it now"</option> })}
                    </select>
                    <button type="submit" class="button primary">"Create new secret"</button>
                </ActionForm>
            }})}
            <ActionError action=act.rotate />
            {move || new_secret().map(|s| view! { <ShownOnceCard shown=s /> })}
        </section>

        <registrations::RegistrationsSection
            team_id=team_id.clone()
            app_id=a.id.clone()
            redirect_uri=a.redirect_uri.clone()
            can_edit=a.can_edit
        />


        <section class="card" id="return-urls">
            <h2>"Return URLs"</h2>
            <p class="muted">"Where hosted flows may send users back. https only (http for localhost); scheme, host, port and path must match, the query may differ."</p>
            <ul class="url-list">
                {a.return_urls.iter().map(|u| {
                    let (hidden, uid, edit, url) = (hidden.clone(), u.id.clone(), a.can_edit, u.url.clone());
                    view! {
                        <li>
                            <code class="return-url">{u.url.clone()}</code>
                            {edit.then(|| view! {
                                <Confirm label="Remove" question=format!("Remove {url}? Flows that return there fail until it is added again.") small=true>
                                    <ActionForm action=act.remove_url attr:class="inline-form">
                                        {hidden()}
                                        <input type="hidden" name="url_id" value=uid />
                                        <button type="submit" class="button small danger">"Yes, remove"</button>
                                    </ActionForm>
                                </Confirm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {a.return_urls.is_empty().then(|| view! { <p class="muted">"No return URLs yet: flows cannot start until you add one."</p> })}
            {a.can_edit.then(|| { let hidden = hidden.clone(); view! {
                <ActionForm action=act.add_url attr:class="inline-form wide">
                    {hidden()}
                    <input type="url" name="url" placeholder="https://app.example.com/callback" aria-label="Return URL" required />
                    <button type="submit" class="button primary">"Add return URL"</button>
                </ActionForm>
            }})}
            <ActionError action=act.add_url />
            <ActionError action=act.remove_url />
            {a.can_administer.then(|| { let hidden = hidden.clone(); let on = a.wildcard_return_urls; view! {
                <ActionForm action=act.wildcards attr:class="inline-form">
                    {hidden()}
                    <input type="hidden" name="allowed" value=(!on).to_string() />
                    <span class="muted">{if on { "Wildcard hosts (https://*.example.com/…) are allowed. " } else { "Wildcard hosts are off. " }}</span>
                    <button type="submit" class="button small">{if on { "Turn off" } else { "Allow wildcards" }}</button>
                </ActionForm>
                <ActionError action=act.wildcards />
            }})}
        </section>

        <logo::LogoSection team_id=team_id.clone() app_id=a.id.clone() has_logo=a.has_logo can_edit=a.can_edit />
        <trusted::TrustedDomainsSection team_id=team_id.clone() app_id=a.id.clone() can_edit=a.can_edit />
        <webhooks::WebhooksSection team_id=team_id.clone() app_id=a.id.clone() can_edit=a.can_edit />
        {a.can_edit.then(|| view! {
            <signing::SigningSecretSection team_id=team_id.clone() app_id=a.id.clone() can_administer=a.can_administer />
        })}

        {a.can_administer.then(|| { let hidden2 = hidden.clone(); let (name, placeholder) = (a.name.clone(), a.name.clone()); view! {
            <section class="card" id="settings">
                <h2>"Settings"</h2>
                <ActionForm action=act.rename attr:class="inline-form wide">
                    {hidden()}
                    <input type="text" name="name" value=name.clone() aria-label="Application name" required maxlength="100" />
                    <button type="submit" class="button">"Rename"</button>
                </ActionForm>
                <ActionError action=act.rename />
                <h3>"Delete this application"</h3>
                <p class="muted">"Its secrets, return URLs and grants go with it, and its accounts and users once there are any. Type its name to confirm."</p>
                // A plain form: success leaves this page for the list.
                <form method="post" action="/api/apps/delete" class="inline-form wide">
                    {hidden2()}
                    <input type="text" name="confirm_name" placeholder=placeholder aria-label="Type the name to confirm" required />
                    <button type="submit" class="button danger">"Delete application"</button>
                </form>
                <ActionError action=delete />
            </section>
        }})}
    }
}

/// How to start a flow: the authorize link with this app's real client id, the exchange
/// call, and *Try with Sandbox*, which runs a whole flow back to the dashboard.
#[component]
fn TryCard(app: AppDetail) -> impl IntoView {
    let origin = app.public_origin.clone();
    let return_url = app
        .return_urls
        .first()
        .map(|u| u.url.clone())
        .unwrap_or_else(|| "https://your.app.example/callback".to_owned());
    let authorize = format!(
        "{origin}/v1/auth/authorize?clientId={}&serviceType=Google&scopes=Mail.Read&returnUrl={}",
        app.client_id,
        query_escape(&return_url)
    );
    let exchange = format!(
        "curl -X POST -u '{}:YOUR_CLIENT_SECRET' {origin}/v1/auth/token/THE_CODE",
        app.client_id
    );
    let try_url = app.try_return_url.as_ref().map(|back| {
        format!(
            "{origin}/v1/auth/authorize?clientId={}&serviceType=Sandbox&scopes={}&returnUrl={}",
            app.client_id,
            query_escape("Mail.Read Calendar.Read"),
            query_escape(back)
        )
    });
    view! {
        <section class="card" id="try">
            <h2>"Try it"</h2>
            {try_url.map(|try_url| view! {
                <p>"Run a whole hosted flow with the built-in Sandbox provider and come back here: no sample app and no provider registration needed."</p>
                <p><a class="button primary try-sandbox" href=try_url rel="external">"Try with Sandbox"</a></p>
            })}
            <p class="muted">"Your product sends its users to this link (any service, your return URL):"</p>
            <div class="copy-row">
                <input class="copy-field authorize-link" readonly value=authorize.clone() aria-label="Authorize link" />
                <CopyButton text=authorize />
            </div>
            <p class="muted">"They come back with " <code>"?code=…&status=success"</code> "; your server exchanges the code for the account's token:"</p>
            <div class="copy-row">
                <input class="copy-field exchange-command" readonly value=exchange.clone() aria-label="Code exchange command" />
                <CopyButton text=exchange />
            </div>
        </section>
    }
}
