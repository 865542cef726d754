#include "sim/trace/output_file.hpp"

#include <cerrno>
#include <cstring>

namespace tcpsim::trace {

OutputFile::OutputFile(std::filesystem::path path) : path_(std::move(path)) {
  errno = 0;
  out_.open(path_, std::ios::binary | std::ios::trunc);
  if (!out_.is_open()) {
    error_ = failure(errno);
    closed_ = true;
  }
}

std::string OutputFile::failure(int errno_value) const {
  std::string s = "cannot write \"" + path_.string() + "\"";
  if (errno_value != 0) s += std::string(": ") + std::strerror(errno_value);
  return s;
}

std::string OutputFile::close() {
  if (closed_) return error_;
  closed_ = true;
  // A write that failed earlier left the stream bad (its errno is long gone); flush and close
  // may fail on their own (data buffered until now, or a file system that reports at close).
  const bool written = static_cast<bool>(out_);
  errno = 0;
  if (written) out_.flush();
  const bool flushed = static_cast<bool>(out_);
  const int flush_errno = errno;
  errno = 0;
  out_.close();
  const bool closed = !out_.fail();
  if (!written) error_ = "cannot write \"" + path_.string() + "\": a write failed (is the disk full?)";
  else if (!flushed) error_ = failure(flush_errno);
  else if (!closed) error_ = failure(errno);
  return error_;
}

std::string write_file(const std::filesystem::path& path, std::string_view text) {
  OutputFile f(path);
  if (!f.open_error().empty()) return f.open_error();
  f.stream().write(text.data(), static_cast<std::streamsize>(text.size()));
  return f.close();
}

}  // namespace tcpsim::trace
