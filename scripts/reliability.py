#!/usr/bin/env python3
"""Long reliability runs against the real portal binary on loopback, each bounded in
time, each printing one JSON line of figures (docs/RELIABILITY.md):

  soak MINUTES       mixed traffic; RSS and open files sampled from /proc
  pg-restart         a private PostgreSQL stopped for 10 s under load
  disk-full          the SQLite file on a 4 MB tmpfs filled up, then space freed
  connections URL    slowloris clients and 10,000 idle connections; is URL still served?
  portal-connections the same against a portal of its own
  agent-burst        100 concurrent /pkcs11info and /sign on a SoftHSM2 card, then the
                     connection attacks against the agent

Run by scripts/faults.sh and scripts/soak.sh, which build the binaries first.
"""

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import selectors
import socket
from urllib.parse import urlparse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "crates/ecpa-portal/tests/fixtures/tw-pki")
ORIGIN = "http://localhost:8080"
PASSWORD = "correct horse 1"
AGENCY = "3230000"
EMPLOYEES = 20


def national_id(n):
    body = "1%07d" % (n % 10_000_000)
    total = 1 + sum(int(d) * (8 - i) for i, d in enumerate(body))
    return "A%s%d" % (body, (10 - total % 10) % 10)


class Portal:
    """`ecpa-portal serve` on a free loopback port."""

    def __init__(self, binary, db_url, workdir, extra_env=None):
        self.binary, self.db_url, self.workdir = binary, db_url, workdir
        self.env = dict(os.environ)
        self.env.update({
            "ECPA_LISTEN": "127.0.0.1:0",
            "ECPA_PUBLIC_ORIGIN": ORIGIN,
            "ECPA_DATABASE_URL": db_url,
            "ECPA_TRUST_ANCHORS": os.path.join(FIXTURES, "moica-g3.pem"),
            "ECPA_CRLS": "",
            "ECPA_CHALLENGES_PER_MINUTE": str(2**32 - 1),
            "ECPA_DIST_DIR": workdir,
            "RUST_LOG": "warn,ecpa_portal=info",
            "NO_COLOR": "1",
        })
        self.env.update(extra_env or {})
        self.log = open(os.path.join(workdir, "portal.log"), "a")
        self.proc = subprocess.Popen([binary, "serve"], env=self.env,
                                     stderr=subprocess.PIPE, text=True)
        for line in self.proc.stderr:
            self.log.write(line)
            if "portal ready" in line:
                self.listen = re.search(r"listen=(\S+)", line).group(1)
                break
        else:
            raise SystemExit("the portal did not start: see %s/portal.log" % workdir)
        threading.Thread(target=self._drain, daemon=True).start()
        host, port = self.listen.rsplit(":", 1)
        self.host, self.port = host, int(port)

    def _drain(self):
        for line in self.proc.stderr:
            self.log.write(line)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def seed(binary, db_url, workdir):
    """The agency, EMPLOYEES current employees and their accounts (emp0…)."""
    files = {
        "agencies": "code,name,oid\n%s,人事總處,\n" % AGENCY,
        "personnel": "national_id,name,agency_code,service_unit,personnel_category,"
                     "concurrent_duty,status,filed_on\n" + "".join(
            "%s,員工%d,%s,資訊室,01,,current,2025-01-01\n" % (national_id(900 + n), n, AGENCY)
            for n in range(EMPLOYEES)),
        "accounts": "account,national_id,password\n" + "".join(
            "emp%d,%s,%s\n" % (n, national_id(900 + n), PASSWORD) for n in range(EMPLOYEES)),
    }
    env = dict(os.environ, ECPA_DATABASE_URL=db_url)
    for kind in ("agencies", "personnel", "accounts"):
        path = os.path.join(workdir, kind + ".csv")
        with open(path, "w") as f:
            f.write(files[kind])
        subprocess.run([binary, "import", kind, path], env=env, check=True,
                       stdout=subprocess.DEVNULL)


def request(host, port, method, path, body=None, cookie=None, timeout=30):
    """(status, error code or None, session cookie or None, seconds); status 0 when
    the connection failed."""
    started = time.monotonic()
    headers = {"Origin": ORIGIN}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        conn.close()
    except (OSError, http.client.HTTPException):
        return 0, None, None, time.monotonic() - started
    code = None
    if answer.status >= 400 and data[:1] == b"{":
        try:
            code = json.loads(data).get("error")
        except ValueError:
            code = "UNREADABLE"
    cookie = None
    for name, value in answer.getheaders():
        if name.lower() == "set-cookie" and value.startswith("ecpa_session="):
            cookie = value.split(";")[0]
    return answer.status, code, cookie, time.monotonic() - started


CERTIFICATE_B64 = None


def fixture_certificate():
    global CERTIFICATE_B64
    if CERTIFICATE_B64 is None:
        with open(os.path.join(FIXTURES, "moica-g3.pem")) as f:
            text = f.read()
        CERTIFICATE_B64 = "".join(l for l in text.splitlines() if "-----" not in l)
    return CERTIFICATE_B64


def session_round(host, port, n, record):
    """One employee's visit: password login, who am I, eligibility, a challenge, a
    certificate status, an agency, logout; `record(status, code, seconds)` for each."""
    account = "emp%d" % (n % EMPLOYEES)
    status, code, cookie, took = request(host, port, "POST", "/api/session/password",
                                         {"account": account, "password": PASSWORD})
    record(status, code, took)
    steps = [
        ("GET", "/api/me", None),
        ("GET", "/api/me/eligibility?kind=citizen", None),
        ("POST", "/api/challenges", {"purpose": "register"}),
        ("POST", "/api/certificates/status", {"certificate": fixture_certificate()}),
        ("GET", "/api/agencies/" + AGENCY, None),
        ("GET", "/api/config", None),
        ("GET", "/api/me/certificates", None),
        ("DELETE", "/api/session", None),
    ]
    for method, path, body in steps:
        status, code, _, took = request(host, port, method, path, body, cookie)
        record(status, code, took)


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.slowest = 0.0

    def record(self, status, code, took):
        with self.lock:
            key = "%d%s" % (status, " " + code if code else "")
            self.counts[key] = self.counts.get(key, 0) + 1
            self.slowest = max(self.slowest, took)

    def total(self):
        with self.lock:
            return sum(self.counts.values())


def load(host, port, tally, stop, workers=6):
    def worker(w):
        n = w
        while not stop.is_set():
            session_round(host, port, n, tally.record)
            n += workers
    threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(workers)]
    for t in threads:
        t.start()
    return threads


def proc_sample(pid):
    with open("/proc/%d/status" % pid) as f:
        rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    return rss, len(os.listdir("/proc/%d/fd" % pid))


def soak(binary, minutes):
    work = tempfile.mkdtemp(prefix="ecpa-soak-")
    db_url = "sqlite://%s/portal.db?mode=rwc" % work
    seed(binary, db_url, work)
    portal = Portal(binary, db_url, work)
    tally, stop = Tally(), threading.Event()
    threads = load(portal.host, portal.port, tally, stop)
    samples, started = [], time.monotonic()
    warm_up = min(120, minutes * 60 / 5)
    try:
        while time.monotonic() - started < minutes * 60:
            time.sleep(10)
            rss, fds = proc_sample(portal.proc.pid)
            samples.append((round(time.monotonic() - started), rss, fds, tally.total()))
    finally:
        stop.set()
        for t in threads:
            t.join()
        portal.stop()
    with open(os.path.join(ROOT, "target", "soak-samples.tsv"), "w") as f:
        f.write("seconds\trss_kib\topen_files\trequests\n")
        for s in samples:
            f.write("%d\t%d\t%d\t%d\n" % s)
    after_warm_up = next(s for s in samples if s[0] >= warm_up)
    end = samples[-1]
    fds = [s[2] for s in samples if s[0] >= warm_up]
    shutil.rmtree(work)
    return {
        "case": "soak", "minutes": minutes, "requests": tally.total(),
        "answers": tally.counts, "slowest_s": round(tally.slowest, 3),
        "rss_kib_after_warm_up": after_warm_up[1], "warm_up_s": after_warm_up[0],
        "rss_kib_end": end[1], "rss_change_pct": round(100.0 * (end[1] - after_warm_up[1]) / after_warm_up[1], 1),
        "open_files_after_warm_up": fds[0], "open_files_max": max(fds), "open_files_end": end[2],
        "samples": "target/soak-samples.tsv",
    }


def private_postgres(work):
    """A PostgreSQL cluster of our own on a Unix socket in `work` (never the machine's)."""
    bindir = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1]
    bindir = "/usr/lib/postgresql/%s/bin" % bindir
    data, sock = os.path.join(work, "pgdata"), os.path.join(work, "sock")
    os.makedirs(sock)
    shutil.chown(work, "postgres")
    shutil.chown(sock, "postgres")
    as_pg = lambda cmd: subprocess.run(["su", "postgres", "-c", cmd], check=True,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    as_pg("%s/initdb -A trust -U postgres -D %s" % (bindir, data))
    ctl = lambda action: as_pg("%s/pg_ctl -w -D %s -o '-k %s -p 5499 -c listen_addresses=' -l %s/pg.log %s"
                               % (bindir, data, sock, work, action))
    ctl("start")
    return ctl, "postgres:///postgres?host=%s&port=5499&user=postgres" % sock


def pg_restart(binary, outage_s=10):
    work = tempfile.mkdtemp(prefix="ecpa-pg-")
    os.chmod(work, 0o755)
    ctl, db_url = private_postgres(work)
    try:
        seed(binary, db_url, work)
        portal = Portal(binary, db_url, work)
        before, during, after, stop = Tally(), Tally(), Tally(), threading.Event()
        phase = {"tally": before}
        record = lambda s, c, t: phase["tally"].record(s, c, t)
        threads = []
        for w in range(6):
            def worker(w=w):
                n = w
                while not stop.is_set():
                    session_round(portal.host, portal.port, n, record)
                    n += 6
            threads.append(threading.Thread(target=worker, daemon=True))
            threads[-1].start()
        time.sleep(10)
        phase["tally"] = during
        ctl("stop -m fast")
        time.sleep(outage_s)
        ctl("start")
        restarted = time.monotonic()
        phase["tally"] = after
        recovered = None
        while time.monotonic() - restarted < 60:
            status, _, _, _ = request(portal.host, portal.port, "POST", "/api/session/password",
                                      {"account": "emp0", "password": PASSWORD})
            if status == 200:
                recovered = time.monotonic() - restarted
                break
            time.sleep(0.5)
        time.sleep(10)
        stop.set()
        for t in threads:
            t.join()
        portal_alive = portal.proc.poll() is None
        portal.stop()
    finally:
        try:
            ctl("stop -m immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(work, ignore_errors=True)
    return {
        "case": "pg-restart", "outage_s": outage_s,
        "before": before.counts, "during": during.counts, "after": after.counts,
        "slowest_during_s": round(during.slowest, 3),
        "recovered_after_s": None if recovered is None else round(recovered, 2),
        "portal_never_restarted": portal_alive,
        "held": portal_alive and recovered is not None
                and not any(k.startswith("500") for k in during.counts)
                and during.slowest < 15,
    }


def disk_full(binary, size_mb=4):
    work = tempfile.mkdtemp(prefix="ecpa-disk-")
    mount = os.path.join(work, "small")
    os.makedirs(mount)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % size_mb, "tmpfs", mount], check=True)
    try:
        db_path = os.path.join(mount, "portal.db")
        db_url = "sqlite://%s?mode=rwc" % db_path
        seed(binary, db_url, work)
        portal = Portal(binary, db_url, work)
        tally = Tally()
        # Sessions and challenges are rows: each round writes some until the disk is full.
        full_after = None
        started = time.monotonic()
        while time.monotonic() - started < 300:
            session_round(portal.host, portal.port, 0, tally.record)
            if any("STORAGE_FULL" in k for k in tally.counts):
                full_after = tally.total()
                break
        filling = Tally()
        for _ in range(20):
            session_round(portal.host, portal.port, 1, filling.record)
        # Space returns: the file system grows; the portal is not restarted.
        freed = Tally()
        subprocess.run(["mount", "-o", "remount,size=%dm" % (size_mb * 4), mount], check=True)
        for _ in range(20):
            session_round(portal.host, portal.port, 2, freed.record)
        portal.stop()
        check = subprocess.run(["sqlite3", db_path, "PRAGMA integrity_check"],
                               capture_output=True, text=True) if shutil.which("sqlite3") else None
        integrity = check.stdout.strip() if check else python_integrity(db_path)
    finally:
        subprocess.run(["umount", mount])
        shutil.rmtree(work, ignore_errors=True)
    return {
        "case": "disk-full", "tmpfs_mb": size_mb, "requests_until_full": full_after,
        "while_full": filling.counts, "after_space_returned": freed.counts,
        "integrity_check": integrity,
        "held": full_after is not None and integrity == "ok"
                and not any(k.startswith("500") for k in filling.counts)
                and not any(k[:1] == "5" or k[:3] in ("401", "400") for k in freed.counts),
    }


def python_integrity(path):
    import sqlite3
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def connections(url, idle=10_000, slow=200, seconds=60):
    """`slow` clients sending a header line every 5 s, and `idle` connections that
    send nothing; meanwhile one client asks `url` every second. Also how long the
    server let each attack connection stay open (seen about once a second)."""
    target = urlparse(url)
    host, port = target.hostname, target.port
    opened, refused, socks = 0, 0, []
    watch = selectors.DefaultSelector()
    opened_at = {}
    for i in range(idle):
        s = socket.socket()
        s.setblocking(True)
        try:
            s.connect((host, port))
            socks.append(s)
            opened += 1
            opened_at[s] = time.monotonic()
            watch.register(s, selectors.EVENT_READ)
        except OSError:
            refused += 1
            s.close()
    slow_socks = []
    for i in range(slow):
        try:
            s = socket.create_connection((host, port))
            s.sendall(b"GET " + (target.path or "/").encode() + b" HTTP/1.1\r\nHost: %s:%d\r\n" % (host.encode(), port))
            slow_socks.append(s)
            opened_at[s] = time.monotonic()
            watch.register(s, selectors.EVENT_READ)
        except OSError:
            refused += 1
    open_for = {"idle": [], "slow": []}
    slow_set = set(slow_socks)

    def note_closed():
        for key, _ in watch.select(timeout=0):
            s = key.fileobj
            try:
                data = s.recv(1)
            except OSError:
                data = b""
            if data == b"":
                watch.unregister(s)
                kind = "slow" if s in slow_set else "idle"
                open_for[kind].append(time.monotonic() - opened_at[s])

    served, failed, slowest = 0, 0, 0.0
    started = time.monotonic()
    host_header = "%s:%d" % (host, port)
    while time.monotonic() - started < seconds:
        note_closed()
        for s in slow_socks:
            try:
                s.sendall(b"X-Slow: 1\r\n")
            except OSError:
                pass
        t0 = time.monotonic()
        try:
            conn = http.client.HTTPConnection(host, port, timeout=10)
            conn.request("GET", target.path or "/", headers={"Host": host_header, "Origin": ORIGIN})
            answer = conn.getresponse()
            answer.read()
            conn.close()
            served += 1 if answer.status < 500 else 0
            failed += 0 if answer.status < 500 else 1
        except (OSError, http.client.HTTPException):
            failed += 1
        slowest = max(slowest, time.monotonic() - t0)
        time.sleep(1)
    note_closed()
    still_open = 0
    for s in socks + slow_socks:
        try:
            s.setblocking(False)
            data = s.recv(1)
            still_open += 0 if data == b"" else 1
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
        s.close()
    watch.close()

    def span(values):
        return [round(min(values), 1), round(max(values), 1)] if values else None

    return {
        "case": "connections", "url": url, "idle_opened": opened, "slow_clients": len(slow_socks),
        "refused": refused, "other_client_served": served, "other_client_failed": failed,
        "other_client_slowest_s": round(slowest, 3), "attack_connections_still_open_at_end": still_open,
        "idle_closed_by_server": len(open_for["idle"]), "idle_open_for_s": span(open_for["idle"]),
        "slow_closed_by_server": len(open_for["slow"]), "slow_open_for_s": span(open_for["slow"]),
        "held": failed == 0 and still_open == 0,
    }


SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "123456"


def agent_burst(agent_binary, devcard_binary, requests=100):
    """A SoftHSM2 card made by ecpa-devcard; `requests` at once, half `/pkcs11info`,
    half `/sign`; then the agent must still answer. Then the idle/slow connections."""
    work = tempfile.mkdtemp(prefix="ecpa-agent-")
    tokens = os.path.join(work, "tokens")
    os.makedirs(tokens)
    conf = os.path.join(work, "softhsm2.conf")
    with open(conf, "w") as f:
        f.write("directories.tokendir = %s\nobjectstore.backend = file\n" % tokens)
    env = dict(os.environ, SOFTHSM2_CONF=conf, RUST_LOG="warn")
    subprocess.run([devcard_binary, "card", "--pki", os.path.join(work, "pki"), "--softhsm-conf", conf,
                    "--module", SOFTHSM, "--label", "burst", "--pin", PIN, "--kind", "citizen",
                    "--name", "王大明", "--national-id", national_id(5)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    sites = os.path.join(work, "trusted-sites")
    open(sites, "w").close()
    agent = subprocess.Popen([agent_binary, "serve", "--module", SOFTHSM, "--listen", "127.0.0.1:0",
                              "--trusted-sites", sites], env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = agent.stdout.readline()
        base = re.search(r"(http://\S+)", line).group(1)
        port = int(base.rsplit(":", 1)[1])
        own = "http://127.0.0.1:%d" % port
        tbs = "burst test"
        package = json.dumps({"func": "MakeSignature", "signatureType": "PKCS1", "tbs": tbs,
                              "tbsEncoding": "NONE", "hashAlgorithm": "SHA256", "pin": PIN})
        from urllib.parse import quote
        form = "tbsPackage=" + quote(package, safe="")
        results, lock = {}, threading.Lock()
        slowest = [0.0]

        def one(i):
            t0 = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                headers = {"Host": "127.0.0.1:%d" % port, "Origin": own}
                if i % 2:
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
                    conn.request("POST", "/sign", body=form, headers=headers)
                else:
                    conn.request("GET", "/pkcs11info?withcert=true", headers=headers)
                answer = json.loads(conn.getresponse().read())
                key = "%s ret_code=%d" % ("sign" if i % 2 else "pkcs11info", answer["ret_code"])
            except Exception as e:  # noqa: BLE001 - any failure is a figure here
                key = "failed: %s" % type(e).__name__
            with lock:
                results[key] = results.get(key, 0) + 1
                slowest[0] = max(slowest[0], time.monotonic() - t0)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(requests)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - started
        after = request("127.0.0.1", port, "GET", "/", None)
        conns = connections("%s/" % base, seconds=30)
        return {
            "case": "agent-burst", "requests": requests, "answers": results,
            "all_s": round(took, 2), "slowest_s": round(slowest[0], 2),
            "answers_after": after[0], "connections": conns,
            "held": after[0] == 200 and not any(k.startswith("failed") for k in results)
                    and all(k.endswith("ret_code=0") for k in results) and conns["held"],
        }
    finally:
        agent.kill()
        agent.wait()
        shutil.rmtree(work, ignore_errors=True)


def main():
    case = sys.argv[1]
    if case == "soak":
        result = soak(sys.argv[2], float(sys.argv[3]))
    elif case == "pg-restart":
        result = pg_restart(sys.argv[2])
    elif case == "disk-full":
        result = disk_full(sys.argv[2])
    elif case == "connections":
        result = connections(sys.argv[2], seconds=int(sys.argv[3]) if len(sys.argv) > 3 else 60)
    elif case == "portal-connections":
        work = tempfile.mkdtemp(prefix="ecpa-conn-")
        db_url = "sqlite://%s/portal.db?mode=rwc" % work
        seed(sys.argv[2], db_url, work)
        portal = Portal(sys.argv[2], db_url, work)
        try:
            result = connections("http://%s/api/config" % portal.listen)
            result["portal_alive"] = portal.proc.poll() is None
        finally:
            portal.stop()
            shutil.rmtree(work, ignore_errors=True)
    elif case == "agent-burst":
        result = agent_burst(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
