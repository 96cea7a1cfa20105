//! Setup against the stand-in: creates what is missing once, then nothing; reports what differs.

use super::*;
use crate::cloudinary::setup::{setup, Item, SetupPlan, PRESET};
use crate::cloudinary::variants::{self, Resource};

#[tokio::test]
async fn setup_twice_creates_everything_once_and_nothing_the_second_time() {
    let stub = Stub::start().await;
    stub.state.lock().unwrap().folders.push("users".into());
    let client = stub.client();
    let plan = SetupPlan {
        backup: true,
        ..SetupPlan::default()
    };
    let first = setup(&client, &plan).await.unwrap();
    assert_eq!(first.existed, vec![Item::Folder("users".into())]);
    assert_eq!(first.created.len(), 2 + 1 + variants::VARIANTS.len(), "{first}");
    assert!(first.differs.is_empty(), "{first}");
    {
        let st = stub.state.lock().unwrap();
        assert_eq!(st.folders, ["users", "templates", "system"]);
        let preset = &st.presets[PRESET];
        assert_eq!(preset["unsigned"], json!(false), "signed, not unsigned");
        assert_eq!(preset["settings"]["asset_folder"], json!("users"));
        assert_eq!(preset["settings"]["backup"], json!(true));
        assert_eq!(preset["settings"]["eager_async"], json!(true));
        assert_eq!(
            preset["settings"]["eager"].as_array().unwrap().len(),
            variants::eager(Resource::Image).split('|').count()
        );
        for v in variants::VARIANTS {
            assert_eq!(st.transformations[&v.transformation_name()], v.transformation);
        }
    }
    stub.clear();
    let second = setup(&client, &plan).await.unwrap();
    assert!(second.created.is_empty(), "{second}");
    assert!(second.differs.is_empty(), "{second}");
    assert_eq!(second.existed.len(), first.created.len() + first.existed.len());
    assert!(
        stub.seen().iter().all(|s| s.method == Method::GET),
        "the second run only reads"
    );
    let text = second.to_string();
    assert!(
        text.starts_with("Cloudinary setup: 0 created, 12 already there, 0 different"),
        "{text}"
    );
}

#[tokio::test]
async fn a_named_transformation_with_another_string_is_reported_and_fixed_only_when_asked() {
    let stub = Stub::start().await;
    let client = stub.client();
    setup(&client, &SetupPlan::default()).await.unwrap();
    let name = variants::VARIANTS[0].transformation_name();
    stub.state
        .lock()
        .unwrap()
        .transformations
        .insert(name.clone(), "c_fill,w_500".into());
    let report = setup(&client, &SetupPlan::default()).await.unwrap();
    assert_eq!(report.differs.len(), 1, "{report}");
    assert_eq!(report.differs[0].item, Item::Transformation(name.clone()));
    assert!(!report.differs[0].fixed);
    assert!(report.to_string().contains("DIFFERS"), "{report}");
    assert_eq!(stub.state.lock().unwrap().transformations[&name], "c_fill,w_500");

    let fixed = setup(
        &client,
        &SetupPlan {
            fix: true,
            ..SetupPlan::default()
        },
    )
    .await
    .unwrap();
    assert!(fixed.differs[0].fixed);
    assert_eq!(
        stub.state.lock().unwrap().transformations[&name],
        variants::VARIANTS[0].transformation
    );
    assert!(setup(&client, &SetupPlan::default()).await.unwrap().differs.is_empty());
}

#[tokio::test]
async fn a_preset_without_backup_differs_from_a_plan_with_backup() {
    let stub = Stub::start().await;
    let client = stub.client();
    setup(&client, &SetupPlan::default()).await.unwrap();
    let with_backup = SetupPlan {
        backup: true,
        ..SetupPlan::default()
    };
    let report = setup(&client, &with_backup).await.unwrap();
    let settings: Vec<&str> = report.differs.iter().map(|d| d.setting.as_str()).collect();
    assert_eq!(settings, ["backup"], "{report}");
    setup(
        &client,
        &SetupPlan {
            fix: true,
            ..with_backup
        },
    )
    .await
    .unwrap();
    assert!(setup(&client, &with_backup).await.unwrap().differs.is_empty());
}

#[test]
fn the_documented_preset_body_reads_as_settings() {
    let info: crate::cloudinary::UploadPresetInfo =
        serde_json::from_str(&fixture("upload_preset_signed.json")).unwrap();
    assert_eq!(info.setting("tags").as_deref(), Some("schedulo"));
    assert_eq!(info.setting("eager").as_deref(), Some("ar_1:1,c_fill,g_auto,w_1080"));
    assert_eq!(info.setting("backup"), None);
    let t: Value = serde_json::from_str(&fixture("transformation_named.json")).unwrap();
    assert_eq!(
        crate::cloudinary::transformation_text::from_info(&t["info"]).as_deref(),
        Some("ar_4:5,c_fill,g_auto,w_1080")
    );
}

/// Proves setup reads a preset's eager transformations in the shape Cloudinary's preset GET has
/// (api-schemas' `upload_preset_detail`: arrays of step objects), so a second run finds nothing
/// different.
#[tokio::test]
async fn a_preset_whose_eager_comes_back_as_steps_does_not_differ_on_the_second_run() {
    let stub = Stub::start().await;
    let client = stub.client();
    let first = setup(&client, &SetupPlan::default()).await.unwrap();
    assert!(first.differs.is_empty(), "{first}");
    let eager = stub.state.lock().unwrap().presets[PRESET]["settings"]["eager"].clone();
    assert!(eager[0][0].is_object(), "the stub answers steps: {eager}");
    let second = setup(&client, &SetupPlan::default()).await.unwrap();
    assert!(second.differs.is_empty(), "{second}");
    assert!(second.created.is_empty(), "{second}");
}

#[test]
fn eager_steps_strings_and_wrapped_strings_read_as_canonical_transformations() {
    let info: crate::cloudinary::UploadPresetInfo =
        serde_json::from_str(&fixture("upload_preset_detail_eager_steps.json")).unwrap();
    assert_eq!(
        info.setting("eager").as_deref(),
        Some("ar_1:1,c_fill,g_auto,w_1080|ar_4:5,c_fill,g_auto,w_1080|ar_16:9,c_fill,g_auto,w_1080")
    );
    assert_eq!(info.setting("backup").as_deref(), Some("true"));
    let eager = |v: Value| crate::cloudinary::admin::eager_text(&v);
    assert_eq!(
        eager(json!("w_1080,c_fill|ar_1:1,c_fill")).as_deref(),
        Some("c_fill,w_1080|ar_1:1,c_fill")
    );
    assert_eq!(
        eager(json!([{"transformation": [{"width": 500, "crop": "fill"}, {"quality": "auto"}]}])).as_deref(),
        Some("c_fill,w_500/q_auto")
    );
    assert_eq!(
        eager(json!([{"width": 500, "crop": "fill"}])).as_deref(),
        Some("c_fill,w_500")
    );
    assert_eq!(eager(json!(null)), None);
}
