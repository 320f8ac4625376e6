"""Orchestration: the nightly flow as steps, and the Airflow that runs them.

``steps`` are the plain functions the DAG's tasks call (tests call them too),
``nightly_run`` is ``citytiers run`` (one run through Airflow's own runner),
``airflow_local`` the project-local Airflow (its environment, the real scheduler's services)."""
