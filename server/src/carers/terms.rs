//! The terms of a carer link, as values that can only hold a valid
//! combination: the grounds (and for a professional's link, the legal basis
//! and the organisation), the access level and an optional end.

use time::{Date, OffsetDateTime, Time};

use super::{AccessLevel, CarerKind};

/// Why a parent or guardian holds a child's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildBasis {
    ParentalResponsibility,
    CourtOrder,
    SpecialGuardianship,
    /// Anything else, in the professional's words.
    Other(String),
}

/// Why a carer holds the record of an adult who lacks capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdultBasis {
    LastingPowerOfAttorney,
    CourtDeputy,
    BestInterests,
}

impl ChildBasis {
    /// `basis` as sent, with the note `other` needs.
    pub fn parse(basis: &str, note: &str) -> Option<Self> {
        match basis {
            "parental_responsibility" => Some(Self::ParentalResponsibility),
            "court_order" => Some(Self::CourtOrder),
            "special_guardianship" => Some(Self::SpecialGuardianship),
            "other" if !note.trim().is_empty() => Some(Self::Other(note.trim().to_owned())),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::ParentalResponsibility => "parental_responsibility",
            Self::CourtOrder => "court_order",
            Self::SpecialGuardianship => "special_guardianship",
            Self::Other(_) => "other",
        }
    }
}

impl AdultBasis {
    pub fn parse(basis: &str) -> Option<Self> {
        match basis {
            "lasting_power_of_attorney" => Some(Self::LastingPowerOfAttorney),
            "court_deputy" => Some(Self::CourtDeputy),
            "best_interests" => Some(Self::BestInterests),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LastingPowerOfAttorney => "lasting_power_of_attorney",
            Self::CourtDeputy => "court_deputy",
            Self::BestInterests => "best_interests",
        }
    }
}

/// On what grounds a link exists: the columns `kind`, `relationship`,
/// `legal_basis`, `legal_note`, `organisation_id` and `review_at` together,
/// in the combinations the tables' checks allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grounds {
    /// The patient's consent: they invited the carer.
    AdultCarerConsent,
    /// Added by a professional of `organisation_id`; comes up at `review_at`.
    ParentGuardian { relationship: String, basis: ChildBasis, organisation_id: String, review_at: OffsetDateTime },
    /// Added by a professional of `organisation_id`.
    AdultLacksCapacity { relationship: Option<String>, basis: AdultBasis, organisation_id: String },
}

/// The stored columns of [`Grounds`].
#[derive(Debug, Clone, Default)]
pub struct GroundsColumns {
    pub relationship: Option<String>,
    pub legal_basis: Option<&'static str>,
    pub legal_note: Option<String>,
    pub organisation_id: Option<String>,
    pub review_at: Option<OffsetDateTime>,
}

impl Grounds {
    pub fn kind(&self) -> CarerKind {
        match self {
            Self::AdultCarerConsent => CarerKind::AdultCarerConsent,
            Self::ParentGuardian { .. } => CarerKind::ParentGuardian,
            Self::AdultLacksCapacity { .. } => CarerKind::AdultLacksCapacity,
        }
    }

    pub fn columns(&self) -> GroundsColumns {
        match self {
            Self::AdultCarerConsent => GroundsColumns::default(),
            Self::ParentGuardian { relationship, basis, organisation_id, review_at } => GroundsColumns {
                relationship: Some(relationship.clone()),
                legal_basis: Some(basis.as_str()),
                legal_note: match basis {
                    ChildBasis::Other(note) => Some(note.clone()),
                    _ => None,
                },
                organisation_id: Some(organisation_id.clone()),
                review_at: Some(*review_at),
            },
            Self::AdultLacksCapacity { relationship, basis, organisation_id } => GroundsColumns {
                relationship: relationship.clone(),
                legal_basis: Some(basis.as_str()),
                legal_note: None,
                organisation_id: Some(organisation_id.clone()),
                review_at: None,
            },
        }
    }
}

/// Everything a new link will have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub grounds: Grounds,
    pub level: AccessLevel,
    /// Access stops at this moment, if set; always after the invitation is made.
    pub ends_at: Option<OffsetDateTime>,
}

/// A child's review: the start of the day they turn `age` (a 29 February
/// birthday comes on 1 March in other years).
pub fn day_of_age(born: Date, age: u8) -> Option<OffsetDateTime> {
    let year = born.year() + i32::from(age);
    let day = born.replace_year(year).ok().or_else(|| Date::from_calendar_date(year, time::Month::March, 1).ok())?;
    Some(day.with_time(Time::MIDNIGHT).assume_utc())
}

/// A typed end date that is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotADate;

/// A date typed as `YYYY-MM-DD` as the start of that day (UTC); empty for none.
pub fn parse_end_day(text: &str) -> Result<Option<OffsetDateTime>, NotADate> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let format = time::format_description::well_known::Iso8601::DATE;
    let day = Date::parse(text, &format).map_err(|_| NotADate)?;
    Ok(Some(day.with_time(Time::MIDNIGHT).assume_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn a_child_comes_of_age_on_their_birthday_and_leap_days_on_the_first_of_march() {
        assert_eq!(day_of_age(date!(2010 - 06 - 15), 16), Some(datetime!(2026-06-15 00:00 UTC)));
        assert_eq!(day_of_age(date!(2008 - 02 - 29), 16), Some(datetime!(2024-02-29 00:00 UTC)));
        assert_eq!(day_of_age(date!(2008 - 02 - 29), 17), Some(datetime!(2025-03-01 00:00 UTC)));
    }

    #[test]
    fn other_grounds_need_a_note() {
        assert_eq!(ChildBasis::parse("other", "  "), None);
        assert_eq!(ChildBasis::parse("other", " kinship care "), Some(ChildBasis::Other("kinship care".into())));
        assert_eq!(ChildBasis::parse("court_order", ""), Some(ChildBasis::CourtOrder));
        assert_eq!(AdultBasis::parse("parental_responsibility"), None);
    }
}
