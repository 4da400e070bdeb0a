//! Applications: create, read, rename, delete; client secrets; return URLs.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, PostUrl};

use crate::app_views::{
    AccountPage, AppDetail, EndUserSummary, NewApp, NewSecret, RegistrationView, ReturnUrlView,
    TriedAccount,
};

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::domain::app::{
        accounts, lifecycle, registrations, return_urls, secrets, signing_secret, trusted_domains,
    };
    pub use crate::domain::now_unix;
    pub use crate::shown_once::ShownOnce;
    pub use crate::web::server_context::{actor_in, parse_id};
    pub use crate::web::server_fn_error::to_server_fn_error as fail;
    pub use crate::web::shown_once_flash;
    pub use leptos::prelude::ServerFnError;
    pub use leptos::server_fn::ServerFn;

    /// A field the form sends as text, parsed here so a bad value is a 422 next to the field.
    pub fn parse_field<T: std::str::FromStr>(
        field: &str,
        raw: &str,
        message: &str,
    ) -> Result<T, ServerFnError> {
        raw.trim().parse().map_err(|_| {
            let mut e = crate::form_outcome::FieldErrors::default();
            e.add(field, message);
            fail(crate::domain::DomainError::Invalid(e))
        })
    }
}

#[server(prefix = "/api", endpoint = "team/apps/create", input = PostUrl)]
pub async fn create_app(team_id: String, name: String) -> Result<NewApp, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let n = lifecycle::create(&c.state.db, &c.state.app_keys, &actor, &name, now_unix())
        .await
        .map_err(fail)?;
    shown_once_flash::keep(&c, &team_id, ShownOnce::new_app(CreateApp::PATH, &n)).await?;
    Ok(n)
}

#[server(prefix = "/api", endpoint = "apps/detail", input = GetUrl)]
pub async fn get_app(team_id: String, app_id: String) -> Result<AppDetail, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let app_id = parse_id(&app_id)?;
    let mut detail = lifecycle::detail(
        &c.state.db,
        &actor,
        app_id,
        &c.state.public_origin,
        now_unix(),
    )
    .await
    .map_err(fail)?;
    let try_flows = crate::domain::flow::dashboard_try::available(&c.state.flows, app_id);
    detail.try_return_url = try_flows.map(|u| u.as_str().to_owned());
    Ok(detail)
}

/// What a *Try with Sandbox* flow connected, from the code it returned with.
#[server(prefix = "/api", endpoint = "apps/try", input = GetUrl)]
pub async fn try_outcome(
    team_id: String,
    app_id: String,
    code: String,
) -> Result<Option<TriedAccount>, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    crate::domain::flow::dashboard_try::connected(
        &c.state.db,
        &c.state.flows,
        &actor,
        parse_id(&app_id)?,
        &code,
        now_unix(),
    )
    .await
    .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/rename", input = PostUrl)]
pub async fn rename_app(
    team_id: String,
    app_id: String,
    name: String,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    lifecycle::rename(&c.state.db, &actor, parse_id(&app_id)?, &name, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/delete", input = PostUrl)]
pub async fn delete_app(
    team_id: String,
    app_id: String,
    confirm_name: String,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    lifecycle::delete(
        &c.state.db,
        &actor,
        parse_id(&app_id)?,
        &confirm_name,
        now_unix(),
    )
    .await
    .map_err(fail)?;
    // Its accounts went with it: this instance forgets at once, others on notice.
    c.state.answers.clear();
    leptos_axum::redirect("/applications");
    Ok(())
}

#[server(prefix = "/api", endpoint = "apps/secrets/rotate", input = PostUrl)]
pub async fn rotate_secret(
    team_id: String,
    app_id: String,
    old_valid_for_secs: String,
) -> Result<NewSecret, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let grace: i64 = parse_field(
        "old_valid_for_secs",
        &old_valid_for_secs,
        "Give a number of seconds.",
    )?;
    let s = &c.state;
    let n = secrets::rotate(
        &s.db,
        &s.app_keys,
        &actor,
        parse_id(&app_id)?,
        grace,
        now_unix(),
    )
    .await
    .map_err(fail)?;
    shown_once_flash::keep(&c, &app_id, ShownOnce::new_secret(RotateSecret::PATH, &n)).await?;
    Ok(n)
}

/// *Connect link* on the accounts page: a link to try the hosted picker, shown once.
#[server(prefix = "/api", endpoint = "apps/connect_links/create", input = PostUrl)]
pub async fn create_connect_link(team_id: String, app_id: String) -> Result<String, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let s = &c.state;
    let created = crate::domain::connect_link::link::for_dashboard_test(
        &s.db,
        &s.flows,
        &actor,
        parse_id(&app_id)?,
        now_unix(),
    )
    .await
    .map_err(fail)?;
    let shown = ShownOnce::connect_link(CreateConnectLink::PATH, &created.url);
    shown_once_flash::keep(&c, &app_id, shown).await?;
    Ok(created.url)
}

#[server(prefix = "/api", endpoint = "apps/secrets/revoke", input = PostUrl)]
pub async fn revoke_secret(
    team_id: String,
    app_id: String,
    secret_id: String,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    secrets::revoke(
        &c.state.db,
        &actor,
        parse_id(&app_id)?,
        parse_id(&secret_id)?,
        now_unix(),
    )
    .await
    .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/return_urls/add", input = PostUrl)]
pub async fn add_return_url(
    team_id: String,
    app_id: String,
    url: String,
) -> Result<ReturnUrlView, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    return_urls::add(&c.state.db, &actor, parse_id(&app_id)?, &url, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/return_urls/remove", input = PostUrl)]
pub async fn remove_return_url(
    team_id: String,
    app_id: String,
    url_id: String,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    return_urls::remove(
        &c.state.db,
        &actor,
        parse_id(&app_id)?,
        parse_id(&url_id)?,
        now_unix(),
    )
    .await
    .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/wildcards", input = PostUrl)]
pub async fn set_wildcards(
    team_id: String,
    app_id: String,
    allowed: String,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let allowed: bool = parse_field("allowed", &allowed, "Choose true or false.")?;
    return_urls::set_wildcards(&c.state.db, &actor, parse_id(&app_id)?, allowed, now_unix())
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/registrations", input = GetUrl)]
pub async fn list_registrations(
    team_id: String,
    app_id: String,
) -> Result<Vec<RegistrationView>, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    registrations::list(&c.state.db, &actor, parse_id(&app_id)?)
        .await
        .map_err(fail)
}

/// Saves a provider registration. Optional fields may be left out; an empty secret keeps
/// the stored one.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api", endpoint = "apps/registrations/save", input = PostUrl)]
pub async fn save_registration(
    team_id: String,
    app_id: String,
    service_type: String,
    client_id: String,
    client_secret: Option<String>,
    scopes: Option<String>,
    native_scopes: Option<String>,
    tenant: Option<String>,
    data_center: Option<String>,
    login_host: Option<String>,
    authorize_url: Option<String>,
    token_url: Option<String>,
    userinfo_url: Option<String>,
    revoke_url: Option<String>,
    introspect_url: Option<String>,
    admin_consent_url: Option<String>,
    admin_directory_url: Option<String>,
    api_base: Option<String>,
    daemon_secret: Option<String>,
    trust_server: Option<String>,
    allowed_servers: Option<String>,
) -> Result<RegistrationView, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let input = registrations::RegistrationInput {
        service_type,
        client_id,
        client_secret: client_secret.unwrap_or_default(),
        scopes: scopes.unwrap_or_default(),
        native_scopes: native_scopes.unwrap_or_default(),
        tenant: tenant.unwrap_or_default(),
        data_center: data_center.unwrap_or_default(),
        login_host: login_host.unwrap_or_default(),
        authorize_url: authorize_url.unwrap_or_default(),
        token_url: token_url.unwrap_or_default(),
        userinfo_url: userinfo_url.unwrap_or_default(),
        revoke_url: revoke_url.unwrap_or_default(),
        introspect_url: introspect_url.unwrap_or_default(),
        admin_consent_url: admin_consent_url.unwrap_or_default(),
        admin_directory_url: admin_directory_url.unwrap_or_default(),
        api_base: api_base.unwrap_or_default(),
        daemon_secret: daemon_secret.unwrap_or_default(),
        trust_server: trust_server.unwrap_or_default(),
        allowed_servers: allowed_servers.unwrap_or_default(),
        custom: None,
    };
    let said = |r: &RegistrationView| format!("{} registration saved.", r.service_type);
    save_input(&c, &actor, &app_id, input, SaveRegistration::PATH, said).await
}

/// *Enable* for a password service (IMAP, Exchange, SugarCRM): a registration with no
/// OAuth client. Its own endpoint, so its form's error and notice show under that form.
#[server(prefix = "/api", endpoint = "apps/registrations/enable", input = PostUrl)]
pub async fn enable_password_service(
    team_id: String,
    app_id: String,
    service_type: String,
    trust_server: Option<String>,
    allowed_servers: Option<String>,
) -> Result<RegistrationView, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let input = registrations::RegistrationInput {
        service_type,
        trust_server: trust_server.unwrap_or_default(),
        allowed_servers: allowed_servers.unwrap_or_default(),
        ..Default::default()
    };
    let said = |r: &RegistrationView| format!("{} is enabled.", r.service_type);
    save_input(
        &c,
        &actor,
        &app_id,
        input,
        EnablePasswordService::PATH,
        said,
    )
    .await
}

/// Saves a registration and keeps the form's notice (`said`) for the page it returns to.
#[cfg(feature = "ssr")]
async fn save_input(
    c: &crate::web::server_context::Caller,
    actor: &crate::domain::authz::Actor,
    app_id: &str,
    input: ssr::registrations::RegistrationInput,
    form: &'static str,
    said: fn(&RegistrationView) -> String,
) -> Result<RegistrationView, ServerFnError> {
    use ssr::*;
    let s = &c.state;
    let saved = registrations::save(
        &s.db,
        &s.app_keys,
        s.flows.http.policy(),
        actor,
        parse_id(app_id)?,
        input,
        now_unix(),
    )
    .await
    .map_err(fail)?;
    shown_once_flash::keep(c, app_id, ShownOnce::notice(form, said(&saved))).await?;
    Ok(saved)
}

#[server(prefix = "/api", endpoint = "apps/registrations/remove", input = PostUrl)]
pub async fn remove_registration(
    team_id: String,
    app_id: String,
    service_type: String,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    registrations::remove(
        &c.state.db,
        &actor,
        parse_id(&app_id)?,
        &service_type,
        now_unix(),
    )
    .await
    .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/signing_secret", input = PostUrl)]
pub async fn reveal_signing_secret(
    team_id: String,
    app_id: String,
) -> Result<String, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let secret = signing_secret::reveal(&c.state.db, &c.state.app_keys, &actor, parse_id(&app_id)?)
        .await
        .map_err(fail)?;
    let shown = ShownOnce::signing_secret(RevealSigningSecret::PATH, &secret);
    shown_once_flash::keep(&c, &app_id, shown).await?;
    Ok(secret)
}

#[server(prefix = "/api", endpoint = "apps/signing_secret/regenerate", input = PostUrl)]
pub async fn regenerate_signing_secret(
    team_id: String,
    app_id: String,
) -> Result<String, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let secret = signing_secret::regenerate(
        &c.state.db,
        &c.state.app_keys,
        &actor,
        parse_id(&app_id)?,
        now_unix(),
    )
    .await
    .map_err(fail)?;
    let shown = ShownOnce::signing_secret(RegenerateSigningSecret::PATH, &secret);
    shown_once_flash::keep(&c, &app_id, shown).await?;
    Ok(secret)
}

/// Saves a custom provider (a generic OAuth 2.0 provider of the application's own) under
/// `name`, with its client credentials.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api", endpoint = "apps/custom_providers/save", input = PostUrl)]
pub async fn save_custom_provider(
    team_id: String,
    app_id: String,
    name: String,
    client_id: String,
    client_secret: Option<String>,
    authorize_url: String,
    token_url: String,
    userinfo_url: Option<String>,
    id_claim: Option<String>,
    email_claim: Option<String>,
    name_claim: Option<String>,
    scope_separator: Option<String>,
    pkce: Option<String>,
    extra_authorize_params: Option<String>,
    client_auth: Option<String>,
    native_scopes: Option<String>,
) -> Result<RegistrationView, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let pkce = match pkce.as_deref().map(str::trim) {
        None | Some("") | Some("false") | Some("off") => false,
        Some(v) => parse_field::<bool>(
            "pkce",
            if v == "on" { "true" } else { v },
            "Choose true or false.",
        )?,
    };
    let input = registrations::RegistrationInput {
        service_type: name,
        client_id,
        client_secret: client_secret.unwrap_or_default(),
        native_scopes: native_scopes.unwrap_or_default(),
        custom: Some(registrations::CustomInput {
            authorize_url,
            token_url,
            userinfo_url: userinfo_url.unwrap_or_default(),
            id_claim: id_claim.unwrap_or_default(),
            email_claim: email_claim.unwrap_or_default(),
            name_claim: name_claim.unwrap_or_default(),
            scope_separator: scope_separator.unwrap_or_default(),
            pkce,
            extra_authorize_params: extra_authorize_params.unwrap_or_default(),
            client_auth: client_auth.unwrap_or_default(),
        }),
        ..Default::default()
    };
    let s = &c.state;
    registrations::save(
        &s.db,
        &s.app_keys,
        s.flows.http.policy(),
        &actor,
        parse_id(&app_id)?,
        input,
        now_unix(),
    )
    .await
    .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/accounts", input = GetUrl)]
pub async fn list_accounts(
    team_id: String,
    app_id: String,
    service_type: Option<String>,
    client_org_id: Option<String>,
    auth_org_id: Option<String>,
    offset: Option<u64>,
    kind: Option<String>,
) -> Result<AccountPage, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    let filter = accounts::AccountFilter {
        kind,
        service_type,
        client_org_id,
        auth_org_id,
        limit: None,
        offset,
    };
    accounts::list(&c.state.db, &actor, parse_id(&app_id)?, filter)
        .await
        .map_err(fail)
}

/// The app's end users (newest 200) with their accounts.
#[server(prefix = "/api", endpoint = "apps/end_users", input = GetUrl)]
pub async fn list_end_users(
    team_id: String,
    app_id: String,
) -> Result<Vec<EndUserSummary>, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    crate::domain::end_user::users::of_app(&c.state.db, &actor, parse_id(&app_id)?, 200)
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/accounts/delete", input = PostUrl)]
pub async fn delete_account(
    team_id: String,
    app_id: String,
    account_id: i64,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    accounts::delete(
        &c.state.db,
        &actor,
        parse_id(&app_id)?,
        account_id,
        now_unix(),
    )
    .await
    .map_err(fail)?;
    // This instance forgets its answers at once; others on notice (answer_cache).
    c.state.answers.evict_account(account_id);
    Ok(())
}

/// The app's trusted domains as `(id, domain)` pairs.
#[server(prefix = "/api", endpoint = "apps/trusted_domains", input = GetUrl)]
pub async fn list_trusted_domains(
    team_id: String,
    app_id: String,
) -> Result<Vec<(String, String)>, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    trusted_domains::list(&c.state.db, &actor, parse_id(&app_id)?)
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/trusted_domains/add", input = PostUrl)]
pub async fn add_trusted_domain(
    team_id: String,
    app_id: String,
    domain: String,
) -> Result<String, ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    trusted_domains::add(&c.state.db, &actor, parse_id(&app_id)?, &domain, now_unix())
        .await
        .map(|(_, domain)| domain)
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "apps/trusted_domains/remove", input = PostUrl)]
pub async fn remove_trusted_domain(
    team_id: String,
    app_id: String,
    domain_id: String,
) -> Result<(), ServerFnError> {
    use ssr::*;
    let (c, actor) = actor_in(&team_id).await?;
    trusted_domains::remove(
        &c.state.db,
        &actor,
        parse_id(&app_id)?,
        parse_id(&domain_id)?,
        now_unix(),
    )
    .await
    .map_err(fail)
}
