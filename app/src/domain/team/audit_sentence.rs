//! An audit event as a person reads it: one sentence ("dana@example.com changed
//! sam@example.com's role from Developer to Collaborator") and the fields that changed.
use serde_json::Value;

use crate::team_views::AuditChange;

/// What the row says; an action this file does not know yet still reads as a sentence.
pub fn sentence(
    action: &str,
    actor: &str,
    target: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> String {
    let was = |k: &str| field(before, k);
    let now = |k: &str| field(after, k);
    match action {
        "team.created" => format!("{actor} created the team {}", now("name")),
        "team.renamed" => format!(
            "{actor} renamed the team from {} to {}",
            was("name"),
            now("name")
        ),
        "team.ownership_transferred" => format!("{actor} made {target} the owner"),
        "member.role_changed" => format!(
            "{actor} changed {target}'s role from {} to {}",
            was("role"),
            now("role")
        ),
        "member.removed" => format!("{actor} removed {target} ({}) from the team", was("role")),
        "member.left" => format!("{actor} left the team"),
        "member.joined" => format!("{actor} joined the team as {}", now("role")),
        "user.email_verified" => format!("{actor} confirmed their email address"),
        "user.password_reset_requested" => {
            format!("A link to reset {actor}'s password was mailed to them")
        }
        "user.password_set_by_operator" => format!(
            "{actor} set {target}'s password; every session of theirs was signed out"
        ),
        "user.password_changed" => format!(
            "{actor} changed their password; their other sessions were signed out"
        ),
        "user.signed_out_elsewhere" => format!(
            "{actor} signed out {} other session(s) of theirs",
            now("sessions_ended")
        ),
        "user.two_factor_enabled" => format!("{actor} turned on two-factor sign-in"),
        "user.two_factor_disabled" => format!("{actor} turned off two-factor sign-in"),
        "user.recovery_code_used" => format!(
            "{actor} signed in with a recovery code ({} left)",
            now("recovery_codes_left")
        ),
        "team.two_factor_requirement_changed" => match after.and_then(|a| a.get("require_two_factor")).and_then(|v| v.as_bool()) {
            Some(true) => format!("{actor} required two-factor sign-in for the team"),
            _ => format!("{actor} stopped requiring two-factor sign-in for the team"),
        },
        "user.email_changed" => format!(
            "{actor} changed their address from {} to {}",
            was("email"),
            now("email")
        ),
        "user.password_reset" => format!(
            "{actor} chose a new password with a mailed link; every session of theirs was signed out"
        ),
        "invite.created" => format!("{actor} invited {} as {}", now("email"), now("role")),
        "invite.revoked" => format!("{actor} revoked the invite for {}", was("email")),
        "api_key.created" => format!(
            "{actor} created the API key {target} with {} rights",
            now("role")
        ),
        "api_key.revoked" => format!("{actor} revoked the API key {target}"),
        "app.granted" => format!("{actor} gave {target} access to {}", now("app")),
        "app.denied" => format!("{actor} took {target}'s access to {} away", now("app")),
        "app.created" => format!("{actor} created the application {target}"),
        "app.renamed" => format!(
            "{actor} renamed the application {} to {}",
            was("name"),
            now("name")
        ),
        "app.deleted" => format!("{actor} deleted the application {target}"),
        "app.secret_created" => format!("{actor} created a new client secret for {target}"),
        "app.secret_revoked" => format!(
            "{actor} revoked the client secret {}… of {target}",
            was("secret")
        ),
        "app.signing_secret_regenerated" => {
            format!("{actor} regenerated the webhook signing secret of {target}")
        }
        "app.return_url_added" => {
            format!("{actor} added the return URL {} to {target}", now("url"))
        }
        "app.return_url_removed" => format!(
            "{actor} removed the return URL {} from {target}",
            was("url")
        ),
        "app.wildcards_changed" => format!(
            "{actor} turned wildcard return URLs {} for {target}",
            if after.and_then(|a| a.get("wildcard_return_urls")) == Some(&Value::Bool(true)) {
                "on"
            } else {
                "off"
            }
        ),
        "app.trusted_domain_added" => format!("{actor} trusted {} for {target}", now("domain")),
        "app.trusted_domain_removed" => {
            format!("{actor} stopped trusting {} for {target}", was("domain"))
        }
        "app.registration_saved" if before.is_some() => format!(
            "{actor} changed the {} registration of {target}",
            now("service_type")
        ),
        "app.registration_saved" => {
            format!("{actor} registered {} for {target}", now("service_type"))
        }
        "app.registration_removed" => format!(
            "{actor} removed the {} registration of {target}",
            was("service_type")
        ),
        "app.account_deleted" => format!(
            "{actor} deleted the {} account {} of {target}",
            was("service_type"),
            was("email")
        ),
        "webhook.endpoint_added" => {
            format!(
                "{actor} added the webhook endpoint {} to {target}",
                now("url")
            )
        }
        "webhook.endpoint_changed" => {
            format!(
                "{actor} changed the webhook endpoint {} of {target}",
                now("url")
            )
        }
        "webhook.endpoint_removed" => format!(
            "{actor} removed the webhook endpoint {} from {target}",
            was("url")
        ),
        "webhook.test" => format!("{actor} sent a test event to {target}'s webhooks"),
        "webhook.endpoint_failing" => format!(
            "The webhook endpoint {} of {target} failed after every retry",
            now("endpoint")
        ),
        other => format!("{actor}: {other} on {target}"),
    }
}

fn field(v: Option<&Value>, key: &str) -> String {
    match v.and_then(|v| v.get(key)) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "—".to_owned(),
        Some(other) => other.to_string(),
    }
}

/// The fields whose value differs between before and after, in a stable order.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<AuditChange> {
    let keys = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut all = keys(before);
    for k in keys(after) {
        if !all.contains(&k) {
            all.push(k);
        }
    }
    all.sort();
    all.into_iter()
        .filter_map(|k| {
            let (b, a) = (
                before.and_then(|v| v.get(&k)),
                after.and_then(|v| v.get(&k)),
            );
            (b != a).then(|| AuditChange {
                field: k.replace('_', " "),
                before: b.map(show),
                after: a.map(show),
            })
        })
        .collect()
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_role_change_reads_as_a_sentence_with_its_one_change() {
        let (b, a) = (
            json!({ "role": "Developer" }),
            json!({ "role": "Collaborator" }),
        );
        assert_eq!(
            sentence(
                "member.role_changed",
                "dana@example.com",
                "sam@example.com",
                Some(&b),
                Some(&a)
            ),
            "dana@example.com changed sam@example.com's role from Developer to Collaborator"
        );
        let c = changes(Some(&b), Some(&a));
        assert_eq!(c.len(), 1);
        assert_eq!(
            (
                c[0].field.as_str(),
                c[0].before.as_deref(),
                c[0].after.as_deref()
            ),
            ("role", Some("Developer"), Some("Collaborator"))
        );
    }

    #[test]
    fn unchanged_fields_are_left_out_and_unknown_actions_still_read() {
        let (b, a) = (
            json!({ "app": "Mail", "granted": false }),
            json!({ "app": "Mail", "granted": true }),
        );
        let c = changes(Some(&b), Some(&a));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].field, "granted");
        assert_eq!(
            sentence("app.granted", "o@x", "d@x", Some(&b), Some(&a)),
            "o@x gave d@x access to Mail"
        );
        assert_eq!(
            sentence("thing.done", "o@x", "T", None, None),
            "o@x: thing.done on T"
        );
        assert_eq!(
            changes(None, Some(&json!({ "url": "https://a" })))[0].before,
            None
        );
    }
}
