package dev.eidetica.cli;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.PeerNotFoundException;
import dev.eidetica.sync.PeerStatus;
import dev.eidetica.sync.transport.PeerAddress;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How the command line names a registered peer (a {@code PEER} argument), in one of three forms:
 *
 * <ul>
 *   <li>its full key, {@code ed25519:<base64>};
 *   <li>an address it is registered at, as {@code peer add} takes it ({@code 127.0.0.1:7117},
 *       {@code http:127.0.0.1:7117}); anything with a colon that is not a key is an address;
 *   <li>the start of its key's base64, at least {@value #MIN_PREFIX} characters, with or without
 *       {@code ed25519:}, naming exactly one registered peer.
 * </ul>
 *
 * <p>The forms cannot be confused: base64 has no colon and an address always has one. Guarantees:
 * the key returned belongs to a registered peer; a name that fits no peer, or several, is refused
 * with a message saying which, never resolved to a guess.
 */
final class PeerArgument {
  /** Shorter prefixes would too easily name a peer by accident. */
  static final int MIN_PREFIX = 4;

  private PeerArgument() {}

  /** Whether {@code text} is written as an address rather than a key or key prefix. */
  static boolean isAddress(String text) {
    return !text.startsWith(PublicKey.PREFIX) && text.indexOf(':') >= 0;
  }

  /**
   * The key of the registered peer that {@code text} names.
   *
   * @throws PeerNotFoundException if no registered peer fits
   * @throws IllegalArgumentException if several fit, the prefix is too short, or the address is
   *     malformed
   */
  static PublicKey resolve(List<PeerStatus> peers, String text) {
    if (isAddress(text)) {
      return atAddress(peers, PeerAddress.parse(text))
          .map(PeerStatus::key)
          .orElseThrow(() -> new PeerNotFoundException("at " + text));
    }
    if (text.startsWith(PublicKey.PREFIX)) {
      Optional<PublicKey> full = fullKey(text);
      if (full.isPresent()) {
        if (peers.stream().noneMatch(p -> p.key().equals(full.get()))) {
          throw new PeerNotFoundException(text);
        }
        return full.get();
      }
    }
    String prefix =
        text.startsWith(PublicKey.PREFIX) ? text.substring(PublicKey.PREFIX.length()) : text;
    if (prefix.length() < MIN_PREFIX) {
      throw new IllegalArgumentException(
          "\""
              + text
              + "\" is too short to name a peer: give its address, its full key or at least "
              + MIN_PREFIX
              + " characters of it");
    }
    List<PeerStatus> matching =
        peers.stream().filter(p -> base64(p.key()).startsWith(prefix)).toList();
    if (matching.isEmpty()) {
      throw new PeerNotFoundException("with a key starting " + prefix);
    }
    return single(matching, text).key();
  }

  /**
   * The registered peer at {@code address}, if one is.
   *
   * @throws IllegalArgumentException if several peers claim the address
   */
  static Optional<PeerStatus> atAddress(List<PeerStatus> peers, PeerAddress address) {
    List<PeerStatus> matching =
        peers.stream().filter(p -> p.addresses().contains(address)).toList();
    return matching.isEmpty()
        ? Optional.empty()
        : Optional.of(single(matching, address.toString()));
  }

  /**
   * The key an address names, if it names one: a QUIC address written {@code
   * quic:ed25519:<base64>@host:port} names the key the peer must present.
   *
   * @throws IllegalArgumentException if the part before {@code @} is not a valid key
   */
  static Optional<PublicKey> keyNamedBy(PeerAddress address) {
    int at = address.location().lastIndexOf('@');
    if (!address.transport().equals("quic") || at < 0) {
      return Optional.empty();
    }
    String key = address.location().substring(0, at);
    try {
      return Optional.of(PublicKey.parse(key));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "the address " + address + " names \"" + key + "\", which is not a key (ed25519:...)", e);
    }
  }

  /**
   * The key a peer at {@code address} must prove: {@code expect} if given, else the key the address
   * names, else null (any key).
   *
   * @throws IllegalArgumentException if the address names another key than {@code expect}
   */
  static PublicKey expectedKey(PeerAddress address, PublicKey expect) {
    Optional<PublicKey> named = keyNamedBy(address);
    if (expect != null && named.isPresent() && !named.get().equals(expect)) {
      throw new IllegalArgumentException(
          "the address "
              + address
              + " names the key "
              + named.get()
              + " but --expect gives "
              + expect
              + "; give one key");
    }
    return expect != null ? expect : named.orElse(null);
  }

  /** The key, if {@code text} is a valid full key. */
  static Optional<PublicKey> fullKey(String text) {
    try {
      return Optional.of(PublicKey.parse(text));
    } catch (RuntimeException notAKey) {
      return Optional.empty();
    }
  }

  private static PeerStatus single(List<PeerStatus> matching, String text) {
    if (matching.size() > 1) {
      throw new IllegalArgumentException(
          "\""
              + text
              + "\" names "
              + matching.size()
              + " peers ("
              + matching.stream().map(p -> p.key().toString()).collect(Collectors.joining(", "))
              + "); give the full key");
    }
    return matching.get(0);
  }

  private static String base64(PublicKey key) {
    return key.toString().substring(PublicKey.PREFIX.length());
  }
}
