package io.hardneg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.cli.VectorRelaunch.Decision;
import io.hardneg.cli.VectorRelaunch.Facts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VectorRelaunchTest {

    /** Plain `java -Xmx2g -jar hardneg.jar` on a full JDK 17: the module is in the image, not in the layer. */
    private static Facts plainJar() {
        return new Facts(false, true, null, false, null, List.of("-Xmx2g"));
    }

    @Test
    void shouldRelaunchPlainJavaJarOnAJdkWithTheModule() {
        assertThat(VectorRelaunch.decide(plainJar())).isEqualTo(Decision.RELAUNCH);
    }

    @Test
    void shouldNotRelaunchWhenTheModuleIsAlreadyLoaded() {
        Facts f = new Facts(true, true, null, false, null, List.of("--add-modules=jdk.incubator.vector"));

        assertThat(VectorRelaunch.decide(f)).isEqualTo(Decision.ALREADY_LOADED);
    }

    @Test
    void shouldNotRelaunchWhenTheJavaRuntimeLacksTheModule() {
        Facts f = new Facts(false, false, null, false, null, List.of());

        assertThat(VectorRelaunch.decide(f)).isEqualTo(Decision.NOT_IN_JDK);
    }

    @Test
    void shouldNeverRelaunchTheChildAgain() {
        // even if the child's layer somehow lacked the module: no loop
        Facts f = new Facts(false, true, null, true, null, List.of());

        assertThat(VectorRelaunch.decide(f)).isEqualTo(Decision.IN_CHILD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "false", "FALSE", "no", "off", " 0 "})
    void shouldNotRelaunchWhenTheEnvironmentSwitchIsOff(String value) {
        Facts f = new Facts(false, true, value, false, null, List.of());

        assertThat(VectorRelaunch.decide(f)).isEqualTo(Decision.SWITCHED_OFF);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "yes", ""})
    void shouldRelaunchWhenTheEnvironmentSwitchIsOn(String value) {
        Facts f = new Facts(false, true, value, false, null, List.of());

        assertThat(VectorRelaunch.decide(f)).isEqualTo(Decision.RELAUNCH);
    }

    @Test
    void shouldNotRelaunchWhenTheScalarKernelIsAskedFor() {
        Facts f = new Facts(false, true, null, false, "false", List.of("-Dhardneg.vector=false"));

        assertThat(VectorRelaunch.decide(f)).isEqualTo(Decision.SCALAR_REQUESTED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-agentpath:/x/libp.so",
        "-javaagent:/opt/jmx_prometheus_javaagent.jar=9404:c.yaml", "-Xrunjdwp:transport=dt_socket",
        "-XX:StartFlightRecording=filename=rec.jfr", "-Xloggc:gc.log", "-Xlog:gc:gc.log",
        "-Xlog:gc*:file=gc.log:time", "-Dcom.sun.management.jmxremote.port=9010",
        "-Dcom.sun.management.jmxremote.rmi.port=9011"})
    void shouldNotRelaunchWithAnOptionTwoJvmsCannotShare(String option) {
        Facts f = new Facts(false, true, null, false, null, List.of("-Xmx1g", option));

        assertThat(VectorRelaunch.decide(f)).isEqualTo(Decision.HOLDS_RESOURCES);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-Xmx4g", "-Xlog:gc", "-Xlog:gc:stdout", "-Xlog:gc*:stderr:uptime",
        "-XX:+HeapDumpOnOutOfMemoryError", "-Dcom.sun.management.jmxremote", "-Djava.io.tmpdir=/t"})
    void shouldRelaunchWithOptionsTwoJvmsCanShare(String option) {
        assertThat(VectorRelaunch.holdsResource(option)).isFalse();
    }

    @Test
    void shouldRelaunchAJarAsAJarWithTheUsersOptionsTheModuleAndTheMarker() {
        List<String> cmd = VectorRelaunch.childCommand("/jdk", List.of("-Xmx2g", "-Dx=a b"), "target/hardneg.jar",
                true, "io.hardneg.cli.Main", List.of("bench", "--json"));

        assertThat(cmd).containsExactly(Path.of("/jdk", "bin", "java").toString(), "-Xmx2g", "-Dx=a b",
                "--add-modules", "jdk.incubator.vector", "-Dhardneg.relaunched=true", "-jar", "target/hardneg.jar",
                "bench", "--json");
    }

    @Test
    void shouldRelaunchAClassPathWithTheSameClassPathAndMainClass() {
        List<String> cmd = VectorRelaunch.childCommand("/jdk", List.of(), "a.jar:classes", false,
                "io.hardneg.cli.Main", List.of("--version"));

        assertThat(cmd).endsWith("-Dhardneg.relaunched=true", "-cp", "a.jar:classes", "io.hardneg.cli.Main",
                "--version");
    }

    @Test
    void shouldTellJavaJarFromClassPath() {
        assertThat(VectorRelaunch.launchedWithJar("target/hardneg.jar bench --json", "target/hardneg.jar")).isTrue();
        assertThat(VectorRelaunch.launchedWithJar("/a b/hardneg.jar", "/a b/hardneg.jar")).isTrue();
        assertThat(VectorRelaunch.launchedWithJar("io.hardneg.cli.Main --version", "target/classes")).isFalse();
        assertThat(VectorRelaunch.launchedWithJar("io.hardneg.cli.Main", "x.jar")).isFalse();
        assertThat(VectorRelaunch.launchedWithJar(null, "x.jar")).isFalse();
    }

    @Test
    void shouldDropFromTheChildsEnvironmentTheOptionsItsCommandLineCarries() {
        Map<String, String> env = new HashMap<>(Map.of("JDK_JAVA_OPTIONS", "-Xmx1g", "JAVA_TOOL_OPTIONS", "-Da=1",
                "_JAVA_OPTIONS", "-Db=2", "HARDNEG_HTTP_HOST", "0.0.0.0", "PATH", "/bin"));

        VectorRelaunch.trimEnvironment(env);

        assertThat(env).containsOnlyKeys("HARDNEG_HTTP_HOST", "PATH");
    }
}
