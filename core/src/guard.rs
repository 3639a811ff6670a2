//! The SSRF guard for OAuth token endpoints.
//!
//! A token endpoint is supplied by a client at deposit time and fetched by the executor at every refresh,
//! so an unchecked value would let any caller make the executor send requests to its own loopback services
//! or to a cloud metadata endpoint (and its credentials). The guard judges the URL exactly as WHATWG URL
//! (Node's `new URL()`) parses it, because that is what the HTTP client will eventually connect to:
//! alternate IPv4 spellings (`2130706433`, `0x7f.1`, `127.1`, `%31%32%37.0.0.1`, full-width digits) are
//! normalised to a dotted quad by the parser before any rule looks at them.
//!
//! Only IP literals and a few reserved names are judged; names are never resolved, since a resolution at
//! check time proves nothing about the resolution at fetch time (DNS rebinding) and would make the check
//! depend on the network. Private networks stay allowed: private identity providers are a supported
//! deployment.

use std::net::{Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Prefix of every refusal message; the zod custom issue and the thrown error share it.
const MESSAGE_PREFIX: &str = "Invalid OAuth token endpoint: ";

/// AWS's IPv6 instance metadata endpoint (IMDS on Nitro instances).
const AWS_METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254);

/// Alibaba Cloud's instance metadata endpoint. It lies in the shared address space (100.64/10), which is
/// otherwise not refused, so it has to be named.
const ALIBABA_METADATA_V4: Ipv4Addr = Ipv4Addr::new(100, 100, 100, 200);

/// Google Cloud's metadata host name; it resolves to 169.254.169.254 inside GCE, so refusing only the
/// address would let the name through.
const GOOGLE_METADATA_HOST: &str = "metadata.google.internal";

/// Why a token endpoint is refused.
///
/// The variants are listed in the order the rules are checked; the first failing rule wins, so one URL
/// always yields the same reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardReason {
    /// WHATWG URL parsing fails: a relative reference, an empty string, an invalid host.
    NotAbsoluteUrl,
    /// A scheme other than `http`/`https`: the refresh is an HTTP request and nothing else is meaningful.
    NotHttpOrHttps,
    /// `0.0.0.0/8` or `::` (also IPv4-mapped): connecting to them reaches the local host on most systems.
    Unspecified,
    /// Link-local addresses and cloud metadata endpoints, refused in every environment because they
    /// expose instance credentials.
    LinkLocalOrMetadata,
    /// Plain `http` outside development and test: a refresh token must not travel in clear text.
    MustUseHttps,
    /// Loopback outside development and test: the executor's own local services must not be reachable.
    Loopback,
}

impl GuardReason {
    /// Every reason, in the order the rules are checked.
    pub const ALL: [GuardReason; 6] = [
        Self::NotAbsoluteUrl,
        Self::NotHttpOrHttps,
        Self::Unspecified,
        Self::LinkLocalOrMetadata,
        Self::MustUseHttps,
        Self::Loopback,
    ];

    /// Whether relaxed mode (`NODE_ENV` `development` or `test`) lifts this refusal. The strict verdict
    /// therefore decides alone unless it is one of these, which lets a caller read `NODE_ENV` only when
    /// the answer depends on it: the relaxed verdict is `Ok` exactly when the strict one is `Ok` or a
    /// reason for which this is true.
    pub fn waived_when_relaxed(self) -> bool {
        matches!(self, Self::MustUseHttps | Self::Loopback)
    }

    /// The reason text, without the common prefix; fixed text, never a part of the input.
    pub fn reason(self) -> &'static str {
        match self {
            Self::NotAbsoluteUrl => "it is not a valid absolute URL",
            Self::NotHttpOrHttps => "it must use http or https",
            Self::Unspecified => "it points at the unspecified address (0.0.0.0 / ::)",
            Self::LinkLocalOrMetadata => "it points at a link-local / metadata address",
            Self::MustUseHttps => "it must use https",
            Self::Loopback => "it points at the executor host (loopback)",
        }
    }

    /// `Invalid OAuth token endpoint: <reason>`: both the thrown error's message and the zod custom-issue
    /// message, so the two paths report a refusal identically.
    pub fn message(self) -> String {
        format!("{MESSAGE_PREFIX}{}", self.reason())
    }
}

/// Checks that `url` is a token endpoint the executor may call.
///
/// `relaxed` is true exactly when `NODE_ENV` is `development` or `test`; the caller reads the environment
/// so that this function stays pure. Relaxed mode only lifts the `https` and loopback rules, which local
/// development needs; the unspecified, link-local and metadata rules hold everywhere.
///
/// Never panics, whatever the input.
pub fn check_token_endpoint(url: &str, relaxed: bool) -> Result<(), GuardReason> {
    let parsed = Url::parse(url).map_err(|_| GuardReason::NotAbsoluteUrl)?;
    check_parsed(parsed.scheme(), parsed.host_str().unwrap_or_default(), relaxed)
}

/// Checks a URL that WHATWG parsing already took apart: its scheme (without the `:`) and its host as the
/// URL serializes it (`URL#hostname`: a domain in lower-case ASCII, a dotted quad, or an IPv6 address in
/// brackets). The binding hands over what Node's own `new URL()` made of the text, so that a URL is valid
/// exactly when the running Node says so (its IDNA tables change between Node versions); Rust callers go
/// through [`check_token_endpoint`], which parses with the url crate.
pub fn check_parsed(scheme: &str, hostname: &str, relaxed: bool) -> Result<(), GuardReason> {
    let is_http = match scheme {
        "http" => true,
        "https" => false,
        _ => return Err(GuardReason::NotHttpOrHttps),
    };
    let host = host_of(hostname)?;

    if is_unspecified(&host) {
        return Err(GuardReason::Unspecified);
    }
    if is_link_local_or_metadata(&host) {
        return Err(GuardReason::LinkLocalOrMetadata);
    }
    if relaxed {
        return Ok(());
    }
    if is_http {
        return Err(GuardReason::MustUseHttps);
    }
    if is_loopback(&host) {
        return Err(GuardReason::Loopback);
    }
    Ok(())
}

/// A serialized hostname as a [`Host`]. WHATWG serializes an IP address in exactly one form (IPv6 in
/// brackets, IPv4 as a dotted quad of decimal numbers) and refuses a domain whose last label is numeric,
/// so the form says which it is. An http(s) URL always has a host: an empty one (only from a forged
/// record) is no endpoint at all.
fn host_of(hostname: &str) -> Result<Host<&str>, GuardReason> {
    if hostname.is_empty() {
        return Err(GuardReason::NotAbsoluteUrl);
    }
    if let Some(inner) = hostname.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .map(Host::Ipv6)
            .map_err(|_| GuardReason::NotAbsoluteUrl);
    }
    if let Ok(v4) = hostname.parse::<Ipv4Addr>() {
        return Ok(Host::Ipv4(v4));
    }
    // A serialized domain is ASCII without WHATWG's forbidden domain code points: anything else is not a
    // hostname a URL could have (a full URL passed where a hostname belongs, a forged record), and is
    // refused rather than judged as a name.
    let forbidden = |b: u8| {
        b <= b' '
            || b >= 0x7f
            || matches!(
                b,
                b'#' | b'%' | b'/' | b':' | b'<' | b'>' | b'?' | b'@' | b'[' | b'\\' | b']' | b'^' | b'|'
            )
    };
    if hostname.bytes().any(forbidden) {
        return Err(GuardReason::NotAbsoluteUrl);
    }
    Ok(Host::Domain(hostname))
}

/// Splits what the binding hands over for a parsed URL, `protocol + hostname` as `URL` gives them
/// (`"https:" + "idp.example.com"`), at the protocol's colon (a scheme has none of its own).
pub fn split_endpoint(text: &str) -> Option<(&str, &str)> {
    text.split_once(':')
}

/// The IPv4 address carried by an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), which the kernel connects
/// to as that IPv4 address.
///
/// Deliberately not the deprecated IPv4-compatible form `::a.b.c.d` (RFC 4291 §2.5.5.1): modern stacks
/// do not translate it to IPv4, so `[::127.0.0.1]` (serialised `[::7f00:1]`) is an ordinary,
/// non-loopback IPv6 address and is judged as such.
fn mapped_v4(v6: &Ipv6Addr) -> Option<Ipv4Addr> {
    v6.to_ipv4_mapped()
}

/// 0.0.0.0/8, `::`, or 0.0.0.0/8 inside IPv4-mapped IPv6.
fn is_unspecified(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(v4) => is_unspecified_v4(v4),
        Host::Ipv6(v6) => v6.is_unspecified() || mapped_v4(v6).is_some_and(|v4| is_unspecified_v4(&v4)),
        Host::Domain(_) => false,
    }
}

/// The whole 0.0.0.0/8 block ("this host on this network", RFC 1122), not only 0.0.0.0: stacks differ in
/// what they do with it, and none of it is a legitimate remote destination.
fn is_unspecified_v4(v4: &Ipv4Addr) -> bool {
    v4.octets()[0] == 0
}

/// 169.254.0.0/16, fe80::/10, the metadata endpoints, and the IPv4 ones inside IPv4-mapped IPv6.
fn is_link_local_or_metadata(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(v4) => is_link_local_or_metadata_v4(v4),
        Host::Ipv6(v6) => {
            // fe80::/10: the first ten bits are 1111 1110 10, so fe80:: up to febf:ffff:…
            (v6.segments()[0] & 0xffc0) == 0xfe80
                || *v6 == AWS_METADATA_V6
                || mapped_v4(v6).is_some_and(|v4| is_link_local_or_metadata_v4(&v4))
        }
        Host::Domain(name) => without_one_trailing_dot(name).eq_ignore_ascii_case(GOOGLE_METADATA_HOST),
    }
}

/// 169.254.0.0/16 (which holds the AWS/GCP/Azure metadata address 169.254.169.254) and Alibaba's endpoint.
fn is_link_local_or_metadata_v4(v4: &Ipv4Addr) -> bool {
    v4.is_link_local() || *v4 == ALIBABA_METADATA_V4
}

/// 127.0.0.0/8, `::1`, 127/8 inside IPv4-mapped IPv6, `localhost` and `*.localhost` (RFC 6761 reserves
/// the whole `localhost.` zone for loopback, and resolvers answer it without DNS).
fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(v4) => v4.is_loopback(),
        Host::Ipv6(v6) => v6.is_loopback() || mapped_v4(v6).is_some_and(|v4| v4.is_loopback()),
        Host::Domain(name) => {
            // The url crate already lower-cases special-scheme hosts; comparing without case keeps the
            // rule correct even if that ever changes. Bytes, so no slicing on a char boundary.
            let name = without_one_trailing_dot(name).as_bytes();
            let suffix = b".localhost";
            let tail = name.len().checked_sub(suffix.len()).and_then(|start| name.get(start..));
            name.eq_ignore_ascii_case(b"localhost") || tail.is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
        }
    }
}

/// `name` without one trailing dot: `localhost.` is the fully qualified spelling of `localhost` and the
/// url crate keeps the dot. Only one, because `localhost..` (an empty label) is not a resolvable name.
fn without_one_trailing_dot(name: &str) -> &str {
    name.strip_suffix('.').unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    use GuardReason::*;

    const STRICT: bool = false;
    const RELAXED: bool = true;

    /// Asserts the verdict of every `(url, expected)` row in one mode, naming the failing row.
    fn assert_all(relaxed: bool, cases: &[(&str, Result<(), GuardReason>)]) {
        for (url, expected) in cases {
            assert_eq!(
                check_token_endpoint(url, relaxed),
                *expected,
                "url {url:?}, relaxed = {relaxed}"
            );
        }
    }

    /// Asserts the same verdict in both modes (the rules that do not depend on `NODE_ENV`).
    fn assert_both(cases: &[(&str, Result<(), GuardReason>)]) {
        assert_all(STRICT, cases);
        assert_all(RELAXED, cases);
    }

    #[test]
    fn parsed_endpoints_are_judged_by_their_serialized_host() {
        let cases: &[(&str, &str, Result<(), GuardReason>)] = &[
            ("https", "idp.example.com", Ok(())),
            ("https", "127.0.0.1", Err(Loopback)),
            ("https", "[::1]", Err(Loopback)),
            ("https", "[::ffff:a9fe:a9fe]", Err(LinkLocalOrMetadata)),
            ("https", "0.0.0.0", Err(Unspecified)),
            ("https", "metadata.google.internal.", Err(LinkLocalOrMetadata)),
            ("https", "a.localhost", Err(Loopback)),
            ("ftp", "idp.example.com", Err(NotHttpOrHttps)),
            ("http", "idp.example.com", Err(MustUseHttps)),
            // Not a hostname any URL serializes: a whole URL, a forged record.
            ("https", "//127.0.0.1/token", Err(NotAbsoluteUrl)),
            ("https", "", Err(NotAbsoluteUrl)),
            ("https", "[::1", Err(NotAbsoluteUrl)),
            ("https", "[127.0.0.1]", Err(NotAbsoluteUrl)),
            ("https", "idp\u{3164}.example.com", Err(NotAbsoluteUrl)),
            ("https", "a b", Err(NotAbsoluteUrl)),
            ("https", "a%41", Err(NotAbsoluteUrl)),
        ];
        for (scheme, host, expected) in cases {
            assert_eq!(check_parsed(scheme, host, STRICT), *expected, "{scheme}:{host}");
        }
        assert_eq!(split_endpoint("https:[::1]"), Some(("https", "[::1]")));
        assert_eq!(split_endpoint("no colon"), None);
    }

    #[test]
    fn reason_texts_are_exact() {
        let expected = [
            (NotAbsoluteUrl, "it is not a valid absolute URL"),
            (NotHttpOrHttps, "it must use http or https"),
            (Unspecified, "it points at the unspecified address (0.0.0.0 / ::)"),
            (LinkLocalOrMetadata, "it points at a link-local / metadata address"),
            (MustUseHttps, "it must use https"),
            (Loopback, "it points at the executor host (loopback)"),
        ];
        for (reason, text) in expected {
            assert_eq!(reason.reason(), text);
            assert_eq!(reason.message(), format!("Invalid OAuth token endpoint: {text}"));
        }
    }

    #[test]
    fn messages_are_exact() {
        assert_eq!(
            NotAbsoluteUrl.message(),
            "Invalid OAuth token endpoint: it is not a valid absolute URL"
        );
        assert_eq!(
            NotHttpOrHttps.message(),
            "Invalid OAuth token endpoint: it must use http or https"
        );
        assert_eq!(
            Unspecified.message(),
            "Invalid OAuth token endpoint: it points at the unspecified address (0.0.0.0 / ::)"
        );
        assert_eq!(
            LinkLocalOrMetadata.message(),
            "Invalid OAuth token endpoint: it points at a link-local / metadata address"
        );
        assert_eq!(
            MustUseHttps.message(),
            "Invalid OAuth token endpoint: it must use https"
        );
        assert_eq!(
            Loopback.message(),
            "Invalid OAuth token endpoint: it points at the executor host (loopback)"
        );
    }

    #[test]
    fn ordinary_https_endpoints_are_allowed() {
        assert_both(&[
            ("https://oauth2.googleapis.com/token", Ok(())),
            ("https://login.microsoftonline.com/common/oauth2/v2.0/token", Ok(())),
            ("https://auth.example.com:8443/oauth/token?x=1#frag", Ok(())),
            ("HTTPS://AUTH.EXAMPLE.COM/token", Ok(())),
            ("https://user:pw@auth.example.com/token", Ok(())),
            ("https://8.8.8.8/token", Ok(())),
            ("https://[2001:db8::1]:443/token", Ok(())),
            // Names are not resolved, even ones that happen to resolve to loopback.
            ("https://localtest.me/token", Ok(())),
            ("https://127.0.0.1.nip.io/token", Ok(())),
            // Look-alikes of the reserved names are ordinary names.
            ("https://localhost.example.com/token", Ok(())),
            ("https://mylocalhost/token", Ok(())),
            ("https://metadata.google.internal.example.com/token", Ok(())),
            ("https://google.internal/token", Ok(())),
            // Internationalised names are fine (punycoded by the parser).
            ("https://bücher.example/token", Ok(())),
        ]);
    }

    #[test]
    fn rule1_not_an_absolute_url() {
        assert_both(&[
            ("/token", Err(NotAbsoluteUrl)),
            ("token", Err(NotAbsoluteUrl)),
            ("example.com/token", Err(NotAbsoluteUrl)),
            ("//example.com/token", Err(NotAbsoluteUrl)),
            ("", Err(NotAbsoluteUrl)),
            ("   ", Err(NotAbsoluteUrl)),
            ("http://", Err(NotAbsoluteUrl)),
            ("https://", Err(NotAbsoluteUrl)),
            ("https:", Err(NotAbsoluteUrl)),
            ("https:/", Err(NotAbsoluteUrl)),
            ("http://exa mple.com", Err(NotAbsoluteUrl)),
            ("http://exa<mple.com/", Err(NotAbsoluteUrl)),
            ("http://example.com:99999/", Err(NotAbsoluteUrl)),
            ("http://example.com:port/", Err(NotAbsoluteUrl)),
            ("http://[::1/", Err(NotAbsoluteUrl)),
            ("http://[::1%25eth0]/", Err(NotAbsoluteUrl)),
            ("http://[fe80::1%25eth0]/", Err(NotAbsoluteUrl)),
            ("http://[127.0.0.1]/", Err(NotAbsoluteUrl)),
            ("http://1.2.3.4.5/", Err(NotAbsoluteUrl)),
            ("http://999.1.1.1/", Err(NotAbsoluteUrl)),
            ("http://127.0.0.1%00/", Err(NotAbsoluteUrl)),
            ("http://xn--/", Err(NotAbsoluteUrl)),
            ("http://%zz/", Err(NotAbsoluteUrl)),
            (":", Err(NotAbsoluteUrl)),
            ("://example.com", Err(NotAbsoluteUrl)),
            ("1http://example.com", Err(NotAbsoluteUrl)),
        ]);
    }

    #[test]
    fn rule2_only_http_and_https() {
        assert_both(&[
            ("ftp://example.com/token", Err(NotHttpOrHttps)),
            ("file:///etc/passwd", Err(NotHttpOrHttps)),
            ("file://127.0.0.1/etc/passwd", Err(NotHttpOrHttps)),
            ("javascript:alert(1)", Err(NotHttpOrHttps)),
            ("data:text/plain,token", Err(NotHttpOrHttps)),
            ("ws://example.com/token", Err(NotHttpOrHttps)),
            ("wss://example.com/token", Err(NotHttpOrHttps)),
            ("gopher://127.0.0.1:6379/_INFO", Err(NotHttpOrHttps)),
            ("mailto:a@example.com", Err(NotHttpOrHttps)),
            ("httpx://example.com/", Err(NotHttpOrHttps)),
            ("example.com:443/token", Err(NotHttpOrHttps)),
            ("localhost:8080", Err(NotHttpOrHttps)),
            // The scheme is judged before the host.
            ("ftp://127.0.0.1/", Err(NotHttpOrHttps)),
            ("ftp://169.254.169.254/", Err(NotHttpOrHttps)),
            ("ftp://0.0.0.0/", Err(NotHttpOrHttps)),
        ]);
        // Schemes are case-insensitive and lower-cased by the parser.
        assert_both(&[("HTTPS://example.com/", Ok(())), ("HtTpS://example.com/", Ok(()))]);
        assert_all(RELAXED, &[("HTTP://example.com/", Ok(()))]);
    }

    #[test]
    fn rule3_unspecified() {
        assert_both(&[
            ("https://0.0.0.0/", Err(Unspecified)),
            ("https://0.0.0.0:8080/token", Err(Unspecified)),
            ("https://0.1.2.3/", Err(Unspecified)),
            ("https://0.255.255.255/", Err(Unspecified)),
            ("https://0/", Err(Unspecified)),
            ("https://0x0/", Err(Unspecified)),
            ("https://00.00.00.00/", Err(Unspecified)),
            ("https://[::]/", Err(Unspecified)),
            ("https://[::]:443/token", Err(Unspecified)),
            ("https://[0:0:0:0:0:0:0:0]/", Err(Unspecified)),
            ("https://[::ffff:0.0.0.0]/", Err(Unspecified)),
            ("https://[::ffff:0:0]/", Err(Unspecified)),
            ("https://[::ffff:0.1.2.3]/", Err(Unspecified)),
            ("https://[::ffff:1:203]/", Err(Unspecified)),
            // http and the unspecified address: the unspecified rule comes first.
            ("http://0.0.0.0/", Err(Unspecified)),
            ("http://[::]/", Err(Unspecified)),
        ]);
        // The neighbours are ordinary addresses.
        assert_both(&[("https://1.0.0.0/", Ok(())), ("https://[::2]/", Ok(()))]);
    }

    #[test]
    fn rule4_link_local_v4() {
        assert_both(&[
            ("https://169.254.169.254/latest/meta-data/", Err(LinkLocalOrMetadata)),
            ("https://169.254.0.0/", Err(LinkLocalOrMetadata)),
            ("https://169.254.255.255/", Err(LinkLocalOrMetadata)),
            ("https://169.254.1.1:8080/", Err(LinkLocalOrMetadata)),
            ("https://169.254.169.254./", Err(LinkLocalOrMetadata)),
            // Alternate IPv4 forms of 169.254.169.254.
            ("https://2852039166/", Err(LinkLocalOrMetadata)),
            ("https://0xa9fea9fe/", Err(LinkLocalOrMetadata)),
            ("https://0xa9.0xfe.0xa9.0xfe/", Err(LinkLocalOrMetadata)),
            ("https://0251.0376.0251.0376/", Err(LinkLocalOrMetadata)),
            ("https://169.254.43518/", Err(LinkLocalOrMetadata)),
        ]);
        assert_both(&[("https://169.253.255.255/", Ok(())), ("https://169.255.0.0/", Ok(()))]);
    }

    #[test]
    fn rule4_link_local_v6() {
        assert_both(&[
            ("https://[fe80::1]/", Err(LinkLocalOrMetadata)),
            ("https://[fe80::1]:8443/token", Err(LinkLocalOrMetadata)),
            ("https://[FE80::abcd]/", Err(LinkLocalOrMetadata)),
            ("https://[fe80::]/", Err(LinkLocalOrMetadata)),
            ("https://[fe9f::1]/", Err(LinkLocalOrMetadata)),
            ("https://[feaf::1]/", Err(LinkLocalOrMetadata)),
            // Upper end of fe80::/10.
            ("https://[febf::1]/", Err(LinkLocalOrMetadata)),
            (
                "https://[febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff]/",
                Err(LinkLocalOrMetadata),
            ),
        ]);
        // Just outside fe80::/10 on both sides (fec0:: is the deprecated site-local block).
        assert_both(&[
            ("https://[fec0::1]/", Ok(())),
            ("https://[fe7f:ffff::1]/", Ok(())),
            ("https://[ff02::1]/", Ok(())),
        ]);
    }

    #[test]
    fn rule4_metadata_endpoints() {
        assert_both(&[
            ("https://[fd00:ec2::254]/latest/meta-data/", Err(LinkLocalOrMetadata)),
            ("https://[FD00:EC2::254]/", Err(LinkLocalOrMetadata)),
            ("https://[fd00:0ec2:0:0:0:0:0:0254]:80/", Err(LinkLocalOrMetadata)),
            ("https://100.100.100.200/latest/meta-data/", Err(LinkLocalOrMetadata)),
            ("https://1684301000/", Err(LinkLocalOrMetadata)),
            ("https://0x64.0x64.0x64.0xc8/", Err(LinkLocalOrMetadata)),
            (
                "https://metadata.google.internal/computeMetadata/v1/",
                Err(LinkLocalOrMetadata),
            ),
            ("https://metadata.google.internal./", Err(LinkLocalOrMetadata)),
            ("https://METADATA.GOOGLE.INTERNAL/", Err(LinkLocalOrMetadata)),
            ("https://METADATA.GOOGLE.INTERNAL./", Err(LinkLocalOrMetadata)),
            ("https://Metadata.Google.Internal:80/", Err(LinkLocalOrMetadata)),
            ("https://metadata%2egoogle%2einternal/", Err(LinkLocalOrMetadata)),
            ("https://ｍｅｔａｄａｔａ.google.internal/", Err(LinkLocalOrMetadata)),
            ("https://user:pw@metadata.google.internal/", Err(LinkLocalOrMetadata)),
        ]);
        // Neighbours: the other addresses of the private/shared blocks are allowed.
        assert_both(&[
            ("https://[fd00:ec2::253]/", Ok(())),
            ("https://[fd00:ec2::255]/", Ok(())),
            ("https://100.100.100.201/", Ok(())),
            ("https://100.64.0.1/", Ok(())),
            // Two trailing dots is not the metadata name (nor a resolvable one).
            ("https://metadata.google.internal../", Ok(())),
            ("https://xmetadata.google.internal/", Ok(())),
            ("https://a.metadata.google.internal/", Ok(())),
        ]);
    }

    #[test]
    fn rule4_inside_ipv4_mapped_ipv6() {
        assert_both(&[
            ("https://[::ffff:169.254.169.254]/", Err(LinkLocalOrMetadata)),
            ("https://[::ffff:a9fe:a9fe]/", Err(LinkLocalOrMetadata)),
            ("https://[::FFFF:A9FE:A9FE]:8080/", Err(LinkLocalOrMetadata)),
            ("https://[0:0:0:0:0:ffff:169.254.0.1]/", Err(LinkLocalOrMetadata)),
            ("https://[::ffff:100.100.100.200]/", Err(LinkLocalOrMetadata)),
            ("https://[::ffff:6464:64c8]/", Err(LinkLocalOrMetadata)),
        ]);
        // The deprecated IPv4-compatible form is not translated (see `mapped_v4`).
        assert_both(&[("https://[::169.254.169.254]/", Ok(()))]);
    }

    #[test]
    fn rule4_comes_before_https_and_loopback() {
        assert_all(
            STRICT,
            &[
                ("http://169.254.1.1/", Err(LinkLocalOrMetadata)),
                ("http://169.254.169.254/", Err(LinkLocalOrMetadata)),
                ("http://[fe80::1]/", Err(LinkLocalOrMetadata)),
                ("http://metadata.google.internal/", Err(LinkLocalOrMetadata)),
                ("http://[fd00:ec2::254]/", Err(LinkLocalOrMetadata)),
            ],
        );
    }

    #[test]
    fn rule5_http_only_when_relaxed() {
        let cases = [
            "http://example.com/token",
            "http://auth.example.com:8080/token",
            "HTTP://EXAMPLE.COM/",
            "http://10.0.0.5/token",
            "http://[2001:db8::1]/",
        ];
        for url in cases {
            assert_eq!(check_token_endpoint(url, STRICT), Err(MustUseHttps), "{url}");
            assert_eq!(check_token_endpoint(url, RELAXED), Ok(()), "{url}");
        }
    }

    #[test]
    fn rule5_comes_before_rule6() {
        assert_all(
            STRICT,
            &[
                ("http://127.0.0.1/", Err(MustUseHttps)),
                ("http://localhost:3000/token", Err(MustUseHttps)),
                ("http://[::1]/", Err(MustUseHttps)),
            ],
        );
    }

    #[test]
    fn rule6_loopback_only_when_relaxed() {
        let cases = [
            "https://127.0.0.1/token",
            "https://127.0.0.1:8443/token",
            "https://127.255.255.254/",
            "https://127.1.2.3/",
            "https://[::1]/",
            "https://[::1]:8443/x",
            "https://[0:0:0:0:0:0:0:1]/",
            "https://localhost/",
            "https://localhost:3000/token",
            "https://LOCALHOST/",
            "https://LocalHost./",
            "https://localhost./",
            "https://foo.localhost/",
            "https://foo.localhost./",
            "https://a.b.FOO.LocalHost./",
            "https://Api.LOCALHOST:8443/token",
            "https://.localhost/",
            "https://user:pw@127.0.0.1/",
            "https://user:pw@localhost/",
        ];
        for url in cases {
            assert_eq!(check_token_endpoint(url, STRICT), Err(Loopback), "{url}");
            assert_eq!(check_token_endpoint(url, RELAXED), Ok(()), "{url}");
            // The http variant is loopback too, but http is refused first in strict mode.
            let http = url.replacen("https", "http", 1);
            assert_eq!(check_token_endpoint(&http, STRICT), Err(MustUseHttps), "{http}");
            assert_eq!(check_token_endpoint(&http, RELAXED), Ok(()), "{http}");
        }
        // Neighbours of 127/8.
        assert_all(
            STRICT,
            &[
                ("https://126.255.255.255/", Ok(())),
                ("https://128.0.0.0/", Ok(())),
                ("https://localhost../", Ok(())),
                ("https://localhostx/", Ok(())),
                ("https://localhost.com/", Ok(())),
                ("https://xlocalhost/", Ok(())),
            ],
        );
    }

    #[test]
    fn rule6_alternate_ipv4_forms() {
        let cases = [
            "https://2130706433/",
            "https://0x7f.1/",
            "https://127.1/",
            "https://127.0.1/",
            "https://0177.0.0.1/",
            "https://0x7f000001/",
            "https://0x7F.0x00.0x00.0x01/",
            "https://017700000001/",
            "https://127.0.0.1./",
            "https://2130706434/",
        ];
        for url in cases {
            assert_eq!(check_token_endpoint(url, STRICT), Err(Loopback), "{url}");
            assert_eq!(check_token_endpoint(url, RELAXED), Ok(()), "{url}");
        }
    }

    #[test]
    fn rule6_ipv4_mapped_loopback() {
        let cases = [
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:7f00:1]/",
            "https://[::FFFF:7F00:1]:8443/token",
            "https://[0:0:0:0:0:ffff:127.1.2.3]/",
            "https://[::ffff:7fff:ffff]/",
        ];
        for url in cases {
            assert_eq!(check_token_endpoint(url, STRICT), Err(Loopback), "{url}");
            assert_eq!(check_token_endpoint(url, RELAXED), Ok(()), "{url}");
        }
        // The deprecated IPv4-compatible form is a plain IPv6 address (see `mapped_v4`).
        assert_all(
            STRICT,
            &[("https://[::127.0.0.1]/", Ok(())), ("https://[::7f00:1]/", Ok(()))],
        );
    }

    #[test]
    fn hosts_the_parser_decodes_or_maps() {
        // Percent-encoding, full-width and other compatibility digits and letters are decoded by WHATWG
        // host parsing (percent-decode, then UTS #46 mapping), before the IPv4 parser runs.
        let loopback = [
            "https://%31%32%37.0.0.1/",
            "https://%31%32%37%2e%30%2e%30%2e%31/",
            "https://１２７.０.０.１/",
            "https://１２７。０。０。１/",
            "https://①②⑦.0.0.1/",
            "https://ＬＯＣＡＬＨＯＳＴ/",
            "https://loc%61lhost/",
            "https://localhost%2e/",
            "https://ｆｏｏ.ｌｏｃａｌｈｏｓｔ/",
        ];
        for url in loopback {
            assert_eq!(check_token_endpoint(url, STRICT), Err(Loopback), "{url}");
            assert_eq!(check_token_endpoint(url, RELAXED), Ok(()), "{url}");
        }
        assert_both(&[
            ("https://%31%36%39.254.169.254/", Err(LinkLocalOrMetadata)),
            ("https://１６９.２５４.１６９.２５４/", Err(LinkLocalOrMetadata)),
            ("https://%30.%30.%30.%30/", Err(Unspecified)),
            ("https://０/", Err(Unspecified)),
        ]);
    }

    #[test]
    fn whatwg_leniencies_are_judged_after_normalisation() {
        // Leading/trailing C0 control or space is stripped, tabs and newlines removed, backslashes
        // treated as slashes, and missing slashes after a special scheme tolerated: all still 127.0.0.1.
        let cases = [
            "  https://127.0.0.1/  ",
            "https://127.0.0.1\t/",
            "https://12\n7.0.0.1/",
            "https:\\\\127.0.0.1\\token",
            "https:/127.0.0.1/",
            "https:127.0.0.1/",
            "https:///127.0.0.1/",
        ];
        for url in cases {
            assert_eq!(check_token_endpoint(url, STRICT), Err(Loopback), "{url:?}");
            assert_eq!(check_token_endpoint(url, RELAXED), Ok(()), "{url:?}");
        }
    }

    #[test]
    fn private_networks_are_allowed_in_both_modes() {
        assert_both(&[
            ("https://10.0.0.1/token", Ok(())),
            ("https://10.255.255.255/token", Ok(())),
            ("https://172.16.0.1/token", Ok(())),
            ("https://172.31.255.255/token", Ok(())),
            ("https://192.168.1.10:8443/token", Ok(())),
            ("https://[fc00::1]/token", Ok(())),
            ("https://[fd12:3456:789a::1]/token", Ok(())),
            ("https://[fdff:ffff::1]/token", Ok(())),
            ("https://[::ffff:10.0.0.1]/token", Ok(())),
            ("https://[::ffff:192.168.0.1]/token", Ok(())),
            ("https://idp.corp.internal/token", Ok(())),
            ("https://keycloak/token", Ok(())),
        ]);
        assert_all(
            RELAXED,
            &[("http://10.0.0.1/token", Ok(())), ("http://192.168.1.10/token", Ok(()))],
        );
    }

    /// A tiny deterministic xorshift64 generator, so the no-panic sweep needs no dependency and always
    /// runs the same inputs.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        #[allow(clippy::cast_possible_truncation, reason = "a test generator's index, below `n`")]
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn no_input_panics_and_modes_are_consistent() {
        let alphabet: Vec<char> = ":/[]%.@?#\\ \t-_0123456789abcdefxABCDEFXlocalhstmp:fe80ffff127.169.254."
            .chars()
            .chain("１２７。①ＬéßΩ\u{0}\u{ad}\u{200b}\u{fffd}🦀ǅ".chars())
            .collect();
        let prefixes = [
            "",
            "http://",
            "https://",
            "https://[",
            "http://[::ffff:",
            "https://%",
            "HTTPS:\\\\",
            "https://127.",
            "https://169.254.",
            "https://[fe80:",
            "https://localhost",
        ];
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let mut seen = [0usize; 7];
        for _ in 0..5000 {
            let mut input = String::from(prefixes[rng.below(prefixes.len())]);
            for _ in 0..rng.below(40) {
                input.push(alphabet[rng.below(alphabet.len())]);
            }
            let strict = check_token_endpoint(&input, STRICT);
            let relaxed = check_token_endpoint(&input, RELAXED);
            // Relaxed mode only lifts rules 5 and 6, which come last: whatever it refuses, strict mode
            // refuses for the same reason, and whatever strict mode allows, relaxed mode allows.
            if let Err(reason) = relaxed {
                assert_eq!(strict, Err(reason), "{input:?}");
                assert!(!matches!(reason, MustUseHttps | Loopback), "{input:?}");
            }
            if strict.is_ok() {
                assert_eq!(relaxed, Ok(()), "{input:?}");
            }
            let index = match strict {
                Ok(()) => 0,
                Err(NotAbsoluteUrl) => 1,
                Err(NotHttpOrHttps) => 2,
                Err(Unspecified) => 3,
                Err(LinkLocalOrMetadata) => 4,
                Err(MustUseHttps) => 5,
                Err(Loopback) => 6,
            };
            seen[index] += 1;
        }
        // The sweep reaches every rule, not only the parser's refusals.
        assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    }
}
