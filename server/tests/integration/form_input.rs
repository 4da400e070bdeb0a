//! Bad form input gets a clear error next to the field it concerns, never a 500.
use crate::common::{Answer, Backend, Fixture, PASSWORD};
use reqwest::StatusCode;

fn field_error(r: &Answer, field: &str) -> Option<String> {
    let marker = format!("id=\"{field}-error\"");
    let after = &r.body[r.body.find(&marker)?..];
    let text = &after[after.find('>')? + 1..];
    Some(text[..text.find('<')?].to_owned())
}

async fn empty_fields_are_each_named(backend: Backend) {
    let f = Fixture::start(backend).await;
    let r = f
        .browser()
        .post_form("/signup", &[("name", ""), ("email", ""), ("password", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_error(&r, "name").as_deref(), Some("Enter your name."));
    assert_eq!(
        field_error(&r, "email").as_deref(),
        Some("Enter your email address.")
    );
    assert_eq!(
        field_error(&r, "password").as_deref(),
        Some("Enter a password.")
    );
    // Fields missing from the post altogether are treated as empty.
    let r = f.browser().post_form("/signin", &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_error(&r, "email").as_deref(),
        Some("Enter your email address.")
    );
    assert_eq!(
        field_error(&r, "password").as_deref(),
        Some("Enter your password.")
    );
    f.finish().await;
}
on_both_backends!(empty_fields_are_each_named);

async fn oversized_and_malformed_values(backend: Backend) {
    let f = Fixture::start(backend).await;
    let huge = "x".repeat(1024 * 1024);
    let r = f
        .browser()
        .post_form(
            "/signup",
            &[
                ("name", &huge),
                ("email", "big@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_error(&r, "name").as_deref(),
        Some("Use at most 100 characters for your name.")
    );
    assert!(r.body.len() < 100_000, "the megabyte is not echoed back");
    assert!(
        r.body.contains("value=\"big@example.com\""),
        "good values are kept"
    );

    for bad in [
        "plainaddress",
        "a@b",
        "two@@example.com",
        "sp ace@example.com",
    ] {
        let r = f
            .browser()
            .post_form(
                "/signup",
                &[("name", "Ok"), ("email", bad), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(
            field_error(&r, "email").as_deref(),
            Some("Enter an email address like name@example.com."),
            "{bad}"
        );
    }
    let short = f
        .browser()
        .post_form(
            "/signup",
            &[
                ("name", "Ok"),
                ("email", "ok@example.com"),
                ("password", "123456789"),
            ],
        )
        .await;
    assert_eq!(
        field_error(&short, "password").as_deref(),
        Some("Use at least 10 characters for your password.")
    );

    // Larger than any form needs: refused by size, still not a 500.
    let enormous = "y".repeat(3 * 1024 * 1024);
    let r = f
        .browser()
        .post_form("/signup", &[("name", &enormous)])
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    f.finish().await;
}
on_both_backends!(oversized_and_malformed_values);

async fn unicode_edge_cases(backend: Backend) {
    let f = Fixture::start(backend).await;
    // Invisible direction overrides and control characters are refused in names.
    for bad in ["evil\u{202e}gnp", "nul\u{0}byte", "\u{200b}"] {
        let r = f
            .browser()
            .post_form(
                "/signup",
                &[
                    ("name", bad),
                    ("email", "u@example.com"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(field_error(&r, "name").is_some(), "{bad:?}");
    }
    // Real names in any script, emoji included, and a unicode password work end to end.
    let name = "Zoë 李小龍 👩‍💻";
    let password = "pässwörd—ünïcødé🔑";
    let mut b = f.browser();
    let r = b
        .post_form(
            "/signup",
            &[
                ("name", name),
                ("email", "zoe@bücher.example"),
                ("password", password),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(b.get("/settings").await.body.contains(name));
    assert_eq!(
        f.browser()
            .sign_in("zoe@bücher.example", password)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // A string of 100 two-byte characters is within the limit; 101 is not.
    let r = f
        .browser()
        .post_form(
            "/signup",
            &[
                ("name", &"é".repeat(101)),
                ("email", "e@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    f.finish().await;
}
on_both_backends!(unicode_edge_cases);
