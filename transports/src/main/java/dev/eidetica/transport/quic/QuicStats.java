package dev.eidetica.transport.quic;

/**
 * A snapshot of a {@link QuicTransport}'s counters, from {@link QuicTransport#stats()}: what its
 * client dialed and sent, and what its server accepted. Cumulative counts start at zero when the
 * transport is made and never decrease; the two {@code ...Open}/{@code ...Serving} figures are the
 * number at the moment of the snapshot. Each counter is exact, but the snapshot is not atomic
 * across counters (a connection opening meanwhile may show in one and not yet in another).
 *
 * <p>They make connection reuse observable: a client syncing with one peer should show {@code
 * connectionsOpened == 1} however many requests it sent ({@code streamsOpened}).
 *
 * @param connectionsOpened client connections whose handshake completed at this end, since the
 *     transport was made
 * @param connectionsOpen client connections open now
 * @param streamsOpened request streams the client opened (one per {@code send} that reached a
 *     connection; keep-alive streams are not counted)
 * @param handshakesFailed client connection attempts that did not end in a usable connection: no
 *     answer within the connect timeout, the peer's key refused by this side, this side's key
 *     refused by the server, or another handshake error
 * @param connectionsAccepted server connections whose handshake completed, since the transport was
 *     made (over every start and stop of its server)
 * @param connectionsServing server connections open now
 * @param requestsAccepted requests the server read in full (whether then handled or refused)
 * @param handshakesRefused server handshakes that failed: a client key the allow-list does not
 *     admit, a certificate that is not a valid self-signed Ed25519 one, or another TLS error
 */
public record QuicStats(
    long connectionsOpened,
    int connectionsOpen,
    long streamsOpened,
    long handshakesFailed,
    long connectionsAccepted,
    int connectionsServing,
    long requestsAccepted,
    long handshakesRefused) {}
