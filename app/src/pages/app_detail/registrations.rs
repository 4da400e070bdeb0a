//! Provider registrations of one application: the redirect URI to paste at the provider,
//! the registrations (secrets shown only as "saved"), and a form to add or replace one.
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use crate::api::apps::{
    list_registrations, EnablePasswordService, RemoveRegistration, SaveRegistration,
};
use crate::app_views::RegistrationView;
use crate::components::confirm::Confirm;
use crate::components::copy_button::CopyButton;
use crate::components::form_notice::form_notice;
use crate::components::server_error::{error_text, ActionError};
use crate::components::time_text::utc;
use crate::service_types::{OAUTH_SERVICES, PASSWORD_SERVICES, ZOHO_DATA_CENTERS};

#[component]
pub fn RegistrationsSection(
    team_id: String,
    app_id: String,
    redirect_uri: String,
    can_edit: bool,
) -> impl IntoView {
    let save = ServerAction::<SaveRegistration>::new();
    // The password-services form has its own action, so its errors show under it.
    let trust = ServerAction::<EnablePasswordService>::new();
    let remove = ServerAction::<RemoveRegistration>::new();
    let (tid, aid) = (team_id.clone(), app_id.clone());
    let regs = Resource::new(
        move || {
            (
                save.version().get(),
                trust.version().get(),
                remove.version().get(),
            )
        },
        move |_| list_registrations(tid.clone(), aid.clone()),
    );
    // The service the form edits lives in the URL (`?service=`), so choosing one is a link
    // that works without the wasm and loads that service's saved values.
    let query = use_query_map();
    let chosen = move || {
        query
            .read()
            .get("service")
            .and_then(|s| OAUTH_SERVICES.iter().find(|p| **p == s).copied())
            .unwrap_or(OAUTH_SERVICES[0])
    };
    let (form_tid, form_aid) = (team_id.clone(), app_id.clone());
    let (tid, aid) = (team_id.clone(), app_id.clone());
    // The password-services form needs its own copies (each form's children own theirs).
    let (trust_tid, trust_aid) = (team_id.clone(), app_id.clone());
    view! {
        <section class="card registrations" id="registrations">
            <h2>"Provider registrations"</h2>
            <p class="muted">"Register an OAuth client at each provider with this redirect URI, then enter its client id and secret here."</p>
            <div class="copy-row">
                <input class="copy-field redirect-uri" readonly value=redirect_uri.clone() aria-label="Redirect URI" />
                <CopyButton text=redirect_uri />
            </div>
            <ActionError action=remove />
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let (tid, aid) = (tid.clone(), aid.clone());
                    Suspend::new(async move {
                        match regs.await {
                            Ok(list) => view! {
                                <div class="table-wrap" tabindex="0" role="region" aria-label="Provider registrations">
                                    <table class="table">
                                        <thead><tr><th>"Service"</th><th>"Client id"</th><th>"Secret"</th><th>"Scopes"</th><th>"Options"</th><th>"Updated"</th><th></th></tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|r| {
                                                let (tid, aid, service) = (tid.clone(), aid.clone(), r.service_type.clone());
                                                let options = r.options.iter().chain(r.overrides.iter()).map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
                                                view! {
                                                    <tr data-service=r.service_type.clone()>
                                                        <td><strong>{r.service_type.clone()}</strong></td>
                                                        <td><code>{r.client_id.clone()}</code></td>
                                                        <td>{if r.client_secret_set { "•••••• saved" } else { "not set" }}</td>
                                                        <td>{r.scopes.join(" ")} " " <span class="muted">{r.native_scopes.join(" ")}</span></td>
                                                        <td class="muted">{options}</td>
                                                        <td>{utc(r.updated_at)}</td>
                                                        <td>{can_edit.then(|| view! {
                                                            <Confirm label="Remove" question=format!("Remove the {service} registration? New {service} connections cannot start, and tokens cannot be refreshed, until it is added again.") small=true>
                                                                <ActionForm action=remove attr:class="inline-form">
                                                                    <input type="hidden" name="team_id" value=tid />
                                                                    <input type="hidden" name="app_id" value=aid />
                                                                    <input type="hidden" name="service_type" value=service.clone() />
                                                                    <button type="submit" class="button small danger">"Yes, remove"</button>
                                                                </ActionForm>
                                                            </Confirm>
                                                        })}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                            <tr data-service="Sandbox">
                                                <td><strong>"Sandbox"</strong></td>
                                                <td colspan="6" class="muted">"Built in, no registration needed: start any flow with " <code>"serviceType=Sandbox"</code> " to try it."</td>
                                            </tr>
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any(),
                            Err(e) => view! { <p class="form-error">{error_text(&e)}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
            {can_edit.then(|| view! {
                <h3 id="registration-form">"Add or change a registration"</h3>
                <nav class="service-tabs" aria-label="Service to register">
                    {OAUTH_SERVICES.iter().map(|p| {
                        let href = format!("?service={p}#registration-form");
                        view! {
                            <a href=href aria-current=move || (chosen() == *p).then_some("true")>{*p}</a>
                        }
                    }).collect_view()}
                </nav>
                <Transition fallback=|| ()>
                    {move || {
                        let (tid, aid) = (form_tid.clone(), form_aid.clone());
                        Suspend::new(async move {
                            let service = chosen();
                            let saved = regs.await.ok().and_then(|l| l.into_iter().find(|r| r.service_type == service));
                            registration_form(save, tid, aid, service, saved)
                        })
                    }}
                </Transition>
                <ActionError action=save />
                {form_notice(SaveRegistration::PATH, &app_id, "notice saved-note")}
                <h3>"Password services"</h3>
                <p class="muted">"IMAP, Exchange and SugarCRM accounts sign in through a hosted form, once the service is enabled here. A link may pre-fill only a server listed here (or a well-known mail host); users can always type their own. Trust a self-signed server certificate only for servers you know."</p>
                <ActionForm action=trust attr:class="inline-form trust-form">
                    <input type="hidden" name="team_id" value=trust_tid.clone() />
                    <input type="hidden" name="app_id" value=trust_aid.clone() />
                    <select name="service_type" aria-label="Password service">
                        {PASSWORD_SERVICES.iter().rev().map(|p| view! { <option value=*p>{*p}</option> }).collect_view()}
                    </select>
                    <label class="checkbox"><input type="checkbox" name="trust_server" value="true" /> " Trust self-signed certificates"</label>
                    <label for="reg-allowed-servers">"Allowed servers"</label>
                    <input id="reg-allowed-servers" name="allowed_servers" type="text" placeholder="mail.example.com exchange.example.com" />
                    <button type="submit" class="button">"Enable"</button>
                </ActionForm>
                <ActionError action=trust />
                {form_notice(EnablePasswordService::PATH, &app_id, "notice")}
            })}
        </section>
    }
}

/// The form for one service, filled with what is saved for it (never the secrets): saving
/// replaces the registration, so an empty field here would clear a saved option.
fn registration_form(
    save: ServerAction<SaveRegistration>,
    team_id: String,
    app_id: String,
    service: &'static str,
    saved: Option<RegistrationView>,
) -> impl IntoView {
    let get = |map: Option<&std::collections::BTreeMap<String, String>>, k: &str| {
        map.and_then(|m| m.get(k).cloned()).unwrap_or_default()
    };
    let options = saved.as_ref().map(|r| &r.options);
    let overrides = saved.as_ref().map(|r| &r.overrides);
    let (tenant, data_center, login_host) = (
        get(options, "tenant"),
        get(options, "data_center"),
        get(options, "login_host"),
    );
    let url = |k: &str| get(overrides, k);
    let introspect = url("introspect_url");
    let (authorize, token, userinfo, revoke, consent, directory) = (
        url("authorize_url"),
        url("token_url"),
        url("userinfo_url"),
        url("revoke_url"),
        url("admin_consent_url"),
        url("admin_directory_url"),
    );
    let api_base = url("api_base");
    let secret_hint = if saved.as_ref().is_some_and(|r| r.client_secret_set) {
        "Saved. Leave empty to keep it."
    } else {
        "From the provider's console."
    };
    let daemon_hint = if saved.as_ref().is_some_and(|r| r.daemon_secret_set) {
        "Saved. Leave empty to keep it."
    } else {
        match service {
            "Google" => "The service account's JSON key.",
            _ => "Optional, a certificate instead of the client secret: {\"private_key\": \"<PEM>\", \"certificate\": \"<PEM>\"}, or \"thumbprint\" as the Entra portal shows it instead of \"certificate\".",
        }
    };
    // Options this service's form does not show (set through the management API) are
    // carried as they are, so saving here never drops one unseen.
    let carried: Vec<(&'static str, String)> = [
        ("tenant", &tenant, service == "Office365"),
        ("data_center", &data_center, service == "Zoho"),
        ("login_host", &login_host, service == "Salesforce"),
        ("admin_consent_url", &consent, service == "Office365"),
        ("admin_directory_url", &directory, service == "Google"),
    ]
    .into_iter()
    .filter(|(_, v, shown)| !shown && !v.is_empty())
    .map(|(k, v, _)| (k, v.clone()))
    .collect();
    let heading = match &saved {
        Some(_) => format!("{service}: change the saved registration"),
        None => format!("{service}: not registered yet"),
    };
    let client_id = saved
        .as_ref()
        .map(|r| r.client_id.clone())
        .unwrap_or_default();
    let scopes = saved
        .as_ref()
        .map(|r| r.scopes.join(" "))
        .unwrap_or_default();
    let native = saved
        .as_ref()
        .map(|r| r.native_scopes.join(" "))
        .unwrap_or_default();
    view! {
        <ActionForm action=save attr:class="stack registration-form" attr:data-service=service>
            <p class="muted">{heading}</p>
            <input type="hidden" name="team_id" value=team_id />
            <input type="hidden" name="app_id" value=app_id />
            <input type="hidden" name="service_type" value=service />
            {carried.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v /> }).collect_view()}
            <div class="field-row">
                <div class="field">
                    <label for="reg-client-id">"Client id"</label>
                    <input id="reg-client-id" name="client_id" type="text" required maxlength="256" value=client_id autocomplete="off" />
                </div>
                <div class="field">
                    <label for="reg-secret">"Client secret"</label>
                    <input id="reg-secret" name="client_secret" type="password" autocomplete="new-password" />
                    <p class="field-hint">{secret_hint}</p>
                </div>
            </div>
            <div class="field">
                <label for="reg-scopes">"Default scopes"</label>
                <input id="reg-scopes" name="scopes" type="text" placeholder="Mail.Read Calendar.ReadWrite" value=scopes />
                <p class="field-hint">"Unified scopes; the provider's own go below."</p>
            </div>
            <div class="field">
                <label for="reg-native">"Native scopes"</label>
                <input id="reg-native" name="native_scopes" type="text" value=native />
            </div>
            {(service == "Office365").then(|| view! {
                <div class="field"><label for="reg-tenant">"Tenant"</label><input id="reg-tenant" name="tenant" type="text" placeholder="common" value=tenant /><p class="field-hint">"Your directory's id or domain for a single-tenant app."</p></div>
            })}
            {(service == "Zoho").then(|| view! {
                <div class="field"><label for="reg-dc">"Data center"</label><input id="reg-dc" name="data_center" type="text" placeholder="com" value=data_center aria-describedby="reg-dc-hint" /><p class="field-hint" id="reg-dc-hint">{format!("Your Zoho account's data center: {}. Users of other data centers are followed to theirs.", ZOHO_DATA_CENTERS.join(", "))}</p></div>
            })}
            {(service == "Salesforce").then(|| view! {
                <div class="field"><label for="reg-host">"Login host"</label><input id="reg-host" name="login_host" type="text" placeholder="login.salesforce.com" value=login_host /></div>
            })}
            {matches!(service, "Google" | "Office365").then(|| view! {
                <div class="field">
                    <label for="reg-daemon">"Service-account credentials"</label>
                    <textarea id="reg-daemon" name="daemon_secret" rows="4"></textarea>
                    <p class="field-hint">{daemon_hint}</p>
                </div>
            })}
            <details>
                <summary>"Endpoints (override)"</summary>
                <div class="stack">
                    <div class="field"><label for="reg-auth-url">"Authorize URL"</label><input id="reg-auth-url" name="authorize_url" type="url" value=authorize /></div>
                    <div class="field"><label for="reg-token-url">"Token URL"</label><input id="reg-token-url" name="token_url" type="url" value=token /></div>
                    <div class="field"><label for="reg-userinfo-url">"Userinfo URL"</label><input id="reg-userinfo-url" name="userinfo_url" type="url" value=userinfo /></div>
                    <div class="field"><label for="reg-revoke-url">"Revoke URL"</label><input id="reg-revoke-url" name="revoke_url" type="url" value=revoke /></div>
                    {matches!(service, "Hubspot" | "Salesforce").then(|| view! {
                        <div class="field"><label for="reg-introspect-url">"Introspection URL"</label><input id="reg-introspect-url" name="introspect_url" type="url" value=introspect /></div>
                    })}
                    {(service == "Office365").then(|| view! {
                        <div class="field"><label for="reg-consent-url">"Admin-consent URL"</label><input id="reg-consent-url" name="admin_consent_url" type="url" value=consent /></div>
                    })}
                    {(service == "Google").then(|| view! {
                        <div class="field"><label for="reg-directory-url">"Admin directory URL"</label><input id="reg-directory-url" name="admin_directory_url" type="url" value=directory /></div>
                    })}
                    <div class="field"><label for="reg-api-base">"Direct API base URL"</label><input id="reg-api-base" name="api_base" type="url" value=api_base aria-describedby="reg-api-base-hint" /><p class="field-hint" id="reg-api-base-hint">"Where /v1/direct/… forwards with the account's token. In production, another cloud of the same provider, beside that cloud's authorize and token URLs. Changing it means every account authorizes again."</p></div>
                </div>
            </details>
            <button type="submit" class="button primary">"Save " {service} " registration"</button>
        </ActionForm>
    }
}
