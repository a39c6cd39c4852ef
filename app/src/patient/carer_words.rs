//! How carers' access is said to people: the same words on the record
//! switcher (patient bundle) and the carers' pages (carers bundle).

#[cfg(feature = "patient")]
use portico_types::api::AccessLevel;
use portico_types::api::CarerKind;

/// What a carer is, after "as their": "parent or guardian", "carer".
#[cfg(feature = "patient")]
pub fn role(kind: CarerKind, relationship: Option<&str>) -> String {
    match (kind, relationship.map(str::trim).filter(|r| !r.is_empty())) {
        (CarerKind::ParentGuardian, Some(relationship)) => relationship.to_lowercase(),
        (CarerKind::ParentGuardian, None) => "parent or guardian".to_owned(),
        (CarerKind::AdultCarerConsent | CarerKind::AdultLacksCapacity, _) => "carer".to_owned(),
    }
}

/// How much of the record a carer sees, as a sentence's end.
#[cfg(feature = "patient")]
pub fn level(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::Everything => "everything in the record",
        AccessLevel::NotPrivate => {
            "everything except entries the patient made private and entries the clinical team marked sensitive"
        }
    }
}

/// How the access came about, as the patient is told it.
#[cfg(feature = "carers")]
pub fn grounds(kind: CarerKind) -> &'static str {
    match kind {
        CarerKind::AdultCarerConsent => "You invited them",
        CarerKind::ParentGuardian => "Added by your clinical team as your parent or guardian",
        CarerKind::AdultLacksCapacity => "Added by your clinical team",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "patient")]
    fn a_parent_is_called_what_the_professional_wrote() {
        assert_eq!(role(CarerKind::ParentGuardian, Some("Mother")), "mother");
        assert_eq!(role(CarerKind::ParentGuardian, Some("  ")), "parent or guardian");
        assert_eq!(role(CarerKind::AdultCarerConsent, None), "carer");
    }
}
