package io.hardneg.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hardneg.mining.MemoryBank;
import io.hardneg.mining.Triplet;
import io.hardneg.model.Device;
import io.hardneg.model.ModelInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP face on the JDK's built-in server: {@code /metrics} for Prometheus, {@code /health}, the
 * live page at {@code /} and its JSON API under {@code /api/}. With an {@link AccessToken}, everything but
 * {@code /metrics} and {@code /health} needs it: the page shows training images, while scrapers and probes
 * conventionally go without credentials and those two paths hold only counts and states.
 */
public final class HttpApi implements AutoCloseable {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String JSON = "application/json; charset=utf-8";
    private static final String IMAGES_PREFIX = "/api/images/";
    /** The page and its assets, served from the jar; nothing is fetched from elsewhere. */
    private static final Map<String, String> STATIC = Map.of(
            "/", "web/index.html",
            "/index.html", "web/index.html",
            "/app.js", "web/app.js",
            "/app.css", "web/app.css");

    /** Open even with a token (Prometheus convention): no images, labels or ids in them. */
    private static final Set<String> OPEN = Set.of("/metrics", "/health");

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final Supplier<String> scrape;
    private final LiveView live;
    private final HealthSource health;
    private final AccessToken token;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, byte[]> assets = new LinkedHashMap<>();

    private HttpApi(HttpServer server, Supplier<String> scrape, LiveView live, HealthSource health,
                    AccessToken token) {
        this.server = server;
        this.token = token;
        this.scrape = scrape;
        this.live = live;
        this.health = health;
        AtomicInteger n = new AtomicInteger();
        // A few threads: scrapes and page polls are short, and a slow client must not block the others.
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "hardneg-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /**
     * Binds {@code host:port} (port 0 picks a free one, see {@link #port()}) and starts serving, without a token.
     *
     * @param registry the registry {@code /metrics} scrapes
     * @param live     the live page's data
     * @param health   state, model, device and bank for {@code /health} and {@code /api/stats}
     */
    public static HttpApi start(String host, int port, PrometheusMeterRegistry registry, LiveView live,
                                HealthSource health) throws IOException {
        return start(host, port, registry, live, health, AccessToken.none());
    }

    /** As {@link #start(String, int, PrometheusMeterRegistry, LiveView, HealthSource)}, behind {@code token}. */
    public static HttpApi start(String host, int port, PrometheusMeterRegistry registry, LiveView live,
                                HealthSource health, AccessToken token) throws IOException {
        Objects.requireNonNull(registry, "registry");
        return start(host, port, registry::scrape, live, health, token);
    }

    /** As {@link #start(String, int, PrometheusMeterRegistry, LiveView, HealthSource)}, scraping any text source. */
    public static HttpApi start(String host, int port, Supplier<String> scrape, LiveView live, HealthSource health)
            throws IOException {
        return start(host, port, scrape, live, health, AccessToken.none());
    }

    /** The general form: any text source for {@code /metrics}, and {@code token} guarding the rest. */
    public static HttpApi start(String host, int port, Supplier<String> scrape, LiveView live, HealthSource health,
                                AccessToken token) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        HttpApi api = new HttpApi(server, Objects.requireNonNull(scrape, "scrape"), Objects.requireNonNull(live, "live"),
                Objects.requireNonNull(health, "health"), Objects.requireNonNull(token, "token"));
        server.start();
        LOG.info("HTTP on http://{}:{}/ (metrics at /metrics, health at /health){}", host, api.port(),
                token.required() ? "; the page and /api/ need the access token" : "");
        return api;
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The address the server is bound to. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                route(ex);
            } catch (RuntimeException | IOException e) {
                // The path, not the URI: its query may hold the access token.
                LOG.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
                sendJson(ex, 500, Map.of("error", "internal error", "message", String.valueOf(e.getMessage())));
            }
        } catch (IOException | RuntimeException e) {
            // The client went away mid-answer, or the answer had already begun: nothing more to tell it.
            LOG.debug("could not answer {} {}: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e.toString());
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        // Before anything else: without the token, not even which paths exist is told.
        if (!OPEN.contains(path)
                && !token.admits(ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestURI().getRawQuery())) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"hardneg\"");
            sendJson(ex, 401, Map.of("error", "unauthorized",
                    "message", "send Authorization: Bearer <token> or ?token=<token> (http.auth.token-file)"));
            return;
        }
        boolean known = STATIC.containsKey(path) || path.equals("/metrics") || path.equals("/health")
                || path.equals("/api/triplets") || path.equals("/api/pairs") || path.equals("/api/stats")
                || path.startsWith(IMAGES_PREFIX);
        if (!known) {
            sendJson(ex, 404, Map.of("error", "not found", "path", path));
            return;
        }
        if (!ex.getRequestMethod().equals("GET")) {
            ex.getResponseHeaders().set("Allow", "GET");
            sendJson(ex, 405, Map.of("error", "method not allowed", "method", ex.getRequestMethod(), "allowed", "GET"));
            return;
        }
        if (STATIC.containsKey(path)) {
            sendAsset(ex, STATIC.get(path));
        } else if (path.equals("/metrics")) {
            send(ex, 200, PROMETHEUS_TEXT, scrape.get().getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/health")) {
            Map<String, Object> h = health();
            sendJson(ex, HealthSource.RUNNING.equals(h.get("state")) ? 200 : 503, h);
        } else if (path.equals("/api/triplets")) {
            sendJson(ex, 200, Map.of("triplets", triplets()));
        } else if (path.equals("/api/pairs")) {
            LiveView.Pairs p = live.pairs();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("labels", p.labels());
            body.put("hard", p.hard());
            body.put("semihard", p.semihard());
            Map<String, Object> budget = new java.util.TreeMap<>();
            live.budget().forEach((label, e) -> budget.put(label, Map.of("p", e.probability(), "purity", e.purity())));
            body.put("budget", budget);
            sendJson(ex, 200, body);
        } else if (path.equals("/api/stats")) {
            sendJson(ex, 200, stats());
        } else {
            image(ex, path.substring(IMAGES_PREFIX.length()));
        }
    }

    private Map<String, Object> health() {
        Map<String, Object> h = new LinkedHashMap<>();
        String state = safe(health::state);
        ModelInfo model = safe(health::model);
        Device device = safe(health::device);
        MemoryBank bank = safe(health::bank);
        h.put("state", state == null ? "UNKNOWN" : state);
        h.put("model_version", model == null ? null : model.version());
        h.put("model_name", model == null ? null : model.name());
        h.put("device", device == null ? null : device.name());
        h.put("bank_entries", bank == null ? null : bank.size());
        h.put("uptime_s", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        return h;
    }

    private List<Map<String, Object>> triplets() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LiveView.Entry e : live.latest()) {
            Triplet t = e.triplet();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", e.seq());
            m.put("kind", t.kind().wireName());
            m.put("d_ap", t.dAp());
            m.put("d_an", t.dAn());
            m.put("gap", t.gap());
            m.put("alpha", t.alpha());
            m.put("model_version", t.modelVersion());
            m.put("mined_at", e.minedAt());
            m.put("anchor", member(e, t.anchor(), LiveView.Role.ANCHOR));
            m.put("positive", member(e, t.positive(), LiveView.Role.POSITIVE));
            m.put("negative", member(e, t.negative(), LiveView.Role.NEGATIVE));
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> member(LiveView.Entry e, Triplet.Member m, LiveView.Role role) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.id());
        out.put("label", m.label());
        out.put("timestamp", m.timestamp());
        out.put("image", e.images()[role.ordinal()] == null ? null
                : IMAGES_PREFIX + e.seq() + "/" + role.wireName());
        return out;
    }

    private Map<String, Object> stats() {
        LiveView.Stats s = live.stats();
        ModelInfo model = safe(health::model);
        Device device = safe(health::device);
        MemoryBank bank = safe(health::bank);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", safe(health::state));
        out.put("window_s", LiveView.WINDOW_S);
        out.put("images_per_s", s.imagesPerS());
        out.put("triplets_per_s", Map.of("hard", s.hardPerS(), "semihard", s.semihardPerS()));
        out.put("dead_letters_per_s", s.deadLettersPerS());
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("accepted", s.accepted());
        totals.put("embedded", s.embedded());
        totals.put("dead_lettered", s.deadLettered());
        totals.put("hard", s.hard());
        totals.put("semihard", s.semihard());
        totals.put("rate_limited", s.rateLimited());
        out.put("totals", totals);
        Map<String, Object> m = new LinkedHashMap<>();
        // The health source knows the serving model; the view only knows what the last batch reported.
        m.put("name", model != null ? model.name() : s.modelName());
        m.put("version", model != null ? model.version() : s.modelVersion());
        m.put("device", device != null ? device.name() : s.device());
        out.put("model", m);
        out.put("class_names", model != null ? model.classNames() : s.classNames());
        Map<String, Object> b = new LinkedHashMap<>();
        if (bank != null) {
            b.put("entries", bank.size());
            b.put("capacity", bank.capacity());
            b.put("fill_ratio", bank.capacity() == 0 ? 0.0 : (double) bank.size() / bank.capacity());
        }
        out.put("bank", b);
        out.put("uptime_s", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        return out;
    }

    private void image(HttpExchange ex, String rest) throws IOException {
        String[] parts = rest.split("/", -1);
        LiveView.Role role = parts.length == 2 ? LiveView.Role.of(parts[1]) : null;
        long seq;
        try {
            seq = parts.length == 2 ? Long.parseLong(parts[0]) : -1;
        } catch (NumberFormatException e) {
            seq = -1;
        }
        byte[] bytes = role == null || seq < 0 ? null : live.image(seq, role);
        if (bytes == null) {
            sendJson(ex, 404, Map.of("error", "no such image (gone from the ring, or dropped by its byte budget)",
                    "path", IMAGES_PREFIX + rest));
            return;
        }
        // Triplets never change once mined, so a browser may keep the image as long as it likes; behind a token,
        // only the browser: a shared cache would hand it to anyone.
        ex.getResponseHeaders().set("Cache-Control",
                (token.required() ? "private" : "public") + ", max-age=3600, immutable");
        send(ex, 200, contentType(bytes), bytes);
    }

    /** The media type by magic bytes, as the producer's {@code content-type} header is optional. */
    static String contentType(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "image/png";
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return "image/jpeg";
        }
        if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return "image/gif";
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return "image/bmp";
        }
        return "application/octet-stream";
    }

    private void sendAsset(HttpExchange ex, String resource) throws IOException {
        byte[] body;
        synchronized (assets) {
            body = assets.get(resource);
            if (body == null) {
                try (InputStream in = HttpApi.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IOException("resource " + resource + " is missing from the jar");
                    }
                    body = in.readAllBytes();
                }
                assets.put(resource, body);
            }
        }
        String type = resource.endsWith(".js") ? "text/javascript; charset=utf-8"
                : resource.endsWith(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8";
        String presented = AccessToken.fromQuery(ex.getRequestURI().getRawQuery());
        if (resource.endsWith(".html") && token.required() && presented != null) {
            body = withToken(body, presented);
        }
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        send(ex, 200, type, body);
    }

    /**
     * The page opened as {@code /?token=…} (already admitted) loads its script and style with the same token: a
     * browser sends no Authorization header of its own. URL-encoding leaves only characters safe in an attribute.
     */
    static byte[] withToken(byte[] html, String presented) {
        String q = "?" + AccessToken.QUERY_PARAMETER + "=" + URLEncoder.encode(presented, StandardCharsets.UTF_8);
        return new String(html, StandardCharsets.UTF_8)
                .replace("\"/app.css\"", "\"/app.css" + q + "\"")
                .replace("\"/app.js\"", "\"/app.js" + q + "\"")
                .getBytes(StandardCharsets.UTF_8);
    }

    private void sendJson(HttpExchange ex, int status, Object body) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        send(ex, status, JSON, json.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** A health supplier that throws must not turn {@code /health} into a 500: it reads as unknown. */
    private static <T> T safe(Supplier<T> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            LOG.debug("health source failed: {}", e.toString());
            return null;
        }
    }
}
