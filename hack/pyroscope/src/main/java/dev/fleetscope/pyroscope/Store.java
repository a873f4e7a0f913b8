// In-memory profile store: one list of labelled, timestamped stack samples per tenant.
package dev.fleetscope.pyroscope;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

final class Store {
  record Entry(Map<String, String> labels, String typeId, long timeMs, Map<List<String>, Long> stacks) {
    long sum() {
      long s = 0;
      for (long v : stacks.values()) {
        s += v;
      }
      return s;
    }
  }

  private final Map<String, List<Entry>> tenants = new HashMap<>();

  synchronized void add(String tenant, Entry e) {
    tenants.computeIfAbsent(tenant, k -> new ArrayList<>()).add(e);
  }

  private synchronized List<Entry> select(String tenant, List<Selector> any, long start, long end) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : tenants.getOrDefault(tenant, List.of())) {
      if (start > 0 && e.timeMs < start || end > 0 && e.timeMs > end) {
        continue;
      }
      if (any.isEmpty() || any.stream().anyMatch(s -> s.matches(e.labels))) {
        out.add(e);
      }
    }
    return out;
  }

  List<String> profileTypes(String tenant, long start, long end) {
    TreeSet<String> ids = new TreeSet<>();
    for (Entry e : select(tenant, List.of(), start, end)) {
      ids.add(e.typeId);
    }
    return new ArrayList<>(ids);
  }

  List<String> labelNames(String tenant, List<Selector> matchers, long start, long end) {
    TreeSet<String> names = new TreeSet<>();
    for (Entry e : select(tenant, matchers, start, end)) {
      names.addAll(e.labels.keySet());
    }
    return new ArrayList<>(names);
  }

  List<String> labelValues(String tenant, String name, List<Selector> matchers, long start, long end) {
    TreeSet<String> values = new TreeSet<>();
    for (Entry e : select(tenant, matchers, start, end)) {
      String v = e.labels.get(name);
      if (v != null) {
        values.add(v);
      }
    }
    return new ArrayList<>(values);
  }

  Map<List<String>, Long> merge(String tenant, String typeId, Selector sel, long start, long end) {
    Map<List<String>, Long> out = new HashMap<>();
    for (Entry e : select(tenant, List.of(sel), start, end)) {
      if (e.typeId.equals(typeId)) {
        e.stacks.forEach((k, v) -> out.merge(k, v, Long::sum));
      }
    }
    return out;
  }

  /** Sums per series (grouped by the given label names) per step-aligned timestamp. */
  Map<Map<String, String>, TreeMap<Long, Long>> series(
      String tenant, String typeId, Selector sel, long start, long end, List<String> groupBy, long stepMs) {
    Map<Map<String, String>, TreeMap<Long, Long>> out = new HashMap<>();
    for (Entry e : select(tenant, List.of(sel), start, end)) {
      if (!e.typeId.equals(typeId)) {
        continue;
      }
      Map<String, String> key = new TreeMap<>();
      for (String g : groupBy) {
        String v = e.labels.get(g);
        if (v != null) {
          key.put(g, v);
        }
      }
      long ts = stepMs > 0 ? e.timeMs - Math.floorMod(e.timeMs - Math.max(start, 0), stepMs) : e.timeMs;
      out.computeIfAbsent(key, k -> new TreeMap<>()).merge(ts, e.sum(), Long::sum);
    }
    return out;
  }
}
