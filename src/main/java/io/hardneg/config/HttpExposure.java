package io.hardneg.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Refuses an HTTP server reachable from other machines with nobody's permission: the live page shows training
 * images, so beyond loopback it needs {@code http.auth.token-file} or an explicit {@code http.public=true}.
 */
final class HttpExposure {

    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.\\d{1,3}){3}");

    private HttpExposure() {
    }

    static void check(HardnegConfig.Http http) {
        if (!isLoopback(http.host()) && http.tokenFile() == null && !http.isPublic()) {
            throw new ConfigException("http.host=" + http.host() + " serves the live page and its training images "
                    + "beyond this machine; set http.auth.token-file (an access token) or http.public=true, "
                    + "or bind 127.0.0.1");
        }
    }

    /**
     * By its text alone, without a DNS lookup (a resolver could answer anything): {@code localhost}, 127.x.x.x and
     * {@code ::1}. Another name that happens to resolve to loopback is refused; use one of these instead.
     */
    static boolean isLoopback(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || IPV4_LOOPBACK.matcher(h).matches() || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1");
    }
}
