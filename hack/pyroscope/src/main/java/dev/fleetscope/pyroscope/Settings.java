// The server's settings from Pyroscope's flags and config file: the few it honours, the rest named and ignored.
package dev.fleetscope.pyroscope;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Honoured: -target (only "all"), -config.file, -server.http-listen-address,
 * -server.http-listen-port, -auth.multitenancy-enabled, -storage.backend and
 * -storage.filesystem.dir; in the config file multitenancy_enabled, server.http_listen_address,
 * server.http_listen_port, storage.backend and storage.filesystem.dir. A flag wins over the file,
 * as in Pyroscope. Every other flag (-architecture.storage, -write-path, -compactor.data-dir,
 * -self-profiling.disable-push, gRPC and memberlist addresses...) is accepted and ignored.
 */
final class Settings {
  String host = "0.0.0.0";
  int port = 4040;
  boolean multitenancy;
  /** Where accepted profiles are kept across restarts; null keeps them in memory only. */
  Path dataDir;
  final List<String> ignored = new ArrayList<>();

  static Settings parse(String[] args) throws IOException {
    Map<String, String> flags = new LinkedHashMap<>();
    for (String a : args) {
      String f = a.replaceFirst("^--?", "");
      int eq = f.indexOf('=');
      flags.put(eq < 0 ? f : f.substring(0, eq), eq < 0 ? "true" : f.substring(eq + 1));
    }
    String target = flags.remove("target");
    if (target != null && !target.equals("all")) {
      throw new IllegalArgumentException("-target=" + target + ": only -target=all (one process serving everything) is supported");
    }
    Map<String, String> file = new LinkedHashMap<>();
    String configFile = flags.remove("config.file");
    if (configFile != null) {
      file = flatten(Files.readString(Path.of(configFile), StandardCharsets.UTF_8));
    }
    Settings s = new Settings();
    s.host = pick(flags, "server.http-listen-address", file, "server.http_listen_address", s.host);
    s.port = Integer.parseInt(pick(flags, "server.http-listen-port", file, "server.http_listen_port", "4040"));
    s.multitenancy = Boolean.parseBoolean(
        pick(flags, "auth.multitenancy-enabled", file, "multitenancy_enabled", "false"));
    String backend = pick(flags, "storage.backend", file, "storage.backend", "");
    String dir = pick(flags, "storage.filesystem.dir", file, "storage.filesystem.dir", "");
    if (backend.equals("filesystem") && !dir.isEmpty()) {
      s.dataDir = Path.of(dir);
    } else if (!backend.isEmpty() && !backend.equals("filesystem")) {
      s.ignored.add("storage.backend=" + backend + " (profiles stay in memory)");
    }
    flags.keySet().forEach(k -> s.ignored.add("-" + k));
    return s;
  }

  private static String pick(Map<String, String> flags, String flag, Map<String, String> file, String key, String dflt) {
    String v = flags.remove(flag);
    return v != null ? v : file.getOrDefault(key, dflt);
  }

  /** Block-style YAML maps of scalars as dotted keys ("storage.filesystem.dir"); lists are skipped. */
  static Map<String, String> flatten(String yaml) {
    Map<String, String> out = new LinkedHashMap<>();
    List<int[]> indents = new ArrayList<>(); // {indent} per open map level
    List<String> path = new ArrayList<>();
    for (String raw : yaml.split("\n")) {
      String line = raw.replaceFirst("\\s+#.*$", "");
      if (line.isBlank() || line.trim().startsWith("#") || line.trim().startsWith("-")) {
        continue;
      }
      int indent = line.length() - line.stripLeading().length();
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      while (!indents.isEmpty() && indents.get(indents.size() - 1)[0] >= indent) {
        indents.remove(indents.size() - 1);
        path.remove(path.size() - 1);
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (value.isEmpty()) {
        indents.add(new int[] {indent});
        path.add(key);
      } else {
        String full = path.isEmpty() ? key : String.join(".", path) + "." + key;
        out.put(full, unquote(value));
      }
    }
    return out;
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }
}
