//! CSV downloads (docs/UI.md "CSV export"), streamed: rows are read a page at a
//! time (keyset paging) and written as they are read, so memory stays flat
//! whatever the row count. UTF-8 with a header row; a BOM first when the file is
//! for a spreadsheet (page downloads), none for scripts (the REST API).
//!
//! Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-`
//! or `@` (and tab or carriage return, which some treat the same) as a formula,
//! so such a cell is written with a leading `'` — the one guard, in [`guard_cell`].

use futures_util::stream::{self, Stream, StreamExt};
use std::borrow::Cow;
use std::future::Future;

/// The text a cell is written as: prefixed with `'` when a spreadsheet would run it.
pub fn guard_cell(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// One page of rows: each row's keyset cursor and its cells, in header order.
pub type Page = Vec<(i64, Vec<String>)>;

const UTF8_BOM: &[u8] = "\u{feff}".as_bytes();

/// Writes rows to CSV bytes, each cell guarded.
fn encode(rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(row.iter().map(|c| guard_cell(c).into_owned()))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("write csv: {e}"))
}

/// The file as a stream of chunks: the BOM (if `bom`) and the header, then one
/// chunk per page `next_page(after)` returns (`after` = the last row's cursor,
/// 0 at first), until a page comes back empty. An error ends the stream with it.
pub fn stream_pages<F, Fut>(header: &'static [&'static str], bom: bool, next_page: F) -> impl Stream<Item = anyhow::Result<Vec<u8>>> + Send
where
    F: FnMut(i64) -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<Page>> + Send,
{
    let mut first = if bom { UTF8_BOM.to_vec() } else { Vec::new() };
    let head = encode(&[header.iter().map(|h| h.to_string()).collect()]);
    let start = head.map(|h| {
        first.extend(h);
        first
    });
    // State: the fetcher and the cursor; `None` once finished.
    let pages = stream::unfold(Some((next_page, 0i64)), |state| async move {
        let (mut next_page, after) = state?;
        match next_page(after).await {
            Ok(page) if page.is_empty() => None,
            Ok(page) => {
                let last = page.last().map(|(cursor, _)| *cursor).unwrap_or(after);
                let cells: Vec<Vec<String>> = page.into_iter().map(|(_, cells)| cells).collect();
                Some((encode(&cells), Some((next_page, last))))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    // Fused: a body wrapper (the compression layer) may poll once more after the
    // end, which an unfused `unfold` answers with a panic.
    stream::once(async move { start }).chain(pages).fuse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_prefixed() {
        for risky in ["=1+1", "+62812", "-5", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(guard_cell(risky), format!("'{risky}"));
        }
        for plain in ["SETIA-ABCD", "12", "", "a=b"] {
            assert_eq!(guard_cell(plain), plain);
        }
    }

    #[tokio::test]
    async fn pages_stream_until_one_comes_back_empty() {
        let rows: Vec<(i64, Vec<String>)> = (1..=5).map(|i| (i, vec![format!("C{i}"), format!("={i}")])).collect();
        let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = calls.clone();
        let s = stream_pages(&["code", "note"], true, move |after| {
            seen.lock().unwrap().push(after);
            let page: Page = rows.iter().filter(|(c, _)| *c > after).take(2).cloned().collect();
            async move { Ok(page) }
        });
        let mut s = Box::pin(s);
        let mut chunks: Vec<Vec<u8>> = Vec::new();
        while let Some(c) = s.next().await {
            chunks.push(c.unwrap());
        }
        assert!(s.next().await.is_none(), "polled again after its end, the stream stays ended");
        assert_eq!(chunks.len(), 4, "the header, then three pages");
        let text = String::from_utf8(chunks.concat()).unwrap();
        assert_eq!(text, "\u{feff}code,note\nC1,'=1\nC2,'=2\nC3,'=3\nC4,'=4\nC5,'=5\n");
        assert_eq!(*calls.lock().unwrap(), vec![0, 2, 4, 5]);
    }
}
