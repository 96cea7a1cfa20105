//! `setup cloudinary` against the sandbox Cloudinary.

use crate::helpers::{client_options, World};
use schedulo::cloudinary::setup::{setup, SetupPlan};
use schedulo::cloudinary::CloudinaryClient;

/// The first run creates the folders, the preset and every named transformation; the second
/// creates nothing and finds them all.
#[tokio::test(start_paused = true)]
async fn setup_cloudinary_run_twice_creates_nothing_the_second_time() {
    let w = World::start().await;
    let client = CloudinaryClient::new(client_options(&w.cloudinary, w.clock)).unwrap();
    let first = setup(&client, &SetupPlan::default()).await.unwrap();
    assert_eq!(
        first.created.len(),
        3 + 1 + schedulo::cloudinary::variants::VARIANTS.len(),
        "{first}"
    );
    let second = setup(&client, &SetupPlan::default()).await.unwrap();
    assert!(second.created.is_empty(), "{second}");
    assert_eq!(second.existed.len(), first.created.len(), "{second}");
    assert!(!second.has_unfixed_differences(), "{second}");
    println!("{second}");
}
