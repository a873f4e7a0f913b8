// HTTP entry point of the checkout demo: /healthz, /hash (CPU + allocation) and /reserve (lock contention).
package com.shop.checkout;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public final class CheckoutService {
  private static final int MAX_N = 100_000;

  private final Inventory inventory = new Inventory();

  public static void main(String[] args) throws IOException {
    String host = envOr("BIND_ADDRESS", "0.0.0.0");
    int port = Integer.parseInt(envOr("PORT", "8080"));
    new CheckoutService().start(host, port);
  }

  private void start(String host, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    server.setExecutor(pool);
    server.createContext("/healthz", ex -> reply(ex, 200, "ok\n"));
    server.createContext("/hash", this::hash);
    server.createContext("/reserve", this::reserve);
    server.start();
    System.out.println("checkout listening on " + host + ":" + server.getAddress().getPort());
  }

  private void hash(HttpExchange ex) throws IOException {
    int n = intParam(ex, "n", 500);
    String digest = BatchProcessor.processBatch(n);
    reply(ex, 200, digest + "\n");
  }

  private void reserve(HttpExchange ex) throws IOException {
    int n = intParam(ex, "n", 20);
    long left = inventory.reserveConcurrently(n);
    reply(ex, 200, "stock " + left + "\n");
  }

  private static int intParam(HttpExchange ex, String name, int fallback) {
    String query = ex.getRequestURI().getRawQuery();
    if (query == null) {
      return fallback;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        try {
          int v = Integer.parseInt(pair.substring(eq + 1));
          return Math.max(1, Math.min(v, MAX_N));
        } catch (NumberFormatException e) {
          return fallback;
        }
      }
    }
    return fallback;
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? fallback : v;
  }
}
