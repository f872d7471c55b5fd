"""Logins (POST /token, form) for bench/run-abuse and bench/run-memory,
one new connection each, with their statuses and latencies.

  /usr/bin/python3 bench/logins.py paced URL BODIES SECONDS INTERVAL SOURCES
  /usr/bin/python3 bench/logins.py count URL BODIES COUNT CONCURRENCY

BODIES is a file of form bodies (username=...&password=...), one a line,
used in turn.

paced: one login every INTERVAL seconds for SECONDS seconds, each from
the next address of SOURCES (comma-separated loopback addresses, e.g.
127.0.0.2,127.0.0.3): a client that is not the load, whose latency is
measured while something else loads the server.  The schedule is fixed
(start + i * INTERVAL), so a slow login does not thin out the ones after
it; a login still running when the next is due delays that one.

count: COUNT logins, CONCURRENCY at a time, from 127.0.0.1.

Prints one line: "logins N seconds S rate R p50 A p99 B max C statuses
200=N,..." (latencies in ms; p99 is the nearest-rank percentile, so with
fewer than 100 logins it is the slowest one); paced adds a second line,
"ms A B C...", every login's latency in order.  Exits 1 if any login did
not answer 200.
"""
import http.client
import math
import sys
import threading
import time
import urllib.parse

HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded",
    "Connection": "close",
    "User-Agent": "bench/logins.py",
}


def login(host, port, body, source=None):
    """One login on a new connection: (status, ms); status 0 on failure."""
    t0 = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(
            host, port, timeout=30,
            source_address=(source, 0) if source else None)
        conn.request("POST", "/token", body=body, headers=HEADERS)
        resp = conn.getresponse()
        resp.read()
        status = resp.status
        conn.close()
    except (OSError, http.client.HTTPException):
        status = 0
    return status, (time.perf_counter() - t0) * 1000.0


def percentile(sorted_ms, p):
    if not sorted_ms:
        return float("nan")
    k = max(1, math.ceil(p / 100.0 * len(sorted_ms)))
    return sorted_ms[k - 1]


def report(results, seconds):
    ms = sorted(r[1] for r in results)
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    print("logins %d seconds %.1f rate %.1f p50 %.1f p99 %.1f max %.1f "
          "statuses %s" % (
              len(results), seconds, len(results) / seconds if seconds else 0,
              percentile(ms, 50), percentile(ms, 99), ms[-1] if ms else 0,
              ",".join("%d=%d" % kv for kv in sorted(statuses.items()))))
    sys.stdout.flush()
    return bool(results) and all(s == 200 for s in statuses)


def paced(host, port, bodies, seconds, interval, sources):
    results = []
    n = int(round(seconds / interval))
    start = time.monotonic()
    for i in range(n):
        due = start + i * interval
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        results.append(login(host, port, bodies[i % len(bodies)],
                             sources[i % len(sources)]))
    # The rate is the schedule's (one login per INTERVAL), not the time
    # the last login happened to end at.
    ok = report(results, n * interval)
    print("ms " + " ".join("%.1f" % r[1] for r in results))
    return ok


def count(host, port, bodies, total, concurrency):
    results = []
    lock = threading.Lock()
    next_i = [0]

    def run():
        while True:
            with lock:
                i = next_i[0]
                if i >= total:
                    return
                next_i[0] = i + 1
            r = login(host, port, bodies[i % len(bodies)])
            with lock:
                results.append(r)

    start = time.monotonic()
    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return report(results, time.monotonic() - start)


def main(argv):
    if len(argv) < 2 or (argv[1], len(argv)) not in (("paced", 7), ("count", 6)):
        sys.stderr.write(__doc__)
        return 2
    u = urllib.parse.urlsplit(argv[2])
    with open(argv[3]) as f:
        bodies = [line.rstrip("\n") for line in f if line.strip()]
    if not bodies:
        sys.stderr.write("logins.py: no bodies in %s\n" % argv[3])
        return 2
    if argv[1] == "paced":
        ok = paced(u.hostname, u.port or 80, bodies, float(argv[4]),
                   float(argv[5]), argv[6].split(","))
    else:
        ok = count(u.hostname, u.port or 80, bodies, int(argv[4]),
                   int(argv[5]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
