//! The words of every mail Linkgate sends, in one place. Plain text: no tracking, no
//! remote images, and links a reader can check before following.
use super::Mail;

pub fn verify_email(to: &str, name: &str, link: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Confirm your email address for Linkgate".into(),
        text: format!(
            "Hello {name},\n\n\
             Confirm that this is your email address by opening this link within 24 hours:\n\n\
             {link}\n\n\
             Until you do, you cannot create applications or join teams.\n\
             If you did not sign up for Linkgate, ignore this mail: nothing happens without the link.\n"
        ),
    }
}

pub fn password_reset(to: &str, link: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Reset your Linkgate password".into(),
        text: format!(
            "Someone (we hope you) asked to reset the password of the Linkgate account for {to}.\n\n\
             Choose a new password by opening this link within 30 minutes; it works once:\n\n\
             {link}\n\n\
             Choosing a new password signs you out everywhere.\n\
             If you did not ask, ignore this mail: your password stays as it is.\n"
        ),
    }
}

/// `ended`: which sessions the change signed out ("every session was signed out").
pub fn password_changed(to: &str, when: &str, ended: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Your Linkgate password was changed".into(),
        text: format!(
            "The password of the Linkgate account for {to} was changed at {when} (UTC), and \
             {ended}.\n\n\
             If this was not you, reset your password at once with \"Forgot your password?\" \
             on the sign-in page, and tell your team's Owner.\n"
        ),
    }
}

pub fn email_change(to: &str, old: &str, link: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Confirm your new Linkgate address".into(),
        text: format!(
            "The Linkgate account of {old} asked to sign in with {to} from now on.\n\n\
             Confirm the change by opening this link within 24 hours; it works once:\n\n\
             {link}\n\n\
             If you did not ask for this, ignore this mail: nothing changes without the link.\n"
        ),
    }
}

pub fn email_change_requested(old: &str, new: &str) -> Mail {
    Mail {
        to: old.to_owned(),
        subject: "A change of your Linkgate address was asked for".into(),
        text: format!(
            "Someone signed in to your Linkgate account ({old}) asked to move it to {new}. It \
             moves only if the link we mailed to {new} is opened within 24 hours.\n\n\
             If this was not you, change your password now (Settings, or \"Forgot your \
             password?\" on the sign-in page): that cancels the move and signs everyone else out.\n"
        ),
    }
}

pub fn email_change_taken(to: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Someone tried to move a Linkgate account to your address".into(),
        text: format!(
            "Someone signed in to Linkgate asked to use {to} as their address, but an account \
             already uses it (perhaps yours), so nothing changed.\n\n\
             If this was you, sign in with {to} instead.\n"
        ),
    }
}

pub fn email_changed(old: &str, new: &str) -> Mail {
    Mail {
        to: old.to_owned(),
        subject: "Your Linkgate address was changed".into(),
        text: format!(
            "The Linkgate account that signed in as {old} now signs in as {new}; mail goes there \
             from now on.\n\n\
             If this was not you, tell your team's Owner at once: the server's operator can \
             restore it (linkgate user reset-password, docs/operations.md).\n"
        ),
    }
}

pub fn new_sign_in(to: &str, browser: &str, when: &str) -> Mail {
    let browser = if browser.is_empty() {
        "a browser that did not name itself"
    } else {
        browser
    };
    Mail {
        to: to.to_owned(),
        subject: "New sign-in to your Linkgate account".into(),
        text: format!(
            "Your Linkgate account ({to}) was signed in to from a browser it had not been used \
             from before, at {when} (UTC):\n\n    {browser}\n\n\
             If this was you, nothing needs doing. If not, change your password at once (or use \
             \"Forgot your password?\" on the sign-in page), which signs everyone else out, and \
             turn on two-factor sign-in in Settings.\n\n\
             You can stop these mails in Settings.\n"
        ),
    }
}

pub fn two_factor_changed(to: &str, on: bool) -> Mail {
    let (subject, what) = match on {
        true => (
            "Two-factor sign-in is on for your Linkgate account",
            "Two-factor sign-in was turned on: signing in now asks for a code from your authenticator app (or a recovery code).",
        ),
        false => (
            "Two-factor sign-in is off for your Linkgate account",
            "Two-factor sign-in was turned off: signing in asks for your password only.",
        ),
    };
    Mail {
        to: to.to_owned(),
        subject: subject.into(),
        text: format!(
            "{what}\n\nIf this was not you, reset your password at once with \"Forgot your password?\" \
             on the sign-in page, and tell your team's Owner.\n"
        ),
    }
}

pub fn invite(to: &str, team: &str, inviter: &str, role: &str, link: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: format!("{inviter} invited you to {team} on Linkgate"),
        text: format!(
            "{inviter} invited you to join the team \"{team}\" on Linkgate as {role}.\n\n\
             Open this link within 7 days to accept; it works once, for {to}:\n\n\
             {link}\n\n\
             If you have no Linkgate account yet, the link lets you make one with this address.\n\
             If you were not expecting this, ignore this mail.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mail_carries_its_link_and_address() {
        let link = "https://linkgate.example.com/x/lg_token";
        for mail in [
            verify_email("a@example.com", "Ann", link),
            password_reset("a@example.com", link),
            invite(
                "a@example.com",
                "Ops",
                "dana@example.com",
                "Developer",
                link,
            ),
        ] {
            assert_eq!(mail.to, "a@example.com");
            assert!(mail.text.contains(link), "{}", mail.subject);
        }
        assert!(
            !password_changed("a@example.com", "now", "every session was signed out")
                .text
                .contains("lg_")
        );
    }
}
