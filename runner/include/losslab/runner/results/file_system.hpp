// Which file system a results database lives on, and whether processes on other hosts may share it.
// SQLite's WAL mode keeps its index in shared memory (the -shm file, mapped by every connection),
// which only processes on one host can share: on a network file system a writer on one host and a
// reader or writer on another can corrupt the database or lose commits. The store looks here
// before it chooses its journal mode.
#pragma once

#include <filesystem>
#include <string>

namespace losslab::runner {

struct FileSystemInfo {
  std::string type;     // "ext4", "nfs", "fuse.sshfs", ... (mountinfo's name, else statfs's magic in hex)
  bool shared = false;  // a network file system, or a FUSE file system not known to be local
};

// The rule, on statfs's f_type and, for FUSE (which every FUSE file system reports alike), the
// type /proc/self/mountinfo names ("fuse.sshfs", "fuse.fuse-overlayfs", or just "fuse"):
// - NFS, SMB/CIFS, 9p, AFS, CephFS, Lustre, GPFS, GlusterFS, BeeGFS, PanFS, OCFS2, GFS2, Coda, NCP
//   are shared;
// - FUSE is shared unless its type is one known to serve a local directory on this host
//   (fuse-overlayfs and lxcfs, which containers mount): sshfs, s3fs, rclone and the like are
//   remote, and a mount that does not say (bindfs says only "fuse") may pass any directory through,
//   an NFS one included. Treating a local one as shared costs speed, never data.
// - anything else (ext4, xfs, btrfs, tmpfs, overlayfs, zfs, ...) is local.
FileSystemInfo classify_file_system(long statfs_type, const std::string& mount_type);

// statfs and /proc/self/mountinfo for the file system holding `path` (or, when it does not exist
// yet, its directory). A file system that cannot be looked up is taken as local, as before.
FileSystemInfo file_system_of(const std::filesystem::path& path);

// This machine's host name ("unknown" when it cannot be read), as runs.host records it and as a
// store compares it to tell another host's run from its own.
std::string host_name();

}  // namespace losslab::runner
