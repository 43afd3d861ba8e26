//! Call UUIDs as the simulator writes and reads them: 8-4-4-4-12 hex digits, random ones in
//! lowercase version 4.

/// 8-4-4-4-12 hex digits, either case.
pub fn is_canonical_uuid(text: &str) -> bool {
    const GROUP_LENGTHS: [usize; 5] = [8, 4, 4, 4, 12];
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == GROUP_LENGTHS.len()
        && groups.iter().zip(GROUP_LENGTHS).all(|(group, length)| {
            group.len() == length && group.bytes().all(|byte| byte.is_ascii_hexdigit())
        })
}

/// A random (version 4) UUID in lowercase, from the operating system's random numbers
/// through rustls' ring provider (already linked for --tls-cert).
pub fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    let provider = rustls::crypto::ring::default_provider();
    if provider.secure_random.fill(&mut bytes).is_err() {
        // No randomness at all: the system is broken; a clock-based value still differs.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        bytes = nanos.to_le_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uuid() {
        const LIVE: &str = "c0b93a5e-4ce0-4adb-940e-5079f2abbcb4";
        assert!(is_canonical_uuid(LIVE));
        assert!(is_canonical_uuid(&LIVE.to_uppercase()));
        assert!(is_canonical_uuid("C0b93A5e-4ce0-4ADB-940e-5079f2abbcb4"));
        assert!(!is_canonical_uuid("c0b93a5e-4ce0-4adb-940e-5079f2abbcb"));
        assert!(!is_canonical_uuid("c0b93a5e_4ce0_4adb_940e_5079f2abbcb4"));
        assert!(!is_canonical_uuid(" c0b93a5e-4ce0-4adb-940e-5079f2abbcb4"));
        assert!(!is_canonical_uuid("c0b93a5e-4ce0-4adb-940e-5079f2abbcb４"));
    }

    #[test]
    fn random_uuids_are_lowercase_v4_and_differ() {
        let first = random_uuid();
        assert!(is_canonical_uuid(&first), "{first}");
        assert_eq!(first, first.to_ascii_lowercase());
        assert_eq!(&first[14..15], "4");
        assert!("89ab".contains(&first[19..20]), "{first}");
        assert_ne!(first, random_uuid());
    }
}
