"""runneld starts with defaults, answers ApiVersions and Metadata, and refuses bad
flags, bad configs and unusable resources with the documented exit codes."""
import os
import socket
import subprocess

from rnlib import *


def run_cli(runneld, args, cwd=None):
    p = subprocess.run([runneld] + args, cwd=cwd, capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def test_help_and_version(runneld):
    rc, out, _ = run_cli(runneld, ["--help"])
    check_eq(rc, 0, "--help exit")
    for key in ["broker.id", "listeners", "controller.quorum.voters", "log.dirs",
                "log.retention.ms", "message.max.bytes", "log.level"]:
        check(key in out, "--help lists " + key)
    check("1073741824" in out, "--help shows defaults")
    rc, out, _ = run_cli(runneld, ["--version"])
    check_eq(rc, 0, "--version exit")
    check(out.startswith("runneld "), "--version output: " + out)


def test_usage_errors(runneld, tmp):
    rc, _, err = run_cli(runneld, ["--bogus"])
    check_eq(rc, 2, "unknown flag exit")
    check("--bogus" in err and err.count("\n") == 1, "one line naming the flag: " + err)
    path = os.path.join(tmp, "bad.properties")
    with open(path, "w") as f:
        f.write("# a comment\nbroker.id=1\nno.such.key=3\n")
    rc, _, err = run_cli(runneld, ["--config", path])
    check_eq(rc, 2, "unknown key exit")
    check("no.such.key" in err and "line 3" in err, "names key and line: " + err)
    with open(path, "w") as f:
        f.write("log.retention.ms=soon\n")
    rc, _, err = run_cli(runneld, ["--config", path])
    check_eq(rc, 2, "bad value exit")
    check("log.retention.ms" in err, "names the key: " + err)
    rc, _, err = run_cli(runneld, ["--override", "num.partitions=0"])
    check_eq(rc, 2, "bad override exit")
    check("num.partitions" in err, "names the key: " + err)
    rc, _, err = run_cli(runneld, ["--config", os.path.join(tmp, "missing.properties")])
    check_eq(rc, 2, "missing config file exit")


def test_defaults_serve(runneld):
    b = Broker(runneld).start()
    try:
        c = b.conn()
        av = c.api_versions()
        check_eq(av["error"], NONE, "ApiVersions error")
        keys = {k[0]: (k[1], k[2]) for k in av["keys"]}
        for k in [0, 1, 2, 3, 18, 19, 20, 32, 33]:
            check(k in keys, "ApiVersions lists key %d" % k)
        m = c.metadata()
        check_eq(m["error"], NONE, "Metadata error")
        check_eq(m["controller_id"], 1, "controller id")
        check_eq(m["brokers"], [(1, "127.0.0.1", b.port)], "brokers")
        check(m["cluster_id"] and len(m["cluster_id"]) == 32, "cluster id: %r" % m["cluster_id"])
        check_eq(m["topics"], [], "no topics yet")
        c.close()
        props = open(os.path.join(b.dir, "data", "meta.properties")).read()
        check("broker.id=1" in props and "cluster.id=" + m["cluster_id"] in props,
              "meta.properties: " + props)
        check("listening on 127.0.0.1:%d" % b.port in b.log(), "logs the listener")
        check_eq(b.stop(), 0, "exit status after SIGTERM")
        check(os.path.exists(os.path.join(b.dir, "data", ".clean-shutdown")),
              "clean-shutdown marker")
        check("shutting down" in b.log(), "logs the shutdown")
    finally:
        b.cleanup()


def test_startup_failures(runneld, tmp):
    # listener port in use
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    used = s.getsockname()[1]
    b = Broker(runneld)
    b.port, b.cport = used, pick_ports()[1]
    rc, _, err = run_cli(runneld, b.args()[1:], cwd=b.dir)
    s.close()
    check_eq(rc, 1, "port in use exit")
    last = err.strip().splitlines()[-1]
    check(str(used) in last and last.startswith("runneld: "), "a line naming the address: " + err)
    # another broker's data directory
    b.port, b.cport = pick_ports()
    with open(os.path.join(b.dir, "x"), "w"):
        pass
    os.makedirs(os.path.join(b.dir, "data"), exist_ok=True)
    with open(os.path.join(b.dir, "data", "meta.properties"), "w") as f:
        f.write("version=0\nbroker.id=7\n")
    rc, _, err = run_cli(runneld, b.args()[1:], cwd=b.dir)
    check_eq(rc, 1, "broker.id mismatch exit")
    check("broker.id=7" in err, "names the mismatch: " + err)
    # unwritable log directory
    if os.geteuid() != 0:
        ro = os.path.join(tmp, "ro")
        os.makedirs(ro)
        os.chmod(ro, 0o500)
        rc, _, err = run_cli(runneld, b.args()[1:] + ["--override", "log.dirs=" + ro + "/d"])
        check_eq(rc, 1, "unwritable dir exit")
    b.cleanup()


def main(runneld):
    tmp = tempfile.mkdtemp(prefix="rn-it-")
    try:
        test_help_and_version(runneld)
        test_usage_errors(runneld, tmp)
        test_defaults_serve(runneld)
        test_startup_failures(runneld, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


run(main)
