package dev.eidetica.sync.client;

import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.SyncTransport;
import dev.eidetica.sync.transport.TransportException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The transports a node can use, chosen by an address's transport name.
 *
 * @param all the transports, in preference order
 */
public record Transports(List<SyncTransport> all) {
  public Transports {
    all = List.copyOf(all);
  }

  /** The transports given. */
  public static Transports of(SyncTransport... transports) {
    return new Transports(List.of(transports));
  }

  /** The transport that handles an address, if any. */
  public Optional<SyncTransport> forAddress(PeerAddress address) {
    return all.stream().filter(t -> t.handles(address)).findFirst();
  }

  /** Sends with whichever transport handles the address. */
  public CompletableFuture<byte[]> send(PeerAddress to, byte[] request) {
    Optional<SyncTransport> t = forAddress(to);
    if (t.isEmpty()) {
      return CompletableFuture.failedFuture(
          new TransportException(
              TransportException.Kind.BAD_ADDRESS,
              "no transport for address " + to + " (this node has " + names() + ")"));
    }
    return t.get().send(to, request);
  }

  private List<String> names() {
    return all.stream().map(SyncTransport::name).toList();
  }
}
