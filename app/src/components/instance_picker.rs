//! Which of the caller's instances a page shows (the inbox, the comments, the leads): a select that
//! opens the choice at once with JavaScript, and a plain GET form without.
use crate::domain::id::InstanceId;
use crate::{
    components::error_notice::{ErrorNotice, Loading},
    domain::{error::AppError, instance::InstanceCard},
    i18n::Key,
};
use leptos::prelude::*;

/// The picker once `instances` (the page's resource, made where the render awaits it) is there.
#[component]
pub fn InstancePicker(
    instances: Resource<Result<Vec<InstanceCard>, AppError>>,
    instance: Memo<InstanceId>,
    path: &'static str,
) -> impl IntoView {
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match instances.await {
                    Ok(list) => view! { <Choices list instance path/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Choices(list: Vec<InstanceCard>, instance: Memo<InstanceId>, path: &'static str) -> impl IntoView {
    let locale = crate::use_locale();
    // With JavaScript the choice opens at once; without, the button sends the form.
    let navigate = leptos_router::hooks::use_navigate();
    let open = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        navigate(&format!("{path}?instance={}", crate::domain::url::encode(&chosen)), Default::default());
    };
    view! {
        <form method="get" action=path class="inbox-picker">
            <label>
                {locale.t(Key::ColumnInstance)} " "
                <select name="instance" on:change=open>
                    <option value="">{locale.t(Key::ChooseInstance)}</option>
                    {list.into_iter().map(|card| {
                        let selected = card.id == instance.get_untracked();
                        let label = card.username.as_deref().map_or_else(|| card.name.clone(), |u| format!("{} (@{u})", card.name));
                        view! { <option value=card.id selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <noscript><button type="submit" class="secondary">{locale.t(Key::Filter)}</button></noscript>
        </form>
    }
}
