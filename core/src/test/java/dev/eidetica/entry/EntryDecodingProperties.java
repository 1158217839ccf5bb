package dev.eidetica.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class EntryDecodingProperties {
  private static final byte[] VALID = TestEntries.child(TestEntries.root()).encoded();

  @Property(tries = 2000)
  void arbitraryBytesOnlyEverFailWithTheTypedError(@ForAll @Size(max = 400) byte[] bytes) {
    try {
      Entry.decode(bytes);
    } catch (EntryFormatException expected) {
      // the only acceptable failure
    }
  }

  @Property(tries = 2000)
  void aMutatedValidEntryEitherFailsToDecodeOrHasAnotherId(
      @ForAll("positions") int position, @ForAll("nonZero") byte flip) {
    byte[] bytes = VALID.clone();
    bytes[position] ^= flip;
    Entry original = Entry.decode(VALID);
    try {
      Entry mutated = Entry.decode(bytes);
      assertThat(mutated.id()).isNotEqualTo(original.id());
      assertThat(mutated.signatureValid()).isFalse();
    } catch (EntryFormatException expected) {
      assertThatThrownBy(() -> Entry.decode(bytes)).isInstanceOf(EntryFormatException.class);
    }
  }

  @Provide
  Arbitrary<Integer> positions() {
    return Arbitraries.integers().between(0, VALID.length - 1);
  }

  @Provide
  Arbitrary<Byte> nonZero() {
    return Arbitraries.bytes().filter(b -> b != 0);
  }
}
