//! Invites, ownership rules, cross-tenant ids and the audit log, over HTTP.
use crate::common::team::{invite, join, sign_up};
use crate::common::{Backend, Fixture};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};

fn code(r: &crate::common::Answer) -> String {
    // Server-function errors travel as `ServerError|<code>: <message>`.
    let text = r.body.trim_matches('"');
    let text = text.strip_prefix("ServerError|").unwrap_or(text);
    text.split(':').next().unwrap_or_default().to_owned()
}

async fn another_teams_ids_answer_404(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut a = sign_up(&base, "Alpha").await;
    let mut b = sign_up(&base, "Beta").await;
    let (ta, tb) = (a.own_team.clone(), b.own_team.clone());
    let mut b_member = sign_up(&base, "Beta Dev").await;
    join(&mut b.browser, &tb, &mut b_member, "Developer").await;
    let b_app = b
        .browser
        .call(
            "team/apps/create",
            &[("team_id", &tb), ("name", "Beta app")],
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b_invite = b
        .browser
        .call(
            "team/invites/create",
            &[
                ("team_id", &tb),
                ("email", "x@example.com"),
                ("role", "Developer"),
            ],
        )
        .await
        .json()["invite"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b_key = b
        .browser
        .call(
            "team/api_keys/create",
            &[("team_id", &tb), ("name", "k"), ("role", "Developer")],
        )
        .await
        .json()["key"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut a_dev = sign_up(&base, "Alpha Dev").await;
    join(&mut a.browser, &ta, &mut a_dev, "Developer").await;
    let a_app = a
        .browser
        .call(
            "team/apps/create",
            &[("team_id", &ta), ("name", "Alpha app")],
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Alpha's Owner names Beta's resources inside Alpha's team: each is unknown there.
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "team/members/role",
            vec![
                ("team_id", &ta),
                ("user_id", &b_member.user_id),
                ("role", "Collaborator"),
            ],
        ),
        (
            "team/members/remove",
            vec![("team_id", &ta), ("user_id", &b_member.user_id)],
        ),
        (
            "team/transfer",
            vec![("team_id", &ta), ("user_id", &b_member.user_id)],
        ),
        (
            "team/invites/revoke",
            vec![("team_id", &ta), ("invite_id", &b_invite)],
        ),
        (
            "team/api_keys/revoke",
            vec![("team_id", &ta), ("key_id", &b_key)],
        ),
        (
            "team/apps/grant",
            vec![
                ("team_id", &ta),
                ("app_id", &b_app),
                ("user_id", &a_dev.user_id),
                ("granted", "true"),
            ],
        ),
        (
            "team/apps/grant",
            vec![
                ("team_id", &ta),
                ("app_id", &a_app),
                ("user_id", &b_member.user_id),
                ("granted", "true"),
            ],
        ),
        // And Beta's team id itself, and ids that are not ids at all.
        ("teams/rename", vec![("team_id", &tb), ("name", "Mine now")]),
        ("teams/switch", vec![("team_id", &tb)]),
        (
            "team/members/remove",
            vec![("team_id", &ta), ("user_id", "not-a-uuid")],
        ),
        (
            "team/invites/revoke",
            vec![("team_id", "../../etc"), ("invite_id", &b_invite)],
        ),
    ];
    for (endpoint, fields) in &cases {
        let r = a.browser.call(endpoint, fields).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{endpoint} {fields:?}: {}",
            r.body
        );
    }
    for endpoint in [
        "team/members",
        "team/invites",
        "team/api_keys",
        "team/audit",
        "team/apps",
    ] {
        let r = a.browser.query(endpoint, &[("team_id", &tb)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{endpoint}");
    }
    // Nothing of Beta's changed.
    let members = b
        .browser
        .query("team/members", &[("team_id", &tb)])
        .await
        .json();
    assert_eq!(members.as_array().unwrap().len(), 2);
    assert_eq!(
        b.browser
            .query("team/invites", &[("team_id", &tb)])
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        b.browser
            .query("team/api_keys", &[("team_id", &tb)])
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    f.finish().await;
}
on_both_backends!(another_teams_ids_answer_404);

async fn invite_links_are_single_use_and_checked(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let mut dev = sign_up(&base, "Dev").await;
    let mut other = sign_up(&base, "Other").await;

    let made = invite(&mut owner.browser, &t, &dev.email, "Developer").await;
    assert!(
        made.link.starts_with(&format!("{base}/invite/lg_invite_")),
        "{}",
        made.link
    );
    let token = made.token;

    // Someone else signed in cannot use it; a forged token is unknown.
    let r = other
        .browser
        .call("invites/accept", &[("token", &token)])
        .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::FORBIDDEN, "invite.other_email"),
        "{}",
        r.body
    );
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(
        dev.browser
            .call("invites/accept", &[("token", &forged)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        dev.browser
            .call("invites/accept", &[("token", "garbage")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The invitee sees what they are joining, joins once, and the link is spent.
    let preview = dev
        .browser
        .query("invites/preview", &[("token", &token)])
        .await
        .json();
    assert_eq!(preview["role"], "Developer");
    assert_eq!(preview["team_name"], "Owner");
    assert_eq!(
        dev.browser
            .call("invites/accept", &[("token", &token)])
            .await
            .status,
        StatusCode::OK
    );
    let again = dev
        .browser
        .call("invites/accept", &[("token", &token)])
        .await;
    assert_eq!(
        (again.status, code(&again).as_str()),
        (StatusCode::GONE, "invite.used")
    );
    assert_eq!(
        owner
            .browser
            .query("team/members", &[("team_id", &t)])
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Inviting an existing member is refused and leaves no invite behind.
    let r = owner
        .browser
        .call(
            "team/invites/create",
            &[
                ("team_id", &t),
                ("email", &dev.email),
                ("role", "Collaborator"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::CONFLICT, "team.already_member")
    );
    assert!(owner
        .browser
        .query("team/invites", &[("team_id", &t)])
        .await
        .json()
        .as_array()
        .unwrap()
        .is_empty());

    // A revoked link and an expired link say so.
    let revoked = invite(&mut owner.browser, &t, &other.email, "Collaborator").await;
    let (revoked_token, id) = (revoked.token, revoked.id);
    assert_eq!(
        owner
            .browser
            .call(
                "team/invites/revoke",
                &[("team_id", &t), ("invite_id", &id)]
            )
            .await
            .status,
        StatusCode::OK
    );
    let r = other
        .browser
        .call("invites/accept", &[("token", &revoked_token)])
        .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::GONE, "invite.revoked")
    );

    let fresh_token = invite(&mut owner.browser, &t, &other.email, "Collaborator")
        .await
        .token;
    let db = Database::connect(f.db.url.clone()).await.unwrap();
    db.execute_unprepared(
        "UPDATE invites SET expires_at = 1 WHERE accepted_at IS NULL AND revoked_at IS NULL",
    )
    .await
    .unwrap();
    db.close().await.ok();
    let r = other
        .browser
        .call("invites/accept", &[("token", &fresh_token)])
        .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::GONE, "invite.expired")
    );
    assert_eq!(
        owner
            .browser
            .query("team/members", &[("team_id", &t)])
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2,
        "nobody joined"
    );
    f.finish().await;
}
on_both_backends!(invite_links_are_single_use_and_checked);

async fn a_team_always_has_exactly_one_owner(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let mut admin = sign_up(&base, "Admin").await;
    join(&mut owner.browser, &t, &mut admin, "Administrator").await;
    let me = owner.user_id.clone();

    for (endpoint, fields, want) in [
        (
            "team/members/role",
            vec![
                ("team_id", t.as_str()),
                ("user_id", me.as_str()),
                ("role", "Administrator"),
            ],
            "team.owner_only_by_transfer",
        ),
        (
            "team/members/role",
            vec![
                ("team_id", t.as_str()),
                ("user_id", admin.user_id.as_str()),
                ("role", "Owner"),
            ],
            "team.owner_only_by_transfer",
        ),
        (
            "team/members/remove",
            vec![("team_id", t.as_str()), ("user_id", me.as_str())],
            "team.owner_must_transfer",
        ),
        (
            "team/leave",
            vec![("team_id", t.as_str())],
            "team.owner_must_transfer",
        ),
    ] {
        let r = owner.browser.call(endpoint, &fields).await;
        assert_eq!(
            (r.status, code(&r).as_str()),
            (StatusCode::CONFLICT, want),
            "{endpoint}: {}",
            r.body
        );
        // The Administrator cannot demote or remove the Owner either (leaving is their own act).
        if endpoint != "team/leave" {
            let r = admin.browser.call(endpoint, &fields).await;
            assert_eq!(
                (r.status, code(&r).as_str()),
                (StatusCode::CONFLICT, want),
                "{endpoint} by admin: {}",
                r.body
            );
        }
    }
    let roles = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|m| m["role"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        roles(
            owner
                .browser
                .query("team/members", &[("team_id", &t)])
                .await
                .json()
        ),
        vec!["Owner", "Administrator"]
    );

    // Transfer: the old Owner becomes Administrator, and can then leave.
    let r = owner
        .browser
        .call(
            "team/transfer",
            &[("team_id", &t), ("user_id", &admin.user_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = admin
        .browser
        .query("team/members", &[("team_id", &t)])
        .await
        .json();
    assert_eq!(roles(after.clone()), vec!["Owner", "Administrator"]);
    assert_eq!(after[0]["email"], admin.email.as_str(), "the new Owner");
    assert_eq!(
        after[1]["email"],
        owner.email.as_str(),
        "the old Owner, now Administrator"
    );
    assert_eq!(
        owner
            .browser
            .call("team/leave", &[("team_id", &t)])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        owner
            .browser
            .query("team/members", &[("team_id", &t)])
            .await
            .status,
        StatusCode::NOT_FOUND,
        "gone on the next request"
    );
    f.finish().await;
}
on_both_backends!(a_team_always_has_exactly_one_owner);

async fn the_audit_log_records_changes_and_pages(backend: Backend) {
    let f = Fixture::start(backend).await;
    let base = f.server.base.clone();
    let mut owner = sign_up(&base, "Owner").await;
    let t = owner.own_team.clone();
    let mut dev = sign_up(&base, "Dev").await;
    join(&mut owner.browser, &t, &mut dev, "Collaborator").await;
    let r = owner
        .browser
        .call(
            "team/members/role",
            &[
                ("team_id", &t),
                ("user_id", &dev.user_id),
                ("role", "Developer"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let key = owner
        .browser
        .call(
            "team/api_keys/create",
            &[
                ("team_id", &t),
                ("name", "deploy bot"),
                ("role", "Developer"),
            ],
        )
        .await
        .json();
    let secret = key["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("lg_key_") && secret.len() >= 7 + 43,
        "256-bit key with a prefix"
    );

    let page = owner
        .browser
        .query("team/audit", &[("team_id", &t)])
        .await
        .json();
    let events = page["events"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "api_key.created",
            "member.role_changed",
            "member.joined",
            "invite.created",
            // The Owner confirmed their address from the mail sent at sign-up.
            "user.email_verified",
            "team.created"
        ]
    );
    let role_change = &events[1];
    assert_eq!(role_change["actor"], owner.email.as_str());
    assert_eq!(role_change["target"], dev.email.as_str());
    assert!(role_change["before"]
        .as_str()
        .unwrap()
        .contains("Collaborator"));
    assert!(role_change["after"].as_str().unwrap().contains("Developer"));
    assert!(
        !page.to_string().contains(&secret),
        "secrets never reach the audit log"
    );

    // Filter by family and by actor.
    let members_only = owner
        .browser
        .query("team/audit", &[("team_id", &t), ("action", "member.")])
        .await
        .json();
    assert_eq!(members_only["events"].as_array().unwrap().len(), 2);
    let by_dev = owner
        .browser
        .query("team/audit", &[("team_id", &t), ("actor", &dev.email)])
        .await
        .json();
    assert_eq!(
        by_dev["events"].as_array().unwrap().len(),
        1,
        "the join is the Developer's own act"
    );

    // Pages of 50, newest first, with a cursor to the next page.
    for i in 0..55 {
        let email = format!("bulk{i}@example.com");
        owner
            .browser
            .call(
                "team/invites/create",
                &[("team_id", &t), ("email", &email), ("role", "Collaborator")],
            )
            .await;
    }
    let first = owner
        .browser
        .query("team/audit", &[("team_id", &t)])
        .await
        .json();
    assert_eq!(first["events"].as_array().unwrap().len(), 50);
    let cursor = first["next_before"]
        .as_i64()
        .expect("a next page")
        .to_string();
    let second = owner
        .browser
        .query("team/audit", &[("team_id", &t), ("before", &cursor)])
        .await
        .json();
    // 55 invites and the 6 events above (the Owner's confirmed address among them).
    assert_eq!(second["events"].as_array().unwrap().len(), 61 - 50);
    assert!(second["next_before"].is_null());
    f.finish().await;
}
on_both_backends!(the_audit_log_records_changes_and_pages);
