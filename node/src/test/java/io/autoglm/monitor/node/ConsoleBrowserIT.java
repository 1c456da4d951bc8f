package io.autoglm.monitor.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (headless Chromium from Debian, driven by Selenium) against a
 * real node with authentication on: sign in with a token, watch an alert raised by an error burst
 * appear in the live feed, acknowledge it and silence it from the page, and check with the API that
 * both happened.
 *
 * <p>The screenshot of the console showing the live alert goes to {@code target/console.png}, or to
 * the path in the system property {@code autoglm.console.screenshot} (env {@code
 * AUTOGLM_CONSOLE_SCREENSHOT}), relative to the module: {@code ../docs/console.png} refreshes the
 * README's.
 */
class ConsoleBrowserIT {
  static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final String ENDPOINT = "/v1/chat/completions";
  private static final String RULE = "chat-errors";

  private static WebhookReceiver oncall;
  private static WebhookReceiver lead;
  private static Node node;
  private static CuttableRelay relay; // the browser's way to the node
  private static TestHttp http;
  private static ChromeDriver browser;
  private static Path profile;

  @BeforeAll
  static void start() throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      if (System.getenv("CI") != null) {
        fail("chromium or chromedriver is not installed; ./run-tests installs them with apt-get");
      }
      Assumptions.assumeTrue(
          false, "chromium is not installed (apt-get install chromium chromium-driver)");
    }
    oncall = new WebhookReceiver();
    lead = new WebhookReceiver();
    // a critical alert escalates to the lead unless acknowledged within 5 minutes: the page's
    // acknowledgement is what stops that, and the API says so
    node =
        NodeFixture.startWith(
            """
            autoglm.auth.enabled = on
            autoglm.http.feed.resume-max-alerts = 1
            autoglm.auth.admin-token = "%s"
            autoglm.notifier {
              receivers = [
                {name = oncall, alert_channels = [{type = webhook, url = "%s"}]}
                {name = lead, alert_channels = [{type = webhook, url = "%s"}]}
              ]
              route {receiver = oncall, escalation = [lead], escalate_after = 5m}
            }
            """
                .formatted(ADMIN_TOKEN, oncall.url(), lead.url()));
    http = new TestHttp(node.baseUrl(), ADMIN_TOKEN);
    relay = new CuttableRelay(java.net.URI.create(node.baseUrl()).getPort());

    profile = Files.createTempDirectory("console-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.setCapability(
        "goog:loggingPrefs",
        java.util.Map.of(LogType.BROWSER, java.util.logging.Level.ALL.getName()));
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (relay != null) {
      relay.close();
    }
    if (node != null) {
      node.close();
    }
    if (oncall != null) {
      oncall.close();
      lead.close();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  private static WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(browser, WITHIN, Duration.ofMillis(100));
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  private static WebElement shown(By by) {
    return waiting()
        .until(
            d ->
                d.findElements(by).stream()
                    .filter(WebElement::isDisplayed)
                    .findFirst()
                    .orElse(null));
  }

  private static String textOf(By by, java.util.function.Predicate<String> ready) {
    return waiting()
        .until(
            d -> {
              for (WebElement e : d.findElements(by)) {
                String t = e.getText();
                if (ready.test(t)) {
                  return t;
                }
              }
              return null;
            });
  }

  @Test
  void signInWatchAnAlertArriveThenAcknowledgeAndSilenceItFromThePage() throws Exception {
    try {
      signInWatchAcknowledgeSilence();
    } catch (Throwable t) {
      // what the browser saw, for the failure report
      Files.copy(
          browser.getScreenshotAs(OutputType.FILE).toPath(),
          Path.of("target/console-failure.png"),
          StandardCopyOption.REPLACE_EXISTING);
      StringBuilder log = new StringBuilder();
      browser.manage().logs().get(LogType.BROWSER).forEach(e -> log.append(e).append('\n'));
      t.addSuppressed(
          new AssertionError("browser console:\n" + log + "page:\n" + browser.getPageSource()));
      throw t;
    }
  }

  private static void signInWatchAcknowledgeSilence() throws Exception {
    browser.get(relay.baseUrl() + "/");
    shown(By.id("login-token")).sendKeys("not-a-token-of-this-cluster");
    browser.findElement(By.id("login-submit")).click();
    assertEquals(
        "This token is not valid here.",
        textOf(By.id("login-error"), t -> !t.isEmpty()),
        "a wrong token is refused by the node (whoami 401)");
    WebElement token = shown(By.id("login-token"));
    token.clear();
    token.sendKeys(ADMIN_TOKEN);
    browser.findElement(By.id("login-submit")).click();
    String whoami = textOf(By.id("whoami"), t -> !t.isEmpty());
    browser.manage().logs().get(LogType.BROWSER); // the wrong token's 401 above, expected
    assertTrue(whoami.endsWith("· admin"), whoami);
    assertEquals("live", textOf(By.id("feed-status"), "live"::equals), "the feed is connected");

    // rules through the API, then error bursts (a warning one beside, for the colours)
    NodeFixture.errorRateRule(http, RULE, ENDPOINT, "critical");
    NodeFixture.errorRateRule(http, "generate-errors", "/v1/generate", "warning");
    for (byte[] traffic :
        List.of(
            NodeFixture.traffic("/v1/embeddings", 0, 20, 40, 0.0),
            NodeFixture.traffic("/v1/generate", 0, 20, 30, 0.3),
            NodeFixture.traffic(ENDPOINT, 0, 20, 50, 0.5))) {
      TestHttp.Reply ingest = http.post("/api/v1/ingest", traffic);
      assertEquals(200, ingest.status(), ingest.body());
    }

    By firing = By.cssSelector("#feed-list .alert[data-rule='" + RULE + "'][data-status='firing']");
    WebElement alert = shown(firing);
    String fingerprint = alert.getDomAttribute("data-fingerprint");
    assertTrue(alert.getText().contains(ENDPOINT), alert.getText());
    assertTrue(alert.getAttribute("class").contains("sev-critical"), "coloured as critical");

    // acknowledge from the page
    waiting()
        .until(
            d -> {
              d.findElement(firing).findElement(By.cssSelector("button.ack")).click();
              return true;
            });
    String acked =
        textOf(
            By.cssSelector("#feed-list .alert[data-fingerprint='" + fingerprint + "'] .ack-result"),
            t -> t.startsWith("acknowledged") || t.contains("error") || t.contains("no longer"));
    assertEquals("acknowledged, escalation stopped", acked);
    // the node has it: acknowledged again, the alert is still firing but no escalation is left
    TestHttp.Reply again = http.post("/api/v1/alerts/" + fingerprint + "/ack", new byte[0]);
    assertEquals(200, again.status(), again.body());
    JsonNode ack = again.json();
    assertTrue(ack.get("acknowledged").asBoolean(), again.body());
    assertFalse(
        ack.get("escalationStopped").asBoolean(),
        "the page's acknowledgement already stopped the escalation: " + again.body());

    writeScreenshot();

    // silence from the page
    waiting()
        .until(
            d -> {
              d.findElement(firing).findElement(By.cssSelector("button.silence")).click();
              return true;
            });
    shown(By.cssSelector(".silence-form[data-fingerprint='" + fingerprint + "'] .silence-create"))
        .click();
    String silenced =
        textOf(
            By.cssSelector(".silence-form[data-fingerprint='" + fingerprint + "'] .silence-result"),
            t -> !t.isEmpty());
    assertTrue(silenced.startsWith("silenced: "), silenced);
    String silenceId = silenced.substring("silenced: ".length());
    JsonNode silences = http.get("/api/v1/silences").json();
    JsonNode mine = null;
    for (JsonNode s : silences) {
      if (s.get("id").asText().equals(silenceId)) {
        mine = s;
      }
    }
    assertTrue(mine != null, "GET /api/v1/silences has " + silenceId + ": " + silences);
    assertEquals("active", mine.get("status").get("state").asText());
    List<String> matchers = new java.util.ArrayList<>();
    mine.get("matchers")
        .forEach(m -> matchers.add(m.get("name").asText() + "=" + m.get("value").asText()));
    assertTrue(matchers.contains("alertname=" + RULE), matchers.toString());
    assertTrue(matchers.contains("endpoint=" + ENDPOINT), matchers.toString());
    shown(By.cssSelector("#silences tr[data-silence='" + silenceId + "']"));

    awayAndBack();
    otherPagesShowWhatTheApiHas();
    aViewerSeesButCannotChange(fingerprint, silenceId);
  }

  /**
   * Signed in with a viewer token, the page shows everything but its buttons that change things.
   */
  private static void aViewerSeesButCannotChange(String fingerprint, String silenceId) {
    TestHttp.Reply made =
        http.send(
            "POST",
            "/api/v1/tokens",
            "{\"name\": \"wall-screen\", \"role\": \"viewer\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "Content-Type",
            "application/json");
    assertEquals(201, made.status(), made.body());
    browser.get(relay.baseUrl() + "/#alerts");
    shown(By.id("logout")).click();
    shown(By.id("login-token")).sendKeys(made.json().get("token").asText());
    browser.findElement(By.id("login-submit")).click();
    assertEquals("wall-screen · viewer", textOf(By.id("whoami"), t -> !t.isEmpty()));

    WebElement row =
        shown(By.cssSelector("#feed-list .alert[data-fingerprint='" + fingerprint + "']"));
    for (String button : List.of("button.ack", "button.silence")) {
      WebElement b = row.findElement(By.cssSelector(button));
      assertFalse(b.isEnabled(), button + " is disabled for a viewer");
      assertEquals("needs an editor token", b.getDomAttribute("title"));
    }
    WebElement expire =
        shown(By.cssSelector("#silences tr[data-silence='" + silenceId + "'] button.expire"));
    assertFalse(expire.isEnabled(), "a viewer cannot expire a silence");

    browser.get(relay.baseUrl() + "/#rules/" + RULE);
    assertFalse(shown(By.id("rule-save")).isEnabled(), "nor save a rule");
    noBrowserErrors();
  }

  /**
   * The browser's network is cut (its feed socket closes), alerts fire meanwhile, and when the
   * network is back the page resumes the feed from its cursor: the alert appears, and the page says
   * what it missed. Past what one resume replays (autoglm.http.feed.resume-max-alerts = 1 here),
   * the page reads the list afresh.
   */
  private static void awayAndBack() throws Exception {
    String note = whileCutOff(Map.of("embeddings-errors", "/v1/embeddings"));
    assertTrue(
        note.matches("resumed: 1 missed while away"),
        "the page resumed from its cursor, not from a fresh list: " + note);

    note = whileCutOff(Map.of("moderation-errors", "/v1/moderations", "audio-errors", "/v1/audio"));
    assertEquals(
        "resumed: more changed while away than the node replays; the list was read afresh", note);
  }

  /**
   * Cuts the browser off, fires an alert for each rule (rule id to endpoint) while it is, brings it
   * back, waits for the alerts on the page; returns what the page says of its resume.
   */
  private static String whileCutOff(Map<String, String> rules) throws Exception {
    relay.cut();
    assertEquals(
        "reconnecting",
        textOf(By.id("feed-status"), "reconnecting"::equals),
        "the feed noticed the network is gone");
    for (Map.Entry<String, String> r : rules.entrySet()) {
      NodeFixture.errorRateRule(http, r.getKey(), r.getValue(), "warning");
      TestHttp.Reply ingest =
          http.post("/api/v1/ingest", NodeFixture.traffic(r.getValue(), 20, 40, 40, 0.5));
      assertEquals(200, ingest.status(), ingest.body());
    }
    for (String rule : rules.keySet()) {
      org.awaitility.Awaitility.await("the node fires " + rule)
          .atMost(WITHIN)
          .until(() -> http.get("/api/v1/alerts").body().contains("\"rule\":\"" + rule + "\""));
      assertTrue(browser.findElements(firing(rule)).isEmpty(), "a page cut off cannot have it");
    }

    relay.restore();
    for (String rule : rules.keySet()) {
      shown(firing(rule));
    }
    assertEquals("live", textOf(By.id("feed-status"), "live"::equals));
    // the failed reconnections and whoami calls while cut off, expected
    browser.manage().logs().get(LogType.BROWSER);
    return textOf(By.id("feed-note"), t -> t.startsWith("resumed"));
  }

  private static By firing(String rule) {
    return By.cssSelector("#feed-list .alert[data-rule='" + rule + "'][data-status='firing']");
  }

  /** The other pages draw from their APIs without a script error. */
  private static void otherPagesShowWhatTheApiHas() {
    browser.get(relay.baseUrl() + "/#endpoints");
    String row = "#page tr[data-endpoint='default" + ENDPOINT + "']";
    shown(By.cssSelector(row + " canvas")); // uPlot drew its sparklines
    browser.findElement(By.cssSelector(row + " a")).click();
    shown(By.cssSelector("#page .charts .uplot"));
    shown(By.cssSelector("#page table.top-ips"));

    noBrowserErrors();

    browser.get(relay.baseUrl() + "/#rules/" + RULE);
    WebElement json = shown(By.id("rule-json"));
    assertTrue(
        json.getDomProperty("value").contains("\"error_rate\""), json.getDomProperty("value"));
    json.clear();
    json.sendKeys("{\"metric\": \"error_rate\", \"op\": \">\", \"threshold\": -1}");
    browser.findElement(By.id("rule-save")).click();
    String refused = textOf(By.id("rule-message"), t -> !t.isEmpty());
    assertTrue(refused.contains("(field: threshold)"), "the API's validation message: " + refused);
    browser.manage().logs().get(LogType.BROWSER); // that 400, expected

    browser.get(relay.baseUrl() + "/#notifications");
    shown(By.cssSelector("#page .tile-delivered"));
    browser.get(relay.baseUrl() + "/#cluster");
    String members = textOf(By.cssSelector("#page table.members tbody"), t -> t.contains("up"));
    assertTrue(members.contains("(this node)"), members);

    noBrowserErrors();
  }

  private static void noBrowserErrors() {
    List<String> severe = new java.util.ArrayList<>();
    browser
        .manage()
        .logs()
        .get(LogType.BROWSER)
        .forEach(
            e -> {
              if (e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                severe.add(e.getMessage());
              }
            });
    assertEquals(List.of(), severe, "no script or request errors in the browser");
  }

  private static void writeScreenshot() throws Exception {
    String target =
        System.getProperty(
            "autoglm.console.screenshot",
            System.getenv().getOrDefault("AUTOGLM_CONSOLE_SCREENSHOT", "target/console.png"));
    Path out = Path.of(target).toAbsolutePath().normalize();
    Files.createDirectories(out.getParent());
    File shot = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), out, StandardCopyOption.REPLACE_EXISTING);
  }
}
