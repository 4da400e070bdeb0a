//! `/api-docs`: the OpenAPI document as a readable page, rendered here with no scripts or
//! assets from elsewhere (self-hosted deployments may have no internet).
use app::web::AppState;
use axum::extract::State;
use axum::response::Html;

use crate::html_escape::escape;

pub async fn page(State(state): State<AppState>) -> Html<String> {
    let stylesheet = app::site_assets::stylesheet_href(&state.leptos_options);
    // Built once: the document is fixed for the life of the binary.
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    let doc = DOC.get_or_init(|| serde_json::to_value(super::document()).unwrap_or_default());
    let mut rows = String::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            for (method, op) in ops.as_object().into_iter().flatten() {
                let responses = op["responses"]
                    .as_object()
                    .map(|r| r.keys().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default();
                let body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or("");
                rows.push_str(&format!(
                    "<tr><td><code class=\"method\">{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    escape(&method.to_uppercase()),
                    escape(path),
                    escape(body),
                    escape(&responses)
                ));
            }
        }
    }
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Management API · Linkgate</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head><body><main class=\"content\">\
         <div class=\"page-head\"><h1>Management API</h1><p>Authenticate with <code>Authorization: Bearer lg_key_…</code> (a team API key). \
         The machine-readable document is <a href=\"/api-docs/openapi.json\">/api-docs/openapi.json</a>.</p></div>\
         <div class=\"table-wrap\"><table class=\"table\"><thead><tr><th>Method</th><th>Path</th><th>Body</th><th>Responses</th></tr></thead>\
         <tbody>{rows}</tbody></table></div></main></body></html>"
    ))
}
