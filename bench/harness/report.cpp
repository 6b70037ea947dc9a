// mmf-bench — ratios, targets (PERFORMANCE.md), the printed table and the JSON file.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "harness.hpp"

namespace mmfbench {

namespace {

// The figure a row is compared by: p50 for latency rows, the median per-op time otherwise.
double metric(const row& r) {
  return r.latency ? r.median_p50 : r.median_ns;
}

bool measured(const row& r) {
  return r.error.empty() && !r.samples.empty();
}

std::string fmt_time(double ns) {
  char buf[32];
  if (ns < 0) return "-";
  if (ns < 1e3)
    std::snprintf(buf, sizeof buf, "%.1f ns", ns);
  else if (ns < 1e6)
    std::snprintf(buf, sizeof buf, "%.2f us", ns / 1e3);
  else if (ns < 1e9)
    std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  return buf;
}

std::string fmt_ratio(double r) {
  if (r <= 0 || !std::isfinite(r)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, r < 10 ? "%.2fx" : (r < 100 ? "%.1fx" : "%.0fx"), r);
  return buf;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string json_number(double v) {
  if (!std::isfinite(v) || v < 0) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

const char* role_name(role r) {
  switch (r) {
    case role::floor:
      return "floor";
    case role::peer:
      return "peer";
    case role::mmf:
      return "mmf";
  }
  return "?";
}

}  // namespace

void compute_ratios(group& g) {
  for (auto& r : g.rows) {
    if (!measured(r)) continue;
    std::vector<double> ns, p50, p99;
    for (const auto& s : r.samples) {
      ns.push_back(s.ns);
      p50.push_back(s.p50);
      p99.push_back(s.p99);
    }
    r.median_ns = median(ns);
    if (r.latency) {
      r.median_p50 = median(p50);
      r.median_p99 = median(p99);
    }
  }
  std::map<std::string, double> floor_of;
  for (const auto& r : g.rows)
    if (r.who == role::floor && measured(r) && !floor_of.count(r.table))
      floor_of[r.table] = metric(r);
  for (auto& r : g.rows) {
    if (!measured(r)) continue;
    if (auto it = floor_of.find(r.table); it != floor_of.end() && it->second > 0)
      r.vs_floor = metric(r) / it->second;
    double best = -1;
    for (const auto& o : g.rows)
      if (&o != &r && o.table == r.table && o.who == role::peer && measured(o) &&
          (best < 0 || metric(o) < best))
        best = metric(o);
    r.vs_best_peer = best > 0 ? metric(r) / best : 0;
  }
}

void print_group(const group& g) {
  std::printf("\n== %s: %s\n", g.name.c_str(), g.description.c_str());
  std::vector<std::string> tables;
  for (const auto& r : g.rows)
    if (std::find(tables.begin(), tables.end(), r.table) == tables.end()) tables.push_back(r.table);
  for (const auto& t : tables) {
    bool latency = false, throughput = false, per_unit = false;
    std::string unit;
    for (const auto& r : g.rows)
      if (r.table == t) {
        latency |= r.latency;
        throughput |= r.bytes_per_op > 8;
        if (r.per_op_units > 0) per_unit = true, unit = r.unit_name;
      }
    std::printf("\n  %s\n", t.c_str());
    std::printf("    %-52s %11s", "", latency ? "p50" : "median");
    if (latency) std::printf(" %11s", "p99");
    if (throughput) std::printf(" %9s", "GB/s");
    if (per_unit) std::printf(" %13s", ("per " + unit).c_str());
    std::printf(" %9s %9s\n", "vs floor", "vs best");
    for (const auto& r : g.rows) {
      if (r.table != t) continue;
      std::string name = r.name;
      if (r.who == role::floor) name += " [floor]";
      if (r.who == role::mmf) name = "* " + name;
      if (!measured(r)) {
        std::printf("    %-52s %s\n", name.c_str(),
                    r.error.empty() ? "(not run)" : ("FAILED: " + r.error).c_str());
        continue;
      }
      std::printf("    %-52s %11s", name.c_str(), fmt_time(metric(r)).c_str());
      if (latency) std::printf(" %11s", fmt_time(r.median_p99).c_str());
      if (throughput) {
        if (r.bytes_per_op > 8)
          std::printf(" %9.2f", r.bytes_per_op / r.median_ns);
        else
          std::printf(" %9s", "");
      }
      if (per_unit) {
        if (r.per_op_units > 0)
          std::printf(" %13s", fmt_time(r.median_ns / r.per_op_units).c_str());
        else
          std::printf(" %13s", "");
      }
      std::printf(" %9s %9s\n", fmt_ratio(r.vs_floor).c_str(), fmt_ratio(r.vs_best_peer).c_str());
    }
  }
  for (const auto& n : g.notes)
    std::printf("  note: %s\n", n.c_str());
  std::fflush(stdout);
}

// ---- Targets ------------------------------------------------------------------------------------

namespace {

enum class which { median, p50, p99 };

struct target_spec {
  const char* id;
  const char* text;
  const char* num;  // value = figure(num) / figure(den)
  const char* den;
  which fig;
  double threshold;
  bool higher_is_better;
  const char* formula;
};

// PERFORMANCE.md's targets, each as one ratio of two rows of the same run.
const target_spec target_specs[] = {
    {"random.read", "accessor read<T> <= 1.05x raw pointer", "random.read.mmf", "random.read.raw",
     which::median, 1.05, false, "mmf / raw"},
    {"random.write", "accessor write<T> <= 1.05x raw pointer", "random.write.mmf",
     "random.write.raw", which::median, 1.05, false, "mmf / raw"},
    {"random.pread", "accessor read >= 30x faster than pread", "random.read.pread",
     "random.read.mmf", which::median, 30, true, "pread / mmf"},
    {"random.threads", "accessor read, 2 threads >= 1.9x one thread", "random.threads.mmf1",
     "random.threads.mmf2", which::median, 1.9, true, "1-thread / 2-thread time per read"},
    {"bulk.memcpy", "stream bulk read >= 0.95x memcpy", "bulk.memcpy", "bulk.mmf", which::median,
     0.95, true, "memcpy time / mmf time"},
    {"bulk.copy_to", "guarded copy_to <= 1.1x memcpy (1 MiB blocks)", "bulk.copy_to", "bulk.memcpy",
     which::median, 1.1, false, "copy_to / memcpy"},
    {"bulk.copy_to_4k", "guarded copy_to <= 1.1x memcpy (4 KiB blocks)", "bulk4k.copy_to",
     "bulk4k.memcpy", which::median, 1.1, false, "copy_to / memcpy"},
    {"bulk.read", "stream bulk read >= 1.2x read()", "bulk.read", "bulk.mmf", which::median, 1.2,
     true, "read() time / mmf time"},
    {"small.read_as", "read_as<u64> >= 0.5x raw pointer", "small.raw", "small.mmf", which::median,
     0.5, true, "raw time / mmf time"},
    {"lifecycle.create", "create_new+view+close <= 1.2x raw (lazy, like for like)",
     "lifecycle.create.mmf", "lifecycle.create.raw", which::median, 1.2, false, "mmf / raw"},
    {"lifecycle.reserved", "create_new+view+close <= 1.2x raw (reserved, like for like)",
     "lifecycle.reserved.mmf", "lifecycle.reserved.raw", which::median, 1.2, false, "mmf / raw"},
    {"lifecycle.open", "open_existing+view+close <= 1.2x raw", "lifecycle.open.mmf",
     "lifecycle.open.raw", which::median, 1.2, false, "mmf / raw"},
    {"lifecycle.view", "view create+close <= 1.2x raw", "lifecycle.view.mmf", "lifecycle.view.raw",
     which::median, 1.2, false, "mmf / raw"},
    {"lifecycle.create_boost", "create_new faster than Boost", "lifecycle.create.mmf",
     "lifecycle.create.boost", which::median, 1.0, false, "mmf / Boost"},
    {"lifecycle.open_boost", "open_existing faster than Boost", "lifecycle.open.mmf",
     "lifecycle.open.boost", which::median, 1.0, false, "mmf / Boost"},
    {"lifecycle.view_boost", "view creation faster than Boost", "lifecycle.view.mmf",
     "lifecycle.view.boost", which::median, 1.0, false, "mmf / Boost"},
    {"lifecycle.flat_1g", "delay_allocate_pages: flat in size (1 GiB vs 64 KiB, <= 1.2x)",
     "lifecycle.size.1GiB", "lifecycle.size.64KiB", which::median, 1.2, false, "1 GiB / 64 KiB"},
    {"lifecycle.flat_64g", "delay_allocate_pages: flat in size (64 GiB vs 64 KiB, <= 1.2x)",
     "lifecycle.size.64GiB", "lifecycle.size.64KiB", which::median, 1.2, false, "64 GiB / 64 KiB"},
    {"lifecycle.touch", "default create + first touch <= 1.1x lazy create + first touch",
     "lifecycle.touch.default", "lifecycle.touch.lazy", which::median, 1.1, false,
     "default / lazy"},
    {"touch.populate", "populate <= 0.75x demand first touch", "touch.mmf_populate",
     "touch.raw_demand", which::median, 0.75, false, "mmf populate / raw demand"},
    {"touch.huge", "huge_pages >= 3x faster than demand first touch", "touch.raw_demand",
     "touch.mmf_huge", which::median, 3, true, "raw demand / mmf huge_pages"},
    {"event.same.futex", "event ping-pong p50 <= 1.05x raw futex (same core)", "event.same.mmf",
     "event.same.futex", which::p50, 1.05, false, "mmf p50 / futex p50"},
    {"event.same.boost", "event ping-pong p50 <= 0.85x Boost named_condition (same core)",
     "event.same.mmf", "event.same.boost_cond", which::p50, 0.85, false, "mmf p50 / Boost p50"},
    {"event.same.p99", "event ping-pong p99 <= 1.5x raw futex p99 (same core)", "event.same.mmf",
     "event.same.futex", which::p99, 1.5, false, "mmf p99 / futex p99"},
    {"event.cross.futex", "event ping-pong p50 <= 1.05x raw futex (cross core)", "event.cross.mmf",
     "event.cross.futex", which::p50, 1.05, false, "mmf p50 / futex p50"},
    {"event.cross.boost", "event ping-pong p50 <= 0.85x Boost named_condition (cross core)",
     "event.cross.mmf", "event.cross.boost_cond", which::p50, 0.85, false, "mmf p50 / Boost p50"},
    {"event.cross.p99", "event ping-pong p99 <= 1.5x raw futex p99 (cross core)", "event.cross.mmf",
     "event.cross.futex", which::p99, 1.5, false, "mmf p99 / futex p99"},
    {"mutex.robust", "named_mutex uncontended <= 1.1x robust pthread mutex", "mutex.mmf",
     "mutex.robust", which::median, 1.1, false, "mmf / robust pthread"},
    {"mutex.flock", "named_mutex uncontended >= 15x faster than flock", "mutex.flock", "mutex.mmf",
     which::median, 15, true, "flock / mmf"},
    {"queue.rt2.spin", "queue 64 B round trip p50 <= 2x busy-poll mailbox (two CPUs)",
     "queue.rt2.mmf", "queue.rt2.spin", which::p50, 2, false, "mmf p50 / busy-poll p50"},
    {"queue.rt2.boost", "queue 64 B round trip p50 <= 0.1x Boost message_queue (two CPUs)",
     "queue.rt2.mmf", "queue.rt2.boost", which::p50, 0.1, false, "mmf p50 / Boost p50"},
    {"queue.rt1.futex", "queue 64 B round trip p50 <= 1.1x futex mailbox (same CPU)",
     "queue.rt1.mmf", "queue.rt1.futex", which::p50, 1.1, false, "mmf p50 / futex p50"},
    {"queue.rt1.boost", "queue 64 B round trip p50 <= 0.1x Boost message_queue (same CPU)",
     "queue.rt1.mmf", "queue.rt1.boost", which::p50, 0.1, false, "mmf p50 / Boost p50"},
    {"queue.stream.spsc", "queue 64 B streaming >= 0.5x raw SPSC ring (messages/s)",
     "queue.stream.spsc", "queue.stream.mmf", which::median, 0.5, true, "mmf msg/s / SPSC msg/s"},
    {"queue.stream.boost", "queue 64 B streaming >= 10x Boost message_queue (messages/s)",
     "queue.stream.boost", "queue.stream.mmf", which::median, 10, true, "mmf msg/s / Boost msg/s"},
    {"queue.mib.memcpy", "queue 1 MiB messages (copy API) >= 0.8x memcpy bandwidth",
     "queue.mib.memcpy", "queue.mib.mmf", which::median, 0.8, true, "mmf GB/s / memcpy GB/s"},
    {"segment.alloc.malloc", "segment allocate+deallocate <= 2x malloc/free", "segment.alloc.mmf",
     "segment.alloc.malloc", which::median, 2, false, "mmf / malloc"},
    {"segment.alloc.boost", "segment allocate+deallocate <= 0.8x Boost managed_shared_memory",
     "segment.alloc.mmf", "segment.alloc.boost", which::median, 0.8, false, "mmf / Boost"},
    {"segment.find.boost", "segment find among 10,000 names <= 0.5x Boost", "segment.find.mmf",
     "segment.find.boost", which::median, 0.5, false, "mmf / Boost"},
    {"segment.procs.mmf", "segment allocation, 2 processes >= 1.5x one process (throughput)",
     "segment.procs.mmf1", "segment.procs.mmf2", which::median, 1.5, true,
     "2-process / 1-process throughput"},
};

}  // namespace

std::vector<target_result> evaluate_targets(const std::vector<group>& groups) {
  std::map<std::string, const row*> by_id;
  for (const auto& g : groups)
    for (const auto& r : g.rows)
      by_id[r.id] = &r;
  std::vector<target_result> out;
  for (const auto& s : target_specs) {
    target_result t;
    t.id = s.id;
    t.text = s.text;
    t.threshold = s.threshold;
    t.higher_is_better = s.higher_is_better;
    auto num = by_id.find(s.num);
    auto den = by_id.find(s.den);
    if (num == by_id.end() || den == by_id.end()) continue;  // group not selected (or no Boost)
    auto fig = [&](const row& r) {
      return s.fig == which::p99 ? r.median_p99
                                 : (s.fig == which::p50 ? r.median_p50 : r.median_ns);
    };
    if (!measured(*num->second) || !measured(*den->second) || fig(*den->second) <= 0 ||
        fig(*num->second) <= 0) {
      t.state = -1;
      t.note = "a row failed or did not run";
    } else {
      t.value = fig(*num->second) / fig(*den->second);
      t.state = s.higher_is_better ? (t.value >= s.threshold) : (t.value <= s.threshold);
      char buf[96];
      std::snprintf(buf, sizeof buf, "%s = %.3g", s.formula, t.value);
      t.measured = buf;
    }
    out.push_back(std::move(t));
  }
  return out;
}

void print_targets(const std::vector<target_result>& targets) {
  if (targets.empty()) return;
  std::printf("\n== targets (PERFORMANCE.md), ratios from this run\n");
  int met = 0, missed = 0;
  for (const auto& t : targets) {
    const char* state = t.state == 1 ? "met   " : (t.state == 0 ? "MISSED" : "n/a   ");
    met += t.state == 1;
    missed += t.state == 0;
    std::printf("  %s %-66s %s%s\n", state, t.text.c_str(),
                t.measured.empty() ? t.note.c_str() : t.measured.c_str(),
                t.state == 0 ? (std::string(" (want ") + (t.higher_is_better ? ">= " : "<= ") +
                                json_number(t.threshold) + ")")
                                   .c_str()
                             : "");
  }
  std::printf("  %d met, %d missed, %zu in all\n", met, missed, targets.size());
  std::fflush(stdout);
}

bool write_json(const std::string& path, const config& cfg, const machine_info& m,
                const std::vector<group>& groups, const std::vector<target_result>& targets) {
  std::ofstream out(path);
  if (!out) return false;
  out << "{\n  \"tool\": \"mmf-bench\",\n  \"quick\": " << (cfg.quick ? "true" : "false")
      << ",\n  \"repetitions\": " << cfg.reps << ",\n  \"machine\": {";
  bool first = true;
  for (const auto& [k, v] : m.settings) {
    out << (first ? "\n" : ",\n") << "    \"" << json_escape(k) << "\": \"" << json_escape(v)
        << "\"";
    first = false;
  }
  out << "\n  },\n  \"groups\": [";
  first = true;
  for (const auto& g : groups) {
    out << (first ? "\n" : ",\n") << "    {\"name\": \"" << json_escape(g.name)
        << "\", \"description\": \"" << json_escape(g.description) << "\", \"notes\": [";
    for (std::size_t i = 0; i < g.notes.size(); ++i)
      out << (i ? ", " : "") << "\"" << json_escape(g.notes[i]) << "\"";
    out << "],\n     \"rows\": [";
    bool rfirst = true;
    for (const auto& r : g.rows) {
      out << (rfirst ? "\n" : ",\n") << "      {\"id\": \"" << json_escape(r.id)
          << "\", \"table\": \"" << json_escape(r.table) << "\", \"name\": \""
          << json_escape(r.name) << "\", \"role\": \"" << role_name(r.who) << "\"";
      if (!measured(r)) {
        out << ", \"error\": \"" << json_escape(r.error.empty() ? "not run" : r.error) << "\"}";
        rfirst = false;
        continue;
      }
      out << ", \"median_ns\": " << json_number(r.median_ns);
      if (r.latency)
        out << ", \"p50_ns\": " << json_number(r.median_p50)
            << ", \"p99_ns\": " << json_number(r.median_p99);
      if (r.bytes_per_op > 8)
        out << ", \"gb_per_s\": " << json_number(r.bytes_per_op / r.median_ns);
      if (r.per_op_units > 0)
        out << ", \"ns_per_" << (r.unit_name == "4 KiB page" ? "page" : "unit")
            << "\": " << json_number(r.median_ns / r.per_op_units);
      out << ", \"vs_floor\": " << json_number(r.vs_floor > 0 ? r.vs_floor : -1)
          << ", \"vs_best_peer\": " << json_number(r.vs_best_peer > 0 ? r.vs_best_peer : -1)
          << ", \"samples_ns\": [";
      for (std::size_t i = 0; i < r.samples.size(); ++i)
        out << (i ? ", " : "") << json_number(r.samples[i].ns);
      out << "]}";
      rfirst = false;
    }
    out << "\n    ]}";
    first = false;
  }
  out << "\n  ],\n  \"targets\": [";
  first = true;
  for (const auto& t : targets) {
    out << (first ? "\n" : ",\n") << "    {\"id\": \"" << json_escape(t.id) << "\", \"text\": \""
        << json_escape(t.text)
        << "\", \"value\": " << (t.state == -1 ? std::string("null") : json_number(t.value))
        << ", \"threshold\": " << json_number(t.threshold)
        << ", \"higher_is_better\": " << (t.higher_is_better ? "true" : "false")
        << ", \"state\": \"" << (t.state == 1 ? "met" : (t.state == 0 ? "missed" : "not measured"))
        << "\"}";
    first = false;
  }
  out << "\n  ]\n}\n";
  return static_cast<bool>(out);
}

}  // namespace mmfbench
