"""A project-local Airflow 3 run by the real scheduler, not only ``airflow dags test``.

:func:`airflow_environment` is the environment of every Airflow process of one warehouse
(``<warehouse>/airflow`` is its ``AIRFLOW_HOME``). :class:`AirflowServices` migrates the
metadata database, creates the writer pool, starts ``airflow scheduler``,
``airflow dag-processor`` and ``airflow api-server`` on a free loopback port, waits until
the DAG is parsed, offers a small REST client (token, unpause, trigger, runs, task
instances, clear), and stops every process it started, children included::

    with AirflowServices(warehouse) as airflow:
        airflow.unpause()
        run = airflow.trigger(conf={"extra_source_dirs": [...]})
        airflow.wait_for_run(run["dag_run_id"])

Airflow 3 has no single "webserver + scheduler" process any more: the scheduler (with the
LocalExecutor's workers), the DAG processor (parses DAG files, writes serialized DAGs)
and the API server (REST API, UI, and the *execution API* every task talks to) are
separate programs that must agree on a few settings (the execution API URL, the JWT
secret that signs task tokens, the Fernet key, the API secret key): all of them come from
this module, never from a per-process default.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import httpx
import psutil

from citytiers.orchestration.writer_pool import (
    WRITER_POOL,
    WRITER_POOL_DESCRIPTION,
    WRITER_POOL_SLOTS,
)
from citytiers.settings import (
    TEST_DAGS_FOLDER_VARIABLE,
    dags_folder_override,
    project_home,
)

DAG_ID = "citytiers_nightly"
DEFAULT_API_PORT = 8080
ADMIN_USER = "admin"
SERVICES = ("scheduler", "dag-processor", "api-server")
"""The long-running components started, in this order. No triggerer: the DAG defers
nothing (add ``triggerer`` here the day a deferrable operator is used)."""

TEST_DAGS_FOLDER_ENV = TEST_DAGS_FOLDER_VARIABLE
"""Test-only override of the DAGs folder (e.g. a patched scratch copy of ``dags/``); the
checkout's ``dags/`` is used when it is unset or empty (:func:`settings.dags_folder_override`)."""

TASK_PRELOAD_MODULES = ("great_expectations", "citytiers.orchestration.steps")
"""Imported once by the scheduler's forkserver, inherited by every task (see
:func:`airflow_environment`)."""

SECRETS_FILE_NAME = "local-secrets.json"
PASSWORDS_FILE_NAME = "simple_auth_manager_passwords.json.generated"
SERVICE_LOGS_DIR_NAME = "logs-services"
# Written after a completed `airflow db migrate` (AirflowServices.migrate).
MIGRATION_STAMP_NAME = ".db-migrated"


class AirflowError(RuntimeError):
    """Airflow could not be started or stopped, or a REST call or a run failed."""


def venv_bin() -> Path:
    """The ``bin`` folder of the running interpreter's environment (holds ``airflow``)."""
    return Path(sys.prefix) / "bin"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _dags_folder(home: Path) -> Path:
    return dags_folder_override() or home / "dags"


def _local_secrets(airflow_home: Path) -> dict[str, str]:
    """The secrets every component must share, generated once per ``AIRFLOW_HOME`` and
    kept in a file only its owner can read. Stable across restarts: the Fernet key
    encrypts connections and variables in the metadata database."""
    path = airflow_home / SECRETS_FILE_NAME
    if not path.exists():
        from cryptography.fernet import Fernet  # an Airflow dependency

        airflow_home.mkdir(parents=True, exist_ok=True)
        values = {"fernet_key": Fernet.generate_key().decode(),
                  "jwt_secret": secrets.token_urlsafe(64),  # HS512: >= 64 bytes
                  "api_secret_key": secrets.token_urlsafe(32)}
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # created meanwhile by another process: use that one
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                json.dump(values, handle)
    return dict(json.loads(path.read_text()))


def airflow_environment(warehouse: Path, *, api_port: int | None = None) -> dict[str, str]:
    """The environment of every Airflow process of ``warehouse``'s project-local Airflow.

    Starts from this process's environment without any inherited ``AIRFLOW_*`` setting
    (so a developer's own Airflow configuration never leaks in), then sets everything the
    components need to find each other. Creates ``<warehouse>/airflow`` and, the first
    time, its shared secrets file.
    """
    warehouse = Path(warehouse).resolve()
    home = project_home()
    airflow_home = warehouse / "airflow"
    port = DEFAULT_API_PORT if api_port is None else api_port
    base_url = f"http://127.0.0.1:{port}"
    shared = _local_secrets(airflow_home)
    # The LocalExecutor runs at most `parallelism` tasks at once, each worker a process
    # of its own (under `fork` it starts all of them up front: the default 32 meant 32
    # idle interpreters, ~130 MB each, on a 2-core machine). Every task here is CPU-bound
    # (DuckDB, dbt, GX) and the writer pool admits one at a time anyway: one per core.
    parallelism = max(1, os.cpu_count() or 1)

    env = {key: value for key, value in os.environ.items()
           if not key.startswith("AIRFLOW_")}
    env.update({
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(_dags_folder(home)),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__CORE__FERNET_KEY": shared["fernet_key"],
        # Simple auth manager with one real user (not `all_admins`, which makes every
        # local process an anonymous admin): the password lives in a file we write
        # before the API server starts (see AirflowServices.password).
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:ADMIN",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
            airflow_home / PASSWORDS_FILE_NAME),
        # The API server serves the UI, the REST API and the execution API (the one every
        # task's supervisor calls); loopback only.
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": base_url,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__SECRET_KEY": shared["api_secret_key"],
        # Where tasks reach the execution API: the default is localhost:8080, wrong for
        # any other port.
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base_url}/execution/",
        # The scheduler signs each task's token and the API server checks it: one secret
        # for both (otherwise each reads whatever airflow.cfg happened to generate).
        "AIRFLOW__API_AUTH__JWT_SECRET": shared["jwt_secret"],
        # Every task is a fork of a LocalExecutor worker. Started from a forkserver that
        # preloads Great Expectations and the pipeline, each task inherits them instead of
        # importing them again (`import great_expectations` alone takes ~5 s here, and a
        # sample night runs ~20 tasks). Airflow 3.3's own setting, scheduler only.
        "AIRFLOW__SCHEDULER__MP_START_METHOD": "forkserver",
        "AIRFLOW__SCHEDULER__MP_FORKSERVER_PRELOAD": ",".join(TASK_PRELOAD_MODULES),
        # A task's supervisor notices its child's exit only at its next wake-up, at most
        # this many seconds later (default 5): every task held its executor slot ~5 s
        # after it finished, which with 2 slots delayed the next task. 1 s: a heartbeat
        # per second per running task, nothing for a local sqlite.
        "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
        "CITYTIERS_HOME": str(home),
        "CITYTIERS_WAREHOUSE": str(warehouse),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PYTHONUNBUFFERED": "1",
        # The scheduler and the executor start `airflow ...` by name.
        "PATH": os.pathsep.join([str(venv_bin()), env.get("PATH", os.defpath)]),
    })
    return env


def _signal_group(pgid: int, signum: int) -> None:
    """Signal every process of a group (the leader may be gone already)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def tail(path: Path, lines: int = 40) -> str:
    try:
        content = Path(path).read_text(errors="replace").splitlines()
    except OSError as exc:
        return f"({path}: {exc})"
    return "\n".join(content[-lines:])


class AirflowServices:
    """Scheduler, DAG processor and API server of one warehouse, as a context manager.

    ``__enter__`` migrates the metadata database, sets the writer pool, starts the three
    components (each in its own process group, output in
    ``<AIRFLOW_HOME>/logs-services/<name>.log``), and waits until the API answers, the
    scheduler and DAG processor heartbeat and ``dag_id`` is parsed without import errors.
    ``__exit__`` stops them: SIGTERM to each process group, SIGKILL after
    ``stop_timeout`` seconds, then any descendant still alive (task processes run in
    process groups of their own) is killed too.
    """

    def __init__(self, warehouse: Path, *, api_port: int | None = None,
                 dag_id: str = DAG_ID, start_timeout: float = 240.0,
                 stop_timeout: float = 30.0,
                 extra_env: Mapping[str, str] | None = None) -> None:
        self.warehouse = Path(warehouse).resolve()
        self.api_port = api_port if api_port is not None else free_port()
        self.dag_id = dag_id
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.env = airflow_environment(self.warehouse, api_port=self.api_port)
        self.env.update(extra_env or {})
        self.airflow_home = Path(self.env["AIRFLOW_HOME"])
        self.base_url = self.env["AIRFLOW__API__BASE_URL"]
        self.service_logs = self.airflow_home / SERVICE_LOGS_DIR_NAME
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._log_files: list[IO[bytes]] = []
        self._http: httpx.Client | None = None
        self._token: str | None = None

    # -- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> AirflowServices:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    @property
    def airflow(self) -> str:
        return str(venv_bin() / "airflow")

    def cli(self, *args: str, timeout: float = 300.0) -> str:
        """Run one ``airflow`` CLI command in this environment; its output, or raise."""
        log = self.service_logs / "cli.log"
        self.service_logs.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([self.airflow, *args], env=self.env, capture_output=True,
                              text=True, timeout=timeout, cwd=self.warehouse)
        with log.open("a") as handle:
            handle.write(f"$ airflow {' '.join(args)}  (exit {done.returncode})\n"
                         f"{done.stdout}{done.stderr}\n")
        if done.returncode != 0:
            raise AirflowError(f"`airflow {' '.join(args)}` exited {done.returncode}:\n"
                               + "\n".join((done.stdout + done.stderr).splitlines()[-40:]))
        return done.stdout

    # -- the metadata database --------------------------------------------------------

    @property
    def metadata_db(self) -> Path:
        """Airflow's metadata database: its default, a sqlite file in AIRFLOW_HOME."""
        return self.airflow_home / "airflow.db"

    def migration_stamp(self) -> str:
        """What a completed ``airflow db migrate`` of this metadata database is stamped
        with: the Airflow version that migrated it and the database file's identity (a
        database deleted and created again is another file)."""
        file = self.metadata_db.stat()
        return f"apache-airflow {importlib.metadata.version('apache-airflow')} " \
               f"inode {file.st_ino} device {file.st_dev}"

    def migrate(self) -> None:
        """``airflow db migrate``, unless this database was migrated already by this
        Airflow version (the stamp ``.db-migrated`` beside it). The command takes 3.5 s
        even when there is nothing to do, and every ``make run`` and every start of the
        services asked for it. An upgraded Airflow, or a database deleted or replaced,
        migrates again; so does any doubt (no stamp, an unreadable one)."""
        stamp = self.airflow_home / MIGRATION_STAMP_NAME
        with contextlib.suppress(OSError):
            if stamp.read_text(encoding="utf-8") == self.migration_stamp():
                return
        self.cli("db", "migrate", timeout=600)
        stamp.write_text(self.migration_stamp(), encoding="utf-8")

    def start(self) -> None:
        if not Path(self.airflow).exists():
            raise AirflowError(f"{self.airflow} not found: run this from the project's "
                               "virtualenv (`make install`)")
        self.warehouse.mkdir(parents=True, exist_ok=True)
        self.service_logs.mkdir(parents=True, exist_ok=True)
        self.migrate()
        self._ensure_password()  # before the API server reads the passwords file
        try:
            for name in SERVICES:
                self._spawn(name)
            # The pool while the components boot (every CLI call pays Airflow's import);
            # the DAG is paused at creation, nothing is scheduled before it exists.
            self.set_writer_pool()
            self.wait_until_ready(self.start_timeout)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, name: str) -> None:
        args = {"scheduler": ["scheduler", "--skip-serve-logs"],
                "dag-processor": ["dag-processor"],
                "api-server": ["api-server", "--host", "127.0.0.1",
                               "--port", str(self.api_port)]}[name]
        log = (self.service_logs / f"{name}.log").open("ab")
        log.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} airflow {' '.join(args)}\n"
                  .encode())
        log.flush()
        self._log_files.append(log)
        # Own session = own process group: stop() signals the whole group.
        self.processes[name] = subprocess.Popen(
            [self.airflow, *args], env=self.env, cwd=self.warehouse, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def _check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AirflowError(
                    f"airflow {name} exited with {process.returncode}; last lines of "
                    f"{self.service_logs / (name + '.log')}:\n"
                    + tail(self.service_logs / f"{name}.log"))

    def set_writer_pool(self) -> None:
        """Create (or reset) the one-slot writer pool the DAG's tasks run in."""
        self.cli("pools", "set", WRITER_POOL, str(WRITER_POOL_SLOTS), WRITER_POOL_DESCRIPTION)

    def wait_until_ready(self, timeout: float) -> None:
        """Until the API answers, scheduler and DAG processor heartbeat, and the DAG is
        parsed (an import error of its file fails at once, with the traceback)."""
        deadline = time.monotonic() + timeout
        last = "nothing yet"
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                health = self.request("GET", "/api/v2/monitor/health", auth=False)
                unhealthy = [part for part in ("metadatabase", "scheduler", "dag_processor")
                             if (health.get(part) or {}).get("status") != "healthy"]
                if unhealthy:
                    last = f"unhealthy: {unhealthy}"
                else:
                    self._raise_on_import_errors()
                    dag = self.get_dag()
                    if dag is not None and not dag.get("is_stale"):
                        return
                    last = f"{self.dag_id} not parsed yet"
            except (httpx.TransportError, AirflowError) as exc:
                if isinstance(exc, AirflowError) and "import error" in str(exc):
                    raise
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(1.0)
        raise AirflowError(f"Airflow not ready after {timeout:.0f} s ({last}); logs in "
                           f"{self.service_logs}:\n" + "\n".join(
                               f"--- {name}\n{tail(self.service_logs / (name + '.log'), 15)}"
                               for name in SERVICES))

    def _raise_on_import_errors(self) -> None:
        errors = self.request("GET", "/api/v2/importErrors").get("import_errors") or []
        if errors:
            raise AirflowError("DAG import error(s):\n" + "\n".join(
                f"{e.get('filename')}:\n{e.get('stack_trace')}" for e in errors))

    def process_tree(self) -> list[psutil.Process]:
        """Every live process started by this object: the components and descendants."""
        found: dict[int, psutil.Process] = {}
        for process in self.processes.values():
            with contextlib.suppress(psutil.Error):
                parent = psutil.Process(process.pid)
                found[parent.pid] = parent
                for child in parent.children(recursive=True):
                    found[child.pid] = child
        return list(found.values())

    def stop(self) -> None:
        """Stop every component and its descendants; idempotent. Scheduler and DAG
        processor first (a task the scheduler stops reports its end through the API
        server), then the API server; SIGKILL for whatever outlives ``stop_timeout``."""
        if self._http is not None:
            self._http.close()  # an open keep-alive connection delays uvicorn's shutdown
            self._http = None
        tree = self.process_tree()
        deadline = time.monotonic() + self.stop_timeout
        for stage in (("scheduler", "dag-processor"), ("api-server",)):
            group = [self.processes[name] for name in stage if name in self.processes]
            for process in group:
                _signal_group(process.pid, signal.SIGTERM)
            for process in group:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
        _, alive = psutil.wait_procs(tree, timeout=max(0.1, deadline - time.monotonic()))
        for process in self.processes.values():
            _signal_group(process.pid, signal.SIGKILL)  # the groups' stragglers
        for straggler in alive:  # descendants in process groups of their own (tasks)
            with contextlib.suppress(psutil.Error):
                straggler.kill()
        psutil.wait_procs(alive, timeout=5)
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        self.processes.clear()
        for log in self._log_files:
            log.close()
        self._log_files.clear()

    # -- the API, as far as readiness needs it (the rest of the REST client, only the
    # live-scheduler test uses: tests/support/airflow_api.py) ------------------------

    @property
    def password(self) -> str:
        """The admin's password (user :data:`ADMIN_USER`)."""
        return self._ensure_password()

    def _ensure_password(self) -> str:
        """Write the admin's password to the simple auth manager's passwords file (mode
        0600) unless one is there already; return it."""
        path = Path(self.env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
        passwords: dict[str, str] = {}
        if path.exists() and path.read_text().strip():
            passwords = dict(json.loads(path.read_text()))
        if ADMIN_USER not in passwords:
            passwords[ADMIN_USER] = secrets.token_urlsafe(16)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(json.dumps(passwords) + "\n")
        return passwords[ADMIN_USER]

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(base_url=self.base_url, timeout=30.0)
        return self._http

    def token(self, *, refresh: bool = False) -> str:
        """A JWT for the admin (Airflow 3: ``POST /auth/token``)."""
        if self._token is None or refresh:
            answer = self.http.post("/auth/token",
                                    json={"username": ADMIN_USER, "password": self.password})
            if answer.status_code >= 400:
                raise AirflowError(f"POST /auth/token: {answer.status_code} {answer.text}")
            self._token = str(answer.json()["access_token"])
        return self._token

    def request(self, method: str, path: str, *, auth: bool = True,
                **kwargs: Any) -> Any:
        """One REST call; the JSON answer, or AirflowError naming status and body."""
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.token(refresh=attempt > 1)}"} if auth else {}
            answer = self.http.request(method, path, headers=headers, **kwargs)
            if answer.status_code == 401 and auth and attempt == 1:
                continue  # token expired: one fresh token
            break
        if answer.status_code >= 400:
            raise AirflowError(f"{method} {path}: {answer.status_code} {answer.text[:2000]}")
        return answer.json() if answer.content else None

    def get_dag(self, dag_id: str | None = None) -> dict[str, Any] | None:
        """The DAG as the API knows it, or None before it is parsed."""
        try:
            return dict(self.request("GET", f"/api/v2/dags/{dag_id or self.dag_id}"))
        except AirflowError as exc:
            if ": 404 " in str(exc):
                return None
            raise

    def iter_logs(self) -> Iterator[Path]:
        """The components' log files."""
        yield from sorted(self.service_logs.glob("*.log"))
