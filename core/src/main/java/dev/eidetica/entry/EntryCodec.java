package dev.eidetica.entry;

import dev.eidetica.crypto.InvalidKeyException;
import dev.eidetica.crypto.PublicKey;
import dev.eidetica.crypto.SigningKey;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The canonical byte encoding of entries, version 1. The authoritative description, with test
 * vectors, is {@code docs/format.md}; this class and that document must agree byte for byte.
 */
final class EntryCodec {
  static final int FORMAT_VERSION = 1;
  static final int KIND_ROOT = 0;
  static final int KIND_REGULAR = 1;
  static final int SIGNER_DIRECT = 1;
  static final int SIGNER_DELEGATED = 2;
  static final int MAX_DELEGATION_STEPS = 10;
  static final int MAX_DELEGATION_TIPS = 64;

  /** Prefixed to the unsigned encoding to form the signing input (domain separation). */
  static final byte[] SIGNING_TAG = "eidetica/entry/v1\0".getBytes(StandardCharsets.US_ASCII);

  private EntryCodec() {}

  static int compareNames(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] signingInput(byte[] encoded) {
    int unsignedLength = encoded.length - SigningKey.SIGNATURE_LENGTH;
    byte[] input = new byte[SIGNING_TAG.length + unsignedLength];
    System.arraycopy(SIGNING_TAG, 0, input, 0, SIGNING_TAG.length);
    System.arraycopy(encoded, 0, input, SIGNING_TAG.length, unsignedLength);
    return input;
  }

  static byte[] signingInputFromUnsigned(byte[] unsigned) {
    byte[] input = new byte[SIGNING_TAG.length + unsigned.length];
    System.arraycopy(SIGNING_TAG, 0, input, 0, SIGNING_TAG.length);
    System.arraycopy(unsigned, 0, input, SIGNING_TAG.length, unsigned.length);
    return input;
  }

  static byte[] encodeUnsigned(
      EntryId database,
      long height,
      List<EntryId> parents,
      List<StoreNode> stores,
      byte[] metadata,
      SigKey signer) {
    int size = 2 + (database == null ? 0 : EntryId.LENGTH) + 8 + 4 + parents.size() * 32 + 4;
    List<byte[]> names = new ArrayList<>(stores.size());
    for (StoreNode s : stores) {
      byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
      names.add(name);
      size += 2 + name.length + 4 + s.parents().size() * 32 + 4 + s.payloadLength();
    }
    size += 4 + metadata.length + signerSize(signer);
    if (size + SigningKey.SIGNATURE_LENGTH > Entry.MAX_ENCODED_BYTES) {
      throw new EntryFormatException(
          "entry would be "
              + (size + SigningKey.SIGNATURE_LENGTH)
              + " bytes, over the limit of "
              + Entry.MAX_ENCODED_BYTES
              + "; split the write into several transactions");
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put((byte) FORMAT_VERSION);
    if (database == null) {
      out.put((byte) KIND_ROOT);
    } else {
      out.put((byte) KIND_REGULAR);
      putId(out, database);
    }
    out.putLong(height);
    putIds(out, parents);
    out.putInt(stores.size());
    for (int i = 0; i < stores.size(); i++) {
      StoreNode s = stores.get(i);
      byte[] name = names.get(i);
      out.putShort((short) name.length);
      out.put(name);
      putIds(out, s.parents());
      out.putInt(s.payloadLength());
      out.put(s.payloadUnsafe());
    }
    out.putInt(metadata.length);
    out.put(metadata);
    putSigner(out, signer);
    return out.array();
  }

  private static int signerSize(SigKey signer) {
    return switch (signer) {
      case SigKey.Direct d -> 1 + PublicKey.LENGTH;
      case SigKey.Delegated d -> {
        int n = 1 + 1 + PublicKey.LENGTH;
        for (SigKey.DelegationStep step : d.steps()) {
          n += EntryId.LENGTH + 4 + step.tips().size() * EntryId.LENGTH;
        }
        yield n;
      }
    };
  }

  private static void putSigner(ByteBuffer out, SigKey signer) {
    switch (signer) {
      case SigKey.Direct d -> {
        out.put((byte) SIGNER_DIRECT);
        putKey(out, d.key());
      }
      case SigKey.Delegated d -> {
        out.put((byte) SIGNER_DELEGATED);
        out.put((byte) d.steps().size());
        for (SigKey.DelegationStep step : d.steps()) {
          putId(out, step.database());
          putIds(out, step.tips());
        }
        putKey(out, d.key());
      }
    }
  }

  private static void putKey(ByteBuffer out, PublicKey key) {
    byte[] b = new byte[PublicKey.LENGTH];
    key.copyTo(b, 0);
    out.put(b);
  }

  private static void putId(ByteBuffer out, EntryId id) {
    byte[] b = new byte[EntryId.LENGTH];
    id.copyTo(b, 0);
    out.put(b);
  }

  private static void putIds(ByteBuffer out, List<EntryId> ids) {
    out.putInt(ids.size());
    for (EntryId id : ids) {
      putId(out, id);
    }
  }

  static Entry decode(byte[] bytes) {
    if (bytes.length > Entry.MAX_ENCODED_BYTES) {
      throw new EntryFormatException(
          "entry is " + bytes.length + " bytes, over the limit of " + Entry.MAX_ENCODED_BYTES);
    }
    Reader in = new Reader(bytes);
    int version = in.u8("format version");
    if (version != FORMAT_VERSION) {
      throw new EntryFormatException(
          "unsupported entry format version " + version + " (this build reads version 1)");
    }
    int kind = in.u8("entry kind");
    EntryId database;
    if (kind == KIND_ROOT) {
      database = null;
    } else if (kind == KIND_REGULAR) {
      database = in.id("database ID");
    } else {
      throw new EntryFormatException("unknown entry kind " + kind + " (0 = root, 1 = regular)");
    }
    long height = in.u64("height");
    List<EntryId> parents = in.sortedIds("parents", Entry.MAX_PARENTS);
    int storeCount = in.count("store count", Entry.MAX_STORES);
    List<StoreNode> stores = new ArrayList<>(storeCount);
    byte[] previousName = null;
    for (int i = 0; i < storeCount; i++) {
      int nameLength = in.u16("store name length");
      if (nameLength == 0 || nameLength > Entry.MAX_STORE_NAME_BYTES) {
        throw new EntryFormatException(
            "store name length " + nameLength + " is outside 1.." + Entry.MAX_STORE_NAME_BYTES);
      }
      byte[] nameBytes = in.bytes(nameLength, "store name");
      if (previousName != null && Arrays.compareUnsigned(previousName, nameBytes) >= 0) {
        throw new EntryFormatException("stores are not in strictly ascending name order");
      }
      previousName = nameBytes;
      String name = utf8(nameBytes);
      List<EntryId> storeParents = in.sortedIds("parents of store " + name, Entry.MAX_PARENTS);
      int payloadLength = in.count("payload length of store " + name, Entry.MAX_ENCODED_BYTES);
      byte[] payload = in.bytes(payloadLength, "payload of store " + name);
      stores.add(new StoreNode(name, storeParents, payload));
    }
    int metadataLength = in.count("metadata length", Entry.MAX_METADATA_BYTES);
    byte[] metadata = in.bytes(metadataLength, "metadata");
    SigKey signer = readSigner(in);
    byte[] signature = in.bytes(SigningKey.SIGNATURE_LENGTH, "signature");
    if (in.remaining() != 0) {
      throw new EntryFormatException(in.remaining() + " unexpected bytes after the signature");
    }
    checkStructure(database, height, parents, stores);
    List<StoreNode> storeList = List.copyOf(stores);
    byte[] reencoded = encodeUnsigned(database, height, parents, storeList, metadata, signer);
    if (!Arrays.equals(reencoded, 0, reencoded.length, bytes, 0, bytes.length - signature.length)) {
      throw new EntryFormatException("entry bytes are not in canonical form");
    }
    return new Entry(database, height, parents, storeList, metadata, signer, signature, bytes);
  }

  /**
   * The structural rules beyond byte layout, shared by decoding and building so a locally built
   * entry obeys exactly what a receiver checks.
   */
  static void checkStructure(
      EntryId database, long height, List<EntryId> parents, List<StoreNode> stores) {
    if (database == null) {
      if (height != 0 || !parents.isEmpty()) {
        throw new EntryFormatException("a root entry has height 0 and no parents");
      }
    } else {
      if (parents.isEmpty()) {
        throw new EntryFormatException("a non-root entry needs at least one parent");
      }
      if (height < 1) {
        throw new EntryFormatException("a non-root entry has height 1 or more, got " + height);
      }
    }
    if (parents.size() > Entry.MAX_PARENTS || stores.size() > Entry.MAX_STORES) {
      throw new EntryFormatException(
          "an entry has at most "
              + Entry.MAX_PARENTS
              + " parents and "
              + Entry.MAX_STORES
              + " stores");
    }
    for (StoreNode s : stores) {
      int nameBytes = s.name().getBytes(StandardCharsets.UTF_8).length;
      if (nameBytes == 0 || nameBytes > Entry.MAX_STORE_NAME_BYTES) {
        throw new EntryFormatException(
            "store name length " + nameBytes + " is outside 1.." + Entry.MAX_STORE_NAME_BYTES);
      }
      if (s.parents().size() > Entry.MAX_PARENTS) {
        throw new EntryFormatException(
            "store " + s.name() + " has more than " + Entry.MAX_PARENTS + " parents");
      }
    }
    checkReservedStores(database == null, stores);
  }

  private static void checkReservedStores(boolean root, List<StoreNode> stores) {
    boolean hasRoot = false;
    boolean hasSettings = false;
    for (StoreNode s : stores) {
      String name = s.name();
      if (name.equals(Entry.ROOT_STORE)) {
        hasRoot = true;
        if (!s.parents().isEmpty()) {
          throw new EntryFormatException("the _root store of a root entry has no parents");
        }
      } else if (name.equals(Entry.SETTINGS_STORE)) {
        hasSettings = true;
      } else if (name.startsWith("_")) {
        throw new EntryFormatException(
            "store name \""
                + name
                + "\" is reserved: names starting with '_' belong to the system");
      }
    }
    if (root && !(hasRoot && hasSettings)) {
      throw new EntryFormatException("a root entry must write the _root and _settings stores");
    }
    if (!root && hasRoot) {
      throw new EntryFormatException("only a database's root entry may write the _root store");
    }
    if (root && stores.stream().anyMatch(s -> !s.parents().isEmpty())) {
      throw new EntryFormatException("a root entry's stores have no parents");
    }
  }

  private static SigKey readSigner(Reader in) {
    int tag = in.u8("signer tag");
    if (tag == SIGNER_DIRECT) {
      return new SigKey.Direct(in.key("signer key"));
    }
    if (tag == SIGNER_DELEGATED) {
      int steps = in.u8("delegation step count");
      if (steps < 1 || steps > MAX_DELEGATION_STEPS) {
        throw new EntryFormatException(
            "delegation path has " + steps + " steps; 1.." + MAX_DELEGATION_STEPS + " allowed");
      }
      List<SigKey.DelegationStep> path = new ArrayList<>(steps);
      for (int i = 0; i < steps; i++) {
        EntryId db = in.id("delegating database");
        List<EntryId> tips = in.sortedIds("delegation tips", MAX_DELEGATION_TIPS);
        if (tips.isEmpty()) {
          throw new EntryFormatException("a delegation step names at least one tip");
        }
        path.add(new SigKey.DelegationStep(db, tips));
      }
      return new SigKey.Delegated(path, in.key("signer key"));
    }
    throw new EntryFormatException(
        "unknown signer tag " + tag + " (1 = direct key, 2 = delegation path)");
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new EntryFormatException("store name is not valid UTF-8");
    }
  }

  /** Bounds-checked reading; every failure is an {@link EntryFormatException}. */
  private static final class Reader {
    private final byte[] bytes;
    private int pos;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    int remaining() {
      return bytes.length - pos;
    }

    private void need(int n, String what) {
      if (n < 0 || n > bytes.length - pos) {
        throw new EntryFormatException(
            "entry is truncated: " + what + " needs " + n + " bytes at offset " + pos);
      }
    }

    int u8(String what) {
      need(1, what);
      return bytes[pos++] & 0xff;
    }

    int u16(String what) {
      need(2, what);
      int v = ((bytes[pos] & 0xff) << 8) | (bytes[pos + 1] & 0xff);
      pos += 2;
      return v;
    }

    long u64(String what) {
      need(8, what);
      long v = ByteBuffer.wrap(bytes, pos, 8).getLong();
      pos += 8;
      if (v < 0) {
        throw new EntryFormatException(what + " is out of range");
      }
      return v;
    }

    int count(String what, int max) {
      need(4, what);
      int v = ByteBuffer.wrap(bytes, pos, 4).getInt();
      pos += 4;
      if (v < 0 || v > max) {
        throw new EntryFormatException(
            what + " is " + Integer.toUnsignedString(v) + ", over the limit of " + max);
      }
      return v;
    }

    byte[] bytes(int n, String what) {
      need(n, what);
      byte[] out = Arrays.copyOfRange(bytes, pos, pos + n);
      pos += n;
      return out;
    }

    EntryId id(String what) {
      return EntryId.wrap(bytes(EntryId.LENGTH, what));
    }

    PublicKey key(String what) {
      byte[] b = bytes(PublicKey.LENGTH, what);
      try {
        return PublicKey.of(b);
      } catch (InvalidKeyException e) {
        throw new EntryFormatException(what + ": " + e.getMessage());
      }
    }

    List<EntryId> sortedIds(String what, int max) {
      int n = count(what + " count", max);
      need(n * EntryId.LENGTH, what);
      List<EntryId> ids = new ArrayList<>(n);
      EntryId previous = null;
      for (int i = 0; i < n; i++) {
        EntryId id = id(what);
        if (previous != null && previous.compareTo(id) >= 0) {
          throw new EntryFormatException(what + " are not strictly ascending (sorted, no repeats)");
        }
        ids.add(id);
        previous = id;
      }
      return List.copyOf(ids);
    }
  }
}
