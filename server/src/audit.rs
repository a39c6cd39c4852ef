//! The audit log: an append-only row for every security- or record-relevant
//! action, written inside the transaction of the change it describes.

use time::OffsetDateTime;

use crate::clock::stored;
use crate::db::Tx;

/// What happened. Stored as the text of `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignInFailed,
    SignInLockedOut,
    SignOut,
    ExclusionSet,
    ExclusionLifted,
    FeedKeyCreated,
    FeedKeyRevoked,
    Hl7RecordCreated,
    Hl7RecordUpdated,
    CsvImportUploaded,
    CsvImportCommitted,
    CsvImportDiscarded,
    InvitationIssued,
    InvitationSent,
    InvitationOpened,
    InvitationFailedAttempt,
    InvitationLocked,
    InvitationUsed,
    InvitationExpired,
    InvitationRevoked,
    /// A patient asked for a new code in place of an expired one; the
    /// detail's `outcome` says what really happened (they are never told).
    InvitationRenewalRequested,
    AccountRegistered,
    RegistrationEmailSent,
    RegistrationEmailConfirmed,
    PasswordResetRequested,
    PasswordReset,
    EmailChangeRequested,
    EmailChanged,
    SignedOutEverywhere,
    EmailGaveUp,
    TextMessageGaveUp,
    DeviceHandedOver,
    DeviceHandedBack,
    ProfessionalRecordLinked,
    JoinPageChanged,
    SignUpHeld,
    SignUpLinked,
    SignUpRecordCreated,
    SignUpDeclined,
    SignUpAdmitted,
    CampaignStarted,
    CampaignPaused,
    CampaignResumed,
    CampaignCancelled,
    CampaignFinished,
    /// A step of a campaign's reminder plan fell due and its campaign started.
    ReminderStepStarted,
    /// Staff recorded that a patient wants no more reminders.
    ReminderOptOutSet,
    /// Staff lifted a patient's opt-out of reminders.
    ReminderOptOutLifted,
    /// A team admin changed the team's defaults for its campaigns' invitations.
    InvitationSettingsChanged,
    DeliveryReceipt,
    KioskRegistered,
    KioskRevoked,
    KioskInvitationIssued,
    KioskCheckInLocked,
    /// An NHS login identity joined an account (a new one, or one with the same proven email).
    NhsLoginLinked,
    /// A P9 identity claimed the record its NHS number and date of birth match.
    NhsLoginRecordClaimed,
    /// A P9 identity with no record made one of its own.
    NhsLoginRecordCreated,
    /// A sign-up through NHS login held for staff to review (an excluded record).
    NhsLoginSignUpHeld,
    /// A sign-in through NHS login refused or failed, with the reason.
    NhsLoginFailed,
    /// A carer invitation made (by the patient, or by a professional).
    CarerInvited,
    /// The patient withdrew a carer invitation before it was accepted.
    CarerInvitationWithdrawn,
    /// A safeguarding lead let a carer invitation go out for an excluded record, with the reason.
    CarerExclusionOverridden,
    /// A carer accepted an invitation: the link exists.
    CarerLinkGranted,
    /// The patient changed what a carer sees, or until when.
    CarerLinkChanged,
    /// A carer link ended (by whom, how, and why in the detail).
    CarerLinkEnded,
    /// A child's record reached the organisation's age and its link awaits a professional's review.
    CarerLinkReviewDue,
    /// A child's record reached an age band that narrows a parent's or guardian's access.
    CarerLinkNarrowed,
    /// A professional kept a parent's or guardian's access as it is past an age band, with a reason.
    CarerLinkExtended,
    /// A carer opened the record: shown to the patient in their access history.
    CarerRecordViewed,
    /// The patient marked an entry private, or unmarked it.
    EntryPrivacyChanged,
    /// An organisation's admin changed its carer age bands or the young person's invitation age.
    CarerSettingsChanged,
    /// A person changed how they get notifications.
    NotificationPreferencesChanged,
    /// A notification's one-click unsubscribe turned a kind (or all) off.
    NotificationsUnsubscribed,
    /// An authenticator was set up (confirmed with its first code).
    SecondFactorEnrolled,
    /// A session's second factor was proven with an authenticator's code.
    SecondFactorVerified,
    /// A second-factor code that was wrong, or already used.
    SecondFactorFailed,
    /// A recovery code stood in for the authenticator (it is now used up).
    RecoveryCodeUsed,
    /// A patient turned their second factor off.
    SecondFactorRemoved,
    /// The service's operators removed an account's second factor (lost with
    /// its recovery codes), from the command line.
    SecondFactorReset,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SignInLockedOut => "sign_in_locked_out",
            Action::SignOut => "sign_out",
            Action::ExclusionSet => "exclusion_set",
            Action::ExclusionLifted => "exclusion_lifted",
            Action::FeedKeyCreated => "feed_key_created",
            Action::FeedKeyRevoked => "feed_key_revoked",
            Action::Hl7RecordCreated => "hl7_record_created",
            Action::Hl7RecordUpdated => "hl7_record_updated",
            Action::CsvImportUploaded => "csv_import_uploaded",
            Action::CsvImportCommitted => "csv_import_committed",
            Action::CsvImportDiscarded => "csv_import_discarded",
            Action::InvitationIssued => "invitation_issued",
            Action::InvitationSent => "invitation_sent",
            Action::InvitationOpened => "invitation_opened",
            Action::InvitationFailedAttempt => "invitation_failed_attempt",
            Action::InvitationLocked => "invitation_locked",
            Action::InvitationUsed => "invitation_used",
            Action::InvitationExpired => "invitation_expired",
            Action::InvitationRevoked => "invitation_revoked",
            Action::InvitationRenewalRequested => "invitation_renewal_requested",
            Action::AccountRegistered => "account_registered",
            Action::RegistrationEmailSent => "registration_email_sent",
            Action::RegistrationEmailConfirmed => "registration_email_confirmed",
            Action::PasswordResetRequested => "password_reset_requested",
            Action::PasswordReset => "password_reset",
            Action::EmailChangeRequested => "email_change_requested",
            Action::EmailChanged => "email_changed",
            Action::SignedOutEverywhere => "signed_out_everywhere",
            Action::EmailGaveUp => "email_gave_up",
            Action::TextMessageGaveUp => "text_message_gave_up",
            Action::DeviceHandedOver => "device_handed_over",
            Action::DeviceHandedBack => "device_handed_back",
            Action::ProfessionalRecordLinked => "professional_record_linked",
            Action::JoinPageChanged => "join_page_changed",
            Action::SignUpHeld => "sign_up_held",
            Action::SignUpLinked => "sign_up_linked",
            Action::SignUpRecordCreated => "sign_up_record_created",
            Action::SignUpDeclined => "sign_up_declined",
            Action::SignUpAdmitted => "sign_up_admitted",
            Action::CampaignStarted => "campaign_started",
            Action::CampaignPaused => "campaign_paused",
            Action::CampaignResumed => "campaign_resumed",
            Action::CampaignCancelled => "campaign_cancelled",
            Action::CampaignFinished => "campaign_finished",
            Action::ReminderStepStarted => "reminder_step_started",
            Action::ReminderOptOutSet => "reminder_opt_out_set",
            Action::ReminderOptOutLifted => "reminder_opt_out_lifted",
            Action::InvitationSettingsChanged => "invitation_settings_changed",
            Action::DeliveryReceipt => "delivery_receipt",
            Action::KioskRegistered => "kiosk_registered",
            Action::KioskRevoked => "kiosk_revoked",
            Action::KioskInvitationIssued => "kiosk_invitation_issued",
            Action::KioskCheckInLocked => "kiosk_check_in_locked",
            Action::NhsLoginLinked => "nhs_login_linked",
            Action::NhsLoginRecordClaimed => "nhs_login_record_claimed",
            Action::NhsLoginRecordCreated => "nhs_login_record_created",
            Action::NhsLoginSignUpHeld => "nhs_login_sign_up_held",
            Action::NhsLoginFailed => "nhs_login_failed",
            Action::CarerInvited => "carer_invited",
            Action::CarerInvitationWithdrawn => "carer_invitation_withdrawn",
            Action::CarerExclusionOverridden => "carer_exclusion_overridden",
            Action::CarerLinkGranted => "carer_link_granted",
            Action::CarerLinkChanged => "carer_link_changed",
            Action::CarerLinkEnded => "carer_link_ended",
            Action::CarerLinkReviewDue => "carer_link_review_due",
            Action::CarerLinkNarrowed => "carer_link_narrowed",
            Action::CarerLinkExtended => "carer_link_extended",
            Action::CarerRecordViewed => "carer_record_viewed",
            Action::EntryPrivacyChanged => "entry_privacy_changed",
            Action::CarerSettingsChanged => "carer_settings_changed",
            Action::NotificationPreferencesChanged => "notification_preferences_changed",
            Action::NotificationsUnsubscribed => "notifications_unsubscribed",
            Action::SecondFactorEnrolled => "second_factor_enrolled",
            Action::SecondFactorVerified => "second_factor_verified",
            Action::SecondFactorFailed => "second_factor_failed",
            Action::RecoveryCodeUsed => "recovery_code_used",
            Action::SecondFactorRemoved => "second_factor_removed",
            Action::SecondFactorReset => "second_factor_reset",
        }
    }
}

/// One audit event. `detail` is short JSON text, never personal data such as
/// a password or a full email address that was not an account's.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub action: Action,
    pub at: OffsetDateTime,
    pub actor_account_id: Option<&'a str>,
    pub record_id: Option<&'a str>,
    pub team_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub detail: Option<serde_json::Value>,
}

impl<'a> Event<'a> {
    pub fn new(action: Action, at: OffsetDateTime) -> Self {
        Self { action, at, actor_account_id: None, record_id: None, team_id: None, ip: None, detail: None }
    }

    pub fn actor(mut self, account_id: &'a str) -> Self {
        self.actor_account_id = Some(account_id);
        self
    }

    pub fn record(mut self, record_id: &'a str) -> Self {
        self.record_id = Some(record_id);
        self
    }

    pub fn team(mut self, team_id: &'a str) -> Self {
        self.team_id = Some(team_id);
        self
    }

    pub fn ip(mut self, ip: Option<&'a str>) -> Self {
        self.ip = ip;
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// Appends `event` within `tx`: it commits or rolls back with the change.
pub async fn record(tx: &mut Tx, event: Event<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (id, occurred_at, action, actor_account_id, record_id, team_id, ip, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(stored(event.at))
    .bind(event.action.as_str())
    .bind(event.actor_account_id)
    .bind(event.record_id)
    .bind(event.team_id)
    .bind(event.ip)
    .bind(event.detail.map(|d| d.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Appends many events within `tx`, a few hundred to a statement.
pub async fn record_many(tx: &mut Tx, engine: crate::db::Engine, events: &[Event<'_>]) -> Result<(), sqlx::Error> {
    for slice in events.chunks(engine.rows_per_statement(8)) {
        let mut insert = crate::db::Statement::for_engine(
            engine,
            "INSERT INTO audit_events (id, occurred_at, action, actor_account_id, record_id, team_id, ip, detail) ",
        );
        insert.values(slice, |row, event| {
            row.bind(uuid::Uuid::now_v7().to_string())
                .bind(stored(event.at))
                .bind(event.action.as_str())
                .bind(event.actor_account_id.map(str::to_owned))
                .bind(event.record_id.map(str::to_owned))
                .bind(event.team_id.map(str::to_owned))
                .bind(event.ip.map(str::to_owned))
                .bind(event.detail.as_ref().map(ToString::to_string));
        });
        insert.query()?.execute(&mut **tx).await?;
    }
    Ok(())
}
