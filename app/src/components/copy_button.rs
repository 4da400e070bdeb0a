use leptos::prelude::*;

/// Copies `text` to the clipboard; says so for two seconds. An island: it needs the wasm,
/// so it is disabled (and looks it) until it is alive; the text stays selectable beside it.
#[island]
pub fn CopyButton(text: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    // Effects run only in the browser, after hydration.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let on_click = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let clipboard = window().navigator().clipboard();
            let _ = clipboard.write_text(&text);
            copied.set(true);
            set_timeout(move || copied.set(false), std::time::Duration::from_secs(2));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <button
            type="button"
            class="button small copy-button"
            disabled=move || !ready.get()
            on:click=on_click
        >
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}
