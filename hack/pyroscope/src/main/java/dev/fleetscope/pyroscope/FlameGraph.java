// Builds Pyroscope's flame graph encoding (names + levels of [x delta, total, self, name index]).
package dev.fleetscope.pyroscope;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

final class FlameGraph {
  private static final class Node {
    final String name;
    long total;
    long self;
    final TreeMap<String, Node> children = new TreeMap<>();

    Node(String name) {
      this.name = name;
    }
  }

  private FlameGraph() {}

  /** Returns the protojson shape of querier.v1.FlameGraph; int64 values are strings as in protojson. */
  static Map<String, Object> build(Map<List<String>, Long> stacks, long maxNodes) {
    Node root = new Node("total");
    for (Map.Entry<List<String>, Long> e : stacks.entrySet()) {
      long v = e.getValue();
      root.total += v;
      Node n = root;
      for (String f : e.getKey()) {
        n = n.children.computeIfAbsent(f, Node::new);
        n.total += v;
      }
      n.self += v;
    }
    long minTotal = maxNodes > 0 ? cutoff(root, maxNodes) : 0;
    List<String> names = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    List<Object> levels = new ArrayList<>();
    long maxSelf = 0;
    // Breadth-first, left to right; each node keeps its absolute x to compute the deltas.
    List<Node> level = List.of(root);
    List<Long> xs = List.of(0L);
    while (!level.isEmpty()) {
      List<Object> values = new ArrayList<>();
      List<Node> next = new ArrayList<>();
      List<Long> nextXs = new ArrayList<>();
      long prevEnd = 0;
      for (int k = 0; k < level.size(); k++) {
        Node n = level.get(k);
        long x = xs.get(k);
        long self = n.self;
        long childX = x;
        for (Node c : n.children.values()) {
          if (c.total < minTotal) {
            self += c.total; // pruned subtrees count towards their parent's self
            continue;
          }
          next.add(c);
          nextXs.add(childX);
          childX += c.total;
        }
        int idx = index.computeIfAbsent(n.name, nm -> {
          names.add(nm);
          return names.size() - 1;
        });
        values.add(String.valueOf(x - prevEnd));
        values.add(String.valueOf(n.total));
        values.add(String.valueOf(self));
        values.add(String.valueOf(idx));
        prevEnd = x + n.total;
        maxSelf = Math.max(maxSelf, self);
      }
      Map<String, Object> lv = new LinkedHashMap<>();
      lv.put("values", values);
      levels.add(lv);
      level = next;
      xs = nextXs;
    }
    Map<String, Object> fg = new LinkedHashMap<>();
    fg.put("names", names);
    fg.put("levels", levels);
    fg.put("total", String.valueOf(root.total));
    fg.put("maxSelf", String.valueOf(maxSelf));
    return fg;
  }

  // The smallest total a node needs to be among the maxNodes largest nodes.
  private static long cutoff(Node root, long maxNodes) {
    List<Long> totals = new ArrayList<>();
    List<Node> stack = new ArrayList<>(List.of(root));
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      totals.add(n.total);
      stack.addAll(n.children.values());
    }
    if (totals.size() <= maxNodes) {
      return 0;
    }
    totals.sort((a, b) -> Long.compare(b, a));
    return totals.get((int) maxNodes - 1);
  }
}
