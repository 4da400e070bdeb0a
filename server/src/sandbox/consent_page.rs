//! The Sandbox's consent page: plain server-rendered HTML, no script, so it works in any
//! browser and for an HTTP client that posts the form (the benchmark does).
use app::domain::sandbox::consent::{AdminConsentRequest, ConsentRequest};

use crate::html_escape::escape;

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}\
main{max-width:28rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:.5rem;\
box-shadow:0 1px 3px #0002}label{display:block;margin:.75rem 0 .25rem}\
input[type=email],input[type=text]{width:100%;padding:.5rem;box-sizing:border-box}\
.scopes label{display:flex;gap:.5rem;margin:.25rem 0}.actions{display:flex;gap:1rem;margin-top:1.5rem}\
button{padding:.6rem 1.2rem;border-radius:.3rem;border:1px solid #888;cursor:pointer}\
button[value=approve]{background:#2563eb;color:#fff;border-color:#2563eb}.note{color:#555;font-size:.9rem}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>"
    )
}

pub fn consent(req: &ConsentRequest) -> String {
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    };
    let mut fields = String::new();
    fields.push_str(&hidden("client_id", &req.client_id));
    fields.push_str(&hidden("redirect_uri", &req.redirect_uri));
    fields.push_str(&hidden("state", &req.state));
    fields.push_str(&hidden("response_type", "code"));
    fields.push_str(&hidden("scope", &req.scopes.join(" ")));
    if let Some(c) = &req.code_challenge {
        fields.push_str(&hidden("code_challenge", c));
        fields.push_str(&hidden("code_challenge_method", "S256"));
    }
    if let Some(n) = &req.nonce {
        fields.push_str(&hidden("nonce", n));
    }
    let scopes: String = req
        .scopes
        .iter()
        .map(|s| {
            let s = escape(s);
            format!("<label><input type=\"checkbox\" name=\"granted\" value=\"{s}\" checked> {s}</label>")
        })
        .collect();
    let email = escape(
        req.login_hint
            .as_deref()
            .unwrap_or("sandbox.user@example.com"),
    );
    let body = format!(
        "<h1>Sandbox sign-in</h1>\
<p><strong>{app}</strong> asks to access your Sandbox account.</p>\
<p class=\"note\">This is Linkgate's built-in test provider: any email works, no password.</p>\
<form method=\"post\" action=\"/sandbox/authorize\">{fields}\
<label for=\"email\">Sign in as</label>\
<input id=\"email\" type=\"email\" name=\"email\" value=\"{email}\" required>\
<label for=\"name\">Name</label>\
<input id=\"name\" type=\"text\" name=\"name\" value=\"Sandbox User\">\
<label for=\"org\">Organization (optional: Office 365 tenant or Google Workspace domain)</label>\
<input id=\"org\" type=\"text\" name=\"org\" value=\"\">\
<label><input type=\"checkbox\" name=\"admin\" value=\"true\"> Sign in as the organization's administrator</label>\
<fieldset class=\"scopes\"><legend>Permissions</legend>{scopes}</fieldset>\
<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button>\
<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></div></form>",
        app = escape(&req.app_name),
    );
    page("Sandbox sign-in", &body)
}

pub fn admin_consent(req: &AdminConsentRequest) -> String {
    let body = format!(
        "<h1>Sandbox admin consent</h1>\
<p>The application <code>{client}</code> asks for access to every mailbox of your organization.</p>\
<form method=\"post\" action=\"/sandbox/adminconsent\">\
<input type=\"hidden\" name=\"client_id\" value=\"{client}\">\
<input type=\"hidden\" name=\"redirect_uri\" value=\"{redirect}\">\
<input type=\"hidden\" name=\"state\" value=\"{state}\">\
<label for=\"tenant\">Tenant</label>\
<input id=\"tenant\" type=\"text\" name=\"tenant\" value=\"contoso.example\" required>\
<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"approve\">Accept</button>\
<button type=\"submit\" name=\"decision\" value=\"deny\">Cancel</button></div></form>",
        client = escape(&req.client_id),
        redirect = escape(&req.redirect_uri),
        state = escape(&req.state),
    );
    page("Sandbox admin consent", &body)
}

pub fn refused(message: &str) -> String {
    page(
        "Sandbox: request refused",
        &format!(
            "<h1>This request cannot be served</h1><p>{}</p>",
            escape(message)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        let req = ConsentRequest {
            client_id: "c".into(),
            app_name: "<script>x</script>".into(),
            redirect_uri: "https://a/cb".into(),
            state: "\"><b>".into(),
            scopes: vec!["mail.read".into()],
            code_challenge: None,
            login_hint: None,
            nonce: None,
        };
        let html = consent(&req);
        assert!(!html.contains("<script>x"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("value=\"&quot;&gt;&lt;b&gt;\""));
    }
}
