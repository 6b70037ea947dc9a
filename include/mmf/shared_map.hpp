// mmf — shared_map<K, V>: an ordered map that lives in a managed_segment and is used from every
// process that maps it (std::map's nodes hold raw pointers; this one links them with offset_ptr).
//
//   using prices = mmf::shared_map<std::int64_t, double>;
//   auto* m = seg.find_or_construct<prices>("prices", seg.get_allocator<char>());
//   m->insert(42, 9.5);
//   for (const auto& [k, v] : *m) ...   // in key order
//
// A treap (a binary search tree kept balanced in expectation by random node priorities, drawn
// from a generator stored in the map so that every process continues the same sequence): insert,
// find, erase, lower_bound and upper_bound are O(log n) expected; ++ on an iterator is O(log n)
// (it searches the successor from the root: nodes keep no parent link). Keys and values are
// built with uses-allocator construction (see segment_allocator::construct).
//
// Compare: std::less<> by default (transparent: find/erase/lower_bound take anything comparable
// with the key, e.g. a std::string_view for string keys).
//
// Thread and process safety: like a standard container (concurrent reads are safe; writers need
// exclusion, e.g. a named_mutex). erase invalidates iterators to the erased element only.
// Errors: allocation failures throw as segment_allocator::allocate; a throwing insert leaves the
// map unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

#include <mmf/offset_ptr.hpp>
#include <mmf/segment_allocator.hpp>

namespace mmf {

template <class K, class V, class Compare = std::less<>,
          class Allocator = segment_allocator<std::pair<const K, V>>>
class shared_map {
 public:
  using key_type = K;
  using mapped_type = V;
  using value_type = std::pair<const K, V>;
  using size_type = std::size_t;
  using key_compare = Compare;
  using allocator_type = Allocator;

 private:
  struct node {
    offset_ptr<node> left;
    offset_ptr<node> right;
    std::uint64_t priority;
    value_type value;
  };
  using alloc_traits = std::allocator_traits<Allocator>;
  using node_alloc = typename alloc_traits::template rebind_alloc<node>;
  using node_traits = std::allocator_traits<node_alloc>;

  template <bool Const>
  class basic_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = shared_map::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<Const, const value_type*, value_type*>;
    using reference = std::conditional_t<Const, const value_type&, value_type&>;

    basic_iterator() noexcept = default;
    template <bool C = Const>
    requires C basic_iterator(const basic_iterator<false>& o)
    noexcept  // NOLINT: iterator → const_iterator
        : map_(o.map_), node_(o.node_) {}
    reference operator*() const noexcept { return node_->value; }
    pointer operator->() const noexcept { return &node_->value; }
    basic_iterator& operator++() noexcept {
      node_ = map_->upper_node(node_->value.first);
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
    friend class shared_map;
    using map_ptr = std::conditional_t<Const, const shared_map*, shared_map*>;
    basic_iterator(map_ptr m, node* n) noexcept : map_(m), node_(n) {}
    map_ptr map_ = nullptr;
    node* node_ = nullptr;
  };

 public:
  using iterator = basic_iterator<false>;
  using const_iterator = basic_iterator<true>;

  explicit shared_map(const Allocator& alloc) : alloc_(alloc) {}
  shared_map(const shared_map&) = delete;
  shared_map& operator=(const shared_map&) = delete;
  ~shared_map() { clear(); }

  allocator_type get_allocator() const noexcept { return alloc_; }
  size_type size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  iterator begin() noexcept { return iterator(this, leftmost()); }
  iterator end() noexcept { return iterator(this, nullptr); }
  const_iterator begin() const noexcept { return const_iterator(this, leftmost()); }
  const_iterator end() const noexcept { return const_iterator(this, nullptr); }

  // Inserts value_type(key, value...) unless the key is present.
  template <class KK, class... Args>
  std::pair<iterator, bool> insert(KK&& key, Args&&... args) {
    if (node* n = find_node(key)) return {iterator(this, n), false};
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
    ::new (static_cast<void*>(std::addressof(n->left))) offset_ptr<node>();
    ::new (static_cast<void*>(std::addressof(n->right))) offset_ptr<node>();
    n->priority = next_priority();
    insert_at(root_, n);
    ++size_;
    return {iterator(this, n), true};
  }

  template <class Q>
  iterator find(const Q& key) noexcept {
    return iterator(this, find_node(key));
  }
  template <class Q>
  const_iterator find(const Q& key) const noexcept {
    return const_iterator(this, find_node(key));
  }
  template <class Q>
  bool contains(const Q& key) const noexcept {
    return find_node(key) != nullptr;
  }
  template <class Q>
  V& at(const Q& key) {
    node* n = find_node(key);
    if (n == nullptr) throw std::out_of_range("shared_map::at");
    return n->value.second;
  }
  // The first element whose key is not less than `key` / greater than `key`.
  template <class Q>
  iterator lower_bound(const Q& key) noexcept {
    node* best = nullptr;
    for (node* n = root_.get(); n != nullptr;) {
      if (Compare{}(n->value.first, key)) {
        n = n->right.get();
      } else {
        best = n;
        n = n->left.get();
      }
    }
    return iterator(this, best);
  }
  template <class Q>
  iterator upper_bound(const Q& key) noexcept {
    return iterator(this, upper_node(key));
  }

  template <class Q>
  size_type erase(const Q& key) noexcept {
    offset_ptr<node>* link = &root_;
    while (*link != nullptr) {
      node* n = link->get();
      if (Compare{}(key, n->value.first)) {
        link = &n->left;
      } else if (Compare{}(n->value.first, key)) {
        link = &n->right;
      } else {
        // Rotate n down until it has at most one child, then splice it out.
        while (n->left != nullptr && n->right != nullptr) {
          if (n->left->priority > n->right->priority) {
            rotate_right(*link);
            link = &link->get()->right;
          } else {
            rotate_left(*link);
            link = &link->get()->left;
          }
        }
        *link = n->left != nullptr ? n->left : n->right;
        destroy_node(n);
        --size_;
        return 1;
      }
    }
    return 0;
  }

  void clear() noexcept {
    destroy_tree(root_.get());
    root_ = nullptr;
    size_ = 0;
  }

 private:
  template <class Q>
  node* find_node(const Q& key) const noexcept {
    for (node* n = root_.get(); n != nullptr;) {
      if (Compare{}(key, n->value.first))
        n = n->left.get();
      else if (Compare{}(n->value.first, key))
        n = n->right.get();
      else
        return n;
    }
    return nullptr;
  }
  template <class Q>
  node* upper_node(const Q& key) const noexcept {
    node* best = nullptr;
    for (node* n = root_.get(); n != nullptr;) {
      if (Compare{}(key, n->value.first)) {
        best = n;
        n = n->left.get();
      } else {
        n = n->right.get();
      }
    }
    return best;
  }
  node* leftmost() const noexcept {
    node* n = root_.get();
    while (n != nullptr && n->left != nullptr)
      n = n->left.get();
    return n;
  }

  std::uint64_t next_priority() noexcept {  // xorshift64*, state in the map
    seed_ ^= seed_ >> 12;
    seed_ ^= seed_ << 25;
    seed_ ^= seed_ >> 27;
    return seed_ * 0x2545f4914f6cdd1dull;
  }

  static void rotate_right(offset_ptr<node>& at) noexcept {
    node* n = at.get();
    node* l = n->left.get();
    n->left = l->right;
    l->right = n;
    at = l;
  }
  static void rotate_left(offset_ptr<node>& at) noexcept {
    node* n = at.get();
    node* r = n->right.get();
    n->right = r->left;
    r->left = n;
    at = r;
  }
  void insert_at(offset_ptr<node>& at, node* fresh) noexcept {
    if (at == nullptr) {
      at = fresh;
      return;
    }
    node* n = at.get();
    if (Compare{}(fresh->value.first, n->value.first)) {
      insert_at(n->left, fresh);
      if (n->left->priority > n->priority) rotate_right(at);
    } else {
      insert_at(n->right, fresh);
      if (n->right->priority > n->priority) rotate_left(at);
    }
  }

  void destroy_node(node* n) noexcept {
    Allocator pa(alloc_);
    alloc_traits::destroy(pa, std::addressof(n->value));
    node_alloc na(alloc_);
    node_traits::deallocate(na, offset_ptr<node>(n), 1);
  }
  void destroy_tree(node* n) noexcept {
    while (n != nullptr) {  // recursion on the left, a loop on the right
      destroy_tree(n->left.get());
      node* right = n->right.get();
      destroy_node(n);
      n = right;
    }
  }

  Allocator alloc_;
  offset_ptr<node> root_;
  std::size_t size_ = 0;
  std::uint64_t seed_ = 0x9e3779b97f4a7c15ull;
};

}  // namespace mmf
