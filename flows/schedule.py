"""Serve the ETL flow as a scheduled Prefect deployment (what `newsgraph schedule` runs).

Runs as its own process group, started by the CLI: on Ctrl-C the CLI sends
SIGTERM here, Prefect's runner stops, and the flow-run processes it spawned
never see the terminal's SIGINT (which made each print a traceback).
"""
import json
import sys
import warnings

from flows.etl import etl_flow


def main(spec: str) -> None:
    # Prefect 3.8's SIGTERM handler calls an async stop without awaiting it; the stop still happens.
    warnings.filterwarnings("ignore", message=".*Runner.astop.* was never awaited", category=RuntimeWarning)
    opts = json.loads(spec)
    etl_flow.serve(
        name=opts["name"], cron=opts.get("cron"), interval=opts.get("interval"),
        parameters=opts["parameters"], print_starting_message=False,
        # Pausing the schedule on the way out needs the API, which may be gone; the
        # deployment keeps its schedule and the next `newsgraph schedule` serves it again.
        pause_on_shutdown=False,
    )


if __name__ == "__main__":
    main(sys.argv[1])
