"""Progress lines on stderr under each script's prefix, and the command line a run records."""
import shlex
import sys


def prefixed(name):
    """A log(msg) writing 'name: msg' to stderr, flushed: the jobs are watched while they run."""
    def log(msg):
        print(f"{name}: {msg}", file=sys.stderr, flush=True)
    return log


def shell_line(words):
    """The words as one shell-quoted command line (what metrics.json and the logs record)."""
    return " ".join(shlex.quote(w) for w in words)
