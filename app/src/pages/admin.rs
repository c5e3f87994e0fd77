//! `/admin`: what admins manage; for now, every account.
use crate::{
    api::admin::list_users,
    components::{
        auth::RequireUser,
        error_notice::{ErrorNotice, Loading},
    },
    domain::{
        error::AppError,
        user::{Role, UserSummary},
    },
    i18n::Key,
    use_locale,
};
use leptos::prelude::*;

#[component]
pub fn AdminPage() -> impl IntoView {
    // Outside RequireUser: see InstancesPage.
    let users = Resource::new(|| (), |_| list_users());
    view! {
        <RequireUser admin=true>
            <UserTable users/>
        </RequireUser>
    }
}

#[component]
fn UserTable(users: Resource<Result<Vec<UserSummary>, AppError>>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <h1>{locale.t(Key::AdminTitle)}</h1>
        <h2>{locale.t(Key::AdminUsers)}</h2>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                users.await.map(|users| view! {
                    <div class="table-scroll">
                        <table>
                            <thead><tr>
                                <th>{locale.t(Key::ColumnEmail)}</th>
                                <th>{locale.t(Key::ColumnName)}</th>
                                <th>{locale.t(Key::ColumnRole)}</th>
                                <th>{locale.t(Key::ColumnPremium)}</th>
                                <th>{locale.t(Key::ColumnCreated)}</th>
                            </tr></thead>
                            <tbody>
                                {users.into_iter().map(|u| view! {
                                    <tr>
                                        <td>{u.email}</td>
                                        <td>{u.name}</td>
                                        <td>{locale.t(if u.role == Role::Admin { Key::RoleAdmin } else { Key::RoleUser })}</td>
                                        <td>{locale.t(if u.premium { Key::Yes } else { Key::No })}</td>
                                        <td>{u.created_at.format("%Y-%m-%d").to_string()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()).unwrap_or_else(|error| view! { <ErrorNotice error/> }.into_any())
            })}
        </Suspense>
    }
}
