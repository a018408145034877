//! The binary embeds the interpreter PyO3 was built against, never another libpython of
//! the same soname (Debian's sits in the loader cache): `sys.version` and `sys.prefix`
//! at run time are what that interpreter said at build time.

use pyo3::prelude::*;

#[test]
fn sys_version_and_prefix_are_the_interpreter_built_for() {
    Python::initialize();
    let (version, prefix) = Python::attach(|py| -> PyResult<(String, String)> {
        let sys = py.import("sys")?;
        Ok((
            sys.getattr("version")?.extract()?,
            sys.getattr("prefix")?.extract()?,
        ))
    })
    .expect("sys answers");
    assert_eq!(version, env!("PYWSGI_BUILT_VERSION"));
    assert_eq!(prefix, env!("PYWSGI_BUILT_PREFIX"));
    assert!(
        version.starts_with("3.11"),
        "CPython 3.11 expected, got {version}"
    );
}
