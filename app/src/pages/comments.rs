//! `/comments?instance=ID[&media=MEDIA_ID]`: an instance's posts and reels with the comments they
//! got; a post's comments as threads (the account's own public replies among them), each answered
//! by hand in public or by DM (Meta's one private reply), hidden or shown again. Live: a new
//! comment or reply shows without a reload.
use crate::domain::id::{InstanceId, MediaId};
use crate::{
    api::{
        comments::{get_comment_posts, get_comment_threads, AnswerComment, HideComment},
        instances::list_instances,
    },
    components::{
        auth::RequireUser,
        error_notice::{ActionOutcome, ErrorNotice, Loading},
        instance_picker::InstancePicker,
        live::use_instance_changes,
        local_time::LocalTime,
    },
    domain::comment::{CommentPosts, CommentThread, CommentView, PostSummary},
    i18n::{Key, Locale},
    use_locale,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CommentsPage() -> impl IntoView {
    let query = use_query_map();
    let instance = Memo::new(move |_| query.read().get("instance").map(InstanceId::new).unwrap_or_default());
    let media = Memo::new(move |_| query.read().get("media").filter(|m| !m.is_empty()).map(MediaId::from));
    let answer = ServerAction::<AnswerComment>::new();
    let hide = ServerAction::<HideComment>::new();
    let instances = Resource::new(|| (), |_| list_instances());
    // The posts come from Meta: asked when the instance changes, not on every live event.
    let posts = Resource::new(
        move || instance.get(),
        |instance| async move {
            if instance.is_empty() {
                Ok(None)
            } else {
                get_comment_posts(instance).await.map(Some)
            }
        },
    );
    let threads = Resource::new(
        move || (instance.get(), media.get(), answer.version().get(), hide.version().get()),
        |(instance, media, ..)| async move {
            match media {
                Some(media) if !instance.is_empty() => get_comment_threads(instance, media).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    use_instance_changes(instance, move || {
        threads.refetch();
    });
    let locale = use_locale();
    view! {
        <RequireUser>
            <div class="page-head"><h1>{locale.t(Key::CommentsTitle)}</h1></div>
            <InstancePicker instances instance path="/comments"/>
            <ActionOutcome result=answer.value() ok=Key::CommentsSent fields=&["text"]/>
            <ActionOutcome result=hide.value() ok=Key::CommentsVisibility fields=&["text"]/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match posts.await {
                        Ok(Some(posts)) => view! { <Posts posts media locale/> }.into_any(),
                        Ok(None) => view! { <p class="muted">{locale.t(Key::ChooseInstance)}</p> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
            <section class="comments-thread-list">
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match threads.await {
                            Ok(Some(threads)) => view! {
                                <Threads threads instance_id=instance.get_untracked() answer hide locale/>
                            }.into_any(),
                            Ok(None) if !instance.get_untracked().is_empty() => {
                                view! { <p class="muted">{locale.t(Key::CommentsPick)}</p> }.into_any()
                            }
                            Ok(None) => ().into_any(),
                            Err(error) => view! { <ErrorNotice error/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </RequireUser>
    }
}

#[component]
fn Posts(posts: CommentPosts, media: Memo<Option<MediaId>>, locale: Locale) -> impl IntoView {
    let CommentPosts { instance_id, posts, posts_unavailable, .. } = posts;
    // The list stays while another post is chosen: the choice and its heading follow the address.
    let chosen = {
        let posts = posts.clone();
        move || {
            let media_id = media.get()?;
            let post = posts.iter().find(|p| p.media_id == media_id)?.clone();
            Some(view! {
                <h2>
                    {post.caption.clone().unwrap_or_else(|| locale.t(Key::CommentsPost).to_owned())}
                    {post.permalink.map(|link| view! {
                        " " <a class="post-link" href=link rel="external noopener" target="_blank">{locale.t(Key::CommentsOpenPost)}</a>
                    })}
                </h2>
            })
        }
    };
    let list = if posts.is_empty() {
        view! { <p class="muted">{locale.t(Key::CommentsNoPosts)}</p> }.into_any()
    } else {
        view! {
            <ul class="posts">
                {posts.into_iter().map(|post| view! { <PostCard post instance_id=instance_id.clone() media locale/> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="comments-posts">
            <h2>{locale.t(Key::CommentsPosts)}</h2>
            {posts_unavailable.then(|| view! { <p class="notice notice-warn">{locale.t(Key::CommentsPostsUnavailable)}</p> })}
            {list}
        </section>
        {chosen}
    }
}

#[component]
fn Threads(
    threads: Vec<CommentThread>,
    instance_id: InstanceId,
    answer: ServerAction<AnswerComment>,
    hide: ServerAction<HideComment>,
    locale: Locale,
) -> impl IntoView {
    if threads.is_empty() {
        return view! { <p class="muted">{locale.t(Key::CommentsNone)}</p> }.into_any();
    }
    view! {
        <ul class="comment-threads">
            {threads.into_iter().map(|thread| view! {
                <Thread thread instance_id=instance_id.clone() answer hide locale/>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn PostCard(post: PostSummary, instance_id: InstanceId, media: Memo<Option<MediaId>>, locale: Locale) -> impl IntoView {
    let href = format!(
        "/comments?instance={}&media={}",
        crate::domain::url::encode(instance_id.as_str()),
        crate::domain::url::encode(post.media_id.as_str())
    );
    let caption = post.caption.clone().unwrap_or_else(|| post.media_id.to_string());
    let id = post.media_id.clone();
    let current = Memo::new(move |_| media.read().as_ref() == Some(&id));
    view! {
        <li class=move || if current.get() { "post current" } else { "post" }>
            <a href=href aria-current=move || current.get().then_some("page")>
                {match post.thumbnail_url {
                    Some(url) => view! { <img src=url alt="" loading="lazy" width="72" height="72"/> }.into_any(),
                    None => view! { <span class="post-empty" aria-hidden="true">"#"</span> }.into_any(),
                }}
                <span class="post-caption">{caption}</span>
                <span class="muted" data-comments=post.comments>{post.comments} " " {locale.t(Key::CommentsCount)}</span>
            </a>
        </li>
    }
}

#[component]
fn Thread(
    thread: CommentThread,
    instance_id: InstanceId,
    answer: ServerAction<AnswerComment>,
    hide: ServerAction<HideComment>,
    locale: Locale,
) -> impl IntoView {
    let CommentThread { comment, replies, can_reply_privately } = thread;
    view! {
        <li class="comment-thread">
            <Comment comment=comment.clone() instance_id=instance_id.clone() hide locale/>
            {(!replies.is_empty()).then(|| view! {
                <ul class="comment-replies">
                    {replies.into_iter().map(|reply| view! {
                        <li><Comment comment=reply instance_id=instance_id.clone() hide locale/></li>
                    }).collect_view()}
                </ul>
            })}
            {(!comment.from_account).then(|| view! {
                <details class="comment-answer">
                    <summary>{locale.t(Key::CommentsAnswer)}</summary>
                    <ActionForm action=answer attr:class="composer">
                        <input type="hidden" name="instance_id" value=instance_id.clone()/>
                        <input type="hidden" name="comment_id" value=comment.id.clone()/>
                        <label for=format!("answer-{}", comment.id)>{locale.t(Key::CommentsAnswerLabel)}</label>
                        <textarea id=format!("answer-{}", comment.id) name="text" rows="2" maxlength="1000"></textarea>
                        <fieldset class="answer-way">
                            <label class="check">
                                <input type="radio" name="way" value="public" checked=!comment.hidden disabled=comment.hidden/>
                                " " {locale.t(Key::CommentsPublic)}
                            </label>
                            <label class="check">
                                <input type="radio" name="way" value="private" checked=comment.hidden && can_reply_privately
                                    disabled=!can_reply_privately/>
                                " " {locale.t(Key::CommentsPrivate)}
                                {(!can_reply_privately && comment.private_reply.is_some()).then(|| view! {
                                    <small class="muted">" (" {locale.t(Key::CommentsPrivateUsed)} ")"</small>
                                })}
                            </label>
                        </fieldset>
                        <button type="submit" class="primary" disabled=move || answer.pending().get()>{locale.t(Key::CommentsSend)}</button>
                    </ActionForm>
                </details>
            })}
        </li>
    }
}

#[component]
fn Comment(
    comment: CommentView,
    instance_id: InstanceId,
    hide: ServerAction<HideComment>,
    locale: Locale,
) -> impl IntoView {
    let who = if comment.from_account {
        locale.t(Key::CommentsYou).to_owned()
    } else {
        comment.username.as_ref().map_or_else(|| comment.id.to_string(), |u| format!("@{u}"))
    };
    let class = match (comment.from_account, comment.hidden) {
        (true, _) => "comment own",
        (false, true) => "comment is-hidden",
        (false, false) => "comment",
    };
    let id = comment.id.clone();
    view! {
        <article class=class data-comment=id>
            <div class="comment-head">
                <strong>{who}</strong>
                <span class="muted"><LocalTime at=comment.at/></span>
                {comment.hidden.then(|| view! { <span class="badge badge-neutral">{locale.t(Key::CommentsHidden)}</span> })}
            </div>
            <p>{comment.text.clone().unwrap_or_default()}</p>
            {(!comment.from_account).then(|| view! {
                <ActionForm action=hide attr:class="inline">
                    <input type="hidden" name="instance_id" value=instance_id/>
                    <input type="hidden" name="comment_id" value=comment.id.clone()/>
                    <input type="hidden" name="hidden" value=if comment.hidden { "false" } else { "true" }/>
                    <button type="submit" class="link-button">
                        {locale.t(if comment.hidden { Key::CommentsUnhide } else { Key::CommentsHide })}
                    </button>
                </ActionForm>
            })}
        </article>
    }
}
