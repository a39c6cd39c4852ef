//! The rules of a first sign-in with NHS login, as one pure function of what
//! the database holds: which account the identity joins, and what happens to
//! the record its NHS number and date of birth match.
//!
//! Linking to an account that exists (SECURITY.md 6.8.1, Keycloak #53041):
//! only at P9, only where both NHS login and Portico have proven the same
//! mailbox, never a professional's account (NHS login would become a way into
//! the staff console), and only an account that holds no record or holds the
//! very record the P9 proof matches. A shared family mailbox must not let one
//! person's NHS login into another person's record.

use super::identity::IdentityLevel;

/// An account whose verified email is the one NHS login proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SameEmail {
    pub account_id: String,
    /// Portico has proven the address too (an unproven one links nothing).
    pub verified: bool,
    pub disabled: bool,
    pub professional: bool,
    /// It already has an NHS login identity (another `sub`).
    pub nhs_login: bool,
    pub owned_record: Option<String>,
}

/// The record whose NHS number and date of birth NHS login proved (P9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub record_id: String,
    pub owner: Option<String>,
    pub excluded: bool,
}

/// Which account signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joins {
    NewAccount,
    Existing(String),
}

/// What happens to the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordPlan {
    /// The account already owns the matched record.
    Keep,
    Claim(String),
    Create,
    /// Excluded: the sign-up waits for staff, and the record stays unclaimed.
    Hold(String),
    /// P5: identity not proven, so no record is claimed or made.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub joins: Joins,
    pub record: RecordPlan,
}

/// Why a first sign-in goes no further. Nothing is written for any of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("another account has this email address and cannot be linked")]
    EmailInUse,
    #[error("the matched record already has another owner")]
    RecordRegistered,
    #[error("the account with this email address is disabled")]
    AccountDisabled,
    #[error("a record has this NHS number with another date of birth")]
    DetailsDiffer,
}

/// `number_elsewhere`: some record has the NHS number but not the date of birth.
pub fn decide(
    level: IdentityLevel,
    same_email: Option<&SameEmail>,
    matched: Option<&Matched>,
    number_elsewhere: bool,
) -> Result<Plan, Refusal> {
    let joins = match same_email {
        None => Joins::NewAccount,
        Some(account) if account.disabled => return Err(Refusal::AccountDisabled),
        Some(account)
            if level != IdentityLevel::P9 || !account.verified || account.professional || account.nhs_login =>
        {
            return Err(Refusal::EmailInUse);
        }
        Some(account) => match (&account.owned_record, matched) {
            (None, _) => Joins::Existing(account.account_id.clone()),
            (Some(owned), Some(m)) if *owned == m.record_id => {
                return Ok(Plan { joins: Joins::Existing(account.account_id.clone()), record: RecordPlan::Keep });
            }
            (Some(_), _) => return Err(Refusal::EmailInUse),
        },
    };
    Ok(Plan { joins, record: place(level, matched, number_elsewhere)? })
}

/// What happens to the record, for an account that holds none yet.
pub fn place(level: IdentityLevel, matched: Option<&Matched>, number_elsewhere: bool) -> Result<RecordPlan, Refusal> {
    if level != IdentityLevel::P9 {
        return Ok(RecordPlan::None);
    }
    Ok(match matched {
        Some(m) if m.excluded => RecordPlan::Hold(m.record_id.clone()),
        Some(m) if m.owner.is_some() => return Err(Refusal::RecordRegistered),
        Some(m) => RecordPlan::Claim(m.record_id.clone()),
        // Two records cannot share an NHS number, and which details are right
        // is for the clinical team to say.
        None if number_elsewhere => return Err(Refusal::DetailsDiffer),
        None => RecordPlan::Create,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use IdentityLevel::{P5, P9};

    fn account(owned: Option<&str>) -> SameEmail {
        SameEmail {
            account_id: "a".into(),
            verified: true,
            disabled: false,
            professional: false,
            nhs_login: false,
            owned_record: owned.map(str::to_owned),
        }
    }

    fn record(owner: Option<&str>, excluded: bool) -> Matched {
        Matched { record_id: "r".into(), owner: owner.map(str::to_owned), excluded }
    }

    #[test]
    fn p9_claims_a_free_record_and_makes_one_where_there_is_none() {
        let plan = decide(P9, None, Some(&record(None, false)), false).unwrap();
        assert_eq!(plan, Plan { joins: Joins::NewAccount, record: RecordPlan::Claim("r".into()) });
        assert_eq!(decide(P9, None, None, false).unwrap().record, RecordPlan::Create);
        assert_eq!(decide(P9, None, None, true), Err(Refusal::DetailsDiffer));
    }

    #[test]
    fn an_excluded_record_is_held_and_an_owned_one_refused() {
        assert_eq!(decide(P9, None, Some(&record(None, true)), false).unwrap().record, RecordPlan::Hold("r".into()));
        assert_eq!(decide(P9, None, Some(&record(Some("b"), false)), false), Err(Refusal::RecordRegistered));
    }

    #[test]
    fn p5_never_claims() {
        let plan = decide(P5, None, Some(&record(None, false)), false).unwrap();
        assert_eq!(plan.record, RecordPlan::None);
    }

    #[test]
    fn only_a_p9_identity_links_to_an_account_with_its_email_and_only_to_its_own_record() {
        assert_eq!(decide(P5, Some(&account(None)), None, false), Err(Refusal::EmailInUse));
        let linked = decide(P9, Some(&account(None)), Some(&record(None, false)), false).unwrap();
        assert_eq!(linked.joins, Joins::Existing("a".into()));
        let own = decide(P9, Some(&account(Some("r"))), Some(&record(Some("a"), false)), false).unwrap();
        assert_eq!(own.record, RecordPlan::Keep);
        // The account holds someone else's record: a shared mailbox is no proof.
        assert_eq!(decide(P9, Some(&account(Some("other"))), None, false), Err(Refusal::EmailInUse));
        let staff = SameEmail { professional: true, ..account(None) };
        assert_eq!(decide(P9, Some(&staff), None, false), Err(Refusal::EmailInUse));
        let other_nhs_login = SameEmail { nhs_login: true, ..account(None) };
        assert_eq!(decide(P9, Some(&other_nhs_login), None, false), Err(Refusal::EmailInUse));
        let unproven = SameEmail { verified: false, ..account(None) };
        assert_eq!(decide(P9, Some(&unproven), None, false), Err(Refusal::EmailInUse));
        let disabled = SameEmail { disabled: true, ..account(None) };
        assert_eq!(decide(P9, Some(&disabled), None, false), Err(Refusal::AccountDisabled));
    }
}
