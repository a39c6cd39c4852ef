//! What the new-campaign form holds, and how it becomes the request the
//! server counts and starts: every field checked at once, in the words the
//! error summary shows.

use leptos::prelude::*;
use portico_types::api::CohortRequest;
use wasm_bindgen_futures::JsFuture;

use crate::forms::{ErrorItem, RadioOption};

/// Field ids, the same as the request's field names, so the server's field
/// errors land on the right field.
pub const NAME: &str = "name";
pub const CHANNEL: &str = "channel";
pub const REGISTRATION: &str = "registration";
pub const MIN_AGE: &str = "min_age";
pub const MAX_AGE: &str = "max_age";
pub const CSV: &str = "nhs_numbers_csv";
pub const INVITED_DAYS_AGO: &str = "invited_days_ago";
pub const MAX_REMINDERS: &str = "max_reminders";
pub const WITHOUT_ENTRIES: &str = "records_without_entries";
pub const FIELDS: [&str; 9] =
    [NAME, CHANNEL, REGISTRATION, MIN_AGE, MAX_AGE, CSV, INVITED_DAYS_AGO, MAX_REMINDERS, WITHOUT_ENTRIES];

pub const CHANNELS: [RadioOption; 3] = [
    RadioOption {
        value: "letter",
        label: "Letters to print",
        hint: Some("Batches of letters as PDFs, with a manifest for a print house. Patients need a postal address."),
    },
    RadioOption {
        value: "sms",
        label: "Text messages",
        hint: Some("Sent through GOV.UK Notify. Patients need a mobile number."),
    },
    RadioOption { value: "email", label: "Emails", hint: Some("Patients need an email address.") },
];

pub const REGISTRATIONS: [RadioOption; 3] = [
    RadioOption {
        value: "not_invited",
        label: "Never invited",
        hint: Some("Patients who have not had an invitation of any kind"),
    },
    RadioOption {
        value: "not_registered",
        label: "Not registered",
        hint: Some("Never invited, or their invitation expired or was replaced"),
    },
    RadioOption {
        value: "reminder",
        label: "Reminder to those invited but not registered",
        hint: Some("Patients invited a while ago who have not registered yet"),
    },
];

/// What happens to patients whose record has nothing in it yet.
pub const WITHOUTS: [RadioOption; 3] = [
    RadioOption {
        value: "hold",
        label: "Wait until their record has something in it",
        hint: Some("Their invitation goes out by itself when the first letter, result or appointment arrives"),
    },
    RadioOption { value: "invite", label: "Invite them now, like everyone else", hint: None },
    RadioOption { value: "leave_out", label: "Leave them out of this campaign", hint: None },
];

/// The choice the team's setting makes (the form starts with it).
pub fn team_default(hold_until_entries: bool) -> &'static str {
    if hold_until_entries { "hold" } else { "invite" }
}

/// The oldest age the form takes.
const OLDEST: u32 = 130;

/// The form's values, as typed.
#[derive(Debug, Clone, Copy)]
pub struct CohortFields {
    pub name: RwSignal<String>,
    pub channel: RwSignal<String>,
    pub registration: RwSignal<String>,
    pub min_age: RwSignal<String>,
    pub max_age: RwSignal<String>,
    pub invited_days_ago: RwSignal<String>,
    pub max_reminders: RwSignal<String>,
    pub without_entries: RwSignal<String>,
    /// The NHS numbers file input.
    pub csv: NodeRef<leptos::html::Input>,
}

impl CohortFields {
    pub fn new() -> Self {
        let text = || RwSignal::new(String::new());
        Self {
            name: text(),
            channel: text(),
            registration: text(),
            min_age: text(),
            max_age: text(),
            invited_days_ago: text(),
            max_reminders: text(),
            without_entries: text(),
            csv: NodeRef::new(),
        }
    }

    /// The values now, with the chosen file read as text: this is the
    /// browser reading a file the person chose, nothing is sent yet.
    pub async fn read(self) -> Result<CohortInput, Vec<ErrorItem>> {
        let file = self.csv.get_untracked().and_then(|input| input.files()).and_then(|files| files.get(0));
        let csv = match file {
            None => None,
            Some(file) => {
                if !file.name().to_ascii_lowercase().ends_with(".csv") {
                    return Err(vec![ErrorItem::field(CSV, "The selected file must be a CSV")]);
                }
                let text = JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string());
                match text {
                    Some(text) if !text.trim().is_empty() => Some(text),
                    Some(_) => return Err(vec![ErrorItem::field(CSV, "The selected file is empty")]),
                    None => return Err(vec![ErrorItem::field(CSV, "The selected file could not be read")]),
                }
            }
        };
        Ok(CohortInput {
            channel: self.channel.get_untracked(),
            registration: self.registration.get_untracked(),
            min_age: self.min_age.get_untracked(),
            max_age: self.max_age.get_untracked(),
            invited_days_ago: self.invited_days_ago.get_untracked(),
            max_reminders: self.max_reminders.get_untracked(),
            without_entries: self.without_entries.get_untracked(),
            csv,
        })
    }
}

/// The cohort's values as typed, the file as its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CohortInput {
    pub channel: String,
    pub registration: String,
    pub min_age: String,
    pub max_age: String,
    pub invited_days_ago: String,
    pub max_reminders: String,
    /// Empty: the team's setting decides.
    pub without_entries: String,
    pub csv: Option<String>,
}

/// A whole number typed in `field`, if any: `Ok(None)` when left empty.
fn whole_number(field: &str, typed: &str, what: &str, errors: &mut Vec<ErrorItem>) -> Option<u32> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    match typed.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(ErrorItem::field(field, format!("{what} must be a whole number, like 14")));
            None
        }
    }
}

impl CohortInput {
    /// The request, or every field that is wrong.
    pub fn request(&self) -> Result<CohortRequest, Vec<ErrorItem>> {
        let mut errors = Vec::new();
        if !CHANNELS.iter().any(|c| c.value == self.channel) {
            errors.push(ErrorItem::field(CHANNEL, "Select how the invitations are sent"));
        }
        if !REGISTRATIONS.iter().any(|r| r.value == self.registration) {
            errors.push(ErrorItem::field(REGISTRATION, "Select who to invite"));
        }
        if !self.without_entries.is_empty() && !WITHOUTS.iter().any(|w| w.value == self.without_entries) {
            errors.push(ErrorItem::field(WITHOUT_ENTRIES, "Select what happens to patients whose record is empty"));
        }
        let min_age = whole_number(MIN_AGE, &self.min_age, "The youngest age", &mut errors);
        let max_age = whole_number(MAX_AGE, &self.max_age, "The oldest age", &mut errors);
        for (field, age) in [(MIN_AGE, min_age), (MAX_AGE, max_age)] {
            if age.is_some_and(|age| age > OLDEST) {
                errors.push(ErrorItem::field(field, format!("Enter an age of {OLDEST} years or under")));
            }
        }
        if let (Some(min), Some(max)) = (min_age, max_age)
            && min > max
        {
            errors.push(ErrorItem::field(MAX_AGE, "The oldest age must be the same as or more than the youngest"));
        }
        let reminder = self.registration == "reminder";
        let (mut invited_days_ago, mut max_reminders) = (None, None);
        if reminder {
            invited_days_ago = whole_number(INVITED_DAYS_AGO, &self.invited_days_ago, "Days", &mut errors);
            max_reminders = whole_number(MAX_REMINDERS, &self.max_reminders, "Reminders", &mut errors);
            if self.invited_days_ago.trim().is_empty() {
                errors.push(ErrorItem::field(INVITED_DAYS_AGO, "Enter how many days ago they were invited, like 14"));
            }
            if self.max_reminders.trim().is_empty() {
                errors.push(ErrorItem::field(MAX_REMINDERS, "Enter the most reminders a patient can have, like 2"));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CohortRequest {
            channel: self.channel.clone(),
            registration: self.registration.clone(),
            min_age,
            max_age,
            nhs_numbers_csv: self.csv.clone(),
            invited_days_ago,
            max_reminders,
            records_without_entries: (!self.without_entries.is_empty()).then(|| self.without_entries.clone()),
        })
    }
}

/// The server's field errors on this form: a field of the cohort may come
/// back named `cohort.channel` (from the start request) or `channel`.
pub fn server_field_errors(problem: &portico_types::problem::Problem) -> Vec<ErrorItem> {
    problem
        .errors
        .iter()
        .filter_map(|e| {
            let field = e.field.strip_prefix("cohort.").unwrap_or(&e.field);
            FIELDS.contains(&field).then(|| ErrorItem::field(field, e.message.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(channel: &str, registration: &str) -> CohortInput {
        CohortInput { channel: channel.into(), registration: registration.into(), ..CohortInput::default() }
    }

    fn fields(result: Result<CohortRequest, Vec<ErrorItem>>) -> Vec<String> {
        result.err().unwrap_or_default().into_iter().filter_map(|e| e.field).collect()
    }

    #[test]
    fn a_plain_cohort_needs_a_channel_and_who() {
        assert_eq!(fields(input("", "").request()), [CHANNEL, REGISTRATION]);
        let request = input("letter", "not_invited").request().unwrap();
        assert_eq!((request.min_age, request.max_age, request.invited_days_ago), (None, None, None));
        assert_eq!(request.nhs_numbers_csv, None);
    }

    #[test]
    fn records_without_entries_are_sent_as_chosen_or_left_to_the_team() {
        assert_eq!(input("sms", "not_invited").request().unwrap().records_without_entries, None);
        let mut typed = input("sms", "not_invited");
        typed.without_entries = team_default(true).into();
        assert_eq!(typed.request().unwrap().records_without_entries.as_deref(), Some("hold"));
        typed.without_entries = "later".into();
        assert_eq!(fields(typed.request()), [WITHOUT_ENTRIES]);
        assert_eq!(team_default(false), "invite");
    }

    #[test]
    fn ages_are_whole_years_in_order() {
        let mut typed = input("sms", "not_registered");
        typed.min_age = " 65 ".into();
        typed.max_age = "120".into();
        let request = typed.request().unwrap();
        assert_eq!((request.min_age, request.max_age), (Some(65), Some(120)));
        typed.min_age = "sixty".into();
        typed.max_age = "200".into();
        assert_eq!(fields(typed.request()), [MIN_AGE, MAX_AGE]);
        typed.min_age = "70".into();
        typed.max_age = "65".into();
        assert_eq!(fields(typed.request()), [MAX_AGE]);
    }

    #[test]
    fn reminders_say_how_long_ago_and_how_many() {
        let mut typed = input("email", "reminder");
        assert_eq!(fields(typed.request()), [INVITED_DAYS_AGO, MAX_REMINDERS]);
        typed.invited_days_ago = "14".into();
        typed.max_reminders = "2".into();
        let request = typed.request().unwrap();
        assert_eq!((request.invited_days_ago, request.max_reminders), (Some(14), Some(2)));
        // Not asked for other cohorts, so not sent.
        typed.registration = "not_invited".into();
        assert_eq!(typed.request().unwrap().invited_days_ago, None);
    }

    #[test]
    fn the_server_s_cohort_fields_land_on_the_form_s() {
        let problem = portico_types::problem::Problem {
            kind: "invalid-request".into(),
            title: "There is a problem".into(),
            status: 422,
            detail: None,
            errors: vec![
                portico_types::problem::FieldError::new("cohort.nhs_numbers_csv", "Row 3 is not an NHS number"),
                portico_types::problem::FieldError::new("name", "Enter a name"),
                portico_types::problem::FieldError::new("something_else", "?"),
            ],
            retry_after: None,
        };
        let found: Vec<Option<String>> = server_field_errors(&problem).into_iter().map(|e| e.field).collect();
        assert_eq!(found, [Some(CSV.to_owned()), Some(NAME.to_owned())]);
    }
}
