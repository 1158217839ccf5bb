package dev.eidetica.node;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Objects;

/**
 * The control channel's wire format, version 0: JSON over HTTP/1.1 on 127.0.0.1, every request with
 * {@code Authorization: Bearer <token from node.json>}.
 *
 * <ul>
 *   <li>{@code POST /control/v0/run} {@code {"args": [...]}} → {@code {"exit": n, "out": "...",
 *       "err": "..."}} ({@link RunResult});
 *   <li>{@code GET /control/v0/status} → {@link NodeStatus};
 *   <li>{@code POST /control/v0/stop} → 202, then the node stops;
 *   <li>a missing or wrong token → 401; a request that arrives while the node stops → 503; errors
 *       carry {@code {"error": "..."}}.
 * </ul>
 */
final class ControlProtocol {
  static final String RUN = "/control/v0/run";
  static final String STATUS = "/control/v0/status";
  static final String STOP = "/control/v0/stop";

  /** Far above any command line (Linux caps one at 2 MiB), far below what would hurt the node. */
  static final int MAX_REQUEST_BYTES = 8 << 20;

  /** Unknown fields are ignored, so a newer node or client can add some. */
  static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private ControlProtocol() {}

  /** The body of a run request. */
  record RunRequest(List<String> args) {
    RunRequest {
      Objects.requireNonNull(args, "args");
      args = List.copyOf(args);
    }
  }

  /** The body of an error answer. */
  record ErrorBody(String error) {}
}
