use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::team::preview_invite;
use crate::components::auth_card::AuthCard;
use crate::components::server_error::error_text;
use crate::query_escape::query_escape;
use crate::shell::use_page_context;

/// Where an invite link lands: what team and role it offers, then accept (signed in with
/// the invited email) or sign up / sign in first and come back here.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let viewer = use_page_context().viewer;
    let preview = Resource::new(token, preview_invite);
    view! {
        <Title text="Team invite" />
        <AuthCard title="You are invited">
            <Transition fallback=|| view! { <p class="muted">"Checking the invite…"</p> }>
                {move || {
                    let viewer = viewer.clone();
                    Suspend::new(async move {
                        let token = token();
                        match preview.await {
                            Err(e) => view! {
                                <p class="form-error" role="alert">{error_text(&e)}</p>
                                <p><a href="/">"Go to the dashboard"</a></p>
                            }.into_any(),
                            Ok(p) => {
                                let next = format!("/invite/{token}");
                                let action = match viewer {
                                    Some(v) if v.email == p.email => view! {
                                        <form method="post" action="/api/invites/accept">
                                            <input type="hidden" name="token" value=token.clone() />
                                            <button type="submit" class="button primary wide">"Join " {p.team_name.clone()}</button>
                                        </form>
                                    }.into_any(),
                                    Some(v) => view! {
                                        <p class="form-error">"You are signed in as " {v.email} ". This invite is for " {p.email.clone()} "."</p>
                                        <form method="post" action="/signout"><button type="submit" class="button wide">"Sign out"</button></form>
                                    }.into_any(),
                                    None => view! {
                                        <p>"Create an account or sign in with " <strong>{p.email.clone()}</strong> " to join."</p>
                                        // Full page loads: the auth pages are rendered by the server with their own context.
                                        <a class="button primary wide" rel="external" href=format!("/signup?next={next}&email={}", query_escape(&p.email))>"Create an account"</a>
                                        <a class="button wide" rel="external" href=format!("/signin?next={next}")>"Sign in"</a>
                                    }.into_any(),
                                };
                                view! {
                                    <p class="lead">
                                        {p.invited_by.clone()} " invites " <strong>{p.email.clone()}</strong> " to join "
                                        <strong class="invite-team">{p.team_name.clone()}</strong> " as " <span class="badge">{p.role.as_str()}</span> "."
                                    </p>
                                    <div class="stack">{action}</div>
                                }.into_any()
                            }
                        }
                    })
                }}
            </Transition>
        </AuthCard>
    }
}
