package dev.eidetica.crdt;

import static dev.eidetica.crdt.Fixtures.path;
import static dev.eidetica.crdt.Fixtures.payload;
import static dev.eidetica.crdt.Fixtures.utf8;
import static dev.eidetica.crdt.Fixtures.v;
import static dev.eidetica.crdt.Fixtures.val;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.entry.EntryId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cases where the order of joins once mattered, and the guard against "future" element IDs. */
class DocJoinOrderTest {
  private static Version ver(long height, int firstByte) {
    byte[] id = new byte[32];
    id[0] = (byte) firstByte;
    return new Version(height, EntryId.of(id));
  }

  @Test
  void pruningAReplacedListElementDoesNotLeaveAStaleKindBehind() {
    Version m = ver(1, 0x05);
    Version a = ver(1, 0x10);
    Version q = ver(2, 0x20);
    Version r = ver(2, 0x30);
    Version p = ver(2, 0x40);
    byte[] pm = payload(Doc.empty(), d -> d.set(path("x"), val(Map.of())));
    Doc afterA = Doc.empty();
    byte[] pa = payload(afterA, d -> d.set(path("x.b.c"), val(List.of("x"))));
    afterA.applyDelta(pa, a);
    byte[] pq = payload(afterA, d -> d.set(path("x.b.c"), val(List.of())));
    byte[] pp = payload(afterA, d -> d.setAt(path("x.b.c"), 0, val("y")));
    byte[] pr = payload(Doc.empty(), d -> d.append(path("x.b"), val("z")));

    Doc one = Doc.empty();
    one.applyDelta(pm, m);
    one.applyDelta(pa, a);
    one.applyDelta(pp, p);
    one.applyDelta(pq, q);
    one.applyDelta(pr, r);
    Doc two = Doc.empty();
    two.applyDelta(pa, a);
    two.applyDelta(pp, p);
    two.applyDelta(pq, q);
    two.applyDelta(pr, r);
    two.applyDelta(pm, m);

    assertThat(two).isEqualTo(one);
    assertThat(two.get(path("x.b"))).isEqualTo(one.get(path("x.b")));
    assertThat(one.root()).isEqualTo(Doc.fromSnapshot(one.toSnapshot()).root());
  }

  @Test
  void anEntryMayNotNameAnElementFromItsOwnHeightOrAbove() {
    String future = "9000000000000000000." + "ab".repeat(32) + ".0";
    byte[] hostile = utf8("{\"k\":{\"e\":[{\"id\":\"" + future + "\",\"o\":\"^\",\"v\":\"x\"}]}}");
    assertThatThrownBy(() -> Doc.validateDelta(hostile, v(1)))
        .isInstanceOf(DocFormatException.class)
        .hasMessageContaining("not older");
    String sameHeight = "1." + "ab".repeat(32) + ".0";
    byte[] level = utf8("{\"k\":{\"e\":[{\"id\":\"" + sameHeight + "\",\"v\":\"x\"}]}}");
    assertThatThrownBy(() -> Doc.validateDelta(level, v(1))).isInstanceOf(DocFormatException.class);
    Doc.validateDelta(level, v(2));
  }

  @Test
  void anOriginFromTheFutureIsRefusedToo() {
    String future = "5." + "cd".repeat(32) + ".1";
    byte[] hostile = utf8("{\"k\":{\"e\":[{\"id\":\"#0\",\"o\":\"" + future + "\",\"v\":1}]}}");
    assertThatThrownBy(() -> Doc.validateDelta(hostile, v(3)))
        .isInstanceOf(DocFormatException.class);
  }
}
