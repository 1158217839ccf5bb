package dev.eidetica.sync.state;

import dev.eidetica.crypto.PublicKey;
import dev.eidetica.sync.transport.PeerAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * What this instance knows about one peer: how to reach it and how the last attempts went.
 *
 * <p>Guarantees: {@code addresses} is an immutable list of at most {@value #MAX_ADDRESSES} distinct
 * addresses, most recently confirmed first; {@code attempts} is not negative; {@code displayName}
 * is at most {@value #MAX_NAME_LENGTH} characters and {@code lastError} at most {@value
 * #MAX_ERROR_LENGTH} (a longer error is cut, and an unpaired surrogate replaced by U+FFFD, since
 * errors may come from the peer and must still be storable).
 *
 * @param key the peer's device key: its identity
 * @param displayName a name to show for it, or null
 * @param addresses where it can be reached, best first
 * @param origin whether the user added it or it connected to us
 * @param connection the connection state last recorded
 * @param attempts failed attempts since the last success
 * @param lastError what the last failed attempt reported, or null
 * @param firstSeen when this instance first recorded it
 * @param lastSeen when it last answered or connected, or null if never
 * @param nextAttempt when the next attempt is due, or null if none is scheduled
 */
public record PeerRecord(
    PublicKey key,
    String displayName,
    List<PeerAddress> addresses,
    PeerOrigin origin,
    ConnectionState connection,
    int attempts,
    String lastError,
    Instant firstSeen,
    Instant lastSeen,
    Instant nextAttempt) {

  /** Most addresses kept per peer; {@link #withAddress} drops the oldest beyond it. */
  public static final int MAX_ADDRESSES = 8;

  /** Longest display name. */
  public static final int MAX_NAME_LENGTH = 256;

  /** Longest error kept; longer ones are cut. */
  public static final int MAX_ERROR_LENGTH = 1024;

  public PeerRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(firstSeen, "firstSeen");
    addresses = List.copyOf(addresses);
    if (addresses.size() > MAX_ADDRESSES) {
      throw new IllegalArgumentException(
          "a peer has at most " + MAX_ADDRESSES + " addresses, got " + addresses.size());
    }
    if (new HashSet<>(addresses).size() != addresses.size()) {
      throw new IllegalArgumentException("a peer's addresses must be distinct: " + addresses);
    }
    if (displayName != null
        && (displayName.length() > MAX_NAME_LENGTH || !Texts.isWellFormed(displayName))) {
      throw new IllegalArgumentException(
          "a display name is at most "
              + MAX_NAME_LENGTH
              + " characters of well-formed Unicode, got "
              + displayName.length()
              + " characters");
    }
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must be 0 or more, got " + attempts);
    }
    lastError = Texts.clean(lastError, MAX_ERROR_LENGTH);
  }

  /**
   * A peer the user added: disconnected, no attempts yet.
   *
   * @param address where to reach it, or null if not known yet
   */
  public static PeerRecord added(
      PublicKey key, String displayName, PeerAddress address, Instant now) {
    return new PeerRecord(
        key,
        displayName,
        address == null ? List.of() : List.of(address),
        PeerOrigin.ADDED,
        ConnectionState.DISCONNECTED,
        0,
        null,
        now,
        null,
        null);
  }

  /**
   * A peer that connected to this instance: seen now.
   *
   * @param address where it said it can be reached, or null
   */
  public static PeerRecord learned(PublicKey key, PeerAddress address, Instant now) {
    return new PeerRecord(
        key,
        null,
        address == null ? List.of() : List.of(address),
        PeerOrigin.LEARNED,
        ConnectionState.DISCONNECTED,
        0,
        null,
        now,
        now,
        null);
  }

  /**
   * This record with {@code address} first; it is removed from further back if it was there, and
   * the last address is dropped when more than {@value #MAX_ADDRESSES} would remain.
   */
  public PeerRecord withAddress(PeerAddress address) {
    Objects.requireNonNull(address, "address");
    List<PeerAddress> list = new ArrayList<>(MAX_ADDRESSES);
    list.add(address);
    for (PeerAddress a : addresses) {
      if (list.size() == MAX_ADDRESSES) {
        break;
      }
      if (!a.equals(address)) {
        list.add(a);
      }
    }
    return withAddresses(list);
  }

  /** This record with exactly these addresses. */
  public PeerRecord withAddresses(List<PeerAddress> addresses) {
    return new PeerRecord(
        key,
        displayName,
        addresses,
        origin,
        connection,
        attempts,
        lastError,
        firstSeen,
        lastSeen,
        nextAttempt);
  }

  /** This record with another display name (null: none). */
  public PeerRecord withDisplayName(String displayName) {
    return new PeerRecord(
        key,
        displayName,
        addresses,
        origin,
        connection,
        attempts,
        lastError,
        firstSeen,
        lastSeen,
        nextAttempt);
  }

  /** This record with another origin (a learned peer the user then adds becomes {@code ADDED}). */
  public PeerRecord withOrigin(PeerOrigin origin) {
    return new PeerRecord(
        key,
        displayName,
        addresses,
        origin,
        connection,
        attempts,
        lastError,
        firstSeen,
        lastSeen,
        nextAttempt);
  }

  /** This record in another connection state; the counters are left alone. */
  public PeerRecord withConnection(ConnectionState connection) {
    return new PeerRecord(
        key,
        displayName,
        addresses,
        origin,
        connection,
        attempts,
        lastError,
        firstSeen,
        lastSeen,
        nextAttempt);
  }

  /** This record after an attempt succeeded: connected, seen now, no failures or retry pending. */
  public PeerRecord connected(Instant now) {
    Objects.requireNonNull(now, "now");
    return new PeerRecord(
        key,
        displayName,
        addresses,
        origin,
        ConnectionState.CONNECTED,
        0,
        null,
        firstSeen,
        now,
        null);
  }

  /**
   * This record after an attempt failed: one more attempt counted and the error kept. It is {@code
   * BACKING_OFF} until {@code nextAttempt}, or {@code FAILED} when that is null (no retry planned).
   */
  public PeerRecord failed(String error, Instant nextAttempt) {
    return new PeerRecord(
        key,
        displayName,
        addresses,
        origin,
        nextAttempt == null ? ConnectionState.FAILED : ConnectionState.BACKING_OFF,
        attempts == Integer.MAX_VALUE ? attempts : attempts + 1,
        error,
        firstSeen,
        lastSeen,
        nextAttempt);
  }
}
