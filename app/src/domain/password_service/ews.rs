//! Checks Exchange (EWS) credentials with one authenticated request: a `GetFolder` of the
//! inbox with HTTP Basic authentication. 401 means wrong credentials.
use std::time::Duration;
use url::Url;

use super::{host_policy, CheckError};

const GET_INBOX: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
<soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>
<m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>"#;

/// A client that connects to the one checked address of the server, follows no redirects.
pub async fn pinned_client(
    url: &Url,
    timeout: Duration,
    allow_internal: bool,
) -> Result<reqwest::Client, CheckError> {
    let host = url
        .host_str()
        .ok_or_else(|| CheckError::Unreachable("no host".into()))?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addr = host_policy::resolve(host, port, allow_internal).await?;
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        // No proxy: a proxy would resolve the name again and bypass the checked address.
        .no_proxy()
        .resolve(host, addr)
        .build()
        .map_err(|e| CheckError::Unreachable(e.without_url().to_string()))
}

pub fn map_send_error(e: reqwest::Error) -> CheckError {
    if e.is_timeout() {
        CheckError::Timeout
    } else if e.is_connect() {
        CheckError::Unreachable(e.without_url().to_string())
    } else {
        CheckError::Protocol(e.without_url().to_string())
    }
}

pub async fn verify(
    server_url: &Url,
    login: &str,
    password: &str,
    timeout: Duration,
    allow_internal: bool,
) -> Result<(), CheckError> {
    let client = pinned_client(server_url, timeout, allow_internal).await?;
    let response = client
        .post(server_url.clone())
        .basic_auth(login, Some(password))
        .header("content-type", "text/xml; charset=utf-8")
        .body(GET_INBOX)
        .send()
        .await
        .map_err(map_send_error)?;
    match response.status().as_u16() {
        // Any page can answer 200 (a logon page, a proxy): only Exchange's own success counts.
        200 => {
            let body = response.bytes().await.map_err(map_send_error)?;
            let text = String::from_utf8_lossy(&body[..body.len().min(256 * 1024)]);
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
