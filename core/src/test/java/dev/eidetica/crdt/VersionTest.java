package dev.eidetica.crdt;

import static dev.eidetica.crdt.Fixtures.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VersionTest {
  @Test
  void ordersByHeightBeforeEntry() {
    Version low = version(1, "zzz");
    Version high = version(2, "aaa");
    assertThat(low).isLessThan(high);
  }

  @Test
  void ordersByEntryIdWithinOneHeight() {
    Version a = version(5, "a");
    Version b = version(5, "b");
    assertThat(a.compareTo(b)).isEqualTo(a.entry().compareTo(b.entry()));
  }

  @Test
  void stagedIsAboveEveryRealVersion() {
    Version highest = new Version(Long.MAX_VALUE - 1, Fixtures.entryId("x"));
    assertThat(Version.STAGED).isGreaterThan(highest);
    assertThat(Version.STAGED.isReal()).isFalse();
    assertThat(highest.isReal()).isTrue();
  }

  @Test
  void rejectsNegativeHeight() {
    assertThatThrownBy(() -> new Version(-1, Fixtures.entryId("x")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void elementIdsOrderByVersionThenSeq() {
    ElemId early = new ElemId(version(1, "a"), 9);
    ElemId late = new ElemId(version(2, "a"), 0);
    ElemId lateNext = new ElemId(version(2, "a"), 1);
    assertThat(early).isLessThan(late);
    assertThat(late).isLessThan(lateNext);
  }

  @Test
  void elementIdRejectsNegativeSeq() {
    assertThatThrownBy(() -> new ElemId(version(1, "a"), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
