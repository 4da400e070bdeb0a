//! Unified scopes → the provider's native scopes, and back from what the provider granted.
use super::provider::ResolvedProvider;
use super::FlowError;

/// What to ask the provider for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeRequest {
    pub unified: Vec<String>,
    /// Everything sent upstream, in order, without duplicates.
    pub native: Vec<String>,
}

fn push_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    for s in items {
        if !list.contains(&s) {
            list.push(s);
        }
    }
}

/// The request's scopes, or the registration's defaults when it names none.
pub fn request(
    p: &ResolvedProvider,
    unified: &[String],
    native: &[String],
) -> Result<ScopeRequest, FlowError> {
    let (unified, native) = if unified.is_empty() && native.is_empty() {
        (p.default_scopes.clone(), p.default_native_scopes.clone())
    } else {
        (unified.to_vec(), native.to_vec())
    };
    let mut out = Vec::new();
    for u in &unified {
        let mapped = p.scope_map.get(u).ok_or_else(|| {
            FlowError::parameter(
                "scopes.invalid",
                format!(
                    "{} has no native scope for {u}; use nativeScopes.",
                    p.service_type
                ),
            )
        })?;
        push_unique(&mut out, mapped.split_whitespace().map(str::to_owned));
    }
    push_unique(&mut out, native);
    push_unique(&mut out, p.always_scopes.iter().cloned());
    Ok(ScopeRequest {
        unified,
        native: out,
    })
}

/// The scopes a token response granted; absent means "as requested" (RFC 6749 §5.1), but
/// present and empty means nothing was granted (a user who unticked every permission).
pub fn granted(response_scope: Option<&str>, requested: &[String]) -> Vec<String> {
    match response_scope {
        Some(s) => s
            .split([' ', ','])
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect(),
        None => requested.to_vec(),
    }
}

/// A scope as compared, not as sent: providers may answer in another case, and some put
/// their resource before it (`granted_scope_prefix`: Microsoft answers `Mail.Read` as
/// `https://graph.microsoft.com/Mail.Read`).
fn same_scope(prefix: Option<&str>, a: &str, b: &str) -> bool {
    let bare = |s: &'_ str| -> String {
        match prefix {
            Some(pre)
                if s.get(..pre.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(pre)) =>
            {
                s[pre.len()..].to_owned()
            }
            _ => s.to_owned(),
        }
    };
    bare(a).eq_ignore_ascii_case(&bare(b))
}

/// The unified scopes whose native scopes were all granted.
pub fn unified_granted(
    p: &ResolvedProvider,
    unified: &[String],
    granted: &[String],
) -> Vec<String> {
    unified
        .iter()
        .filter(|u| {
            p.scope_map.get(*u).is_some_and(|n| {
                n.split_whitespace().all(|s| {
                    granted
                        .iter()
                        .any(|g| same_scope(p.granted_scope_prefix.as_deref(), g, s))
                })
            })
        })
        .cloned()
        .collect()
}

/// For `ensureScopes`: the requested native scopes the provider did not grant.
pub fn missing(p: &ResolvedProvider, requested: &[String], granted: &[String]) -> Vec<String> {
    let prefix = p.granted_scope_prefix.as_deref();
    requested
        .iter()
        .filter(|r| !granted.iter().any(|g| same_scope(prefix, g, r)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{granted, missing};
    use crate::domain::flow::provider::ResolvedProvider;

    #[test]
    fn microsofts_resource_prefix_and_case_do_not_make_a_scope_missing() {
        let mut p =
            ResolvedProvider::example("Office365", "https://a.example/", "https://a.example/t");
        p.granted_scope_prefix = crate::domain::catalog::builtin()["Office365"]
            .granted_scope_prefix
            .clone();
        let asked = vec!["Mail.Read".to_owned(), "offline_access".to_owned()];
        let answered = granted(
            Some("https://graph.microsoft.com/mail.read Offline_Access"),
            &asked,
        );
        assert!(missing(&p, &asked, &answered).is_empty(), "{answered:?}");
        let other = granted(Some("https://outlook.office.com/Mail.Read"), &asked);
        assert_eq!(
            missing(&p, &asked, &other),
            asked,
            "another resource is another scope"
        );
        p.granted_scope_prefix = None;
        assert_eq!(
            missing(&p, &asked, &answered),
            ["Mail.Read"],
            "a provider without the prefix gets no pass for it"
        );
    }

    #[test]
    fn an_answer_names_what_was_granted_and_silence_means_as_asked() {
        let asked = vec!["mail.read".to_owned(), "mail.send".to_owned()];
        assert_eq!(granted(None, &asked), asked);
        assert_eq!(granted(Some("mail.read"), &asked), ["mail.read"]);
        assert_eq!(granted(Some("mail.read,mail.send"), &asked), asked);
        assert!(granted(Some(""), &asked).is_empty(), "nothing ticked");
        assert!(granted(Some(" "), &asked).is_empty());
    }
}
