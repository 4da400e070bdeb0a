//! The hosted page of Google's service-account flow: which admin mailbox to act for.
//! Plain HTML (no script), like the Sandbox's pages.

use crate::html_escape::escape;

pub fn mailbox_form(state: &str, domain: &str, typed: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p class=\"form-error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Connect a Google Workspace service account</title>\
<link rel=\"stylesheet\" href=\"/pkg/linkgate.css\"></head><body><main class=\"auth-card\">\
<h1>Connect a Google Workspace service account</h1>\
<p>You signed in for <strong>{domain}</strong>. The application's service account acts \
for mailboxes of this domain (domain-wide delegation). Enter an administrator's mailbox of \
{domain} to check that the delegation works.</p>{error}\
<form method=\"post\" action=\"/v1/auth/daemon/google\">\
<input type=\"hidden\" name=\"state\" value=\"{state}\">\
<label for=\"mailbox\">Administrator mailbox</label>\
<input id=\"mailbox\" type=\"email\" name=\"mailbox\" value=\"{typed}\" required>\
<button type=\"submit\" class=\"button primary\">Connect</button></form></main></body></html>",
        state = escape(state),
        domain = escape(domain),
        typed = escape(typed),
    )
}
