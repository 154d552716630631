package io.hardneg.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure inside a command into one line on stderr and exit code 1.
 *
 * <p>Users get the cause, not a stack trace; {@code HARDNEG_DEBUG=1} brings the trace back for us.
 */
final class OneLineErrorHandler implements IExecutionExceptionHandler {

    static final int RUNTIME_FAILURE = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parseResult) {
        if (ex instanceof CommandLine.ParameterException pe) {
            cli.getErr().println("hardneg: " + pe.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        cli.getErr().println("hardneg " + cli.getCommandName() + ": error: " + describe(ex));
        if (System.getenv("HARDNEG_DEBUG") != null) {
            ex.printStackTrace(cli.getErr());
        }
        return RUNTIME_FAILURE;
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
