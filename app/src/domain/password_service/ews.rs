//! Checks Exchange (EWS) credentials with one authenticated request: a `GetFolder` of the
//! inbox with HTTP Basic authentication. 401 means wrong credentials.
use oauth2::http;
use url::Url;

use super::CheckError;
use crate::domain::outbound::{OutboundClient, OutboundError};

const GET_INBOX: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
<soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>
<m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>"#;

/// A failed outbound request in the form's words.
pub fn check_error(e: OutboundError) -> CheckError {
    match e {
        OutboundError::Refused(m) => CheckError::Refused(m),
        OutboundError::Timeout => CheckError::Timeout,
        OutboundError::TooLarge(_) => {
            CheckError::Protocol("the server's answer is far larger than a sign-in answer".into())
        }
        OutboundError::Connect(m) if m.to_ascii_lowercase().contains("certificate") => {
            CheckError::Untrusted(m)
        }
        OutboundError::Unresolved(_) | OutboundError::Connect(_) => {
            CheckError::Unreachable(e.to_string())
        }
        OutboundError::Failed(m) => CheckError::Protocol(m),
    }
}

/// Checks the credentials through the outbound client (policy, no redirects, capped body).
pub async fn verify(
    http: &OutboundClient,
    server_url: &Url,
    login: &str,
    password: &str,
) -> Result<(), CheckError> {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
    let request = http::Request::post(server_url.as_str())
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "text/xml; charset=utf-8")
        .body(GET_INBOX.as_bytes().to_vec())
        .map_err(|_| CheckError::Unreachable("not a server URL".into()))?;
    let response = http.execute(request).await.map_err(check_error)?;
    match response.status().as_u16() {
        // Any page can answer 200 (a logon page, a proxy): only Exchange's own success counts.
        200 => {
            let text = String::from_utf8_lossy(response.body());
            if text.contains("ResponseClass=\"Success\"") {
                Ok(())
            } else {
                Err(CheckError::Protocol(
                    "this is not an Exchange Web Services answer".into(),
                ))
            }
        }
        401 | 403 => Err(CheckError::WrongCredentials),
        s => Err(CheckError::Protocol(format!("the server answered {s}"))),
    }
}
