package io.autoglm.monitor.tools.gen;

import io.autoglm.monitor.protocols.capture.CaptureRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Deterministic synthetic LLM API traffic with injected anomalies: the Java port of the benchmark
 * generator {@code capture-gen.py}, so that the product's demo needs no Python.
 *
 * <p>Each simulated second has {@code rate} normal requests (times {@code 1 - diurnal * cos(2 pi
 * hour/24)}, lowest at midnight UTC) at uniformly random offsets, plus the extra requests of the
 * anomalies active in that second. Endpoints follow a weighted table, client IPs a Zipf
 * distribution (exponent 1.1) over {@code ips} addresses in 100.64.0.0/10, statuses a table with
 * about 1.2% errors (429, 500, 503) and 0.3% 400s, latencies a lognormal per endpoint. The same
 * options and seed always give the same records (not the same as the Python script's, which uses
 * another random generator). Records come in timestamp order.
 */
public final class CaptureGenerator {

  /** Endpoint table: path, weight, median latency ms, lognormal sigma, carries LLM fields. */
  private record Endpoint(String path, int weight, double medianMs, double sigma, boolean llm) {}

  private static final Endpoint[] ENDPOINTS = {
    new Endpoint("/v1/chat/completions", 55, 800.0, 0.5, true),
    new Endpoint("/v1/generate", 15, 600.0, 0.5, true),
    new Endpoint("/v1/embeddings", 15, 40.0, 0.3, false),
    new Endpoint("/v1/completions", 5, 500.0, 0.5, true),
    new Endpoint("/v1/models", 5, 5.0, 0.3, false),
    new Endpoint("/v1/images/generations", 2, 4000.0, 0.4, false),
    new Endpoint("/health", 3, 1.0, 0.2, false),
  };
  private static final int ENDPOINT_WEIGHT_TOTAL =
      Arrays.stream(ENDPOINTS).mapToInt(Endpoint::weight).sum();
  private static final String[] MODELS = {"glm-4", "glm-4-air", "glm-4-flash", "glm-4v"};
  private static final int[] STATUSES = {200, 429, 400, 500, 503};
  private static final int[] STATUS_WEIGHTS = {9850, 70, 30, 30, 20};
  private static final int STATUS_WEIGHT_TOTAL = Arrays.stream(STATUS_WEIGHTS).sum();
  private static final int[] BURST_STATUSES = {500, 502, 503};

  static final String FLOOD_IP = "203.0.113.66";
  static final double BURST_ERROR_SHARE = 0.30;
  static final double SPIKE_FACTOR = 4.0;

  /**
   * Generator options; the defaults are those of {@code capture-gen.py}.
   *
   * @param seconds simulated seconds of traffic, 0..31,622,400 (a leap year)
   * @param rate normal requests per simulated second, 0..10,000,000
   * @param startMs the first second's timestamp (epoch ms); the whole run must lie in [2000-01-01,
   *     2100-01-01)
   * @param ips distinct client IPs in normal traffic, 1..4,194,304 (the size of 100.64.0.0/10)
   * @param scenario which anomalies to inject
   * @param seed random seed
   * @param diurnal daily swing of the rate, 0..0.9
   */
  public record Options(
      int seconds, int rate, long startMs, int ips, Scenario scenario, long seed, double diurnal) {

    public static final long DEFAULT_START_MS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    public static final int MAX_SECONDS = 366 * 86_400;
    public static final int MAX_RATE = 10_000_000;
    public static final int MAX_IPS = 1 << 22;
    private static final long TS_MIN = 946_684_800_000L;
    private static final long TS_MAX = 4_102_444_800_000L;

    public Options {
      if (seconds < 0 || seconds > MAX_SECONDS) {
        throw new IllegalArgumentException(
            "seconds must be between 0 and " + MAX_SECONDS + ", got " + seconds);
      }
      if (rate < 0 || rate > MAX_RATE) {
        throw new IllegalArgumentException(
            "rate must be between 0 and " + MAX_RATE + ", got " + rate);
      }
      if (startMs < TS_MIN || startMs + seconds * 1000L > TS_MAX) {
        throw new IllegalArgumentException(
            "startMs must put the run inside ["
                + TS_MIN
                + ", "
                + TS_MAX
                + ") (2000-01-01 to 2100-01-01), got "
                + startMs);
      }
      if (ips < 1 || ips > MAX_IPS) {
        throw new IllegalArgumentException("ips must be between 1 and " + MAX_IPS + ", got " + ips);
      }
      if (scenario == null) {
        throw new IllegalArgumentException("scenario is required");
      }
      if (!(diurnal >= 0 && diurnal <= 0.9)) {
        throw new IllegalArgumentException("diurnal must be between 0 and 0.9, got " + diurnal);
      }
    }

    /** 600 s at 1000 requests/s from 2026-01-01, 20,000 IPs, steady, seed 7, no diurnal swing. */
    public static Options defaults() {
      return new Options(600, 1000, DEFAULT_START_MS, 20_000, Scenario.STEADY, 7, 0.0);
    }

    public Options withSeconds(int seconds) {
      return new Options(seconds, rate, startMs, ips, scenario, seed, diurnal);
    }

    public Options withRate(int rate) {
      return new Options(seconds, rate, startMs, ips, scenario, seed, diurnal);
    }

    public Options withStartMs(long startMs) {
      return new Options(seconds, rate, startMs, ips, scenario, seed, diurnal);
    }

    public Options withIps(int ips) {
      return new Options(seconds, rate, startMs, ips, scenario, seed, diurnal);
    }

    public Options withScenario(Scenario scenario) {
      return new Options(seconds, rate, startMs, ips, scenario, seed, diurnal);
    }

    public Options withSeed(long seed) {
      return new Options(seconds, rate, startMs, ips, scenario, seed, diurnal);
    }

    public Options withDiurnal(double diurnal) {
      return new Options(seconds, rate, startMs, ips, scenario, seed, diurnal);
    }
  }

  /** An injected anomaly with its window in simulated seconds [start, end). */
  private record Event(Scenario kind, String target, int start, int end) {
    boolean activeAt(int second) {
      return start <= second && second < end;
    }
  }

  private final Options options;
  private final List<Event> events;
  private final double[] zipfCumulative;

  public CaptureGenerator(Options options) {
    this.options = options;
    this.events = events(options);
    this.zipfCumulative = zipfCumulative(options.ips());
  }

  public Options options() {
    return options;
  }

  /** The anomalies this run injects, in time order. */
  public List<Anomaly> truth() {
    List<Anomaly> out = new ArrayList<>(events.size());
    for (Event e : events) {
      out.add(
          new Anomaly(
              e.kind().cliName(),
              e.target(),
              options.startMs() + e.start() * 1000L,
              options.startMs() + e.end() * 1000L));
    }
    return List.copyOf(out);
  }

  /** All records of the run in timestamp order, generated lazily one second at a time. */
  public Iterator<CaptureRecord> records() {
    return new Iterator<>() {
      private final Run run = new Run();
      private List<CaptureRecord> current = List.of();
      private int index;
      private int nextSecond;

      @Override
      public boolean hasNext() {
        while (index == current.size() && nextSecond < options.seconds()) {
          current = run.second(nextSecond++);
          index = 0;
        }
        return index < current.size();
      }

      @Override
      public CaptureRecord next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.get(index++);
      }
    };
  }

  /** Feeds all records of the run to {@code sink} in timestamp order. */
  public void generate(Consumer<CaptureRecord> sink) {
    records().forEachRemaining(sink);
  }

  private static List<Event> events(Options o) {
    int s = o.seconds();
    if (o.scenario() == Scenario.MIXED) {
      int d = Math.min(90, Math.max(10, s / 8));
      return List.of(
          new Event(Scenario.ERROR_BURST, "/v1/chat/completions", s / 6, s / 6 + d),
          new Event(Scenario.LATENCY_SPIKE, "/v1/generate", 2 * s / 6, 2 * s / 6 + d),
          new Event(Scenario.IP_FLOOD, FLOOD_IP, 3 * s / 6, 3 * s / 6 + d),
          new Event(Scenario.QPS_SURGE, "/v1/embeddings", 4 * s / 6, 4 * s / 6 + d));
    }
    int third = s / 3;
    int end = third + Math.min(120, Math.max(10, s / 4));
    switch (o.scenario()) {
      case ERROR_BURST:
        return List.of(new Event(Scenario.ERROR_BURST, "/v1/chat/completions", third, end));
      case LATENCY_SPIKE:
        return List.of(new Event(Scenario.LATENCY_SPIKE, "/v1/generate", third, end));
      case IP_FLOOD:
        return List.of(new Event(Scenario.IP_FLOOD, FLOOD_IP, third, end));
      case QPS_SURGE:
        return List.of(new Event(Scenario.QPS_SURGE, "/v1/embeddings", third, end));
      case IP_SPRAY:
        return List.of(new Event(Scenario.IP_SPRAY, "/v1/chat/completions", third, end));
      default:
        return List.of();
    }
  }

  private static double[] zipfCumulative(int ips) {
    double[] cum = new double[ips];
    double total = 0;
    for (int k = 0; k < ips; k++) {
      cum[k] = 1.0 / Math.pow(k + 1, 1.1);
      total += cum[k];
    }
    double acc = 0;
    for (int k = 0; k < ips; k++) {
      acc += cum[k] / total;
      cum[k] = acc;
    }
    return cum;
  }

  private static Endpoint endpoint(String path) {
    for (Endpoint e : ENDPOINTS) {
      if (e.path().equals(path)) {
        return e;
      }
    }
    throw new IllegalStateException("no endpoint " + path);
  }

  static String ipOf(int i) {
    return "100." + (64 + (i >>> 16) % 64) + "." + ((i >>> 8) & 255) + "." + (i & 255);
  }

  /** The mutable state of one pass over the run: its random stream and request counter. */
  private final class Run {
    private final SplittableRandom rng = new SplittableRandom(options.seed());
    private long seq;

    List<CaptureRecord> second(int sec) {
      long base = options.startMs() + sec * 1000L;
      List<Event> active = new ArrayList<>(2);
      for (Event e : events) {
        if (e.activeAt(sec)) {
          active.add(e);
        }
      }
      double dayPhase = Math.floorMod(base / 1000, 86_400L) / 86_400.0;
      int normal =
          (int)
              Math.round(
                  options.rate() * (1.0 - options.diurnal() * Math.cos(2 * Math.PI * dayPhase)));
      // slot i holds -1 for a normal request, else the index in `active` of its anomaly
      int extra = 0;
      for (Event e : active) {
        extra += extraRequests(e);
      }
      int[] slots = new int[normal + extra];
      Arrays.fill(slots, 0, normal, -1);
      int at = normal;
      for (int a = 0; a < active.size(); a++) {
        int count = extraRequests(active.get(a));
        Arrays.fill(slots, at, at + count, a);
        at += count;
      }
      double[] offsets = new double[slots.length];
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = rng.nextDouble();
      }
      Arrays.sort(offsets);
      for (int i = slots.length - 1; i > 0; i--) { // Fisher-Yates
        int j = rng.nextInt(i + 1);
        int t = slots[i];
        slots[i] = slots[j];
        slots[j] = t;
      }
      List<CaptureRecord> out = new ArrayList<>(slots.length);
      for (int i = 0; i < slots.length; i++) {
        Event tag = slots[i] < 0 ? null : active.get(slots[i]);
        out.add(request(base + (long) (offsets[i] * 1000), tag, active));
      }
      return out;
    }

    private int extraRequests(Event e) {
      switch (e.kind()) {
        case QPS_SURGE:
          return options.rate() / 2;
        case IP_FLOOD:
          return options.rate() / 4;
        case IP_SPRAY:
          return options.rate();
        default:
          return 0;
      }
    }

    private CaptureRecord request(long ts, Event tag, List<Event> active) {
      seq++;
      Scenario kind = tag == null ? null : tag.kind();
      Endpoint ep =
          kind == Scenario.QPS_SURGE || kind == Scenario.IP_SPRAY
              ? endpoint(tag.target())
              : weightedEndpoint();
      String ip;
      if (kind == Scenario.IP_FLOOD) {
        ip = tag.target();
      } else if (kind == Scenario.IP_SPRAY) {
        ip = "198." + (18 + rng.nextInt(2)) + "." + rng.nextInt(256) + "." + rng.nextInt(256);
      } else {
        ip = ipOf(zipfIndex(rng.nextDouble()));
      }
      int status = weightedStatus();
      double lat = ep.medianMs() * Math.exp(rng.nextGaussian() * ep.sigma());
      for (Event e : active) {
        if (!e.target().equals(ep.path())) {
          continue;
        }
        if (e.kind() == Scenario.ERROR_BURST && rng.nextDouble() < BURST_ERROR_SHARE) {
          status = BURST_STATUSES[rng.nextInt(BURST_STATUSES.length)];
        }
        if (e.kind() == Scenario.LATENCY_SPIKE) {
          lat *= SPIKE_FACTOR;
        }
      }
      if (kind == Scenario.IP_FLOOD && rng.nextDouble() < 0.5) {
        status = 429;
      }
      boolean simple = ep.path().equals("/v1/models") || ep.path().equals("/health");
      long bytesIn = rng.nextInt(200, 4000);
      long bytesOut = rng.nextInt(200, 20_000);
      String model = null;
      long prompt = CaptureRecord.ABSENT;
      long completion = CaptureRecord.ABSENT;
      double ttft = Double.NaN;
      if (ep.llm()) {
        prompt = rng.nextInt(20, 2000);
        completion = status == 200 ? rng.nextInt(1, 800) : 0;
        model = MODELS[rng.nextInt(MODELS.length)];
        ttft = round2(Math.min(lat, 50 + lat * 0.1));
      }
      String traceId = seq % 7 == 0 ? hex16(rng.nextLong()) : null;
      return new CaptureRecord(
          ts,
          ep.path(),
          simple ? "GET" : "POST",
          status,
          round2(lat),
          ip,
          bytesIn,
          bytesOut,
          model,
          prompt,
          completion,
          ttft,
          null,
          null,
          null,
          traceId,
          null);
    }

    private Endpoint weightedEndpoint() {
      double x = rng.nextDouble() * ENDPOINT_WEIGHT_TOTAL;
      for (Endpoint e : ENDPOINTS) {
        x -= e.weight();
        if (x < 0) {
          return e;
        }
      }
      return ENDPOINTS[ENDPOINTS.length - 1];
    }

    private int weightedStatus() {
      double x = rng.nextDouble() * STATUS_WEIGHT_TOTAL;
      for (int i = 0; i < STATUSES.length; i++) {
        x -= STATUS_WEIGHTS[i];
        if (x < 0) {
          return STATUSES[i];
        }
      }
      return STATUSES[STATUSES.length - 1];
    }

    private int zipfIndex(double x) {
      int i = Arrays.binarySearch(zipfCumulative, x);
      if (i < 0) {
        i = -i - 1;
      }
      return Math.min(i, zipfCumulative.length - 1);
    }
  }

  private static String hex16(long v) {
    String h = Long.toHexString(v);
    return h.length() == 16 ? h : "0".repeat(16 - h.length()) + h;
  }

  private static double round2(double v) {
    return Math.round(v * 100.0) / 100.0;
  }
}
