//! The NHS.UK character count: a textarea that says how many characters are
//! left, in the markup nhsuk-frontend's own script builds, so its styles apply.
//!
//! The visible count changes with every key and is hidden from screen
//! readers; a separate live region says the same once typing pauses, so a
//! screen reader user hears the count without it interrupting each key.

use std::time::Duration;

use leptos::prelude::*;

use super::field::{FieldFrame, FieldText};

/// How long typing must pause before the count is announced.
const ANNOUNCE_AFTER: Duration = Duration::from_millis(1000);

/// A textarea bound to `value`, counting towards `max_chars` characters.
/// Going over is allowed (so pasted text can be trimmed by hand) and shown as
/// an error; the form refuses to submit it.
#[component]
pub fn CharacterCount(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    max_chars: usize,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 5)] rows: u32,
) -> impl IntoView {
    let text = FieldText { id, label, hint };
    let info_id = format!("{id}-info");
    let remaining = Memo::new(move |_| value.with(|v| max_chars as i64 - v.chars().count() as i64));
    let visible = move || count_message(remaining.get());
    let over = move || remaining.get() < 0;
    let announced = RwSignal::new(count_message(remaining.get_untracked()));
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let message = count_message(remaining.get());
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(move || announced.set(message), ANNOUNCE_AFTER).ok();
        pending.set_value(handle);
    });
    on_cleanup(move || {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
    });

    let textarea_class = move || {
        if error.with(Option::is_some) || over() {
            "nhsuk-textarea nhsuk-textarea--error nhsuk-js-character-count"
        } else {
            "nhsuk-textarea nhsuk-js-character-count"
        }
    };
    let described_by = {
        let info_id = info_id.clone();
        move || match text.described_by(error.with(Option::is_some)) {
            Some(others) => format!("{info_id} {others}"),
            None => info_id.clone(),
        }
    };
    view! {
        <FieldFrame text=text error=error group_class="nhsuk-character-count">
            <textarea
                class=textarea_class
                id=id
                name=id
                rows=rows
                aria-describedby=described_by
                bind:value=value
            ></textarea>
            <div class="nhsuk-hint nhsuk-character-count__message nhsuk-u-visually-hidden" id=info_id>
                {format!("You can enter up to {} characters", thousands(max_chars))}
            </div>
            <div
                class=move || if over() { "nhsuk-error-message nhsuk-character-count__status" } else { "nhsuk-hint nhsuk-character-count__status" }
                aria-hidden="true"
            >
                {visible}
            </div>
            <div class="nhsuk-character-count__sr-status nhsuk-u-visually-hidden" aria-live="polite">
                {move || announced.get()}
            </div>
        </FieldFrame>
    }
}

/// "You have 1,990 characters remaining", "You have 1 character too many".
fn count_message(remaining: i64) -> String {
    let n = remaining.unsigned_abs() as usize;
    let characters = if n == 1 { "character" } else { "characters" };
    match remaining {
        0 => "You have 0 characters remaining".to_owned(),
        r if r < 0 => format!("You have {} {characters} too many", thousands(n)),
        _ => format!("You have {} {characters} remaining", thousands(n)),
    }
}

/// 2000 as "2,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_nhs_uk_words_them() {
        assert_eq!(count_message(2000), "You have 2,000 characters remaining");
        assert_eq!(count_message(1), "You have 1 character remaining");
        assert_eq!(count_message(0), "You have 0 characters remaining");
        assert_eq!(count_message(-1), "You have 1 character too many");
        assert_eq!(count_message(-1234), "You have 1,234 characters too many");
        assert_eq!(
            [thousands(0), thousands(999), thousands(1000), thousands(1234567)],
            ["0", "999", "1,000", "1,234,567"]
        );
    }
}
