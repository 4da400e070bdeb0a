use leptos::prelude::*;

/// The user-facing sentence of a server-function error (`code: sentence` on the wire).
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(text) => text
            .split_once(": ")
            .map(|(_, m)| m)
            .unwrap_or(text)
            .to_owned(),
        _ => "The server could not be reached. Check your connection and try again.".to_owned(),
    }
}

/// Shows the error of the last submission of `action`, if it failed.
#[component]
pub fn ActionError<I, O>(action: ServerAction<I>) -> impl IntoView
where
    I: leptos::server_fn::ServerFn<Output = O, Error = ServerFnError>
        + Clone
        + Send
        + Sync
        + 'static,
    O: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <p class="form-error" role="alert">{error_text(&e)}</p> })
    }
}
