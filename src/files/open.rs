//! Opening files that may not be what their name says.
//!
//! Every open adds O_NONBLOCK, so a FIFO or a device in a file's place fails or
//! returns at once instead of hanging promptrun, then requires a regular file
//! (`fstat` on the descriptor, not the name) and clears O_NONBLOCK again.

use std::ffi::CString;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::owner;

/// Whether a symbolic link as the last part of a path is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Followed (a prompt file linked into a prompt library).
    Follow,
    /// Refused with O_NOFOLLOW (files promptrun or its command created).
    Refuse,
}

/// Opens `path` for reading, a regular file only, without waiting on a FIFO.
pub fn open_regular(path: &Path, links: Links) -> io::Result<(File, Metadata)> {
    let mut flags = libc::O_NONBLOCK;
    if links == Links::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(explain)?;
    regular(file)
}

/// Reads `file` to its end, at most `limit` bytes: a longer file is an error
/// naming the limit, so a file linked to /dev/zero or grown without end is not
/// read without bound.
pub fn read_limited(file: &mut File, limit: u64) -> io::Result<Vec<u8>> {
    read_limited_sized(file, limit, 0)
}

/// [`read_limited`] with the size the file had when opened, so that it is read in
/// one call instead of in doubling chunks (the size is a hint: growth is fine).
fn read_limited_sized(file: &mut File, limit: u64, size: u64) -> io::Result<Vec<u8>> {
    // One byte past the size, so the end is seen without growing the buffer.
    let capacity = usize::try_from(size.min(limit).saturating_add(1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("larger than the limit of {} MiB", limit >> 20),
        ));
    }
    Ok(bytes)
}

/// [`open_regular`], then [`read_limited`]; the metadata is the descriptor's.
pub fn read_regular(path: &Path, links: Links, limit: u64) -> io::Result<(Vec<u8>, Metadata)> {
    let (mut file, meta) = open_regular(path, links)?;
    Ok((read_limited_sized(&mut file, limit, meta.len())?, meta))
}

/// A regular file, back in blocking mode, and its metadata; anything else is an
/// error naming what it is.
fn regular(file: File) -> io::Result<(File, Metadata)> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        let kind = meta.file_type();
        let what = if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else if kind.is_dir() {
            "a directory"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "something else"
        };
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file but {what}"),
        ));
    }
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function owns, with integer arguments.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags == -1 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok((file, meta))
}

/// Words for the errors O_NOFOLLOW and O_NONBLOCK give.
fn explain(err: io::Error) -> io::Error {
    match err.raw_os_error() {
        Some(libc::ELOOP) => io::Error::new(
            io::ErrorKind::InvalidInput,
            "a symbolic link, which promptrun does not follow here",
        ),
        Some(libc::ENXIO) => io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file but a FIFO or device with no reader",
        ),
        _ => err,
    }
}

/// A directory opened once and checked: its files are opened relative to the
/// checked descriptor, so a directory swapped after the check is not the one used.
#[derive(Debug)]
pub struct CheckedDir {
    fd: OwnedFd,
    path: PathBuf,
}

impl CheckedDir {
    /// Opens `path`, creating it (0700, with its parents) when missing. Refuses a
    /// directory that belongs to another user (root excepted) or that others can
    /// write without the sticky bit. The error says why, without the path.
    pub fn open_or_create(path: &Path) -> io::Result<Self> {
        let fd = match open_dir(path) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                use std::os::unix::fs::DirBuilderExt;
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(path)?;
                open_dir(path)?
            }
            other => other?,
        };
        let meta = File::from(fd.try_clone()?).metadata()?;
        if let Some(why) = owner::untrusted_dir(&meta) {
            return Err(io::Error::new(io::ErrorKind::PermissionDenied, why));
        }
        Ok(CheckedDir {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens `name` in the directory with `flags` (O_NOFOLLOW, O_NONBLOCK and
    /// O_CLOEXEC added), creating it with `mode` when `flags` hold O_CREAT. Only a
    /// regular file that belongs to the user (or root) and that nobody else can
    /// write is returned, in blocking mode.
    pub fn open_file(&self, name: &str, flags: libc::c_int, mode: u32) -> io::Result<File> {
        let c_name = CString::new(Path::new(name).as_os_str().as_bytes())?;
        let all = flags | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
        // SAFETY: a valid descriptor and C string; the mode is passed as the variadic int.
        let fd = unsafe {
            libc::openat(
                self.fd.as_raw_fd(),
                c_name.as_ptr(),
                all,
                mode as libc::c_uint,
            )
        };
        if fd < 0 {
            return Err(explain(io::Error::last_os_error()));
        }
        // SAFETY: openat just returned this descriptor, owned by nobody else.
        let (file, meta) = regular(unsafe { File::from_raw_fd(fd) })?;
        if let Some(why) = owner::untrusted_file(&meta) {
            return Err(io::Error::new(io::ErrorKind::PermissionDenied, why));
        }
        Ok(file)
    }
}

fn open_dir(path: &Path) -> io::Result<OwnedFd> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY)
        .open(path)?;
    Ok(OwnedFd::from(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifos_devices_and_links_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c_fifo = CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c_fifo.as_ptr(), 0o600) }, 0);
        let err = open_regular(&fifo, Links::Follow).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        let err = read_regular(Path::new("/dev/zero"), Links::Follow, 1 << 20).unwrap_err();
        assert!(err.to_string().contains("device"), "{err}");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let err = open_regular(&link, Links::Refuse).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        let checked = CheckedDir::open_or_create(dir.path()).unwrap();
        let err = checked
            .open_file("fifo", libc::O_WRONLY | libc::O_APPEND, 0o600)
            .unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 2 << 20]).unwrap();
        let err = read_regular(&big, Links::Refuse, 1 << 20).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
    }
}
