//! Team API keys authenticate the management API; a revoked key stops at once.
use crate::common::team::{join, sign_up};
use crate::common::{plain_client, Backend, Fixture};
use reqwest::StatusCode;

async fn a_key_acts_for_its_team_until_revoked(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let made = owner
        .browser
        .call(
            "team/api_keys/create",
            &[
                ("team_id", &t),
                ("name", "deploy bot"),
                ("role", "Collaborator"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let made = made.json();
    let secret = made["secret"].as_str().unwrap().to_owned();
    let key_id = made["key"]["id"].as_str().unwrap().to_owned();
    let listed = owner
        .browser
        .query("team/api_keys", &[("team_id", &t)])
        .await;
    assert!(
        !listed.body.contains(&secret),
        "the secret is shown once, never listed"
    );
    assert!(listed.json()[0]["last_used_at"].is_null());

    let http = plain_client();
    let call = |key: String| {
        let http = http.clone();
        let url = format!("{base}/manage/v1/team");
        async move { http.get(url).bearer_auth(key).send().await.unwrap() }
    };
    let r = call(secret.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["teamId"], t.as_str());
    assert_eq!(body["name"], "Owner");
    assert_eq!(body["key"]["role"], "Collaborator");
    assert!(
        owner
            .browser
            .query("team/api_keys", &[("team_id", &t)])
            .await
            .json()[0]["last_used_at"]
            .is_i64(),
        "last use is recorded"
    );

    // Wrong, malformed and missing keys: 401 with the JSON error and a Bearer challenge.
    for bad in [
        format!("{secret}x"),
        "lg_key_".into(),
        "nonsense".into(),
        String::new(),
    ] {
        let r = call(bad.clone()).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{bad:?}");
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e["code"], "auth.required");
    }

    // An Administrator (not only the Owner) revokes it; the next call fails.
    let mut admin = sign_up(&base, "Admin").await;
    join(&mut owner.browser, &t, &mut admin, "Administrator").await;
    let r = admin
        .browser
        .call(
            "team/api_keys/revoke",
            &[("team_id", &t), ("key_id", &key_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(call(secret).await.status(), StatusCode::UNAUTHORIZED);
    assert!(owner
        .browser
        .query("team/api_keys", &[("team_id", &t)])
        .await
        .json()
        .as_array()
        .unwrap()
        .is_empty());
    f.finish().await;
}
on_both_backends!(a_key_acts_for_its_team_until_revoked);
