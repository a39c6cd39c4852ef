//! Carers' kinds, legal bases and access levels in the words staff read,
//! and the answers the add and override forms offer, in one place so the
//! list and the forms say the same thing.

use portico_types::api::{AccessLevel, CarerKind};

use crate::forms::RadioOption;

pub fn kind_words(kind: CarerKind) -> &'static str {
    match kind {
        CarerKind::ParentGuardian => "Parent or guardian",
        CarerKind::AdultLacksCapacity => "Carer (adult who lacks capacity)",
        CarerKind::AdultCarerConsent => "Carer invited by the patient",
    }
}

pub fn access_words(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::Everything => "Everything in the record",
        AccessLevel::NotPrivate => "Everything except private and sensitive entries",
    }
}

/// What an age band does to a parent's access, as the server names it
/// (`not_private`, `review`, `end`), in words.
pub fn band_words(becomes: &str) -> String {
    match becomes {
        "review" => "a professional reviews their access".to_owned(),
        "end" => "their access ends".to_owned(),
        level => match AccessLevel::parse(level) {
            Some(level) => format!("their access narrows to {}", access_words(level).to_lowercase()),
            None => level.replace('_', " "),
        },
    }
}

/// A legal basis as the server names it, in words; one this page does not
/// know reads as its own name.
pub fn basis_words(basis: &str) -> String {
    CHILD_BASES
        .iter()
        .chain(ADULT_BASES.iter())
        .find(|b| b.value == basis)
        .map_or_else(|| basis.replace('_', " "), |b| b.label.to_owned())
}

pub const KINDS: [RadioOption; 2] = [
    RadioOption {
        value: "parent_guardian",
        label: "A parent or guardian of a child",
        hint: Some(
            "Their access narrows, is reviewed or ends at the ages your organisation sets (by default it ends at 16)",
        ),
    },
    RadioOption {
        value: "adult_lacks_capacity",
        label: "A carer of an adult who lacks capacity",
        hint: Some("Someone with lasting power of attorney, a court deputy, or acting in the patient's best interests"),
    },
];

pub const CHILD_BASES: [RadioOption; 4] = [
    RadioOption { value: "parental_responsibility", label: "Parental responsibility", hint: None },
    RadioOption { value: "court_order", label: "Court order", hint: Some("Such as a child arrangements order") },
    RadioOption { value: "special_guardianship", label: "Special guardianship order", hint: None },
    RadioOption { value: "other", label: "Other", hint: Some("Describe it below") },
];

pub const ADULT_BASES: [RadioOption; 3] = [
    RadioOption {
        value: "lasting_power_of_attorney",
        label: "Lasting power of attorney for health and welfare",
        hint: None,
    },
    RadioOption { value: "court_deputy", label: "Deputy appointed by the Court of Protection", hint: None },
    RadioOption {
        value: "best_interests",
        label: "Acting in the patient's best interests",
        hint: Some("A decision recorded under the Mental Capacity Act 2005"),
    },
];

pub const ACCESS_LEVELS: [RadioOption; 2] = [
    RadioOption { value: "everything", label: "Everything in the record", hint: None },
    RadioOption {
        value: "not_private",
        label: "Everything except private and sensitive entries",
        hint: Some("Entries the patient marked private, and entries a professional labelled sensitive, are hidden"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_the_server_knows_has_words() {
        for kind in CarerKind::ALL {
            assert!(!kind_words(kind).contains('_'));
        }
        for level in AccessLevel::ALL {
            assert!(ACCESS_LEVELS.iter().any(|o| o.value == level.as_str() && o.label == access_words(level)));
        }
        for kind in KINDS {
            assert!(CarerKind::parse(kind.value).is_some(), "{}", kind.value);
        }
        assert_eq!(basis_words("court_deputy"), "Deputy appointed by the Court of Protection");
        assert_eq!(basis_words("new_basis"), "new basis");
    }
}
