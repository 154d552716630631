"""librdkafka client settings for a secured cluster: read, merged, masked; a refused login or handshake is fatal."""

from hardneg_ml.log import prefixed

log = prefixed("retrain")

_SECRET_WORDS = ("password", "secret", "jaas", "token", "credential")


def is_secret(key):
    """As ConfigLoader.isSecret: passwords, secrets, tokens and inline private keys (ssl.key.pem) are never shown."""
    k = key.lower()
    return any(w in k for w in _SECRET_WORDS) or k.endswith((".key", ".key.pem"))


def redacted(settings):
    return {k: ("[hidden]" if is_secret(k) else v) for k, v in sorted(settings.items())}


def read_kafka_config(path):
    """librdkafka properties: KEY=VALUE lines, '#' and '!' comments, blank lines ignored."""
    settings = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line[0] in "#!":
                continue
            if "=" not in line:
                raise ValueError(f"--kafka-config {path} line {n}: expected KEY=VALUE")
            k, v = line.split("=", 1)
            settings[k.strip()] = v.strip()
    return settings


def kafka_settings(kafka_config=None, overrides=()):
    """The file's settings, then each -X KEY=VALUE."""
    settings = read_kafka_config(kafka_config) if kafka_config else {}
    for kv in overrides:
        if "=" not in kv:
            raise ValueError(f"-X {kv.split('=')[0]!r}: expected KEY=VALUE")
        k, v = kv.split("=", 1)
        settings[k.strip()] = v
    return settings


def masked_argv(argv):
    """The command line as logged: the value of a secret -X KEY=VALUE becomes [hidden]."""
    out, secret_next = [], False
    for a in argv:
        if secret_next:
            k = a.split("=", 1)[0]
            out.append(f"{k}=[hidden]" if is_secret(k) and "=" in a else a)
            secret_next = False
            continue
        if a == "-X":
            secret_next = True
        elif a.startswith("-X") and "=" in a:
            k = a[2:].split("=", 1)[0]
            a = f"-X{k}=[hidden]" if is_secret(k) else a
        out.append(a)
    return out


def is_refusal(err):
    """A failed login or TLS handshake, ours or the broker's: with TLS 1.3 a broker that refuses our certificate
    sends an alert after the handshake, which librdkafka reports as a transport error naming the alert."""
    from confluent_kafka import KafkaError
    return err.code() in (KafkaError._AUTHENTICATION, KafkaError._SSL) or (
        err.code() == KafkaError._TRANSPORT and "SSL alert" in err.str())


def fail_on_refusal(err):
    """librdkafka retries a refused handshake forever; an untrusted certificate or a wrong password will not heal."""
    from confluent_kafka import KafkaException
    if is_refusal(err):
        raise KafkaException(err)
    log(f"kafka: {err}")
