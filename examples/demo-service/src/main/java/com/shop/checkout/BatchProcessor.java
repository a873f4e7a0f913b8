// The deliberate CPU hotspot: computeHash looks up a new SHA-256 MessageDigest on every call.
// CHECKOUT_HEX=format is the switch of the regression walkthrough: the "readable" rewrite of
// toHex that formats every byte with String.format, many times slower than the original.
package com.shop.checkout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

final class BatchProcessor {
  private static final boolean FORMAT_HEX = "format".equals(System.getenv("CHECKOUT_HEX"));

  private BatchProcessor() {}

  static String processBatch(int n) {
    List<String> hashes = new ArrayList<>(n);
    byte[] previous = new byte[0];
    for (int i = 0; i < n; i++) {
      // A fresh payload per item gives the allocation profile something to record.
      String payload = "order-" + i + ":" + toHex(previous) + ":" + "x".repeat(256);
      previous = computeHash(payload.getBytes(StandardCharsets.UTF_8));
      hashes.add(toHex(previous));
    }
    return hashes.isEmpty() ? "" : hashes.get(hashes.size() - 1);
  }

  // Known inefficiency: the digest instance should be created once and reused.
  static byte[] computeHash(byte[] data) {
    try {
      byte[] out = data;
      for (int round = 0; round < 16; round++) {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        out = md.digest(out);
      }
      return out;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String toHex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      if (FORMAT_HEX) {
        sb.append(String.format("%02x", b));
      } else {
        sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
    }
    return sb.toString();
  }
}
