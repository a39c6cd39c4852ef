//! Email notification settings: the words for each kind and delivery, for
//! the settings page (`/account/notifications`) and the page an email's
//! unsubscribe link opens (`/notifications/unsubscribe`), both in a bundle
//! of their own (`notifications`): their radios would take the account or
//! patient bundle over its 200 KB budget. The account page links here.

#[cfg(feature = "notifications")]
mod settings;
#[cfg(feature = "notifications")]
mod unsubscribe;

#[cfg(feature = "notifications")]
pub use settings::NotificationSettings;
#[cfg(feature = "notifications")]
pub use unsubscribe::Unsubscribe;

/// The settings page, which the emails' footers link to.
pub const SETTINGS_PATH: &str = "/account/notifications";

/// What a kind of email is, in plain words.
#[cfg(feature = "notifications")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindWords {
    /// As the API names it.
    pub kind: &'static str,
    /// The question's legend on the settings page.
    pub legend: &'static str,
    /// What sends it.
    pub hint: &'static str,
    /// The emails, as a phrase: "emails about …".
    pub emails: &'static str,
}

/// The kinds a person may choose the delivery of, in the order shown.
#[cfg(feature = "notifications")]
pub const KINDS: [KindWords; 4] = [
    KindWords {
        kind: "new_entries",
        legend: "New information in your record",
        hint: "When your care team adds letters, results or notes to your health record, or to a record you look after as a carer.",
        emails: "emails about new information in your record",
    },
    KindWords {
        kind: "invitation_accepted",
        legend: "Someone accepts your invitation",
        hint: "When a person you invited to Portico, such as a carer, accepts the invitation.",
        emails: "emails about invitations you sent being accepted",
    },
    KindWords {
        kind: "carer_access",
        legend: "Your access as a carer",
        hint: "When you are given access to someone's health record as their carer, or that access changes or ends.",
        emails: "emails about your access as a carer",
    },
    KindWords {
        kind: "sign_up_decided",
        legend: "Your request to join a care team",
        hint: "When a clinical team accepts or declines your request to join it.",
        emails: "emails about your requests to join a care team",
    },
];

/// The security notices, which always go at once.
#[cfg(feature = "notifications")]
pub const SECURITY_NOTICES: [(&str, &str); 3] = [
    ("password_changed", "Your password is changed"),
    ("email_changed", "Your email address is changed"),
    ("new_device_sign_in", "Someone signs in to your account from a new device"),
];

/// The words for `kind`, if it is one a person may turn off.
#[cfg(feature = "notifications")]
pub fn kind_words(kind: &str) -> Option<&'static KindWords> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// What an unsubscribe link turns off, as a phrase: a digest's link (`all`)
/// turns off every kind.
#[cfg(feature = "notifications")]
pub fn unsubscribe_phrase(kind: &str) -> &'static str {
    match kind {
        "all" => "all Portico emails you can turn off, including the daily update",
        kind => kind_words(kind).map_or("these Portico emails", |k| k.emails),
    }
}

/// The words for a security notice's kind.
#[cfg(test)]
pub fn security_notice_words(kind: &str) -> Option<&'static str> {
    SECURITY_NOTICES.iter().find(|(k, _)| *k == kind).map(|(_, words)| *words)
}

/// The hour the daily digest goes, in words: "8am (UTC)".
#[cfg(feature = "notifications")]
pub fn digest_time(hour_utc: u8) -> String {
    match hour_utc % 24 {
        0 => "midnight (UTC)".to_owned(),
        12 => "midday (UTC)".to_owned(),
        hour @ 1..=11 => format!("{hour}am (UTC)"),
        hour => format!("{}pm (UTC)", hour - 12),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "notifications")]
    fn every_kind_the_api_knows_has_words_and_no_more() {
        let ours: Vec<&str> = KINDS.iter().map(|k| k.kind).collect();
        assert_eq!(ours, portico_types::api::NOTIFICATION_KINDS);
        let notices: Vec<&str> = SECURITY_NOTICES.iter().map(|(k, _)| *k).collect();
        assert_eq!(notices, portico_types::api::SECURITY_NOTICES);
        assert_eq!(security_notice_words("password_changed"), Some("Your password is changed"));
        assert_eq!(security_notice_words("new_entries"), None);
        for k in KINDS {
            assert!(!k.legend.is_empty() && k.hint.ends_with('.') && k.emails.starts_with("emails about"), "{k:?}");
        }
    }

    #[test]
    #[cfg(feature = "notifications")]
    fn unsubscribe_says_what_it_turns_off() {
        assert_eq!(unsubscribe_phrase("new_entries"), "emails about new information in your record");
        assert!(unsubscribe_phrase("all").starts_with("all Portico emails"));
        assert_eq!(unsubscribe_phrase("something_new"), "these Portico emails");
    }

    #[test]
    #[cfg(feature = "notifications")]
    fn the_digest_hour_reads_as_a_time() {
        assert_eq!(digest_time(8), "8am (UTC)");
        assert_eq!(digest_time(0), "midnight (UTC)");
        assert_eq!(digest_time(12), "midday (UTC)");
        assert_eq!(digest_time(18), "6pm (UTC)");
    }
}
