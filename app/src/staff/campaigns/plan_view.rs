//! A campaign's reminder plan on its page: each step (the first send, then
//! each reminder) with its channel, the day it is due, whether it ran, and
//! what it did: how many it sent to and why it sent nothing to the others.
//! Safeguarding is a number only, as elsewhere on campaign pages.

use leptos::prelude::*;
use portico_types::api::{PlanStepView, PlanView, StepCounts};

use super::{campaign_href, state_tag};
use crate::dates::long_date;
use crate::numbers::grouped;
use crate::table::{ResponsiveTable, TableRow};

const HEADINGS: [&str; 6] = ["Step", "Sent as", "Due", "State", "Sent", "Not sent"];

/// Why a step sent nothing to some, in words: "2 registered, 1 opted out".
fn not_sent_words(counts: &StepCounts) -> String {
    let parts: Vec<String> = [
        (counts.registered, "registered"),
        (counts.excluded, "safeguarding"),
        (counts.opted_out, "opted out of reminders"),
        (counts.cap, "had the most messages"),
        (counts.no_contact, "no contact detail"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, why)| format!("{} {why}", grouped(n)))
    .collect();
    if parts.is_empty() { "None".to_owned() } else { parts.join(", ") }
}

fn channel_short(channel: &str) -> &'static str {
    match channel {
        "letter" => "Letter",
        "sms" => "Text message",
        "email" => "Email",
        _ => "Other",
    }
}

fn row(step: PlanStepView) -> TableRow {
    let name = if step.step == 0 { "First send".to_owned() } else { format!("Reminder {}", step.step) };
    let state = step.state.as_deref().map_or("Waiting", |s| state_tag(s).0).to_owned();
    let due = if step.step == 0 {
        "At the start".to_owned()
    } else {
        format!("{} ({} days)", long_date(&format!("{}T00:00:00.000000Z", step.due_on)), step.after_days)
    };
    let ran = step.state.is_some();
    TableRow {
        href: step.campaign_id.as_deref().filter(|_| step.step > 0).map(campaign_href),
        cells: vec![
            name,
            channel_short(&step.channel).to_owned(),
            due,
            state,
            if ran { grouped(step.counts.sent) } else { "–".to_owned() },
            if ran { not_sent_words(&step.counts) } else { "–".to_owned() },
        ],
    }
}

/// The plan, as a table; the cap in words above it.
#[component]
pub fn PlanSteps(plan: PlanView) -> impl IntoView {
    let cap = format!(
        "Each patient gets at most {} messages. Reminders stop when a patient registers, has a safeguarding \
         exclusion or asks for no more.",
        plan.max_messages
    );
    let rows: Vec<TableRow> = plan.steps.into_iter().map(row).collect();
    view! {
        <h2 id="reminder-plan">"Reminder plan"</h2>
        <p>{cap}</p>
        <ResponsiveTable caption="Steps of the reminder plan".to_owned() headings=&HEADINGS rows=rows/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_step_did_not_send_reads_as_words() {
        let counts = StepCounts { registered: 2, opted_out: 1, no_contact: 1_200, ..StepCounts::default() };
        assert_eq!(not_sent_words(&counts), "2 registered, 1 opted out of reminders, 1,200 no contact detail");
        assert_eq!(not_sent_words(&StepCounts::default()), "None");
    }
}
