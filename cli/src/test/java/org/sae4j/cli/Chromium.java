package org.sae4j.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.sae4j.formats.Json;

/**
 * Real headless Chromium driven over the DevTools protocol with the JDK's own WebSocket client: navigate, evaluate
 * JavaScript, take screenshots, and collect everything the page reports as an error (exceptions, console.error, failed
 * loads) and every request that would leave the machine.
 *
 * <p>Chromium is looked for as {@code $SAE4J_CHROMIUM}, then {@code chromium}, {@code chromium-browser},
 * {@code google-chrome} on the PATH. Without it a test is skipped, except under {@code CI=true}, where it fails: CI
 * installs Debian's {@code chromium} package and must run these tests.
 */
final class Chromium implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger nextId = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<CompletableFuture<Void>> loadWaiters = new CopyOnWriteArrayList<>();
    /** Exceptions, console errors and failed loads, as one line each. */
    final List<String> errors = new CopyOnWriteArrayList<>();
    /** URLs requested with a scheme other than file: or data: (the report must need no network). */
    final List<String> networkRequests = new CopyOnWriteArrayList<>();

    /** The Chromium executable, or the test is skipped (failed under CI). */
    static Path executable() {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("SAE4J_CHROMIUM");
        if (env != null && !env.isBlank()) {
            candidates.add(env);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                candidates.add(Path.of(dir, name).toString());
            }
        }
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        String message = "no Chromium on the PATH (install Debian's chromium package, or set SAE4J_CHROMIUM)";
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " (CI=true: the browser tests must run)");
        }
        assumeTrue(false, message);
        return null;
    }

    /** Starts headless Chromium on about:blank with a fresh profile in {@code profile} and attaches to its page. */
    static Chromium launch(Path profile, int width, int height) throws IOException, InterruptedException {
        Path exe = executable();
        Files.createDirectories(profile);
        Process p = new ProcessBuilder(exe.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-default-apps", "--disable-extensions", "--mute-audio",
                "--user-data-dir=" + profile.toAbsolutePath(), "--remote-debugging-port=0",
                "--window-size=" + width + "," + height, "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!Files.isRegularFile(portFile) || Files.readAllLines(portFile).isEmpty()) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Chromium did not open its DevTools port; its log:\n"
                            + Files.readString(profile.resolve("chromium.log")));
                }
                Thread.sleep(50);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
            HttpClient http = HttpClient.newHttpClient();
            String page = null;
            while (page == null) {
                JsonNode targets = Json.mapper().readTree(http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode t : targets) {
                    if (t.path("type").asText().equals("page")) {
                        page = t.path("webSocketDebuggerUrl").asText();
                    }
                }
                if (page == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Chromium shows no page target: " + targets);
                    }
                    Thread.sleep(50);
                }
            }
            Chromium c = new Chromium(p, http, page);
            c.send("Page.enable", null);
            c.send("Runtime.enable", null);
            c.send("Log.enable", null);
            c.send("Network.enable", null);
            ObjectNode metrics = Json.mapper().createObjectNode().put("width", width).put("height", height)
                    .put("deviceScaleFactor", 1).put("mobile", false);
            c.send("Emulation.setDeviceMetricsOverride", metrics);
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            destroy(p);
            throw e;
        }
    }

    private Chromium(Process process, HttpClient http, String pageUrl) {
        this.process = process;
        this.socket = http.newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(URI.create(pageUrl), new Listener()).join();
    }

    /** Loads {@code url} and waits for its load event. */
    void navigate(String url) {
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        loadWaiters.add(loaded);
        send("Page.navigate", Json.mapper().createObjectNode().put("url", url));
        loaded.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** Evaluates {@code expression} in the page (awaiting a promise) and returns its value as JSON. */
    JsonNode eval(String expression) {
        JsonNode r = send("Runtime.evaluate", Json.mapper().createObjectNode().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new AssertionError("page threw on " + expression + ": " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** Polls {@code condition} (a JavaScript expression) until it is true. */
    void waitFor(String condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!eval("!!(" + condition + ")").asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + condition + "; page errors: " + errors);
            }
            Thread.sleep(20);
        }
    }

    /** A PNG of the viewport (or the whole page when {@code fullPage}). */
    void screenshot(Path file, boolean fullPage) throws IOException {
        ObjectNode params = Json.mapper().createObjectNode().put("format", "png")
                .put("captureBeyondViewport", fullPage);
        JsonNode r = send("Page.captureScreenshot", params);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
    }

    JsonNode send(String method, ObjectNode params) {
        int id = nextId.incrementAndGet();
        ObjectNode msg = Json.mapper().createObjectNode().put("id", id).put("method", method);
        if (params != null) {
            msg.set("params", params);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(msg.toString(), true).join();
        JsonNode r = reply.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        if (r.has("error")) {
            throw new AssertionError(method + " failed: " + r.get("error"));
        }
        return r.path("result");
    }

    private void onMessage(JsonNode m) {
        if (m.has("id")) {
            CompletableFuture<JsonNode> reply = pending.remove(m.get("id").asInt());
            if (reply != null) {
                reply.complete(m);
            }
            return;
        }
        JsonNode p = m.path("params");
        switch (m.path("method").asText()) {
            case "Page.loadEventFired" -> {
                loadWaiters.forEach(f -> f.complete(null));
                loadWaiters.clear();
            }
            case "Runtime.exceptionThrown" -> errors.add("exception: " + p.path("exceptionDetails")
                    .path("exception").path("description").asText(p.path("exceptionDetails").path("text").asText()));
            case "Runtime.consoleAPICalled" -> {
                String type = p.path("type").asText();
                if (type.equals("error") || type.equals("assert")) {
                    errors.add("console." + type + ": " + p.path("args"));
                }
            }
            case "Log.entryAdded" -> {
                if (p.path("entry").path("level").asText().equals("error")) {
                    errors.add("log: " + p.path("entry").path("text").asText() + " "
                            + p.path("entry").path("url").asText());
                }
            }
            case "Network.requestWillBeSent" -> {
                String url = p.path("request").path("url").asText();
                if (!url.startsWith("file:") && !url.startsWith("data:") && !url.equals("about:blank")) {
                    networkRequests.add(url);
                }
            }
            default -> {
            }
        }
    }

    /** Gathers fragmented text frames into whole messages. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    onMessage(Json.mapper().readTree(text));
                } catch (IOException e) {
                    errors.add("unreadable DevTools message: " + e.getMessage());
                }
            }
            ws.request(1);
            return null;
        }
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).join();
        } catch (RuntimeException ignored) {
            // the browser is stopped below either way
        }
        destroy(process);
    }

    /** Stops the Chromium this class started and the helper processes it spawned, by handle. */
    private static void destroy(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                children.forEach(ProcessHandle::destroyForcibly);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
