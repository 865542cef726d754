// A move-only callable stored inline in a fixed buffer: the scheduler's callback type.
// Unlike std::function it never allocates; a callable that does not fit fails to compile.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace tcpsim::sim {

template <class Signature, std::size_t Capacity>
class InplaceFunction;

template <class R, class... Args, std::size_t Capacity>
class InplaceFunction<R(Args...), Capacity> {
 public:
  InplaceFunction() = default;

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, InplaceFunction> && std::is_invocable_r_v<R, D&, Args...>>>
  InplaceFunction(F&& f) {  // NOLINT(google-explicit-constructor): lambdas convert implicitly
    static_assert(sizeof(D) <= Capacity, "callable too large for InplaceFunction: capture less (e.g. a pointer)");
    static_assert(alignof(D) <= 8, "over-aligned callable");
    static_assert(std::is_nothrow_move_constructible_v<D>, "callable must be nothrow-movable");
    ::new (static_cast<void*>(buf_)) D(std::forward<F>(f));
    ops_ = &kOps<D>;
  }

  InplaceFunction(InplaceFunction&& o) noexcept { take(o); }
  InplaceFunction& operator=(InplaceFunction&& o) noexcept {
    if (this != &o) {
      reset();
      take(o);
    }
    return *this;
  }
  InplaceFunction(const InplaceFunction&) = delete;
  InplaceFunction& operator=(const InplaceFunction&) = delete;
  ~InplaceFunction() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  R operator()(Args... a) { return ops_->invoke(static_cast<void*>(buf_), std::forward<Args>(a)...); }

  void reset() noexcept {
    if (ops_ != nullptr) ops_->relocate(nullptr, buf_);
    ops_ = nullptr;
  }

 private:
  // One pointer per stored callable: its operations live in a static table per type.
  struct Ops {
    R (*invoke)(void*, Args...);
    void (*relocate)(void* dst, void* src) noexcept;  // move into dst (if not null), destroy src
  };
  template <class D>
  static constexpr Ops kOps{
      [](void* p, Args... a) -> R { return (*static_cast<D*>(p))(std::forward<Args>(a)...); },
      [](void* dst, void* src) noexcept {
        if (dst != nullptr) ::new (dst) D(std::move(*static_cast<D*>(src)));
        static_cast<D*>(src)->~D();
      }};

  void take(InplaceFunction& o) noexcept {
    if (o.ops_ != nullptr) o.ops_->relocate(buf_, o.buf_);
    ops_ = o.ops_;
    o.ops_ = nullptr;
  }

  alignas(8) unsigned char buf_[Capacity];
  const Ops* ops_ = nullptr;
};

}  // namespace tcpsim::sim
