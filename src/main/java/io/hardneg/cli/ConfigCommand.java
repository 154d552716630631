package io.hardneg.cli;

import io.hardneg.config.ConfigDoc;
import io.hardneg.config.HardnegConfig;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hardneg config}: the configuration keys, and the configuration a command line would run with. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Lists the configuration keys, or shows the configuration the given settings resolve to.",
        subcommands = {ConfigCommand.Keys.class, ConfigCommand.Show.class})
final class ConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: keys or show");
    }

    /** {@code hardneg config keys}: every key with its default and allowed values; needs nothing running. */
    @Command(name = "keys", mixinStandardHelpOptions = true,
            description = "Prints every configuration key with its default and allowed values.")
    static final class Keys implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--markdown", description = "The table of docs/configuration.md, meanings included.")
        boolean markdown;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(markdown ? ConfigDoc.markdownTable() : ConfigDoc.plainTable());
            out.flush();
            return 0;
        }
    }

    /** {@code hardneg config show}: the validated configuration, one section a line, secrets masked. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Resolves defaults, --config, HARDNEG_* variables and --set as serve would, validates them "
                    + "and prints the result (Kafka secrets masked).")
    static final class Show implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() {
            HardnegConfig config = options.load(Map.of());
            PrintWriter out = spec.commandLine().getOut();
            config.sections().forEach((name, value) -> out.println(name + " = " + value));
            out.flush();
            return 0;
        }
    }
}
