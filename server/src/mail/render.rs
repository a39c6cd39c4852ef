//! The email templates in `server/templates/email`, compiled into the binary
//! and rendered with minijinja. Each email is a pair, `<name>.txt` (its subject
//! comes first, ended by the layout) and `<name>.html`, sent as multipart/alternative.
//!
//! Undefined variables are errors (strict mode), so a template that names a
//! variable its caller does not give fails the test that renders every
//! template, instead of sending an email with a hole in it. `.html`
//! templates escape every value; `.txt` ones do not need to.

use std::sync::LazyLock;

use minijinja::{Environment, UndefinedBehavior, Value, context};

use super::header::HeaderText;

macro_rules! files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/email/", $name)))),*]
    };
}

/// Every email, by name: each has a `.txt` and an `.html` template.
pub const EMAILS: &[&str] = &[
    "invitation",
    "professional_invitation",
    "confirm_registration_email",
    "already_registered",
    "registered",
    "sign_up_waiting",
    "sign_up_accepted",
    "sign_up_declined",
    "sign_up_held_for_review",
    "password_reset",
    "password_reset_no_account",
    "password_changed",
    "confirm_new_email",
    "new_email_taken",
    "email_change_requested",
    "email_changed",
    "email_changed_new",
    "new_device_sign_in",
    "second_factor_changed",
    "new_entries",
    "invitation_accepted",
    "carer_access",
    "carer_band",
    "carer_invited",
    "carer_added",
    "digest",
];

const FILES: &[(&str, &str)] = files![
    "_layout.txt",
    "_layout.html",
    "_macros.html",
    "invitation.txt",
    "invitation.html",
    "professional_invitation.txt",
    "professional_invitation.html",
    "confirm_registration_email.txt",
    "confirm_registration_email.html",
    "already_registered.txt",
    "already_registered.html",
    "registered.txt",
    "registered.html",
    "sign_up_waiting.txt",
    "sign_up_waiting.html",
    "sign_up_accepted.txt",
    "sign_up_accepted.html",
    "sign_up_declined.txt",
    "sign_up_declined.html",
    "sign_up_held_for_review.txt",
    "sign_up_held_for_review.html",
    "password_reset.txt",
    "password_reset.html",
    "password_reset_no_account.txt",
    "password_reset_no_account.html",
    "password_changed.txt",
    "password_changed.html",
    "confirm_new_email.txt",
    "confirm_new_email.html",
    "new_email_taken.txt",
    "new_email_taken.html",
    "email_change_requested.txt",
    "email_change_requested.html",
    "email_changed.txt",
    "email_changed.html",
    "email_changed_new.txt",
    "email_changed_new.html",
    "second_factor_changed.txt",
    "second_factor_changed.html",
    "new_device_sign_in.txt",
    "new_device_sign_in.html",
    "new_entries.txt",
    "new_entries.html",
    "invitation_accepted.txt",
    "invitation_accepted.html",
    "carer_access.txt",
    "carer_access.html",
    "carer_band.txt",
    "carer_band.html",
    "carer_invited.txt",
    "carer_invited.html",
    "carer_added.txt",
    "carer_added.html",
    "digest.txt",
    "digest.html",
];

static ENVIRONMENT: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in FILES {
        env.add_template(name, source).map_err(|e| format!("{e:#}"))?;
    }
    Ok(env)
});

/// What `_layout.txt` writes after the subject.
const SUBJECT_ENDS: char = '\u{1e}';

/// A rendered email: a one-line subject, the plain text, the HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: HeaderText,
    pub text: String,
    pub html: String,
}

/// A template that would not render: a bug, which the test of every template catches.
#[derive(Debug, thiserror::Error)]
#[error("email template {name}: {reason}")]
pub struct RenderError {
    pub name: String,
    pub reason: String,
}

/// Renders email `name` with `values`.
pub fn render(name: &str, values: Value) -> Result<Rendered, RenderError> {
    let fail = |reason: String| RenderError { name: name.to_owned(), reason };
    let env = ENVIRONMENT.as_ref().map_err(|e| fail(e.clone()))?;
    let text =
        env.get_template(&format!("{name}.txt")).and_then(|t| t.render(&values)).map_err(|e| fail(format!("{e:#}")))?;
    // The layout ends the subject with ASCII's record separator rather than a
    // line break, so a line break inside a value cannot move the split.
    let (subject, text) = text.split_once(SUBJECT_ENDS).unwrap_or(("", text.as_str()));
    let subject = HeaderText::new(subject);
    let html = env
        .get_template(&format!("{name}.html"))
        .and_then(|t| t.render(context! { subject => subject.as_str(), ..values }))
        .map_err(|e| fail(format!("{e:#}")))?;
    Ok(Rendered { subject, text: text.to_owned(), html })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value for every variable any template uses.
    fn sample(name: &str) -> Value {
        match name {
            "for_carer" => Value::from(false),
            "change" => Value::from("granted"),
            "lines" => Value::from(vec!["There is new information in your health record.".to_owned()]),
            other => Value::from(format!("https://portico.example/{other}")),
        }
    }

    fn variables_of(name: &str) -> Vec<String> {
        let env = ENVIRONMENT.as_ref().unwrap();
        let mut names: Vec<String> = ["txt", "html"]
            .iter()
            .flat_map(|ext| env.get_template(&format!("{name}.{ext}")).unwrap().undeclared_variables(false))
            .filter(|v| v != "subject")
            .collect();
        names.sort();
        names.dedup();
        names
    }

    fn values(names: &[String]) -> Value {
        Value::from(names.iter().map(|n| (n.clone(), sample(n))).collect::<std::collections::BTreeMap<String, Value>>())
    }

    #[test]
    fn every_notification_template_file_is_listed_and_renders_with_sample_values() {
        for name in EMAILS {
            let names = variables_of(name);
            let rendered = render(name, values(&names)).unwrap_or_else(|e| panic!("{e}"));
            assert!(!rendered.subject.is_empty(), "{name} has no subject line");
            assert!(!rendered.text.trim().is_empty() && rendered.html.contains("</html>"), "{name}");
        }
        let listed: usize = EMAILS.len() * 2 + 3;
        assert_eq!(FILES.len(), listed, "every email has a .txt and an .html, plus the layouts and macros");
    }

    #[test]
    fn a_missing_notification_template_variable_is_an_error_not_a_gap() {
        for name in EMAILS {
            let names = variables_of(name);
            for missing in &names {
                let fewer: Vec<String> = names.iter().filter(|n| *n != missing).cloned().collect();
                assert!(render(name, values(&fewer)).is_err(), "{name} rendered without {missing}");
            }
        }
    }
}
