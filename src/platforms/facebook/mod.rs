//! Facebook Pages (Graph API).
