//! Which visitor IDs and session IDs are accepted. They are put into upstream URL paths and
//! queries, so the charset is strict: nothing that could change the path (`/`, `%`, `..`), the
//! query (`?`, `&`, `#`), the host, or a header (CR, LF).

use std::fmt;

/// The longest visitor or session ID accepted. LivePerson's monitoring IDs run to about 70
/// characters (`jnPABZYjQcOS2Uk5fp_HnA.c524460e...`), LiveChat's to about 25.
pub const MAX_ID_LEN: usize = 128;

/// Why an identifier was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    Empty,
    TooLong,
    BadCharacter,
    DotsOnly,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdError::Empty => "is empty",
            IdError::TooLong => "is longer than 128 characters",
            IdError::BadCharacter => "may contain only letters, digits, '.', '_', '-' and '~'",
            IdError::DotsOnly => "cannot be only dots",
        })
    }
}

/// Checks a visitor ID or session ID: 1 to [`MAX_ID_LEN`] characters from `[A-Za-z0-9._~-]`, and
/// not made of dots alone (`.` and `..` are path segments).
pub fn check_id(id: &str) -> Result<(), IdError> {
    if id.is_empty() {
        return Err(IdError::Empty);
    }
    if id.len() > MAX_ID_LEN {
        return Err(IdError::TooLong);
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'~'))
    {
        return Err(IdError::BadCharacter);
    }
    if id.bytes().all(|b| b == b'.') {
        return Err(IdError::DotsOnly);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_ids() {
        for id in [
            "jnPABZYjQcOS2Uk5fp_HnA.c524460e4432e9f93cf700af590f16ef181f20e6",
            "123.567",
            "S148dea44981.d9443253fef2",
            "S1352647457.ac951bfe2e",
        ] {
            assert_eq!(check_id(id), Ok(()), "{id}");
        }
    }

    #[test]
    fn refuses_anything_that_could_steer_the_upstream_url() {
        for (id, why) in [
            ("", IdError::Empty),
            ("..", IdError::DotsOnly),
            (".", IdError::DotsOnly),
            ("../admin", IdError::BadCharacter),
            ("a/b", IdError::BadCharacter),
            ("a%2Fb", IdError::BadCharacter),
            ("a?x=1", IdError::BadCharacter),
            ("a#b", IdError::BadCharacter),
            ("a\r\nX-Evil: 1", IdError::BadCharacter),
            ("évite", IdError::BadCharacter),
            ("@evil.example", IdError::BadCharacter),
        ] {
            assert_eq!(check_id(id), Err(why), "{id:?}");
        }
        assert_eq!(check_id(&"a".repeat(129)), Err(IdError::TooLong));
        assert_eq!(check_id(&"a".repeat(128)), Ok(()));
    }
}
