// Where a results database lives decides its journal mode: the classification of file systems,
// and a real FUSE mount (Debian's bindfs) made by the test, on which losslab-run keeps a rollback
// journal, the report reads while a sweep writes, and a second process on another host (another
// UTS namespace, so another host name) is refused at once.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/mount.h>

#include <csignal>
#include <filesystem>
#include <string>

#include "losslab/runner/results/file_system.hpp"
#include "support/fashion_config.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace losslab::runner {
namespace {

using test_support::ChildProcess;
using test_support::program_path;
using test_support::run_program;
using test_support::TempDir;

TEST(FileSystemKind, NetworkFileSystemsAreShared) {
  EXPECT_EQ(classify_file_system(0x6969, "nfs4").type, "nfs4");
  EXPECT_TRUE(classify_file_system(0x6969, "nfs4").shared);
  EXPECT_TRUE(classify_file_system(0x6969, "").shared);
  EXPECT_EQ(classify_file_system(0x6969, "").type, "nfs");
  EXPECT_TRUE(classify_file_system(0xFF534D42, "cifs").shared);
  EXPECT_TRUE(classify_file_system(0xFE534D42, "smb3").shared);
  EXPECT_TRUE(classify_file_system(0x01021997, "9p").shared);
  EXPECT_TRUE(classify_file_system(0x5346414F, "").shared);
  EXPECT_TRUE(classify_file_system(0x00C36400, "ceph").shared);
  EXPECT_TRUE(classify_file_system(0x0BD00BD0, "lustre").shared);
  EXPECT_TRUE(classify_file_system(0x47504653, "gpfs").shared);
  // statfs's f_type is a signed long: a magic with the top bit set may arrive sign-extended.
  EXPECT_TRUE(classify_file_system(static_cast<long>(static_cast<int>(0xFF534D42)), "").shared);
}

TEST(FileSystemKind, FuseIsSharedUnlessKnownToBeLocal) {
  constexpr long fuse = 0x65735546;
  EXPECT_TRUE(classify_file_system(fuse, "fuse.sshfs").shared);
  EXPECT_TRUE(classify_file_system(fuse, "fuse.rclone").shared);
  EXPECT_TRUE(classify_file_system(fuse, "fuse").shared);  // bindfs, or any FUSE that does not say
  EXPECT_FALSE(classify_file_system(fuse, "fuse.fuse-overlayfs").shared);
  EXPECT_FALSE(classify_file_system(fuse, "fuse.lxcfs").shared);
  EXPECT_EQ(classify_file_system(fuse, "").type, "fuse");
}

TEST(FileSystemKind, LocalFileSystemsAreNot) {
  EXPECT_FALSE(classify_file_system(0xEF53, "ext4").shared);
  EXPECT_FALSE(classify_file_system(0x58465342, "xfs").shared);
  EXPECT_FALSE(classify_file_system(0x794C7630, "overlay").shared);
  EXPECT_FALSE(classify_file_system(0x01021994, "tmpfs").shared);
  EXPECT_EQ(classify_file_system(0x9123683E, "").type, "0x9123683e");
  // This machine's /dev/shm is a tmpfs, looked up for real.
  const FileSystemInfo shm = file_system_of("/dev/shm/no-such-database.db");
  EXPECT_EQ(shm.type, "tmpfs");
  EXPECT_FALSE(shm.shared);
}

// A bindfs mount of one temporary directory on another, unmounted at the end.
class BindfsMount {
 public:
  BindfsMount() {
    std::filesystem::create_directories(source_.path() / "data");
    std::filesystem::create_directories(target());
    ok_ = run_program({"/usr/bin/bindfs", (source_.path() / "data").string(), target()}, source_.path().string())
              .exit_code == 0;
  }
  ~BindfsMount() {
    if (ok_) umount2(target().c_str(), MNT_DETACH);
  }
  bool ok() const { return ok_; }
  std::string target() const { return (source_.path() / "mnt").string(); }

 private:
  TempDir source_;
  bool ok_ = false;
};

bool can_mount_fuse() { return std::filesystem::exists("/dev/fuse") && std::filesystem::exists("/usr/bin/bindfs"); }

std::string query_text(const std::string& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  return db.execAndGet(sql).getString();
}

TEST(SharedFileSystem, OnAFuseMountASweepKeepsARollbackJournalAndOtherHostsAreRefused) {
  if (!can_mount_fuse()) GTEST_SKIP() << "no /dev/fuse or no /usr/bin/bindfs (Debian: bindfs): cannot mount FUSE here";
  BindfsMount mount;
  if (!mount.ok()) GTEST_SKIP() << "bindfs could not mount (not root, or FUSE not allowed here)";
  ASSERT_TRUE(file_system_of(mount.target() + "/results.db").shared);

  TempDir work;
  // Two trials of many epochs: long enough to be running when the other host's process starts.
  const std::string config = work.write(
      "sweep.yaml", test_support::small_fashion_config(
                        "shared-fs", 3000, 400, "  grid:\n    optimizer.learning_rate: [1.0e-3, 1.0e-2]\n"));
  const std::string db = mount.target() + "/results.db";
  ChildProcess writer({program_path("losslab-run"), config, "--db", db, "--no-progress", "--jobs", "1"},
                      work.file("a.out"), work.file("a.err"));
  const bool running = test_support::wait_until(
      [&] {
        try {
          return query_text(db, "SELECT COUNT(*) FROM trials WHERE status = 'running'") != "0";
        } catch (const std::exception&) {
          return false;  // not created yet
        }
      },
      std::chrono::seconds(60));
  ASSERT_TRUE(running) << writer.err();
  EXPECT_EQ(query_text(db, "PRAGMA journal_mode"), "delete");  // the file's mode, read as the report would
  EXPECT_FALSE(std::filesystem::exists(db + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(db + "-shm"));

  // The report reads the database while the sweep writes it.
  const auto report = run_program({program_path("losslab-report"), db}, work.path().string());
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.out.find("shared-fs"), std::string::npos) << report.out;

  // Another host: the same executable in a UTS namespace of its own, named other-host.
  const auto other = run_program({"/usr/bin/unshare", "--uts", "/bin/sh", "-c",
                                  "hostname other-host && exec " + program_path("losslab-run") + " " + config +
                                      " --db " + db + " --no-progress"},
                                 work.path().string());
  if (other.exit_code != 3 && other.err.find("unshare") != std::string::npos)
    GTEST_SKIP() << "cannot make a UTS namespace here: " << other.err;
  EXPECT_EQ(other.exit_code, 3) << other.err;
  EXPECT_NE(other.err.find("is on a shared file system (fuse) and a sweep on host "), std::string::npos) << other.err;
  EXPECT_NE(other.err.find("mpirun"), std::string::npos) << other.err;

  writer.signal(SIGTERM);
  EXPECT_EQ(writer.wait(), 143) << writer.err();
  EXPECT_EQ(query_text(db, "SELECT COUNT(*) FROM trials WHERE status = 'interrupted'"), "2");
  EXPECT_EQ(query_text(db, "PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace losslab::runner
