// mmf — shared_unordered_map<K, V>: a hash map that lives in a managed_segment and is used from
// every process that maps it (libstdc++'s node-based containers keep raw pointers in their nodes
// and bucket arrays, so std::unordered_map cannot: this one links everything with offset_ptr).
//
//   using shm_string = std::basic_string<char, std::char_traits<char>,
//   mmf::segment_allocator<char>>; using index = mmf::shared_unordered_map<shm_string,
//   std::uint64_t>; auto* m = seg.find_or_construct<index>("index", seg.get_allocator<char>());
//   m->insert(shm_string("apple", seg.get_allocator<char>()), 3);
//   auto it = m->find(std::string_view("apple"));   // heterogeneous lookup
//
// Separate chaining; the bucket array doubles when size() exceeds the bucket count (amortised
// O(1) insert, O(1) expected find and erase). Iteration visits buckets in order (unspecified
// element order). Keys and values are built with uses-allocator construction (see
// segment_allocator::construct), so strings and vectors inside take the map's segment too.
//
// Hash: shared_hash<K> (string-like keys hash as std::string_view, others with std::hash<K>);
// KeyEqual: std::equal_to<>. Both are transparent, so find/contains/erase take anything they
// accept (a std::string_view for string keys).
//
// Thread and process safety: like a standard container — concurrent reads are safe; a writer
// needs the readers and other writers excluded (e.g. with a named_mutex). Iterators and pointers
// to elements are invalidated by erase of that element only; a rehash keeps them valid.
// Errors: allocation failures throw as segment_allocator::allocate (not_enough_memory); an
// insert that throws leaves the map unchanged.
#pragma once

#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <mmf/offset_ptr.hpp>
#include <mmf/segment_allocator.hpp>

namespace mmf {

// The default hash of the shared containers: string-like keys (anything convertible to
// std::string_view) hash as that view, so a shm_string and a std::string_view of the same text
// hash alike; other keys use std::hash<K>.
template <class K>
struct shared_hash {
  using is_transparent = void;
  template <class Q>
  std::size_t operator()(const Q& q) const noexcept {
    if constexpr (std::is_convertible_v<const Q&, std::string_view>)
      return std::hash<std::string_view>{}(std::string_view(q));
    else
      return std::hash<Q>{}(q);
  }
};

template <class K, class V, class Hash = shared_hash<K>, class KeyEqual = std::equal_to<>,
          class Allocator = segment_allocator<std::pair<const K, V>>>
class shared_unordered_map {
 public:
  using key_type = K;
  using mapped_type = V;
  using value_type = std::pair<const K, V>;
  using size_type = std::size_t;
  using hasher = Hash;
  using key_equal = KeyEqual;
  using allocator_type = Allocator;

 private:
  struct node {
    offset_ptr<node> next;
    std::size_t hash;
    value_type value;
  };
  using alloc_traits = std::allocator_traits<Allocator>;
  using node_alloc = typename alloc_traits::template rebind_alloc<node>;
  using node_traits = std::allocator_traits<node_alloc>;
  using bucket_alloc = typename alloc_traits::template rebind_alloc<offset_ptr<node>>;
  using bucket_traits = std::allocator_traits<bucket_alloc>;

  template <bool Const>
  class basic_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = shared_unordered_map::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<Const, const value_type*, value_type*>;
    using reference = std::conditional_t<Const, const value_type&, value_type&>;

    basic_iterator() noexcept = default;
    template <bool C = Const>
    requires C basic_iterator(const basic_iterator<false>& o)
    noexcept  // NOLINT: iterator → const_iterator
        : map_(o.map_), node_(o.node_), bucket_(o.bucket_) {}
    reference operator*() const noexcept { return node_->value; }
    pointer operator->() const noexcept { return &node_->value; }
    basic_iterator& operator++() noexcept {
      node_ = node_->next.get();
      if (node_ == nullptr) advance(bucket_ + 1);
      return *this;
    }
    basic_iterator operator++(int) noexcept {
      basic_iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const basic_iterator& a, const basic_iterator& b) noexcept {
      return a.node_ == b.node_;
    }

   private:
    friend class basic_iterator<!Const>;
    friend class shared_unordered_map;
    using map_ptr = std::conditional_t<Const, const shared_unordered_map*, shared_unordered_map*>;
    basic_iterator(map_ptr m, node* n, std::size_t b) noexcept : map_(m), node_(n), bucket_(b) {}
    void advance(std::size_t from) noexcept {
      for (bucket_ = from; bucket_ < map_->bucket_count_; ++bucket_) {
        node_ = map_->buckets_[static_cast<std::ptrdiff_t>(bucket_)].get();
        if (node_ != nullptr) return;
      }
      node_ = nullptr;
    }
    map_ptr map_ = nullptr;
    node* node_ = nullptr;
    std::size_t bucket_ = 0;
  };

 public:
  using iterator = basic_iterator<false>;
  using const_iterator = basic_iterator<true>;

  explicit shared_unordered_map(const Allocator& alloc) : alloc_(alloc) {}
  shared_unordered_map(const shared_unordered_map&) = delete;
  shared_unordered_map& operator=(const shared_unordered_map&) = delete;
  ~shared_unordered_map() {
    clear();
    if (buckets_ != nullptr) {
      bucket_alloc ba(alloc_);
      bucket_traits::deallocate(ba, buckets_, bucket_count_);
    }
  }

  allocator_type get_allocator() const noexcept { return alloc_; }
  size_type size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  size_type bucket_count() const noexcept { return bucket_count_; }

  iterator begin() noexcept {
    iterator it(this, nullptr, 0);
    it.advance(0);
    return it;
  }
  iterator end() noexcept { return iterator(this, nullptr, bucket_count_); }
  const_iterator begin() const noexcept {
    const_iterator it(this, nullptr, 0);
    it.advance(0);
    return it;
  }
  const_iterator end() const noexcept { return const_iterator(this, nullptr, bucket_count_); }

  // Inserts value_type(key, value...) unless the key is present; returns where it is and whether
  // it was inserted.
  template <class KK, class... Args>
  std::pair<iterator, bool> insert(KK&& key, Args&&... args) {
    const std::size_t h = Hash{}(key);
    if (node* n = find_node(key, h)) return {iterator(this, n, h % bucket_count_), false};
    reserve_for(size_ + 1);
    node_alloc na(alloc_);
    offset_ptr<node> fresh = node_traits::allocate(na, 1);
    node* n = fresh.get();
    try {
      Allocator pa(alloc_);
      alloc_traits::construct(pa, std::addressof(n->value), std::piecewise_construct,
                              std::forward_as_tuple(std::forward<KK>(key)),
                              std::forward_as_tuple(std::forward<Args>(args)...));
    } catch (...) {
      node_traits::deallocate(na, fresh, 1);
      throw;
    }
    ::new (static_cast<void*>(std::addressof(n->next))) offset_ptr<node>();
    n->hash = h;
    const std::size_t b = h % bucket_count_;
    n->next = buckets_[static_cast<std::ptrdiff_t>(b)];
    buckets_[static_cast<std::ptrdiff_t>(b)] = n;
    ++size_;
    return {iterator(this, n, b), true};
  }

  template <class Q>
  iterator find(const Q& key) noexcept {
    if (size_ == 0) return end();
    const std::size_t h = Hash{}(key);
    node* n = find_node(key, h);
    return n ? iterator(this, n, h % bucket_count_) : end();
  }
  template <class Q>
  const_iterator find(const Q& key) const noexcept {
    return const_cast<shared_unordered_map*>(this)->find(key);
  }
  template <class Q>
  bool contains(const Q& key) const noexcept {
    return find(key) != end();
  }
  // Throws std::out_of_range when absent.
  template <class Q>
  V& at(const Q& key) {
    auto it = find(key);
    if (it == end()) throw std::out_of_range("shared_unordered_map::at");
    return it->second;
  }

  // Removes the key's element; returns how many were removed (0 or 1).
  template <class Q>
  size_type erase(const Q& key) noexcept {
    if (size_ == 0) return 0;
    const std::size_t h = Hash{}(key);
    offset_ptr<node>* link = &buckets_[static_cast<std::ptrdiff_t>(h % bucket_count_)];
    while (*link != nullptr) {
      node* n = link->get();
      if (n->hash == h && KeyEqual{}(n->value.first, key)) {
        *link = n->next;
        destroy_node(n);
        --size_;
        return 1;
      }
      link = &n->next;
    }
    return 0;
  }

  void clear() noexcept {
    for (std::size_t b = 0; b < bucket_count_; ++b) {
      node* n = buckets_[static_cast<std::ptrdiff_t>(b)].get();
      while (n != nullptr) {
        node* next = n->next.get();
        destroy_node(n);
        n = next;
      }
      buckets_[static_cast<std::ptrdiff_t>(b)] = nullptr;
    }
    size_ = 0;
  }

 private:
  template <class Q>
  node* find_node(const Q& key, std::size_t h) const noexcept {
    if (bucket_count_ == 0) return nullptr;
    for (node* n = buckets_[static_cast<std::ptrdiff_t>(h % bucket_count_)].get(); n != nullptr;
         n = n->next.get())
      if (n->hash == h && KeyEqual{}(n->value.first, key)) return n;
    return nullptr;
  }

  void destroy_node(node* n) noexcept {
    Allocator pa(alloc_);
    alloc_traits::destroy(pa, std::addressof(n->value));
    n->next.~offset_ptr<node>();
    node_alloc na(alloc_);
    node_traits::deallocate(na, offset_ptr<node>(n), 1);
  }

  void reserve_for(std::size_t count) {
    if (count <= bucket_count_) return;
    const std::size_t fresh_count = bucket_count_ == 0 ? 16 : bucket_count_ * 2;
    bucket_alloc ba(alloc_);
    offset_ptr<offset_ptr<node>> fresh = bucket_traits::allocate(ba, fresh_count);
    for (std::size_t b = 0; b < fresh_count; ++b)
      ::new (static_cast<void*>(std::addressof(fresh[static_cast<std::ptrdiff_t>(b)])))
          offset_ptr<node>();
    for (std::size_t b = 0; b < bucket_count_; ++b) {
      node* n = buckets_[static_cast<std::ptrdiff_t>(b)].get();
      while (n != nullptr) {
        node* next = n->next.get();
        auto& head = fresh[static_cast<std::ptrdiff_t>(n->hash % fresh_count)];
        n->next = head;
        head = n;
        n = next;
      }
    }
    if (buckets_ != nullptr) bucket_traits::deallocate(ba, buckets_, bucket_count_);
    buckets_ = fresh;
    bucket_count_ = fresh_count;
  }

  Allocator alloc_;
  offset_ptr<offset_ptr<node>> buckets_;
  std::size_t bucket_count_ = 0;
  std::size_t size_ = 0;
};

}  // namespace mmf
