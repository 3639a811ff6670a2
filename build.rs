//! Links the addon against Node-API (napi-build), and names the target for the handles' type tags
//! (`raw::build_tag`).
fn main() {
    napi_build::setup();
    let target = std::env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=MCP_OAUTH_TARGET={target}");
}
