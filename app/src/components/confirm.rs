//! A destructive action in two steps: the first button opens a question that names the
//! target, the second (inside `children`, usually a form) does it. A `<details>`, so it
//! works without the wasm and no script can skip the question.
use leptos::prelude::*;

#[component]
pub fn Confirm(
    /// The first button's text ("Remove").
    label: &'static str,
    /// What happens, naming the target ("Remove the return URL https://…?").
    question: String,
    #[prop(optional)] small: bool,
    children: Children,
) -> impl IntoView {
    let class = if small {
        "button small danger"
    } else {
        "button danger"
    };
    view! {
        <details class="confirm">
            <summary class=class>{label}</summary>
            <div class="confirm-panel">
                <p>{question}</p>
                {children()}
            </div>
        </details>
    }
}
