// The tracefs instance of a live run (KernelTracer), finding or mounting tracefs, and removing
// instances that killed runs left behind. See tracefs.hpp for what the events say.
#include "sim/live/tracefs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <mutex>

namespace tcpsim::live {

namespace {

constexpr const char* kDefaultMountPoint = "/sys/kernel/tracing";

// The events a tracer enables, each with the filter the kernel applies before the event reaches
// the ring buffer ("" for none). tcp_send_reset has no family field to filter on: its IPv6 lines
// are dropped by parse_trace_line.
struct EventSpec {
  const char* path;  // under events/
  const char* filter;
};
constexpr std::array<EventSpec, 5> kEvents = {{
    {"sock/inet_sock_set_state", "family == 2 && protocol == 6"},  // AF_INET, IPPROTO_TCP
    {"tcp/tcp_retransmit_skb", "family == 2"},
    // A request socket's SYN,ACK sent again (inet_rtx_syn_ack()): not a tcp_retransmit_skb.
    {"tcp/tcp_retransmit_synack", "family == 2"},
    {"tcp/tcp_send_reset", ""},
    {"tcp/tcp_receive_reset", "family == 2"},
}};

// Options an instance inherits from the top-level buffer's: the line format parse_trace_line reads
// must not depend on what someone else set there ("fields" and "raw" print other text, "block"
// makes poll() always say readable, "stacktrace" adds lines).
struct OptionSpec {
  const char* name;
  const char* value;
};
constexpr std::array<OptionSpec, 9> kOptions = {{
    {"context-info", "1"},
    {"latency-format", "0"},
    {"raw", "0"},
    {"hex", "0"},
    {"bin", "0"},
    {"fields", "0"},
    {"block", "0"},
    {"stacktrace", "0"},
    {"userstacktrace", "0"},
}};

std::string errno_text(int err) { return std::strerror(err); }

// Writes `text` to a tracefs control file; false with errno set when the kernel refuses it.
bool write_control(const std::string& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int err = errno;
  ::close(fd);
  errno = err;
  return n == static_cast<ssize_t>(text.size());
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// /proc/self/mounts writes a space in a mount point as "\040".
std::string unescape_mount_point(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      int v = 0;
      const auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 4, v, 8);
      if (ec == std::errc{} && end == text.data() + i + 4) {
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// Where tracefs is mounted ("" if nowhere); /sys/kernel/tracing when it is one of the places.
std::string tracefs_mount_point() {
  std::ifstream mounts("/proc/self/mounts");
  std::string line;
  std::string found;
  while (std::getline(mounts, line)) {
    const std::size_t a = line.find(' ');
    const std::size_t b = a == std::string::npos ? a : line.find(' ', a + 1);
    const std::size_t c = b == std::string::npos ? b : line.find(' ', b + 1);
    if (c == std::string::npos || line.compare(b + 1, c - b - 1, "tracefs") != 0) continue;
    const std::string point = unescape_mount_point(std::string_view(line).substr(a + 1, b - a - 1));
    if (point == kDefaultMountPoint) return point;
    if (found.empty()) found = point;
  }
  return found;
}

// Finding and mounting tracefs is one step for the whole process, so two tracers opened at once
// do not both mount it.
std::mutex g_mount_mutex;

struct TracefsRoot {
  std::string path;
  bool mounted_here = false;
};

std::optional<TracefsRoot> find_or_mount_tracefs(std::string* error) {
  const std::lock_guard lock(g_mount_mutex);
  if (std::string point = tracefs_mount_point(); !point.empty()) return TracefsRoot{std::move(point), false};
  if (::mount("nodev", kDefaultMountPoint, "tracefs", 0, nullptr) != 0) {
    if (error) {
      *error = std::string("tracefs: it is mounted nowhere and mounting it on ") + kDefaultMountPoint +
               " failed: " + errno_text(errno);
    }
    return std::nullopt;
  }
  return TracefsRoot{kDefaultMountPoint, true};
}

void unmount_tracefs(const std::string& path) {
  const std::lock_guard lock(g_mount_mutex);
  // Fails with EBUSY while anyone (another tracer, a shell in the directory) still uses it: then
  // it stays mounted, which is how we found most machines anyway.
  ::umount2(path.c_str(), 0);
}

// Events off and the directory removed; false with errno from rmdir when it stays.
bool remove_instance(const std::string& dir) {
  // Instance-wide switch: turns off every event of the instance, whichever were on.
  write_control(dir + "/events/enable", "0");
  write_control(dir + "/tracing_on", "0");
  return ::rmdir(dir.c_str()) == 0;
}

// Per-CPU ring buffer size: an inet_sock_set_state record is about 80 bytes, so 1 MiB holds some
// 13,000 events. A run's events gather on the CPUs that handle its softirqs, so each CPU gets
// room for a whole run: 64 MiB shared out between the CPUs, at least 1 MiB and at most 8 MiB each
// (a thousand loopback connections make 10,000 events).
int buffer_size_kb() {
  const int cpus = std::max(1, get_nprocs_conf());
  return std::clamp(65536 / cpus, 1024, 8192);
}

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

// The pid at the start of `rest` ("1234" or "1234-b"); nullopt without one.
std::optional<pid_t> leading_pid(std::string_view rest) {
  std::size_t n = 0;
  while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
  if (n == 0 || n > 9) return std::nullopt;
  pid_t pid = 0;
  std::from_chars(rest.data(), rest.data() + n, pid);
  if (pid <= 0) return std::nullopt;
  return pid;
}

}  // namespace

std::unique_ptr<KernelTracer> KernelTracer::open(const std::string& name, std::string* error) {
  auto fail = [&](std::string message) -> std::unique_ptr<KernelTracer> {
    if (error) *error = std::move(message);
    return nullptr;
  };
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    return fail("tracefs: \"" + name + "\" cannot name an instance (empty, \".\", \"..\" or holding '/')");
  }
  std::string mount_error;
  auto root = find_or_mount_tracefs(&mount_error);
  if (!root) return fail(mount_error);

  std::unique_ptr<KernelTracer> t(new KernelTracer());
  t->root_ = root->path;
  t->mounted_ = root->mounted_here;
  const std::string instances = t->root_ + "/instances";
  for (const EventSpec& e : kEvents) {
    if (!exists(t->root_ + "/events/" + e.path)) {
      std::string message = "tracefs: this kernel has no event " + std::string(e.path);
      t->close();
      return fail(message);
    }
  }
  const std::string dir = instances + "/" + name;
  if (::mkdir(dir.c_str(), 0750) != 0) {
    std::string message = "tracefs: cannot create instance " + dir + ": " + errno_text(errno);
    t->close();
    return fail(message);
  }
  t->dir_ = dir;

  // Every step names its file when the kernel refuses it; close() then removes what was made.
  auto set = [&](const std::string& file, std::string_view value) {
    if (write_control(dir + "/" + file, value)) return true;
    if (error) {
      *error = "tracefs: cannot write \"" + std::string(value) + "\" to " + dir + "/" + file + ": " + errno_text(errno);
    }
    t->close();
    return false;
  };
  if (!set("trace_clock", "mono")) return nullptr;
  for (const OptionSpec& o : kOptions) {
    // Options a kernel does not have ("fields" is from 6.x) cannot change its lines.
    if (exists(dir + "/options/" + o.name) && !set(std::string("options/") + o.name, o.value)) return nullptr;
  }
  if (!set("buffer_size_kb", std::to_string(buffer_size_kb()))) return nullptr;
  for (const EventSpec& e : kEvents) {
    if (*e.filter != '\0' && !set(std::string("events/") + e.path + "/filter", e.filter)) return nullptr;
  }
  for (const EventSpec& e : kEvents) {
    if (!set(std::string("events/") + e.path + "/enable", "1")) return nullptr;
  }
  if (!set("tracing_on", "1")) return nullptr;

  t->fd_ = ::open((dir + "/trace_pipe").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (t->fd_ < 0) {
    std::string message = "tracefs: cannot open " + dir + "/trace_pipe: " + errno_text(errno);
    t->close();
    return fail(message);
  }
  return t;
}

KernelTracer::~KernelTracer() { close(); }

void KernelTracer::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  try {
    // The pipe being closed, the instance has no users left and rmdir frees its buffer.
    if (!dir_.empty()) remove_instance(dir_);
    dir_.clear();
    if (mounted_) unmount_tracefs(root_);
    mounted_ = false;
    reader_.clear();
  } catch (...) {
    // Building a path (std::bad_alloc) or taking the mount lock can throw; what is left behind is
    // the instance, which remove_stale_instances() removes once this process is gone.
  }
}

std::vector<KernelEvent> KernelTracer::drain() {
  std::vector<KernelEvent> out;
  if (fd_ < 0) return out;
  std::array<char, 65536> buf{};
  // Reading is faster than a run makes events, so the pipe runs dry (EAGAIN) and the loop ends.
  for (;;) {
    const ssize_t n = ::read(fd_, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: nothing more now; 0: tracing is off and the buffer empty
    reader_.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)), out);
  }
  return out;
}

int remove_stale_instances(const std::string& prefix) {
  if (prefix.empty()) return 0;
  auto root = find_or_mount_tracefs(nullptr);
  if (!root) return 0;
  const std::string instances = root->path + "/instances";
  int removed = 0;
  if (DIR* d = ::opendir(instances.c_str())) {
    std::vector<std::string> stale;
    while (const dirent* entry = ::readdir(d)) {
      const std::string_view name = entry->d_name;
      if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) continue;
      const auto pid = leading_pid(name.substr(prefix.size()));
      if (pid && !process_exists(*pid)) stale.emplace_back(name);
    }
    ::closedir(d);
    for (const std::string& name : stale) {
      if (remove_instance(instances + "/" + name)) ++removed;
    }
  }
  if (root->mounted_here) unmount_tracefs(root->path);
  return removed;
}

}  // namespace tcpsim::live
