//! The hosted page of Google's service-account flow: which admin mailbox to act for.
//! Plain HTML (no script) in the hosted pages' frame.

use crate::html_escape::escape;

pub fn mailbox_form(state: &str, domain: &str, typed: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p class=\"form-error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Connect a Google Workspace service account</h1>\
<p>You signed in for <strong>{domain}</strong>. The application's service account acts \
for mailboxes of this domain (domain-wide delegation). Enter an administrator's mailbox of \
{domain} to check that the delegation works.</p>{error}\
<form method=\"post\" action=\"/v1/auth/daemon/google\">\
<input type=\"hidden\" name=\"state\" value=\"{state}\">\
<label for=\"mailbox\">Administrator mailbox</label>\
<input id=\"mailbox\" type=\"email\" name=\"mailbox\" value=\"{typed}\" required>\
<div class=\"actions\"><button type=\"submit\" class=\"primary\">Connect</button></div></form>",
        state = escape(state),
        domain = escape(domain),
        typed = escape(typed),
    );
    super::hosted_page::page("Connect a Google Workspace service account", &body)
}
