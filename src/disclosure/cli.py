"""The `disclosure` command: run, check, verify, archive, init and lab. It gathers the inputs of a
pipeline call, prints, and sets the exit code; the work is in disclosure.pipeline and the stage
packages."""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import disclosure
from disclosure.errors import InputError
from disclosure.workspace import find_root

if TYPE_CHECKING:
    import pandas as pd

    from disclosure.pipeline import YearOutcome

EXIT_OK, EXIT_FAILED_CHECKS, EXIT_BAD_INPUT = 0, 1, 2
REVIEW_FIRST = "review.pdf"  # the file a run tells the analyst to open first


# argparse's own words in Chinese: it looks every message up through gettext, so the office reads
# 用法 and 错误 rather than usage and error (the same texts, translated; names kept as %-fields).
ARGPARSE_ZH = {
    "usage: ": "用法:",
    "options": "选项",
    "positional arguments": "位置参数",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s:错误:%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数:%s",
    "unrecognized arguments: %s": "无法识别的参数:%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r(可选:%(choices)s)",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值:%(value)r",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s:%(message)s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "至多一个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项 %(option)s 有歧义,可能是 %(matches)s"
    ),
    "unexpected option string: %s": "意外的选项:%s",
    "ignored explicit argument %r": "忽略了多余的值 %r",
}


def _zh(message: str) -> str:
    return ARGPARSE_ZH.get(message, message)


def _parser() -> argparse.ArgumentParser:
    argparse._ = _zh  # type: ignore[attr-defined]  # argparse reads its texts through this name
    parser = argparse.ArgumentParser(
        prog="disclosure",
        description="高等学校信息公开工作年度报告:由原始数据重算、校验并生成报告",
        epilog="例:disclosure new 某某大学 → disclosure init 2024-2025 --format xlsx → "
        "disclosure check 2024-2025 → disclosure run 2024-2025。各命令的用法:disclosure <命令> -h",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {disclosure.__version__}",
        help="显示版本号并退出",
    )
    parser.add_argument(
        "--root",
        type=Path,
        metavar="文件夹",
        help="工作区文件夹(默认从当前目录向上查找含 params/ 和 forms/ 的文件夹)",
    )
    sub = parser.add_subparsers(dest="command", required=True, title="命令", metavar="<命令>")
    run = sub.add_parser(
        "run", help="执行某学年的计算底稿并生成全部输出(写出全部输出即退出码 0,校验结果另列)"
    )
    run.set_defaults(handler=_run)
    run.add_argument("year", nargs="?", metavar="学年", help="学年,如 2023-2024")
    run.add_argument("--all", action="store_true", help="依次运行 params/ 下的每一个学年")
    run.add_argument(
        "--strict", action="store_true", help="有错误级校验未通过时在校验单元格处停止(退出码 1)"
    )
    run.add_argument("--jobs", type=int, default=1, help="同时运行的学年数(2 核机器上 2 最合适)")
    check = sub.add_parser("check", help="只做校验(不启动内核),列出未通过的校验项")
    check.set_defaults(handler=_check)
    check.add_argument(
        "year", nargs="?", metavar="学年", help="学年,如 2023-2024(--collection 时可省略:全部学年)"
    )
    check.add_argument(
        "--collection",
        action="store_true",
        help="校验机构集合中每个机构的该学年(或全部学年),规则对全部机构学年一次计算",
    )
    check.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="--collection 时用 N 个进程读取和校验(默认每个 CPU 核一个)",
    )
    verify = sub.add_parser(
        "verify", help="按 manifest.json 重新计算输出文件的 SHA-256,报告任何改动"
    )
    verify.set_defaults(handler=_verify, workspace_optional=True)
    verify.add_argument(
        "folder",
        type=Path,
        help="某次运行的输出文件夹(如 outputs/2023-2024),或 disclosure archive 生成的 zip",
    )
    verify.add_argument(
        "--rerun", action="store_true", help="按记录的输入重新运行,并比较结果是否完全相同"
    )
    verify.add_argument(
        "--digest",
        help="登记过的 manifest.json 的 SHA-256(十六进制,或 outputs/<学年>.sha256 文件):"
        "证明整个输出文件夹与登记时相同",
    )
    verify.add_argument("--key", type=Path, help="Ed25519 公钥(PEM):检查 archive --sign 写下的签名")
    verify.add_argument("--signature", type=Path, help="签名文件(默认输出文件夹旁的 <学年>.sig)")
    archive = sub.add_parser(
        "archive", help="把某学年的证据(底稿、报告、表格、输入、manifest)打包为一个 zip"
    )
    archive.set_defaults(handler=_archive)
    archive.add_argument("year", metavar="学年", help="学年,如 2023-2024")
    archive.add_argument(
        "--sign",
        type=Path,
        metavar="KEYFILE",
        help="用 Ed25519 私钥(PEM)签署 manifest.json;签名写在 outputs/<学年>.sig 并放入 zip",
    )
    new = sub.add_parser(
        "new",
        help="新建空白工作区(新学校或 import 之用)或机构集合",
        description="新建工作区:复制表式 forms/、计算底稿 notebooks/ 和参考表 data/reference/,"
        "建空的 params/ 与 data/raw/。例:disclosure new 某某大学;"
        "disclosure new --collection 全省高校",
    )
    new.set_defaults(handler=_new, workspace_optional=True)
    new.add_argument("folder", type=Path, help="新工作区(或机构集合)的文件夹,须不存在或为空")
    new.add_argument("--collection", action="store_true", help="新建机构集合(含 collection.yaml)")
    init = sub.add_parser("init", help="为新学年创建参数文件和空白数据模板")
    init.set_defaults(handler=_init)
    init.add_argument("year", metavar="学年", help="学年,如 2024-2025")
    init.add_argument(
        "--format",
        choices=["csv", "xlsx"],
        default="csv",
        help="模板格式:每表一个 CSV,或一个含各表工作表(带下拉列表)的 tables.xlsx",
    )
    init.add_argument(
        "--institution",
        metavar="代码",
        help="在机构集合(含 collection.yaml 的文件夹)中为该机构创建工作区(共用集合的 forms/)",
    )
    batch = sub.add_parser(
        "batch", help="在 Dask 集群上运行机构集合中每个机构的每个学年,可断点续跑,汇总失败项"
    )
    batch.set_defaults(handler=_batch, collection_command=True)
    batch.add_argument(
        "collection", nargs="?", type=Path, help="机构集合文件夹(默认从当前目录向上查找)"
    )
    batch.add_argument(
        "--scheduler", metavar="地址", help="已有 Dask 集群的调度器地址,如 tcp://10.0.0.5:8786"
    )
    batch.add_argument(
        "--workers",
        type=int,
        default=2,
        help="本机集群的工作进程数(默认 2;给出 --scheduler 时不用)",
    )
    batch.add_argument("--year", action="append", help="只运行这些学年(可重复)")
    batch.add_argument("--force", action="store_true", help="不跳过已是最新的学年,全部重新运行")
    batch.add_argument(
        "--warm", action="store_true", help="每个工作进程保留一个已导入依赖的内核,逐年复用"
    )
    batch.add_argument(
        "--overview",
        action="store_true",
        help="结束后生成全省汇总(notebooks/province.py,输出 overview/ 下的 HTML 与 PDF)",
    )
    lab = sub.add_parser(
        "lab", help="在工作区启动 JupyterLab(可选组件 [lab]),.py 底稿可作笔记本打开;打印访问地址"
    )
    lab.set_defaults(handler=_lab)
    lab.add_argument("--port", type=int, default=8888, help="JupyterLab 监听的端口(默认 8888)")
    imported = sub.add_parser(
        "import",
        help="读入已公布的年度报告(PDF、Word .docx、HTML、文本/Markdown),"
        "写成本项目的原始数据学年文件夹",
    )
    imported.set_defaults(handler=_import)
    imported.add_argument("file", type=Path, help="报告文件")
    imported.add_argument("--year", help="学年,如 2023-2024(默认从报告标题识别)")
    imported.add_argument("--institution", help="学校名称(默认从报告抬头识别)")
    audit = sub.add_parser(
        "audit", help="审查已公布的年度报告(一个文件或一个文件夹),写出各报告的校验结果和汇总表"
    )
    audit.set_defaults(handler=_audit)
    audit.add_argument("path", type=Path, help="报告文件,或存放多份报告的文件夹")
    audit.add_argument("--out", type=Path, help="输出文件夹(默认 outputs/audit/<文件或文件夹名>)")
    overview = sub.add_parser(
        "overview",
        help="由机构集合和/或 disclosure audit 的结果文件夹生成总览(不重新运行),"
        "写出 commission.html 与 commission.pdf",
    )
    overview.set_defaults(handler=_overview, workspace_optional=True)
    overview.add_argument(
        "sources", nargs="+", type=Path, help="机构集合文件夹,或审查结果文件夹(可给多个)"
    )
    overview.add_argument(
        "--out", type=Path, help="输出文件夹(默认:第一个来源是集合时为其 overview/,否则为它本身)"
    )
    return parser


EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as shells do


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, like Ctrl-C: every `finally` still runs (the staging
    folder removed, the kernel and the PDF workers stopped, the year's lock released)."""


CLEANUP_SECONDS = 30  # after a signal, the cleanup may take this long; then the process ends


def _stop_on(signum: int, frame: object) -> None:
    """SIGINT / SIGTERM: raise where the program is, and end it anyway if cleaning up hangs
    (the kernel and the workers end with it; the next run removes what is left)."""
    import threading

    code = EXIT_TERMINATED if signum == getattr(signal, "SIGTERM", None) else EXIT_INTERRUPTED
    timer = threading.Timer(CLEANUP_SECONDS, os._exit, args=(code,))
    timer.daemon = True
    timer.start()
    raise Terminated() if code == EXIT_TERMINATED else KeyboardInterrupt()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    import threading

    before = {}
    if threading.current_thread() is threading.main_thread():
        before = {s: signal.signal(s, _stop_on) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return _main(args)
    except KeyboardInterrupt as exc:
        code = EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
        what = "收到终止信号" if code == EXIT_TERMINATED else "已按 Ctrl-C"
        _say(
            f"{what},已停止:未完成的学年没有写入输出,原有输出未改动,临时文件已清除"
            f"{getattr(exc, 'resume', '')}(退出码 {code})"
        )
        return code
    finally:
        for signum, handler in before.items():  # main() called in-process (tests) restores them
            signal.signal(signum, handler)


def _main(args: argparse.Namespace) -> int:
    try:
        if args.root:
            root = args.root.resolve()
        elif getattr(args, "workspace_optional", False):
            root = _find_or_none(args)
        else:
            root = _find(args)
        return int(args.handler(root, args))
    except InputError as exc:
        _say(f"输入有误,未生成任何输出({len(exc.problems)} 个问题):")
        for problem in exc.problems:
            _say(f"  - {problem}")
        return EXIT_BAD_INPUT


def _find_or_none(args: argparse.Namespace) -> Path | None:
    """The workspace when there is one (verify needs it only to rerun)."""
    try:
        return _find(args)
    except InputError:
        return None


def _find(args: argparse.Namespace) -> Path:
    """The workspace, or for a command over a collection the collection (collection.yaml)."""
    from disclosure.batch.collection import find_collection

    if args.command == "verify" and not args.rerun:
        return None

    if getattr(args, "collection_command", False):
        start = getattr(args, "collection", None)
        return find_collection(start.resolve() if start else None)
    if getattr(args, "institution", None) or getattr(args, "collection", False) is True:
        return find_collection()
    return find_root()


def _say(text: str) -> None:
    print(text, flush=True)


def failed_lines(findings: pd.DataFrame) -> list[str]:
    from disclosure.checks.findings import SEVERITY_ZH, grouped, said

    def line(r: pd.Series, indent: str) -> str:
        return f"{indent}[{SEVERITY_ZH[r['severity']]}] {r['id']} {said(r)}(校验:{r['title']})"

    lines = []
    for cause, consequences in grouped(findings):  # a failure another one explains goes under it
        lines.append(line(cause, "  "))
        lines += [line(c, f"      └ 由 {cause['id']} 引起:") for c in consequences]
    return lines


def _check(root: Path, args: argparse.Namespace) -> int:
    from disclosure.checks.findings import summary
    from disclosure.pipeline import check_year

    if args.collection:
        return _check_collection(root, args)
    if not args.year:
        _say("请给出学年(如 disclosure check 2023-2024),或用 --collection 校验机构集合")
        return EXIT_BAD_INPUT

    findings = check_year(root, args.year).findings
    outcome = summary(findings)
    for line in failed_lines(findings):
        _say(line)
    _say(
        f"{args.year}:共 {outcome['rules']} 项校验,"
        f"{outcome['errors']} 项错误、{outcome['warnings']} 项提示未通过"
    )
    return EXIT_FAILED_CHECKS if outcome["errors"] else EXIT_OK


def _run(root: Path, args: argparse.Namespace) -> int:
    from disclosure.inputs.params import valid_academic_year
    from disclosure.pipeline import run_many
    from disclosure.workspace import PARAMS_DIR

    if args.all:
        years = sorted(p.stem for p in (root / PARAMS_DIR).glob("*.yaml"))
    elif args.year:
        problems = valid_academic_year(args.year, "命令行", "学年")
        if problems:
            raise InputError(problems)
        years = [args.year]
    else:
        _say("请给出学年(如 disclosure run 2023-2024)或使用 --all")
        return EXIT_BAD_INPUT
    codes = []
    for outcome in run_many(root, years, strict=args.strict, jobs=args.jobs):
        code, lines = _describe(outcome)
        codes.append(code)
        for line in lines:
            _say(line)
    return max(codes)


def _describe(outcome: YearOutcome) -> tuple[int, list[str]]:
    """A year's exit code and what to print about it."""
    year = outcome.year
    if outcome.status == "bad_input":
        return EXIT_BAD_INPUT, [
            f"{year}:输入有误,未启动内核,未写入任何输出:",
            *[f"  - {p}" for p in outcome.problems],
        ]
    if outcome.status == "run_failed":
        lines = [f"{year}:运行失败,原有输出未改动。{outcome.message}"]
        if outcome.failed_dir:
            lines.append(f"  失败的底稿已保存:{outcome.failed_dir}")
        return EXIT_FAILED_CHECKS, lines
    # Every output was written: exit 0 whatever the findings (they are the run's result, listed
    # here and in review.pdf); `check` and `run --strict` keep exit 1 for an error finding.
    s = outcome.summary
    verdict = "有未通过的校验" if s["errors"] or s["warnings"] else "全部校验通过"
    lines = [
        f"{year}:已写出全部输出,{verdict}({s['errors']} 项错误、{s['warnings']} 项提示),"
        f"用时 {outcome.seconds:.1f} 秒",
        *failed_lines(outcome.findings),  # the evidence's findings, not recomputed
        f"  请先打开 {outcome.out_dir}/{REVIEW_FIRST}(审阅版:问题摘要与修改建议);"
        f"发布版为 report.pdf / report.docx",
    ]
    if outcome.kept == "unchanged":
        lines.append(
            "  结果与已有证据完全相同:保留原输出文件夹,manifest.json 的 SHA-256 未变,"
            "已登记的摘要和已有签名仍然有效"
        )
    elif outcome.kept == "superseded":
        lines.append(
            f"  结果与原有证据不同:原输出文件夹(连同其摘要和签名)已移至 {outcome.superseded},"
            "未删除;新的输出需要重新登记摘要(和签名)"
        )
    if outcome.digest:
        lines.append(
            f"  manifest.json 的 SHA-256:{outcome.digest}(已写入 {outcome.out_dir}.sha256;"
            "请随报告公布或交档案部门登记,日后用 disclosure verify --digest 核对)"
        )
    return EXIT_OK, lines


def _verify(root: Path | None, args: argparse.Namespace) -> int:
    """An output folder, or an evidence zip (`disclosure archive`), against its manifest."""
    import tempfile

    from disclosure.evidence.verify import load_public_key, valid_digest

    target = args.folder if args.folder.is_absolute() else Path.cwd() / args.folder
    digest = _digest_arg(args.digest)
    if digest is not None:
        digest = valid_digest(digest)  # malformed: exit 2, before anything is read
    if args.key is not None:
        load_public_key(args.key)  # a private key, a broken file: exit 2
    if target.is_file():
        from disclosure.evidence.verify import unpack_archive

        with tempfile.TemporaryDirectory() as tmp:
            inputs, folder, signature = unpack_archive(target, Path(tmp))
            return _verify_folder(inputs, folder, digest, args, signature, archive=target)
    from disclosure.evidence.verify import interrupted_swap

    if not (target / "manifest.json").is_file() and interrupted_swap(target):
        # a run was killed between the two renames of its swap: the old outputs are set aside
        _say(
            f"{target}:一次运行在替换输出文件夹的中途被中断,原有输出暂存在 "
            f"{interrupted_swap(target)[0].name};运行 {_run_command(target)} 即可恢复"
            "(先恢复原有输出,再重新运行)"
        )
        return EXIT_FAILED_CHECKS
    return _verify_folder(root, target, digest, args, args.signature)


def _run_command(folder: Path) -> str:
    """The command that runs `folder`'s year (outputs/<year> of a workspace)."""
    workspace = folder.parent.parent
    return f"disclosure --root {workspace} run {folder.name}"


def _verify_folder(
    root: Path | None,
    folder: Path,
    digest: str | None,
    args: argparse.Namespace,
    signature: Path | None,
    archive: Path | None = None,
) -> int:
    from disclosure.evidence.verify import (
        changed_inputs,
        key_fingerprint,
        load_public_key,
        manifest_digest,
        read_manifest,
        rerun,
        unrecorded_inputs,
        verify_outputs,
    )
    from disclosure.pipeline import run_year

    if archive is not None and args.key is not None and signature is None:
        _say(f"{archive}:zip 中没有签名(manifest.json.sig);打包时请用 archive --sign")
        return EXIT_FAILED_CHECKS
    differences = verify_outputs(folder, digest, args.key, signature)
    if archive is not None and root is not None:
        manifest = read_manifest(folder)
        differences += [type(d)(f"inputs/{d.path}", d.what) for d in changed_inputs(root, manifest)]
        differences += unrecorded_inputs(root, manifest)
    for d in differences:
        _say(f"  - {d}")
    shown = archive or folder
    status = (
        "有 " + str(len(differences)) + " 处与 manifest 不符"
        if differences
        else "全部输出与 manifest 一致" + ("(含全部输入)" if archive else "")
    )
    _say(f"{shown}:{status}")
    _say(f"manifest.json 的 SHA-256:{manifest_digest(folder)}")
    if digest is not None and not any(d.path == "manifest.json" for d in differences):
        _say("与登记的摘要一致")
    if args.key is not None and not any("签名" in d.what for d in differences):
        _say(f"签名有效(公钥指纹 {key_fingerprint(load_public_key(args.key))})")
    if args.rerun:
        if root is None:
            from disclosure.workspace import find_root

            root = find_root()
        inputs, outputs = rerun(root, folder, run_year)
        for d in inputs + outputs:
            _say(f"  - {d}")
        same = not inputs and not outputs
        _say(
            "重新运行:结果与存档完全相同"
            if same
            else f"重新运行:{len(inputs)} 个输入已变化,{len(outputs)} 个输出不同"
        )
        differences += inputs + outputs
    return EXIT_FAILED_CHECKS if differences else EXIT_OK


def _digest_arg(value: str | None) -> str | None:
    """--digest: the hex digest itself, or a file whose first word is it (sha256sum format)."""
    if value is None:
        return None
    path = Path(value)
    if path.is_file():
        words = path.read_text(encoding="utf-8", errors="replace").split()
        return words[0] if words else ""
    return value


def _archive(root: Path, args: argparse.Namespace) -> int:
    from disclosure.evidence.archive import build_archive, load_private_key
    from disclosure.inputs.params import valid_academic_year
    from disclosure.workspace import OUTPUTS_DIR

    problems = valid_academic_year(args.year, "命令行", "学年")
    if problems:
        raise InputError(problems)
    if args.sign:
        load_private_key(args.sign)  # a bad key is bad input (exit 2), not a tampered output
    folder = root / OUTPUTS_DIR / args.year
    try:
        target = build_archive(root, folder, root / OUTPUTS_DIR / "archives", args.sign)
    except InputError as exc:
        _say("输出与 manifest 不符,拒绝打包:")
        for problem in exc.problems:
            _say(f"  - {problem.message.split(':', 1)[-1]}")
        return EXIT_FAILED_CHECKS
    _say(f"已打包:{target}")
    if args.sign:
        _say(
            f"已签名:{folder.with_name(folder.name + '.sig')}(用对应公钥核对:disclosure verify"
            f" {folder} --key <公钥.pem>)"
        )
    return EXIT_OK


def _template() -> Path:
    """Where `new` copies the form from: the workspace around the current directory, else the
    checkout this package runs from."""
    from disclosure.workspace import find_root

    try:
        return find_root()
    except InputError:
        return Path(__file__).resolve().parents[2]


def _new(root: Path | None, args: argparse.Namespace) -> int:
    template = root or _template()
    folder = args.folder.resolve()
    if args.collection:
        from disclosure.batch.collection import create_collection

        if folder.exists() and any(folder.iterdir()):
            raise InputError.one(str(folder), "文件夹已存在且不为空;为免覆盖,new 不做任何改动")
        create_collection(folder, template)
        _say(f"已新建机构集合 {folder};为机构建学年:disclosure init <学年> --institution <代码>")
        return EXIT_OK
    from disclosure.inputs.scaffold import new_workspace

    for path in new_workspace(folder, template):
        _say(f"  + {path.relative_to(folder)}/")
    _say(f"已新建工作区 {folder};进入该文件夹后运行 disclosure init <学年>(如 2024-2025)")
    return EXIT_OK


def _init(root: Path, args: argparse.Namespace) -> int:
    from disclosure.inputs.scaffold import init_year

    if args.institution:
        from disclosure.batch.collection import init_institution

        for path in init_institution(root, args.institution, args.year, args.format):
            _say(f"  + {path.relative_to(root)}")
        _say(
            f"已在机构集合中创建 {args.institution} 的 {args.year} 学年;填好后运行 disclosure batch"
        )
        return EXIT_OK
    written = init_year(root, args.year, args.format)
    for path in written:
        _say(f"  + {path.relative_to(root)}")
    _say(f"已创建学年 {args.year} 的参数文件和数据模板;填好后运行 disclosure check {args.year}")
    return EXIT_OK


def _import(root: Path, args: argparse.Namespace) -> int:
    from disclosure.published.importer import import_report

    source = args.file if args.file.is_absolute() else Path.cwd() / args.file
    reading, written = import_report(root, source, args.year, args.institution)
    family = reading.family.title if reading.family else "未识别"
    _say(f"{source.name}:{reading.institution},{reading.year} 学年,模板:{family}")
    _say(f"  统计表 {len(reading.lines)} 行,清单 {len(reading.items)} 项")
    for note in reading.notes:
        _say(f"  ! {note}")
    for path in written:
        _say(f"  + {path.relative_to(root)}")
    _say(f"已导入;运行 disclosure check {reading.year} 即可校验")
    return EXIT_OK


def _audit(root: Path, args: argparse.Namespace) -> int:
    from disclosure.checks.findings import SEVERITY_ZH
    from disclosure.published.audit import (
        READ_FAILED,
        audit_many,
        audit_report,
        report_files,
        write_outputs,
    )
    from disclosure.workspace import OUTPUTS_DIR

    target = args.path if args.path.is_absolute() else Path.cwd() / args.path
    out = args.out if args.out is None or args.out.is_absolute() else Path.cwd() / args.out
    out = out or root / OUTPUTS_DIR / "audit" / target.stem
    if target.is_dir():
        files = report_files(target)
        if not files:
            _say(f"{target}:文件夹中没有可审查的报告(.pdf .docx .html .htm .txt .md)")
            return EXIT_BAD_INPUT
        audits = _with_progress(files, lambda tick: audit_many(root, files, tick))
    else:
        audits = [audit_report(root, target)]  # an unreadable single file: InputError, exit 2
    written = write_outputs(out, audits)
    for a in audits:
        if a.status == READ_FAILED:
            _say(f"  {a.file}:{READ_FAILED}:{a.message}")
            continue
        score = "" if a.score is None else f",清单得分 {a.score}"
        _say(f"  {a.file}:{a.school} {a.year},{a.errors} 项错误、{a.warnings} 项提示{score}")
        if not target.is_dir():
            for r in a.findings[a.findings["outcome"] == "failed"].to_dict("records"):
                level = SEVERITY_ZH.get(r["severity"], r["severity"])
                _say(f"    [{level}] {r['id']} {r['title']}:{r['detail']}")
    _say(f"审查了 {len(audits)} 份报告;结果在 {out}(共 {len(written)} 个文件)")
    bad = any(a.status == READ_FAILED or a.errors for a in audits)
    return EXIT_FAILED_CHECKS if bad else EXIT_OK


def _with_progress(files: list[Path], work):  # noqa: ANN001, ANN202
    """Run `work(tick)` under a rich progress bar (on stderr) that `tick` advances."""
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("审查报告", total=len(files))
        return work(lambda _path: progress.advance(task))


def _check_collection(collection: Path, args: argparse.Namespace) -> int:
    """Every institution-year of a collection (or one year of each), loaded in worker processes
    and checked by the rule engine over all of them at once (batch.check)."""
    from disclosure.batch.check import check_collection
    from disclosure.batch.collection import institution_years

    items = institution_years(collection, [args.year] if args.year else None)
    if not items:
        _say(f"{collection}:机构集合中没有{('学年 ' + args.year) if args.year else '任何学年'}")
        return EXIT_BAD_INPUT
    result = check_collection(items, getattr(args, "jobs", None))
    for key, problems in result.bad_input.items():
        _say(f"{key}:输入有误,未校验({len(problems)} 个问题):")
        for problem in problems:
            _say(f"  - {problem}")
    for (institution, year), one in result.findings.groupby(["institution", "year"], sort=False):
        lines = failed_lines(one.drop(columns=["institution", "year"]))
        if lines:
            _say(f"{institution} {year}:")
            for line in lines:
                _say(line)
    failing = result.failing()
    if result.checked:
        _say(
            f"共 {len(items)} 个机构学年,用时 {result.seconds:.1f} 秒"
            f"(读取与重算 {result.load_seconds:.1f} 秒、规则校验 {result.rule_seconds:.2f} 秒,"
            f"各进程合计);{failing} 个有错误级校验未通过,{len(result.bad_input)} 个输入有误"
        )
    if result.bad_input:
        return EXIT_BAD_INPUT
    return EXIT_FAILED_CHECKS if failing else EXIT_OK


def _batch(collection: Path, args: argparse.Namespace) -> int:
    from disclosure.batch.collection import institution_years
    from disclosure.batch.progress import show_batch
    from disclosure.batch.run import exit_code, write_summary

    items = institution_years(collection, args.year)
    if not items:
        _say(f"{collection}:机构集合中没有可运行的学年")
        return EXIT_BAD_INPUT
    try:
        outcomes = show_batch(items, args.scheduler, args.workers, args.warm, args.force)
    except KeyboardInterrupt as exc:  # what finished stays; the same command resumes from there
        finished = getattr(exc, "finished", [])
        exc.resume = (  # type: ignore[attr-defined]
            f";已完成 {len(finished)} / {len(items)} 个机构学年,"
            "重新运行同一命令即从中断处继续(已完成的学年会跳过)"
        )
        raise
    target = write_summary(collection, outcomes)
    _say(f"汇总表:{target}")
    if args.overview:
        from disclosure.batch.commission import write_overview
        from disclosure.batch.overview import run_overview

        written = run_overview(collection)
        _say(f"全省汇总:{written['html']}、{written['pdf']}")
        view = write_overview([collection], collection / "overview")
        _say(f"总览:{view['html']}、{view['pdf']}")
    return exit_code(outcomes)


def _overview(root: Path | None, args: argparse.Namespace) -> int:
    """Every school-year of the given collections and audit folders in one page (nothing run)."""
    from disclosure.batch.commission import write_overview
    from disclosure.workspace import COLLECTION_FILE

    sources = [(p if p.is_absolute() else Path.cwd() / p).resolve() for p in args.sources]
    first = sources[0]
    out = args.out if args.out is None or args.out.is_absolute() else Path.cwd() / args.out
    out = out or (first / "overview" if (first / COLLECTION_FILE).is_file() else first)
    written = write_overview(sources, out)
    _say(f"总览({written['rows']} 个学校学年):{written['html']}、{written['pdf']}")
    return EXIT_OK


LAB_INSTALL = "bash scripts/bootstrap.sh --lab"
# Everything under outputs/ read-only in the Lab, whoever runs it (evidence.lab).
LAB_CONTENTS = "--ServerApp.contents_manager_class=disclosure.evidence.lab.EvidenceContentsManager"


def _lab(root: Path, args: argparse.Namespace) -> int:
    """JupyterLab of this environment on the workspace. jupytext (a core dependency) enables its
    own server extension (jupyterlab_jupytext, from jupyter_server_config.d), which serves
    notebooks/*.py as notebooks; nothing to configure here."""
    if importlib.util.find_spec("jupyterlab") is None:
        _say(f"未安装 JupyterLab(可选组件 [lab]),无法启动。请在项目文件夹运行:{LAB_INSTALL}")
        return EXIT_BAD_INPUT
    # The server reads its token from JUPYTER_TOKEN: known in advance, so the URL can be printed,
    # and not on the command line, where `ps` would show it to other users.
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        "--no-browser",
        f"--port={args.port}",
        "--ServerApp.port_retries=0",  # a busy port is an error, not another port than printed
        LAB_CONTENTS,
    ]
    if _is_root():
        command.append("--allow-root")  # JupyterLab refuses to run as root without it
    _say(f"在 {root} 启动 JupyterLab;启动后在浏览器中打开:")
    _say(f"  http://127.0.0.1:{args.port}/lab?token={token}")
    _say("计算底稿 notebooks/workbook.py:右键 → Open With → Notebook,即以笔记本打开;按 Ctrl-C 停止")
    return _launch(command, dict(os.environ, JUPYTER_TOKEN=token))


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _launch(command: list[str], env: dict[str, str]) -> int:
    """Replace this process by JupyterLab, so Ctrl-C and its shutdown prompt reach it directly."""
    sys.stdout.flush()
    if os.name == "nt":  # no exec on Windows
        import subprocess

        return subprocess.call(command, env=env)
    os.execve(command[0], command, env)
    return EXIT_OK  # not reached


if __name__ == "__main__":
    sys.exit(main())
