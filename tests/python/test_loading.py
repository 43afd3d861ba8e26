"""Finding libtenios: TENIOS_LIBRARY, beside the package, the checkout, the system loader."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from conftest import BINDINGS, LIBRARY, Sim, child_env, run_python

REPORT = textwrap.dedent("""
    import tenios
    try:
        print("loaded", tenios.library_path(), tenios.version())
    except tenios.LibraryNotFoundError as e:
        print("notfound", isinstance(e, OSError), type(e).__name__)
        print(e)
""")


def copy_package(dest: Path, with_library: bool) -> Path:
    """Copy the package to dest/a/b/tenios (so ../../../target is dest/target, which is absent)."""
    package = dest / "a" / "b" / "tenios"
    shutil.copytree(BINDINGS / "tenios", package, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    if with_library:
        assert LIBRARY is not None
        shutil.copy(LIBRARY, package / "libtenios.so")
    return package


def isolated_env(pythonpath: Path, tenios_library: str) -> dict[str, str]:
    env = child_env(TENIOS_LIBRARY=tenios_library, LD_LIBRARY_PATH=None)
    env["PYTHONPATH"] = str(pythonpath)
    return env


def test_tenios_library_is_used_first(sim: Sim) -> None:
    result = run_python(REPORT)
    assert result.stdout.split()[:2] == ["loaded", LIBRARY], result.stdout + result.stderr


def test_missing_tenios_library_falls_through_to_the_package_dir(sim: Sim, tmp_path: Path) -> None:
    package = copy_package(tmp_path, with_library=True)
    env = isolated_env(package.parent, str(tmp_path / "missing" / "libtenios.so"))
    result = run_python(REPORT, env=env, cwd=tmp_path)
    assert result.stdout.split()[:2] == ["loaded", str(package / "libtenios.so")], result.stdout + result.stderr


def test_missing_tenios_library_falls_through_to_the_checkout(sim: Sim, tmp_path: Path) -> None:
    built = [p for p in (BINDINGS.parents[1] / "target" / d / "libtenios.so" for d in ("release", "debug")) if p.exists()]
    env = child_env(TENIOS_LIBRARY=str(tmp_path / "missing.so"))
    result = run_python(REPORT, env=env, cwd=tmp_path)
    if (BINDINGS / "tenios" / "libtenios.so").exists():
        expected = BINDINGS / "tenios" / "libtenios.so"
    else:
        assert built, "no checkout build to fall through to"
        expected = built[0]
    assert result.stdout.split()[:2] == ["loaded", str(expected)], result.stdout + result.stderr


def test_nothing_found_lists_every_place(sim: Sim, tmp_path: Path) -> None:
    package = copy_package(tmp_path, with_library=False)
    not_a_library = tmp_path / "not-a-library.so"
    not_a_library.write_text("this is not an ELF file\n")
    env = isolated_env(package.parent, str(not_a_library))
    result = run_python(REPORT, env=env, cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0] == "notfound True LibraryNotFoundError", result.stdout + result.stderr
    message = "\n".join(lines[1:])
    assert message.startswith("could not load libtenios.so; looked in:")
    assert "TENIOS_LIBRARY" in message
    assert str(not_a_library) in message
    assert str(package / "libtenios.so") in message
    assert str(tmp_path / "target" / "release" / "libtenios.so") in message
    assert str(tmp_path / "target" / "debug" / "libtenios.so") in message
    assert "system loader" in message
    assert "no such file" in message
    # one line per place, in search order
    places = [line.strip().split(":")[0] for line in lines[2:]]
    assert places == ["TENIOS_LIBRARY", "beside the package", "checkout release build",
                      "checkout debug build", "system loader"], places
    # the reason dlopen gave for the file that is not a library
    assert f"TENIOS_LIBRARY: {not_a_library}: " in message


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
