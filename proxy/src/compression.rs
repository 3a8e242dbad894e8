//! Content codings for the cached JSON answers: which one a request accepts (`Accept-Encoding`,
//! RFC 9110 section 12.5.3) and the encoders. The big answers (a 2,000-page visit, a 5,000-visitor
//! list) are megabytes of JSON that compress to a tenth or less, sent again to every agent each
//! time they change; the cache compresses each answer once per coding (see `cache`).

use axum::http::{header, HeaderMap};
use std::io::Write;

pub use crate::metrics::Coding;

/// Bodies shorter than this go uncompressed: a few hundred bytes gain less than the coding's own
/// header and the work on both ends (the same floor nginx's `gzip_min_length` suggests).
pub const MIN_COMPRESSED_LEN: usize = 1024;

/// Brotli's quality (0–11) and window: 5 compresses JSON within a few percent of 11 at a small
/// fraction of its time, which matters once per answer and coding, megabytes at a time.
const BROTLI_QUALITY: u32 = 5;
const BROTLI_WINDOW_BITS: u32 = 22;

impl Coding {
    /// The token in `Accept-Encoding` and `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Coding::br => "br",
            Coding::gzip => "gzip",
        }
    }

    /// `body` in this coding.
    pub fn encode(self, body: &[u8]) -> Vec<u8> {
        match self {
            Coding::br => {
                let mut out = Vec::with_capacity(body.len() / 8);
                let params = brotli::enc::BrotliEncoderParams {
                    quality: BROTLI_QUALITY as i32,
                    lgwin: BROTLI_WINDOW_BITS as i32,
                    size_hint: body.len(),
                    ..Default::default()
                };
                brotli::BrotliCompress(&mut &body[..], &mut out, &params)
                    .expect("writing to a Vec cannot fail");
                out
            }
            Coding::gzip => {
                let mut encoder = flate2::write::GzEncoder::new(
                    Vec::with_capacity(body.len() / 6),
                    flate2::Compression::new(6),
                );
                encoder
                    .write_all(body)
                    .and_then(|()| encoder.finish())
                    .expect("writing to a Vec cannot fail")
            }
        }
    }
}

/// The coding to answer with: the accepted one with the highest weight, brotli on a tie (it is
/// the smaller), or `None` for the body as it is (no header, `identity`, or both refused with
/// `q=0`). Unknown codings and malformed weights are ignored, never an error.
pub fn negotiate(headers: &HeaderMap) -> Option<Coding> {
    let (mut br, mut gzip, mut any) = (None, None, None);
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let weight = parts
                .filter_map(|p| {
                    let (name, value) = p.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("q")
                        .then(|| value.trim().parse::<f32>().ok())?
                })
                .next()
                .unwrap_or(1.0);
            let slot = if coding.eq_ignore_ascii_case("br") {
                &mut br
            } else if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                &mut gzip
            } else if coding == "*" {
                &mut any
            } else {
                continue;
            };
            *slot = Some(weight);
        }
    }
    let br = br.or(any).unwrap_or(0.0);
    let gzip = gzip.or(any).unwrap_or(0.0);
    if br > 0.0 && br >= gzip {
        Some(Coding::br)
    } else if gzip > 0.0 {
        Some(Coding::gzip)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::io::Read;

    fn accepting(values: &[&str]) -> Option<Coding> {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        }
        negotiate(&headers)
    }

    #[test]
    fn the_heaviest_accepted_coding_wins_and_brotli_breaks_ties() {
        for (values, expected) in [
            (&[][..], None),
            (&["identity"][..], None),
            (&["gzip, deflate, br, zstd"][..], Some(Coding::br)),
            (&["gzip"][..], Some(Coding::gzip)),
            (&["x-gzip"][..], Some(Coding::gzip)),
            (&["br;q=0, gzip"][..], Some(Coding::gzip)),
            (&["br;q=0.5, gzip;q=0.8"][..], Some(Coding::gzip)),
            (&["BR ; Q=1"][..], Some(Coding::br)),
            (&["*"][..], Some(Coding::br)),
            (&["*;q=0"][..], None),
            (&["br;q=0, gzip;q=0, *"][..], None),
            (&["deflate", "gzip"][..], Some(Coding::gzip)),
            (&["gzip;q=nonsense"][..], Some(Coding::gzip)),
            (&["zstd, deflate"][..], None),
        ] {
            assert_eq!(accepting(values), expected, "{values:?}");
        }
    }

    #[test]
    fn each_coding_decodes_to_the_body() {
        let body = serde_json::to_vec(&vec!["a visitor's page"; 500]).unwrap();
        let br = Coding::br.encode(&body);
        let mut decoded = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, body);
        let gz = Coding::gzip.encode(&body);
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, body);
        assert!(br.len() * 10 < body.len() && gz.len() * 10 < body.len());
    }
}
