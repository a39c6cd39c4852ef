//! Email notifications on account activity (issue 9).
//!
//! Something happens (entries arrive on a record, a sign-up is decided, a
//! carer's access changes, a password changes, a sign-in comes from a new
//! device) and the person it concerns is told by email, in the transaction
//! of the change, as they chose per kind: immediately, in a daily digest, or
//! not at all. Security notices go at once and cannot be turned off.
//!
//! Kinds that come in bursts (new entries from a feed) are not emailed per
//! event: each event folds into one pending row per recipient and kind
//! (`pending`), which the worker (`worker`) turns into one outbox email
//! after the coalescing window, or into the daily digest. The email says what
//! kind of thing happened and links to Portico; never what the entry is.
//!
//! Every notification that can be turned off carries a link to the settings
//! and a signed one-click unsubscribe (`unsubscribe`, RFC 8058).

pub mod devices;
pub mod pending;
pub mod preferences;
pub mod routes;
pub mod send;
pub mod settings;
pub mod staff_view;
pub mod unsubscribe;
pub mod worker;

pub use settings::NotificationSettings;

/// A kind of notification a person chooses the delivery of. Stored as `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Entries a feed added to the person's record (or one they look after).
    NewEntries,
    /// Someone the person invited (a carer) accepted.
    InvitationAccepted,
    /// The person's carer access to someone's record was granted, changed or ended.
    CarerAccess,
    /// A team admitted or declined the person's sign-up from its queue.
    SignUpDecided,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::NewEntries, Kind::InvitationAccepted, Kind::CarerAccess, Kind::SignUpDecided];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NewEntries => "new_entries",
            Kind::InvitationAccepted => "invitation_accepted",
            Kind::CarerAccess => "carer_access",
            Kind::SignUpDecided => "sign_up_decided",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The digest's line for this kind: what happened, never what it was.
    pub fn digest_line(self, events: i64, for_carer: bool) -> String {
        match self {
            Kind::NewEntries if for_carer => "There is new information in a health record you look after.".into(),
            Kind::NewEntries => "There is new information in your health record.".into(),
            Kind::InvitationAccepted if events > 1 => format!("{events} people accepted your invitations."),
            Kind::InvitationAccepted => "Someone accepted your invitation.".into(),
            Kind::CarerAccess => "Your access as a carer to a health record has changed.".into(),
            Kind::SignUpDecided => "Your request to join a clinical team has been answered.".into(),
        }
    }
}

/// How a kind is delivered. Stored as `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Immediately,
    DailyDigest,
    Off,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Immediately => "immediately",
            Delivery::DailyDigest => "daily_digest",
            Delivery::Off => "off",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Delivery::Immediately, Delivery::DailyDigest, Delivery::Off].into_iter().find(|d| d.as_str() == text)
    }
}

/// Security notices: sent at once, whatever the person chose for other kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityNotice {
    PasswordChanged,
    EmailChanged,
    NewDeviceSignIn,
}

impl SecurityNotice {
    pub const ALL: [SecurityNotice; 3] =
        [SecurityNotice::PasswordChanged, SecurityNotice::EmailChanged, SecurityNotice::NewDeviceSignIn];

    pub fn as_str(self) -> &'static str {
        match self {
            SecurityNotice::PasswordChanged => "password_changed",
            SecurityNotice::EmailChanged => "email_changed",
            SecurityNotice::NewDeviceSignIn => "new_device_sign_in",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_kinds_and_deliveries_match_the_wire_lists() {
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(kinds, portico_types::api::NOTIFICATION_KINDS);
        let notices: Vec<&str> = SecurityNotice::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(notices, portico_types::api::SECURITY_NOTICES);
        for d in portico_types::api::DELIVERIES {
            assert_eq!(Delivery::parse(d).map(Delivery::as_str), Some(d));
        }
        assert_eq!(Kind::parse("password_changed"), None, "security notices are not a kind one can choose");
    }
}
