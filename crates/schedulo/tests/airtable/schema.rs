//! `schema apply` and `schema check` against the sandbox.

use crate::helpers::{spawn, spawn_empty};
use schedulo::schema::{self, Difference, Schema};

fn shape(tables: &[schedulo::airtable::TableMeta]) -> Vec<(String, Vec<(String, String)>)> {
    tables
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                t.fields.iter().map(|f| (f.name.clone(), f.kind.clone())).collect(),
            )
        })
        .collect()
}

/// The first apply creates the six tables; the second finds nothing to do and changes nothing.
#[tokio::test(start_paused = true)]
async fn schema_apply_twice_changes_nothing_the_second_time() {
    let app = spawn_empty().await;
    let schema = Schema::builtin();
    let first = schema::plan(&schema, &app.base.tables().await.unwrap());
    assert!(!first.is_empty());
    schema::apply::execute(&app.base, &first).await.unwrap();
    let after_first = app.base.tables().await.unwrap();
    assert_eq!(after_first.len(), 6);
    assert!(!schema::compare(&schema, &after_first).breaks_worker());

    let second = schema::plan(&schema, &after_first);
    assert!(second.is_empty(), "second plan: {:?}", second.actions);
    let before = app.calls();
    schema::apply::execute(&app.base, &second).await.unwrap();
    assert_eq!(app.calls() - before, 0, "an empty plan makes no call");
    assert_eq!(shape(&app.base.tables().await.unwrap()), shape(&after_first));
}

/// A field deleted in Airtable's UI shows in `check` as missing, and breaks the worker.
#[tokio::test(start_paused = true)]
async fn schema_check_reports_a_deleted_field() {
    let app = spawn().await;
    let path = format!(
        "/_sandbox/bases/{}/tables/ScheduledPosts/fields/ErrorMessage",
        app.base.id()
    );
    app.admin(reqwest::Method::DELETE, &path, None).await;
    let comparison = schema::compare(&Schema::builtin(), &app.base.tables().await.unwrap());
    assert!(comparison.breaks_worker());
    assert!(comparison.differences.iter().any(|d| matches!(d,
        Difference::MissingField { table, field, .. } if table == "ScheduledPosts" && field == "ErrorMessage")));
    let report = schedulo::commands::render_check(&comparison);
    assert!(
        report.contains("ScheduledPosts: missing field ErrorMessage (multilineText)"),
        "{report}"
    );
    // And apply puts it back.
    let plan = schema::plan(&Schema::builtin(), &app.base.tables().await.unwrap());
    assert_eq!(plan.actions.len(), 1);
    schema::apply::execute(&app.base, &plan).await.unwrap();
    assert!(!schema::compare(&Schema::builtin(), &app.base.tables().await.unwrap()).breaks_worker());
}

/// Views cannot be created through the API: `check` lists them as steps for a person.
#[tokio::test(start_paused = true)]
async fn schema_check_lists_views_as_manual_steps() {
    let app = spawn().await;
    let comparison = schema::compare(&Schema::builtin(), &app.base.tables().await.unwrap());
    let report = schedulo::commands::render_check(&comparison);
    // The sandbox shows the schema file's views, as a base whose views were made by hand would.
    assert!(
        !report.contains("create a grid view named \"Upcoming Posts\""),
        "{report}"
    );
    let without_views = schema::compare(&Schema::builtin(), &[]);
    let steps: Vec<String> = without_views.missing_views.iter().map(|v| v.to_string()).collect();
    assert!(steps.contains(&"in table ScheduledPosts, create a grid view named \"Upcoming Posts\"; filter: AND({Status} = 'Scheduled', IS_AFTER({ScheduledTime}, NOW())); sort: ScheduledTime ascending".to_string()), "{steps:?}");
}

/// The inverse link fields Airtable makes for the schema's links are not reported; a field a person
/// added is, without breaking the worker.
#[tokio::test(start_paused = true)]
async fn schema_check_leaves_out_airtables_inverse_links_and_reports_added_fields() {
    let app = spawn().await;
    let tables = app.base.tables().await.unwrap();
    let users = tables.iter().find(|t| t.name == "Users").unwrap();
    assert!(
        users.field("SocialAccounts").is_some(),
        "Airtable made the inverse of SocialAccounts.UserID"
    );
    let field = serde_json::json!({"name": "Notes", "type": "multilineText"});
    app.base.create_field(&users.id, "Users", field).await.unwrap();
    let comparison = schema::compare(&Schema::builtin(), &app.base.tables().await.unwrap());
    let lines: Vec<String> = comparison.differences.iter().map(|d| d.to_string()).collect();
    assert_eq!(lines, ["Users: extra field Notes (multilineText) (left alone)"]);
    assert!(!comparison.breaks_worker());
}

/// A field whose name differs only in case breaks the worker (records come back under the base's
/// spelling); `apply` renames it.
#[tokio::test(start_paused = true)]
async fn a_field_spelled_in_another_case_is_reported_and_renamed() {
    let app = spawn().await;
    let tables = app.base.tables().await.unwrap();
    let posts = tables.iter().find(|t| t.name == "ScheduledPosts").unwrap();
    let status = posts.field("Status").unwrap();
    app.base
        .rename_field(&posts.id, "ScheduledPosts", &status.id, "status")
        .await
        .unwrap();
    let comparison = schema::compare(&Schema::builtin(), &app.base.tables().await.unwrap());
    assert!(comparison.breaks_worker());
    let lines: Vec<String> = comparison.differences.iter().map(|d| d.to_string()).collect();
    assert_eq!(lines, ["ScheduledPosts: field status should be spelled Status"]);
    let plan = schema::plan(&Schema::builtin(), &app.base.tables().await.unwrap());
    schema::apply::execute(&app.base, &plan).await.unwrap();
    assert!(schema::compare(&Schema::builtin(), &app.base.tables().await.unwrap())
        .differences
        .is_empty());
}

/// Missing choices of two fields of a table are added through shared temporary records, which
/// are gone afterwards: one create and one delete.
#[tokio::test(start_paused = true)]
async fn missing_select_choices_are_added_and_the_temporary_records_deleted() {
    let app = spawn_empty().await;
    let mut older = Schema::builtin();
    let users = older.tables.iter_mut().find(|t| t.name == "Users").unwrap();
    for f in users.fields.iter_mut() {
        if f.name == "Subscription Plan" || f.name == "Status" {
            f.choices.pop();
        }
    }
    let plan = schema::plan(&older, &app.base.tables().await.unwrap());
    schema::apply::execute(&app.base, &plan).await.unwrap();

    let plan = schema::plan(&Schema::builtin(), &app.base.tables().await.unwrap());
    assert_eq!(plan.actions.len(), 1, "{:?}", plan.actions);
    assert_eq!(
        plan.actions[0].to_string(),
        "add choices Enterprise to Users.Subscription Plan; Trial to Users.Status (through temporary records, deleted at once)"
    );
    let before = app.calls();
    schema::apply::execute(&app.base, &plan).await.unwrap();
    assert_eq!(app.calls() - before, 2);
    assert!(app.base.list("Users", &Default::default()).await.unwrap().is_empty());
    assert!(schema::compare(&Schema::builtin(), &app.base.tables().await.unwrap())
        .differences
        .is_empty());
}
