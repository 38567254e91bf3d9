//! Starting the command the way posix_spawn does (a child that shares promptrun's
//! memory until it execs, so nothing is copied), with one thing posix_spawn cannot
//! do: the child asks the kernel for SIGTERM if promptrun dies (`PR_SET_PDEATHSIG`).
//!
//! std's `Command` offers the death signal only through a `pre_exec` hook, which
//! makes it fork: a copy of promptrun's page tables, then copy-on-write faults in
//! both processes, about 0.1 ms of every run (README, "Against the physical
//! floor"). Here the child runs on a stack of its own inside promptrun's memory
//! (`clone` with `CLONE_VM | CLONE_VFORK`), promptrun waits until it has exec'd,
//! and between the two the child makes only system calls, on data prepared
//! before.

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::sync::atomic::{AtomicI32, Ordering};

use super::signals::FORWARDED;

/// How the child starts.
#[derive(Debug)]
pub struct SpawnRequest<'a> {
    /// argv, program first.
    pub argv: &'a [OsString],
    /// Variables added to (or replacing in) promptrun's environment.
    pub env: &'a [(&'static str, OsString)],
    /// Connected to the child's standard input when set.
    pub stdin: Option<&'a OwnedFd>,
    /// Put the child in a process group of its own.
    pub own_group: bool,
}

/// Signals whose disposition the child resets to the default before it execs,
/// besides the ones promptrun forwards ([`FORWARDED`], whose handlers must not run
/// in the child while it shares promptrun's memory): SIGCHLD's and SIGXFSZ's
/// handlers too, and SIGPIPE, which promptrun ignores but a command expects at its
/// default, as std's spawning does. A signal that was ignored when promptrun
/// started keeps being ignored, except SIGPIPE.
const ALSO_RESET: [libc::c_int; 3] = [libc::SIGCHLD, libc::SIGXFSZ, libc::SIGPIPE];

/// The child's stack: the child makes a dozen system calls on it and nothing else.
const CHILD_STACK: usize = 64 * 1024;

/// Everything the child reads, prepared by the parent: the child allocates nothing.
struct ChildPlan {
    /// Paths to try, in order (the program itself, or each `$PATH` entry joined to it).
    candidates: Vec<CString>,
    argv: Vec<*const libc::c_char>,
    envp: Vec<*const libc::c_char>,
    stdin: Option<libc::c_int>,
    own_group: bool,
    parent: libc::pid_t,
    /// promptrun's signal mask before everything was blocked for the clone.
    mask: libc::sigset_t,
    /// Set by the child when it could not exec: the errno of the failure.
    error: AtomicI32,
}

/// Starts the command and returns its pid once it has exec'd; an exec failure
/// (not found, not executable) comes back as its error, the child already reaped.
pub fn spawn(request: &SpawnRequest<'_>) -> io::Result<libc::pid_t> {
    let program = request
        .argv
        .first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no command to run"))?;
    let args = to_cstrings(request.argv.iter().map(OsString::as_os_str))?;
    let added: Vec<OsString> = request
        .env
        .iter()
        .map(|(key, value)| join_entry(OsStr::new(key), value))
        .collect();
    let added = to_cstrings(added.iter().map(OsString::as_os_str))?;
    let mut plan = ChildPlan {
        candidates: candidates(program)?,
        argv: null_terminated(&args),
        envp: environment(request.env, &added),
        stdin: request.stdin.map(AsRawFd::as_raw_fd),
        own_group: request.own_group,
        // SAFETY: getpid has no preconditions.
        parent: unsafe { libc::getpid() },
        // SAFETY: an all-zero sigset_t is a valid (empty) set; filled in below.
        mask: unsafe { std::mem::zeroed() },
        error: AtomicI32::new(0),
    };
    // Left uninitialised: zeroing it would touch (page-fault) all of it, where the
    // child uses a page or two at the top. The stack grows down on every Linux
    // architecture Rust supports; its top is 16-byte aligned.
    let mut stack: Vec<u8> = Vec::with_capacity(CHILD_STACK);
    let top = (stack.as_mut_ptr() as usize + CHILD_STACK) & !15;

    // SAFETY: signal masks with valid pointers; the child runs `child_main` on its
    // own stack with a pointer to `plan`, both alive until clone returns, which
    // CLONE_VFORK delays until the child has exec'd or exited.
    let pid = unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut plan.mask);
        let pid = libc::clone(
            child_main,
            top as *mut libc::c_void,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            (&raw mut plan).cast(),
        );
        let clone_error = io::Error::last_os_error();
        libc::pthread_sigmask(libc::SIG_SETMASK, &plan.mask, std::ptr::null_mut());
        if pid < 0 {
            return Err(clone_error);
        }
        pid
    };
    drop(stack);
    match plan.error.load(Ordering::Acquire) {
        0 => Ok(pid),
        errno => {
            let mut status = 0;
            // SAFETY: reaping the child that just exited, with a valid pointer.
            unsafe { libc::waitpid(pid, &mut status, 0) };
            Err(io::Error::from_raw_os_error(errno))
        }
    }
}

/// The child, between clone and exec: system calls only, no allocation, no locks.
extern "C" fn child_main(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `arg` is the parent's ChildPlan, alive and untouched while the
    // parent is suspended (CLONE_VFORK); every call is a plain system call.
    unsafe {
        let plan = &*(arg as *const ChildPlan);
        let mut default: libc::sigaction = std::mem::zeroed();
        default.sa_sigaction = libc::SIG_DFL;
        for &signal in FORWARDED.iter().chain(&ALSO_RESET) {
            let mut old: libc::sigaction = std::mem::zeroed();
            libc::sigaction(signal, &default, &mut old);
            if old.sa_sigaction == libc::SIG_IGN && signal != libc::SIGPIPE {
                libc::sigaction(signal, &old, std::ptr::null_mut());
            }
        }
        if plan.own_group && libc::setpgid(0, 0) != 0 {
            return fail(plan);
        }
        // If promptrun itself is killed (SIGKILL, the OOM killer), the command gets
        // SIGTERM instead of running on orphaned (README, "Signals").
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM, 0, 0, 0) != 0 {
            return fail(plan);
        }
        // promptrun died before the prctl: act as the signal would have (it is
        // delivered once the mask below is restored).
        if libc::getppid() != plan.parent {
            libc::kill(libc::getpid(), libc::SIGTERM);
        }
        if let Some(fd) = plan.stdin
            && libc::dup2(fd, 0) < 0
        {
            return fail(plan);
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &plan.mask, std::ptr::null_mut());
        // As execvp: EACCES from any candidate wins over a later "not found"; an
        // error other than "not here" stops the search.
        let mut denied = false;
        for path in &plan.candidates {
            libc::execve(path.as_ptr(), plan.argv.as_ptr(), plan.envp.as_ptr());
            match *libc::__errno_location() {
                libc::EACCES => denied = true,
                libc::ENOENT | libc::ENOTDIR | libc::ESTALE | libc::ENODEV | libc::ETIMEDOUT => {}
                _ => return fail(plan),
            }
        }
        if denied {
            *libc::__errno_location() = libc::EACCES;
        }
        fail(plan)
    }
}

/// Records the child's errno for the parent and exits without running anything
/// of promptrun's (no atexit handlers, no buffers flushed twice).
unsafe fn fail(plan: &ChildPlan) -> libc::c_int {
    // SAFETY: errno is the calling thread's; _exit ends the child only.
    unsafe {
        let errno = (*libc::__errno_location()).max(1);
        plan.error.store(errno, Ordering::Release);
        libc::_exit(127)
    }
}

/// The paths exec tries: the program itself when it names a path, else each
/// directory of promptrun's `$PATH` (the default `/bin:/usr/bin` without one,
/// as execvp) joined to it; an empty entry is the current directory.
fn candidates(program: &OsStr) -> io::Result<Vec<CString>> {
    let bytes = program.as_bytes();
    if bytes.is_empty() {
        return Err(io::Error::from_raw_os_error(libc::ENOENT));
    }
    if bytes.contains(&b'/') {
        return to_cstrings([program]);
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| OsString::from("/bin:/usr/bin"));
    let joined: Vec<OsString> = path
        .as_bytes()
        .split(|&b| b == b':')
        .map(|dir| {
            let mut full = Vec::with_capacity(dir.len() + 1 + bytes.len());
            if dir.is_empty() {
                full.extend_from_slice(b".");
            } else {
                full.extend_from_slice(dir);
            }
            full.push(b'/');
            full.extend_from_slice(bytes);
            OsString::from_vec(full)
        })
        .collect();
    to_cstrings(joined.iter().map(OsString::as_os_str))
}

/// The child's `envp`: promptrun's own entries, borrowed as they are (no copy of
/// each), except those `extra` names, then the `added` entries; null-terminated.
/// The pointers stay valid while nothing changes the environment, and nothing
/// does between here and the exec.
fn environment(extra: &[(&'static str, OsString)], added: &[CString]) -> Vec<*const libc::c_char> {
    unsafe extern "C" {
        static environ: *const *const libc::c_char;
    }
    let mut envp = Vec::with_capacity(64);
    // SAFETY: environ is the C library's null-terminated array of C strings;
    // promptrun is single-threaded here and does not change it.
    unsafe {
        let mut entry = environ;
        while !entry.is_null() && !(*entry).is_null() {
            let bytes = std::ffi::CStr::from_ptr(*entry).to_bytes();
            let replaced = extra.iter().any(|(name, _)| {
                bytes.len() > name.len()
                    && bytes.starts_with(name.as_bytes())
                    && bytes[name.len()] == b'='
            });
            if !replaced {
                envp.push(*entry);
            }
            entry = entry.add(1);
        }
    }
    envp.extend(added.iter().map(|entry| entry.as_ptr()));
    envp.push(std::ptr::null());
    envp
}

fn join_entry(key: &OsStr, value: &OsStr) -> OsString {
    let mut entry = OsString::with_capacity(key.len() + 1 + value.len());
    entry.push(key);
    entry.push("=");
    entry.push(value);
    entry
}

fn to_cstrings<'a>(items: impl IntoIterator<Item = &'a OsStr>) -> io::Result<Vec<CString>> {
    items
        .into_iter()
        .map(|item| {
            CString::new(item.as_bytes()).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "an argument or variable of the command contains a NUL byte",
                )
            })
        })
        .collect()
}

fn null_terminated(strings: &[CString]) -> Vec<*const libc::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_with_a_slash_is_the_only_candidate() {
        let found = candidates(OsStr::new("./bin/tool")).unwrap();
        assert_eq!(found, vec![CString::new("./bin/tool").unwrap()]);
        assert!(candidates(OsStr::new("")).is_err());
    }

    #[test]
    fn extra_variables_replace_inherited_ones_and_nul_bytes_are_refused() {
        assert!(std::env::var_os("PATH").is_some(), "the test needs a PATH");
        let extra = [("PATH", OsString::from("/only/here"))];
        let added = vec![CString::new("PATH=/only/here").unwrap()];
        let envp = environment(&extra, &added);
        assert!(envp.last().unwrap().is_null());
        let entries: Vec<&[u8]> = envp[..envp.len() - 1]
            .iter()
            // SAFETY: every entry but the last is a valid C string.
            .map(|&p| unsafe { std::ffi::CStr::from_ptr(p) }.to_bytes())
            .collect();
        let paths: Vec<_> = entries.iter().filter(|e| e.starts_with(b"PATH=")).collect();
        assert_eq!(paths, vec![&&b"PATH=/only/here"[..]]);
        assert!(entries.len() > 1, "the inherited variables are kept");
        assert!(to_cstrings([OsStr::new("a\0b")]).is_err());
    }
}
