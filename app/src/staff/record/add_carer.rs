//! `/staff/records/:record_id/carers/add`: a clinician, admin or
//! safeguarding lead adds a parent or guardian of a child, or the carer of
//! an adult who lacks capacity, with the legal basis; the person is invited
//! by email. On an excluded record only a safeguarding lead may, giving the
//! reason for overriding the exclusion.
//!
//! The page checks what it can with the server's words; everything else
//! (the patient is not a child, another organisation's record, a bad
//! address…) is the server's answer, shown in the same error summary.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use portico_types::EmailAddress;
use portico_types::api::{AddCarerRequest, RecordDetailResponse};

use super::carer_words::{ACCESS_LEVELS, ADULT_BASES, CHILD_BASES, KINDS};
use super::carers::{CarerPowers, roles_on_record};
use super::{announce_on_record_page, record_href};
use crate::api::{self, ApiError};
use crate::forms::{self, Button, CharacterCount, ErrorItem, ErrorSummary, Radios, TextInput, message_for};
use crate::loader::load;
use crate::page::show_page;
use crate::staff::SERVICE;
use crate::staff::session::sign_in_on_unauthorised;

const MAX_TEXT_CHARS: usize = 2000;

/// The server's fields, in page order; the ids here are the same.
const FIELDS: [&str; 7] =
    ["kind", "email", "relationship", "legal_basis", "legal_note", "access_level", "exclusion_override"];

/// The address of the page, keeping the record page's own query (the search it came from).
pub fn add_carer_href(record_id: &str, from: Option<&str>) -> String {
    let record: String = js_sys::encode_uri_component(record_id).into();
    match from {
        Some(from) if !from.is_empty() => format!("{}/records/{record}/carers/add?{from}", crate::staff::HOME_PATH),
        _ => format!("{}/records/{record}/carers/add", crate::staff::HOME_PATH),
    }
}

/// What was entered, as the form holds it.
#[derive(Debug, Clone, Default)]
struct Entered {
    kind: String,
    email: String,
    relationship: String,
    legal_basis: String,
    legal_note: String,
    access_level: String,
    exclusion_override: String,
}

fn text_error(text: &str, missing: &'static str) -> Option<&'static str> {
    let text = text.trim();
    if text.is_empty() {
        Some(missing)
    } else if text.chars().count() > MAX_TEXT_CHARS {
        Some("Write 2,000 characters or fewer")
    } else {
        None
    }
}

/// What the page can tell before asking the server, field by field in page order.
fn form_errors(entered: &Entered, needs_override: bool) -> Vec<ErrorItem> {
    let mut errors = Vec::new();
    let child = entered.kind == "parent_guardian";
    let bases: &[_] = if child { &CHILD_BASES } else { &ADULT_BASES };
    if !KINDS.iter().any(|k| k.value == entered.kind) {
        errors.push(ErrorItem::field("kind", "Choose parent or guardian, or carer of an adult who lacks capacity"));
    }
    if let Err(e) = EmailAddress::parse(&entered.email) {
        errors.push(ErrorItem::field("email", e.to_string()));
    }
    if child && let Some(message) = text_error(&entered.relationship, "Enter their relationship to the child") {
        errors.push(ErrorItem::field("relationship", message));
    }
    if !entered.kind.is_empty() && !bases.iter().any(|b| b.value == entered.legal_basis) {
        errors.push(ErrorItem::field("legal_basis", "Choose the legal basis"));
    }
    if child
        && entered.legal_basis == "other"
        && let Some(message) = text_error(&entered.legal_note, "Describe the legal basis")
    {
        errors.push(ErrorItem::field("legal_note", message));
    }
    if !ACCESS_LEVELS.iter().any(|l| l.value == entered.access_level) {
        errors.push(ErrorItem::field("access_level", "Choose what they can see"));
    }
    if needs_override
        && let Some(message) = text_error(&entered.exclusion_override, "Enter why the exclusion is overridden")
    {
        errors.push(ErrorItem::field("exclusion_override", message));
    }
    errors
}

/// The server's refusal: on the fields it names, else in staff's words on
/// the field it is about (a record that is not a child's is the kind's).
fn refusal(error: &ApiError) -> Vec<ErrorItem> {
    let ApiError::Refused(problem) = error else { return vec![ErrorItem::form(error.message())] };
    let named = forms::from_problem(problem, &FIELDS);
    if !named.is_empty() {
        return named;
    }
    let kind = problem.kind.rsplit('/').next().unwrap_or_default();
    match (problem.status, kind) {
        (409, "record-excluded") => vec![ErrorItem::form(
            "This record is excluded from invitations. Only a safeguarding lead can add a parent, guardian or carer to it.",
        )],
        (409, "already-a-carer") => vec![ErrorItem::field("email", "That person already has access to this record")],
        (422, "carer-is-yourself") => {
            vec![ErrorItem::field("email", "Enter the email address of the person to invite, not your own")]
        }
        (403, "not-safeguarding-lead") => vec![ErrorItem::field("exclusion_override", error.message())],
        (403, _) => vec![ErrorItem::form(
            "Only clinicians, admins and safeguarding leads of the record's teams can add a parent, guardian or carer.",
        )],
        (404, _) => vec![ErrorItem::form("This record is not in any of your teams.")],
        _ => forms::refusal_errors(error, &FIELDS),
    }
}

#[component]
pub fn AddCarerPage() -> impl IntoView {
    show_page("Add a parent, guardian or carer", SERVICE);
    let params = use_params_map();
    let query = use_query_map();
    let record_id = Memo::new(move |_| params.with(|p| p.get("record_id")).unwrap_or_default());
    // The record page's query (the search it was opened from), kept for the way back.
    let from = Memo::new(move |_| query.with(|q| q.to_query_string().trim_start_matches('?').to_owned()));
    let found = load(move || {
        let id = record_id.get();
        async move {
            let detail = api::staff_record(&id).await?;
            let teams = api::staff_teams().await?;
            Ok::<_, ApiError>((detail, teams))
        }
    });
    sign_in_on_unauthorised(found);
    let back = move || record_href(&record_id.get(), Some(&from.get()));
    view! {
        <a class="nhsuk-back-link" href=back>"Back to the record"</a>
        <div class="nhsuk-grid-row">
            <div class="nhsuk-grid-column-two-thirds">
                {move || match found.get() {
                    None => view! {
                        <h1 tabindex="-1">"Add a parent, guardian or carer"</h1>
                        <p role="status">"Loading the record…"</p>
                    }
                    .into_any(),
                    Some(Ok((detail, teams))) => {
                        let team_ids: Vec<String> = detail.teams.iter().map(|t| t.id.clone()).collect();
                        let powers = CarerPowers::from_roles(&roles_on_record(&teams, &team_ids));
                        view! { <Form detail=detail powers=powers from=from.get()/> }.into_any()
                    }
                    Some(Err(ApiError::Unauthorised(_))) => ().into_any(),
                    Some(Err(ApiError::Refused(p))) if p.status == 404 => view! {
                        <h1 tabindex="-1">"Record not found"</h1>
                        <p>"There is no record at this address, or it is not in any of your teams."</p>
                    }
                    .into_any(),
                    Some(Err(error)) => view! {
                        <h1 tabindex="-1">"Add a parent, guardian or carer"</h1>
                        <p>{error.message()}</p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn Form(detail: RecordDetailResponse, powers: CarerPowers, from: String) -> impl IntoView {
    let record_id = detail.record.id.clone();
    let name = format!("{} {}", detail.record.given_name, detail.record.family_name);
    // Clinicians and safeguarding leads see the exclusion; the server refuses
    // an admin who does not, in words the summary shows.
    let excluded = detail.exclusion.is_some();
    if !powers.manage || (excluded && !powers.safeguarding_lead) {
        let why = if powers.manage {
            "This record is excluded from invitations: only a safeguarding lead can add a parent, guardian or carer to it."
        } else {
            "Only clinicians, admins and safeguarding leads of the record's teams can add a parent, guardian or carer."
        };
        return view! {
            <h1 tabindex="-1">"You cannot add a carer to this record"</h1>
            <p>{why}</p>
            <p><a href=record_href(&record_id, Some(&from))>"Back to "{name}"'s record"</a></p>
        }
        .into_any();
    }
    let needs_override = excluded;
    let kind = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let relationship = RwSignal::new(String::new());
    let legal_basis = RwSignal::new(String::new());
    let legal_note = RwSignal::new(String::new());
    let access_level = RwSignal::new(String::new());
    let exclusion_override = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let busy = RwSignal::new(false);
    // A basis of one kind means nothing for the other.
    Effect::new(move |previous: Option<String>| {
        let now = kind.get();
        if previous.is_some_and(|p| p != now) {
            legal_basis.set(String::new());
        }
        now
    });
    let navigate = use_navigate();
    let done_href = record_href(&record_id, Some(&from));
    let record_id = StoredValue::new(record_id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let entered = Entered {
            kind: kind.get_untracked(),
            email: email.get_untracked(),
            relationship: relationship.get_untracked(),
            legal_basis: legal_basis.get_untracked(),
            legal_note: legal_note.get_untracked(),
            access_level: access_level.get_untracked(),
            exclusion_override: exclusion_override.get_untracked(),
        };
        let found = form_errors(&entered, needs_override);
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        let child = entered.kind == "parent_guardian";
        let request = AddCarerRequest {
            kind: entered.kind,
            email: entered.email.trim().to_owned(),
            relationship: entered.relationship.trim().to_owned(),
            legal_basis: entered.legal_basis.clone(),
            legal_note: if child && entered.legal_basis == "other" {
                entered.legal_note.trim().to_owned()
            } else {
                String::new()
            },
            access_level: entered.access_level,
            exclusion_override: if needs_override {
                entered.exclusion_override.trim().to_owned()
            } else {
                String::new()
            },
        };
        busy.set(true);
        let navigate = navigate.clone();
        let done_href = done_href.clone();
        spawn_local(async move {
            let answer = api::add_carer(&record_id.get_value(), &request).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    announce_on_record_page(
                        "Invitation sent. It is listed under Carers and parents until it is accepted.",
                    );
                    navigate(&done_href, Default::default());
                }
                Err(error) => errors.set(refusal(&error)),
            }
        });
    };
    let error = move |field: &'static str| Signal::derive(move || errors.with(|e| message_for(e, field)));
    let child = move || kind.with(|k| k == "parent_guardian");
    let adult = move || kind.with(|k| k == "adult_lacks_capacity");
    view! {
        <ErrorSummary errors=errors/>
        <h1 tabindex="-1">
            <span class="nhsuk-caption-l">{name}<span class="nhsuk-u-visually-hidden">" – "</span></span>
            "Add a parent, guardian or carer"
        </h1>
        <p>
            "They are sent an email inviting them to see this record on the patient's behalf. They sign in, or "
            "register, with that email address."
        </p>
        {needs_override.then(|| view! {
            <div class="nhsuk-warning-callout">
                <h3 class="nhsuk-warning-callout__label">
                    <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"This record is excluded"</span>
                </h3>
                <p>"Adding a carer overrides the exclusion. Say why below: it is kept in the audit log with your name."</p>
            </div>
        })}
        <form on:submit=submit novalidate>
            <Radios id="kind" legend="Who are you adding?" options=&KINDS value=kind error=error("kind")/>
            <TextInput
                id="email"
                label="Their email address"
                value=email
                error=error("email")
                input_type="email"
                autocomplete="off"
                no_spellcheck=true
            />
            <Show when=child>
                <TextInput
                    id="relationship"
                    label="Their relationship to the child"
                    hint="For example, mother, father or guardian"
                    value=relationship
                    error=error("relationship")
                    class="nhsuk-input--width-20"
                />
                <Radios
                    id="legal_basis"
                    legend="On what legal basis?"
                    options=&CHILD_BASES
                    value=legal_basis
                    error=error("legal_basis")
                />
                <Show when=move || legal_basis.with(|b| b == "other")>
                    <CharacterCount
                        id="legal_note"
                        label="Describe the legal basis"
                        value=legal_note
                        error=error("legal_note")
                        max_chars=MAX_TEXT_CHARS
                        rows=3
                    />
                </Show>
            </Show>
            <Show when=adult>
                <TextInput
                    id="relationship"
                    label="Their relationship to the patient (optional)"
                    hint="For example, daughter, husband or friend"
                    value=relationship
                    error=error("relationship")
                    class="nhsuk-input--width-20"
                />
                <Radios
                    id="legal_basis"
                    legend="On what legal basis?"
                    options=&ADULT_BASES
                    value=legal_basis
                    error=error("legal_basis")
                />
            </Show>
            <Radios
                id="access_level"
                legend="What can they see?"
                options=&ACCESS_LEVELS
                value=access_level
                error=error("access_level")
            />
            {needs_override.then(|| view! {
                <CharacterCount
                    id="exclusion_override"
                    label="Why is the exclusion being overridden?"
                    value=exclusion_override
                    error=error("exclusion_override")
                    max_chars=MAX_TEXT_CHARS
                    rows=3
                />
            })}
            <Button busy=busy>"Send the invitation"</Button>
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[ErrorItem]) -> Vec<&str> {
        errors.iter().filter_map(|e| e.field.as_deref()).collect()
    }

    #[test]
    fn an_empty_form_names_what_it_needs_in_page_order() {
        let errors = form_errors(&Entered::default(), false);
        assert_eq!(fields(&errors), ["kind", "email", "access_level"]);
        let override_needed = form_errors(&Entered::default(), true);
        assert_eq!(fields(&override_needed).last(), Some(&"exclusion_override"));
    }

    #[test]
    fn a_parent_needs_a_relationship_and_a_child_s_basis() {
        let mut entered = Entered {
            kind: "parent_guardian".into(),
            email: "parent@example.org".into(),
            legal_basis: "best_interests".into(),
            access_level: "everything".into(),
            ..Entered::default()
        };
        assert_eq!(fields(&form_errors(&entered, false)), ["relationship", "legal_basis"]);
        entered.relationship = "Mother".into();
        entered.legal_basis = "other".into();
        assert_eq!(fields(&form_errors(&entered, false)), ["legal_note"]);
        entered.legal_note = "Kinship care agreed by the local authority".into();
        assert!(form_errors(&entered, false).is_empty());
    }

    #[test]
    fn an_adult_s_carer_needs_no_relationship() {
        let entered = Entered {
            kind: "adult_lacks_capacity".into(),
            email: "carer@example.org".into(),
            legal_basis: "court_deputy".into(),
            access_level: "not_private".into(),
            ..Entered::default()
        };
        assert!(form_errors(&entered, false).is_empty());
    }
}
