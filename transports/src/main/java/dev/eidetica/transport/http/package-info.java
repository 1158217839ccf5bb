/**
 * The HTTP transport: a Jetty 12 server (HTTP/1.1 and h2c on one port) serving {@code POST
 * /api/v0}, and a {@code java.net.http} client, moving sync messages with size caps, gzip and
 * timeouts. {@link dev.eidetica.transport.http.HttpTransport} is the entry point.
 */
package dev.eidetica.transport.http;
