package io.hardneg.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns a failure inside a command into one line on stderr and exit code 1, and bad usage into one line and
 * exit code 2.
 *
 * <p>Users get the cause, not a stack trace or a page of usage; {@code HARDNEG_DEBUG=1} brings the trace back
 * for us, and {@code --help} the usage.
 */
final class OneLineErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    static final int RUNTIME_FAILURE = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parseResult) {
        if (ex instanceof CommandLine.ParameterException pe) {
            cli.getErr().println("hardneg: " + pe.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        // The qualified name, so a subcommand's failure reads "hardneg config show: …", not "hardneg show: …".
        cli.getErr().println(cli.getCommandSpec().qualifiedName() + ": error: " + oneLine(describe(ex)));
        if (System.getenv("HARDNEG_DEBUG") != null) {
            ex.printStackTrace(cli.getErr());
        }
        return RUNTIME_FAILURE;
    }

    /** Bad usage, whether found by picocli while parsing or thrown as a ParameterException by a command. */
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        String msg = String.valueOf(ex.getMessage());
        // picocli words some messages "Error: ..."; our prefix already says so.
        if (msg.startsWith("Error: ")) {
            msg = msg.substring("Error: ".length());
        }
        StringBuilder line = new StringBuilder(name).append(": error: ").append(oneLine(msg));
        if (ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            line.append(" (did you mean ").append(String.join(" or ", u.getSuggestions())).append("?)");
        }
        line.append("; see '").append(name).append(" --help'");
        cmd.getErr().println(line);
        cmd.getErr().flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    static String describe(Throwable ex) {
        StringBuilder sb = new StringBuilder();
        Throwable t = ex;
        while (t != null) {
            String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (sb.indexOf(msg) < 0) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(msg);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return sb.toString();
    }
}
