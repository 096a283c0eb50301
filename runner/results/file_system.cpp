#include "losslab/runner/results/file_system.hpp"

#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

namespace losslab::runner {
namespace {

constexpr long kFuseMagic = 0x65735546;

// statfs magic numbers of the file systems that other hosts reach too (linux/magic.h and the
// file systems' own sources for those outside the kernel).
constexpr std::array<std::pair<long, const char*>, 17> kSharedFileSystems{{
    {0x6969, "nfs"},
    {0x517B, "smb"},
    {0xFF534D42, "cifs"},
    {0xFE534D42, "smb2"},
    {0x01021997, "9p"},
    {0x5346414F, "afs"},
    {0x6B414653, "kafs"},
    {0x00C36400, "ceph"},
    {0x0BD00BD0, "lustre"},
    {0x47504653, "gpfs"},
    {0x19830326, "beegfs"},
    {0xAAD7AAEA, "panfs"},
    {0x7461636F, "ocfs2"},
    {0x01161970, "gfs2"},
    {0x73757245, "coda"},
    {0x564C, "ncp"},
    {0x013111A8, "ibrix"},
}};

// FUSE file systems that serve a directory of this host (containers mount them).
constexpr std::array<const char*, 2> kLocalFuseTypes{"fuse.fuse-overlayfs", "fuse.lxcfs"};

std::string hex(long value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%lx", static_cast<unsigned long>(value));
  return text;
}

// The file system type /proc/self/mountinfo gives the mount whose device is `device` and whose
// mount point is the longest prefix of `path` (fields: id parent major:minor root mount-point
// options [optional...] - type source super-options).
std::string mount_type_of(const std::filesystem::path& path, dev_t device) {
  std::ifstream mountinfo("/proc/self/mountinfo");
  const std::string wanted = std::to_string(major(device)) + ":" + std::to_string(minor(device));
  const std::string target = path.string();
  std::string line, best_type;
  std::size_t best_length = 0;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, numbers, root, mount_point, field;
    fields >> id >> parent >> numbers >> root >> mount_point;
    while (fields >> field && field != "-") {
    }
    std::string type;
    fields >> type;
    const bool under = target == mount_point || mount_point == "/" || target.starts_with(mount_point + "/");
    if (numbers == wanted && under && mount_point.size() >= best_length) {
      best_length = mount_point.size();
      best_type = type;
    }
  }
  return best_type;
}

}  // namespace

FileSystemInfo classify_file_system(long statfs_type, const std::string& mount_type) {
  const auto magic = static_cast<long>(static_cast<std::uint32_t>(statfs_type));
  for (const auto& [shared_magic, name] : kSharedFileSystems)
    if (magic == shared_magic) return {mount_type.empty() ? name : mount_type, true};
  if (magic == kFuseMagic || mount_type == "fuse" || mount_type.starts_with("fuse.")) {
    const std::string type = mount_type.empty() ? "fuse" : mount_type;
    for (const char* local : kLocalFuseTypes)
      if (type == local) return {type, false};
    return {type, true};
  }
  return {mount_type.empty() ? hex(magic) : mount_type, false};
}

FileSystemInfo file_system_of(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::path existing = std::filesystem::absolute(path, error);
  if (error) return {"unknown", false};
  while (!std::filesystem::exists(existing, error) && existing.has_parent_path() &&
         existing != existing.parent_path())
    existing = existing.parent_path();
  struct statfs fs {};
  struct stat st {};
  if (statfs(existing.c_str(), &fs) != 0 || stat(existing.c_str(), &st) != 0) return {"unknown", false};
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(existing, error);
  return classify_file_system(static_cast<long>(fs.f_type), mount_type_of(error ? existing : canonical, st.st_dev));
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

}  // namespace losslab::runner
