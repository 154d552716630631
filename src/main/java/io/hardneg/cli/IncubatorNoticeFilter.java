package io.hardneg.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Copies the relaunched child's stderr to ours as it comes, less the JDK's start-up line "WARNING: Using incubator
 * modules: jdk.incubator.vector": the module is hardneg's choice, not the user's, and a usage error stays one line.
 * Only a first line that is exactly the notice is dropped; everything else passes byte for byte.
 */
final class IncubatorNoticeFilter implements Runnable {

    static final String NOTICE = "WARNING: Using incubator modules: " + VectorRelaunch.MODULE;

    private final InputStream in;
    private final OutputStream out;

    IncubatorNoticeFilter(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public void run() {
        try {
            byte[] first = firstLine();
            if (!isNotice(first)) {
                out.write(first);
                out.flush();
            }
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
                out.flush(); // as it comes: progress and logs must not wait for a full buffer
            }
        } catch (IOException e) {
            // the child's stderr or ours is gone: nothing left to copy
        }
    }

    /** Up to the first newline, or fewer bytes as soon as they are too many to be the notice, or EOF. */
    private byte[] firstLine() throws IOException {
        int limit = NOTICE.length() + 2; // the notice and "\r\n"
        byte[] line = new byte[limit];
        int len = 0;
        int b;
        while (len < limit && (b = in.read()) != -1) {
            line[len++] = (byte) b;
            if (b == '\n') {
                break;
            }
        }
        return Arrays.copyOf(line, len);
    }

    private static boolean isNotice(byte[] line) {
        String s = new String(line, StandardCharsets.UTF_8);
        return s.endsWith("\n") && s.strip().equals(NOTICE);
    }
}
