//! Issue 20: connect links. The app asks for a link with its credentials; the end user's
//! browser opens the hosted picker, picks a service, and the existing flow runs to the
//! return URL. Single use, bound to the first browser, with clear pages when not valid.
use crate::common::flow::{
    browser, consent_at_sandbox, location, on, param, post_form, FlowApp, ALLOW, RETURN_URL,
};
use crate::common::{plain_client, Backend, Fixture};
use crate::password_accounts::enable;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A person opening the link in the test's browser (the header a browser sends for a
/// navigation its user started; link scanners send none).
async fn open_as_person(link: &str) -> reqwest::Response {
    browser()
        .get(link)
        .header("sec-fetch-user", "?1")
        .send()
        .await
        .unwrap()
}

async fn create(base: &str, app: &FlowApp, body: Value) -> (StatusCode, Value) {
    let r = plain_client()
        .post(format!("{base}/v1/connect/sessions"))
        .header("authorization", app.basic())
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// The link's path on this server (the link names the public URL, which is this one).
fn link_of(created: &Value) -> String {
    created["url"].as_str().unwrap().to_owned()
}

async fn a_link_runs_the_picked_flow_once(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let mut app = FlowApp::create(&base, "Acme CRM").await;
    enable(&mut app, "IMAP", "true", "").await;

    // Only the app's credentials make links.
    let r = plain_client()
        .post(format!("{base}/v1/connect/sessions"))
        .json(&json!({ "returnUrl": RETURN_URL }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A return URL the app did not register, a service it does not offer, a life too long:
    // each a 4xx naming the parameter.
    for (body, code) in [
        (
            json!({ "returnUrl": "https://evil.example/cb" }),
            "returnUrl.invalid",
        ),
        (
            json!({ "returnUrl": RETURN_URL, "services": ["Google"] }),
            "services.invalid",
        ),
        (
            json!({ "returnUrl": RETURN_URL, "expiresIn": 8 * 24 * 3600 }),
            "expiresIn.invalid",
        ),
        (
            json!({ "returnUrl": RETURN_URL, "userId": "nobody" }),
            "userId.invalid",
        ),
        (
            json!({ "returnUrl": RETURN_URL, "userId": "nobody", "expiresIn": 600 }),
            "expiresIn.invalid",
        ),
    ] {
        let (status, err) = create(&base, &app, body.clone()).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{body}"
        );
    }

    // By default a link offers everything the app has: IMAP, and the Sandbox (development).
    let (status, created) = create(
        &base,
        &app,
        json!({ "returnUrl": RETURN_URL, "state": "s-1", "clientOrgId": "org-7" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["services"], json!(["IMAP", "Sandbox"]));
    assert!(created["expiresAt"].as_str().is_some());
    let link = link_of(&created);
    assert!(
        link.starts_with(&format!("{base}/v1/auth/connect/lgc_")),
        "{link}"
    );

    // A mail scanner fetches it first: it sees the page but binds nothing.
    let scanner = plain_client().get(&link).send().await.unwrap();
    assert_eq!(scanner.status(), StatusCode::OK);
    let r = open_as_person(&link).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains("Connect your account to Acme CRM"), "{html}");
    assert!(html.contains("value=\"IMAP\"") && html.contains("value=\"Sandbox\""));
    assert!(!html.contains("<img"), "no logo was uploaded");

    // Another browser (no flow cookie of this one) cannot use or even see it.
    let r = plain_client().get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("opened in another browser"));
    let r = plain_client()
        .post(&link)
        .form(&[("service", "Sandbox")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A service the link does not offer.
    let r = post_form(&link, &[("service", "Google")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Picking the Sandbox runs the account flow to the return URL, with the link's state.
    let r = post_form(&link, &[("service", "Sandbox")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let callback = consent_at_sandbox(&base, &location(&r), &ALLOW).await;
    let r = browser().get(on(&base, &callback)).send().await.unwrap();
    let back = location(&r);
    assert!(back.as_str().starts_with(RETURN_URL), "{back}");
    assert_eq!(param(&back, "status").as_deref(), Some("success"));
    assert_eq!(param(&back, "state").as_deref(), Some("s-1"));
    let r = app.exchange(&base, &param(&back, "code").unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let exchanged: Value = r.json().await.unwrap();
    let r =
        crate::common::flow::account(&base, exchanged["accessToken"].as_str().unwrap(), "").await;
    let account: Value = r.json().await.unwrap();
    assert_eq!(account["clientOrgId"], "org-7");

    // Used: the same browser gets a clear page, and no second flow.
    let r = browser().get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    assert!(r.text().await.unwrap().contains("already been used"));
    let r = post_form(&link, &[("service", "Sandbox")]).await;
    assert_eq!(r.status(), StatusCode::GONE);

    // A password service from the picker: the hosted form, then the return URL.
    let (_, created) = create(
        &base,
        &app,
        json!({ "returnUrl": RETURN_URL, "services": ["IMAP"] }),
    )
    .await;
    let link = link_of(&created);
    assert_eq!(open_as_person(&link).await.status(), StatusCode::OK);
    let r = post_form(&link, &[("service", "IMAP")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let form = location(&r);
    assert_eq!(form.path(), "/v1/auth/password");
    let page = browser().get(on(&base, &form)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    // Unknown and expired links.
    let r = browser()
        .get(format!("{base}/v1/auth/connect/lgc_nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("not valid"));
    let (_, created) = create(
        &base,
        &app,
        json!({ "returnUrl": RETURN_URL, "expiresIn": 60 }),
    )
    .await;
    let link = link_of(&created);
    let db = sea_orm::Database::connect(fx.db.url.clone()).await.unwrap();
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(
        "UPDATE connect_sessions SET expires_at = 1 WHERE used_at IS NULL AND opened_by IS NULL",
    )
    .await
    .unwrap();
    let r = browser().get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    assert!(r.text().await.unwrap().contains("expired"));
    db.close().await.unwrap();
    fx.finish().await;
}
on_both_backends!(a_link_runs_the_picked_flow_once);

async fn parallel_picks_start_one_flow(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let app = FlowApp::create(&base, "Racer").await;
    let (_, created) = create(&base, &app, json!({ "returnUrl": RETURN_URL })).await;
    let link = link_of(&created);
    assert_eq!(open_as_person(&link).await.status(), StatusCode::OK);
    let picks = (0..6).map(|_| {
        let link = link.clone();
        async move { post_form(&link, &[("service", "Sandbox")]).await.status() }
    });
    let statuses = futures_util::future::join_all(picks).await;
    let started = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let used = statuses.iter().filter(|s| **s == StatusCode::GONE).count();
    assert_eq!((started, used), (1, 5), "{statuses:?}");
    fx.finish().await;
}
on_both_backends!(parallel_picks_start_one_flow);

async fn a_flow_that_cannot_start_leaves_the_link_unspent_and_pages_are_throttled(
    backend: Backend,
) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let mut app = FlowApp::create(&base, "Forgetful").await;
    enable(&mut app, "IMAP", "true", "").await;
    let (_, created) = create(
        &base,
        &app,
        json!({ "returnUrl": RETURN_URL, "services": ["IMAP"] }),
    )
    .await;
    let link = link_of(&created);
    assert_eq!(open_as_person(&link).await.status(), StatusCode::OK);
    // The app stops offering IMAP after making the link: the pick is refused in plain words,
    // and the link is not used up by it.
    let (team, id) = (app.owner.own_team.clone(), app.id.clone());
    let r = app
        .owner
        .browser
        .call(
            "apps/registrations/remove",
            &[
                ("team_id", &team),
                ("app_id", &id),
                ("service_type", "IMAP"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = post_form(&link, &[("service", "IMAP")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = open_as_person(&link).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the link is still there to pick again"
    );

    // The pages are reachable without a credential: 120 loads per 10 minutes per address.
    // The logo counts apart, so a view of a picker costs one page (people behind one NAT).
    let load = |path: &str| {
        let url = format!("{base}/v1/auth/connect/{path}");
        async move { plain_client().get(url).send().await.unwrap().status() }
    };
    for _ in 0..60 {
        assert_eq!(load("lgc_unknown/logo").await, StatusCode::NOT_FOUND);
    }
    let mut loaded = 0;
    let mut last = StatusCode::OK;
    for _ in 0..125 {
        last = load("lgc_unknown").await;
        if last == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        loaded += 1;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert!(loaded > 100, "the logos took no pages' share: {loaded}");
    fx.finish().await;
}
on_both_backends!(a_flow_that_cannot_start_leaves_the_link_unspent_and_pages_are_throttled);

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// Uploads `bytes` as the application's logo with the page's form; where the form sends
/// the browser back (the application page, with what happened as `?logo=`).
async fn upload_logo(app: &mut FlowApp, name: &str, bytes: &[u8]) -> String {
    let upload = format!("/applications/{}/logo", app.id);
    let team = app.owner.own_team.clone();
    let r = app
        .owner
        .browser
        .post_multipart(&upload, &[("team_id", &team)], ("logo", name, bytes))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    r.location().unwrap_or_default().to_owned()
}

async fn a_logo_uploaded_on_the_application_page_brands_its_links(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let mut app = FlowApp::create(&base, "Branded").await;
    let team = app.owner.own_team.clone();
    let upload = format!("/applications/{}/logo", app.id);
    let said = |a: &crate::common::Answer| a.location().unwrap_or_default().to_owned();

    // Refused, each in its own words: not an image (an SVG could carry a script), too large.
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
    let back = upload_logo(&mut app, "logo.svg", svg).await;
    assert!(back.ends_with("?logo=not_image#logo"), "{back}");
    // Past the domain's 256 KB (within the form's limit), and past the form's own limit.
    let mut over = PNG.to_vec();
    over.resize(270 * 1024, 0);
    let back = upload_logo(&mut app, "big.png", &over).await;
    assert!(back.ends_with("?logo=too_large#logo"), "{back}");
    let mut huge = PNG.to_vec();
    huge.resize(300 * 1024, 0);
    let back = upload_logo(&mut app, "big.png", &huge).await;
    assert!(back.ends_with("?logo=too_large#logo"), "{back}");
    let page = app
        .owner
        .browser
        .get(&format!("/applications/{}?logo=too_large", app.id))
        .await;
    assert!(page.body.contains("The logo must be at most 256 KB."));

    let back = upload_logo(&mut app, "logo.png", PNG).await;
    assert!(back.ends_with("?logo=saved#logo"), "{back}");
    let page = app
        .owner
        .browser
        .get(&format!("/applications/{}", app.id))
        .await;
    assert!(page.body.contains("app-logo-preview"));
    let preview = app.owner.browser.get(&upload).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert_eq!(preview.headers["content-type"], "image/png");

    // Without a session, the same answer whether the application exists or not.
    for path in [
        upload.clone(),
        format!("/applications/{}/logo", uuid::Uuid::new_v4()),
    ] {
        let r = plain_client()
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }

    // Someone of another team sees nothing of it, and cannot replace it.
    let mut stranger = crate::common::team::sign_up(&base, "Stranger").await;
    assert_eq!(
        stranger.browser.get(&upload).await.status,
        StatusCode::NOT_FOUND
    );
    let theirs = stranger.own_team.clone();
    let r = stranger
        .browser
        .post_multipart(&upload, &[("team_id", &theirs)], ("logo", "x.png", PNG))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The link's page shows it, typed from its bytes and sandboxed.
    let (_, created) = create(&base, &app, json!({ "returnUrl": RETURN_URL })).await;
    let link = link_of(&created);
    let html = open_as_person(&link).await.text().await.unwrap();
    let logo = format!("{link}/logo");
    assert!(
        html.contains(&format!("src=\"{}\"", logo.trim_start_matches(&base))),
        "{html}"
    );
    let r = plain_client().get(&logo).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);

    // Removed: the page shows the name alone.
    let r = app
        .owner
        .browser
        .post_form(&format!("{upload}/remove"), &[("team_id", &team)])
        .await;
    assert!(said(&r).ends_with("?logo=removed#logo"), "{}", said(&r));
    let html = open_as_person(&link).await.text().await.unwrap();
    assert!(!html.contains("<img"));
    fx.finish().await;
}
on_both_backends!(a_logo_uploaded_on_the_application_page_brands_its_links);

async fn a_link_naming_an_end_user_adds_the_account_to_them(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let app = FlowApp::create(&base, "Team inbox").await;
    let (_, session) = crate::user_session::signed_in(&base, &app, "ada@example.com").await;
    let me: Value = plain_client()
        .get(format!("{base}/v1/user"))
        .header("x-aurinko-session", &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_id = me["id"].as_str().expect("the end user's id").to_owned();

    let (status, created) = create(
        &base,
        &app,
        json!({ "returnUrl": RETURN_URL, "userId": user_id, "services": ["Sandbox"] }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let link = link_of(&created);
    let html = open_as_person(&link).await.text().await.unwrap();
    assert!(
        html.contains("is added to <strong>ada@example.com</strong>"),
        "the page says whose account it joins: {html}"
    );
    let r = post_form(&link, &[("service", "Sandbox")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let consent = crate::common::flow::Consent {
        email: "grace@example.com",
        ..ALLOW
    };
    let callback = consent_at_sandbox(&base, &location(&r), &consent).await;
    let back = location(&browser().get(on(&base, &callback)).send().await.unwrap());
    assert_eq!(param(&back, "status").as_deref(), Some("success"), "{back}");
    let r = app.exchange(&base, &param(&back, "code").unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let accounts: Value = plain_client()
        .get(format!("{base}/v1/user/accounts"))
        .header("x-aurinko-session", &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let emails: Vec<&str> = accounts
        .as_array()
        .or_else(|| accounts["records"].as_array())
        .expect("a list")
        .iter()
        .filter_map(|a| a["email"].as_str())
        .collect();
    assert!(emails.contains(&"grace@example.com"), "{accounts}");
    assert!(emails.contains(&"ada@example.com"), "{accounts}");
    fx.finish().await;
}
on_both_backends!(a_link_naming_an_end_user_adds_the_account_to_them);

async fn a_service_account_link_starts_the_administrators_consent(backend: Backend) {
    let fx = Fixture::start(backend).await;
    let base = fx.server.base.clone();
    let key = app::domain::crypto::MasterKey::from_base64(&fx.master_key_base64).unwrap();
    let app = crate::service_accounts::office365_app(&base, &key, "Tenant tool").await;
    // Only services with a service-account flow: the Sandbox has none.
    let (status, err) = create(
        &base,
        &app,
        json!({ "returnUrl": RETURN_URL, "serviceAccount": true, "services": ["Sandbox"] }),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("services.invalid"))
    );
    // Whoever opens it first grants a tenant: an hour at most, not days.
    let (status, err) = create(
        &base,
        &app,
        json!({ "returnUrl": RETURN_URL, "serviceAccount": true, "expiresIn": 7200 }),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("expiresIn.invalid"))
    );
    let (status, created) = create(
        &base,
        &app,
        json!({ "returnUrl": RETURN_URL, "serviceAccount": true }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["services"], json!(["Office365"]));
    let link = link_of(&created);
    let html = open_as_person(&link).await.text().await.unwrap();
    assert!(html.contains("sign in as its administrator"), "{html}");
    // The pick starts the service-account flow (a prepared token made for it): the
    // administrator is sent to consent for the tenant.
    let r = post_form(&link, &[("service", "Office365")]).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    assert_eq!(location(&r).path(), "/sandbox/adminconsent");
    fx.finish().await;
}
on_both_backends!(a_service_account_link_starts_the_administrators_consent);
