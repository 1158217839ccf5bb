package dev.eidetica.transport.http;

import dev.eidetica.sync.transport.SyncHandler;
import dev.eidetica.sync.transport.TransportLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty handler behind {@code POST /api/v0}: checks method, path, media type and size, inflates
 * gzip bodies under the cap, runs the {@link SyncHandler} and writes its answer (gzipped when large
 * and the client accepts it). Errors are small JSON bodies {@code {"error": "..."}}.
 *
 * <p>Declared blocking (the {@link Handler.Abstract} default), so Jetty calls it on a pool thread
 * and never on a selector: the sync handler does storage I/O.
 */
final class SyncEndpoint extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(SyncEndpoint.class);

  private final SyncHandler handler;
  private final TransportLimits limits;

  SyncEndpoint(SyncHandler handler, TransportLimits limits) {
    this.handler = handler;
    this.limits = limits;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (!HttpTransport.PATH.equals(request.getHttpURI().getPath())) {
      return error(
          response, callback, HttpStatus.NOT_FOUND_404, "no such endpoint; use POST /api/v0");
    }
    if (!"POST".equals(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      return error(
          response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "/api/v0 accepts POST only");
    }
    // Requiring JSON also keeps browsers from posting here cross-origin without a preflight.
    if (!isJson(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
      return error(
          response,
          callback,
          HttpStatus.UNSUPPORTED_MEDIA_TYPE_415,
          "the body must be sent as " + HttpTransport.MEDIA_TYPE);
    }
    String encoding = request.getHeaders().get(HttpHeader.CONTENT_ENCODING);
    boolean gzipped = encoding != null && encoding.strip().equalsIgnoreCase("gzip");
    if (encoding != null && !gzipped && !encoding.strip().equalsIgnoreCase("identity")) {
      return error(
          response,
          callback,
          HttpStatus.UNSUPPORTED_MEDIA_TYPE_415,
          "unsupported Content-Encoding; use gzip or none");
    }
    int cap = limits.maxRequestBytes();
    long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (declared > cap) {
      return tooLarge(response, callback, declared + " bytes");
    }

    byte[] body;
    try {
      // Not closed early: Jetty drains or drops what is left of an over-cap body once answered.
      body = Gzip.readCapped(Content.Source.asInputStream(request), cap);
    } catch (Gzip.CapExceededException e) {
      return tooLarge(response, callback, "more than " + cap + " bytes");
    } catch (IOException e) {
      // The client went away or the body broke off: nobody is left to answer.
      callback.failed(e);
      return true;
    }
    if (gzipped) {
      try {
        body = Gzip.decompress(body, cap);
      } catch (Gzip.CapExceededException e) {
        return tooLarge(response, callback, "more than " + cap + " bytes once inflated");
      } catch (IOException e) {
        return error(
            response, callback, HttpStatus.BAD_REQUEST_400, "the gzip body is corrupt: " + e);
      }
    }

    String remote = Request.getRemoteAddr(request) + ":" + Request.getRemotePort(request);
    byte[] answer;
    try {
      answer = handler.handle(body, remote);
    } catch (RuntimeException e) {
      LOG.warn("sync handler failed on a request from {}", remote, e);
      return error(
          response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "the sync handler failed");
    }
    if (answer == null) {
      return error(
          response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "the sync handler gave null");
    }
    if (answer.length > limits.maxResponseBytes()) {
      response.getHeaders().put(HttpTransport.ERROR_HEADER, HttpTransport.RESPONSE_TOO_LARGE);
      return error(
          response,
          callback,
          HttpStatus.INTERNAL_SERVER_ERROR_500,
          "the response of "
              + answer.length
              + " bytes exceeds this server's cap of "
              + limits.maxResponseBytes());
    }

    byte[] out = answer;
    if (answer.length > Gzip.THRESHOLD
        && request.getHeaders().contains(HttpHeader.ACCEPT_ENCODING, "gzip")) {
      out = Gzip.compressIfSmaller(answer);
    }
    response.setStatus(HttpStatus.OK_200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, HttpTransport.MEDIA_TYPE);
    response.getHeaders().put(HttpHeader.VARY, "Accept-Encoding");
    if (out != answer) {
      response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
    }
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, out.length);
    response.write(true, ByteBuffer.wrap(out), callback);
    return true;
  }

  private boolean tooLarge(Response response, Callback callback, String size) {
    return error(
        response,
        callback,
        HttpStatus.PAYLOAD_TOO_LARGE_413,
        "the request has "
            + size
            + ", over this server's cap of "
            + limits.maxRequestBytes()
            + " bytes");
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.strip().toLowerCase(Locale.ROOT).equals(HttpTransport.MEDIA_TYPE);
  }

  /** Answers with a status and a JSON error body; always returns true (the request is handled). */
  static boolean error(Response response, Callback callback, int status, String message) {
    byte[] body = ("{\"error\":\"" + jsonEscape(message) + "\"}").getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, HttpTransport.MEDIA_TYPE);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  private static String jsonEscape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
