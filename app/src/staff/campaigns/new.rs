//! `/staff/teams/:team_id/campaigns/new`: the admin names a campaign,
//! chooses the channel and the cohort, counts it, and only then starts it.
//!
//! The start button answers for the counts on the page: change the cohort
//! (or its reminder plan) and it goes until the cohort is counted again, so
//! what is started is what was counted.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portico_types::api::{
    CohortPreview, CohortRequest, PlanPreview, PlanPreviewRequest, PlanRequest, StartCampaignRequest, TeamSummary,
};

use super::cohort_form::{
    CHANNEL, CHANNELS, CSV, CohortFields, INVITED_DAYS_AGO, MAX_AGE, MAX_REMINDERS, MIN_AGE, NAME, REGISTRATION,
    REGISTRATIONS, WITHOUT_ENTRIES, WITHOUTS, server_field_errors, team_default,
};
use super::invitation_settings::invitation_settings_href;
use super::plan_form::{PLAN_FIELDS, PlanCounts, PlanFields, PlanFieldset};
use super::preview::CohortCounts;
use super::{AdminTeamPage, campaign_href, campaigns_href};
use crate::api::{self, ApiError};
use crate::forms::{Button, ErrorItem, ErrorSummary, FileInput, Radios, TextInput, from_problem, message_for};
use crate::page::{focus_selector, show_page};
use crate::staff::session::{Notice, StaffSession};
use crate::staff::{SERVICE, SIGN_IN_PATH};

#[component]
pub fn NewCampaignPage() -> impl IntoView {
    show_page("Start a campaign", SERVICE);
    view! { <AdminTeamPage doing="start a campaign" page=|team| view! { <NewCampaign team=team/> }.into_any()/> }
}

/// A refusal as the form's errors: on its fields where the server named
/// them, else in words on the whole form.
fn refusal(error: &ApiError) -> Vec<ErrorItem> {
    match error {
        ApiError::Refused(p) if p.status == 413 => vec![ErrorItem::field(CSV, "The selected file is too large")],
        ApiError::Refused(p) => {
            let mut named = server_field_errors(p);
            named.extend(from_problem(p, &PLAN_FIELDS));
            if named.is_empty() { vec![ErrorItem::form(error.message())] } else { named }
        }
        other => vec![ErrorItem::form(other.message())],
    }
}

#[component]
fn NewCampaign(team: TeamSummary) -> impl IntoView {
    let fields = CohortFields::new();
    let plan_fields = PlanFields::new();
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    // The cohort and plan last counted, with their counts.
    let counted = RwSignal::new(None::<Counted>);
    let team_id = StoredValue::new(team.id.clone());
    let session = StaffSession::get();
    let navigate = use_navigate();
    // The team's setting is the choice the form starts with.
    spawn_local(async move {
        let hold = api::invitation_settings(&team_id.get_value()).await.is_ok_and(|s| s.hold_until_entries);
        if fields.without_entries.get_untracked().is_empty() {
            fields.without_entries.set(team_default(hold).to_owned());
        }
    });

    // Any change to the cohort makes the counts on the page stale.
    Effect::new(move |first: Option<()>| {
        fields.channel.track();
        fields.registration.track();
        fields.min_age.track();
        fields.max_age.track();
        fields.invited_days_ago.track();
        fields.max_reminders.track();
        plan_fields.track();
        fields.without_entries.track();
        if first.is_some() {
            counted.set(None);
        }
    });
    let on_csv_change = move |_| counted.set(None);

    let signed_out = {
        let navigate = navigate.clone();
        move || {
            session.end(Notice::SessionEnded);
            navigate(SIGN_IN_PATH, Default::default());
        }
    };
    let count_cohort = {
        let signed_out = signed_out.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            errors.set(Vec::new());
            let signed_out = signed_out.clone();
            spawn_local(async move {
                let request = asked(fields, plan_fields).await;
                let answer = match request {
                    Ok((cohort, plan)) => count(&team_id.get_value(), cohort, plan).await,
                    Err(items) => {
                        busy.set(false);
                        errors.set(items);
                        return;
                    }
                };
                busy.set(false);
                match answer {
                    Ok(counts) => {
                        counted.set(Some(counts));
                        request_animation_frame(|| focus_selector("#cohort-counts"));
                    }
                    Err(ApiError::Unauthorised(_)) => signed_out(),
                    Err(error) => errors.set(refusal(&error)),
                }
            });
        }
    };
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(Counted { cohort, plan, .. }) = counted.get_untracked() else { return };
        let name = fields.name.get_untracked().trim().to_owned();
        if name.is_empty() {
            errors.set(vec![ErrorItem::field(NAME, "Enter a name for the campaign")]);
            return;
        }
        busy.set(true);
        errors.set(Vec::new());
        let (navigate, signed_out) = (navigate.clone(), signed_out.clone());
        spawn_local(async move {
            // The file is read again: if another was chosen since, the
            // counts are of the old one, and the admin counts again.
            let now = asked(fields, plan_fields).await;
            if now.as_ref().ok() != Some(&(cohort.clone(), plan.clone())) {
                busy.set(false);
                counted.set(None);
                errors.set(vec![ErrorItem::form("The cohort has changed since it was counted. Count it again.")]);
                return;
            }
            let answer = api::start_campaign(&team_id.get_value(), &StartCampaignRequest { name, cohort, plan }).await;
            busy.set(false);
            match answer {
                Ok(view) => navigate(&campaign_href(&view.campaign.id), Default::default()),
                Err(ApiError::Unauthorised(_)) => signed_out(),
                Err(error) => errors.set(refusal(&error)),
            }
        });
    };

    let error_of = move |field: &'static str| Signal::derive(move || errors.with(|e| message_for(e, field)));
    let reminder = move || fields.registration.with(|r| r == "reminder");
    view! {
        <ErrorSummary errors=errors/>
        <h1 tabindex="-1">
            <span class="nhsuk-caption-l">{team.name.clone()}<span class="nhsuk-u-visually-hidden">" – "</span></span>
            "Start a campaign"
        </h1>
        <p>
            "Choose who to invite and how. Patients with a safeguarding exclusion are never invited, "
            "and nobody is invited twice by the same campaign."
        </p>
        <form on:submit=count_cohort novalidate>
            <TextInput
                id=NAME
                label="Name of the campaign"
                hint="For staff only, like \"Spring letters, over 65s\""
                value=fields.name
                error=error_of(NAME)
                autocomplete="off"
            />
            <Radios id=CHANNEL legend="How are the invitations sent?" options=&CHANNELS value=fields.channel error=error_of(CHANNEL)/>
            <Radios id=REGISTRATION legend="Who is invited?" options=&REGISTRATIONS value=fields.registration error=error_of(REGISTRATION)/>
            <Show when=reminder>
                <div class="nhsuk-inset-text">
                    <span class="nhsuk-u-visually-hidden">"Reminders: "</span>
                    <TextInput
                        id=INVITED_DAYS_AGO
                        label="Invited at least this many days ago"
                        value=fields.invited_days_ago
                        error=error_of(INVITED_DAYS_AGO)
                        autocomplete="off"
                        class="nhsuk-input--width-3"
                    />
                    <TextInput
                        id=MAX_REMINDERS
                        label="At most this many reminders per patient"
                        value=fields.max_reminders
                        error=error_of(MAX_REMINDERS)
                        autocomplete="off"
                        class="nhsuk-input--width-3"
                    />
                </div>
            </Show>
            <div class="nhsuk-form-group">
                <fieldset class="nhsuk-fieldset" aria-describedby="age-hint">
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">"Age (optional)"</legend>
                    <div class="nhsuk-hint" id="age-hint">"In whole years on the day the campaign runs. Leave empty for any age."</div>
                    <TextInput id=MIN_AGE label="From (years)" value=fields.min_age error=error_of(MIN_AGE) autocomplete="off" class="nhsuk-input--width-3"/>
                    <TextInput id=MAX_AGE label="To (years)" value=fields.max_age error=error_of(MAX_AGE) autocomplete="off" class="nhsuk-input--width-3"/>
                </fieldset>
            </div>
            <Radios
                id=WITHOUT_ENTRIES
                legend="Patients whose record has nothing in it yet"
                hint="Patients expect to see their information when they sign up. The team's setting is chosen first."
                options=&WITHOUTS
                value=fields.without_entries
                error=error_of(WITHOUT_ENTRIES)
            />
            <p><a href=invitation_settings_href(&team.id)>"Change the team's setting"</a></p>
            <div on:change=on_csv_change>
                <FileInput
                    id=CSV
                    label="Only these NHS numbers (optional)"
                    hint="A CSV file whose first column, or a column headed nhs_number, lists the patients to invite"
                    accept=".csv,text/csv"
                    input=fields.csv
                    error=error_of(CSV)
                />
            </div>
            <PlanFieldset fields=plan_fields errors=errors/>
            <Button busy=busy class="nhsuk-button--secondary">"Count the cohort"</Button>
        </form>
        {move || counted.get().map(|Counted { cohort, preview, plan_preview, .. }| {
            let held = if preview.records_without_entries == "hold" { preview.without_entries } else { 0 };
            let to_invite = preview.to_invite + held;
            let reminder = cohort.registration == "reminder";
            view! {
                <h2 id="cohort-counts" tabindex="-1">"Who this campaign will invite"</h2>
                <CohortCounts preview=preview channel=cohort.channel.clone() reminder=reminder/>
                {plan_preview.map(|plan| view! { <PlanCounts preview=plan/> })}
                {if to_invite == 0 {
                    view! {
                        <div class="nhsuk-inset-text">
                            <span class="nhsuk-u-visually-hidden">"Information: "</span>
                            <p>"Nobody in this cohort can be invited now, so there is nothing to start. Change who is invited and count again."</p>
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <form on:submit=start.clone() novalidate>
                            <Button busy=busy>"Start the campaign"</Button>
                        </form>
                    }
                    .into_any()
                }}
            }
        })}
        <p><a href=campaigns_href(&team.id)>"Back to the team's campaigns"</a></p>
    }
}

/// A cohort and plan as counted, with their counts.
#[derive(Debug, Clone, PartialEq)]
struct Counted {
    cohort: CohortRequest,
    plan: Option<PlanRequest>,
    preview: CohortPreview,
    plan_preview: Option<PlanPreview>,
}

/// The cohort and plan as the form holds them now, or every field that is wrong in either.
async fn asked(fields: CohortFields, plan: PlanFields) -> Result<(CohortRequest, Option<PlanRequest>), Vec<ErrorItem>> {
    let cohort = fields.read().await.and_then(|input| input.request());
    let plan = plan.input().request();
    match (cohort, plan) {
        (Ok(cohort), Ok(plan)) => Ok((cohort, plan)),
        (cohort, plan) => {
            Err(cohort.err().unwrap_or_default().into_iter().chain(plan.err().unwrap_or_default()).collect())
        }
    }
}

/// Counts the cohort, and with a plan checks it and counts each step's reach.
async fn count(team_id: &str, cohort: CohortRequest, plan: Option<PlanRequest>) -> Result<Counted, ApiError> {
    match plan {
        None => {
            let preview = api::preview_cohort(team_id, &cohort).await?;
            Ok(Counted { cohort, plan: None, preview, plan_preview: None })
        }
        Some(plan) => {
            let request = PlanPreviewRequest { cohort: cohort.clone(), plan: plan.clone() };
            let answer = api::preview_plan(team_id, &request).await?;
            Ok(Counted { cohort, plan: Some(plan), preview: answer.cohort.clone(), plan_preview: Some(answer) })
        }
    }
}
