//! Issue 17, items 2 and 6: README's "Configure Linkgate from code" script, run exactly as
//! written (twice: the second run changes nothing), with an Administrator key only the
//! Owner can make; and the application lifecycle of the management API.
use crate::common::team::{join, sign_up};
use crate::common::{Backend, Fixture};
use crate::management_api::call;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The first ```sh block after README's "Configure Linkgate from code" heading.
fn readme_script() -> String {
    let readme = include_str!("../../../README.md");
    let from = readme
        .find("### Configure Linkgate from code")
        .expect("README has the section");
    let rest = &readme[from..];
    let start = rest.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = start + rest[start..].find("```").expect("the block ends");
    rest[start..end].to_owned()
}

fn run(script: &str, base: &str, key: &str) -> (bool, String) {
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("LINKGATE_URL", base)
        .env("LINKGATE_KEY", key)
        .output()
        .expect("bash");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn key(
    who: &mut crate::common::team::Member,
    team: &str,
    role: &str,
) -> (StatusCode, String) {
    let r = who
        .browser
        .call(
            "team/api_keys/create",
            &[("team_id", team), ("name", role), ("role", role)],
        )
        .await;
    let secret = if r.status == StatusCode::OK {
        r.json()["secret"].as_str().unwrap_or_default().to_owned()
    } else {
        String::new()
    };
    (r.status, secret)
}

async fn the_readme_script_sets_an_app_up_once(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let (s, admin_key) = key(&mut owner, &t, "Administrator").await;
    assert_eq!(s, StatusCode::OK, "the Owner makes Administrator keys");
    let (_, dev_key) = key(&mut owner, &t, "Developer").await;
    let script = readme_script();

    // A Developer key cannot create applications: the script stops at once, saying why.
    let (ok, out) = run(&script, &base, &dev_key);
    assert!(!ok, "{out}");
    assert!(out.contains("permission"), "{out}");

    let (ok, first) = run(&script, &base, &admin_key);
    assert!(ok, "{first}");
    assert!(
        first.contains("client secret lg_secret_") && first.contains("shown once"),
        "{first}"
    );
    let (ok, second) = run(&script, &base, &admin_key);
    assert!(ok, "{second}");
    assert!(
        !second.contains("client secret"),
        "no secret the second time: {second}"
    );

    // One application, set up as the script says.
    let (_, apps) = call(&base, &admin_key, Method::GET, "/manage/v1/apps", None).await;
    let apps = apps.as_array().unwrap().clone();
    assert_eq!(apps.len(), 1, "{apps:?}");
    assert_eq!(apps[0]["name"], "Mail sync");
    let id = apps[0]["id"].as_str().unwrap();
    let app = format!("/manage/v1/apps/{id}");
    let (_, detail) = call(&base, &admin_key, Method::GET, &app, None).await;
    assert_eq!(detail["returnUrls"].as_array().unwrap().len(), 1);
    assert_eq!(
        detail["returnUrls"][0]["url"],
        "https://app.example.com/oauth/done"
    );
    let (_, regs) = call(
        &base,
        &admin_key,
        Method::GET,
        &format!("{app}/registrations"),
        None,
    )
    .await;
    assert_eq!(regs[0]["serviceType"], "Google");
    assert_eq!(regs[0]["scopes"], json!(["Mail.Read", "Mail.Send"]));
    let (_, hooks) = call(
        &base,
        &admin_key,
        Method::GET,
        &format!("{app}/webhooks"),
        None,
    )
    .await;
    assert_eq!(hooks.as_array().unwrap().len(), 1, "{hooks}");

    // The signing secret the script printed: the same both times, readable by a Developer
    // key, replaced only by an Administrator key.
    let printed = |out: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix("webhook signing secret "))
            .map(str::to_owned)
    };
    let secret = printed(&first).expect("the script prints the signing secret");
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(printed(&second).as_deref(), Some(secret.as_str()));
    let signing = format!("{app}/signing-secret");
    let (s, read) = call(&base, &dev_key, Method::GET, &signing, None).await;
    assert_eq!(
        (s, read["secret"].as_str()),
        (StatusCode::OK, Some(secret.as_str()))
    );
    let (s, _) = call(&base, &dev_key, Method::POST, &signing, None).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "regenerating is for Administrators"
    );
    let (s, fresh) = call(&base, &admin_key, Method::POST, &signing, None).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_ne!(fresh["secret"].as_str(), Some(secret.as_str()));
    let (_, read) = call(&base, &dev_key, Method::GET, &signing, None).await;
    assert_eq!(read["secret"], fresh["secret"]);

    // The rest of an application's life: rename, wildcards, trusted domains, delete.
    let (s, _) = call(
        &base,
        &dev_key,
        Method::PATCH,
        &app,
        Some(json!({ "name": "Renamed" })),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "renaming is for Administrators");
    let (s, _) = call(
        &base,
        &admin_key,
        Method::PATCH,
        &app,
        Some(json!({ "name": "Mail sync 2", "wildcardReturnUrls": true })),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, detail) = call(&base, &admin_key, Method::GET, &app, None).await;
    assert_eq!(
        (
            detail["name"].as_str(),
            detail["wildcardReturnUrls"].as_bool()
        ),
        (Some("Mail sync 2"), Some(true))
    );
    let (s, d) = call(
        &base,
        &dev_key,
        Method::POST,
        &format!("{app}/trusted-domains"),
        Some(json!({ "domain": "app.example.com" })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (_, list) = call(
        &base,
        &dev_key,
        Method::GET,
        &format!("{app}/trusted-domains"),
        None,
    )
    .await;
    assert_eq!(list[0]["domain"], "app.example.com");
    let (s, _) = call(
        &base,
        &dev_key,
        Method::DELETE,
        &format!("{app}/trusted-domains/{}", d["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, e) = call(
        &base,
        &admin_key,
        Method::DELETE,
        &format!("{app}?confirmName=wrong"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, _) = call(
        &base,
        &admin_key,
        Method::DELETE,
        &format!("{app}?confirmName=Mail%20sync%202"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&base, &admin_key, Method::GET, &app, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Only the Owner makes Administrator keys, and an Owner who hands ownership over loses
    // the ones they made.
    let mut admin = sign_up(&base, "Admin").await;
    join(&mut owner.browser, &t, &mut admin, "Administrator").await;
    let (s, _) = key(&mut admin, &t, "Administrator").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let r = owner
        .browser
        .call(
            "team/transfer",
            &[("team_id", &t), ("user_id", &admin.user_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (s, _) = call(&base, &admin_key, Method::GET, "/manage/v1/apps", None).await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the Administrator key went with the ownership"
    );
    let (s, _) = call(&base, &dev_key, Method::GET, "/manage/v1/apps", None).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "a Developer key stays with its Administrator maker"
    );
    f.finish().await;
}
on_both_backends!(the_readme_script_sets_an_app_up_once);
