//! Links the binary and tests against the libpython PyO3 resolved, by rpath, and records
//! which interpreter that was so a test can check the one actually loaded.

fn main() {
    #[cfg(feature = "python")]
    python();
}

#[cfg(feature = "python")]
fn python() {
    pyo3_build_config::add_libpython_rpath_link_args();
    let config = pyo3_build_config::get();
    let Some(executable) = config.executable() else {
        return;
    };
    // The interpreter's own answer, read at build time, for the test that compares it
    // with what the embedded interpreter says at run time.
    let probe = std::process::Command::new(executable)
        .args(["-c", "import sys; print(sys.prefix); print(sys.version)"])
        .output();
    if let Ok(out) = probe {
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut lines = text.lines();
        let prefix = lines.next().unwrap_or_default();
        let version = lines.next().unwrap_or_default();
        println!("cargo:rustc-env=PYWSGI_BUILT_PREFIX={prefix}");
        println!("cargo:rustc-env=PYWSGI_BUILT_VERSION={version}");
    }
    println!("cargo:rustc-env=PYWSGI_PYTHON={executable}");
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
}
