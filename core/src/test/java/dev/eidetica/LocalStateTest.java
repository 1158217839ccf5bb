package dev.eidetica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.backend.LocalStateLimitException;
import dev.eidetica.entry.EntryId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStateTest {
  @TempDir Path dir;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void valuesSurviveReopeningTheInstance() {
    try (Instance instance = Instance.open(dir)) {
      instance.localState().put("sync/peer/a", bytes("alice"));
      instance.localState().putAll(Map.of("sync/peer/b", bytes("bob"), "sync/x", bytes("x")));
      instance.localState().delete("sync/x");
    }
    try (Instance instance = Instance.open(dir)) {
      assertThat(instance.localState().scan("sync/").keySet())
          .containsExactly("sync/peer/a", "sync/peer/b");
      assertThat(instance.localState().get("sync/peer/b").orElseThrow()).isEqualTo(bytes("bob"));
    }
  }

  @Test
  void anInMemoryInstanceKeepsItsLocalStateWhileOpen() {
    try (Instance instance = Instance.inMemory()) {
      instance.localState().put("k", bytes("v"));
      assertThat(instance.localState().get("k").orElseThrow()).isEqualTo(bytes("v"));
    }
  }

  @Test
  void writingLocalStateAddsNothingToAnyDatabase() {
    try (Instance instance = Instance.open(dir)) {
      Database db = instance.createDatabase("notes");
      List<EntryId> tips = db.tips();

      instance.localState().put("sync/cursor/x", bytes("v"));

      assertThat(db.tips()).isEqualTo(tips);
      assertThat(db.missingFrom(tips)).isEmpty();
      assertThat(instance.databases()).hasSize(1);
    }
  }

  @Test
  void aBatchAppliesItsChangesInOrderAllAtOnce() {
    try (Instance instance = Instance.inMemory()) {
      LocalState state = instance.localState();
      state.putAll(Map.of("h/1", bytes("1"), "h/2", bytes("2"), "keep", bytes("k")));

      LocalState.Batch batch = state.batch().deletePrefix("h/").put("h/3", bytes("3"));
      assertThat(batch.size()).isEqualTo(2);
      assertThat(batch.commit()).isEqualTo(2);

      assertThat(state.scan("").keySet()).containsExactly("h/3", "keep");
    }
  }

  @Test
  void aBatchRefusesAnInvalidKeyWhenItIsAdded() {
    try (Instance instance = Instance.inMemory()) {
      LocalState.Batch batch = instance.localState().batch().put("a", bytes("1"));

      assertThatThrownBy(() -> batch.put("x".repeat(LocalState.MAX_KEY_LENGTH + 1), bytes("v")))
          .isInstanceOf(LocalStateLimitException.class);
      assertThat(instance.localState().scan("")).isEmpty();
    }
  }

  @Test
  void everyCallFailsOnceTheInstanceIsClosed() {
    Instance instance = Instance.inMemory();
    LocalState state = instance.localState();
    LocalState.Batch batch = state.batch().put("k", bytes("v"));
    instance.close();

    List<Runnable> calls =
        List.of(
            instance::localState,
            () -> state.get("k"),
            () -> state.put("k", bytes("v")),
            () -> state.putAll(Map.of("k", bytes("v"))),
            () -> state.delete("k"),
            () -> state.deletePrefix("k"),
            () -> state.scan(""),
            batch::commit);
    for (Runnable call : calls) {
      assertThatThrownBy(call::run)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }
}
