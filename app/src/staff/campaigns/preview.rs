//! A cohort counted before anything is sent: how many records match, how
//! many of them cannot be invited and why, and how many will be.
//!
//! Safeguarding is told as a number only: nothing on this page names or
//! links to an excluded patient, and the words do not say why.

use leptos::prelude::*;
use portico_types::api::{CohortPreview, SharedContacts};

use crate::numbers::{count, grouped};

/// What a record lacks for a channel, after how many: "1 has no …", "2 have no …".
fn lacking_words(channel: &str, n: u64) -> String {
    let what = match channel {
        "letter" => "postal address",
        "sms" => "mobile number",
        _ => "email address",
    };
    format!("{} {} no {what}", grouped(n), if n == 1 { "has" } else { "have" })
}

/// The warning about contact details on more than one record: families
/// often share a mobile or an inbox, so staff know before anything is sent.
fn shared_words(channel: &str, shared: SharedContacts) -> (String, String) {
    let (one, many) =
        if channel == "sms" { ("mobile number", "mobile numbers") } else { ("email address", "email addresses") };
    let heading =
        format!("{} share {}", count(shared.records, "patient", "patients"), count(shared.contacts, one, many));
    let detail = format!(
        "Some patients in this campaign have the same {one} as another (often a family). Each will get a message of \
         their own that names whom it is for, and each code works only with its own patient's date of birth."
    );
    (heading, detail)
}

/// "rows 3, 7 and 12" (the first rows the server names; "and more" when it named fewer than there are).
fn rows_words(rows: &[u64], count: u64) -> String {
    let mut words: Vec<String> = rows.iter().map(u64::to_string).collect();
    let more = count > rows.len() as u64;
    let last = if more { Some("more".to_owned()) } else { words.pop() };
    let head = words.join(", ");
    let label = if rows.len() == 1 && !more { "row" } else { "rows" };
    match (head.is_empty(), last) {
        (true, Some(last)) => format!("{label} {last}"),
        (false, Some(last)) => format!("{label} {head} and {last}"),
        (_, None) => String::new(),
    }
}

/// Those whose record has no entry yet, by what the cohort does with them.
fn without_entries_words(choice: &str, n: u64) -> Option<String> {
    let are = if n == 1 { "record has" } else { "records have" };
    (n > 0).then(|| match choice {
        "hold" => format!("Held until their record has an entry: {} (their {are} nothing in it yet)", grouped(n)),
        "leave_out" => format!("{} left out: their {are} nothing in it yet", grouped(n)),
        _ => format!("{} will be invited although their {are} nothing in it yet", grouped(n)),
    })
}

/// The counts, one line each; lines of nothing are left out, but for the
/// count that matters most: how many will be invited.
#[component]
pub fn CohortCounts(preview: CohortPreview, channel: String, reminder: bool) -> impl IntoView {
    let mut lines = vec![count(preview.matching, "record matches", "records match")];
    if preview.excluded > 0 {
        lines.push(format!("{} cannot be invited (safeguarding)", grouped(preview.excluded)));
    }
    if preview.lacking_contact > 0 {
        lines.push(lacking_words(&channel, preview.lacking_contact));
    }
    if reminder && preview.reminder_cap_reached > 0 {
        let n = preview.reminder_cap_reached;
        let have = if n == 1 { "has" } else { "have" };
        lines.push(format!("{} {have} had the most reminders allowed", grouped(n)));
    }
    if let Some(line) = without_entries_words(&preview.records_without_entries, preview.without_entries) {
        lines.push(line);
    }
    let listed = preview.listed.map(|n| count(n, "NHS number", "NHS numbers"));
    let not_in_team = preview.not_in_team.filter(|n| n.count > 0);
    let shared = preview.shared_contacts.filter(|s| s.records > 0).map(|s| shared_words(&channel, s));
    view! {
        {listed.map(|listed| view! { <p>"Your file lists "{listed}"."</p> })}
        {not_in_team.map(|missing| view! {
            <div class="nhsuk-warning-callout">
                <h3 class="nhsuk-warning-callout__label">
                    <span role="text">
                        <span class="nhsuk-u-visually-hidden">"Important: "</span>
                        {count(missing.count, "NHS number is", "NHS numbers are")}" not in this team"
                    </span>
                </h3>
                <p>
                    "They are left out: "{rows_words(&missing.rows, missing.count)}" of your file. "
                    "Check the numbers, or add the patients to the team first."
                </p>
            </div>
        })}
        {shared.map(|(heading, detail)| view! {
            <div class="nhsuk-warning-callout">
                <h3 class="nhsuk-warning-callout__label">
                    <span role="text">
                        <span class="nhsuk-u-visually-hidden">"Important: "</span>
                        {heading}
                    </span>
                </h3>
                <p>{detail}</p>
            </div>
        })}
        <ul class="nhsuk-list nhsuk-list--bullet">
            {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
        </ul>
        <p class="nhsuk-heading-m">{count(preview.to_invite, "patient", "patients")}" will be invited"</p>
    }
}

#[cfg(test)]
mod tests {
    use super::{SharedContacts, lacking_words, rows_words, shared_words, without_entries_words};

    #[test]
    fn held_left_out_or_invited_records_without_entries_are_counted_in_words() {
        assert_eq!(without_entries_words("hold", 0), None);
        assert!(
            without_entries_words("hold", 1_200).unwrap().starts_with("Held until their record has an entry: 1,200")
        );
        assert!(without_entries_words("leave_out", 1).unwrap().contains("record has nothing"));
        assert!(without_entries_words("invite", 2).unwrap().contains("will be invited"));
    }

    #[test]
    fn what_is_lacking_agrees_with_how_many() {
        assert_eq!(lacking_words("letter", 1), "1 has no postal address");
        assert_eq!(lacking_words("sms", 1_200), "1,200 have no mobile number");
        assert_eq!(lacking_words("email", 0), "0 have no email address");
    }

    #[test]
    fn shared_contacts_are_counted_in_words() {
        let (heading, detail) = shared_words("sms", SharedContacts { records: 5, contacts: 2 });
        assert_eq!(heading, "5 patients share 2 mobile numbers");
        assert!(detail.contains("same mobile number"), "{detail}");
        let (heading, _) = shared_words("email", SharedContacts { records: 2, contacts: 1 });
        assert_eq!(heading, "2 patients share 1 email address");
    }

    #[test]
    fn rows_are_listed_as_people_write_them() {
        assert_eq!(rows_words(&[3], 1), "row 3");
        assert_eq!(rows_words(&[3, 7], 2), "rows 3 and 7");
        assert_eq!(rows_words(&[3, 7, 12], 3), "rows 3, 7 and 12");
        assert_eq!(rows_words(&[3, 7], 30), "rows 3, 7 and more");
        assert_eq!(rows_words(&[], 0), "");
    }
}
