package dev.eidetica.transport.http;

import dev.eidetica.sync.transport.PeerAddress;
import dev.eidetica.sync.transport.TransportException;
import dev.eidetica.sync.transport.TransportException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body into memory without ever holding more than the cap: a 200 body over the cap
 * (declared or counted, before or after gzip) fails with {@link Kind#TOO_LARGE} and the exchange is
 * cancelled; an error body is cut at a few KiB, enough for its message.
 */
final class CappedBodyHandler implements HttpResponse.BodyHandler<byte[]> {
  private final int cap;
  private final int errorCap;
  private final PeerAddress from;

  CappedBodyHandler(int cap, int errorCap, PeerAddress from) {
    this.cap = cap;
    this.errorCap = errorCap;
    this.from = from;
  }

  @Override
  public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
    if (info.statusCode() != 200) {
      return new Subscriber(errorCap, true, false, null);
    }
    String encoding = info.headers().firstValue("Content-Encoding").orElse("identity").strip();
    boolean gzip = encoding.equalsIgnoreCase("gzip");
    if (!gzip && !encoding.equalsIgnoreCase("identity")) {
      return new Subscriber(
          0,
          false,
          false,
          new TransportException(
              Kind.BAD_RESPONSE,
              from + " answered with Content-Encoding " + encoding.toLowerCase(Locale.ROOT)));
    }
    long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (declared > cap) {
      return new Subscriber(0, false, false, tooLarge(declared + " bytes"));
    }
    return new Subscriber(cap, false, gzip, null);
  }

  private TransportException tooLarge(String size) {
    return new TransportException(
        Kind.TOO_LARGE,
        "the response from " + from + " has " + size + ", over this client's cap of " + cap);
  }

  private final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final int limit;
    private final boolean truncate;
    private final boolean gzip;
    private final TransportException refusal;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    Subscriber(int limit, boolean truncate, boolean gzip, TransportException refusal) {
      this.limit = limit;
      this.truncate = truncate;
      this.gzip = gzip;
      this.refusal = refusal;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (refusal != null) {
        s.cancel();
        body.completeExceptionally(refusal);
        return;
      }
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        int room = limit - bytes.size();
        if (b.remaining() > room) {
          subscription.cancel();
          if (truncate) {
            write(b, room);
            body.complete(bytes.toByteArray());
          } else {
            body.completeExceptionally(tooLarge("more than " + limit + " bytes"));
          }
          return;
        }
        write(b, b.remaining());
      }
    }

    private void write(ByteBuffer b, int n) {
      byte[] chunk = new byte[n];
      b.get(chunk);
      bytes.write(chunk, 0, n);
    }

    @Override
    public void onError(Throwable failure) {
      body.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      if (body.isDone()) {
        return;
      }
      byte[] raw = bytes.toByteArray();
      if (!gzip) {
        body.complete(raw);
        return;
      }
      try {
        body.complete(Gzip.decompress(raw, cap));
      } catch (Gzip.CapExceededException e) {
        body.completeExceptionally(tooLarge("more than " + cap + " bytes once inflated"));
      } catch (IOException e) {
        body.completeExceptionally(
            new TransportException(
                Kind.BAD_RESPONSE, "the gzip response from " + from + " is corrupt: " + e, e));
      }
    }
  }
}
