package dev.eidetica.entry;

import dev.eidetica.crypto.Sha256;
import dev.eidetica.crypto.SigningKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable, signed node of a database's Merkle DAG.
 *
 * <p>An entry belongs to one database (named by its root entry's ID), lists its main-DAG parents,
 * carries its height (0 for the root, otherwise one more than its highest parent), and writes one
 * or more named stores, each with its own store parents and an opaque payload. Its {@link #id()} is
 * the SHA-256 of its canonical encoding including the signature; the signature covers the same
 * encoding without the signature, prefixed by a domain tag (see {@code docs/format.md}).
 *
 * <p>Every {@code Entry} instance is canonical: parents and store parents sorted and unique, stores
 * sorted by name and unique, all limits respected. Whether the signature verifies and whether the
 * signer may write are checked by validation, not here ({@link #signatureValid()} does the former).
 */
public final class Entry {
  /** Largest encoded entry accepted, in bytes. */
  public static final int MAX_ENCODED_BYTES = 16 * 1024 * 1024;

  /** Most main-DAG parents an entry may list. */
  public static final int MAX_PARENTS = 1024;

  /** Most stores one entry may write. */
  public static final int MAX_STORES = 256;

  /** Longest store name, in UTF-8 bytes. */
  public static final int MAX_STORE_NAME_BYTES = 255;

  /** Largest metadata block, in bytes. */
  public static final int MAX_METADATA_BYTES = 64 * 1024;

  /** Store written only by a database's root entry; holds its immutable identity. */
  public static final String ROOT_STORE = "_root";

  /** Store holding a database's settings: name, keys and permissions. */
  public static final String SETTINGS_STORE = "_settings";

  private final EntryId database; // null for a root entry
  private final long height;
  private final List<EntryId> parents;
  private final List<StoreNode> stores;
  private final byte[] metadata;
  private final SigKey signer;
  private final byte[] signature;
  private final byte[] encoded;

  private static final byte VALID = 1;
  private static final byte INVALID = 2;

  /** 0 until verified, then {@link #VALID} or {@link #INVALID}; a benign race recomputes it. */
  private volatile byte signatureState;

  private final EntryId id;

  Entry(
      EntryId database,
      long height,
      List<EntryId> parents,
      List<StoreNode> stores,
      byte[] metadata,
      SigKey signer,
      byte[] signature,
      byte[] encoded) {
    this.database = database;
    this.height = height;
    this.parents = parents;
    this.stores = stores;
    this.metadata = metadata;
    this.signer = signer;
    this.signature = signature;
    this.encoded = encoded;
    this.id = EntryId.wrap(Sha256.digest(encoded));
  }

  /** Starts a regular entry of database {@code database}. */
  public static Builder builder(EntryId database) {
    return new Builder(database);
  }

  /** Starts the root entry of a new database. */
  public static Builder rootBuilder() {
    return new Builder(null);
  }

  /**
   * Decodes and checks canonical bytes.
   *
   * @throws EntryFormatException if the bytes are not exactly the canonical encoding of an entry
   */
  public static Entry decode(byte[] bytes) {
    return EntryCodec.decode(bytes.clone());
  }

  /** This entry's ID: SHA-256 of {@link #encoded()}. */
  public EntryId id() {
    return id;
  }

  /** The database this entry belongs to; a root entry belongs to its own database. */
  public EntryId database() {
    return database == null ? id : database;
  }

  /** True for a database's root entry (no parents, height 0). */
  public boolean isRoot() {
    return database == null;
  }

  /** Longest-path distance from the database root; 0 for the root. */
  public long height() {
    return height;
  }

  /** Main-DAG parents, ascending. Empty only for a root entry. */
  public List<EntryId> parents() {
    return parents;
  }

  /** Stores written, ascending by name. */
  public List<StoreNode> stores() {
    return stores;
  }

  /** The store named {@code name}, if this entry wrote it. */
  public Optional<StoreNode> store(String name) {
    for (StoreNode s : stores) {
      if (s.name().equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** True when this entry wrote store {@code name}. */
  public boolean writes(String name) {
    return store(name).isPresent();
  }

  /** Opaque metadata bytes (a copy); not merged, not interpreted by storage. */
  public byte[] metadata() {
    return metadata.clone();
  }

  /** Who signed. */
  public SigKey signer() {
    return signer;
  }

  /** The 64-byte Ed25519 signature (a copy). */
  public byte[] signature() {
    return signature.clone();
  }

  /** The canonical encoding (a copy). */
  public byte[] encoded() {
    return encoded.clone();
  }

  /** Length of the canonical encoding. */
  public int encodedLength() {
    return encoded.length;
  }

  /** The exact bytes the signature covers. */
  public byte[] signingInput() {
    return EntryCodec.signingInput(encoded);
  }

  /**
   * True when the signature verifies under the signer's key. The answer is remembered: an entry is
   * immutable, so a receiver may verify a batch on several threads first and have validation reuse
   * the result.
   */
  public boolean signatureValid() {
    byte known = signatureState;
    if (known == 0) {
      known = signer.key().verify(signingInput(), signature) ? VALID : INVALID;
      signatureState = known;
    }
    return known == VALID;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry other && id.equals(other.id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "Entry[" + id.shortHex() + ", height=" + height + ", stores=" + storeNames() + "]";
  }

  private List<String> storeNames() {
    List<String> names = new ArrayList<>(stores.size());
    for (StoreNode s : stores) {
      names.add(s.name());
    }
    return names;
  }

  /**
   * Assembles an entry and signs it. Parents and store parents may be added in any order and
   * repeated; the builder sorts and de-duplicates them. A store may be written once.
   */
  public static final class Builder {
    private final EntryId database;
    private final TreeSet<EntryId> parents = new TreeSet<>();
    private final TreeMap<String, StoreNode> stores = new TreeMap<>(EntryCodec::compareNames);
    private long height;
    private byte[] metadata = new byte[0];

    private Builder(EntryId database) {
      this.database = database;
    }

    /** Adds main-DAG parents. */
    public Builder parents(Iterable<EntryId> ids) {
      for (EntryId id : ids) {
        parents.add(id);
      }
      return this;
    }

    /** Adds one main-DAG parent. */
    public Builder parent(EntryId id) {
      parents.add(id);
      return this;
    }

    /** Sets the height (must be 1 + the highest parent's height; 0 for a root). */
    public Builder height(long height) {
      this.height = height;
      return this;
    }

    /**
     * Writes store {@code name} with its store parents and payload.
     *
     * @throws IllegalArgumentException if the store was already written in this builder
     */
    public Builder store(String name, Iterable<EntryId> storeParents, byte[] payload) {
      TreeSet<EntryId> sorted = new TreeSet<>();
      for (EntryId id : storeParents) {
        sorted.add(id);
      }
      if (stores.putIfAbsent(name, new StoreNode(name, new ArrayList<>(sorted), payload)) != null) {
        throw new IllegalArgumentException("store \"" + name + "\" written twice in one entry");
      }
      return this;
    }

    /** Sets the metadata block. */
    public Builder metadata(byte[] metadata) {
      if (metadata.length > MAX_METADATA_BYTES) {
        throw new IllegalArgumentException(
            "metadata is " + metadata.length + " bytes, over the limit of " + MAX_METADATA_BYTES);
      }
      this.metadata = metadata.clone();
      return this;
    }

    /**
     * Signs with {@code key} (as a direct signer) and returns the finished entry.
     *
     * @throws EntryFormatException if the entry breaks a structural rule or limit
     */
    public Entry sign(SigningKey key) {
      return sign(new SigKey.Direct(key.publicKey()), key);
    }

    /**
     * Signs with {@code key}, recording {@code signer} as the signer (which must name {@code key}).
     *
     * @throws EntryFormatException if the entry breaks a structural rule or limit
     */
    public Entry sign(SigKey signer, SigningKey key) {
      if (!signer.key().equals(key.publicKey())) {
        throw new IllegalArgumentException("the signer names a different key than the one signing");
      }
      List<EntryId> parentList = List.copyOf(parents);
      List<StoreNode> storeList = List.copyOf(stores.values());
      EntryCodec.checkStructure(database, height, parentList, storeList);
      byte[] unsigned =
          EntryCodec.encodeUnsigned(database, height, parentList, storeList, metadata, signer);
      byte[] signature = key.sign(EntryCodec.signingInputFromUnsigned(unsigned));
      byte[] encoded = Arrays.copyOf(unsigned, unsigned.length + signature.length);
      System.arraycopy(signature, 0, encoded, unsigned.length, signature.length);
      return new Entry(
          database, height, parentList, storeList, metadata, signer, signature, encoded);
    }
  }
}
