//! The new-campaign form's reminder plan: up to five reminder steps after
//! the first send, each a channel and a number of days after the campaign
//! starts, and the most messages one patient gets. The server checks the
//! plan (no zero days, no step before the one it follows, no repeats); its
//! field errors land on these fields, whose ids are its field names.
//!
//! Only the first step shows at first; each further one appears once the
//! step before it has a channel, so a phone screen is not a wall of ten
//! empty fields for the usual plan of one or two reminders.

use leptos::prelude::*;
use portico_types::api::{PlanPreview, PlanRequest, PlanStepRequest};

use crate::forms::{ErrorItem, TextInput, message_for};
use crate::numbers::grouped;

/// Reminder steps the form offers: as many as the server takes.
pub const STEPS_SHOWN: usize = 5;
pub const STEP_CHANNEL: [&str; STEPS_SHOWN] =
    ["plan_step_1_channel", "plan_step_2_channel", "plan_step_3_channel", "plan_step_4_channel", "plan_step_5_channel"];
pub const STEP_DAYS: [&str; STEPS_SHOWN] = [
    "plan_step_1_after_days",
    "plan_step_2_after_days",
    "plan_step_3_after_days",
    "plan_step_4_after_days",
    "plan_step_5_after_days",
];
pub const MAX_MESSAGES: &str = "max_messages";
pub const PLAN: &str = "plan";
pub const PLAN_FIELDS: [&str; 2 + 2 * STEPS_SHOWN] = [
    PLAN,
    MAX_MESSAGES,
    STEP_CHANNEL[0],
    STEP_DAYS[0],
    STEP_CHANNEL[1],
    STEP_DAYS[1],
    STEP_CHANNEL[2],
    STEP_DAYS[2],
    STEP_CHANNEL[3],
    STEP_DAYS[3],
    STEP_CHANNEL[4],
    STEP_DAYS[4],
];

const STEP_LABELS: [&str; STEPS_SHOWN] =
    ["Reminder 1 sent as", "Reminder 2 sent as", "Reminder 3 sent as", "Reminder 4 sent as", "Reminder 5 sent as"];
const DAYS_LABELS: [&str; STEPS_SHOWN] = [
    "Reminder 1: days after the campaign starts",
    "Reminder 2: days after the campaign starts",
    "Reminder 3: days after the campaign starts",
    "Reminder 4: days after the campaign starts",
    "Reminder 5: days after the campaign starts",
];
const CHANNEL_OPTIONS: [(&str, &str); 4] =
    [("", "No reminder"), ("letter", "Letter"), ("sms", "Text message"), ("email", "Email")];

/// The plan's values, as typed.
#[derive(Debug, Clone, Copy)]
pub struct PlanFields {
    pub channels: [RwSignal<String>; STEPS_SHOWN],
    pub days: [RwSignal<String>; STEPS_SHOWN],
    pub max_messages: RwSignal<String>,
}

impl PlanFields {
    pub fn new() -> Self {
        let text = || RwSignal::new(String::new());
        Self { channels: std::array::from_fn(|_| text()), days: std::array::from_fn(|_| text()), max_messages: text() }
    }

    /// Whether step `i` shows: the first always; a later one once the step
    /// before it has a channel, or when it holds something itself (so a
    /// value never hides when the step before is cleared).
    pub fn shows(&self, i: usize) -> bool {
        let has = |s: &RwSignal<String>| s.with(|v| !v.trim().is_empty());
        i == 0 || has(&self.channels[i - 1]) || has(&self.channels[i]) || has(&self.days[i])
    }

    /// Subscribes the caller to every field (a change makes counts stale).
    pub fn track(&self) {
        self.channels.iter().chain(self.days.iter()).for_each(|s| s.track());
        self.max_messages.track();
    }

    pub fn input(&self) -> PlanInput {
        PlanInput {
            steps: (0..STEPS_SHOWN).map(|i| (self.channels[i].get_untracked(), self.days[i].get_untracked())).collect(),
            max_messages: self.max_messages.get_untracked(),
        }
    }
}

/// The plan as typed: `(channel, days)` per row, and the cap.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanInput {
    pub steps: Vec<(String, String)>,
    pub max_messages: String,
}

impl PlanInput {
    /// The plan, `None` when no reminder is chosen, or every field that is wrong.
    pub fn request(&self) -> Result<Option<PlanRequest>, Vec<ErrorItem>> {
        let mut errors = Vec::new();
        let mut steps = Vec::new();
        let mut gap: Option<usize> = None;
        for (i, (channel, days)) in self.steps.iter().enumerate().take(STEPS_SHOWN) {
            let (channel, days) = (channel.trim(), days.trim());
            if channel.is_empty() {
                if !days.is_empty() {
                    errors.push(ErrorItem::field(
                        STEP_CHANNEL[i],
                        format!("Select how reminder {} is sent, or clear its days", i + 1),
                    ));
                }
                gap.get_or_insert(i);
                continue;
            }
            if let Some(empty) = gap {
                errors.push(ErrorItem::field(
                    STEP_CHANNEL[empty],
                    format!("Choose reminder {} before reminder {}", empty + 1, i + 1),
                ));
                gap = None;
            }
            let after_days = match days.parse::<i64>() {
                Ok(n) => n,
                Err(_) if days.is_empty() => {
                    errors.push(ErrorItem::field(
                        STEP_DAYS[i],
                        format!("Enter how many days after the campaign starts reminder {} goes, like 14", i + 1),
                    ));
                    0
                }
                Err(_) => {
                    errors.push(ErrorItem::field(STEP_DAYS[i], "Days must be a whole number, like 14"));
                    0
                }
            };
            steps.push(PlanStepRequest { channel: channel.to_owned(), after_days });
        }
        let typed = self.max_messages.trim();
        let max_messages = if typed.is_empty() {
            None
        } else {
            match typed.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(ErrorItem::field(MAX_MESSAGES, "The most messages must be a whole number, like 3"));
                    None
                }
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((!steps.is_empty()).then_some(PlanRequest { steps, max_messages }))
    }
}

/// The reminder steps and the cap, inside the new-campaign form.
#[component]
pub fn PlanFieldset(fields: PlanFields, errors: RwSignal<Vec<ErrorItem>>) -> impl IntoView {
    let error_of = move |field: &'static str| Signal::derive(move || errors.with(|e| message_for(e, field)));
    view! {
        <div class="nhsuk-form-group">
            <fieldset class="nhsuk-fieldset" aria-describedby="plan-hint">
                <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">"Reminders (optional)"</legend>
                <div class="nhsuk-hint" id="plan-hint">
                    "Patients who have not registered are reminded, each time with a new code. For example, a text "
                    "message after 14 days, then an email after 28. Nobody who has registered, has a safeguarding "
                    "exclusion or asked for no more reminders is reminded. Choose a reminder to add another, up to five."
                </div>
                {(0..STEPS_SHOWN).map(|i| view! {
                    <Show when=move || fields.shows(i)>
                        <ChannelSelect id=STEP_CHANNEL[i] label=STEP_LABELS[i] value=fields.channels[i] error=error_of(STEP_CHANNEL[i])/>
                        <TextInput
                            id=STEP_DAYS[i]
                            label=DAYS_LABELS[i]
                            value=fields.days[i]
                            error=error_of(STEP_DAYS[i])
                            autocomplete="off"
                            class="nhsuk-input--width-3"
                        />
                    </Show>
                }).collect_view()}
                <TextInput
                    id=MAX_MESSAGES
                    label="Most messages per patient (optional)"
                    hint="The first invitation included. Leave empty for one per step."
                    value=fields.max_messages
                    error=error_of(MAX_MESSAGES)
                    autocomplete="off"
                    class="nhsuk-input--width-3"
                />
            </fieldset>
        </div>
    }
}

/// An NHS.UK select of a reminder's channel.
#[component]
fn ChannelSelect(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let group = move || {
        if error.with(Option::is_some) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }
    };
    let select_class =
        move || if error.with(Option::is_some) { "nhsuk-select nhsuk-select--error" } else { "nhsuk-select" };
    view! {
        <div class=group>
            <label class="nhsuk-label" for=id>{label}</label>
            {move || error.get().map(|message| view! {
                <span class="nhsuk-error-message" id=format!("{id}-error")>
                    <span class="nhsuk-u-visually-hidden">"Error: "</span>
                    {message}
                </span>
            })}
            <select
                class=select_class
                id=id
                name=id
                aria-describedby=move || error.with(Option::is_some).then(|| format!("{id}-error"))
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {CHANNEL_OPTIONS.iter().map(|&(v, words)| view! {
                    <option value=v selected=move || value.with(|now| now.as_str() == v)>{words}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// What each step could not reach, from the plan's preview.
#[component]
pub fn PlanCounts(preview: PlanPreview) -> impl IntoView {
    let lines: Vec<String> = preview
        .steps
        .iter()
        .map(|step| {
            let what = match step.channel.as_str() {
                "letter" => ("a letter", "postal address"),
                "sms" => ("a text message", "mobile number"),
                _ => ("an email", "email address"),
            };
            let lacking = match step.lacking_contact {
                0 => String::new(),
                1 => format!(": 1 patient has no {} and will be skipped", what.1),
                n => format!(": {} patients have no {} and will be skipped", grouped(n), what.1),
            };
            format!("Reminder {} is {}, {} days after the start{lacking}", step.step, what.0, step.after_days)
        })
        .collect();
    view! {
        <h3>"Reminders"</h3>
        <ul class="nhsuk-list nhsuk-list--bullet">
            {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(rows: &[(&str, &str)], cap: &str) -> PlanInput {
        let mut steps: Vec<(String, String)> = rows.iter().map(|(c, d)| ((*c).into(), (*d).into())).collect();
        steps.resize(STEPS_SHOWN, (String::new(), String::new()));
        PlanInput { steps, max_messages: cap.into() }
    }

    fn fields(input: &PlanInput) -> Vec<String> {
        input.request().err().unwrap_or_default().into_iter().filter_map(|e| e.field).collect()
    }

    #[test]
    fn no_reminder_chosen_is_no_plan() {
        assert_eq!(typed(&[], "").request().unwrap(), None);
    }

    #[test]
    fn chosen_reminders_become_steps_in_order() {
        let plan = typed(&[("sms", " 14 "), ("email", "28")], "3").request().unwrap().unwrap();
        assert_eq!(plan.steps.len(), 2);
        assert_eq!((plan.steps[1].channel.as_str(), plan.steps[1].after_days), ("email", 28));
        assert_eq!(plan.max_messages, Some(3));
    }

    #[test]
    fn all_five_reminders_the_server_takes_can_be_typed() {
        let rows = [("letter", "7"), ("sms", "14"), ("email", "21"), ("sms", "28"), ("email", "35")];
        let plan = typed(&rows, "").request().unwrap().unwrap();
        assert_eq!(plan.steps.len(), 5);
        assert_eq!((plan.steps[4].channel.as_str(), plan.steps[4].after_days), ("email", 35));
    }

    #[test]
    fn the_server_judges_the_days_but_they_must_be_numbers() {
        // Zero and negative days reach the server, which names the problem.
        assert_eq!(typed(&[("sms", "0"), ("email", "-3")], "").request().unwrap().unwrap().steps.len(), 2);
        assert_eq!(
            fields(&typed(&[("sms", "soon"), ("email", "")], "lots")),
            [STEP_DAYS[0], STEP_DAYS[1], MAX_MESSAGES]
        );
    }

    #[test]
    fn gaps_and_days_without_a_channel_are_named() {
        assert_eq!(fields(&typed(&[("", ""), ("sms", "14")], "")), [STEP_CHANNEL[0]]);
        assert_eq!(fields(&typed(&[("", "14")], "")), [STEP_CHANNEL[0]]);
    }
}
