"""Topics through the protocol: CreateTopics then Metadata lists them; duplicates,
invalid names and bad counts are refused with their error codes and a message; topic
configs are described and altered (all-or-nothing); topics survive a clean restart and
a kill -9; DeleteTopics removes them."""
import os
import signal
import subprocess
import time

from rnlib import *


def topic_err(resp, i=0):
    return resp["topics"][i]["error"], resp["topics"][i]["msg"]


def test_create_and_refuse(c):
    r = c.create_topics([("orders", 3, 1), ("events", -1, -1, {"retention.ms": "60000"})])
    check_eq([t["error"] for t in r["topics"]], [NONE, NONE], "create errors %r" % r)
    m = c.metadata()
    names = {t["name"]: t for t in m["topics"]}
    check(set(names) == {"orders", "events"}, "metadata lists both: %r" % list(names))
    parts = names["orders"]["partitions"]
    check_eq(len(parts), 3, "orders partitions")
    for p in parts:
        check_eq((p["error"], p["leader"], p["replicas"], p["isr"]), (NONE, 1, [1], [1]),
                 "partition %d" % p["index"])
    check_eq(len(names["events"]["partitions"]), 1, "num.partitions default")

    err, msg = topic_err(c.create_topics([("orders", 1, 1)]))
    check_eq(err, TOPIC_EXISTS, "duplicate create")
    check(msg and "orders" in msg, "duplicate message names the topic: %r" % msg)
    for bad in ["", "a" * 250, "bad/name", "with space", ".", ".."]:
        err, msg = topic_err(c.create_topics([(bad, 1, 1)]))
        check_eq(err, INVALID_TOPIC, "invalid name %r" % bad)
        check(msg, "invalid name has a message")
    check_eq(topic_err(c.create_topics([("p0", 0, 1)]))[0], INVALID_PARTITIONS, "0 partitions")
    check_eq(topic_err(c.create_topics([("rf2", 1, 2)]))[0], INVALID_RF, "rf above brokers")
    check_eq(topic_err(c.create_topics([("badcfg", 1, 1, {"retention.ms": "x"})]))[0],
             INVALID_CONFIG, "bad config on create")
    r = c.create_topics([("vo", 1, 1)], validate_only=True)
    check_eq(topic_err(r)[0], NONE, "validate_only ok")
    check_eq(c.metadata(["vo"])["topics"][0]["error"], UNKNOWN_TOPIC, "validate_only creates nothing")
    r = c.create_topics([("twice", 1, 1), ("twice", 1, 1)])
    check_eq([t["error"] for t in r["topics"]], [INVALID_REQUEST, INVALID_REQUEST], "named twice")
    check(os.path.isdir(os.path.join(c.broker_dir, "data", "orders-2")), "partition directory")


def configs_of(c, topic):
    r = c.describe_configs([(2, topic, None)])["results"][0]
    check_eq(r["error"], NONE, "describe %s" % topic)
    return {e["name"]: (e["value"], e["default"]) for e in r["configs"]}


def test_configs(c):
    cfg = configs_of(c, "events")
    check_eq(cfg["retention.ms"], ("60000", False), "override shown")
    check_eq(cfg["segment.bytes"], ("1073741824", True), "default shown")
    check_eq(cfg["flush.ms"], (None, True), "no default")
    check_eq(cfg["partitioner"], ("default", True), "partitioner default")
    r = c.alter_configs([(2, "events", {"segment.bytes": "1048576", "nope.key": "1"})])
    res = r["results"][0]
    check_eq(res["error"], INVALID_CONFIG, "unknown key refused")
    check("nope.key" in (res["msg"] or ""), "message names the key: %r" % res["msg"])
    check_eq(configs_of(c, "events")["segment.bytes"], ("1073741824", True), "nothing changed")
    r = c.alter_configs([(2, "events", {"retention.bytes": "-5x"})])
    check_eq(r["results"][0]["error"], INVALID_CONFIG, "bad value refused")
    r = c.alter_configs([(2, "events", {"segment.bytes": "1048576", "retention.ms": None,
                                        "partitioner": "hash"})])
    check_eq(r["results"][0]["error"], NONE, "alter %r" % r)
    cfg = configs_of(c, "events")
    check_eq(cfg["segment.bytes"], ("1048576", False), "altered")
    check_eq(cfg["retention.ms"], ("604800000", True), "override removed")
    check_eq(cfg["partitioner"], ("hash", False), "partitioner altered")
    r = c.alter_configs([(2, "missing", {"retention.ms": "1"})])
    check_eq(r["results"][0]["error"], UNKNOWN_TOPIC, "alter unknown topic")
    r = c.describe_configs([(4, "1", ["broker.id", "listeners"])])["results"][0]
    check_eq(r["error"], NONE, "describe broker")
    got = {e["name"]: e for e in r["configs"]}
    check_eq(got["broker.id"]["value"], "1", "broker.id value")
    check(not got["listeners"]["default"], "listeners was overridden")


def test_auto_create(c):
    m = c.metadata(["auto1"], auto_create=True)
    check(m["topics"][0]["error"] in (NONE, LEADER_NOT_AVAILABLE), "auto-create answer %r" % m)
    for _ in range(100):
        m = c.metadata(["auto1"])
        if m["topics"][0]["error"] == NONE:
            break
        time.sleep(0.05)
    check_eq(m["topics"][0]["error"], NONE, "auto-created topic appears")
    check_eq(c.metadata(["nope"], auto_create=False)["topics"][0]["error"], UNKNOWN_TOPIC,
             "no auto-create when not asked")


def expect_topics(b, names, what):
    c = b.conn()
    m = c.metadata()
    c.close()
    check_eq(sorted(t["name"] for t in m["topics"]), sorted(names), what)


NOT_CONTROLLER = 41


def test_not_ready_broker_answers_not_controller(runneld):
    """Regression: a broker that is not (yet) the controller judged CreateTopics
    against its empty metadata image and refused a valid topic with the final
    INVALID_REPLICATION_FACTOR instead of the retriable NOT_CONTROLLER. A voter list
    naming a second, absent voter keeps this broker from ever being elected."""
    b = Broker(runneld)
    b.port, b.cport = pick_ports()
    absent = pick_ports()[0]
    b.extra = ["controller.quorum.voters=1@127.0.0.1:%d,2@127.0.0.1:%d" % (b.cport, absent)]
    log = open(b.log_path, "a")
    b.proc = subprocess.Popen(b.args(), cwd=b.dir, stdout=log, stderr=log)
    log.close()
    try:
        deadline = time.time() + 15
        while True:
            try:
                c = b.conn()
                break
            except OSError:
                check(time.time() < deadline and b.proc.poll() is None,
                      "broker never listened:\n" + b.log())
                time.sleep(0.05)
        check_eq(c.metadata()["controller_id"], -1, "no controller without a quorum")
        err, msg = topic_err(c.create_topics([("later", 1, 1)], timeout_ms=0))
        check_eq(err, NOT_CONTROLLER, "create on a broker that is not the controller")
        err, _ = topic_err(c.create_topics([("bad/name", 1, 1)], timeout_ms=0))
        check_eq(err, INVALID_TOPIC, "an invalid name is still refused by any broker")
        r = c.delete_topics(["later"], timeout_ms=0)
        check_eq(r["topics"][0]["error"], NOT_CONTROLLER, "delete on a broker that is not the controller")
        c.close()
    finally:
        b.kill()
        b.cleanup()


def main(runneld):
    test_not_ready_broker_answers_not_controller(runneld)
    b = Broker(runneld).start()
    try:
        c = b.conn()
        c.broker_dir = b.dir
        test_create_and_refuse(c)
        test_configs(c)
        test_auto_create(c)
        c.close()
        names = ["orders", "events", "auto1"]
        check_eq(b.stop(signal.SIGTERM), 0, "SIGTERM exit status")
        check(os.path.exists(os.path.join(b.dir, "data", ".clean-shutdown")), "clean marker")
        b.start()
        expect_topics(b, names, "topics after a clean restart")
        c = b.conn()
        check_eq(configs_of(c, "events")["segment.bytes"], ("1048576", False),
                 "config after restart")
        c.close()
        check_eq(b.kill(), -signal.SIGKILL, "kill -9")
        check(not os.path.exists(os.path.join(b.dir, "data", ".clean-shutdown")), "no marker")
        b.start()
        expect_topics(b, names, "topics after kill -9")
        c = b.conn()
        r = c.delete_topics(["orders", "missing"])
        check_eq([t["error"] for t in r["topics"]], [NONE, UNKNOWN_TOPIC], "delete %r" % r)
        c.close()
        expect_topics(b, ["events", "auto1"], "after delete")
        check(not os.path.exists(os.path.join(b.dir, "data", "orders-0")), "log deleted")
        c = b.conn()
        check_eq(topic_err(c.create_topics([("orders", 1, 1)]))[0], NONE, "re-create")
        c.close()
        check_eq(b.stop(), 0, "exit status")
        b.start()
        expect_topics(b, ["events", "auto1", "orders"], "re-created topic after restart")
        c = b.conn()
        parts = c.metadata(["orders"])["topics"][0]["partitions"]
        check_eq(len(parts), 1, "the re-created topic's partitions")
        c.close()
        check_eq(b.stop(), 0, "final exit status")
        for line in ["created topic orders", "deleted topic orders", "shutting down"]:
            check(line in b.log(), "log has %r" % line)
    finally:
        b.cleanup()


run(main)
