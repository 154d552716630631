package io.hardneg.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.module.ModuleFinder;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Runs the command in a child JVM that has the Vector API when {@link VectorRelaunch} says so: the child shares this
 * JVM's stdin and stdout, its stderr is copied to ours as it comes (less the JDK's incubator notice), its exit code
 * becomes ours, and a SIGTERM or Ctrl-C here stops it cleanly.
 */
final class Relauncher {

    /** The child's exit code when its launcher vanished: as if it had got SIGTERM (128 + 15). */
    static final int LAUNCHER_GONE = 143;
    private static final long STDERR_DRAIN_MS = 5_000;

    private Relauncher() {
    }

    /** The child's exit code when the command ran in a child; empty when this JVM should run it itself. */
    static OptionalInt runInChildIfUseful(String[] args) {
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        VectorRelaunch.Facts facts = new VectorRelaunch.Facts(
                ModuleLayer.boot().findModule(VectorRelaunch.MODULE).isPresent(),
                ModuleFinder.ofSystem().find(VectorRelaunch.MODULE).isPresent(),
                System.getenv(VectorRelaunch.SWITCH_ENV),
                Boolean.getBoolean(VectorRelaunch.MARKER_PROPERTY),
                System.getProperty(VectorRelaunch.VECTOR_PROPERTY),
                jvmArgs);
        if (VectorRelaunch.decide(facts) != VectorRelaunch.Decision.RELAUNCH) {
            return OptionalInt.empty();
        }
        String classPath = System.getProperty("java.class.path");
        List<String> cmd = VectorRelaunch.childCommand(System.getProperty("java.home"), jvmArgs, classPath,
                VectorRelaunch.launchedWithJar(System.getProperty("sun.java.command"), classPath),
                Main.class.getName(), Arrays.asList(args));
        // stderr through IncubatorNoticeFilter, the rest shared as is (a terminal stays a terminal)
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO().redirectError(ProcessBuilder.Redirect.PIPE);
        VectorRelaunch.trimEnvironment(pb.environment());
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            // The command still works here, with the scalar kernel; its log line says how to get the fast one.
            return OptionalInt.empty();
        }
        Thread stderr = new Thread(new IncubatorNoticeFilter(child.getErrorStream(),
                new FileOutputStream(FileDescriptor.err)), "hardneg-child-stderr");
        stderr.setDaemon(true);
        stderr.start();
        // SIGTERM (docker stop, systemd, kill) reaches only us: pass it on and wait until the child has shut down
        // cleanly. Ctrl-C reaches both (one process group); the child then gets a second stop it can ignore.
        Runtime.getRuntime().addShutdownHook(
                new Thread(() -> stopAndWait(child, stderr, true), "hardneg-relaunch-stop"));
        stopAndWait(child, stderr, false);
        return OptionalInt.of(child.exitValue());
    }

    /**
     * In the relaunched child: exits (running the shutdown hooks) if the launcher dies without stopping us, e.g. on
     * SIGKILL, so no orphan keeps holding the ports. The JDK polls a non-child process every few seconds.
     */
    static void followLauncher() {
        if (!Boolean.getBoolean(VectorRelaunch.MARKER_PROPERTY)) {
            return;
        }
        ProcessHandle.current().parent().ifPresent(launcher -> launcher.onExit()
                .thenRun(() -> System.exit(LAUNCHER_GONE)));
    }

    /** Waits for the child (stopping it first if {@code stop}) and for the last of its stderr. */
    private static void stopAndWait(Process child, Thread stderr, boolean stop) {
        if (stop && child.isAlive()) {
            child.destroy();
        }
        boolean interrupted = false;
        while (true) {
            try {
                child.waitFor();
                // EOF comes when the child exits; the bound is for anything it left holding the pipe
                stderr.join(STDERR_DRAIN_MS);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the child owns the command: keep waiting for it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
