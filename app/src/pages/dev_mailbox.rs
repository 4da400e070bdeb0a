use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::email_links::{dev_mailbox, MailboxEntry};
use crate::components::auth_card::AuthCard;
use crate::components::server_error::error_text;
use crate::components::time_text::utc;

/// Development without SMTP: the mail Linkgate would have sent, newest first, with its
/// links clickable. The server answers 404 here in production or with a real relay.
#[component]
pub fn DevMailboxPage() -> impl IntoView {
    let mail = Resource::new(|| (), |_| dev_mailbox());
    view! {
        <Title text="Development mailbox" />
        <AuthCard title="Development mailbox">
            <p class="muted">"No SMTP relay is set (--smtp-url), so mail is written to the data directory instead of sent. Newest first."</p>
            <Transition fallback=|| view! { <p class="muted">"Reading the mail…"</p> }>
                {move || Suspend::new(async move {
                    match mail.await {
                        Err(e) => view! { <p class="form-error" role="alert">{error_text(&e)}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p>"No mail yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ol class="mailbox">{list.into_iter().map(entry).collect_view()}</ol>
                        }.into_any(),
                    }
                })}
            </Transition>
        </AuthCard>
    }
}

fn entry(m: MailboxEntry) -> impl IntoView {
    view! {
        <li class="mail">
            <h2 class="mail-subject">{m.subject}</h2>
            <p class="muted">"To " <span class="mail-to">{m.to}</span> ", " {utc(m.at_ms / 1000)}</p>
            <pre class="mail-text">{m.text.split_inclusive(char::is_whitespace).map(word).collect_view()}</pre>
        </li>
    }
}

/// A link in the text is clickable; everything else is text.
fn word(w: &str) -> AnyView {
    let trimmed = w.trim_end();
    if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
        let rest = w[trimmed.len()..].to_owned();
        view! { <a href=trimmed.to_owned() rel="external">{trimmed.to_owned()}</a>{rest} }
            .into_any()
    } else {
        w.to_owned().into_any()
    }
}
