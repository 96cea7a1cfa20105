//! Our own Cloudinary client (the `cloudinary` crate cannot upload video, use presets, reach the
//! Admin API, or take a base URL): signatures ([`signer`]) and the per-platform variants
//! ([`variants`]), with their one canonical transformation string each.

pub mod signer;
pub mod variants;
