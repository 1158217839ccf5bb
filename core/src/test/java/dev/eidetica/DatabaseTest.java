package dev.eidetica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eidetica.crdt.DocPathException;
import dev.eidetica.crdt.DocValue;
import dev.eidetica.entry.Entry;
import dev.eidetica.entry.EntryId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DatabaseTest {
  private final Instance instance = Instance.inMemory();

  @AfterEach
  void close() {
    instance.close();
  }

  @Test
  void aCommittedValueIsReadBack() {
    Database db = instance.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set("greeting", "hello").set("count", 3);
      tx.commit();
    }
    assertThat(db.docStore("data").getString("greeting")).contains("hello");
    assertThat(db.docStore("data").getLong("count")).hasValue(3);
    assertThat(db.name()).isEqualTo("notes");
  }

  @Test
  void aTransactionReadsItsOwnWritesAndCloseDiscardsThem() {
    Database db = instance.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      DocStore data = tx.docStore("data");
      data.set("k", "v");
      assertThat(data.getString("k")).contains("v");
    }
    assertThat(db.docStore("data").get("k")).isEmpty();
  }

  @Test
  void oneCommitIsOneEntryTouchingEveryStoreItWrote() {
    Database db = instance.createDatabase("notes");
    EntryId id;
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("a").set("x", 1);
      tx.docStore("b").set("y", 2);
      tx.docStore("c").get("unused");
      id = tx.commit();
    }
    Entry e = db.entry(id).orElseThrow();
    assertThat(e.stores()).extracting(s -> s.name()).containsExactly("a", "b");
    assertThat(db.tips()).containsExactly(id);
  }

  @Test
  void nestedPathsAndListsWork() {
    Database db = instance.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      DocStore d = tx.docStore("data");
      d.set("user.name", "ada").set("user.langs", List.of("en"));
      d.append("user.langs", "fr");
      d.insert("user.langs", 0, "de");
      tx.commit();
    }
    assertThat(db.docStore("data").toMap())
        .isEqualTo(Map.of("user", Map.of("name", "ada", "langs", List.of("de", "en", "fr"))));
  }

  @Test
  void writingThroughAScalarIsATypedError() {
    Database db = instance.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set("a", "scalar");
      tx.commit();
    }
    try (Transaction tx = db.newTransaction()) {
      assertThatThrownBy(() -> tx.docStore("data").set("a.b", 1))
          .isInstanceOf(DocPathException.class);
    }
  }

  @Test
  void aReadOfTheWrongTypeIsATypedError() {
    Database db = instance.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set("n", 1);
      tx.commit();
    }
    assertThatThrownBy(() -> db.docStore("data").getString("n"))
        .isInstanceOf(DocPathException.class)
        .hasMessageContaining("an integer");
  }

  @Test
  void deletedValuesAreGone() {
    Database db = instance.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("data").set("k", "v");
      tx.commit();
    }
    try (Transaction tx = db.newTransaction()) {
      assertThat(tx.docStore("data").delete("k")).isTrue();
      assertThat(tx.docStore("data").get("k")).isEmpty();
      tx.commit();
    }
    assertThat(db.docStore("data").get("k")).isEmpty();
  }

  @Test
  void aCommittedTransactionCannotBeReused() {
    Database db = instance.createDatabase("notes");
    Transaction tx = db.newTransaction();
    tx.docStore("data").set("k", "v");
    tx.commit();
    assertThatThrownBy(tx::commit).isInstanceOf(TransactionStateException.class);
    assertThatThrownBy(() -> tx.docStore("data")).isInstanceOf(TransactionStateException.class);
  }

  @Test
  void reservedStoreNamesAreRefused() {
    Database db = instance.createDatabase("notes");
    try (Transaction tx = db.newTransaction()) {
      assertThatThrownBy(() -> tx.docStore("_settings"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("reserved");
    }
  }

  @Test
  void historyIsNewestFirst() {
    Database db = instance.createDatabase("notes");
    EntryId first;
    EntryId second;
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("d").set("k", 1);
      first = tx.commit();
    }
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("d").set("k", 2);
      second = tx.commit();
    }
    assertThat(db.history(10)).extracting(Entry::id).containsExactly(second, first, db.id());
    assertThat(db.entry(second).orElseThrow().parents()).containsExactly(first);
  }

  @Test
  void databasesAreListedAndResolvedByNameOrId() {
    Database a = instance.createDatabase("alpha");
    Database b = instance.createDatabase("beta");
    assertThat(instance.databases())
        .containsExactly(new DatabaseInfo(a.id(), "alpha"), new DatabaseInfo(b.id(), "beta"));
    assertThat(instance.resolve("beta").id()).isEqualTo(b.id());
    assertThat(instance.resolve(a.id().toHex()).id()).isEqualTo(a.id());
    assertThatThrownBy(() -> instance.resolve("gamma"))
        .isInstanceOf(DatabaseNotFoundException.class);
  }

  @Test
  void aDuplicatedNameMustBeResolvedById() {
    instance.createDatabase("same");
    instance.createDatabase("same");
    assertThatThrownBy(() -> instance.resolve("same"))
        .isInstanceOf(DatabaseNotFoundException.class)
        .hasMessageContaining("by its ID");
  }

  @Test
  void tablesInsertGetUpdateDeleteAndQuery() {
    Database db = instance.createDatabase("people");
    String ada;
    String alan;
    try (Transaction tx = db.newTransaction()) {
      Table<Person> people = tx.table("people", Person.class);
      ada = people.insert(new Person("Ada", 36));
      alan = people.insert(new Person("Alan", 41));
      assertThat(people.get(ada)).contains(new Person("Ada", 36));
      tx.commit();
    }
    try (Transaction tx = db.newTransaction()) {
      Table<Person> people = tx.table("people", Person.class);
      people.update(ada, new Person("Ada", 37));
      assertThat(people.delete(alan)).isTrue();
      assertThatThrownBy(() -> people.update(alan, new Person("x", 1)))
          .isInstanceOf(NotFoundException.class);
      tx.commit();
    }
    try (Transaction tx = db.newTransaction()) {
      Table<Person> people = tx.table("people", Person.class);
      assertThat(people.all()).containsExactly(new Table.Row<>(ada, new Person("Ada", 37)));
      assertThat(people.query(p -> p.age() > 40)).isEmpty();
    }
    assertThat(ada).hasSize(32).matches("[0-9a-f]+");
  }

  @Test
  void docValuesOfEveryKindRoundTrip() {
    Database db = instance.createDatabase("kinds");
    try (Transaction tx = db.newTransaction()) {
      tx.docStore("d")
          .set("s", "text")
          .set("i", Long.MAX_VALUE)
          .set("f", 1.5)
          .set("b", true)
          .set("n", null)
          .set("m", Map.of("x", 1))
          .set("l", List.of(1, "two"));
      tx.commit();
    }
    DocView d = db.docStore("d");
    assertThat(d.get("s")).contains(new DocValue.Str("text"));
    assertThat(d.get("i")).contains(new DocValue.Int(Long.MAX_VALUE));
    assertThat(d.get("f")).contains(new DocValue.Dbl(1.5));
    assertThat(d.get("b")).contains(new DocValue.Bool(true));
    assertThat(d.get("n")).contains(new DocValue.Null());
    assertThat(d.get("m.x")).contains(new DocValue.Int(1));
    assertThat(d.get("l.1")).contains(new DocValue.Str("two"));
  }

  /** A row type for table tests. */
  record Person(String name, int age) {}
}
