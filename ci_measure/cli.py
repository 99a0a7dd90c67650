"""`ci-measure`: parse arguments, call the core, print, exit (SPEC §9).

Imports are local to each command so that `check` loads only what checking needs
(no DuckDB computation, never Dagster).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from types import SimpleNamespace

EXIT_OK, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """Usage errors exit 2 with one line, like every other error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"[usage_error] {message}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def _workspace(args: argparse.Namespace):
    from ci_measure.config.workspace import load_workspace, resolve_root

    return load_workspace(resolve_root(args.workspace))


def cmd_init(args: argparse.Namespace) -> int:
    from ci_measure.config.workspace import init_workspace, resolve_root

    if args.list_examples:
        from ci_measure.config.examples import list_examples

        for slug, name, description in list_examples():
            print(f"{slug:<26} {name} — {description}" if description else f"{slug:<26} {name}")
        return EXIT_OK
    root = init_workspace(resolve_root(args.workspace), demo=args.demo, example=args.example)
    what = "demo workspace" if args.demo else "workspace"
    if args.example:
        what = f"workspace from example {args.example}"
    print(f"Oprettet / created {what}: {root}")
    return EXIT_OK


def _partner_from_path(path: Path, workspace) -> str | None:
    """A file already in ``inbox/<partner>/`` says who sent it."""
    try:
        relative = path.resolve().relative_to(workspace.inbox.resolve())
    except ValueError:
        return None
    return relative.parts[0] if len(relative.parts) == 2 else None


def _existing_file(path: Path) -> Path:
    """``path`` if it is a file; else a bilingual usage error saying what it is."""
    from ci_measure.errors import usage_error

    if path.is_dir():
        raise usage_error(
            f"»{path}« er en mappe, ikke en fil: angiv én fil (ingest tager hele indbakken)",
            f"'{path}' is a folder, not a file: name one file (ingest takes the whole inbox)",
        )
    if not path.is_file():
        raise usage_error(f"filen findes ikke: {path}", f"no such file: {path}")
    return path


def _who_sent(name: str):  # noqa: ANN202
    from ci_measure.errors import usage_error

    return usage_error(
        f"sig, hvem der har sendt {name}: --partner KODE", f"say who sent {name}: --partner CODE"
    )


def cmd_check(args: argparse.Namespace) -> int:
    from ci_measure.intake.receipt import CHECK_HINT, render_text
    from ci_measure.intake.validate import validate_file

    workspace = _workspace(args)
    path = _existing_file(Path(args.file))
    partner = args.partner or _partner_from_path(path, workspace)
    if not partner:
        raise _who_sent(path.name)
    receipt = validate_file(path, workspace, partner).receipt
    if args.json:
        import json

        keys = ("status", "partner", "file", "sha256", "rows", "errors", "warnings")
        print(json.dumps({k: receipt.to_dict()[k] for k in keys}, ensure_ascii=False, indent=2))
    else:
        print(render_text(receipt, more=CHECK_HINT), end="")
    return EXIT_OK if receipt.accepted else EXIT_REJECTED


def cmd_statistics_check(args: argparse.Namespace) -> int:
    """Which mapping fits a Statistikbanken export and the cells it yields; nothing is stored."""
    from ci_measure.errors import usage_error
    from ci_measure.intake.statistics.check import check_statistics

    workspace = _workspace(args)
    path = Path(args.file)
    if not path.is_file():
        raise usage_error(f"filen findes ikke: {path}", f"no such file: {path}")
    partner = args.partner or _partner_from_path(path, workspace)
    text, accepted = check_statistics(path, workspace, partner, rows=args.rows)
    print(text, end="")
    return EXIT_OK if accepted else EXIT_REJECTED


def cmd_ingest(args: argparse.Namespace) -> int:
    from ci_measure.intake.ingest import ingest_external, ingest_file, ingest_inbox
    from ci_measure.intake.receipt import render_text

    workspace = _workspace(args)
    receipts = []
    if args.files:
        for name in args.files:
            path = Path(name)
            in_inbox = _partner_from_path(path, workspace)
            if in_inbox and path.is_file():
                receipt = ingest_file(workspace, path, in_inbox)
                if receipt:
                    receipts.append(receipt)
                continue
            _existing_file(path)
            if not args.partner:
                raise _who_sent(name)
            receipts.append(ingest_external(workspace, path, args.partner))
    else:
        receipts = ingest_inbox(workspace, args.partner)
    for receipt in receipts:
        print(render_text(receipt), end="")
    if not receipts:
        print("Ingen filer i indbakken. / No files waiting in the inbox.")
    rejected = sum(not r.accepted for r in receipts)
    print(
        f"{len(receipts) - rejected} godkendt, {rejected} afvist / {len(receipts) - rejected} accepted, {rejected} rejected"
    )
    return EXIT_REJECTED if rejected else EXIT_OK


def cmd_indicators(args: argparse.Namespace) -> int:
    from ci_measure.figures import indicator_rows, present

    workspace = _workspace(args)
    rows = indicator_rows(
        workspace,
        indicator=args.indicator,
        area=args.area,
        period=args.period,
        as_of=args.as_of,
        published=args.published,
        every_row=args.all,
    )
    if args.format == "csv":
        sys.stdout.write(present.to_csv(rows))
    elif args.format == "json":
        for piece in present.json_pieces(rows):  # written as joined, never all at once
            sys.stdout.write(piece)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(present.to_table(rows, workspace))
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from ci_measure.intake.template import write_template

    workspace = _workspace(args)
    rows = write_template(workspace, args.partner, Path(args.output))
    print(f"Skabelon skrevet / template written: {args.output} ({rows} rækker/rows)")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from ci_measure.figures.status import render, status

    cells, partners = status(_workspace(args), partner=args.partner)
    sys.stdout.write(render(cells, partners, args.format))
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    from ci_measure.warehouse.history import history, render

    sys.stdout.write(render(history(_workspace(args), partner=args.partner), args.format))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from ci_measure.report import write_report

    workspace = _workspace(args)
    paths = write_report(workspace, Path(args.output) if args.output else None)
    for path in paths.values():
        print(f"Skrevet / written: {path}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ci_measure.config.workspace import init_workspace, load_workspace, resolve_root
    from ci_measure.figures import indicator_rows, present
    from ci_measure.intake.ingest import ingest_inbox
    from ci_measure.intake.receipt import render_text

    root = resolve_root(args.workspace)
    if not (root / "partnership.yaml").exists():
        init_workspace(root, demo=True)
        print(f"Demo-arbejdsområde oprettet / demo workspace created: {root}\n")
    workspace = load_workspace(root)
    for receipt in ingest_inbox(workspace):
        print(render_text(receipt), end="")
    area = workspace.partnership.main_area or workspace.partnership.areas[0].code
    name = workspace.partnership.area(area).name
    print(
        f"\n{workspace.partnership.name} — indikatorer for {name} ({area}), offentliggjort / published:\n"
    )
    rows = indicator_rows(workspace, area=area, published=True)
    rows = rows[(rows["sex"] == "_T") & (rows["origin"] == "_T")]
    sys.stdout.write(present.to_table(rows, workspace))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn  # the web stack is imported by `serve` only

    from ci_measure.portal.app import create_app
    from ci_measure.portal.security import uvicorn_log_config

    workspace = _workspace(args)
    app = create_app(workspace)
    base = f"http://{args.host}:{args.port}"
    print(f"Indberetningsportal / upload portal: {base}/  (Ctrl+C stopper / stops)")
    print(f"Links: ci-measure partner-link PARTNER --url {base}")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("Plain HTTP: put a TLS proxy in front of it (docs/portal.md)", file=sys.stderr)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=False,  # the app logs requests itself, with the link token masked
        log_config=uvicorn_log_config(),
        server_header=False,
        proxy_headers=False,
    )
    return EXIT_OK


def cmd_partner_link(args: argparse.Namespace) -> int:
    from ci_measure.portal.tokens import create_link, revoke_links

    workspace = _workspace(args)
    if args.revoke:
        code, count = revoke_links(workspace, args.partner)
        print(
            f"{count} link(s) for {code} lukket / revoked"
            if count
            else f"{code} har intet aktivt link / has no active link"
        )
        return EXIT_OK
    token, code, revoked = create_link(workspace, args.partner)
    if revoked:
        print(
            f"Det tidligere link for {code} virker ikke længere / the previous link for {code} no longer works",
            file=sys.stderr,
        )
    print(
        f"Hemmeligt link for {code} (vises kun nu) / secret link for {code} (shown only now):",
        file=sys.stderr,
    )
    print(f"{args.url.rstrip('/')}/p/{token}/")
    return EXIT_OK


def cmd_approve(args: argparse.Namespace) -> int:
    from ci_measure import clock
    from ci_measure.figures.approval import approve
    from ci_measure.warehouse.approvals import describe

    workspace = _workspace(args)
    event, keys = approve(
        workspace, args.period, args.area, args.indicator, by=args.by, revoke=args.revoke
    )
    when = clock.for_people(event["at"], seconds=True)
    print(
        f"{describe(SimpleNamespace(**event))}, {when}: {keys} indikator × område / indicator × area"
    )
    if args.revoke:
        print("Tallene afventer nu godkendelse igen. / The figures await approval again.")
    else:
        print(
            "Tallene offentliggøres, som de stod nu; senere rettelser venter på næste godkendelse."
            " / The figures are published as they stood now; later corrections wait for the next approval."
        )
    if not workspace.partnership.approval_required:
        print(
            "Bemærk: partnership.yaml kræver ikke godkendelse (publishing: {approval: required}); "
            "godkendelsen gælder, når det slås til. / Note: approval is not switched on in "
            "partnership.yaml; the approval applies once it is.",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_approvals(args: argparse.Namespace) -> int:
    from ci_measure.warehouse.approvals import events, render

    sys.stdout.write(render(events(_workspace(args)), args.format))
    return EXIT_OK


def _add_indicators_command(sub, common: argparse.ArgumentParser) -> None:  # noqa: ANN001
    """`indicators`: the figures of SPEC §7, as a table, CSV or JSON."""
    p = sub.add_parser("indicators", parents=[common], help="print indicator rows")
    p.add_argument("--indicator")
    p.add_argument("--area")
    p.add_argument("--period")
    p.add_argument(
        "--as-of", dest="as_of", help="ISO time: only submissions received at or before it count"
    )
    p.add_argument(
        "--published", action="store_true", help="apply disclosure control (suppression)"
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="every row of SPEC §7.5, also 'missing' rows of areas where nobody reports the "
        "data (default: the rows that exist or are due)",
    )
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(run=cmd_indicators)


def _add_approval_commands(sub, common: argparse.ArgumentParser) -> None:  # noqa: ANN001
    """`approve` and `approvals`: the partnership's sign-off before publishing (SPEC §13)."""
    p = sub.add_parser(
        "approve",
        parents=[common],
        help="approve (or --revoke) a period's figures for publishing, as they stand now",
    )
    p.add_argument(
        "--period", required=True, help="the period (a year also covers its quarters and months)"
    )
    p.add_argument("--area", help="this area and every area under it (default: all areas)")
    p.add_argument("--indicator", help="only this indicator (default: all indicators)")
    p.add_argument("--by", help="who approves (default: the user running the command)")
    p.add_argument(
        "--revoke",
        action="store_true",
        help="withdraw the approval: the figures await approval again",
    )
    p.set_defaults(run=cmd_approve)

    p = sub.add_parser("approvals", parents=[common], help="list every approval and revocation")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(run=cmd_approvals)


def cmd_warehouse_export(args: argparse.Namespace) -> int:
    from ci_measure.warehouse.transfer import export_warehouse

    counts = export_warehouse(_workspace(args), Path(args.folder))
    print(f"Eksporteret / exported {counts.text()}: {args.folder}")
    return EXIT_OK


def cmd_warehouse_import(args: argparse.Namespace) -> int:
    from ci_measure.warehouse.transfer import import_warehouse

    workspace = _workspace(args)
    counts = import_warehouse(workspace, Path(args.folder))
    print(f"Importeret / imported {counts.text()}: {workspace.warehouse_path}")
    return EXIT_OK


def cmd_warehouse_migrate(args: argparse.Namespace) -> int:
    from ci_measure.warehouse.transfer import migrate_to_lake

    workspace = _workspace(args)
    target = migrate_to_lake(workspace, args.to, args.lake_data)
    print(
        f"Flyttet / migrated {workspace.warehouse_path} → {target}\n"
        "Brug det fra nu af / use it from now on (partnership.yaml, or CI_MEASURE_WAREHOUSE and "
        f"CI_MEASURE_LAKE_DATA):\n  warehouse: {target.catalog}\n  lake_data: {target.data_path}"
    )
    return EXIT_OK


def _add_warehouse_commands(sub, common: argparse.ArgumentParser) -> None:  # noqa: ANN001
    """`warehouse export|import`: the warehouse as Parquet files and back."""
    p = sub.add_parser(
        "warehouse",
        parents=[common],
        help="export the warehouse as Parquet files, import such an export, or migrate it "
        "into a shared DuckLake",
    )
    commands = p.add_subparsers(dest="warehouse_command", required=True, parser_class=Parser)
    p = commands.add_parser(
        "export",
        parents=[common],
        help="write the warehouse (every submission and cell) to a new or empty folder as "
        "Parquet files (readable by any DuckDB version)",
    )
    p.add_argument("folder", metavar="DIR")
    p.set_defaults(run=cmd_warehouse_export)
    p = commands.add_parser(
        "import",
        parents=[common],
        help="create the workspace's warehouse from an export (never replaces an existing one; "
        "an older release's export is migrated to the current schema)",
    )
    p.add_argument("folder", metavar="DIR")
    p.set_defaults(run=cmd_warehouse_import)
    p = commands.add_parser(
        "migrate",
        parents=[common],
        help="copy the embedded warehouse into an empty shared DuckLake (every submission and "
        "its as-of history); warehouse.duckdb is left as it was",
    )
    p.add_argument(
        "--to", required=True, metavar="URL", help="ducklake:postgres:dbname=… host=… user=…"
    )
    p.add_argument(
        "--lake-data",
        metavar="DIR",
        help="the lake's data path, a folder or s3://… (default: $CI_MEASURE_LAKE_DATA, "
        "else lake_data: of partnership.yaml)",
    )
    p.set_defaults(run=cmd_warehouse_migrate)


def _add_portal_commands(sub, common: argparse.ArgumentParser) -> None:  # noqa: ANN001
    """`serve` and `partner-link`: the upload portal and its links."""
    p = sub.add_parser(
        "serve", parents=[common], help="run the upload portal (web application) for partners"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser(
        "partner-link", parents=[common], help="make (or --revoke) a partner's secret upload link"
    )
    p.add_argument("partner", help="the partner's code")
    p.add_argument("--revoke", action="store_true", help="close the partner's link(s)")
    p.add_argument(
        "--url", default="http://127.0.0.1:8000", help="the portal's address, for printing the link"
    )
    p.set_defaults(run=cmd_partner_link)


def build_parser() -> Parser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--workspace",
        default=argparse.SUPPRESS,
        help="workspace folder (default: $CI_MEASURE_WORKSPACE, else the repository's data/)",
    )
    parser = Parser(
        prog="ci-measure",
        description="Shared measurement for collective-impact partnerships.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("init", parents=[common], help="create a workspace")
    p.add_argument(
        "--demo", action="store_true", help="with the demo partnership and its submissions"
    )
    p.add_argument(
        "--example",
        metavar="NAME",
        help="with one of the example partnerships (see --list-examples)",
    )
    p.add_argument(
        "--list-examples", action="store_true", help="list the example partnerships and exit"
    )
    p.set_defaults(run=cmd_init)

    p = sub.add_parser(
        "check", parents=[common], help="validate a file without storing it; print the receipt"
    )
    p.add_argument("file")
    p.add_argument("--partner", help="the submitting partner's code")
    p.add_argument("--json", action="store_true", help="print the receipt as one JSON object")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser(
        "statistics",
        parents=[common],
        help="public statistics (Statistikbanken) and their mappings",
    )
    statistics = p.add_subparsers(dest="statistics_command", required=True, parser_class=Parser)
    p = statistics.add_parser(
        "check",
        parents=[common],
        help="which mapping (statistics/*.yaml) fits a file, and the cells it yields; stores nothing",
    )
    p.add_argument("file")
    p.add_argument("--partner", help="only this partner's mappings (default: every mapping)")
    p.add_argument("--rows", type=int, default=20, help="how many cells to show (default: 20)")
    p.set_defaults(run=cmd_statistics_check)

    p = sub.add_parser(
        "ingest", parents=[common], help="process the given files, or everything in the inbox"
    )
    p.add_argument("files", nargs="*")
    p.add_argument(
        "--partner", help="the submitting partner (for files outside the inbox; filters the inbox)"
    )
    p.set_defaults(run=cmd_ingest)

    _add_indicators_command(sub, common)

    p = sub.add_parser(
        "template", parents=[common], help="write a partner's template (.xlsx or .csv)"
    )
    p.add_argument("--partner", required=True, help="the partner's code")
    p.add_argument("-o", "--output", required=True, help="FILE.xlsx or FILE.csv")
    p.set_defaults(run=cmd_template)

    p = sub.add_parser(
        "status", parents=[common], help="what each partner delivered, missing, late or rejected"
    )
    p.add_argument("--partner", help="only this partner")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(run=cmd_status)

    p = sub.add_parser(
        "history", parents=[common], help="the audit trail: every file taken in and its outcome"
    )
    p.add_argument("--partner", help="only this partner")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(run=cmd_history)

    p = sub.add_parser(
        "report",
        parents=[common],
        help="write the scorecard (HTML), the published figures (CSV, XLSX) and the "
        "partnership's own data-quality page",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        help="folder to write to (default: the workspace's reports/)",
    )
    p.set_defaults(run=cmd_report)

    _add_approval_commands(sub, common)
    _add_portal_commands(sub, common)
    _add_warehouse_commands(sub, common)

    p = sub.add_parser(
        "demo", parents=[common], help="run the whole pipeline on the demo partnership"
    )
    p.set_defaults(run=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.workspace = getattr(args, "workspace", None)
    from ci_measure.atomic import private_umask
    from ci_measure.errors import CiMeasureError

    try:
        with private_umask():  # whatever the user's umask: workspace files 0600, folders 0700
            return args.run(args)
    except CiMeasureError as error:
        print(str(error), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("[interrupted]", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # the edge: never a traceback for a user
        if os.environ.get("CI_MEASURE_DEBUG"):
            raise
        print(
            f"[internal_error] {type(error).__name__}: {error} (CI_MEASURE_DEBUG=1 shows details)",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
