package dev.eidetica.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random sequences of local state writes and scans give both backends exactly what a sorted map
 * gives. Keys come from a small alphabet that mixes ASCII, a character past U+E000, one outside the
 * Basic Multilingual Plane (where code point order and UTF-16 order disagree) and the separator, so
 * prefixes often share keys and the range bounds of the SQLite backend are exercised.
 */
class LocalStateProperties {
  /** The promised order, computed independently of the code under test: UTF-8 bytes, unsigned. */
  private static final Comparator<String> UTF8_ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

  private static final String[] ALPHABET = {"a", "b", "/", "\u00e9", "\uE000", "\uD83D\uDE00"};

  @Property(tries = 100)
  void bothBackendsAgreeWithASortedMapModel(@ForAll long seed) throws IOException {
    Random random = new Random(seed);
    TreeMap<String, String> model = new TreeMap<>(UTF8_ORDER);
    Path dir = Files.createTempDirectory("eidetica-local-state-property");
    try (Backend memory = new InMemoryBackend();
        Backend sqlite = SqliteBackend.open(dir.resolve("store.db"), SqliteOptions.defaults())) {
      for (int step = 0; step < 60; step++) {
        List<LocalWrite> batch = new ArrayList<>();
        int expectedDeleted = 0;
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
          switch (random.nextInt(4)) {
            case 0, 1 -> {
              String key = text(random, 1);
              String value = "v" + random.nextInt(100);
              batch.add(new LocalWrite.Put(key, value.getBytes(StandardCharsets.UTF_8)));
              model.put(key, value);
            }
            case 2 -> {
              String key = text(random, 1);
              batch.add(new LocalWrite.Delete(key));
              expectedDeleted += model.remove(key) == null ? 0 : 1;
            }
            default -> {
              String prefix = text(random, 0);
              batch.add(new LocalWrite.DeletePrefix(prefix));
              expectedDeleted += removePrefix(model, prefix);
            }
          }
        }
        for (Backend backend : List.of(memory, sqlite)) {
          assertThat(backend.localWrite(batch))
              .as("deleted by %s", batch)
              .isEqualTo(expectedDeleted);
        }
        String prefix = text(random, 0);
        for (Backend backend : List.of(memory, sqlite)) {
          assertThat(strings(backend.localScan(prefix)))
              .as("scan of \"%s\"", prefix)
              .containsExactlyEntriesOf(expectedScan(model, prefix));
          assertThat(strings(backend.localScan(""))).containsExactlyEntriesOf(model);
          assertThat(backend.localScan("").keySet()).containsExactlyElementsOf(model.keySet());
        }
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static String text(Random random, int minLength) {
    StringBuilder b = new StringBuilder();
    int length = minLength + random.nextInt(4);
    for (int i = 0; i < length; i++) {
      b.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    return b.toString();
  }

  private static int removePrefix(TreeMap<String, String> model, String prefix) {
    int removed = 0;
    Iterator<String> it = model.keySet().iterator();
    while (it.hasNext()) {
      if (it.next().startsWith(prefix)) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  /** The model's keys with the prefix, found by filtering everything (not by a range). */
  private static Map<String, String> expectedScan(TreeMap<String, String> model, String prefix) {
    TreeMap<String, String> found = new TreeMap<>(UTF8_ORDER);
    model.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            found.put(k, v);
          }
        });
    return found;
  }

  /** The scan's entries in the order the backend listed them. */
  private static Map<String, String> strings(SortedMap<String, byte[]> map) {
    Map<String, String> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
    return out;
  }
}
