package dev.eidetica.sync.protocol;

/**
 * One message on the wire: a body and, inside a session, the session ID, a sequence number and the
 * body's MAC (docs/protocol.md, "Frames"). The body is kept as the exact bytes received, because
 * the MAC covers those bytes.
 *
 * @param session the session ID, or null for handshake messages
 * @param seq the request's sequence number in its session (0 outside a session)
 * @param mac the MAC of the body, or null outside a session
 * @param body the JSON body bytes
 */
public record Frame(String session, long seq, byte[] mac, byte[] body) {
  /** A frame outside any session (handshake messages and failures before a session exists). */
  public static Frame plain(byte[] body) {
    return new Frame(null, 0, null, body);
  }

  /** True when the frame claims a session. */
  public boolean inSession() {
    return session != null;
  }
}
