//! Provider registrations of one application: the redirect URI to paste at the provider,
//! the registrations (secrets shown only as "saved"), and a form to add or replace one.
use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::apps::{list_registrations, RemoveRegistration, SaveRegistration};
use crate::components::confirm::Confirm;
use crate::components::copy_button::CopyButton;
use crate::components::server_error::{error_text, ActionError};
use crate::components::time_text::utc;

const OAUTH_PROVIDERS: [&str; 5] = ["Google", "Office365", "Zoho", "Salesforce", "Hubspot"];

#[component]
pub fn RegistrationsSection(
    team_id: String,
    app_id: String,
    redirect_uri: String,
    can_edit: bool,
) -> impl IntoView {
    let save = ServerAction::<SaveRegistration>::new();
    let remove = ServerAction::<RemoveRegistration>::new();
    let (tid, aid) = (team_id.clone(), app_id.clone());
    let regs = Resource::new(
        move || (save.version().get(), remove.version().get()),
        move |_| list_registrations(tid.clone(), aid.clone()),
    );
    let (tid, aid) = (team_id.clone(), app_id.clone());
    // The password-services form needs its own copies (each form's children own theirs).
    let (trust_tid, trust_aid) = (team_id.clone(), app_id.clone());
    view! {
        <section class="card registrations">
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
                            Ok(list) if list.is_empty() => view! { <p class="muted">"No providers registered yet."</p> }.into_any(),
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
                <h3>"Add or replace a registration"</h3>
                <ActionForm action=save attr:class="stack registration-form">
                    <input type="hidden" name="team_id" value=team_id.clone() />
                    <input type="hidden" name="app_id" value=app_id.clone() />
                    <div class="field-row">
                        <div class="field">
                            <label for="reg-service">"Service"</label>
                            <select id="reg-service" name="service_type">
                                {OAUTH_PROVIDERS.iter().map(|p| view! { <option value=*p>{*p}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="reg-client-id">"Client id"</label>
                            <input id="reg-client-id" name="client_id" type="text" required maxlength="256" />
                        </div>
                        <div class="field">
                            <label for="reg-secret">"Client secret"</label>
                            <input id="reg-secret" name="client_secret" type="password" autocomplete="off" placeholder="Leave empty to keep the saved one" />
                        </div>
                    </div>
                    <div class="field">
                        <label for="reg-scopes">"Default scopes"</label>
                        <input id="reg-scopes" name="scopes" type="text" placeholder="Mail.Read Calendar.ReadWrite" />
                        <p class="field-hint">"Unified scopes; the provider's own go below."</p>
                    </div>
                    <div class="field">
                        <label for="reg-native">"Native scopes"</label>
                        <input id="reg-native" name="native_scopes" type="text" placeholder="https://www.googleapis.com/auth/drive.readonly" />
                    </div>
                    <details>
                        <summary>"Provider options and endpoints"</summary>
                        <div class="stack">
                            <div class="field-row">
                                <div class="field"><label for="reg-tenant">"Office 365 tenant"</label><input id="reg-tenant" name="tenant" type="text" placeholder="common" /></div>
                                <div class="field"><label for="reg-dc">"Zoho data center"</label><input id="reg-dc" name="data_center" type="text" placeholder="com" /></div>
                                <div class="field"><label for="reg-host">"Salesforce login host"</label><input id="reg-host" name="login_host" type="text" placeholder="login.salesforce.com" /></div>
                            </div>
                            <div class="field"><label for="reg-auth-url">"Authorize URL (override)"</label><input id="reg-auth-url" name="authorize_url" type="url" /></div>
                            <div class="field"><label for="reg-token-url">"Token URL (override)"</label><input id="reg-token-url" name="token_url" type="url" /></div>
                            <div class="field"><label for="reg-userinfo-url">"Userinfo URL (override)"</label><input id="reg-userinfo-url" name="userinfo_url" type="url" /></div>
                            <div class="field"><label for="reg-revoke-url">"Revoke URL (override)"</label><input id="reg-revoke-url" name="revoke_url" type="url" /></div>
                            <div class="field"><label for="reg-consent-url">"Admin-consent URL (override, Office 365)"</label><input id="reg-consent-url" name="admin_consent_url" type="url" /></div>
                            <div class="field"><label for="reg-directory-url">"Admin directory URL (override, Google)"</label><input id="reg-directory-url" name="admin_directory_url" type="url" /></div>
                            <div class="field">
                                <label for="reg-daemon">"Service-account credentials"</label>
                                <textarea id="reg-daemon" name="daemon_secret" rows="4" placeholder="Google: the service account's JSON key. Office 365 with a certificate: {\"thumbprint\": \"<x5t>\", \"private_key\": \"<PEM>\"} (empty: the client secret is used)."></textarea>
                            </div>
                        </div>
                    </details>
                    <button type="submit" class="button primary">"Save registration"</button>
                </ActionForm>
                <h3>"Password services"</h3>
                <p class="muted">"IMAP, Exchange and SugarCRM accounts sign in through a hosted form, once the service is enabled here. A link may pre-fill only a server listed here (or a well-known mail host); users can always type their own. Trust a self-signed server certificate only for servers you know."</p>
                <ActionForm action=save attr:class="inline-form trust-form">
                    <input type="hidden" name="team_id" value=trust_tid.clone() />
                    <input type="hidden" name="app_id" value=trust_aid.clone() />
                    <input type="hidden" name="client_id" value="" />
                    <select name="service_type" aria-label="Password service">
                        {["IMAP", "EWS", "SugarCRM"].iter().map(|p| view! { <option value=*p>{*p}</option> }).collect_view()}
                    </select>
                    <label class="checkbox"><input type="checkbox" name="trust_server" value="true" /> " Trust self-signed certificates"</label>
                    <label for="reg-allowed-servers">"Allowed servers"</label>
                    <input id="reg-allowed-servers" name="allowed_servers" type="text" placeholder="mail.example.com exchange.example.com" />
                    <button type="submit" class="button">"Enable"</button>
                </ActionForm>
                <ActionError action=save />
                {move || save.value().get().and_then(|r| r.ok()).map(|r| view! {
                    <p class="muted saved-note">{r.service_type} " registration saved."</p>
                })}
            })}
        </section>
    }
}
