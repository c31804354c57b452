"""The Debian package (`make deb`) installed in the lab guest, as dpkg would
place it: tests/deb/stage-root.sh unpacks the .deb (dpkg-deb -x) and adds the
host's (Debian 12) shared libraries its binary needs and the ELF interpreter
at their own paths; install() copies that root onto the guest's / (tmpfs),
so /usr/sbin/memhp runs there through /lib64/ld-linux-x86-64.so.2 like on an
installed system. The package must have been built: install() fails, it does
not skip, when it was not (make test builds it in deb-test, before the lab)."""
import glob
import os
import subprocess

from lab import REPO

# The boot the package's scenarios share (test_deb_installed, test_units_lab):
# run.py boots once for tests whose Lab config is equal.
LAB = dict(name="units", ram="2G", default_state="offline", cmdline="nokaslr")

DEB_DIR = os.path.join("build", "deb")
ROOT = os.path.join(DEB_DIR, "guest-root")
MEMHP = "/usr/sbin/memhp"
FILES = os.path.join(REPO, "tests", "deb", "files.txt")
_INSTALLED = "/run/memhp-deb-installed"
_staged = {}  # deb path -> (mtime, version) staged by this process


def package(share=REPO):
    """Host path of the one .deb `make deb` left in build/deb."""
    debs = glob.glob(os.path.join(share, DEB_DIR, "memhp_*_amd64.deb"))
    assert len(debs) == 1, ("want one package in %s, found %s: run make deb"
                            % (os.path.join(share, DEB_DIR), debs or "none"))
    return debs[0]


def promised_files():
    """The paths the package promises (tests/deb/files.txt)."""
    with open(FILES) as f:
        paths = [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    assert paths and all(p.startswith("/") for p in paths), FILES
    return paths


def _stage(share):
    deb = package(share)
    mt = os.path.getmtime(deb)
    if _staged.get(deb, (None,))[0] != mt:
        subprocess.run([os.path.join(REPO, "tests", "deb", "stage-root.sh"), deb,
                        os.path.join(share, ROOT)], check=True, timeout=300)
        ver = subprocess.run(["dpkg-deb", "-f", deb, "Version"], check=True, timeout=60,
                             capture_output=True, text=True).stdout.strip()
        _staged[deb] = (mt, ver)
    return _staged[deb][1]


def install(lab):
    """Install the package in the guest (once per boot); returns its version."""
    ver = _stage(lab.share or REPO)
    if lab.run("test -f %s" % _INSTALLED)[0] != 0:
        lab.check("cp -a /memhp/%s/. / && echo %s >%s" % (ROOT, ver, _INSTALLED), timeout=300)
    return ver
