"""Driving the service from Python: `java -jar target/hardneg.jar serve` with an in-process broker as a child
process, `produce` to stream images into it, and a count of the embeddings it wrote (flywheel.py, loop_turns.py)."""
import os
import socket
import subprocess
import threading
import time

import data
from hardneg_ml.log import prefixed

JAR = os.path.join(data.REPO_ROOT, "target", "hardneg.jar")
log = prefixed("flywheel")  # the prefix the flywheel's and loop's run logs have always shown for the service


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """`hardneg serve` with an in-process broker, as a child process; stopped on exit."""

    def __init__(self, jar, model_dir, settings, app_id, java="java", http_port=0):
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.http_port = http_port
        cmd = [java, "-jar", jar, "serve", "--embedded-port", str(self.port), "--model", model_dir,
               "--set", f"application.id={app_id}", "--set", f"http.port={http_port}",
               "--set", "mining.rate-limit.per-label=0", "--set", "inference.threads=2"]
        for k, v in settings.items():
            cmd += ["--set", f"{k}={v}"]
        log("starting: " + " ".join(cmd))
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.ready = threading.Event()
        self.lines = []
        threading.Thread(target=self._pump, daemon=True).start()
        if not self.ready.wait(180) or self.proc.poll() is not None:
            self.stop()
            raise RuntimeError("service did not start:\n" + "".join(self.lines[-30:]))
        log(f"service running on {self.bootstrap}")

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.startswith("running:"):
                self.ready.set()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def produce(jar, bootstrap, images_file, labels_file, limit, java="java", skip=0):
    cmd = [java, "-jar", jar, "produce", "--idx", images_file, labels_file, "--bootstrap-servers", bootstrap,
           "--limit", str(limit), "--skip", str(skip)]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True, timeout=900)
    log(out.stdout.strip())


def await_embeddings(bootstrap, expected, timeout=1800):
    """Counts the embeddings topic (read_committed) until every streamed image has one."""
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"flywheel-count-{time.time()}",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest",
                  "isolation.level": "read_committed"})
    c.subscribe(["embeddings"])
    n, start, last = 0, time.time(), 0
    try:
        while n < expected:
            if time.time() - start > timeout:
                raise RuntimeError(f"only {n}/{expected} embeddings after {timeout}s")
            n += sum(1 for m in c.consume(1000, 1.0) if m.error() is None)
            if time.time() - last > 10:
                log(f"embedded {n}/{expected} ({time.time() - start:.0f}s)")
                last = time.time()
    finally:
        c.close()
    return time.time() - start
