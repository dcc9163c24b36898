"""The `disclosure` command: run, check (more subcommands are added by later modules)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from disclosure.errors import InputError
from disclosure.workspace import find_root

EXIT_OK, EXIT_FAILED_CHECKS, EXIT_BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="disclosure", description="高等学校信息公开工作年度报告:由原始数据重算、校验并生成报告")
    parser.add_argument("--root", type=Path, help="工作区文件夹(默认从当前目录向上查找含 params/ 和 forms/ 的文件夹)")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="执行某学年的计算底稿并生成全部输出")
    run.add_argument("year", nargs="?", help="学年,如 2023-2024")
    run.add_argument("--all", action="store_true", help="依次运行 params/ 下的每一个学年")
    run.add_argument("--strict", action="store_true", help="有错误级校验未通过时在校验单元格处停止")
    run.add_argument("--jobs", type=int, default=1, help="同时运行的学年数(2 核机器上 2 最合适)")
    check = sub.add_parser("check", help="只做校验(不启动内核),列出未通过的校验项")
    check.add_argument("year", help="学年,如 2023-2024")
    verify = sub.add_parser("verify", help="按 manifest.json 重新计算输出文件的 SHA-256,报告任何改动")
    verify.add_argument("folder", type=Path, help="某次运行的输出文件夹,如 outputs/2023-2024")
    verify.add_argument("--rerun", action="store_true", help="按记录的输入重新运行,并比较结果是否完全相同")
    archive = sub.add_parser("archive", help="把某学年的证据(底稿、报告、表格、输入、manifest)打包为一个 zip")
    archive.add_argument("year", help="学年,如 2023-2024")
    init = sub.add_parser("init", help="为新学年创建参数文件和空白数据模板")
    init.add_argument("year", help="学年,如 2024-2025")
    init.add_argument(
        "--format",
        choices=["csv", "xlsx"],
        default="csv",
        help="模板格式:每表一个 CSV,或一个含各表工作表(带下拉列表)的 tables.xlsx",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        root = args.root.resolve() if args.root else find_root()
        if args.command == "check":
            return _check(root, args.year)
        if args.command == "verify":
            return _verify(root, args.folder, args.rerun)
        if args.command == "archive":
            return _archive(root, args.year)
        if args.command == "init":
            return _init(root, args.year, args.format)
        return _run(root, args)
    except InputError as exc:
        _say(f"输入有误,未生成任何输出({len(exc.problems)} 个问题):")
        for problem in exc.problems:
            _say(f"  - {problem}")
        return EXIT_BAD_INPUT


def _say(text: str) -> None:
    print(text, flush=True)


def failed_lines(findings) -> list[str]:  # type: ignore[no-untyped-def]
    failed = findings[findings["passed"] == False]  # noqa: E712
    return [f"  [{'错误' if r.severity == 'error' else '提示'}] {r.id} {r.title}:{r.filled}" for r in failed.itertuples()]


def _check(root: Path, year: str) -> int:
    from disclosure.checks.findings import check_year, summary

    _data, _stats, _items, findings = check_year(root, year)
    outcome = summary(findings)
    for line in failed_lines(findings):
        _say(line)
    _say(f"{year}:共 {outcome['rules']} 项校验,{outcome['errors']} 项错误、{outcome['warnings']} 项提示未通过")
    return EXIT_FAILED_CHECKS if outcome["errors"] else EXIT_OK


def _run(root: Path, args: argparse.Namespace) -> int:
    from disclosure.inputs.params import check_year as valid_year
    from disclosure.workspace import PARAMS_DIR

    if args.all:
        years = sorted(p.stem for p in (root / PARAMS_DIR).glob("*.yaml"))
    elif args.year:
        problems = valid_year(args.year, "命令行", "学年")
        if problems:
            raise InputError(problems)
        years = [args.year]
    else:
        _say("请给出学年(如 disclosure run 2023-2024)或使用 --all")
        return EXIT_BAD_INPUT
    if args.jobs > 1 and len(years) > 1:
        from concurrent.futures import ProcessPoolExecutor

        # Two workers give ~1.9x on two cores; each worker pays papermill's import once.
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            done = list(pool.map(_run_one, [root] * len(years), years, [args.strict] * len(years)))
    else:
        done = [_run_one(root, year, args.strict) for year in years]
    for _code, lines in done:
        for line in lines:
            _say(line)
    return max(code for code, _ in done)


def _run_one(root: Path, year: str, strict: bool) -> tuple[int, list[str]]:
    """Run one year; return its exit code and what to print (so parallel runs do not interleave)."""
    from disclosure.evidence.execute import RunFailed, run_year

    started = time.perf_counter()
    try:
        result = run_year(root, year, strict=strict)
    except InputError as exc:
        return EXIT_BAD_INPUT, [f"{year}:输入有误,未启动内核,未写入任何输出:", *[f"  - {p}" for p in exc.problems]]
    except RunFailed as exc:
        lines = [f"{year}:运行失败,原有输出未改动。{exc}"]
        if exc.failed_dir:
            lines.append(f"  失败的底稿已保存:{exc.failed_dir}")
        return EXIT_FAILED_CHECKS, lines
    s = result.summary
    verdict = "未通过校验" if s["errors"] else "校验通过"
    lines = [
        f"{year}:{verdict}({s['errors']} 项错误、{s['warnings']} 项提示),输出在 {result.out_dir},"
        f"用时 {time.perf_counter() - started:.1f} 秒"
    ]
    if not s["errors"]:
        return EXIT_OK, lines
    return EXIT_FAILED_CHECKS, lines + failed_lines(result.findings)  # the evidence's findings, not recomputed


def _verify(root: Path, folder: Path, rerun: bool) -> int:
    from disclosure.evidence.verify import rerun as rerun_year
    from disclosure.evidence.verify import verify_outputs

    folder = folder if folder.is_absolute() else Path.cwd() / folder
    differences = verify_outputs(folder)
    for d in differences:
        _say(f"  - {d}")
    _say(f"{folder}:{'有 ' + str(len(differences)) + ' 处与 manifest 不符' if differences else '全部输出与 manifest 一致'}")
    if rerun:
        inputs, outputs = rerun_year(root, folder)
        for d in inputs + outputs:
            _say(f"  - {d}")
        same = not inputs and not outputs
        _say("重新运行:结果与存档完全相同" if same else f"重新运行:{len(inputs)} 个输入已变化,{len(outputs)} 个输出不同")
        differences += inputs + outputs
    return EXIT_FAILED_CHECKS if differences else EXIT_OK


def _archive(root: Path, year: str) -> int:
    from disclosure.evidence.archive import build_archive
    from disclosure.evidence.verify import verify_outputs
    from disclosure.workspace import OUTPUTS_DIR

    folder = root / OUTPUTS_DIR / year
    differences = verify_outputs(folder)
    if differences:
        _say("输出与 manifest 不符,拒绝打包:")
        for d in differences:
            _say(f"  - {d}")
        return EXIT_FAILED_CHECKS
    target = build_archive(root, folder, root / OUTPUTS_DIR / "archives")
    _say(f"已打包:{target}")
    return EXIT_OK


def _init(root: Path, year: str, fmt: str) -> int:
    from disclosure.inputs.scaffold import init_year

    written = init_year(root, year, fmt)
    for path in written:
        _say(f"  + {path.relative_to(root)}")
    _say(f"已创建学年 {year} 的参数文件和数据模板;填好后运行 disclosure check {year}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
