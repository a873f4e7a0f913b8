// Turns a JFR recording from the Pyroscope Java agent into stacks per Pyroscope profile type.
package dev.fleetscope.pyroscope;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

final class JfrConverter {
  static final String CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
  static final String WALL = "wall:wall:nanoseconds:wall:nanoseconds";
  static final String TLAB_OBJECTS = "memory:alloc_in_new_tlab_objects:count:space:bytes";
  static final String TLAB_BYTES = "memory:alloc_in_new_tlab_bytes:bytes:space:bytes";
  static final String OUTSIDE_OBJECTS = "memory:alloc_outside_tlab_objects:count:space:bytes";
  static final String OUTSIDE_BYTES = "memory:alloc_outside_tlab_bytes:bytes:space:bytes";
  static final String CONTENTIONS = "mutex:contentions:count:mutex:count";
  static final String DELAY = "mutex:delay:nanoseconds:mutex:count";

  /** Stacks (root first) with their summed values, per profile type ID. */
  static final class Result {
    final Map<String, Map<List<String>, Long>> byType = new HashMap<>();

    void add(String type, List<String> stack, long value) {
      if (value <= 0 || stack.isEmpty()) {
        return;
      }
      byType.computeIfAbsent(type, k -> new HashMap<>()).merge(stack, value, Long::sum);
    }
  }

  private JfrConverter() {}

  static Result convert(byte[] jfr, long sampleRate) throws IOException {
    long periodNs = sampleRate > 0 ? 1_000_000_000L / sampleRate : 10_000_000L;
    Path tmp = Files.createTempFile("ingest", ".jfr");
    try {
      Files.write(tmp, jfr);
      List<RecordedEvent> events = RecordingFile.readAllEvents(tmp);
      String engineEvent = "";
      for (RecordedEvent e : events) {
        if (e.getEventType().getName().equals("jdk.ActiveSetting")
            && "event".equals(e.getString("name"))) {
          engineEvent = String.valueOf(e.getString("value"));
        }
      }
      boolean wallEngine = engineEvent.equals("wall");
      Result r = new Result();
      for (RecordedEvent e : events) {
        switch (e.getEventType().getName()) {
          case "jdk.ExecutionSample" -> r.add(wallEngine ? WALL : CPU, stack(e), periodNs);
          case "profiler.WallClockSample" -> {
            long n = e.hasField("samples") ? Math.max(1, e.getLong("samples")) : 1;
            r.add(WALL, stack(e), n * periodNs);
          }
          case "jdk.ObjectAllocationInNewTLAB" -> {
            List<String> s = stack(e);
            r.add(TLAB_OBJECTS, s, 1);
            r.add(TLAB_BYTES, s, e.getLong("tlabSize"));
          }
          case "jdk.ObjectAllocationOutsideTLAB" -> {
            List<String> s = stack(e);
            r.add(OUTSIDE_OBJECTS, s, 1);
            r.add(OUTSIDE_BYTES, s, e.getLong("allocationSize"));
          }
          case "jdk.JavaMonitorEnter", "jdk.ThreadPark" -> {
            List<String> s = stack(e);
            r.add(CONTENTIONS, s, 1);
            r.add(DELAY, s, Math.max(1, e.getDuration().toNanos()));
          }
          default -> {}
        }
      }
      return r;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static List<String> stack(RecordedEvent e) {
    RecordedStackTrace st = e.getStackTrace();
    if (st == null) {
      return List.of();
    }
    List<RecordedFrame> frames = st.getFrames();
    List<String> out = new ArrayList<>(frames.size());
    for (RecordedFrame f : frames) {
      out.add(frameName(f));
    }
    Collections.reverse(out);
    return out;
  }

  // Java frames as Pyroscope names them: slash-separated class name, a dot, the method name.
  // Native, VM and kernel frames keep their symbol name alone. Every other frame type is Java:
  // async-profiler also writes "C1 compiled", and naming those frames by method alone moved their
  // time to an own-code caller (the real server shows computeHash where this showed processBatch).
  private static final java.util.Set<String> NATIVE_KINDS = java.util.Set.of("Native", "C++", "Kernel");

  private static String frameName(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    if (m == null) {
      return "unknown";
    }
    boolean java = !NATIVE_KINDS.contains(String.valueOf(f.getType()));
    String type = m.getType() == null ? "" : m.getType().getName();
    if (!java || type == null || type.isEmpty()) {
      return m.getName();
    }
    return type.replace('.', '/') + "." + m.getName();
  }
}
