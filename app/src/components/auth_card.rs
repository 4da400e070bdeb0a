use leptos::prelude::*;

/// The centered card that sign-in and sign-up pages sit in.
#[component]
pub fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <div class="auth-brand">
                <span class="logo-mark" aria-hidden="true">"⇄"</span>
                <span class="logo-word">"Linkgate"</span>
            </div>
            <section class="auth-card">
                <h1>{title}</h1>
                {children()}
            </section>
        </main>
    }
}
