// Parses and matches Prometheus-style label selectors such as {service_name="checkout", pod=~"c-.*"}.
package dev.fleetscope.pyroscope;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

final class Selector {
  private record Matcher(String name, String op, String value, Pattern re) {
    boolean matches(Map<String, String> labels) {
      String v = labels.getOrDefault(name, "");
      return switch (op) {
        case "=" -> v.equals(value);
        case "!=" -> !v.equals(value);
        case "=~" -> re.matcher(v).matches();
        case "!~" -> !re.matcher(v).matches();
        default -> false;
      };
    }
  }

  private final List<Matcher> matchers;

  private Selector(List<Matcher> matchers) {
    this.matchers = matchers;
  }

  static Selector parse(String text) {
    List<Matcher> out = new ArrayList<>();
    String t = text == null ? "" : text.trim();
    if (t.isEmpty() || t.equals("{}")) {
      return new Selector(out);
    }
    if (!t.startsWith("{") || !t.endsWith("}")) {
      throw new IllegalArgumentException("label selector must be enclosed in braces: " + text);
    }
    String body = t.substring(1, t.length() - 1);
    int i = 0;
    while (i < body.length()) {
      while (i < body.length() && (body.charAt(i) == ',' || Character.isWhitespace(body.charAt(i)))) {
        i++;
      }
      if (i >= body.length()) {
        break;
      }
      int nameStart = i;
      while (i < body.length() && "=!~ ".indexOf(body.charAt(i)) < 0) {
        i++;
      }
      String name = body.substring(nameStart, i).trim();
      while (i < body.length() && body.charAt(i) == ' ') {
        i++;
      }
      String op;
      if (body.startsWith("=~", i) || body.startsWith("!=", i) || body.startsWith("!~", i)) {
        op = body.substring(i, i + 2);
        i += 2;
      } else if (body.startsWith("=", i)) {
        op = "=";
        i += 1;
      } else {
        throw new IllegalArgumentException("bad operator in label selector: " + text);
      }
      while (i < body.length() && body.charAt(i) == ' ') {
        i++;
      }
      if (i >= body.length() || body.charAt(i) != '"') {
        throw new IllegalArgumentException("label value must be quoted: " + text);
      }
      i++;
      StringBuilder v = new StringBuilder();
      while (i < body.length() && body.charAt(i) != '"') {
        char c = body.charAt(i++);
        if (c == '\\' && i < body.length()) {
          c = body.charAt(i++);
        }
        v.append(c);
      }
      if (i >= body.length()) {
        throw new IllegalArgumentException("unterminated label value: " + text);
      }
      i++;
      if (name.isEmpty()) {
        throw new IllegalArgumentException("empty label name: " + text);
      }
      String value = v.toString();
      Pattern re = op.endsWith("~") ? Pattern.compile(value) : null;
      out.add(new Matcher(name, op, value, re));
    }
    return new Selector(out);
  }

  boolean matches(Map<String, String> labels) {
    for (Matcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }
}
