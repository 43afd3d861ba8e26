//! Name resolution for the connection pool.
//!
//! ureq resolves the host on every call, before it looks for a pooled connection, and with a
//! timeout set its resolver starts a thread to do so, even for an IP address. That thread was
//! the largest cost of a call (see BENCHMARKS.md). Here an IP literal needs no lookup, and a
//! host name is looked up (with ureq's resolver and its timeout) at most every
//! [`CACHE_TTL`], so a DNS change is seen within that time.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a host name's addresses are reused.
pub const CACHE_TTL: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub(crate) struct CachingResolver {
    lookup: DefaultResolver,
    /// "host:port" → addresses and when they were looked up. A client talks to one or two
    /// hosts (the API, a proxy), so this stays tiny.
    cache: Mutex<HashMap<String, (ResolvedSocketAddrs, Instant)>>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(authority), Some(scheme)) = (uri.authority(), uri.scheme_str()) else {
            return self.lookup.resolve(uri, config, timeout); // reports the bad URI
        };
        let default_port = if scheme == "https" { 443 } else { 80 };
        let port = authority.port_u16().unwrap_or(default_port);
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            let mut addresses = self.empty();
            addresses.push(SocketAddr::new(ip, port));
            return Ok(addresses);
        }
        let key = format!("{host}:{port}");
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((addresses, at)) = cache.get(&key) {
            if at.elapsed() < CACHE_TTL {
                return Ok(addresses.clone());
            }
        }
        // Not held across the lookup: other threads may resolve the same name meanwhile.
        drop(cache);
        let addresses = self.lookup.resolve(uri, config, timeout)?;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(key, (addresses.clone(), Instant::now()));
        Ok(addresses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::time::Duration as UreqDuration;

    fn resolve(resolver: &CachingResolver, uri: &str) -> Vec<SocketAddr> {
        let timeout = NextTimeout {
            after: UreqDuration::from_secs(5),
            reason: ureq::Timeout::Global,
            ..NextTimeout::default()
        };
        let uri: Uri = uri.parse().unwrap();
        resolver
            .resolve(&uri, &Config::default(), timeout)
            .unwrap()
            .to_vec()
    }

    #[test]
    fn ip_literals_need_no_lookup() {
        let resolver = CachingResolver::default();
        assert_eq!(
            resolve(&resolver, "http://127.0.0.1:8080/x"),
            vec!["127.0.0.1:8080".parse().unwrap()]
        );
        assert_eq!(
            resolve(&resolver, "https://[::1]/x"),
            vec!["[::1]:443".parse().unwrap()]
        );
        assert!(resolver.cache.lock().unwrap().is_empty());
    }

    #[test]
    fn names_are_looked_up_once_and_cached() {
        let resolver = CachingResolver::default();
        let first = resolve(&resolver, "http://localhost:9/x");
        assert!(
            first.iter().all(|a| a.ip().is_loopback() && a.port() == 9),
            "{first:?}"
        );
        assert_eq!(resolver.cache.lock().unwrap().len(), 1);
        assert_eq!(resolve(&resolver, "http://localhost:9/y"), first);
    }
}
