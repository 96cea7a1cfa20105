//! The fetcher's DNS: a name is resolved once, and every address it gives is judged before the
//! connection is made to exactly those addresses (there is no second lookup that could answer
//! differently). A name that resolves to this machine, a private network or a metadata service is
//! refused, unless it is one of the sandboxes' own names.

use super::addresses::forbidden;
use super::Refused;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use std::sync::Arc;

pub(super) struct GuardedResolver {
    /// Names (lowercase) that may resolve to loopback: the sandboxes'.
    pub(super) local_names: Arc<Vec<String>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        let local = self.local_names.contains(&host);
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if found.is_empty() {
                return Err(Box::new(Refused(format!("{host} does not resolve to any address"))) as _);
            }
            if !local {
                if let Some((ip, why)) = found.iter().find_map(|a| forbidden(a.ip()).map(|why| (a.ip(), why))) {
                    return Err(Box::new(Refused(format!("{host} resolves to {ip}, {why}"))) as _);
                }
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}
