package io.hardneg.cli;

import java.util.OptionalInt;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hardneg} command line: one subcommand per job. */
@Command(
        name = "hardneg",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Embeds streamed images with a triplet CNN and mines hard negatives for retraining.",
        subcommands = {CommandLine.HelpCommand.class, ServeCommand.class, DemoCommand.class, ProduceCommand.class, EvalCommand.class, TopicsCommand.class, ModelCommand.class, BenchCommand.class,
                ConfigCommand.class})
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // Plain `java -jar` lacks the Vector API on Java 17: run the command in a child JVM that has it.
        OptionalInt child = Relauncher.runInChildIfUseful(args);
        if (child.isPresent()) {
            System.exit(child.getAsInt());
        }
        Relauncher.followLauncher();
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code: 0 ok, 1 runtime failure, 2 bad usage, 3 a failed soak. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        OneLineErrorHandler oneLine = new OneLineErrorHandler();
        cli.setExecutionExceptionHandler(oneLine);
        cli.setParameterExceptionHandler(oneLine);
        return cli;
    }
}
