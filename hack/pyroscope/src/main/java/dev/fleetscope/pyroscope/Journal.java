// Keeps every accepted ingest request under the storage directory and replays them at start-up.
package dev.fleetscope.pyroscope;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** One file per request: the tenant, the raw query string, then the (uncompressed) JFR bytes. */
final class Journal {
  interface Replay {
    void accept(String tenant, String rawQuery, byte[] jfr) throws IOException;
  }

  private final Path dir;
  private final AtomicLong seq = new AtomicLong();

  Journal(Path dir) throws IOException {
    this.dir = dir.resolve("standin-ingest");
    Files.createDirectories(this.dir);
    // Fail at start-up, not at the first profile, when the volume is not writable.
    Path probe = Files.createTempFile(this.dir, ".probe", "");
    Files.delete(probe);
  }

  Path dir() {
    return dir;
  }

  void append(String tenant, String rawQuery, byte[] jfr) throws IOException {
    byte[] head = (tenant + "\n" + (rawQuery == null ? "" : rawQuery) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length + jfr.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(jfr, 0, all, head.length, jfr.length);
    String name = String.format("%013d-%06d.ingest", System.currentTimeMillis(), seq.incrementAndGet());
    Path tmp = dir.resolve("." + name);
    Files.write(tmp, all);
    Files.move(tmp, dir.resolve(name));
  }

  int replay(Replay r) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".ingest")).sorted().toList();
    }
    for (Path f : files) {
      byte[] all = Files.readAllBytes(f);
      int nl1 = indexOf(all, 0);
      int nl2 = indexOf(all, nl1 + 1);
      if (nl1 < 0 || nl2 < 0) {
        throw new IOException(f + ": not a journal entry");
      }
      String tenant = new String(all, 0, nl1, StandardCharsets.UTF_8);
      String query = new String(all, nl1 + 1, nl2 - nl1 - 1, StandardCharsets.UTF_8);
      byte[] jfr = new byte[all.length - nl2 - 1];
      System.arraycopy(all, nl2 + 1, jfr, 0, jfr.length);
      r.accept(tenant, query, jfr);
    }
    return files.size();
  }

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
