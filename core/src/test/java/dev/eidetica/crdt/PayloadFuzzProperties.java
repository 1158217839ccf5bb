package dev.eidetica.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Hostile input: whatever bytes arrive, decoding fails only with {@link DocFormatException}, and
 * whatever it accepts still joins as a semilattice.
 */
class PayloadFuzzProperties {
  private static final List<Version> FEW_VERSIONS =
      List.of(Fixtures.version(1, "a"), Fixtures.version(1, "b"), Fixtures.version(2, "a"));

  /** Returns whether the payload was accepted; checks the doc it produces if so. */
  private static boolean checkPayload(byte[] payload) {
    try {
      Doc.validateDelta(payload);
    } catch (DocFormatException rejected) {
      assertThatThrownBy(() -> Doc.empty().applyDelta(payload, FEW_VERSIONS.get(0)))
          .isInstanceOf(DocFormatException.class);
      return false;
    }
    Doc doc = Doc.empty();
    doc.applyDelta(payload, FEW_VERSIONS.get(0));
    Doc once = doc.copy();
    doc.applyDelta(payload, FEW_VERSIONS.get(0));
    assertThat(doc).isEqualTo(once);
    assertThat(Doc.fromSnapshot(doc.toSnapshot())).isEqualTo(doc);
    assertThat(doc.root()).isNotNull();
    return true;
  }

  private static void checkSnapshot(byte[] snapshot) {
    try {
      Doc doc = Doc.fromSnapshot(snapshot);
      assertThat(Doc.fromSnapshot(doc.toSnapshot())).isEqualTo(doc);
      assertThat(doc.root()).isNotNull();
    } catch (DocFormatException rejected) {
      // the only acceptable failure
    }
  }

  @Property(tries = 500)
  void randomBytesFailOnlyAsFormatErrors(@ForAll @Size(max = 200) byte[] bytes) {
    checkPayload(bytes);
    checkSnapshot(bytes);
  }

  @Property(tries = 1000)
  void randomPayloadShapedJsonFailsOnlyAsFormatErrors(@ForAll long seed) {
    Random random = new Random(seed);
    boolean accepted = checkPayload(Fixtures.utf8(RandomJson.payload(random)));
    Statistics.label("accepted").collect(accepted);
  }

  @Provide
  Arbitrary<List<Histories.Txn>> histories() {
    return Histories.histories();
  }

  @Property(tries = 300)
  void mutatedPayloadsAndSnapshotsFailOnlyAsFormatErrors(
      @ForAll("histories") List<Histories.Txn> history, @ForAll long seed) {
    Random random = new Random(seed);
    List<Histories.Entry> entries = Histories.run(history);
    for (Histories.Entry entry : entries) {
      checkPayload(RandomJson.mutate(entry.payload(), random));
    }
    checkSnapshot(RandomJson.mutate(entries.getLast().state().toSnapshot(), random));
  }

  @Property(tries = 500)
  void acceptedHostilePayloadsStillConvergeInAnyOrder(@ForAll long seed) {
    Random random = new Random(seed);
    List<byte[]> payloads = new ArrayList<>();
    List<Version> versions = new ArrayList<>();
    while (payloads.size() < 4) {
      byte[] payload = Fixtures.utf8(RandomJson.payload(random));
      if (checkPayload(payload)) {
        payloads.add(payload);
        versions.add(FEW_VERSIONS.get(random.nextInt(FEW_VERSIONS.size())));
      }
    }
    Doc first = applyInRandomOrder(payloads, versions, random);
    Doc second = applyInRandomOrder(payloads, versions, random);

    assertThat(second).isEqualTo(first);
    assertThat(second.root()).isEqualTo(first.root());
    Doc twice = first.copy();
    twice.join(second);
    assertThat(twice).isEqualTo(first);
  }

  private static Doc applyInRandomOrder(List<byte[]> payloads, List<Version> versions, Random r) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < payloads.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, r);
    Doc doc = Doc.empty();
    for (int i : order) {
      doc.applyDelta(payloads.get(i), versions.get(i));
    }
    return doc;
  }
}
