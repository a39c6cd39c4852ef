//! `/staff/teams/:team_id/sign-ups`: the people who asked to join the team
//! on its join page, oldest first, each with the team's records that could
//! be them. An admin or clinician links one to its record, makes a new
//! record for it, or declines it with words the patient reads.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use portico_types::api::{QueuedSignUp, SignUpDecided, SignUpMatch, SignUpState};

use super::join_page::JoinPageSettingsSection;
use super::records::records_href;
use super::session::sign_in_on_unauthorised;
use super::{HOME_PATH, SERVICE};
use crate::api::{self, ApiError};
use crate::forms::{Button, CharacterCount, ErrorItem, ErrorSummary, message_for};
use crate::loader::load;
use crate::page::{focus_heading, show_page};
use crate::summary_list::SummaryList;

/// The longest reason the server takes.
const MAX_REASON_CHARS: usize = 1000;

/// The queue of one team.
pub fn sign_ups_href(team_id: &str) -> String {
    let team: String = js_sys::encode_uri_component(team_id).into();
    format!("{HOME_PATH}/teams/{team}/sign-ups")
}

/// Why a sign-up waits, in staff's words.
fn held_words(held_because: &str) -> &'static str {
    match held_because {
        "team_reviews_all" => "The team checks every sign-up",
        "identity_not_proven" => "Their identity has not been proven",
        "excluded_record" => "Their details match a record with a safeguarding exclusion",
        "record_has_owner" => "The matching record is already registered",
        "several_matches" => "More than one record matches",
        _ => "Waiting for review",
    }
}

fn source_words(sign_up: &QueuedSignUp) -> String {
    match (sign_up.source.as_str(), sign_up.identity_level.as_deref()) {
        ("nhs_login", Some(level)) => format!("NHS login ({level})"),
        _ => "Email and password".to_owned(),
    }
}

/// What the page shows after a decision, for the person to hear.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Done {
    name: String,
    decided: SignUpState,
}

#[component]
pub fn SignUpsPage() -> impl IntoView {
    show_page("Sign-ups waiting", SERVICE);
    let params = use_params_map();
    let team_id = Memo::new(move |_| params.with(|p| p.get("team_id")).unwrap_or_default());
    let version = RwSignal::new(0u32);
    let queue = load(move || {
        let (team, _) = (team_id.get(), version.get());
        async move { api::sign_up_queue(&team).await }
    });
    sign_in_on_unauthorised(queue);
    let errors = RwSignal::new(Vec::<ErrorItem>::new());
    let done = RwSignal::new(None::<Done>);
    // The sign-up whose decline form is open: one at a time, so its field has one id.
    let declining = RwSignal::new(None::<String>);
    let decided = Callback::new(move |d: Done| {
        errors.set(Vec::new());
        declining.set(None);
        done.set(Some(d));
        version.update(|v| *v += 1);
        request_animation_frame(focus_heading);
    });
    let ctx = Decisions { errors, declining, decided };

    view! {
        <a class="nhsuk-back-link" href=move || records_href(&team_id.get(), None, 1)>"Back to the team"</a>
        <ErrorSummary errors=errors/>
        {move || match queue.get() {
            None => view! { <h1 tabindex="-1">"Sign-ups waiting"</h1><p role="status">"Loading…"</p> }.into_any(),
            Some(Ok(answer)) => view! {
                <h1 tabindex="-1">
                    <span class="nhsuk-caption-l">{answer.team_name.clone()}<span class="nhsuk-u-visually-hidden">" – "</span></span>
                    "Sign-ups waiting"
                </h1>
                {move || done.get().map(|d| view! { <DoneBanner done=d/> })}
                <p>
                    "People who asked to join the team on its join page. Check each against your records: "
                    "link them to their record, make a new record, or decline and say why."
                </p>
                {if answer.sign_ups.is_empty() {
                    view! { <p>"Nobody is waiting."</p> }.into_any()
                } else {
                    answer
                        .sign_ups
                        .into_iter()
                        .map(|sign_up| view! { <SignUpCard sign_up=sign_up ctx=ctx/> })
                        .collect_view()
                        .into_any()
                }}
                <JoinPageSettingsSection team_id=team_id.get_untracked() slug=answer.team_slug.clone()/>
            }
            .into_any(),
            Some(Err(ApiError::Unauthorised(_))) => ().into_any(),
            Some(Err(ApiError::Refused(p))) if p.status == 403 || p.status == 404 => view! {
                <h1 tabindex="-1">"You cannot see this team's sign-ups"</h1>
                <p>"Only the team's admins and clinicians can. Check the address, or choose one of your teams."</p>
                <p><a href=HOME_PATH>"Go to your teams"</a></p>
            }
            .into_any(),
            Some(Err(error)) => view! { <h1 tabindex="-1">"Sign-ups waiting"</h1><p role="status">{error.message()}</p> }.into_any(),
        }}
    }
}

#[component]
fn DoneBanner(done: Done) -> impl IntoView {
    let words = match done.decided {
        SignUpState::Linked => format!("{} is linked to their record. We have emailed them.", done.name),
        SignUpState::Created => {
            format!("A new record is made for {}, linked to their account. We have emailed them.", done.name)
        }
        _ => format!("{}'s sign-up is declined. We have emailed them the reason.", done.name),
    };
    view! {
        <div class="nhsuk-inset-text" role="status">
            <span class="nhsuk-u-visually-hidden">"Information: "</span>
            <p>{words}</p>
        </div>
    }
}

/// What every card's buttons share.
#[derive(Clone, Copy)]
struct Decisions {
    errors: RwSignal<Vec<ErrorItem>>,
    declining: RwSignal<Option<String>>,
    decided: Callback<Done>,
}

impl Decisions {
    /// Runs a decision and reports it: the queue reloads, or the refusal shows.
    fn run<F>(self, name: String, busy: RwSignal<bool>, field: &'static str, call: F)
    where
        F: std::future::Future<Output = Result<SignUpDecided, ApiError>> + 'static,
    {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let answer = call.await;
            busy.set(false);
            match answer {
                Ok(decided) => self.decided.run(Done { name, decided: decided.state }),
                Err(ApiError::Refused(problem)) => {
                    let message = problem
                        .errors
                        .first()
                        .map(|e| e.message.clone())
                        .unwrap_or_else(|| format!("{}. {}", problem.title, problem.detail.unwrap_or_default()));
                    self.errors
                        .set(vec![ErrorItem { field: Some(field.to_owned()).filter(|f| !f.is_empty()), message }]);
                }
                Err(error) => self.errors.set(vec![ErrorItem::form(error.message())]),
            }
        });
    }
}

#[component]
fn SignUpCard(sign_up: QueuedSignUp, ctx: Decisions) -> impl IntoView {
    let name = format!("{} {}", sign_up.given_name, sign_up.family_name);
    let rows = vec![
        ("Date of birth", sign_up.date_of_birth.long()),
        ("NHS number", sign_up.nhs_number.map_or_else(|| "Not given".to_owned(), |n| n.formatted())),
        ("Email", sign_up.email.as_str().to_owned()),
        ("Mobile", sign_up.mobile.clone().unwrap_or_else(|| "Not given".to_owned())),
        ("Signed up with", source_words(&sign_up)),
        ("Asked on", crate::dates::long_date(&sign_up.requested_on)),
        ("Why it waits", held_words(&sign_up.held_because).to_owned()),
    ];
    let create_label = format!(" for {name}");
    let decline_label = format!(" {name}");
    let decline_person = name.clone();
    let decline_id = sign_up.id.clone();
    let excluded = sign_up.held_because == "excluded_record";
    // Someone who already has their own record gets no second one.
    let has_own_record = sign_up.matches.iter().any(|m| m.theirs);
    let id = sign_up.id.clone();
    let create_busy = RwSignal::new(false);
    let create = {
        let (id, name) = (id.clone(), name.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let id = id.clone();
            ctx.run(name.clone(), create_busy, "", async move { api::new_record_for_sign_up(&id).await });
        }
    };
    let open_decline = {
        let id = id.clone();
        move |_| ctx.declining.set(Some(id.clone()))
    };
    let is_declining = {
        let id = id.clone();
        Memo::new(move |_| ctx.declining.with(|d| d.as_deref() == Some(id.as_str())))
    };
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <h2 class="nhsuk-card__heading">{name.clone()}</h2>
                {excluded.then(|| view! {
                    <div class="nhsuk-warning-callout">
                        <h3 class="nhsuk-warning-callout__label">
                            <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"Safeguarding exclusion"</span>
                        </h3>
                        <p>"These details match a record with a safeguarding exclusion. It cannot be linked while the exclusion stands: speak to a safeguarding lead."</p>
                    </div>
                })}
                <SummaryList rows=rows/>
                <h3>{if has_own_record { "Their record" } else { "Matching records in your team" }}</h3>
                {if sign_up.matches.is_empty() {
                    view! { <p>"No record in your team has this date of birth with this NHS number or name."</p> }.into_any()
                } else {
                    view! {
                        <ul class="nhsuk-list">
                            {sign_up.matches.into_iter().map(|m| view! {
                                <MatchItem sign_up_id=id.clone() person=name.clone() found=m ctx=ctx/>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {(!has_own_record).then(|| view! {
                    <form on:submit=create novalidate>
                        <Button busy=create_busy class="nhsuk-button--secondary">
                            "Make a new record"<span class="nhsuk-u-visually-hidden">{create_label}</span>
                        </Button>
                    </form>
                })}
                <Show
                    when=move || is_declining.get()
                    fallback=move || view! {
                        <button class="nhsuk-button nhsuk-button--secondary" type="button" on:click=open_decline.clone()>
                            "Decline"<span class="nhsuk-u-visually-hidden">{decline_label.clone()}</span>
                        </button>
                    }
                >
                    <DeclineForm sign_up_id=decline_id.clone() person=decline_person.clone() ctx=ctx/>
                </Show>
            </div>
        </div>
    }
}

#[component]
fn MatchItem(sign_up_id: String, person: String, found: SignUpMatch, ctx: Decisions) -> impl IntoView {
    let record = found.record;
    let label = format!(
        "{} {}, born {}{}",
        record.given_name,
        record.family_name,
        record.date_of_birth.long(),
        record.nhs_number.map(|n| format!(", NHS number {}", n.formatted())).unwrap_or_default()
    );
    let how = if found.theirs {
        "Their own record: they proved it is theirs (with an invitation or NHS login). It is not in this team yet."
    } else if found.by_nhs_number {
        "Same NHS number and date of birth"
    } else {
        "Same name and date of birth"
    };
    let busy = RwSignal::new(false);
    let record_href = format!("{HOME_PATH}/records/{}", String::from(js_sys::encode_uri_component(&record.id)));
    let link = {
        let record_id = record.id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (id, record_id) = (sign_up_id.clone(), record_id.clone());
            ctx.run(person.clone(), busy, "", async move { api::link_sign_up(&id, &record_id).await });
        }
    };
    let blocked = if found.excluded {
        Some("Excluded: cannot be linked")
    } else if found.registered && !found.theirs {
        Some("Already registered to another account")
    } else {
        None
    };
    // Their own record may be in no team of this professional's yet: nothing to open.
    let theirs = found.theirs;
    view! {
        <li class="nhsuk-u-margin-bottom-4">
            {if theirs {
                view! { <p class="nhsuk-u-margin-bottom-1"><strong>{label.clone()}</strong></p> }.into_any()
            } else {
                view! { <a href=record_href>{label.clone()}</a> }.into_any()
            }}
            <p class="nhsuk-body-s nhsuk-u-margin-bottom-2">{how}</p>
            {match blocked {
                Some(why) => view! { <p><strong class="nhsuk-tag nhsuk-tag--red">{why}</strong></p> }.into_any(),
                None => view! {
                    <form on:submit=link novalidate>
                        <Button busy=busy>
                            {if theirs { "Add their record to this team" } else { "Link to this record" }}
                            <span class="nhsuk-u-visually-hidden">{format!(": {label}")}</span>
                        </Button>
                    </form>
                }
                .into_any(),
            }}
        </li>
    }
}

#[component]
fn DeclineForm(sign_up_id: String, person: String, ctx: Decisions) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let reason_error = Signal::derive(move || ctx.errors.with(|e| message_for(e, "reason")));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = reason.get_untracked();
        if typed.trim().is_empty() {
            return ctx.errors.set(vec![ErrorItem::field("reason", "Enter the reason the patient will be told")]);
        }
        if typed.trim().chars().count() > MAX_REASON_CHARS {
            return ctx.errors.set(vec![ErrorItem::field("reason", "The reason must be 1,000 characters or fewer")]);
        }
        let id = sign_up_id.clone();
        ctx.run(person.clone(), busy, "reason", async move { api::decline_sign_up(&id, &typed).await });
    };
    view! {
        <form on:submit=submit novalidate>
            <CharacterCount
                id="reason"
                label="Why are you declining? The patient will read this."
                hint="Use plain words and say what they can do instead. Do not include clinical details: it is sent by email."
                value=reason
                error=reason_error
                max_chars=MAX_REASON_CHARS
                rows=4
            />
            <Button busy=busy class="nhsuk-button--warning">"Decline and tell the patient"</Button>
        </form>
    }
}
