//! Data a page loads from the API, as a signal.
//!
//! A lighter stand-in for leptos' `LocalResource`: measured on the staff
//! bundle, the resource machinery (async derived signals, their wakers) costs
//! more than this page-level need for "fetch when the inputs change, keep the
//! latest answer" justifies.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

/// Runs `fetch` now and again whenever a signal it reads before its first
/// `.await` changes. The signal holds `None` until the first answer, then the
/// latest answer; an answer overtaken by a newer request is dropped.
pub fn load<T, F, Fut>(fetch: F) -> ReadSignal<Option<T>>
where
    T: Send + Sync + 'static,
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = T> + 'static,
{
    let (value, set_value) = signal(None::<T>);
    let latest = Rc::new(Cell::new(0u64));
    Effect::new(move |_| {
        let request = latest.get() + 1;
        latest.set(request);
        let answer = fetch();
        let latest = Rc::clone(&latest);
        spawn_local(async move {
            let answer = answer.await;
            if latest.get() == request {
                set_value.try_set(Some(answer));
            }
        });
    });
    value
}
