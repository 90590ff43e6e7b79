#!/usr/bin/env python3
"""Kiln's supervisor vs supervisord: memory and crash-to-restart latency.

Each service is `#!/bin/sh` + `echo $$ > pids/NAME` + `exec sleep 1000000`: its
pid file changes when it is restarted. A crash is `kill -9` of the service; the
restart time is from the kill to the moment the new pid appears in the file
(polled every 0.2 ms), shell start-up included (the same on both sides). Each
crash hits a different service that has run for more than 1 s, so both
supervisors restart it at once (no backoff)."""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time


def write_services(base, n):
    os.makedirs(f"{base}/pids")
    os.makedirs(f"{base}/p/etc/service")
    paths = []
    for i in range(n):
        path = f"{base}/p/etc/service/svc{i:02d}"
        with open(path, "w") as f:
            f.write(f"#!/bin/sh\necho $$ > {base}/pids/svc{i:02d}\nexec sleep 1000000\n")
        os.chmod(path, 0o755)
        paths.append(path)
    return paths


def read_pid(base, name):
    try:
        with open(f"{base}/pids/{name}") as f:
            text = f.read().strip()
            return int(text) if text else 0
    except FileNotFoundError:
        return 0


def wait_all(base, names, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if all(read_pid(base, n) for n in names):
            return
        time.sleep(0.05)
    sys.exit("bench: services did not all start")


def memory(pid):
    """RSS, PSS and USS (private) in KiB from /proc/PID/smaps_rollup."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if parts[0].rstrip(":") in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                out[parts[0].rstrip(":")] = int(parts[1])
    return {"rss": out["Rss"], "pss": out["Pss"],
            "uss": out["Private_Clean"] + out["Private_Dirty"]}


def crashes(base, names, count):
    times = []
    for name in names[:count]:
        old = read_pid(base, name)
        t0 = time.perf_counter()
        os.kill(old, signal.SIGKILL)
        while True:
            pid = read_pid(base, name)
            if pid and pid != old:
                break
            if time.perf_counter() - t0 > 10:
                sys.exit(f"bench: {name} was not restarted within 10 s")
            time.sleep(0.0002)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def run_kiln(kiln, base, paths, count):
    root = f"{base}/root"
    os.makedirs(f"{root}/run")
    services = [{"name": "p:" + os.path.basename(p), "partition": "p", "path": p,
                 "kind": "service", "hash": "x", "cwd": f"{base}/p"} for p in paths]
    with open(f"{root}/run/services.json", "w") as f:
        json.dump({"format": 1, "services": services}, f)
    subprocess.run([kiln, "supervisor", "--daemon", "--root", root], check=True)
    try:
        names = [os.path.basename(p) for p in paths]
        wait_all(base, names)
        time.sleep(1.5)  # every service has run >= 1 s: restarts are immediate
        sup = int(open(f"{root}/run/supervisor.pid").read())
        keeper = _child_named(sup, "kiln-keeper")
        mem = {"supervisor": memory(sup), "keeper": memory(keeper),
               "exe": os.readlink(f"/proc/{sup}/exe")}
        lat = crashes(base, names, count)
        mem["supervisor_after"] = memory(sup)
        return mem, lat
    finally:
        subprocess.run([kiln, "ctl", "shutdown", "--root", root])


def _child_named(ppid, comm):
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            stat = open(f"/proc/{p}/stat").read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if name == comm and int(fields[1]) == ppid:
            return int(p)
    sys.exit(f"bench: no {comm} under {ppid}")


def run_supervisord(base, paths, count):
    conf = f"{base}/supervisord.conf"
    with open(conf, "w") as f:
        f.write(f"[supervisord]\nlogfile={base}/supervisord.log\npidfile={base}/supervisord.pid\n"
                f"childlogdir={base}\n\n[unix_http_server]\nfile={base}/supervisor.sock\n\n"
                "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = "
                "supervisor.rpcinterface:make_main_rpcinterface\n\n")
        for p in paths:
            f.write(f"[program:{os.path.basename(p)}]\ncommand={p}\nautorestart=true\n"
                    f"stdout_logfile={base}/{os.path.basename(p)}.log\nredirect_stderr=true\n\n")
    subprocess.run(["supervisord", "-c", conf], check=True)
    pid = None
    try:
        names = [os.path.basename(p) for p in paths]
        wait_all(base, names)
        time.sleep(1.5)
        pid = int(open(f"{base}/supervisord.pid").read())
        mem = {"supervisor": memory(pid)}
        lat = crashes(base, names, count)
        mem["supervisor_after"] = memory(pid)
        return mem, lat
    finally:
        if pid:
            # supervisord stops its programs one by one: give it a minute, then
            # make sure nothing of the run is left behind.
            os.kill(pid, signal.SIGTERM)
            for _ in range(1200):
                if not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z":
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)
                for name in os.listdir(f"{base}/pids"):  # the services' current pids
                    try:
                        os.kill(int(open(f"{base}/pids/{name}").read()), signal.SIGKILL)
                    except (OSError, ValueError):
                        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln", required=True)
    ap.add_argument("--services", type=int, default=50)
    ap.add_argument("--crashes", type=int, default=25)
    a = ap.parse_args()
    count = min(a.crashes, a.services)
    results = {}
    for label in ("kiln", "supervisord"):
        base = tempfile.mkdtemp(prefix=f"kb-{label}-")
        try:
            paths = write_services(base, a.services)
            if label == "kiln":
                results[label] = run_kiln(os.path.abspath(a.kiln), base, paths, count)
            else:
                results[label] = run_supervisord(base, paths, count)
        finally:
            shutil.rmtree(base, ignore_errors=True)
    print(f"{a.services} services, {count} crashes each (kill -9 -> new pid)")
    km, kl = results["kiln"]
    print(f"kiln's supervisor process runs {km['exe']}\n")
    sm, sl = results["supervisord"]
    for label, (mem, lat) in results.items():
        m = mem["supervisor_after"]
        print(f"{label:12s} supervisor RSS {m['rss']:6d} KiB  PSS {m['pss']:6d} KiB  "
              f"USS {m['uss']:6d} KiB   restart median {statistics.median(lat):7.2f} ms  "
              f"p90 {sorted(lat)[int(len(lat) * 0.9) - 1]:7.2f} ms  max {max(lat):7.2f} ms")
        if "keeper" in mem:
            k = mem["keeper"]
            print(f"{'':12s} + keeper    RSS {k['rss']:6d} KiB  PSS {k['pss']:6d} KiB  "
                  f"USS {k['uss']:6d} KiB")
    k, s = km["supervisor_after"], sm["supervisor_after"]
    kk = km["keeper"]
    print(f"\nmemory kiln/supervisord: RSS {k['rss'] / s['rss']:.3f} "
          f"(with the keeper {(k['rss'] + kk['rss']) / s['rss']:.3f}), "
          f"PSS {k['pss'] / s['pss']:.3f} (with the keeper {(k['pss'] + kk['pss']) / s['pss']:.3f}), "
          f"USS {k['uss'] / s['uss']:.3f}")
    print(f"restart median supervisord/kiln: {statistics.median(sl) / statistics.median(kl):.1f}x")


if __name__ == "__main__":
    main()
