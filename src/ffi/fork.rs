//! The `pthread_atfork` handlers of `crate::fork`, registered when the library is loaded.
//!
//! Registered from an `.init_array` entry, so that they are in place before any thread of the
//! program can call into libtenios, and never unregistered: the library is linked with
//! `-z nodelete`, so the handlers' code stays mapped after `dlclose` (glibc does not
//! unregister atfork handlers of an unloaded object that is not removed either).

extern "C" fn prepare() {
    // Nothing may unwind into libc.
    let _ = std::panic::catch_unwind(crate::fork::prepare);
}

extern "C" fn parent() {
    let _ = std::panic::catch_unwind(crate::fork::parent);
}

extern "C" fn child() {
    let _ = std::panic::catch_unwind(crate::fork::child);
}

extern "C" fn register_fork_handlers() {
    // SAFETY: three `extern "C"` functions with no arguments that never unwind, as
    // pthread_atfork requires. A failure (ENOMEM) leaves the library without the handlers:
    // nothing better can be done inside a loader callback.
    unsafe {
        libc::pthread_atfork(Some(prepare), Some(parent), Some(child));
    }
}

#[used]
#[link_section = ".init_array"]
static REGISTER_FORK_HANDLERS: extern "C" fn() = register_fork_handlers;
