//! Owner and mode checks.
//!
//! A file is trusted as if promptrun had written it when it belongs to the
//! current user (or root) and nobody else can write it. A file writable by its
//! group is still trusted when that group is the user's own private group (the
//! user's primary group with no other members), as OpenSSH does, so that
//! umask 002 on a user-private-group system does not lock a user out.

use std::ffi::CStr;
use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;

/// The sticky bit: in a sticky directory only a file's owner may remove or rename it.
const STICKY: u32 = 0o1000;

/// The effective user id.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// True when `uid` is the current user or root.
pub fn is_ours(uid: u32) -> bool {
    uid == euid() || uid == 0
}

/// A user for messages: `alice (uid 1001)`, or `uid 1001` when unnamed.
pub fn describe_user(uid: u32) -> String {
    let mut buffer = vec![0u8; 4096];
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; the buffer outlives `entry`'s use.
    let status = unsafe {
        libc::getpwuid_r(
            uid,
            &mut entry,
            buffer.as_mut_ptr().cast(),
            buffer.len(),
            &mut found,
        )
    };
    if status != 0 || found.is_null() || entry.pw_name.is_null() {
        return format!("uid {uid}");
    }
    // SAFETY: getpwuid_r succeeded, so pw_name is a NUL-terminated string in `buffer`.
    let name = unsafe { CStr::from_ptr(entry.pw_name) }.to_string_lossy();
    format!("{name} (uid {uid})")
}

/// A group's name and whether any user lists it as a supplementary group.
fn group(gid: u32) -> Option<(String, bool)> {
    let mut buffer = vec![0u8; 16 * 1024];
    let mut entry: libc::group = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::group = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; the buffer outlives `entry`'s use.
    let status = unsafe {
        libc::getgrgid_r(
            gid,
            &mut entry,
            buffer.as_mut_ptr().cast(),
            buffer.len(),
            &mut found,
        )
    };
    if status != 0 || found.is_null() || entry.gr_name.is_null() {
        return None;
    }
    // SAFETY: getgrgid_r succeeded: gr_name is a C string, gr_mem a NULL-terminated array.
    let name = unsafe { CStr::from_ptr(entry.gr_name) }
        .to_string_lossy()
        .into_owned();
    let has_members = !entry.gr_mem.is_null() && unsafe { !(*entry.gr_mem).is_null() };
    Some((name, has_members))
}

/// Who besides the owner can write a file or directory with `meta`, if anyone:
/// `writable by every user`, `writable by group staff`.
pub fn writable_by_others(meta: &Metadata) -> Option<String> {
    let mode = meta.mode();
    if mode & 0o002 != 0 {
        return Some("writable by every user".into());
    }
    if mode & 0o020 != 0 {
        let gid = meta.gid();
        let group = group(gid);
        // SAFETY: getegid has no preconditions and cannot fail.
        let private = gid == unsafe { libc::getegid() } && group.as_ref().is_some_and(|g| !g.1);
        if !private {
            let name = group.map_or_else(|| format!("gid {gid}"), |g| g.0);
            return Some(format!("writable by group {name}"));
        }
    }
    None
}

/// Why a file with `meta` cannot be trusted as the user's own, if it cannot:
/// it belongs to another user (root excepted) or others can write it.
pub fn untrusted_file(meta: &Metadata) -> Option<String> {
    if !is_ours(meta.uid()) {
        return Some(format!("owned by {}", describe_user(meta.uid())));
    }
    writable_by_others(meta)
}

/// Why a directory with `meta` cannot hold the user's private files, if it cannot:
/// it belongs to another user (root excepted), or others can write it and it is
/// not sticky (so they could replace or remove what is in it).
pub fn untrusted_dir(meta: &Metadata) -> Option<String> {
    if !is_ours(meta.uid()) {
        return Some(format!("owned by {}", describe_user(meta.uid())));
    }
    if meta.mode() & STICKY != 0 {
        return None;
    }
    writable_by_others(meta).map(|who| format!("{who} and not sticky"))
}

/// True when `meta` is a sticky directory that every user can write (like /tmp).
pub fn is_shared_sticky(meta: &Metadata) -> bool {
    meta.is_dir() && meta.mode() & STICKY != 0 && meta.mode() & 0o002 != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn modes_that_let_others_write_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "x").unwrap();
        let set = |mode: u32| {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            std::fs::metadata(&path).unwrap()
        };
        assert_eq!(untrusted_file(&set(0o600)), None);
        assert_eq!(untrusted_file(&set(0o644)), None);
        assert_eq!(
            untrusted_file(&set(0o646)).as_deref(),
            Some("writable by every user")
        );
        let sticky = |mode: u32| {
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).unwrap();
            std::fs::metadata(dir.path()).unwrap()
        };
        assert!(untrusted_dir(&sticky(0o777)).is_some());
        assert_eq!(untrusted_dir(&sticky(0o1777)), None);
        assert!(is_shared_sticky(&sticky(0o1777)));
        sticky(0o700);
    }
}
