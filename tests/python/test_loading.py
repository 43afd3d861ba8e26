"""Finding libtenios: the library bundled in the package, then TENIOS_LIBRARY, then the dynamic
loader by name; never a path relative to a checkout, never a process (no find_library); the
version gate; and the package on the oldest Pythons it claims (3.9, 3.10)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tenios
import tenios._native as native
from conftest import ACCESS_KEY, BINDINGS, CALL, LIBRARY, UNKNOWN_CALL, Sim, child_env, run_python

REPORT = textwrap.dedent("""
    import tenios
    try:
        print("loaded", tenios.library_path(), tenios.version())
    except tenios.LibraryNotFoundError as e:
        print("notfound", isinstance(e, OSError), type(e).__name__)
        print(e)
""")


def copy_package(dest: Path, with_library: bool) -> Path:
    """Copy the package to dest/a/b/tenios, as an installed package would be laid out."""
    package = dest / "a" / "b" / "tenios"
    shutil.copytree(BINDINGS / "tenios", package, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    if with_library:
        assert LIBRARY is not None
        shutil.copy(LIBRARY, package / "libtenios.so")
    return package


def isolated_env(pythonpath: Path, tenios_library: str | None, ld_library_path: Path | None = None) -> dict[str, str]:
    env = child_env(TENIOS_LIBRARY=tenios_library, LD_LIBRARY_PATH=None)
    env["PYTHONPATH"] = str(pythonpath)
    if ld_library_path is not None:
        env["LD_LIBRARY_PATH"] = str(ld_library_path)
    return env


def loaded(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stdout.split()[:2]


def test_tenios_library_when_nothing_is_bundled(sim: Sim, tmp_path: Path) -> None:
    package = copy_package(tmp_path, with_library=False)
    result = run_python(REPORT, env=isolated_env(package.parent, LIBRARY), cwd=tmp_path)
    assert loaded(result) == ["loaded", LIBRARY], result.stdout + result.stderr


def test_the_bundled_library_comes_first(sim: Sim, tmp_path: Path) -> None:
    package = copy_package(tmp_path, with_library=True)
    result = run_python(REPORT, env=isolated_env(package.parent, LIBRARY), cwd=tmp_path)
    assert loaded(result) == ["loaded", str(package / "libtenios.so")], result.stdout + result.stderr


@pytest.mark.parametrize("names", [["libtenios.so.1", "libtenios.so"], ["libtenios.so"]])
def test_then_the_dynamic_loader_by_name(sim: Sim, tmp_path: Path, names: list[str]) -> None:
    package = copy_package(tmp_path, with_library=False)
    libdir = tmp_path / "lib"
    libdir.mkdir()
    assert LIBRARY is not None
    for name in names:
        shutil.copy(LIBRARY, libdir / name)
    env = isolated_env(package.parent, str(tmp_path / "missing.so"), ld_library_path=libdir)
    result = run_python(REPORT, env=env, cwd=tmp_path)
    assert loaded(result) == ["loaded", names[0]], result.stdout + result.stderr


def test_nothing_found_lists_every_place_and_no_checkout(sim: Sim, tmp_path: Path) -> None:
    package = copy_package(tmp_path, with_library=False)
    # A build where the old binding looked (the checkout's target/, relative to the package):
    # it must not be used.
    assert LIBRARY is not None
    for profile in ("release", "debug"):
        (tmp_path / "a" / "target" / profile).mkdir(parents=True)
        shutil.copy(LIBRARY, tmp_path / "a" / "target" / profile / "libtenios.so")
    not_a_library = tmp_path / "not-a-library.so"
    not_a_library.write_text("this is not an ELF file\n")
    result = run_python(REPORT, env=isolated_env(package.parent, str(not_a_library)), cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0] == "notfound True LibraryNotFoundError", result.stdout + result.stderr
    assert lines[1] == "could not load a compatible libtenios.so; tried:"
    assert lines[2] == f"  bundled: {package / 'libtenios.so'}: no such file"
    assert lines[3].startswith(f"  TENIOS_LIBRARY: {not_a_library}: "), lines[3]  # dlopen's reason
    assert lines[4].startswith("  dynamic loader: libtenios.so.1: "), lines[4]
    assert lines[5].startswith("  dynamic loader: libtenios.so: "), lines[5]
    assert len(lines) == 6, lines
    assert "target" not in result.stdout


def test_nothing_found_also_from_interrupt_block(sim: Sim, tmp_path: Path) -> None:
    package = copy_package(tmp_path, with_library=False)
    env = isolated_env(package.parent, str(tmp_path / "missing.so"))
    code = textwrap.dedent("""
        import tenios
        for _ in range(2):  # a failed search is not cached: it is retried, and fails again
            try:
                tenios.interrupt_block("k", "u")
            except tenios.LibraryNotFoundError as e:
                print(type(e).__name__, "missing.so" in str(e))
    """)
    result = run_python(code, env=env, cwd=tmp_path)
    assert result.stdout.splitlines() == ["LibraryNotFoundError True"] * 2, result.stdout + result.stderr


def test_concurrent_first_use_loads_once(sim: Sim) -> None:
    code = textwrap.dedent("""
        import threading, tenios, tenios._native as native
        barrier = threading.Barrier(16)
        seen = []
        def work():
            barrier.wait()
            seen.append(id(native.library()))
            tenios.version()
        threads = [threading.Thread(target=work) for _ in range(16)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        print(len(seen), len(set(seen)))
    """)
    result = run_python(code)
    assert result.stdout.split() == ["16", "1"], result.stdout + result.stderr


# --- the version gate ---------------------------------------------------------------------------

NEEDS = "this binding (1.0.0) needs libtenios 1.x with x >= 0"


@pytest.mark.parametrize(("version", "why_not"), [
    ("1.0.0", None),
    ("1.0.1", None),
    ("1.7.0", None),
    ("1.0.0-rc.1", None),
    ("0.1.0", f"it is libtenios 0.1.0; {NEEDS}"),
    ("2.0.0", f"it is libtenios 2.0.0; {NEEDS}"),
    ("1.0", f"its version '1.0' is not a version number; {NEEDS}"),
    ("", f"its version '' is not a version number; {NEEDS}"),
])
def test_incompatibility(version: str, why_not: str | None) -> None:
    assert native.incompatibility(version) == why_not


def test_the_binding_needs_what_it_is_released_with() -> None:
    assert (native.REQUIRED_MAJOR, native.REQUIRED_MINOR) == (1, 0)
    assert native.parse_version(tenios.__version__)[:2] == (1, 0)  # type: ignore[index]
    assert native.incompatibility(tenios.version()) is None


def compile_fake_library(tmp_path: Path, version: str) -> Path:
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build a fake libtenios")
    source = tmp_path / "fake.c"
    source.write_text(f'const char *tenios_version(void) {{ return "{version}"; }}\n')
    output = tmp_path / f"libtenios-{version}.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(output), str(source)], check=True)
    return output


@pytest.mark.parametrize("version", ["2.0.0", "0.9.0"])
def test_an_incompatible_library_is_refused(sim: Sim, tmp_path: Path, version: str) -> None:
    fake = compile_fake_library(tmp_path, version)
    package = copy_package(tmp_path, with_library=False)
    result = run_python(REPORT, env=isolated_env(package.parent, str(fake)), cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0] == "notfound True LibraryNotFoundError", result.stdout + result.stderr
    assert f"  TENIOS_LIBRARY: {fake}: incompatible: it is libtenios {version}; {NEEDS}" in lines


def test_a_compatible_version_without_the_functions_is_refused(sim: Sim, tmp_path: Path) -> None:
    fake = compile_fake_library(tmp_path, "1.3.0")
    package = copy_package(tmp_path, with_library=False)
    result = run_python(REPORT, env=isolated_env(package.parent, str(fake)), cwd=tmp_path)
    line = next(x for x in result.stdout.splitlines() if x.startswith("  TENIOS_LIBRARY:"))
    assert line.startswith(f"  TENIOS_LIBRARY: {fake}: not libtenios 1.3.0 ("), line
    assert "tenios_interrupt_block" in line, line


def test_an_incompatible_library_is_skipped_for_a_compatible_one(sim: Sim, tmp_path: Path) -> None:
    fake = compile_fake_library(tmp_path, "2.0.0")
    package = copy_package(tmp_path, with_library=False)
    libdir = tmp_path / "lib"
    libdir.mkdir()
    assert LIBRARY is not None
    shutil.copy(LIBRARY, libdir / "libtenios.so.1")
    env = isolated_env(package.parent, str(fake), ld_library_path=libdir)
    result = run_python(REPORT, env=env, cwd=tmp_path)
    assert loaded(result) == ["loaded", "libtenios.so.1"], result.stdout + result.stderr


# --- embedding: no process is started, and old Pythons ------------------------------------------

# Runs in a child: records every audit event that starts a process while the package is
# imported and used for the first time, then makes calls whose answers are checked.
EMBEDDING = textwrap.dedent("""
    import sys
    spawned = []
    def hook(event, args):
        if event in ("subprocess.Popen", "os.system", "os.fork", "os.forkpty", "pty.spawn") \\
                or event.startswith(("os.exec", "os.spawn", "os.posix_spawn")):
            spawned.append(event)
    sys.addaudithook(hook)

    import tenios
    results = [tenios.__version__, tenios.version()]
    tenios.interrupt_block({key!r}, {call!r})
    results.append("ok")
    with tenios.Client({key!r}, base_url={url!r}, timeout=5) as client:
        client.interrupt_block({call!r})
        results.append("ok")
        try:
            client.interrupt_block({unknown!r})
        except tenios.CallNotFoundError as err:
            results.append(err.api_code)
    try:
        client.interrupt_block({call!r})
    except tenios.ShutdownError as err:
        results.append(err.status.name)
    print(sys.version_info[:2] >= (3, 9), "|".join(results), "spawned:", spawned)
""")


def embedding_check(sim: Sim, python: str) -> None:
    code = EMBEDDING.format(key=ACCESS_KEY, call=CALL, unknown=UNKNOWN_CALL, url=sim.url)
    result = run_python(code, python=python)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"True {tenios.__version__}|{tenios.__version__}|ok|ok|CALL_UUID_NOT_FOUND|ERR_SHUTDOWN "
        "spawned: []\n"
    ), result.stdout + result.stderr
    assert sim.interrupts() == [CALL, CALL]
    assert sim.stats()["requests"] == 3


def test_loading_and_first_calls_start_no_process(sim: Sim) -> None:
    embedding_check(sim, sys.executable)


def test_the_audit_hook_sees_find_library(sim: Sim) -> None:
    # The check above would see what the old loader did (ctypes.util.find_library runs
    # ldconfig, and gcc when that fails): the same hook, on find_library itself.
    code = textwrap.dedent("""
        import sys, ctypes.util
        spawned = []
        sys.addaudithook(lambda event, args: spawned.append(event) if event == "subprocess.Popen" else None)
        ctypes.util.find_library("tenios")
        print(spawned[:1])
    """)
    result = run_python(code)
    assert result.stdout.strip() == "['subprocess.Popen']", result.stdout + result.stderr


def _minor_version(python: str) -> str | None:
    try:
        result = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def older_python(version: str) -> str | None:
    """An interpreter of that minor version that runs: TENIOS_PYTHON_<3_9>, a pyenv install
    ($PYENV_ROOT or ~/.pyenv), or pythonX.Y on PATH (a pyenv shim there may not work)."""
    candidates = []
    variable = f"TENIOS_PYTHON_{version.replace('.', '_')}"
    explicit = os.environ.get(variable)
    if explicit:
        # Asked for by name: one that does not run is a failure, never a silent skip.
        found = _minor_version(explicit)
        if found != version:
            pytest.fail(f"{variable}={explicit} is not a working Python {version} (it reports {found!r})")
        return explicit
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(os.path.join(root, "versions", f"{version}.*", "bin", "python3")),
                         reverse=True)
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(on_path)
    return next((c for c in candidates if _minor_version(c) == version), None)


@pytest.mark.parametrize("version", ["3.9", "3.10"])
def test_on_older_pythons(sim: Sim, version: str) -> None:
    python = older_python(version)
    if python is None:
        pytest.skip(f"no Python {version} here (set TENIOS_PYTHON_{version.replace('.', '_')}, "
                    f"or install it, e.g. with pyenv)")
    embedding_check(sim, python)
