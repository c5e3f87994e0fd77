//! The signed-in person for every page, refreshed after signing in, up or out, and after
//! confirming an e-mail (which signs in).
use crate::{
    api::auth::{current_user, ConfirmEmail, SignIn, SignOut, SignUp},
    components::error_notice::{ErrorNotice, Loading},
    domain::{error::AppError, user::UserView},
};
use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};

#[derive(Clone, Copy)]
pub struct Auth {
    pub sign_in: ServerAction<SignIn>,
    pub sign_up: ServerAction<SignUp>,
    pub sign_out: ServerAction<SignOut>,
    pub confirm: ServerAction<ConfirmEmail>,
    pub user: Resource<Result<Option<UserView>, AppError>>,
}

pub fn provide_auth() {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_up = ServerAction::<SignUp>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let confirm = ServerAction::<ConfirmEmail>::new();
    let user = Resource::new(
        move || (sign_in.version().get(), sign_up.version().get(), sign_out.version().get(), confirm.version().get()),
        |_| current_user(),
    );
    provide_context(Auth { sign_in, sign_up, sign_out, confirm, user });
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// Renders `children` for a signed-in person (an admin, with `admin`); sends anyone else to the
/// sign-in page, which brings them back here afterwards.
#[component]
pub fn RequireUser(
    /// Only admins may see the children.
    #[prop(optional)]
    admin: bool,
    children: ChildrenFn,
) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) if admin && !user.is_admin() => {
                        view! { <ErrorNotice error=AppError::Forbidden/> }.into_any()
                    }
                    Ok(Some(_)) => children.with_value(|children| children()).into_any(),
                    Ok(None) | Err(AppError::NotSignedIn) => {
                        let here = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                        let next = crate::domain::url::encode(&here);
                        view! { <Redirect path=format!("/sign-in?next={next}")/> }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
