//! The built client under `/pkg`: served from the `.br` / `.gz` copies a release build
//! precompresses (never compressed per request), kept by browsers and revalidated
//! (`Cache-Control: no-cache` with `Last-Modified`). The site is a temporary folder
//! (`SETIA_SITE_ROOT`) holding stand-ins for the built files.

use crate::common::{Backend, TestApp};
use reqwest::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, IF_MODIFIED_SINCE, LAST_MODIFIED, VARY};

const WASM: &[u8] = b"\0asm\x01\0\0\0 the client, uncompressed, long enough to be worth compressing: 0123456789abcdef";
// Not real brotli/gzip: the test checks that these exact bytes are what is sent.
const WASM_BR: &[u8] = b"precompressed with brotli at build time";
const WASM_GZ: &[u8] = b"precompressed with gzip at build time";

struct Site {
    app: TestApp,
    _root: tempfile::TempDir,
}

async fn site() -> Site {
    let root = tempfile::tempdir().expect("temp dir");
    let pkg = root.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join("setia.wasm"), WASM).unwrap();
    std::fs::write(pkg.join("setia.wasm.br"), WASM_BR).unwrap();
    std::fs::write(pkg.join("setia.wasm.gz"), WASM_GZ).unwrap();
    // A file without precompressed copies (a development build).
    std::fs::write(pkg.join("setia.js"), "export function start() {}\n".repeat(20)).unwrap();
    let app = TestApp::spawn_with(Backend::Sqlite, &[("SETIA_SITE_ROOT", root.path().to_str().unwrap())]).await;
    Site { app, _root: root }
}

/// A client that neither asks for nor decodes compression by itself.
fn http() -> reqwest::Client {
    reqwest::Client::builder().no_gzip().no_brotli().no_deflate().timeout(std::time::Duration::from_secs(30)).build().unwrap()
}

fn header(res: &reqwest::Response, name: reqwest::header::HeaderName) -> &str {
    res.headers().get(&name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pkg_files_are_served_precompressed_and_revalidated() {
    let s = site().await;
    let url = format!("{}/pkg/setia.wasm", s.app.base);

    let res = http().get(&url).header("accept-encoding", "br, gzip").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, CONTENT_ENCODING), "br");
    assert_eq!(header(&res, CONTENT_TYPE), "application/wasm");
    assert_eq!(header(&res, CACHE_CONTROL), "no-cache");
    assert!(header(&res, VARY).to_ascii_lowercase().contains("accept-encoding"), "vary: {:?}", header(&res, VARY));
    let last_modified = header(&res, LAST_MODIFIED).to_string();
    assert!(!last_modified.is_empty(), "a Last-Modified to revalidate with");
    assert_eq!(&res.bytes().await.unwrap()[..], WASM_BR, "the .br file as built, not compressed again");

    let res = http().get(&url).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(header(&res, CONTENT_ENCODING), "gzip");
    assert_eq!(header(&res, CACHE_CONTROL), "no-cache");
    assert_eq!(&res.bytes().await.unwrap()[..], WASM_GZ);

    let res = http().get(&url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, CONTENT_ENCODING), "");
    assert_eq!(header(&res, CACHE_CONTROL), "no-cache");
    assert_eq!(&res.bytes().await.unwrap()[..], WASM);

    // The browser's copy is still good: 304, no body.
    let res = http().get(&url).header("accept-encoding", "br").header(IF_MODIFIED_SINCE, &last_modified).send().await.unwrap();
    assert_eq!(res.status(), 304);
    assert_eq!(header(&res, CACHE_CONTROL), "no-cache");
    assert!(res.bytes().await.unwrap().is_empty());

    // No precompressed copy: compressed on the fly as before, same caching.
    let res = http().get(format!("{}/pkg/setia.js", s.app.base)).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, CONTENT_ENCODING), "br");
    assert_eq!(header(&res, CACHE_CONTROL), "no-cache");

    let res = http().get(format!("{}/pkg/missing.js", s.app.base)).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(header(&res, CACHE_CONTROL), "", "a missing file is not cached");

    s.app.stop().await;
}
