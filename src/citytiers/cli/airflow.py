"""``citytiers airflow``: the real Airflow for this warehouse, until Ctrl-C."""

from __future__ import annotations

import click

from citytiers.settings import load_settings


@click.command()
@click.option("--port", default=8080, show_default=True, help="The UI and API port "
              "(loopback only).")
def airflow(port: int) -> None:
    """Run the real Airflow (scheduler, DAG processor, API server and UI) for the
    warehouse named by CITYTIERS_WAREHOUSE, until Ctrl-C; prints the URL and the login.

    The nightly DAG starts paused: unpause it in the UI (or `airflow dags unpause
    citytiers_nightly`) and it runs every night at 02:00 Asia/Shanghai."""
    import signal
    import threading

    from citytiers.orchestration.airflow_local import ADMIN_USER, AirflowServices

    settings = load_settings()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    click.echo(f"starting Airflow for {settings.warehouse} (logs in "
               f"{settings.warehouse / 'airflow' / 'logs-services'}) ...")
    with AirflowServices(settings.warehouse, api_port=port) as services:
        click.echo(f"Airflow UI: {services.base_url}  user: {ADMIN_USER}  password: "
                   f"{services.password}\nPress Ctrl-C to stop.")
        try:
            while not stopped.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        click.echo("stopping Airflow ...")
