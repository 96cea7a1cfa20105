//! `POST /v2/post/publish/creator_info/query/`: the creator's name, privacy levels, interactions
//! turned off and longest video (direct post reference, "Query creator information").

use super::app::SharedApp;
use super::errors::{ok, TikTokError};
use super::TikTokSandboxCreator;
use axum::extract::{Extension, State};
use axum::response::Response;
use serde_json::json;

/// `POST /v2/post/publish/creator_info/query/`.
pub async fn query(
    State(app): State<SharedApp>,
    Extension(creator): Extension<TikTokSandboxCreator>,
) -> Result<Response, TikTokError> {
    Ok(ok(json!({
        "creator_avatar_url": format!("{}/_sandbox/files/image-168x168.jpg", app.url),
        "creator_username": creator.username,
        "creator_nickname": creator.username,
        "privacy_level_options": creator.privacy_level_options,
        "comment_disabled": creator.comment_disabled,
        "duet_disabled": creator.duet_disabled,
        "stitch_disabled": creator.stitch_disabled,
        "max_video_post_duration_sec": creator.max_video_post_duration_sec,
    })))
}
