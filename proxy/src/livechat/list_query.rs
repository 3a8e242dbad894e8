//! The visitor list's query (`GET /api/livechat/visitors?state=&group[]=&count=`), checked
//! before any of it reaches LiveChat's URL, and written back in a fixed order (the upstream
//! query and the cache key).

use visitor_sidebar_contract::ErrorCode;

use crate::error::AppError;

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
    /// Reads `state`, `group[]` (repeatable; `group` too) and `count`; anything else is refused
    /// so that nothing unchecked reaches the upstream URL.
    pub fn parse(raw: Option<&str>) -> Result<ListQuery, AppError> {
        let invalid = |m: String| AppError::new(ErrorCode::InvalidQuery, m);
        let mut q = ListQuery::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match key.as_ref() {
                // LiveChat filters on these two states only, though more come back unfiltered.
                "state" => match value.as_ref() {
                    "chatting" | "queued" => q.state = Some(value.into_owned()),
                    _ => return Err(invalid("state must be chatting or queued.".into())),
                },
                "group[]" | "group" => {
                    let group = value
                        .parse()
                        .map_err(|_| invalid(format!("group '{value}' is not a group number.")))?;
                    q.groups.push(group);
                }
                "count" => match value.as_ref() {
                    "0" => q.count = false,
                    "1" => q.count = true,
                    _ => return Err(invalid("count must be 0 or 1.".into())),
                },
                other => return Err(invalid(format!("Unknown query parameter '{other}'."))),
            }
        }
        q.groups.sort_unstable();
        q.groups.dedup();
        if q.groups.len() > MAX_GROUPS {
            return Err(invalid(format!(
                "At most {MAX_GROUPS} groups can be asked for."
            )));
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
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_queries_are_checked_and_normalized() {
        let q = ListQuery::parse(Some(
            "group[]=2&state=chatting&group%5B%5D=0&count=1&group[]=2",
        ))
        .unwrap();
        assert_eq!(
            q.to_query(),
            "state=chatting&group%5B%5D=0&group%5B%5D=2&count=1"
        );
        assert_eq!(ListQuery::parse(None).unwrap().to_query(), "");
        for bad in [
            "state=browsing",
            "group[]=x",
            "count=2",
            "evil=1",
            "group[]=-1",
        ] {
            assert_eq!(
                ListQuery::parse(Some(bad)).unwrap_err().code(),
                ErrorCode::InvalidQuery,
                "{bad}"
            );
        }
    }
}
