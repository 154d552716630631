"""hard-negatives records (triplet or pair format, as the service publishes them) into training triplets, and
the read_committed consumer whose offsets are committed only once a model is published or refused."""
import base64
import io
import json
import time

import numpy as np

from hardneg_ml.kafka_settings import fail_on_refusal

HARD_NEGATIVES = "hard-negatives"


def decode_image(b64, size=28):
    """base64 PNG/JPEG (as the service publishes it) -> uint8 [size,size] grayscale."""
    from PIL import Image
    img = Image.open(io.BytesIO(base64.b64decode(b64)))
    img = img.convert("L")
    if img.size != (size, size):
        img = img.resize((size, size), Image.BILINEAR)
    return np.asarray(img, dtype=np.uint8)


class Member:
    __slots__ = ("id", "label", "image")

    def __init__(self, node):
        self.id = str(node["id"])
        self.label = node.get("label")
        self.image = decode_image(node["image"]) if node.get("image") else None


class TripletCollector:
    """Turns hard-negatives records into (anchor, positive, negative) triplets.

    Triplet records are used as they are. Pair records (format "pair", target 1 = positive, 0 = negative) are
    grouped by anchor id; an anchor's triplets are its positives x its negatives (the miner's AP:AN ratio).
    Records without images (output.include-images=false) cannot be trained on and are counted as skipped.
    """

    def __init__(self):
        self.triplets = []          # list of (Member, Member, Member)
        self.kinds = {}
        self.versions = {}
        self.skipped = {}
        self._pairs = {}            # anchor id -> (anchor, [positives], [negatives])

    def _skip(self, why):
        self.skipped[why] = self.skipped.get(why, 0) + 1

    def add(self, value):
        try:
            rec = json.loads(value)
        except (ValueError, TypeError):
            self._skip("not JSON")
            return
        if not isinstance(rec, dict):
            self._skip("not a JSON object")
            return
        fmt = rec.get("format", "triplet")
        try:
            if fmt == "pair":
                self._add_pair(rec)
            else:
                self._add_triplet(rec)
        except (KeyError, TypeError, ValueError, OSError) as e:
            self._skip(f"bad record ({type(e).__name__})")
            return
        v = str(rec.get("model_version"))
        self.versions[v] = self.versions.get(v, 0) + 1

    def _add_triplet(self, rec):
        a, p, n = Member(rec["anchor"]), Member(rec["positive"]), Member(rec["negative"])
        if a.image is None or p.image is None or n.image is None:
            self._skip("no images")
            return
        self.triplets.append((a, p, n))
        k = str(rec.get("kind"))
        self.kinds[k] = self.kinds.get(k, 0) + 1

    def _add_pair(self, rec):
        a, o = Member(rec["anchor"]), Member(rec["other"])
        if a.image is None or o.image is None:
            self._skip("no images")
            return
        entry = self._pairs.setdefault(a.id, (a, [], []))
        positive = int(rec["target"]) == 1
        (entry[1] if positive else entry[2]).append(o)
        if positive:
            self.triplets.extend((a, o, n) for n in entry[2])
        else:
            self.triplets.extend((a, p, o) for p in entry[1])
            k = str(rec.get("kind"))
            self.kinds[k] = self.kinds.get(k, 0) + len(entry[1])

    def __len__(self):
        return len(self.triplets)

    def arrays(self):
        """uint8 [M,28,28] x 3 and the anchors' labels (or -1)."""
        a = np.stack([t[0].image for t in self.triplets])
        p = np.stack([t[1].image for t in self.triplets])
        n = np.stack([t[2].image for t in self.triplets])
        return a, p, n


def collect(consumer, budget, idle_timeout, batch=500, clock=time.monotonic):
    """Reads records until `budget` triplets are collected or nothing arrives for `idle_timeout` seconds.

    Returns (collector, offsets): offsets maps (topic, partition) -> the next offset to read, covering exactly the
    records that were used (or skipped as unusable) -- what the caller commits once the model is published.
    """
    col = TripletCollector()
    offsets = {}
    last = clock()
    while len(col) < budget:
        msgs = consumer.consume(num_messages=batch, timeout=1.0)
        if not msgs:
            if clock() - last >= idle_timeout:
                break
            continue
        last = clock()
        for m in msgs:
            err = m.error()
            if err is not None:
                if _is_partition_eof(err):
                    continue
                raise RuntimeError(f"consumer error: {err}")
            col.add(m.value())
            offsets[(m.topic(), m.partition())] = m.offset() + 1
            if len(col) >= budget:
                break
    return col, offsets


def _is_partition_eof(err):
    try:
        from confluent_kafka import KafkaError
        return err.code() == KafkaError._PARTITION_EOF
    except ImportError:  # pragma: no cover
        return False


def commit(consumer, offsets):
    from confluent_kafka import TopicPartition
    if offsets:
        consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in sorted(offsets.items())],
                        asynchronous=False)


def kafka_consumer(bootstrap_servers, group_id, topic=HARD_NEGATIVES, extra=None):
    from confluent_kafka import Consumer
    conf = {"bootstrap.servers": bootstrap_servers, "group.id": group_id, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "isolation.level": "read_committed",
            "fetch.message.max.bytes": 10485760 + 4096}
    conf.update(extra or {})
    conf.setdefault("error_cb", fail_on_refusal)
    c = Consumer(conf)
    c.subscribe([topic])
    return c
