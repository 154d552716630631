package io.hardneg.cli;

import io.hardneg.mining.Distances;
import picocli.CommandLine.IVersionProvider;

/** Reports the jar's version from its manifest, and the mining kernel this JVM runs (scalar or vector-N). */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"hardneg " + (v == null ? "dev" : v), "mining kernel: " + Distances.bestName()};
    }
}
