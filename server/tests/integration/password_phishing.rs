//! Issue 13, item 5: the hosted password form cannot be turned into a phishing page on the
//! platform's own origin. A password service works only for apps that enabled it; a link's
//! `serverUrl` must be one of the app's allowed servers (or a well-known host); the form
//! always says where the password goes. And (item 4) a server answering a huge body cannot
//! make the platform buffer it.
use crate::common::flow::{browser, get, location, param, FlowApp};
use crate::common::listener::CountingServer;
use crate::common::{Backend, Fixture};
use crate::password_accounts::enable;
use reqwest::StatusCode;

async fn refused(r: reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get("location").is_none(), "never a redirect");
    let j: serde_json::Value = r.json().await.unwrap();
    j["code"].as_str().unwrap().to_owned()
}

async fn form_page(base: &str, r: reqwest::Response) -> (String, String) {
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let state = param(&location(&r), "state").unwrap();
    let page = get(&format!("{base}/v1/auth/password?state={state}"))
        .await
        .text()
        .await
        .unwrap();
    (state, page)
}

async fn links_prefill_only_servers_the_app_allows(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Acme Mail").await;
    let phishing = [
        ("serverUrl", "imap.attacker.example"),
        ("loginHint", "ceo@victim.example"),
    ];
    let r = get(&app.authorize_url(&base, "IMAP", &phishing)).await;
    assert_eq!(
        refused(r).await,
        "serviceType.invalid",
        "IMAP is not enabled"
    );

    enable(&mut app, "IMAP", "false", "mail.acme.example").await;
    let r = get(&app.authorize_url(&base, "IMAP", &phishing)).await;
    assert_eq!(refused(r).await, "serverUrl.invalid");
    for attempt in [
        "mail.acme.example.attacker.example",
        "https://imap.attacker.example",
    ] {
        let r = get(&app.authorize_url(&base, "IMAP", &[("serverUrl", attempt)])).await;
        assert_eq!(refused(r).await, "serverUrl.invalid", "{attempt}");
    }

    // An allowed server, and a well-known one, pre-fill the form, which names the host.
    for (server, host) in [
        ("mail.acme.example:993", "mail.acme.example"),
        ("imap.gmail.com", "imap.gmail.com"),
    ] {
        let r = get(&app.authorize_url(&base, "IMAP", &[("serverUrl", server)])).await;
        let (_, page) = form_page(&base, r).await;
        assert!(
            page.contains(&format!(
                "Your password will be sent to <strong>{host}</strong>"
            )),
            "{page}"
        );
    }
    let r = get(&app.authorize_url(&base, "IMAP", &[])).await;
    let (_, page) = form_page(&base, r).await;
    assert!(page.contains("sent only to the server you enter below"));

    // The list is checked when saved.
    let t = app.owner.own_team.clone();
    let r = app
        .owner
        .browser
        .call(
            "apps/registrations/enable",
            &[
                ("team_id", &t),
                ("app_id", &app.id),
                ("service_type", "IMAP"),
                ("allowed_servers", "https://mail.acme.example/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("not a host name"), "{}", r.body);
    f.finish().await;
}
on_both_backends!(links_prefill_only_servers_the_app_allows);

async fn a_huge_answer_is_not_buffered(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut app = FlowApp::create(&base, "Exchange sync").await;
    enable(&mut app, "EWS", "false", "").await;
    let mut answer =
        b"HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\nconnection: close\r\n\r\n".to_vec();
    answer.extend(std::iter::repeat_n(b'x', 16 * 1024 * 1024));
    let exchange = CountingServer::raw(answer).await;
    let r = get(&app.authorize_url(&base, "EWS", &[])).await;
    let (state, _) = form_page(&base, r).await;
    let url = format!("{}/EWS/Exchange.asmx", exchange.base);
    let r = browser()
        .post(format!("{base}/v1/auth/password"))
        .form(&[
            ("state", state.as_str()),
            ("login", "dave@corp.test"),
            ("password", "ews-pass"),
            ("server_url", url.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("did not answer as this kind of server should"),
        "{page}"
    );
    assert_eq!(exchange.hits(), 1);
    f.finish().await;
}
on_both_backends!(a_huge_answer_is_not_buffered);
