package io.hardneg.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether plain {@code java -jar hardneg.jar} should relaunch itself once with {@code --add-modules
 * jdk.incubator.vector}, and builds the child's command line. Java 17 resolves incubator modules only when asked on
 * the command line (a manifest {@code Add-Modules} attribute is ignored: checked on 17.0.15), and without the module
 * mining runs the scalar kernel, ~6.6× slower. Pure: {@link Relauncher} does the spawning.
 */
final class VectorRelaunch {

    static final String MODULE = "jdk.incubator.vector";
    /** {@code HARDNEG_RELAUNCH=0} (or false/no/off) keeps the command in the JVM the user started. */
    static final String SWITCH_ENV = "HARDNEG_RELAUNCH";
    /** Set on the child's command line, so a child never relaunches again, whatever its module layer says. */
    static final String MARKER_PROPERTY = "hardneg.relaunched";
    /** The mining kernel's own switch: {@code -Dhardneg.vector=false} asks for the scalar kernel. */
    static final String VECTOR_PROPERTY = "hardneg.vector";
    /**
     * The launcher expands these into the JVM's input arguments, which the child gets on its command line; left in
     * its environment as well they would apply twice (twice the agents, twice the "Picked up" notes).
     */
    static final Set<String> FORWARDED_ENV = Set.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS");

    /** What this JVM should do, and why. */
    enum Decision {
        RELAUNCH(null),
        IN_CHILD("this is the relaunched JVM"),
        ALREADY_LOADED(MODULE + " is already in the module layer"),
        NOT_IN_JDK("this Java runtime has no " + MODULE),
        SWITCHED_OFF(SWITCH_ENV + " turns it off"),
        SCALAR_REQUESTED("-D" + VECTOR_PROPERTY + "=false asks for the scalar kernel"),
        HOLDS_RESOURCES("a JVM option (agent, debugger, JMX port, JFR or log file) would be held twice");

        final String why;

        Decision(String why) {
            this.why = why;
        }
    }

    /** What {@link #decide} looks at: facts of this JVM, gathered by {@link Relauncher} and given in tests. */
    record Facts(boolean moduleLoaded, boolean moduleInJdk, String switchEnv, boolean inChild, String vectorProperty,
                 List<String> jvmArgs) {
    }

    private VectorRelaunch() {
    }

    static Decision decide(Facts f) {
        if (f.inChild()) {
            return Decision.IN_CHILD;
        }
        if (f.moduleLoaded()) {
            return Decision.ALREADY_LOADED;
        }
        if (!f.moduleInJdk()) {
            return Decision.NOT_IN_JDK;
        }
        if (isOff(f.switchEnv())) {
            return Decision.SWITCHED_OFF;
        }
        if ("false".equalsIgnoreCase(f.vectorProperty())) {
            return Decision.SCALAR_REQUESTED;
        }
        if (f.jvmArgs().stream().anyMatch(VectorRelaunch::holdsResource)) {
            return Decision.HOLDS_RESOURCES;
        }
        return Decision.RELAUNCH;
    }

    static boolean isOff(String value) {
        return value != null && Set.of("0", "false", "no", "off").contains(value.strip().toLowerCase(Locale.ROOT));
    }

    /**
     * Whether the option makes this JVM take something a second JVM with the same options could not share: a port
     * (debugger, JMX, an agent's exporter), or a file written at exit (a JFR recording, a GC log) that the launcher's
     * own copy would overwrite. With such an option the user runs the JVM they started, as before.
     */
    static boolean holdsResource(String arg) {
        if (arg.startsWith("-agentlib:") || arg.startsWith("-agentpath:") || arg.startsWith("-javaagent:")
                || arg.startsWith("-Xrun") || arg.startsWith("-XX:StartFlightRecording") || arg.startsWith("-Xloggc:")
                || arg.startsWith("-Dcom.sun.management.jmxremote.port=")
                || arg.startsWith("-Dcom.sun.management.jmxremote.rmi.port=")) {
            return true;
        }
        if (arg.startsWith("-Xlog:")) {
            // -Xlog:what:output:...; the output is stdout, stderr or a file ([file=]name)
            String[] parts = arg.substring("-Xlog:".length()).split(":", 3);
            return parts.length >= 2 && !Set.of("", "stdout", "stderr").contains(parts[1]);
        }
        return false;
    }

    /**
     * Whether the JVM was started with {@code -jar}: then {@code sun.java.command} starts with the jar, which is the
     * whole class path. The child is started the same way, so the jar's manifest applies to it too.
     */
    static boolean launchedWithJar(String sunJavaCommand, String classPath) {
        return sunJavaCommand != null && classPath != null && classPath.endsWith(".jar")
                && (sunJavaCommand.equals(classPath) || sunJavaCommand.startsWith(classPath + " "));
    }

    /** The child's command: the same java, the user's JVM options, the module, the marker, the same jar or class. */
    static List<String> childCommand(String javaHome, List<String> jvmArgs, String classPath, boolean withJar,
                                     String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(javaHome, "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("--add-modules");
        cmd.add(MODULE);
        cmd.add("-D" + MARKER_PROPERTY + "=true");
        if (withJar) {
            cmd.add("-jar");
            cmd.add(classPath);
        } else {
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(mainClass);
        }
        cmd.addAll(args);
        return cmd;
    }

    /** Removes from the child's environment what its command line already carries. */
    static void trimEnvironment(Map<String, String> env) {
        env.keySet().removeAll(FORWARDED_ENV);
    }
}
