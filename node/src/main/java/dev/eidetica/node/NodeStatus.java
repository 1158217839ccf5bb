package dev.eidetica.node;

/**
 * What a running node reports about itself (no secrets): the answer to {@code eidetica node
 * status}.
 *
 * @param pid the node's process ID
 * @param dataDirectory the absolute data directory it holds open
 * @param controlPort the loopback port of its control channel
 * @param syncAddress the address its sync server is bound to ({@code HOST:PORT}, the real port even
 *     when the node was configured with port 0): what peers give {@code eidetica peer add}
 * @param deviceKey its device key ({@code ed25519:...})
 * @param quicAddress the address its QUIC sync server is bound to, in the form that names the key
 *     ({@code quic:ed25519:<base64>@HOST:PORT}, what peers give {@code eidetica peer add}), or null
 *     when it serves no QUIC
 */
public record NodeStatus(
    long pid,
    String dataDirectory,
    int controlPort,
    String syncAddress,
    String deviceKey,
    String quicAddress) {}
