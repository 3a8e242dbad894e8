//! The visitor list's query (`GET /api/livechat/visitors?state=&group[]=&count=`), checked
//! before any of it reaches LiveChat's URL, and written back in a fixed order (the upstream
//! query and the cache key).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

/// More groups than any real filter needs; keeps cache keys and upstream URLs short.
const MAX_GROUPS: usize = 50;

/// A checked `GET /visitors` query.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub state: Option<String>,
    pub groups: Vec<u32>,
    pub count: bool,
}

impl ListQuery {
    /// Reads `state`, `group[]` (repeatable; `group` too) and `count`, each key with every value
    /// it was given; anything else is refused so that nothing unchecked reaches the upstream URL.
    fn from_keys(keys: Vec<(String, Vec<String>)>) -> Result<ListQuery, String> {
        let mut q = ListQuery::default();
        for (key, values) in keys {
            for value in values {
                match key.as_str() {
                    // LiveChat filters on these two states only, though more come back unfiltered.
                    "state" => match value.as_str() {
                        "chatting" | "queued" => q.state = Some(value),
                        _ => return Err("state must be chatting or queued.".into()),
                    },
                    "group[]" | "group" => {
                        let group = value
                            .parse()
                            .map_err(|_| format!("group '{value}' is not a group number."))?;
                        q.groups.push(group);
                    }
                    "count" => match value.as_str() {
                        "0" => q.count = false,
                        "1" => q.count = true,
                        _ => return Err("count must be 0 or 1.".into()),
                    },
                    other => return Err(format!("Unknown query parameter '{other}'.")),
                }
            }
        }
        q.groups.sort_unstable();
        q.groups.dedup();
        if q.groups.len() > MAX_GROUPS {
            return Err(format!("At most {MAX_GROUPS} groups can be asked for."));
        }
        Ok(q)
    }

    /// The upstream query string, in a fixed order (it is also the cache key).
    pub fn to_query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(state) = &self.state {
            s.append_pair("state", state);
        }
        for g in &self.groups {
            s.append_pair("group[]", &g.to_string());
        }
        if self.count {
            s.append_pair("count", "1");
        }
        s.finish()
    }
}
/// Read through `AppQuery`: every key with all its values, checked by [`ListQuery::from_keys`].
impl<'de> Deserialize<'de> for ListQuery {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ListQuery, D::Error> {
        struct Keys;

        impl<'de> Visitor<'de> for Keys {
            type Value = ListQuery;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a visitor list query")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListQuery, A::Error> {
                let mut keys = Vec::new();
                while let Some(entry) = map.next_entry::<String, Vec<String>>()? {
                    keys.push(entry);
                }
                ListQuery::from_keys(keys).map_err(de::Error::custom)
            }
        }

        deserializer.deserialize_map(Keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::query;
    use visitor_sidebar_contract::ErrorCode;

    #[test]
    fn list_queries_are_checked_and_normalized() {
        let q = query::<ListQuery>(Some(
            "group[]=2&state=chatting&group%5B%5D=0&count=1&group[]=2",
        ))
        .unwrap();
        assert_eq!(
            q.to_query(),
            "state=chatting&group%5B%5D=0&group%5B%5D=2&count=1"
        );
        assert_eq!(query::<ListQuery>(None).unwrap().to_query(), "");
        for bad in [
            "state=browsing",
            "group[]=x",
            "count=2",
            "evil=1",
            "group[]=-1",
        ] {
            assert_eq!(
                query::<ListQuery>(Some(bad)).unwrap_err().code(),
                ErrorCode::InvalidQuery,
                "{bad}"
            );
        }
    }
}
