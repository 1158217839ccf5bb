package dev.eidetica.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.crypto.SigningKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryTest {
  private final Entry root = TestEntries.root();

  @Test
  void parentOrderAndRepeatsDoNotChangeTheId() {
    Entry a = TestEntries.child(root);
    Entry b = TestEntries.sibling(root);
    Entry one =
        Entry.builder(root.id())
            .parent(a.id())
            .parent(b.id())
            .height(2)
            .store("s", List.of(b.id(), a.id()), TestEntries.utf8("p"))
            .store("r", List.of(), TestEntries.utf8("q"))
            .sign(TestEntries.key(1));
    Entry two =
        Entry.builder(root.id())
            .parents(List.of(b.id(), a.id(), b.id()))
            .height(2)
            .store("r", List.of(), TestEntries.utf8("q"))
            .store("s", List.of(a.id(), a.id(), b.id()), TestEntries.utf8("p"))
            .sign(TestEntries.key(1));
    assertThat(one.id()).isEqualTo(two.id());
    assertThat(one.parents()).isSorted();
    assertThat(one.stores()).extracting(StoreNode::name).containsExactly("r", "s");
  }

  @Test
  void decodingTheEncodingGivesTheSameEntry() {
    Entry child = TestEntries.child(root);
    Entry decoded = Entry.decode(child.encoded());
    assertThat(decoded.id()).isEqualTo(child.id());
    assertThat(decoded.database()).isEqualTo(root.id());
    assertThat(decoded.parents()).containsExactly(root.id());
    assertThat(decoded.store("data").orElseThrow().payload()).isEqualTo(TestEntries.utf8("hello"));
    assertThat(decoded.metadata()).isEqualTo(TestEntries.utf8("m"));
    assertThat(decoded.signer().key()).isEqualTo(TestEntries.key(2).publicKey());
  }

  @Test
  void aRootBelongsToItsOwnDatabase() {
    assertThat(root.isRoot()).isTrue();
    assertThat(root.database()).isEqualTo(root.id());
    assertThat(root.height()).isZero();
  }

  @Test
  void theIdCoversTheSignature() {
    Entry child = TestEntries.child(root);
    byte[] bytes = child.encoded();
    bytes[bytes.length - 1] ^= 1;
    Entry tampered = Entry.decode(bytes);
    assertThat(tampered.id()).isNotEqualTo(child.id());
    assertThat(tampered.signatureValid()).isFalse();
  }

  @Test
  void aTamperedPayloadFailsSignatureCheck() {
    Entry child = TestEntries.child(root);
    byte[] bytes = child.encoded();
    int at = indexOf(bytes, TestEntries.utf8("hello"));
    bytes[at] = 'j';
    Entry tampered = Entry.decode(bytes);
    assertThat(tampered.signatureValid()).isFalse();
  }

  @Test
  void anAllZeroSignatureIsInvalid() {
    Entry child = TestEntries.child(root);
    byte[] bytes = child.encoded();
    Arrays.fill(bytes, bytes.length - 64, bytes.length, (byte) 0);
    assertThat(Entry.decode(bytes).signatureValid()).isFalse();
  }

  @Test
  void unsortedParentsAreRejectedAsNonCanonical() {
    Entry a = TestEntries.child(root);
    Entry b = TestEntries.sibling(root);
    Entry merge = TestEntries.merge(root, a, b);
    byte[] bytes = merge.encoded();
    // Parents start after version, kind, database ID, height and the parent count.
    int first = 1 + 1 + 32 + 8 + 4;
    byte[] swapped = bytes.clone();
    System.arraycopy(bytes, first, swapped, first + 32, 32);
    System.arraycopy(bytes, first + 32, swapped, first, 32);
    assertThatThrownBy(() -> Entry.decode(swapped))
        .isInstanceOf(EntryFormatException.class)
        .hasMessageContaining("ascending");
  }

  @Test
  void repeatedParentsAreRejected() {
    Entry a = TestEntries.child(root);
    Entry b = TestEntries.sibling(root);
    byte[] bytes = TestEntries.merge(root, a, b).encoded();
    int first = 1 + 1 + 32 + 8 + 4;
    System.arraycopy(bytes, first, bytes, first + 32, 32);
    assertThatThrownBy(() -> Entry.decode(bytes)).isInstanceOf(EntryFormatException.class);
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] bytes = Arrays.copyOf(root.encoded(), root.encodedLength() + 1);
    assertThatThrownBy(() -> Entry.decode(bytes))
        .isInstanceOf(EntryFormatException.class)
        .hasMessageContaining("unexpected bytes");
  }

  @Test
  void everyTruncationIsRejected() {
    byte[] bytes = TestEntries.child(root).encoded();
    for (int n = 0; n < bytes.length; n++) {
      byte[] prefix = Arrays.copyOf(bytes, n);
      assertThatThrownBy(() -> Entry.decode(prefix)).isInstanceOf(EntryFormatException.class);
    }
  }

  @Test
  void anUnknownFormatVersionIsRejected() {
    byte[] bytes = root.encoded();
    bytes[0] = 2;
    assertThatThrownBy(() -> Entry.decode(bytes))
        .isInstanceOf(EntryFormatException.class)
        .hasMessageContaining("format version 2");
  }

  @Test
  void reservedStoreNamesAreRejected() {
    assertThatThrownBy(
            () ->
                Entry.builder(root.id())
                    .parent(root.id())
                    .height(1)
                    .store("_secret", List.of(), new byte[0])
                    .sign(TestEntries.key(1)))
        .isInstanceOf(EntryFormatException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void onlyARootMayWriteTheRootStore() {
    assertThatThrownBy(
            () ->
                Entry.builder(root.id())
                    .parent(root.id())
                    .height(1)
                    .store(Entry.ROOT_STORE, List.of(), new byte[0])
                    .sign(TestEntries.key(1)))
        .isInstanceOf(EntryFormatException.class)
        .hasMessageContaining("_root");
  }

  @Test
  void aRootWithoutSettingsIsRejected() {
    assertThatThrownBy(
            () ->
                Entry.rootBuilder()
                    .store(Entry.ROOT_STORE, List.of(), new byte[0])
                    .sign(TestEntries.key(1)))
        .isInstanceOf(EntryFormatException.class);
  }

  @Test
  void aNonRootEntryNeedsParents() {
    assertThatThrownBy(
            () ->
                Entry.builder(root.id())
                    .height(1)
                    .store("data", List.of(), new byte[0])
                    .sign(TestEntries.key(1)))
        .isInstanceOf(EntryFormatException.class)
        .hasMessageContaining("at least one parent");
  }

  @Test
  void aParentCountOverTheLimitIsRejectedBeforeAllocating() {
    byte[] bytes = TestEntries.child(root).encoded();
    int countAt = 1 + 1 + 32 + 8;
    ByteBuffer.wrap(bytes, countAt, 4).putInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> Entry.decode(bytes))
        .isInstanceOf(EntryFormatException.class)
        .hasMessageContaining("over the limit");
  }

  @Test
  void theSameContentAndKeyGiveTheSameId() {
    assertThat(TestEntries.root().id()).isEqualTo(TestEntries.root().id());
    SigningKey other = TestEntries.key(9);
    Entry differentSigner =
        Entry.rootBuilder()
            .store(Entry.ROOT_STORE, List.of(), TestEntries.utf8("root"))
            .store(Entry.SETTINGS_STORE, List.of(), TestEntries.utf8("settings"))
            .sign(other);
    assertThat(differentSigner.id()).isNotEqualTo(root.id());
  }

  @Test
  void delegatedSignersRoundTrip() {
    SigningKey key = TestEntries.key(3);
    SigKey.Delegated signer =
        new SigKey.Delegated(
            List.of(new SigKey.DelegationStep(root.id(), List.of(root.id()))), key.publicKey());
    Entry e =
        Entry.builder(root.id())
            .parent(root.id())
            .height(1)
            .store("data", List.of(), new byte[0])
            .sign(signer, key);
    Entry decoded = Entry.decode(e.encoded());
    assertThat(decoded.signer()).isEqualTo(signer);
    assertThat(decoded.signatureValid()).isTrue();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    List<Integer> hits = new ArrayList<>();
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      hits.add(i);
    }
    assertThat(hits).hasSize(1);
    return hits.get(0);
  }
}
