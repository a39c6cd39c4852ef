//! The NHS.UK date input: day, month and year boxes in one fieldset, for a
//! date a person knows (their date of birth), never a date picker.

use leptos::prelude::*;

/// The three boxes' values.
#[derive(Debug, Clone, Copy)]
pub struct DateParts {
    pub day: RwSignal<String>,
    pub month: RwSignal<String>,
    pub year: RwSignal<String>,
}

impl DateParts {
    pub fn new() -> Self {
        Self {
            day: RwSignal::new(String::new()),
            month: RwSignal::new(String::new()),
            year: RwSignal::new(String::new()),
        }
    }
}

impl Default for DateParts {
    fn default() -> Self {
        Self::new()
    }
}

/// The question is the page's heading (the legend holds the `<h1>`), as
/// NHS.UK does for a one-question page, unless `one_of_several`. The error summary links to
/// `{id}-day`, the first box.
#[component]
pub fn DateInput(
    id: &'static str,
    /// The question, shown as the page's heading.
    heading: &'static str,
    parts: DateParts,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    /// `bday` for a date of birth: the browser can fill it in.
    #[prop(optional)]
    autocomplete_prefix: Option<&'static str>,
    /// On a page of several questions the legend is a label, not the page's `<h1>`.
    #[prop(optional)]
    one_of_several: bool,
) -> impl IntoView {
    let described_by = move || {
        let mut ids = Vec::new();
        if hint.is_some() {
            ids.push(format!("{id}-hint"));
        }
        if error.with(Option::is_some) {
            ids.push(format!("{id}-error"));
        }
        ids.join(" ")
    };
    let group = move || {
        if error.with(Option::is_some) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }
    };
    let boxes = [("day", "Day", parts.day, 2), ("month", "Month", parts.month, 2), ("year", "Year", parts.year, 4)];
    view! {
        <div class=group>
            <fieldset class="nhsuk-fieldset" role="group" aria-describedby=described_by>
                {if one_of_several {
                    view! { <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{heading}</legend> }
                        .into_any()
                } else {
                    view! {
                        <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l">
                            <h1 class="nhsuk-fieldset__heading" tabindex="-1">{heading}</h1>
                        </legend>
                    }
                    .into_any()
                }}
                {hint.map(|hint| view! { <div class="nhsuk-hint" id=format!("{id}-hint")>{hint}</div> })}
                {move || error.get().map(|message| view! {
                    <span class="nhsuk-error-message" id=format!("{id}-error")>
                        <span class="nhsuk-u-visually-hidden">"Error: "</span>
                        {message}
                    </span>
                })}
                <div class="nhsuk-date-input" id=id>
                    {boxes
                        .into_iter()
                        .map(|(part, label, value, width)| {
                            let input_id = format!("{id}-{part}");
                            let class = move || {
                                let error_class = if error.with(Option::is_some) { " nhsuk-input--error" } else { "" };
                                format!("nhsuk-input nhsuk-date-input__input nhsuk-input--width-{width}{error_class}")
                            };
                            view! {
                                <div class="nhsuk-date-input__item">
                                    <div class="nhsuk-form-group">
                                        <label class="nhsuk-label nhsuk-date-input__label" for=input_id.clone()>
                                            {label}
                                        </label>
                                        <input
                                            class=class
                                            id=input_id.clone()
                                            name=input_id
                                            type="text"
                                            inputmode="numeric"
                                            autocomplete=autocomplete_prefix.map(|p| format!("{p}-{part}"))
                                            bind:value=value
                                        />
                                    </div>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}
