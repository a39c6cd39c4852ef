//! "Carers and parents" on the record page: who holds the record on the
//! patient's behalf, on what grounds and until when, the invitations not yet
//! accepted, and, for the staff the server lets, "End access" with a reason,
//! "Keep access as it is" past a child's next age band (until a later day,
//! with a reason) and the way to add a parent, guardian or carer.
//!
//! What a professional may do mirrors the server's rule (clinicians, admins
//! and safeguarding leads manage carers; only a safeguarding lead ends a
//! carer the patient invited); the server decides all the same.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::api::{
    CarerInvitationView, CarerKind, CarerLinkView, EndCarerLinkRequest, RecordCarersResponse, Role, TeamsResponse,
};

use super::carer_words::{access_words, band_words, basis_words, kind_words};
use super::extend_carer::ExtendForm;
use super::override_carer::OverrideForm;
use crate::api::{self, ApiError};
use crate::dates::local_long_date;
use crate::forms::{self, Button, CharacterCount, ErrorItem, message_for};
use crate::loader::load;
use crate::summary_list::SummaryList;

/// The longest reason the server keeps.
pub(super) const MAX_REASON_CHARS: usize = 2000;

/// What the signed-in professional may do with the record's carers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CarerPowers {
    /// Add a parent/guardian or carer, and end a link a professional made.
    pub manage: bool,
    /// End any link, and add to an excluded record.
    pub safeguarding_lead: bool,
}

impl CarerPowers {
    /// From the professional's roles in the teams that hold the record.
    pub fn from_roles(roles: &[Role]) -> Self {
        Self {
            manage: roles.iter().any(|r| matches!(r, Role::Clinician | Role::Admin | Role::SafeguardingLead)),
            safeguarding_lead: roles.contains(&Role::SafeguardingLead),
        }
    }

    /// Whether "End access" is offered for a link of `kind`.
    pub fn may_end(self, kind: CarerKind) -> bool {
        self.safeguarding_lead || (self.manage && kind != CarerKind::AdultCarerConsent)
    }
}

/// The professional's roles in the teams (of `team_ids`) that hold the record.
pub fn roles_on_record(teams: &TeamsResponse, team_ids: &[String]) -> Vec<Role> {
    let mut roles: Vec<Role> =
        teams.teams.iter().filter(|t| team_ids.contains(&t.id)).flat_map(|t| t.roles.iter().copied()).collect();
    roles.dedup();
    roles
}

/// The section, loading the record's carers and the professional's teams
/// (for their roles) when it is shown.
#[component]
pub fn Carers(
    record_id: String,
    team_ids: Vec<String>,
    excluded: bool,
    /// Where the add page's back link and its success lead: the record page's own query.
    add_href: String,
    errors: RwSignal<Vec<ErrorItem>>,
    changed: Callback<&'static str>,
) -> impl IntoView {
    let found = {
        let record_id = record_id.clone();
        load(move || {
            let record_id = record_id.clone();
            async move {
                let carers = api::record_carers(&record_id).await?;
                // The teams only say what to offer: without them, offer nothing.
                let teams = api::staff_teams().await.ok();
                Ok::<_, ApiError>((carers, teams))
            }
        })
    };
    let record_id = StoredValue::new(record_id);
    let team_ids = StoredValue::new(team_ids);
    let add_href = StoredValue::new(add_href);
    view! {
        <h2 id="carers">"Carers and parents"</h2>
        {move || match found.get() {
            None => view! { <p role="status">"Loading the record's carers…"</p> }.into_any(),
            Some(Ok((carers, teams))) => {
                let powers = teams
                    .map(|teams| CarerPowers::from_roles(&roles_on_record(&teams, &team_ids.get_value())))
                    .unwrap_or_default();
                view! {
                    <CarerList
                        record_id=record_id.get_value()
                        carers=carers
                        powers=powers
                        excluded=excluded
                        add_href=add_href.get_value()
                        errors=errors
                        changed=changed
                    />
                }
                .into_any()
            }
            Some(Err(_)) => {
                view! { <p>"The record's carers could not be loaded. Refresh the page to try again."</p> }.into_any()
            }
        }}
    }
}

#[component]
fn CarerList(
    record_id: String,
    carers: RecordCarersResponse,
    powers: CarerPowers,
    excluded: bool,
    add_href: String,
    errors: RwSignal<Vec<ErrorItem>>,
    changed: Callback<&'static str>,
) -> impl IntoView {
    let RecordCarersResponse { carers, invitations } = carers;
    // The one link whose "End access" form is open, and the one whose "Keep access" form is.
    let ending = RwSignal::new(None::<String>);
    let extending = RwSignal::new(None::<String>);
    let record_id = StoredValue::new(record_id);
    let may_add = powers.manage && (!excluded || powers.safeguarding_lead);
    view! {
        <p>"People who can see this record on the patient's behalf, and what they can see."</p>
        {if carers.is_empty() {
            view! { <p>"No one has access to this record as a parent, guardian or carer."</p> }.into_any()
        } else {
            carers
                .into_iter()
                .map(|link| {
                    let may_end = powers.may_end(link.kind);
                    let may_extend = powers.manage && link.next_change.is_some();
                    let open = Open { ending, extending };
                    view! {
                        <Link link=link may_end=may_end may_extend=may_extend open=open record_id=record_id.get_value() errors=errors changed=changed/>
                    }
                })
                .collect_view()
                .into_any()
        }}
        <h3>"Invitations waiting"</h3>
        <Invitations invitations=invitations/>
        {may_add.then(|| view! {
            <a class="nhsuk-button nhsuk-button--secondary" href=add_href role="button" draggable="false">
                "Add a parent, guardian or carer"
            </a>
        })}
        {(powers.manage && excluded && !powers.safeguarding_lead).then(|| view! {
            <p>"This record is excluded from invitations: only a safeguarding lead can add a parent, guardian or carer."</p>
        })}
        {(excluded && powers.safeguarding_lead).then(|| view! {
            <OverrideForm record_id=record_id.get_value() errors=errors changed=changed/>
        })}
    }
}

/// The rows of one link, as a summary list.
fn link_rows(link: &CarerLinkView) -> Vec<(&'static str, String)> {
    let mut rows = vec![("Email address", link.carer_email.clone()), ("Access as", kind_words(link.kind).to_owned())];
    if let Some(relationship) = link.relationship.as_ref().filter(|r| !r.trim().is_empty()) {
        rows.push(("Relationship", relationship.clone()));
    }
    if let Some(basis) = &link.legal_basis {
        rows.push(("Legal basis", basis_words(basis)));
    }
    rows.push(("Can see", access_words(link.access_level).to_owned()));
    rows.push(("Since", local_long_date(&link.since)));
    if let Some(ends) = &link.ends_at {
        rows.push(("Access ends", local_long_date(ends)));
    }
    match (&link.review_at, &link.next_change, link.next_change_age) {
        (Some(at), Some(change), Some(age)) if link.extended_until.is_none() => {
            rows.push(("Next change", format!("At {age}, on {}: {}", local_long_date(at), band_words(change))));
        }
        (Some(_), Some(change), Some(age)) => rows.push(("Next change", format!("At {age}: {}", band_words(change)))),
        (Some(review), _, _) => rows.push(("Ends or is reviewed", local_long_date(review))),
        _ => {}
    }
    if let Some(since) = &link.review_due_since {
        rows.push(("Review due since", local_long_date(since)));
    }
    if let Some(until) = &link.extended_until {
        rows.push(("Kept as it is until", local_long_date(until)));
        rows.push(("Why it was kept", link.extension_reason.clone().unwrap_or_default()));
    }
    rows
}

/// Which link's form is open: at most one on the page.
#[derive(Debug, Clone, Copy)]
pub(super) struct Open {
    pub ending: RwSignal<Option<String>>,
    pub extending: RwSignal<Option<String>>,
}

impl Open {
    pub fn close(self) {
        self.ending.set(None);
        self.extending.set(None);
    }
}

/// One carer: who, on what grounds, until when; "End access", and for a
/// child's parent "Keep access as it is" past the next age band.
#[component]
fn Link(
    link: CarerLinkView,
    may_end: bool,
    may_extend: bool,
    open: Open,
    record_id: String,
    errors: RwSignal<Vec<ErrorItem>>,
    changed: Callback<&'static str>,
) -> impl IntoView {
    let rows = link_rows(&link);
    let due = link.review_due_since.is_some();
    let link_id = StoredValue::new(link.id.clone());
    let name = StoredValue::new(link.carer_name.clone());
    let record_id = StoredValue::new(record_id);
    let ending = move || open.ending.with(|e| e.as_deref() == Some(link_id.get_value().as_str()));
    let extending = move || open.extending.with(|e| e.as_deref() == Some(link_id.get_value().as_str()));
    let buttons = move || {
        view! {
            <div class="nhsuk-button-group nhsuk-u-margin-bottom-0">
                {may_extend.then(|| view! {
                    <button
                        type="button"
                        class="nhsuk-button nhsuk-button--secondary"
                        on:click=move |_| {
                            errors.set(Vec::new());
                            open.close();
                            open.extending.set(Some(link_id.get_value()));
                        }
                    >
                        "Keep access as it is"<span class="nhsuk-u-visually-hidden">{format!(" for {}", name.get_value())}</span>
                    </button>
                })}
                {may_end.then(|| view! {
                    <button
                        type="button"
                        class="nhsuk-button nhsuk-button--secondary"
                        on:click=move |_| {
                            errors.set(Vec::new());
                            open.close();
                            open.ending.set(Some(link_id.get_value()));
                        }
                    >
                        "End access"<span class="nhsuk-u-visually-hidden">{format!(" for {}", name.get_value())}</span>
                    </button>
                })}
            </div>
        }
    };
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <h3 class="nhsuk-card__heading nhsuk-heading-s portico-prose">
                    {link.carer_name.clone()}
                    {due.then(|| view! { " " <strong class="nhsuk-tag nhsuk-tag--orange">"Review due"</strong> })}
                </h3>
                <SummaryList rows=rows class="nhsuk-summary-list--no-border"/>
                {(may_end || may_extend).then(|| view! {
                    <Show
                        when=move || ending() || extending()
                        fallback=buttons
                    >
                        {move || if extending() {
                            view! {
                                <ExtendForm
                                    record_id=record_id.get_value()
                                    link_id=link_id.get_value()
                                    name=name.get_value()
                                    open=open
                                    errors=errors
                                    changed=changed
                                />
                            }
                            .into_any()
                        } else {
                            view! {
                                <EndForm
                                    record_id=record_id.get_value()
                                    link_id=link_id.get_value()
                                    name=name.get_value()
                                    ending=open.ending
                                    errors=errors
                                    changed=changed
                                />
                            }
                            .into_any()
                        }}
                    </Show>
                })}
            </div>
        </div>
    }
}

/// The reason's error, with the server's words, if it has one.
fn reason_error(reason: &str) -> Option<&'static str> {
    let trimmed = reason.trim();
    if trimmed.is_empty() {
        Some("Enter why the access ends")
    } else if trimmed.chars().count() > MAX_REASON_CHARS {
        Some("Write 2,000 characters or fewer")
    } else {
        None
    }
}

/// Ends one link now, with a reason; the page reads the carers again after.
#[component]
fn EndForm(
    record_id: String,
    link_id: String,
    name: String,
    ending: RwSignal<Option<String>>,
    errors: RwSignal<Vec<ErrorItem>>,
    changed: Callback<&'static str>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if let Some(message) = reason_error(&reason.get_untracked()) {
            errors.set(vec![ErrorItem::field("end-reason", message)]);
            return;
        }
        busy.set(true);
        let request = EndCarerLinkRequest { reason: reason.get_untracked().trim().to_owned() };
        let (record_id, link_id) = (record_id.clone(), link_id.clone());
        spawn_local(async move {
            let answer = api::end_carer_link(&record_id, &link_id, &request).await;
            busy.set(false);
            match answer {
                Ok(()) => changed.run("Access ended. They can no longer see this record."),
                // Ended meanwhile (by the patient, the carer or a job): show the list as it now is.
                Err(ApiError::Refused(p)) if p.status == 404 => changed.run("That access had already ended."),
                Err(ApiError::Refused(p)) if p.status == 422 => {
                    let named = forms::from_problem(&p, &["reason"]);
                    errors.set(named.into_iter().map(|e| ErrorItem::field("end-reason", e.message)).collect());
                }
                Err(error) => errors.set(vec![ErrorItem::form(error.message())]),
            }
        });
    };
    let reason_error = Signal::derive(move || errors.with(|e| message_for(e, "end-reason")));
    let cancel = move |_| {
        errors.set(Vec::new());
        ending.set(None);
    };
    view! {
        <form on:submit=submit novalidate class="nhsuk-u-margin-top-4">
            <CharacterCount
                id="end-reason"
                label="Why is their access ending?"
                hint="Kept in the audit log with your name. Neither the carer nor the patient is shown it."
                value=reason
                error=reason_error
                max_chars=MAX_REASON_CHARS
                rows=3
            />
            <div class="nhsuk-button-group nhsuk-u-margin-bottom-0">
                <Button busy=busy class="nhsuk-button--warning">
                    "End access"<span class="nhsuk-u-visually-hidden">{format!(" for {name}")}</span>
                </Button>
                <button type="button" class="nhsuk-button nhsuk-button--secondary" on:click=cancel>"Cancel"</button>
            </div>
        </form>
    }
}

/// The invitations not yet accepted, one card each: a table's email
/// addresses would not wrap at 320 px.
#[component]
fn Invitations(invitations: Vec<CarerInvitationView>) -> impl IntoView {
    if invitations.is_empty() {
        return view! { <p>"No invitations are waiting to be accepted."</p> }.into_any();
    }
    invitations
        .into_iter()
        .map(|invitation| {
            let rows = vec![
                ("Invited as", kind_words(invitation.kind).to_owned()),
                ("Can see", access_words(invitation.access_level).to_owned()),
                ("Invitation expires", local_long_date(&invitation.expires_at)),
            ];
            view! {
                <div class="nhsuk-card">
                    <div class="nhsuk-card__content">
                        <h4 class="nhsuk-card__heading nhsuk-heading-s portico-prose">{invitation.email}</h4>
                        <SummaryList rows=rows class="nhsuk-summary-list--no-border nhsuk-u-margin-bottom-0"/>
                    </div>
                </div>
            }
        })
        .collect_view()
        .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_safeguarding_lead_ends_a_carer_the_patient_invited() {
        let clinician = CarerPowers::from_roles(&[Role::Clinician]);
        assert!(clinician.may_end(CarerKind::ParentGuardian));
        assert!(clinician.may_end(CarerKind::AdultLacksCapacity));
        assert!(!clinician.may_end(CarerKind::AdultCarerConsent));
        let lead = CarerPowers::from_roles(&[Role::SafeguardingLead]);
        assert!(lead.may_end(CarerKind::AdultCarerConsent));
        let receptionist = CarerPowers::from_roles(&[Role::Receptionist]);
        assert!(!receptionist.manage && !receptionist.may_end(CarerKind::ParentGuardian));
    }

    #[test]
    fn the_reason_limit_is_the_server_s() {
        assert!(reason_error("  ").is_some());
        assert!(reason_error(&"a".repeat(2000)).is_none());
        assert!(reason_error(&"a".repeat(2001)).is_some());
    }
}
