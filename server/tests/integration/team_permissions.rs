//! The whole rights matrix over HTTP: each role of a team, a member of another team and an
//! anonymous caller, against each team action. Allowed answers 200; a member without the
//! right gets 403; an outsider gets 404 (ids do not leak); no session gets 401.
use crate::common::team::{join, sign_up, Member};
use crate::common::{Backend, Browser, Fixture};
use reqwest::StatusCode;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Owner,
    Administrator,
    Developer,
    Collaborator,
    Outsider,
    Anonymous,
}

/// Which callers may do an action (the table of wire-api.md).
const ADMINS: &[Who] = &[Who::Owner, Who::Administrator];
const MEMBERS: &[Who] = &[
    Who::Owner,
    Who::Administrator,
    Who::Developer,
    Who::Collaborator,
];
const OWNER: &[Who] = &[Who::Owner];

fn expected(who: Who, allowed: &[Who]) -> StatusCode {
    match who {
        Who::Anonymous => StatusCode::UNAUTHORIZED,
        Who::Outsider => StatusCode::NOT_FOUND,
        w if allowed.contains(&w) => StatusCode::OK,
        _ => StatusCode::FORBIDDEN,
    }
}

struct World {
    team: String,
    app: String,
    owner: Member,
    admin: Member,
    developer: Member,
    collaborator: Member,
    outsider: Member,
    anonymous: Browser,
}

impl World {
    fn browser(&mut self, who: Who) -> &mut Browser {
        match who {
            Who::Owner => &mut self.owner.browser,
            Who::Administrator => &mut self.admin.browser,
            Who::Developer => &mut self.developer.browser,
            Who::Collaborator => &mut self.collaborator.browser,
            Who::Outsider => &mut self.outsider.browser,
            Who::Anonymous => &mut self.anonymous,
        }
    }
}

async fn world(base: &str) -> World {
    let mut owner = sign_up(base, "Owner").await;
    let team = owner.own_team.clone();
    let mut admin = sign_up(base, "Admin").await;
    let mut developer = sign_up(base, "Developer").await;
    let mut collaborator = sign_up(base, "Collaborator").await;
    join(&mut owner.browser, &team, &mut admin, "Administrator").await;
    join(&mut owner.browser, &team, &mut developer, "Developer").await;
    join(&mut owner.browser, &team, &mut collaborator, "Collaborator").await;
    let app = owner
        .browser
        .call(
            "team/apps/create",
            &[("team_id", &team), ("name", "Shared app")],
        )
        .await
        .json()["id"]
        .as_str()
        .expect("app id")
        .to_owned();
    for m in [&developer.user_id, &collaborator.user_id] {
        let r = owner
            .browser
            .call(
                "team/apps/grant",
                &[
                    ("team_id", &team),
                    ("app_id", &app),
                    ("user_id", m),
                    ("granted", "true"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let outsider = sign_up(base, "Outsider").await;
    World {
        team,
        app,
        owner,
        admin,
        developer,
        collaborator,
        outsider,
        anonymous: Browser::new(base),
    }
}

async fn whole_matrix_over_http(backend: Backend) {
    let f = Fixture::start(backend).await;
    let mut w = world(&f.server.base).await;
    let everyone = [
        Who::Owner,
        Who::Administrator,
        Who::Developer,
        Who::Collaborator,
        Who::Outsider,
        Who::Anonymous,
    ];
    let mut cells = 0;
    let team = w.team.clone();
    let app = w.app.clone();
    let collaborator = w.collaborator.user_id.clone();

    for who in everyone {
        let mut check = |action: &str, got: &crate::common::Answer, allowed: &[Who]| {
            assert_eq!(
                got.status,
                expected(who, allowed),
                "{who:?} {action}: {}",
                got.body
            );
            cells += 1;
        };
        let t = team.as_str();
        let unique = uuid::Uuid::new_v4().simple().to_string();

        let r = w
            .browser(who)
            .query("team/members", &[("team_id", t)])
            .await;
        check("list members", &r, MEMBERS);
        let r = w.browser(who).query("team/apps", &[("team_id", t)]).await;
        check("list apps", &r, MEMBERS);
        let r = w
            .browser(who)
            .call("teams/rename", &[("team_id", t), ("name", "Owner")])
            .await;
        check("rename team", &r, ADMINS);
        let r = w
            .browser(who)
            .query("team/invites", &[("team_id", t)])
            .await;
        check("list invites", &r, ADMINS);
        let email = format!("invitee-{unique}@example.com");
        let r = w
            .browser(who)
            .call(
                "team/invites/create",
                &[("team_id", t), ("email", &email), ("role", "Collaborator")],
            )
            .await;
        check("create invite", &r, ADMINS);

        // A fresh invite per cell, made by the Owner, for the caller to try to revoke.
        let pending = w
            .owner
            .browser
            .call(
                "team/invites/create",
                &[
                    ("team_id", t),
                    ("email", &format!("r-{unique}@example.com")),
                    ("role", "Developer"),
                ],
            )
            .await;
        let invite_id = pending.json()["invite"]["id"]
            .as_str()
            .expect("invite")
            .to_owned();
        let r = w
            .browser(who)
            .call(
                "team/invites/revoke",
                &[("team_id", t), ("invite_id", &invite_id)],
            )
            .await;
        check("revoke invite", &r, ADMINS);

        let r = w
            .browser(who)
            .call(
                "team/members/role",
                &[
                    ("team_id", t),
                    ("user_id", &collaborator),
                    ("role", "Collaborator"),
                ],
            )
            .await;
        check("change role", &r, ADMINS);
        let r = w
            .browser(who)
            .call(
                "team/apps/grant",
                &[
                    ("team_id", t),
                    ("app_id", &app),
                    ("user_id", &collaborator),
                    ("granted", "true"),
                ],
            )
            .await;
        check("grant app", &r, ADMINS);
        let r = w
            .browser(who)
            .call(
                "team/apps/create",
                &[("team_id", t), ("name", &format!("App {unique}"))],
            )
            .await;
        check("create app", &r, ADMINS);
        let r = w
            .browser(who)
            .query("team/api_keys", &[("team_id", t)])
            .await;
        check("list API keys", &r, ADMINS);
        let r = w
            .browser(who)
            .call(
                "team/api_keys/create",
                &[("team_id", t), ("name", "ci"), ("role", "Developer")],
            )
            .await;
        check("create API key", &r, ADMINS);
        let key = w
            .owner
            .browser
            .call(
                "team/api_keys/create",
                &[("team_id", t), ("name", "doomed"), ("role", "Collaborator")],
            )
            .await;
        let key_id = key.json()["key"]["id"].as_str().expect("key").to_owned();
        let r = w
            .browser(who)
            .call(
                "team/api_keys/revoke",
                &[("team_id", t), ("key_id", &key_id)],
            )
            .await;
        check("revoke API key", &r, ADMINS);
        let r = w.browser(who).query("team/audit", &[("team_id", t)]).await;
        check("read audit log", &r, ADMINS);

        // A disposable member per cell, for the caller to try to remove.
        let mut victim = sign_up(&f.server.base, "Victim").await;
        join(&mut w.owner.browser, t, &mut victim, "Collaborator").await;
        let r = w
            .browser(who)
            .call(
                "team/members/remove",
                &[("team_id", t), ("user_id", &victim.user_id)],
            )
            .await;
        check("remove member", &r, ADMINS);

        // Transfer to the Administrator; when it worked, hand the team back.
        let admin_id = w.admin.user_id.clone();
        let r = w
            .browser(who)
            .call("team/transfer", &[("team_id", t), ("user_id", &admin_id)])
            .await;
        check("transfer ownership", &r, OWNER);
        if r.status == StatusCode::OK {
            let owner_id = w.owner.user_id.clone();
            let back = w
                .admin
                .browser
                .call("team/transfer", &[("team_id", t), ("user_id", &owner_id)])
                .await;
            assert_eq!(back.status, StatusCode::OK, "{}", back.body);
        }
    }
    println!("team rights matrix: {cells} cells checked over HTTP ({backend:?})");
    assert_eq!(cells, everyone.len() * 15, "every action for every caller");
    f.finish().await;
}
on_both_backends!(whole_matrix_over_http);

async fn developers_and_collaborators_see_only_granted_apps(backend: Backend) {
    let f = Fixture::start(backend).await;
    let mut w = world(&f.server.base).await;
    let t = w.team.clone();
    let hidden = w
        .owner
        .browser
        .call(
            "team/apps/create",
            &[("team_id", &t), ("name", "Hidden app")],
        )
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let names = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|a| a["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        names(
            w.developer
                .browser
                .query("team/apps", &[("team_id", &t)])
                .await
                .json()
        ),
        vec!["Shared app"]
    );
    assert_eq!(
        names(
            w.collaborator
                .browser
                .query("team/apps", &[("team_id", &t)])
                .await
                .json()
        ),
        vec!["Shared app"]
    );
    assert_eq!(
        names(
            w.admin
                .browser
                .query("team/apps", &[("team_id", &t)])
                .await
                .json()
        ),
        vec!["Hidden app", "Shared app"]
    );
    // Granting to an Administrator is refused: they already see everything.
    let admin_id = w.admin.user_id.clone();
    let r = w
        .owner
        .browser
        .call(
            "team/apps/grant",
            &[
                ("team_id", &t),
                ("app_id", &hidden),
                ("user_id", &admin_id),
                ("granted", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // A grant of an app the Developer cannot see is not shown to the Developer either.
    let collaborator = w.collaborator.user_id.clone();
    let r = w
        .owner
        .browser
        .call(
            "team/apps/grant",
            &[
                ("team_id", &t),
                ("app_id", &hidden),
                ("user_id", &collaborator),
                ("granted", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let seen_by_dev = w
        .developer
        .browser
        .query("team/members", &[("team_id", &t)])
        .await;
    assert!(
        !seen_by_dev.body.contains(&hidden),
        "hidden app id leaked: {}",
        seen_by_dev.body
    );
    let seen_by_admin = w
        .admin
        .browser
        .query("team/members", &[("team_id", &t)])
        .await;
    assert!(seen_by_admin.body.contains(&hidden));
    // Arguments that do not decode are the caller's mistake (400), never a 500.
    let r = w
        .owner
        .browser
        .call(
            "team/apps/grant",
            &[
                ("team_id", &t),
                ("app_id", &hidden),
                ("user_id", &collaborator),
                ("granted", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        w.owner
            .browser
            .call("team/members/role", &[("team_id", &t)])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        w.owner
            .browser
            .query("team/audit", &[("team_id", &t), ("before", "abc")])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // Denying takes the app away at once.
    let dev = w.developer.user_id.clone();
    let app = w.app.clone();
    let r = w
        .owner
        .browser
        .call(
            "team/apps/grant",
            &[
                ("team_id", &t),
                ("app_id", &app),
                ("user_id", &dev),
                ("granted", "false"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(names(
        w.developer
            .browser
            .query("team/apps", &[("team_id", &t)])
            .await
            .json()
    )
    .is_empty());
    f.finish().await;
}
on_both_backends!(developers_and_collaborators_see_only_granted_apps);
