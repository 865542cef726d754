// Files the project writes (traces, diagrams, reports, captures' companions), with every failure
// reported: a path that cannot be opened, a write that fails (a full disk, /dev/full), a flush or
// close that fails. A stream's state is only final after it is closed, so close() is where the
// verdict comes from; nothing that writes a file may skip it.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace tcpsim::trace {

class OutputFile {
 public:
  // Opens `path` for writing, truncating it; open_error() says whether that worked.
  explicit OutputFile(std::filesystem::path path);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::ostream& stream() { return out_; }
  // "" when the file is open, else why not: `cannot write "PATH": Permission denied`.
  const std::string& open_error() const { return error_; }
  // Flushes and closes the file (once; later calls return the same verdict): "" when every byte
  // reached it, else a sentence naming the path and the reason.
  std::string close();

 private:
  std::string failure(int errno_value) const;

  std::filesystem::path path_;
  std::ofstream out_;
  std::string error_;
  bool closed_ = false;
};

// Writes `text` to `path` (truncating it): "" on success, else the error as OutputFile says it.
std::string write_file(const std::filesystem::path& path, std::string_view text);

}  // namespace tcpsim::trace
