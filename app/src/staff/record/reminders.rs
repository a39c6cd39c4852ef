//! "Reminders" on the record page: whether the patient asked for no more
//! reminders (staff who invite record it when the patient asks, by phone, at
//! the desk or by letter, and lift it), and what each step of each campaign's
//! reminder plan did for this record, newest first: sent on which channel,
//! or why not. An exclusion is named only to staff who may see it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{RecordReminders, ReminderHistoryEntry};

use crate::api;
use crate::dates::local_long_date_time;
use crate::forms::{Button, ErrorItem};
use crate::loader::load;
use crate::table::{ResponsiveTable, TableRow};

const HEADINGS: [&str; 4] = ["When", "Campaign", "Step", "What happened"];

/// What a step did for the record, in words.
fn outcome_words(outcome: &str, channel: &str) -> String {
    let how = match channel {
        "letter" => "letter",
        "sms" => "text message",
        _ => "email",
    };
    let contact = match channel {
        "letter" => "postal address",
        "sms" => "mobile number",
        _ => "email address",
    };
    match outcome {
        "sent" => format!("Sent a new code by {how}"),
        "registered" => "Not sent: registered".to_owned(),
        "excluded" => "Not sent: safeguarding exclusion".to_owned(),
        "opted_out" => "Not sent: asked for no more reminders".to_owned(),
        "cap" => "Not sent: had the plan's most messages".to_owned(),
        "no_contact" => format!("Not sent: no {contact} for a {how}"),
        _ => "Not sent".to_owned(),
    }
}

fn step_words(entry: &ReminderHistoryEntry) -> String {
    if entry.step == 0 {
        "First invitation".to_owned()
    } else {
        format!("Reminder {} of {}", entry.step, entry.steps_in_plan)
    }
}

/// The section, loading the record's reminders when it is shown.
#[component]
pub fn Reminders(
    record_id: String,
    errors: RwSignal<Vec<ErrorItem>>,
    changed: Callback<&'static str>,
) -> impl IntoView {
    let id = StoredValue::new(record_id);
    let answer = load(move || {
        let record_id = id.get_value();
        async move { api::record_reminders(&record_id).await }
    });
    view! {
        <h2 id="reminders">"Reminders"</h2>
        {move || match answer.get() {
            None => view! { <p role="status">"Loading the reminders…"</p> }.into_any(),
            Some(Ok(reminders)) => view! { <Shown reminders=reminders record_id=id.get_value() errors=errors changed=changed/> }.into_any(),
            Some(Err(_)) => view! { <p>"The reminders could not be loaded. Refresh the page to try again."</p> }.into_any(),
        }}
    }
}

#[component]
fn Shown(
    reminders: RecordReminders,
    record_id: String,
    errors: RwSignal<Vec<ErrorItem>>,
    changed: Callback<&'static str>,
) -> impl IntoView {
    let RecordReminders { opt_out, may_change_opt_out, history } = reminders;
    let opted_out = opt_out.is_some();
    let busy = RwSignal::new(false);
    let record_id = StoredValue::new(record_id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api::set_reminder_opt_out(&record_id.get_value(), !opted_out).await;
            busy.set(false);
            match answer {
                Ok(_) if opted_out => changed.run("Reminders can be sent to this patient again."),
                Ok(_) => changed.run("This patient will get no more reminders."),
                Err(error) => errors.set(vec![ErrorItem::form(error.message())]),
            }
        });
    };
    let rows: Vec<TableRow> = history
        .iter()
        .map(|entry| TableRow {
            href: None,
            cells: vec![
                local_long_date_time(&entry.at),
                entry.campaign_name.clone(),
                step_words(entry),
                outcome_words(&entry.outcome, &entry.channel),
            ],
        })
        .collect();
    view! {
        {opt_out.map(|o| view! {
            <div class="nhsuk-inset-text">
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>{format!("The patient asked for no more reminders (recorded by {} on {}). First invitations still go.", o.set_by_name, local_long_date_time(&o.set_at))}</p>
            </div>
        })}
        {may_change_opt_out.then(|| view! {
            <form on:submit=submit novalidate>
                <Button busy=busy class="nhsuk-button--secondary">
                    {if opted_out { "Send reminders again" } else { "Record that the patient wants no more reminders" }}
                </Button>
            </form>
        })}
        {if rows.is_empty() {
            view! { <p>"No campaign with a reminder plan has included this record yet."</p> }.into_any()
        } else {
            view! {
                <p>"Newest first: each step of each campaign's reminder plan, and what it did."</p>
                <ResponsiveTable caption="Reminders for this record".to_owned() headings=&HEADINGS rows=rows/>
            }
            .into_any()
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_says_what_happened() {
        assert_eq!(outcome_words("sent", "sms"), "Sent a new code by text message");
        assert_eq!(outcome_words("no_contact", "letter"), "Not sent: no postal address for a letter");
        assert_eq!(outcome_words("not_sent", "email"), "Not sent");
        assert!(outcome_words("excluded", "email").contains("safeguarding"));
    }
}
