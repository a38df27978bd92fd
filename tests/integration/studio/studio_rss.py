"""signage-studio's memory: VmRSS and VmHWM from /proc after a few logins and requests.

    python3 studio_rss.py PATH/TO/signage-studio

Prints the numbers; fails when the peak passes the studio's 64 MB goal (logins hash with Argon2id
at 19 MiB, one at a time, so even concurrent logins stay under it).
"""

import re
import sys
import threading

from studio_fixture import Studio

GOAL_KB = 64 * 1024


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M).group(1))


def main(binary):
    users = [(f"user{i}", f"password-{i}-xyz", "editor") for i in range(4)]
    with Studio(binary, users=[("ann", "ann-password-1", "admin")] + users) as s:
        pid = s.proc.pid
        print(f"started:            VmRSS {status_kb(pid, 'VmRSS'):6d} kB  "
              f"VmHWM {status_kb(pid, 'VmHWM'):6d} kB")
        a = s.login("ann", "ann-password-1")
        for _ in range(20):
            a.json("GET", "/api/me")
            a.json("GET", "/api/users")
            a.get("/")
        print(f"after one login:    VmRSS {status_kb(pid, 'VmRSS'):6d} kB  "
              f"VmHWM {status_kb(pid, 'VmHWM'):6d} kB")
        errors = []

        def login(name, password):
            try:
                s.login(name, password)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=login, args=(n, p)) for n, p, _ in users * 2]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        rss, hwm = status_kb(pid, "VmRSS"), status_kb(pid, "VmHWM")
        print(f"after 8 concurrent: VmRSS {rss:6d} kB  VmHWM {hwm:6d} kB")
        assert hwm < GOAL_KB, f"peak {hwm} kB is over the {GOAL_KB} kB goal"


if __name__ == "__main__":
    main(sys.argv[1])
