//! Fetching media, and only from where media should come from. The URLs of a post's media are
//! cells of the base: anyone who can edit one could otherwise make the worker fetch its own
//! loopback services, the LAN or a cloud's metadata service, read the answer's status back from the
//! post's error, or publish an internal image. So every download of media (the probe of a post's
//! files, X's image and video uploads, TikTok's `FILE_UPLOAD`) goes through one [`MediaFetcher`]:
//!
//! - the URL must be http(s) on an allowed host and port: the Cloudinary delivery host, the hosts
//!   an operator lists in `SCHEDULO_MEDIA_HOSTS`, and the sandboxes' own addresses (the loopback
//!   addresses among the worker's vendor URLs: a worker pointed at loopback talks to a sandbox);
//! - a host name is resolved once and refused if any address is loopback, private, link-local
//!   (metadata services), multicast or reserved ([`addresses`]), unless it is a sandbox's; the
//!   connection goes to the addresses judged ([`resolver`]); an IP literal is judged the same way;
//! - a redirect is followed only to an allowed URL (at most 5); no proxy is used (a proxy would
//!   resolve names where the worker cannot judge them);
//! - a URL refused is never fetched: [`MediaFetcher::check`] says why, for the post's error.
//!   How much is read stays with each caller (the platform's largest allowed size).
//!
//! The only way to a request is [`MediaFetcher::get`] with a [`Checked`] URL, which only
//! [`MediaFetcher::check`] makes.
//!
//! # Layout
//! [`addresses`] (which addresses are refused), [`resolver`] (the DNS that judges them).

pub mod addresses;
mod resolver;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;

/// Why a URL is not fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// A host and port media may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaHost {
    /// Lowercase, without brackets for IPv6.
    pub host: String,
    pub port: u16,
}

impl MediaHost {
    /// The host and port of `url` (the scheme's port when none is written).
    pub fn of(url: &Url) -> Option<MediaHost> {
        let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']');
        Some(MediaHost {
            host: host.trim_end_matches('.').to_ascii_lowercase(),
            port: url.port_or_known_default()?,
        })
    }

    /// One entry of `SCHEDULO_MEDIA_HOSTS`: `media.example.com` (port 443), `media.example.com:8443`,
    /// or a URL (`https://media.example.com`).
    pub fn parse(entry: &str) -> Result<MediaHost, String> {
        let entry = entry.trim();
        let url = if entry.contains("://") {
            Url::parse(entry)
        } else {
            Url::parse(&format!("https://{entry}"))
        }
        .map_err(|_| format!("`{entry}` is not a host name, host:port or URL"))?;
        if !matches!(url.scheme(), "http" | "https") || url.path().len() > 1 || url.query().is_some() {
            return Err(format!(
                "`{entry}` must be a host, host:port or http(s) URL without a path"
            ));
        }
        MediaHost::of(&url).ok_or_else(|| format!("`{entry}` names no host"))
    }
}

impl fmt::Display for MediaHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Where media may come from.
#[derive(Debug, Clone, Default)]
pub struct MediaPolicy {
    /// Hosts that must resolve to public addresses.
    public: Vec<MediaHost>,
    /// The sandboxes' addresses on this machine.
    local: Vec<MediaHost>,
}

impl MediaPolicy {
    /// Media from the Cloudinary delivery URL `delivery`, the operator's `listed` hosts, and the
    /// loopback ones among `vendor_urls` (the sandboxes'); a loopback delivery URL is a sandbox's.
    pub fn new(delivery: &Url, listed: Vec<MediaHost>, vendor_urls: &[&Url]) -> MediaPolicy {
        let mut policy = MediaPolicy::default();
        for url in std::iter::once(&delivery).chain(vendor_urls.iter()) {
            if let Some(host) = MediaHost::of(url).filter(is_local) {
                policy.local.push(host);
            }
        }
        if let Some(host) = MediaHost::of(delivery).filter(|h| !is_local(h)) {
            policy.public.push(host);
        }
        policy.public.extend(listed);
        policy
    }

    /// Whether `url` may be fetched, before any connection.
    pub fn check(&self, url: &Url) -> Result<(), Refused> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refused(format!("its scheme is {}, not http(s)", url.scheme())));
        }
        let host = MediaHost::of(url).ok_or_else(|| Refused("it names no host".into()))?;
        if self.local.contains(&host) {
            return Ok(());
        }
        if !self.public.contains(&host) {
            return Err(Refused(format!(
                "{host} is not a media host (media comes from {}; SCHEDULO_MEDIA_HOSTS adds others)",
                self.allowed()
            )));
        }
        if let Ok(ip) = host.host.parse::<std::net::IpAddr>() {
            if let Some(why) = addresses::forbidden(ip) {
                return Err(Refused(format!("{ip} is {why}")));
            }
        }
        Ok(())
    }

    fn allowed(&self) -> String {
        let all: Vec<String> = self.public.iter().chain(&self.local).map(|h| h.to_string()).collect();
        if all.is_empty() {
            "nowhere".into()
        } else {
            all.join(", ")
        }
    }
}

/// A sandbox address: loopback, or `localhost`.
fn is_local(host: &MediaHost) -> bool {
    host.host == "localhost" || host.host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A URL the policy allowed.
#[derive(Debug, Clone)]
pub struct Checked(Url);

impl Checked {
    pub fn url(&self) -> &Url {
        &self.0
    }
}

/// The one way the worker downloads media.
#[derive(Clone)]
pub struct MediaFetcher {
    client: reqwest::Client,
    policy: Arc<MediaPolicy>,
}

impl fmt::Debug for MediaFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaFetcher").field("policy", &self.policy).finish()
    }
}

impl MediaFetcher {
    pub fn new(policy: MediaPolicy) -> anyhow::Result<MediaFetcher> {
        let policy = Arc::new(policy);
        let hops = policy.clone();
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.error(Refused(format!("more than {MAX_REDIRECTS} redirects")));
            }
            match hops.check(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(why) => {
                    let to = MediaHost::of(attempt.url()).map(|h| h.to_string()).unwrap_or_default();
                    attempt.error(Refused(format!("it redirects to {to}, which is refused: {why}")))
                }
            }
        });
        let local_names = Arc::new(policy.local.iter().map(|h| h.host.clone()).collect());
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(redirect)
            .dns_resolver(Arc::new(resolver::GuardedResolver { local_names }))
            .connect_timeout(Duration::from_secs(10))
            .build()?;
        Ok(MediaFetcher { client, policy })
    }

    /// A fetcher for a publisher built on its own: media from Cloudinary's delivery host, and
    /// from `api_url` when that is a sandbox on this machine.
    pub fn for_api(api_url: &Url) -> anyhow::Result<MediaFetcher> {
        let delivery = Url::parse("https://res.cloudinary.com").expect("a URL");
        MediaFetcher::new(MediaPolicy::new(&delivery, Vec::new(), &[api_url]))
    }

    /// `raw`, if media may be fetched from it; else why not.
    pub fn check(&self, raw: &str) -> Result<Checked, Refused> {
        let url = Url::parse(raw.trim()).map_err(|_| Refused("it is not a URL".into()))?;
        self.policy.check(&url)?;
        Ok(Checked(url))
    }

    /// `raw`, if media may be fetched from it, with its host's addresses judged now (so that the
    /// refusal can be told; the connection judges them again as it resolves).
    pub async fn admit(&self, raw: &str) -> Result<Checked, Refused> {
        let checked = self.check(raw)?;
        let host = MediaHost::of(&checked.0).ok_or_else(|| Refused("it names no host".into()))?;
        if self.policy.local.contains(&host) || host.host.parse::<std::net::IpAddr>().is_ok() {
            return Ok(checked);
        }
        let found = tokio::net::lookup_host((host.host.as_str(), host.port))
            .await
            .map_err(|e| Refused(format!("{} does not resolve: {e}", host.host)))?;
        for addr in found {
            if let Some(why) = addresses::forbidden(addr.ip()) {
                return Err(Refused(format!("{} resolves to {}, {why}", host.host, addr.ip())));
            }
        }
        Ok(checked)
    }

    /// A GET of `url`.
    pub fn get(&self, url: &Checked) -> reqwest::RequestBuilder {
        self.client.get(url.0.clone())
    }

    /// The properties of the media file at `url`, read with a few range requests.
    pub async fn probe(
        &self,
        url: &Checked,
        timeout: Duration,
    ) -> Result<crate::media::MediaInfo, crate::media::probe::ProbeError> {
        crate::media::probe::probe_url(&self.client, url.0.as_str(), timeout).await
    }

    /// The refusal inside a failed request (a name resolving to a forbidden address, a redirect
    /// leaving the allowed hosts), if that is why it failed.
    pub fn refusal(error: &(dyn std::error::Error + 'static)) -> Option<String> {
        let mut source = Some(error);
        while let Some(e) = source {
            if let Some(refused) = e.downcast_ref::<Refused>() {
                return Some(refused.0.clone());
            }
            source = e.source();
        }
        None
    }
}

#[cfg(test)]
mod tests;
