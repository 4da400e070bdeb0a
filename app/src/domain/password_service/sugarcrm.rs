//! Checks SugarCRM credentials with the password grant at `{serverUrl}/rest/v11/oauth2/token`
//! (client `sugar`, as Sugar's own clients use), through the `oauth2` crate.
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, ClientId, ClientSecret, RequestTokenError, ResourceOwnerPassword,
    ResourceOwnerUsername, TokenUrl,
};
use url::Url;

use super::ews::check_error;
use super::CheckError;
use crate::domain::outbound::OutboundClient;

/// The access and refresh tokens Sugar issued.
pub struct SugarTokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: Option<i64>,
}

pub async fn verify(
    http: &OutboundClient,
    server_url: &Url,
    username: &str,
    password: &str,
) -> Result<SugarTokens, CheckError> {
    use oauth2::TokenResponse;
    let token_url = server_url
        .join("rest/v11/oauth2/token")
        .map_err(|_| CheckError::Unreachable("not a server URL".into()))?;
    let client = BasicClient::new(ClientId::new("sugar".into()))
        .set_client_secret(ClientSecret::new(String::new()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::from_url(token_url));
    let user = ResourceOwnerUsername::new(username.to_owned());
    let pass = ResourceOwnerPassword::new(password.to_owned());
    match client
        .exchange_password(&user, &pass)
        .add_extra_param("platform", "base")
        .request_async(http)
        .await
    {
        Ok(t) => Ok(SugarTokens {
            access_token: t.access_token().secret().clone(),
            refresh_token: t.refresh_token().map(|r| r.secret().clone()),
            expires_in: t.expires_in().map(|d| d.as_secs() as i64),
        }),
        Err(RequestTokenError::ServerResponse(r))
            if matches!(
                r.error(),
                BasicErrorResponseType::InvalidGrant | BasicErrorResponseType::InvalidClient
            ) =>
        {
            Err(CheckError::WrongCredentials)
        }
        Err(RequestTokenError::Request(e)) => Err(check_error(e)),
        Err(_) => Err(CheckError::Protocol("not a token response".into())),
    }
}
