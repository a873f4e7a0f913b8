// Pyroscope-compatible test server: the agent's /ingest endpoint and a subset of the Connect query API.
package dev.fleetscope.pyroscope;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

public final class Main {
  private static final String QUERIER = "/querier.v1.QuerierService/";
  private static final String ANONYMOUS = "anonymous";
  private static final long MAX_QUERY_LENGTH_MS = 24L * 60 * 60 * 1000;

  private final Store store = new Store();
  private final boolean multitenancy;
  private Journal journal;

  private Main(boolean multitenancy) {
    this.multitenancy = multitenancy;
  }

  /** Thrown to answer with a Connect error. */
  private static final class ApiError extends Exception {
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  public static void main(String[] args) throws IOException {
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("pyroscope-standin: " + e.getMessage());
      System.exit(2);
      return;
    }
    for (String ignored : settings.ignored) {
      System.err.println("pyroscope-standin: ignoring " + ignored);
    }
    Main m = new Main(settings.multitenancy);
    if (settings.dataDir != null) {
      m.journal = new Journal(settings.dataDir);
      int n = m.journal.replay(m::accept);
      System.err.println("pyroscope-standin: storing profiles under " + m.journal.dir() + " (" + n + " replayed)");
    }
    HttpServer server = HttpServer.create(new InetSocketAddress(settings.host, settings.port), 128);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", m::handle);
    server.start();
    System.err.println("pyroscope-standin: listening on " + settings.host + ":" + server.getAddress().getPort()
        + " multitenancy=" + settings.multitenancy);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    try {
      if (path.equals("/ready")) {
        send(ex, 200, "text/plain", "ready\n");
      } else if (path.equals("/ingest") && ex.getRequestMethod().equals("POST")) {
        ingest(ex);
      } else if (path.startsWith(QUERIER) && ex.getRequestMethod().equals("POST")) {
        query(ex, path.substring(QUERIER.length()));
      } else {
        throw new ApiError(404, "not_found", "no such endpoint: " + path);
      }
    } catch (ApiError e) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("code", e.code);
      body.put("message", e.getMessage());
      send(ex, e.status, "application/json", Json.write(body));
    } catch (RuntimeException e) {
      System.err.println("pyroscope-standin: " + path + ": " + e);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("code", "internal");
      body.put("message", String.valueOf(e.getMessage()));
      send(ex, 500, "application/json", Json.write(body));
    }
  }

  private String tenant(HttpExchange ex) throws ApiError {
    if (!multitenancy) {
      return ANONYMOUS;
    }
    String t = ex.getRequestHeaders().getFirst("X-Scope-OrgID");
    if (t == null || t.isBlank()) {
      throw new ApiError(401, "unauthenticated", "no org id");
    }
    return t.trim();
  }

  // ---- ingest ----

  private void ingest(HttpExchange ex) throws IOException, ApiError {
    String tenant = tenant(ex);
    String rawQuery = ex.getRequestURI().getRawQuery();
    String format = queryParams(rawQuery).getOrDefault("format", "");
    if (!format.equals("jfr")) {
      throw new ApiError(415, "unimplemented", "only format=jfr is supported, got '" + format + "'");
    }
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readAllBytes();
    }
    String ctype = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
    byte[] jfr = ctype.startsWith("multipart/form-data") ? multipartPart(body, ctype, "jfr") : body;
    if (jfr == null) {
      throw new ApiError(400, "invalid_argument", "multipart body has no 'jfr' part");
    }
    if (jfr.length > 2 && (jfr[0] & 0xff) == 0x1f && (jfr[1] & 0xff) == 0x8b) {
      try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(jfr))) {
        jfr = gz.readAllBytes();
      }
    }
    List<Store.Entry> entries;
    try {
      entries = entries(rawQuery, jfr);
    } catch (IOException e) {
      throw new ApiError(400, "invalid_argument", "cannot read JFR: " + e.getMessage());
    }
    // On disk before it can be queried: what a query has seen survives a restart.
    if (journal != null) {
      try {
        journal.append(tenant, rawQuery, jfr);
      } catch (IOException e) {
        throw new IllegalStateException("cannot store the profile under the data directory: " + e, e);
      }
    }
    entries.forEach(e -> store.add(tenant, e));
    send(ex, 200, "text/plain", "");
  }

  /** Replays one journalled ingest request into the store. */
  private void accept(String tenant, String rawQuery, byte[] jfr) throws IOException {
    entries(rawQuery, jfr).forEach(e -> store.add(tenant, e));
  }

  /** One ingest request's profiles, one entry per profile type. */
  private static List<Store.Entry> entries(String rawQuery, byte[] jfr) throws IOException {
    Map<String, String> q = queryParams(rawQuery);
    Map<String, String> labels = parseAppName(q.getOrDefault("name", ""));
    labels.put("pyroscope_spy", q.getOrDefault("spyName", "unknown"));
    long from = parseLong(q.get("from"), System.currentTimeMillis() / 1000);
    long until = parseLong(q.get("until"), from);
    long sampleRate = parseLong(q.get("sampleRate"), 100);
    JfrConverter.Result r = JfrConverter.convert(jfr, sampleRate);
    long timeMs = (from + until) / 2 * 1000;
    List<Store.Entry> out = new ArrayList<>();
    r.byType.forEach((typeId, stacks) -> {
      Map<String, String> l = new TreeMap<>(labels);
      l.put("__name__", typeId.substring(0, typeId.indexOf(':')));
      l.put("__profile_type__", typeId);
      out.add(new Store.Entry(l, typeId, timeMs, stacks));
    });
    return out;
  }

  /** name=app{k=v,...}: the application name becomes service_name unless a label sets it. */
  static Map<String, String> parseAppName(String name) {
    Map<String, String> labels = new TreeMap<>();
    int brace = name.indexOf('{');
    String app = brace < 0 ? name : name.substring(0, brace);
    if (brace >= 0 && name.endsWith("}")) {
      for (String pair : name.substring(brace + 1, name.length() - 1).split(",")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
      }
    }
    labels.putIfAbsent("service_name", app);
    return labels;
  }

  private static byte[] multipartPart(byte[] body, String ctype, String wanted) {
    int b = ctype.indexOf("boundary=");
    if (b < 0) {
      return null;
    }
    String boundary = ctype.substring(b + 9).replace("\"", "").split(";")[0].trim();
    byte[] delim = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    int pos = indexOf(body, delim, 0);
    while (pos >= 0) {
      int headStart = pos + delim.length + 2; // skip CRLF after the delimiter
      int headEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headStart);
      if (headEnd < 0) {
        return null;
      }
      String head = new String(body, headStart, headEnd - headStart, StandardCharsets.ISO_8859_1);
      int next = indexOf(body, delim, headEnd + 4);
      if (next < 0) {
        return null;
      }
      if (head.contains("name=\"" + wanted + "\"")) {
        int start = headEnd + 4;
        int end = next - 2; // CRLF before the next delimiter
        byte[] out = new byte[Math.max(0, end - start)];
        System.arraycopy(body, start, out, 0, out.length);
        return out;
      }
      pos = next;
    }
    return null;
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  // ---- query ----

  private void query(HttpExchange ex, String method) throws IOException, ApiError {
    String tenant = tenant(ex);
    Map<String, Object> req;
    try (InputStream in = ex.getRequestBody()) {
      Object parsed = Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      if (!(parsed instanceof Map)) {
        throw new ApiError(400, "invalid_argument", "request body must be a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) parsed;
      req = m;
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "invalid_argument", "bad JSON: " + e.getMessage());
    }
    long start = num(req, "start");
    long end = num(req, "end");
    // The real server refuses a range longer than its max_query_length (1d by default).
    if (end - start > MAX_QUERY_LENGTH_MS) {
      throw new ApiError(400, "invalid_argument", "the query time range exceeds the limit"
          + " (max_query_length, actual: " + (end - start) + "ms, limit: 1d)");
    }
    Map<String, Object> resp = new LinkedHashMap<>();
    try {
      switch (method) {
        case "ProfileTypes" -> {
          List<Object> types = new ArrayList<>();
          for (String id : store.profileTypes(tenant, start, end)) {
            String[] p = id.split(":");
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("ID", id);
            t.put("name", p[0]);
            t.put("sampleType", p[1]);
            t.put("sampleUnit", p[2]);
            t.put("periodType", p[3]);
            t.put("periodUnit", p[4]);
            types.add(t);
          }
          resp.put("profileTypes", types);
        }
        case "LabelNames" -> resp.put("names", store.labelNames(tenant, selectors(req), start, end));
        case "LabelValues" -> resp.put(
            "names", store.labelValues(tenant, str(req, "name"), selectors(req), start, end));
        case "SelectMergeStacktraces" -> {
          String typeId = requireType(req);
          Selector sel = Selector.parse(str(req, "labelSelector", "label_selector"));
          Map<List<String>, Long> stacks = store.merge(tenant, typeId, sel, start, end);
          resp.put("flamegraph", FlameGraph.build(stacks, num(req, "maxNodes", "max_nodes")));
        }
        case "SelectSeries" -> {
          String typeId = requireType(req);
          Selector sel = Selector.parse(str(req, "labelSelector", "label_selector"));
          List<String> groupBy = strings(req, "groupBy", "group_by");
          Object stepV = req.get("step");
          long stepMs = stepV instanceof Number n ? (long) (n.doubleValue() * 1000) : 0;
          List<Object> series = new ArrayList<>();
          store.series(tenant, typeId, sel, start, end, groupBy, stepMs).forEach((labels, pts) -> {
            List<Object> lp = new ArrayList<>();
            labels.forEach((k, v) -> lp.add(Map.of("name", k, "value", v)));
            List<Object> points = new ArrayList<>();
            pts.forEach((ts, v) -> {
              Map<String, Object> p = new LinkedHashMap<>();
              p.put("value", v.doubleValue());
              p.put("timestamp", String.valueOf(ts));
              points.add(p);
            });
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("labels", lp);
            s.put("points", points);
            series.add(s);
          });
          resp.put("series", series);
        }
        default -> throw new ApiError(404, "unimplemented", "method not supported: " + method);
      }
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "invalid_argument", e.getMessage());
    }
    send(ex, 200, "application/json", Json.write(resp));
  }

  private static String requireType(Map<String, Object> req) throws ApiError {
    String t = str(req, "profileTypeID", "profile_typeID");
    if (t.split(":").length != 5) {
      throw new ApiError(400, "invalid_argument", "profile type ID must have 5 parts: '" + t + "'");
    }
    return t;
  }

  private static List<Selector> selectors(Map<String, Object> req) {
    List<Selector> out = new ArrayList<>();
    for (String s : strings(req, "matchers")) {
      out.add(Selector.parse(s));
    }
    return out;
  }

  private static String str(Map<String, Object> req, String... keys) {
    for (String k : keys) {
      if (req.get(k) instanceof String s) {
        return s;
      }
    }
    return "";
  }

  private static List<String> strings(Map<String, Object> req, String... keys) {
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      if (req.get(k) instanceof List<?> l) {
        for (Object o : l) {
          out.add(String.valueOf(o));
        }
      }
    }
    return out;
  }

  // protojson sends int64 as strings and accepts numbers too.
  private static long num(Map<String, Object> req, String... keys) {
    for (String k : keys) {
      Object v = req.get(k);
      if (v instanceof Number n) {
        return n.longValue();
      }
      if (v instanceof String s && !s.isEmpty()) {
        return Long.parseLong(s);
      }
    }
    return 0;
  }

  private static long parseLong(String s, long fallback) {
    try {
      return s == null ? fallback : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static Map<String, String> queryParams(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void send(HttpExchange ex, int status, String ctype, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", ctype);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
