package io.autoglm.monitor.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.autoglm.monitor.notifier.InvalidFieldException;
import io.autoglm.monitor.notifier.route.Silence;
import io.autoglm.monitor.notifier.route.SilenceCodec;
import io.autoglm.monitor.persistence.cassandra.NotifierStore;
import io.autoglm.monitor.protocols.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * {@code autoglm.notifier.silences}: silences a node writes at start (from the configuration file's
 * {@code silences}, or given in HOCON), each as {@code POST /api/v1/silences} takes it and with an
 * {@code id}, so that every start and every node writes the same silence again instead of a new
 * one. Read and checked as the node starts: an invalid one stops the start, naming the key and
 * field. One that has ended is not written.
 */
public final class ConfiguredSilences {
  public static final String KEY = "autoglm.notifier.silences";

  /** Most silences a configuration may hold. */
  public static final int MAX = 1_000;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private ConfiguredSilences() {}

  /** The silences of {@code config}; throws naming the key, index and field of a bad one. */
  public static List<Silence> fromConfig(Config config, Instant now) {
    List<? extends ConfigValue> list =
        config.hasPath(KEY) ? config.getList(KEY) : List.<ConfigValue>of();
    if (list.size() > MAX) {
      throw new IllegalArgumentException(KEY + ": " + list.size() + " silences, more than " + MAX);
    }
    List<Silence> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String where = KEY + "[" + i + "]";
      JsonNode body;
      try {
        body = Json.mapper().readTree(list.get(i).render(ConfigRenderOptions.concise()));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(where + ": not a silence: " + e.getMessage(), e);
      }
      out.add(parse(body, where, now));
      if (!ids.add(out.get(out.size() - 1).id())) {
        throw new IllegalArgumentException(where + ".id: a second silence with this id");
      }
    }
    return out;
  }

  /** One silence of a configuration; {@code where} prefixes the message of a bad one. */
  public static Silence parse(JsonNode body, String where, Instant now) {
    JsonNode id = body.get("id");
    if (id == null || !id.isTextual() || !ID.matcher(id.asText()).matches()) {
      throw new IllegalArgumentException(
          where + ".id: is required: 1 to 64 letters, digits, '.', '_' or '-'");
    }
    try {
      return SilenceCodec.parse(body, id.asText(), now);
    } catch (InvalidFieldException e) {
      throw new IllegalArgumentException(where + "." + e.getMessage(), e);
    }
  }

  /** Writes the silences that have not ended; completes once all are stored. */
  static CompletionStage<Integer> install(
      List<Silence> silences, NotifierStore store, Instant now) {
    CompletableFuture<?>[] writes =
        silences.stream()
            .filter(s -> s.endsAt().isAfter(now))
            .map(
                s -> {
                  try {
                    return store
                        .saveSilence(
                            s.id(),
                            Json.mapper().writeValueAsString(SilenceCodec.written(s)),
                            s.endsAt())
                        .toCompletableFuture();
                  } catch (JsonProcessingException e) {
                    throw new IllegalStateException("a silence is written as JSON", e);
                  }
                })
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(writes).thenApply(done -> writes.length);
  }
}
