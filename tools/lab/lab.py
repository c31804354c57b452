"""memhp lab VM harness: boot the lab kernel under QEMU (TCG, q35) and drive it.

Python 3 standard library only. Typical use::

    from lab import Lab, VirtioMem
    with Lab(default_state="online", balloon=True,
             virtio_mem=[VirtioMem("vm0", size="16G")]) as lab:
        rc, out = lab.run("uname -r")
        dimm = lab.add_dimm("1G")
        lab.wait_until(f"[ $({ONLINE_COUNT}) -ge 40 ]", timeout=60)

The guest is a busybox initramfs (tools/lab/mkinitramfs.sh) that loads the
virtio + 9p stack, mounts the repo at /memhp (9p, rw) and the per-run host
directory at /lab (9p, rw), and runs a command agent on its second serial port.
The kernel console (ttyS0) is written to <rundir>/console.log.

Every wait is bounded; QEMU is always ended by the PID this module started
(SIGTERM, then SIGKILL), on stop(), on leaving the with-block, at interpreter
exit, and by a per-Lab hard timeout (default 300 s).
"""

import atexit
import base64
import collections
import ctypes
import datetime
import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
CACHE = os.environ.get("MEMHP_CACHE", os.path.join(REPO, ".cache"))
KERNEL_DIR = os.environ.get("LAB_KERNEL_DIR", os.path.join(CACHE, "kernels", "6.1"))
LAB_CACHE = os.path.join(CACHE, "lab")
RUNS_DIR = os.path.join(LAB_CACHE, "runs")
KEEP_RUNS = int(os.environ.get("LAB_KEEP_RUNS", "30"))

GUEST_REPO = "/memhp"          # 9p share of REPO (rw)
GUEST_RUNDIR = "/lab"          # 9p share of the run directory (rw)
MEMHP_BIN = "build/memhp-static"

MEMORY_SYSFS = "/sys/devices/system/memory"
GUEST_IP = "10.0.2.15"         # QEMU user networking's first guest address
# Guest shell snippets, handy inside wait_until() conditions.
ONLINE_COUNT = "grep -l '^online' %s/memory*/state | wc -l" % MEMORY_SYSFS
BLOCK_COUNT = "ls -d %s/memory[0-9]* | wc -l" % MEMORY_SYSFS

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
# Words a caller may put into a guest shell line unquoted (a bench's extra
# trace options, kernel command-line additions): letters, digits, ' =,._-'.
GUEST_WORDS = re.compile(r"^[A-Za-z0-9 =,._-]*$")


class LabError(Exception):
    """Something went wrong with the VM or the harness."""


class LabSetupError(LabError):
    """A prerequisite is missing on the host (kernel cache, QEMU, busybox...)."""


class LabTimeout(LabError):
    """A bounded wait expired."""

    def __init__(self, msg, out=""):
        super().__init__(msg)
        self.out = out


def _short(text, n=300):
    """text cut to n characters for messages."""
    text = str(text)
    return text if len(text) <= n else text[:n] + "...<%d more chars>" % (len(text) - n)


class CommandFailed(LabError):
    """check() saw a non-zero exit status."""

    def __init__(self, cmd, rc, out):
        tail = "\n".join(_short(ln, 500) for ln in out.rstrip().splitlines()[-15:])
        super().__init__("guest command failed (rc=%d): %s\n%s" % (rc, _short(cmd), tail))
        self.cmd, self.rc, self.out = cmd, rc, out


class QMPError(LabError):
    """QMP answered with an error."""


class Skip(Exception):
    """Raise from a scenario to report SKIP; the message is the reason."""


def scenario(fresh=False, allow_kernel_warnings=False, **lab_config):
    """Decorator for test functions: per-test Lab config (merged over the
    module's LAB dict), fresh=True for a VM of its own, allow_kernel_warnings
    to not fail on WARNING/BUG lines in the console."""

    def deco(fn):
        fn.lab_config = dict(lab_config)
        fn.fresh = fresh
        fn.allow_kernel_warnings = allow_kernel_warnings
        return fn

    return deco


def parse_size(v):
    """'4G', '512M', '2M', '1024K', 123 (bytes) -> bytes."""
    if isinstance(v, int):
        return v
    m = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)i?B?\s*", str(v), re.I)
    if not m:
        raise ValueError("bad size %r (use e.g. 4G, 512M, or bytes)" % (v,))
    mult = {"": 1, "K": KIB, "M": MIB, "G": GIB, "T": 1 << 40}[m.group(2).upper()]
    return int(m.group(1)) * mult


def fmt_size(n):
    for unit, mult in (("G", GIB), ("M", MIB), ("K", KIB)):
        if n and n % mult == 0:
            return "%d%s" % (n // mult, unit)
    return str(n)


class VirtioMem:
    """A cold-plugged virtio-mem-pci device."""

    def __init__(self, id="vm0", size="16G", node=0, requested=0, block_size="2M"):
        self.id = id
        self.size = parse_size(size)
        self.node = node
        self.requested = parse_size(requested)
        self.block_size = parse_size(block_size)

    def __repr__(self):
        return "VirtioMem(%r, size=%s, node=%s, requested=%s, block_size=%s)" % (
            self.id, fmt_size(self.size), self.node, fmt_size(self.requested),
            fmt_size(self.block_size))


Block = collections.namedtuple("Block", "state zone node")
Block.__doc__ = """A memory block: state ('online'/'offline'/...), zone (the
valid_zones text: the zone of an online block, candidate zones of an offline
one; None when not read), node (int or None)."""


def _free_port():
    """A TCP port that is free on 127.0.0.1 right now (for hostfwd)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def use_kernel(name_or_dir):
    """Point the lab (and the scripts it runs: mkinitramfs.sh, kmod build)
    at another fetched kernel: a name under .cache/kernels ('6.1', '6.12')
    or a directory."""
    global KERNEL_DIR
    d = name_or_dir if os.sep in name_or_dir else os.path.join(CACHE, "kernels", name_or_dir)
    KERNEL_DIR = os.path.abspath(d)
    os.environ["LAB_KERNEL_DIR"] = KERNEL_DIR
    return KERNEL_DIR


def kernel_version():
    """(major, minor, patch) of the lab kernel, e.g. (6, 12, 118)."""
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", kernel_release())
    return tuple(int(x or 0) for x in m.groups()) if m else (0, 0, 0)


def kernel_release():
    p = os.path.join(KERNEL_DIR, "release")
    if not os.path.isfile(p):
        raise LabSetupError("lab kernel missing (%s): run tools/deps.sh lab" % p)
    with open(p) as f:
        return f.read().strip()


def _set_pdeathsig():
    # Best effort: QEMU gets SIGKILL if the thread that started it dies.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class _QMP:
    """Minimal synchronous QMP client; async events are kept in .events."""

    def __init__(self, path, timeout):
        self.path = path
        self.sock = None
        self.buf = b""
        self.events = []
        self.lock = threading.Lock()
        self.n = 0
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
                break
            except OSError as e:
                last = e
                s.close()
                time.sleep(0.05)
        if self.sock is None:
            raise LabError("cannot connect to QMP socket %s: %s" % (path, last))
        greeting = self._read_msg(deadline)
        if "QMP" not in greeting:
            raise LabError("unexpected QMP greeting: %r" % greeting)
        self.execute("qmp_capabilities", timeout=max(1.0, deadline - time.monotonic()))

    def _read_msg(self, deadline):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 1:]
                if line.strip():
                    return json.loads(line)
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise LabTimeout("QMP: no answer in time")
            self.sock.settimeout(min(left, 1.0))
            try:
                d = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not d:
                raise LabError("QMP connection closed (QEMU exited?)")
            self.buf += d

    def execute(self, cmd, args=None, timeout=30.0):
        with self.lock:
            self.n += 1
            req = {"execute": cmd, "id": self.n}
            if args:
                req["arguments"] = args
            self.sock.sendall(json.dumps(req).encode() + b"\n")
            deadline = time.monotonic() + timeout
            while True:
                msg = self._read_msg(deadline)
                if "event" in msg:
                    self.events.append(msg)
                    continue
                if msg.get("id") != self.n:
                    continue
                if "error" in msg:
                    e = msg["error"]
                    raise QMPError("QMP %s failed: %s: %s" % (cmd, e.get("class"), e.get("desc")))
                return msg.get("return")

    def wait_event(self, name, timeout, pred=None):
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for i, ev in enumerate(self.events):
                    if ev.get("event") == name and (pred is None or pred(ev)):
                        return self.events.pop(i)
                try:
                    msg = self._read_msg(deadline)
                except LabTimeout:
                    return None
                if "event" in msg:
                    self.events.append(msg)

    def close(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None


class _Agent:
    """Host side of tools/lab/guest/agent.sh (framing described there)."""

    def __init__(self, path, timeout, alive):
        self.sock = None
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline and alive():
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
                break
            except OSError as e:
                last = e
                s.close()
                time.sleep(0.05)
        if self.sock is None:
            raise LabError("cannot connect to agent socket %s: %s" % (path, last))
        self.cond = threading.Condition()
        self.replies = {}
        self.eof = False
        self.ready_seen = False
        self.cur = None
        self.chunks = []
        self.thread = threading.Thread(target=self._reader, name="lab-agent", daemon=True)
        self.thread.start()

    def _reader(self):
        buf = b""
        try:
            while True:
                d = self.sock.recv(65536)
                if not d:
                    break
                buf += d
                *lines, buf = buf.split(b"\n")
                for ln in lines:
                    self._line(ln.rstrip(b"\r"))
        except OSError:
            pass
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def _line(self, ln):
        if b"@@LAB-AGENT-READY@@" in ln:
            self.ready_seen = True
            return
        i = ln.find(b"@@BEGIN ")
        if i >= 0 and ln.endswith(b"@@"):
            self.cur = ln[i + 8:-2].decode(errors="replace")
            self.chunks = []
            return
        i = ln.find(b"@@END ")
        if i >= 0 and ln.endswith(b"@@"):
            parts = ln[i + 6:-2].decode(errors="replace").split()
            if len(parts) == 3 and parts[0] == self.cur:
                try:
                    data = base64.b64decode(b"".join(self.chunks))
                except ValueError:
                    data = b"<lab: undecodable output>"
                try:
                    rc = int(parts[1])
                except ValueError:
                    rc = 255
                with self.cond:
                    self.replies[parts[0]] = (rc, parts[2], data)
                    self.cond.notify_all()
            self.cur = None
            self.chunks = []
            return
        if self.cur is not None:
            self.chunks.append(ln.strip())

    def send(self, rid, cmd, timeout):
        b = base64.b64encode(cmd.encode())
        line = b"\n@@REQ %s %d %s\n" % (rid.encode(), int(timeout), b)
        # The reader thread blocks in recv() on the same socket, so never put a
        # timeout on it: send non-blocking, bounded with select().
        deadline = time.monotonic() + 30
        view = memoryview(line)
        try:
            while view:
                left = deadline - time.monotonic()
                if left <= 0 or self.eof:
                    raise LabError("cannot send to the guest agent within 30 s")
                _, w, _ = select.select([], [self.sock], [], min(left, 1.0))
                if not w:
                    continue
                try:
                    n = self.sock.send(view, socket.MSG_DONTWAIT)
                except (BlockingIOError, InterruptedError):
                    continue
                view = view[n:]
        except OSError as e:
            raise LabError("cannot send to the guest agent (QEMU gone?): %s" % e)

    def wait(self, rid, deadline):
        with self.cond:
            while rid not in self.replies:
                left = deadline - time.monotonic()
                if left <= 0 or self.eof:
                    return None
                self.cond.wait(min(left, 1.0))
            return self.replies.pop(rid)

    def discard(self, prefix):
        with self.cond:
            for k in [k for k in self.replies if k.startswith(prefix)]:
                del self.replies[k]

    def close(self):
        if self.sock:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                self.sock.close()
            except OSError:
                pass
        self.thread.join(timeout=5)


class Lab:
    """One lab VM. Configure in the constructor, then boot() (or use `with`)."""

    def __init__(self, name="lab", ram="4G", slots=8, maxmem="64G", cpus=2, numa=1,
                 virtio_mem=(), balloon=False, default_state="offline", cmdline="",
                 late=(), load=(), hard_timeout=300, boot_timeout=120, rundir=None,
                 share=REPO, loglevel=5, qemu_args=(), cpu=None, kernel=None,
                 initrd=None, qemu="qemu-system-x86_64", net=False, hostfwd=()):
        """
        name          label used in the run directory name
        ram           boot RAM ('4G'); slots/maxmem for DIMM + virtio-mem hotplug
        cpus          vCPUs (TCG, multi-threaded)
        numa          1 (no NUMA config), N (boot RAM split evenly over N nodes),
                      or a list of per-node boot RAM sizes (0 = memoryless node)
        virtio_mem    list of VirtioMem (or dicts with the same keys)
        balloon       add virtio-balloon-pci (id balloon0)
        default_state 'online' / 'offline' / 'online_movable' / ... ->
                      memhp_default_state= on the kernel command line;
                      always set (default 'offline', Debian 6.1's build
                      default) because 6.12 onlines hot-added memory by
                      default (CONFIG_MHP_DEFAULT_ONLINE_TYPE_ONLINE_AUTO);
                      None leaves the kernel's build default
        cmdline       extra kernel command line (str)
        late          boot modules NOT loaded by init (e.g. ['virtio_mem'])
        load          extra modules loaded by init at boot
        hard_timeout  seconds after boot() at which QEMU is killed no matter what
        rundir        where console.log etc. go (default .cache/lab/runs/<stamp>)
        share         host dir shared at /memhp (default: the repo)
        loglevel      console loglevel (5: warnings and worse reach console.log,
                      where the runner looks for WARNING/BUG/Oops)
        qemu_args     extra QEMU arguments (list)
        net           True: a virtio-net NIC on QEMU user networking with
                      restrict=on (no way out of the VM); the guest gets
                      GUEST_IP on eth0 (lab.net on the kernel command line)
        hostfwd       [(host_port, guest_port), ...]: TCP forwards from
                      127.0.0.1:host_port on the host to the guest (implies
                      net); host_port 0 picks a free port, see lab.host_port()
        """
        self.name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:40]
        self.ram = parse_size(ram)
        self.slots = slots
        self.maxmem = parse_size(maxmem) if maxmem else 0
        self.cpus = cpus
        if isinstance(numa, int):
            if numa < 1:
                raise ValueError("numa must be >= 1")
            per = self.ram // numa
            self.numa = [per] * numa if numa > 1 else []
            if numa > 1:
                self.numa[-1] = self.ram - per * (numa - 1)
        else:
            self.numa = [parse_size(s) for s in numa]
            if sum(self.numa) != self.ram:
                raise ValueError("numa node sizes must add up to ram (%s)" % fmt_size(self.ram))
        self.virtio_mem = [v if isinstance(v, VirtioMem) else VirtioMem(**v) for v in virtio_mem]
        self.balloon_dev = bool(balloon)
        self.default_state = default_state
        self.cmdline = cmdline
        self.late = list(late)
        self.load = list(load)
        self.hard_timeout = hard_timeout
        self.boot_timeout = boot_timeout
        self.share = share
        self.loglevel = loglevel
        self.qemu_args = list(qemu_args)
        self.hostfwd = [(int(h), int(g)) for h, g in hostfwd]
        self.net = bool(net) or bool(self.hostfwd)
        self.fwd_ports = {}  # guest port -> host port, after boot()
        self.cpu = cpu
        self.qemu_bin = qemu
        self._kernel = kernel
        self._initrd = initrd
        self._rundir_arg = rundir
        self.rundir = None
        self.proc = None
        self.qmp_conn = None
        self.agent = None
        self.boot_time = None         # host seconds from QEMU start to agent ready
        self.guest_boot_time = None   # guest uptime when init finished
        self._timer = None
        self._sockdir = None
        self._ndimm = 0
        self._nreq = 0
        self._run_lock = threading.Lock()
        self._block_size = None
        self._stopped = False
        self._hard_killed = False
        self._started = None
        self._log = None
        self.release = None

        total = self.ram + sum(v.size for v in self.virtio_mem)
        if self.virtio_mem and total > self.maxmem:
            raise ValueError("ram + virtio-mem sizes (%s) exceed maxmem (%s)"
                             % (fmt_size(total), fmt_size(self.maxmem)))
        nn = max(1, len(self.numa))
        for v in self.virtio_mem:
            if v.node >= nn:
                raise ValueError("virtio-mem %s: node %d but only %d node(s)" % (v.id, v.node, nn))

    # ------------------------------------------------------------------ setup
    def _say(self, msg):
        if self._log:
            self._log.write("[%8.3f] %s\n" % (time.monotonic() - (self._started or time.monotonic()), msg))
            self._log.flush()

    def _paths(self):
        rel = kernel_release()
        self.release = rel
        kernel = self._kernel
        if kernel is None:
            p = os.path.join(KERNEL_DIR, "vmlinuz.path")
            kernel = open(p).read().strip() if os.path.isfile(p) else ""
        if not kernel or not os.path.isfile(kernel):
            raise LabSetupError("lab kernel image missing (%r): run tools/deps.sh lab" % kernel)
        if shutil.which(self.qemu_bin) is None:
            raise LabSetupError("%s not found: run tools/deps.sh lab" % self.qemu_bin)
        initrd = self._initrd
        if initrd is None:
            initrd = os.path.join(LAB_CACHE, "initramfs-%s.cpio.gz" % rel)
            mk = os.path.join(HERE, "mkinitramfs.sh")
            try:
                r = subprocess.run([mk, initrd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=300, universal_newlines=True)
            except subprocess.TimeoutExpired:
                raise LabSetupError("mkinitramfs.sh took more than 300 s")
            if r.returncode != 0:
                raise LabSetupError("mkinitramfs.sh failed:\n" + r.stdout.strip()[-2000:])
        return kernel, initrd

    def _make_rundir(self):
        if self._rundir_arg:
            d = os.path.abspath(self._rundir_arg)
            os.makedirs(d, exist_ok=True)
            return d
        os.makedirs(RUNS_DIR, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        for i in range(1000):
            d = os.path.join(RUNS_DIR, "%s-%s-%d%s" % (stamp, self.name, os.getpid(),
                                                       "" if i == 0 else "-%d" % i))
            try:
                os.makedirs(d)
                break
            except FileExistsError:
                continue
        else:
            raise LabError("cannot create a run directory under %s" % RUNS_DIR)
        self._prune_runs()
        return d

    @staticmethod
    def _prune_runs():
        try:
            runs = sorted(os.path.join(RUNS_DIR, e) for e in os.listdir(RUNS_DIR))
            runs = [r for r in runs if os.path.isdir(r)]
            runs.sort(key=lambda p: os.path.getmtime(p))
            for old in runs[:-KEEP_RUNS]:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass

    def kernel_cmdline(self):
        args = ["console=ttyS0,115200", "panic=-1", "loglevel=%d" % self.loglevel]
        if self.default_state:
            args.append("memhp_default_state=%s" % self.default_state)
        if self.late:
            args.append("lab.late=" + ",".join(self.late))
        if self.load:
            args.append("lab.load=" + ",".join(self.load))
        if self.cmdline:
            args.append(self.cmdline.strip())
        if self.net:
            args.append("lab.net=%s" % GUEST_IP)
        return " ".join(args)

    def qemu_argv(self, kernel, initrd, console, agent_sock, qmp_sock):
        smp = str(self.cpus)
        if len(self.numa) > 1:
            smp += ",sockets=%d,cores=1,threads=1" % self.cpus
        a = [self.qemu_bin, "-M", "q35", "-accel", "tcg", "-smp", smp,
             "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
             "-name", "memhp-lab-" + self.name]
        if self.cpu:
            a += ["-cpu", self.cpu]
        m = fmt_size(self.ram)
        if self.slots:
            m += ",slots=%d" % self.slots
        if self.maxmem:
            m += ",maxmem=%s" % fmt_size(self.maxmem)
        a += ["-m", m]
        for i, size in enumerate(self.numa):
            if size:
                a += ["-object", "memory-backend-ram,id=ram-node%d,size=%s" % (i, fmt_size(size)),
                      "-numa", "node,nodeid=%d,memdev=ram-node%d" % (i, i)]
            else:
                a += ["-numa", "node,nodeid=%d" % i]
        # With NUMA, spread the vCPUs (one socket each) round-robin over the nodes.
        if len(self.numa) > 1:
            for c in range(self.cpus):
                a += ["-numa", "cpu,node-id=%d,socket-id=%d" % (c % len(self.numa), c)]
        a += ["-kernel", kernel, "-initrd", initrd, "-append", self.kernel_cmdline(),
              "-serial", "file:" + console,
              "-serial", "unix:%s,server=on,wait=off" % agent_sock,
              "-qmp", "unix:%s,server=on,wait=off" % qmp_sock]
        if self.share:
            a += ["-fsdev", "local,id=fs-memhp,path=%s,security_model=none" % self.share,
                  "-device", "virtio-9p-pci,fsdev=fs-memhp,mount_tag=memhp"]
        a += ["-fsdev", "local,id=fs-labrun,path=%s,security_model=none" % self.rundir,
              "-device", "virtio-9p-pci,fsdev=fs-labrun,mount_tag=labrun"]
        for v in self.virtio_mem:
            a += ["-object", "memory-backend-ram,id=%s-mem,size=%s" % (v.id, fmt_size(v.size)),
                  "-device", "virtio-mem-pci,id=%s,memdev=%s-mem,node=%d,requested-size=%s,block-size=%s"
                  % (v.id, v.id, v.node, fmt_size(v.requested) if v.requested else "0",
                     fmt_size(v.block_size))]
        if self.balloon_dev:
            a += ["-device", "virtio-balloon-pci,id=balloon0"]
        if self.net:
            fwd = "".join(",hostfwd=tcp:127.0.0.1:%d-:%d" % (self.fwd_ports.get(g, h), g)
                          for h, g in self.hostfwd)
            a += ["-netdev", "user,id=n0,restrict=on" + fwd,
                  "-device", "virtio-net-pci,netdev=n0"]
        return a + self.qemu_args

    def boot(self, timeout=None):
        """Start QEMU and wait until the guest agent answers. Returns self."""
        if self.proc is not None:
            raise LabError("Lab.boot() called twice; make a new Lab")
        timeout = timeout or self.boot_timeout
        kernel, initrd = self._paths()
        self.rundir = self._make_rundir()
        self._log = open(os.path.join(self.rundir, "lab.log"), "a")
        sockdir = self.rundir
        if len(os.path.join(sockdir, "agent.sock")) > 100:
            self._sockdir = sockdir = tempfile.mkdtemp(prefix="memhp-lab-")
        console = os.path.join(self.rundir, "console.log")
        agent_sock = os.path.join(sockdir, "agent.sock")
        qmp_sock = os.path.join(sockdir, "qmp.sock")
        for p in (agent_sock, qmp_sock):
            if os.path.exists(p):
                os.unlink(p)
        for h, g in self.hostfwd:
            self.fwd_ports[g] = h or _free_port()
        argv = self.qemu_argv(kernel, initrd, console, agent_sock, qmp_sock)
        with open(os.path.join(self.rundir, "qemu.cmdline"), "w") as f:
            f.write(" ".join(shlex.quote(x) for x in argv) + "\n")
        qlog = open(os.path.join(self.rundir, "qemu.log"), "w")
        in_main = threading.current_thread() is threading.main_thread()
        self._started = time.monotonic()
        self._say("starting QEMU: " + " ".join(argv))
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=qlog,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_set_pdeathsig if in_main else None)
        except OSError as e:
            qlog.close()
            raise LabSetupError("cannot start %s: %s" % (self.qemu_bin, e))
        qlog.close()
        atexit.register(self.stop)
        self._timer = threading.Timer(self.hard_timeout, self._hard_kill)
        self._timer.daemon = True
        self._timer.start()
        try:
            self._wait_ready(agent_sock, qmp_sock, timeout)
        except BaseException as e:
            time.sleep(0.2)  # let QEMU finish its log lines
            rc = self.proc.poll()
            why = "boot failed: %s" % (e or type(e).__name__)
            if rc is not None:
                why += "\nQEMU exited with status %s%s" % (
                    rc, " (hard timeout %ds)" % self.hard_timeout if self._hard_killed else "")
                why += self._qemu_log_tail()
            msg = self._failure_text(why)
            self.stop()
            if isinstance(e, LabError):
                raise type(e)(msg) from None
            if isinstance(e, Exception):
                raise LabError(msg) from e
            raise
        self._say("booted in %.1fs (guest init done at uptime %ss)"
                  % (self.boot_time, self.guest_boot_time))
        return self

    def _wait_ready(self, agent_sock, qmp_sock, timeout):
        deadline = self._started + timeout
        while not (os.path.exists(agent_sock) and os.path.exists(qmp_sock)):
            self._check_alive("while starting")
            if time.monotonic() > deadline:
                raise LabTimeout("QEMU did not create its sockets in %ds" % timeout)
            time.sleep(0.05)
        self.qmp_conn = _QMP(qmp_sock, timeout=max(1.0, deadline - time.monotonic()))
        self.agent = _Agent(agent_sock, timeout=max(1.0, deadline - time.monotonic()),
                            alive=lambda: self.proc.poll() is None)
        # Ping until the agent answers; pings sent before it started are
        # answered late (or lost) and their replies ignored.
        n = 0
        while True:
            self._check_alive("during boot")
            if time.monotonic() > deadline:
                raise LabTimeout("guest agent did not answer within %ds" % timeout)
            n += 1
            rid = "p%d" % n
            self.agent.send(rid, "cat /run/lab-boot-uptime", 30)
            r = self.agent.wait(rid, min(deadline, time.monotonic() + 2.0))
            if r is None:
                continue
            self.agent.discard("p")
            self.boot_time = time.monotonic() - self._started
            try:
                self.guest_boot_time = float(r[2].decode().strip() or "nan")
            except ValueError:
                self.guest_boot_time = None
            return

    def _qemu_log_tail(self):
        try:
            with open(os.path.join(self.rundir, "qemu.log"), errors="replace") as f:
                tail = f.read().strip().splitlines()[-5:]
        except OSError:
            return ""
        return ("\nqemu.log:\n  " + "\n  ".join(tail)) if tail else ""

    def _check_alive(self, when):
        if self.proc is None:
            raise LabError("lab VM not started")
        rc = self.proc.poll()
        if rc is not None:
            why = " (hard timeout of %ds hit)" % self.hard_timeout if self._hard_killed else ""
            raise LabError("QEMU exited %s with status %s%s%s" % (when, rc, why, self._qemu_log_tail()))

    def _hard_kill(self):
        self._hard_killed = True
        self._say("hard timeout (%ds): killing QEMU" % self.hard_timeout)
        try:
            with open(os.path.join(self.rundir, "HARD-TIMEOUT"), "w") as f:
                f.write("%d\n" % self.hard_timeout)
        except OSError:
            pass
        self._kill_qemu()

    def _kill_qemu(self):
        p = self.proc
        if p is None or p.poll() is not None:
            return
        try:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass

    def stop(self):
        """End QEMU (SIGTERM, SIGKILL after 10 s). Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self._timer:
            self._timer.cancel()
        if self.qmp_conn:
            self.qmp_conn.close()
        self._kill_qemu()
        if self.agent:
            self.agent.close()
        if self._sockdir:
            shutil.rmtree(self._sockdir, ignore_errors=True)
        if self.proc is not None:
            self._say("QEMU ended with status %s" % self.proc.returncode)
        if self._log:
            self._log.close()
            self._log = None
        try:
            atexit.unregister(self.stop)
        except Exception:
            pass

    def __enter__(self):
        if self.proc is None:
            self.boot()
        return self

    def __exit__(self, et, ev, tb):
        if et is not None and self.rundir:
            sys.stderr.write("lab: run directory (console.log): %s\n" % self.rundir)
        self.stop()
        return False

    @property
    def alive(self):
        return self._not_ended_by_us() and self.proc.poll() is None

    @property
    def died(self):
        """QEMU exited on its own (the guest crashed or powered off): not
        stopped by us, not killed by the hard timeout."""
        return self._not_ended_by_us() and self.proc.poll() is not None

    def _not_ended_by_us(self):
        return self.proc is not None and not self._stopped and not self._hard_killed

    # --------------------------------------------------------------- console
    @property
    def console_path(self):
        return os.path.join(self.rundir, "console.log") if self.rundir else None

    def console_text(self, start=0):
        try:
            with open(self.console_path, "rb") as f:
                f.seek(start)
                return f.read().decode(errors="replace")
        except (OSError, TypeError):
            return ""

    def console_size(self):
        try:
            return os.path.getsize(self.console_path)
        except (OSError, TypeError):
            return 0

    def console_tail(self, n=30):
        return "\n".join(self.console_text().splitlines()[-n:])

    KERNEL_PROBLEM = re.compile(r"(BUG:|Oops|general protection fault|Kernel panic|"
                                r"WARNING: CPU|Call Trace:|kernel BUG|RCU stall|hung_task|"
                                r"soft lockup|UBSAN|KASAN)")

    def kernel_problems(self, start=0):
        """Console lines (from byte offset start) that look like kernel bugs."""
        return [ln for ln in self.console_text(start).splitlines() if self.KERNEL_PROBLEM.search(ln)]

    def _failure_text(self, msg):
        parts = [msg]
        if self.rundir:
            parts.append("run directory: %s" % self.rundir)
            tail = self.console_tail(15)
            if tail:
                parts.append("console tail:\n  " + tail.replace("\n", "\n  "))
        return "\n".join(parts)

    # ------------------------------------------------------------ guest cmds
    def run(self, cmd, timeout=60):
        """Run `cmd` with sh in the guest (cwd /memhp). Returns (rc, output)
        with stdout+stderr merged. Raises LabTimeout if it runs longer than
        `timeout` seconds (its process group is then SIGKILLed), LabError if
        the VM is gone. Background jobs (`cmd &`) keep running."""
        if not self.alive:
            self._check_alive("before run()")
            raise LabError("lab VM stopped")
        timeout = max(1, int(round(timeout)))
        short = _short(cmd)
        with self._run_lock:
            self._nreq += 1
            rid = "c%d" % self._nreq
            t0 = time.monotonic()
            script = None
            wire = cmd
            if len(cmd) > 2048:
                # Long scripts travel through the /lab share, not the slow serial line.
                script = os.path.join(self.rundir, ".cmd-%s" % rid)
                with open(script, "w") as f:
                    f.write(cmd)
                wire = "exec sh %s/.cmd-%s" % (GUEST_RUNDIR, rid)
            try:
                self.agent.send(rid, wire, timeout)
                r = self.agent.wait(rid, time.monotonic() + timeout + 30)
            finally:
                if script:
                    try:
                        os.unlink(script)
                    except OSError:
                        pass
        dt = time.monotonic() - t0
        if r is None:
            if self.agent.eof or self._hard_killed:
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    pass
                self._check_alive("during run() of: %s" % short)
                raise LabError(self._failure_text("agent connection closed during: %s" % short))
            raise LabError(self._failure_text(
                "guest agent did not answer in %ds for: %s" % (timeout + 30, short)))
        rc, flags, data = r
        out = data.decode(errors="replace")
        self._say("run %s rc=%d %s %.2fs: %s%s" % (rid, rc, flags, dt, short,
                  "" if not out else "\n    " + "\n    ".join(out.splitlines()[:20])))
        if flags == "timeout":
            raise LabTimeout("guest command timed out after %ds: %s" % (timeout, short), out)
        if flags == "trunc":
            out += "\n<lab: output truncated; write large output under /lab instead>\n"
        return rc, out

    def check(self, cmd, timeout=60):
        """run(); raise CommandFailed unless rc == 0. Returns the output."""
        rc, out = self.run(cmd, timeout)
        if rc != 0:
            raise CommandFailed(cmd, rc, out)
        return out

    def wait_until(self, cond, timeout=60, interval=0.2, what=None):
        """Wait until `cond` holds. cond: a guest shell condition (str, true
        when its exit status is 0; polled inside the guest every `interval` s,
        one agent call) or a Python callable (polled from the host). Returns
        elapsed seconds; raises LabTimeout with the last output otherwise."""
        t0 = time.monotonic()
        what = _short(what or (cond if isinstance(cond, str) else getattr(cond, "__name__", "condition")))
        if isinstance(cond, str):
            script = "until ( %s ) >/dev/null 2>&1; do sleep %s; done" % (cond, interval)
            try:
                rc, _ = self.run(script, timeout=timeout)
            except LabTimeout:
                rc = None
            if rc == 0:
                return time.monotonic() - t0
            try:
                rc2, out = self.run("( %s ) 2>&1" % cond, timeout=30)
            except LabError as e:
                out = str(e)
            raise LabTimeout("timed out after %ss waiting for: %s\nlast output: %s"
                             % (timeout, what, out.strip()[-1000:]), out)
        deadline = t0 + timeout
        last = None
        while True:
            last = cond()
            if last:
                return time.monotonic() - t0
            if time.monotonic() >= deadline:
                raise LabTimeout("timed out after %ss waiting for: %s (last value %r)"
                                 % (timeout, what, last))
            time.sleep(max(interval, 0.05))

    # ------------------------------------------------------- guest helpers
    def block_size(self):
        """Memory block size in bytes (from sysfs, cached)."""
        if self._block_size is None:
            out = self.check("cat %s/block_size_bytes" % MEMORY_SYSFS)
            self._block_size = int(out.strip(), 16)
        return self._block_size

    def blocks(self, zones=True):
        """{block id: Block(state, zone, node)} in one agent call. zones=False
        skips valid_zones (reading it runs zone_for_pfn_range in the kernel,
        which probes on that function would see)."""
        script = r"""
cd %s || exit 1
for d in memory[0-9]*; do
  read s < $d/state
  z=-
  %s
  n=-
  for x in $d/node[0-9]*; do [ -e "$x" ] && n=${x##*/node}; done
  echo "${d#memory} $s $n $z"
done
""" % (MEMORY_SYSFS, 'read z < $d/valid_zones 2>/dev/null || z=-' if zones else ":")
        out = self.check(script, timeout=60)
        res = {}
        for ln in out.splitlines():
            f = ln.split(None, 3)
            if len(f) < 3 or not f[0].isdigit():
                continue
            zone = f[3] if len(f) > 3 and f[3] != "-" else None
            res[int(f[0])] = Block(f[1], zone if zones else None,
                                   int(f[2]) if f[2].isdigit() else None)
        return dict(sorted(res.items()))

    def online_blocks(self):
        """Sorted ids of online memory blocks."""
        out = self.check("cd %s && grep -l '^online' memory*/state" % MEMORY_SYSFS)
        return sorted(int(re.match(r"memory(\d+)/", ln).group(1))
                      for ln in out.split() if re.match(r"memory(\d+)/", ln))

    def online_count(self):
        return int(self.check(ONLINE_COUNT).strip())

    def wait_online_count(self, n, timeout=60):
        """Wait until at least n blocks are online."""
        return self.wait_until("[ $(%s) -ge %d ]" % (ONLINE_COUNT, n), timeout,
                               what="at least %d online memory blocks" % n)

    def vmstat(self):
        """/proc/vmstat as {name: int}."""
        out = self.check("cat /proc/vmstat")
        return {k: int(v) for k, v in (ln.split() for ln in out.splitlines() if len(ln.split()) == 2)}

    def proc_cpu(self, pid):
        """(utime, stime) of guest process pid, all its threads, in seconds
        (10 ms ticks). The fields after the last ')': comm may hold
        spaces and parentheses."""
        st = self.check("cat /proc/%d/stat" % pid)
        f = st[st.rindex(")") + 2:].split()
        return int(f[11]) / 100.0, int(f[12]) / 100.0

    def meminfo(self):
        """/proc/meminfo as {name: kB or count}."""
        out = self.check("cat /proc/meminfo")
        res = {}
        for ln in out.splitlines():
            k, _, v = ln.partition(":")
            if v.split():
                res[k.strip()] = int(v.split()[0])
        return res

    def dmesg(self, tail=None):
        out = self.check("dmesg")
        return "\n".join(out.splitlines()[-tail:]) if tail else out

    def modprobe(self, *mods):
        """Load modules in the guest (modprobe resolves dependencies)."""
        return self.check("modprobe -a %s" % " ".join(shlex.quote(m) for m in mods))

    # ------------------------------------------------------------ files
    def _xfer_name(self):
        self._nxfer = getattr(self, "_nxfer", 0) + 1
        return ".xfer-%d" % self._nxfer

    def read_file(self, guest_path, binary=False, timeout=60):
        """Contents of a guest file, copied through the /lab 9p share (fast;
        the agent's serial line moves only ~100 KB/s)."""
        name = self._xfer_name()
        self.check("cp -- %s %s/%s" % (shlex.quote(guest_path), GUEST_RUNDIR, name), timeout)
        host = os.path.join(self.rundir, name)
        try:
            with open(host, "rb") as f:
                data = f.read()
        finally:
            try:
                os.unlink(host)
            except OSError:
                pass
        return data if binary else data.decode(errors="replace")

    def write_file(self, guest_path, data, mode=None, timeout=60):
        """Write data (str or bytes) to a guest file through the /lab share."""
        name = self._xfer_name()
        host = os.path.join(self.rundir, name)
        with open(host, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        try:
            cmd = "cp -- %s/%s %s" % (GUEST_RUNDIR, name, shlex.quote(guest_path))
            if mode is not None:
                cmd += " && chmod %o %s" % (mode, shlex.quote(guest_path))
            self.check(cmd, timeout)
        finally:
            try:
                os.unlink(host)
            except OSError:
                pass

    # ------------------------------------------------------------ paths
    def host_path(self, guest_path):
        """Host path of a guest path under /lab (run dir) or /memhp (share)."""
        gp = os.path.normpath(guest_path)
        for g, h in ((GUEST_RUNDIR, self.rundir), (GUEST_REPO, self.share)):
            if h and (gp == g or gp.startswith(g + "/")):
                return os.path.join(h, os.path.relpath(gp, g))
        raise ValueError("%s is not under %s or %s" % (guest_path, GUEST_RUNDIR, GUEST_REPO))

    def host_port(self, guest_port):
        """Host port (on 127.0.0.1) forwarded to guest_port (hostfwd)."""
        if guest_port not in self.fwd_ports:
            raise LabError("guest port %d is not forwarded (Lab(hostfwd=...))" % guest_port)
        return self.fwd_ports[guest_port]

    def memhp(self, required=True):
        """Guest path of the static memhp binary; raises Skip when it was not
        built (and required)."""
        host = os.path.join(self.share or REPO, MEMHP_BIN)
        if required and not os.access(host, os.X_OK):
            raise Skip("%s not built (run make)" % MEMHP_BIN)
        return "%s/%s" % (GUEST_REPO, MEMHP_BIN)

    # ------------------------------------------------------------ monitor
    def qmp(self, cmd, timeout=30, **args):
        """Run a QMP command; returns its 'return' value. Argument names with
        '_' are sent with '-' (e.g. command_line -> command-line)."""
        if self.qmp_conn is None:
            raise LabError("lab VM not booted")
        a = {k.replace("_", "-"): v for k, v in args.items()}
        return self.qmp_conn.execute(cmd, a or None, timeout=timeout)

    def hmp(self, cmdline, timeout=30):
        """Run a human monitor command via QMP; returns its text output."""
        return self.qmp("human-monitor-command", timeout=timeout, command_line=cmdline)

    def qmp_events(self, name=None, clear=False):
        evs = [e for e in self.qmp_conn.events if name is None or e.get("event") == name]
        if clear:
            self.qmp_conn.events = [e for e in self.qmp_conn.events if e not in evs]
        return evs

    def wait_qmp_event(self, name, timeout=30, pred=None):
        """Wait for a QMP event (dict) or return None after timeout."""
        return self.qmp_conn.wait_event(name, timeout, pred)

    def memory_devices(self):
        """{id: data} from query-memory-devices (pc-dimm and virtio-mem):
        data has addr/memaddr, size, node, ... ('type' added)."""
        res = {}
        for d in self.qmp("query-memory-devices"):
            data = dict(d.get("data", {}))
            data["type"] = d.get("type")
            res[data.get("id")] = data
        return res

    def device_blocks(self, dev_id):
        """Memory block ids spanned by a DIMM or the whole virtio-mem region."""
        d = self.memory_devices()[dev_id]
        addr = d.get("addr", d.get("memaddr"))
        size = d.get("max-size", d.get("size"))
        bs = self.block_size()
        return list(range(addr // bs, (addr + size) // bs))

    def add_dimm(self, size="1G", node=None, id=None, backend="memory-backend-ram"):
        """Hot-plug a pc-dimm; returns its device id (dimmN). The guest sees
        it via ACPI; onlining follows memhp_default_state / the policy."""
        self._ndimm += 1
        dev = id or "dimm%d" % self._ndimm
        mem = "%s-mem" % dev
        self.qmp("object-add", **{"qom-type": backend, "id": mem, "size": parse_size(size)})
        args = {"driver": "pc-dimm", "id": dev, "memdev": mem}
        if node is not None:
            args["node"] = node
        try:
            self.qmp("device_add", **args)
        except QMPError:
            try:
                self.qmp("object-del", id=mem)
            except QMPError:
                pass
            raise
        try:
            addr = "%#x" % self.memory_devices()[dev]["addr"]
        except (LabError, KeyError):
            addr = "?"
        self._say("hot-plugged %s (%s, node %s) at %s" % (dev, fmt_size(parse_size(size)), node, addr))
        return dev

    def remove_dimm(self, dev, timeout=60):
        """Request unplug of a DIMM (ACPI eject; the guest must offline and
        remove it). Returns True when QEMU reported DEVICE_DELETED within
        timeout (and its backend was deleted), else False."""
        self.qmp("device_del", id=dev)
        ev = self.wait_qmp_event("DEVICE_DELETED", timeout,
                                 lambda e: e.get("data", {}).get("device") == dev)
        if ev is None:
            return False
        try:
            self.qmp("object-del", id="%s-mem" % dev)
        except QMPError:
            pass
        return True

    def virtio_mem_resize(self, dev, size):
        """Set a virtio-mem device's requested-size (the guest driver then
        plugs/unplugs memory on its own)."""
        self.qmp("qom-set", path="/machine/peripheral/%s" % dev,
                 property="requested-size", value=parse_size(size))

    def virtio_mem_info(self, dev):
        """query-memory-devices data of a virtio-mem device (size = plugged)."""
        return self.memory_devices()[dev]

    def balloon(self, target_mib):
        """Set the balloon target: guest memory size in MiB, like HMP
        `balloon N` (inflating = target below the current size)."""
        self.qmp("balloon", value=int(target_mib) * MIB)

    def balloon_actual(self):
        """Current logical guest size (bytes) as seen by the balloon."""
        return self.qmp("query-balloon")["actual"]

    def balloon_inflate(self, mib):
        """Inflate the balloon by `mib` MiB relative to its current size."""
        target = self.balloon_actual() // MIB - int(mib)
        self.balloon(target)
        return target
