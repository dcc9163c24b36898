"""Safe YAML reading whose errors name the file and the line (yamlio.py)."""

import pytest
import yaml

from disclosure.errors import InputError
from disclosure.inputs import yamlio
from disclosure.inputs.yamlio import read_yaml


def write(tmp_path, text, name="profile.yaml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def problem_of(path, shown=None):
    with pytest.raises(InputError) as exc:
        read_yaml(path, shown)
    (problem,) = exc.value.problems
    return problem


# --- what is read -------------------------------------------------------------------------------


def test_reads_a_mapping_with_chinese_text(tmp_path):
    path = write(tmp_path, "institution: 重庆机电职业技术大学\nstaff_full_time: 1\n")
    assert read_yaml(path) == {"institution": "重庆机电职业技术大学", "staff_full_time": 1}


def test_an_empty_file_reads_as_none(tmp_path):
    assert read_yaml(write(tmp_path, "")) is None


def test_a_utf8_bom_is_accepted(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf" + "a: 有\n".encode())
    assert read_yaml(path) == {"a": "有"}


def test_the_loader_is_libyamls_safe_loader_when_available():
    assert yamlio.SAFE_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --- the safe loader refuses Python objects -----------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:builtins.open",
        "!!python/object/new:builtins.open",
    ],
)
def test_python_object_tags_are_refused_and_never_run(tmp_path, tag):
    marker = tmp_path / "created-by-yaml"
    path = write(tmp_path, f"a: 1\nb: {tag} [{str(marker)!r}, 'w']\n")
    problem = problem_of(path, "data/raw/x/profile.yaml")
    assert not marker.exists()  # the constructor was never called
    assert problem.file == "data/raw/x/profile.yaml"
    assert problem.message.startswith("YAML 格式错误(")
    assert "python/object" in problem.message
    assert problem.row == 2


def test_python_object_tag_refused_by_name(tmp_path):
    path = write(tmp_path, "x: !!python/object:collections.OrderedDict {}\n")
    problem = problem_of(path)
    assert "could not determine a constructor" in problem.message
    assert problem.row == 1


# --- errors name the file and the line ----------------------------------------------------------


def test_syntax_error_names_the_line_as_an_editor_shows_it(tmp_path):
    path = write(tmp_path, "a: 1\nb: 2\nc: [unclosed\nd: 4\n")
    problem = problem_of(path, "params/2023-2024.yaml")
    assert problem.file == "params/2023-2024.yaml"
    assert problem.message.startswith("YAML 格式错误(")
    assert problem.row == 4  # the flow sequence is found unclosed at line 4
    assert problem.column is None


def test_error_on_the_first_line_is_line_one(tmp_path):
    path = write(tmp_path, "a: b: c\n")
    assert problem_of(path).row == 1


def test_the_message_carries_the_parser_problem(tmp_path):
    path = write(tmp_path, "a: 1\n  b: 2\n")
    problem = problem_of(path)
    # libyaml says "... in this context", the pure-Python parser "... here"
    assert problem.message.startswith("YAML 格式错误(mapping values are not allowed ")
    assert problem.message.endswith(")")
    assert "\n" not in problem.message  # the parser's problem only, not its multi-line report
    assert problem.row == 2


def test_the_file_name_defaults_to_the_path(tmp_path):
    path = write(tmp_path, "a: [\n")
    assert problem_of(path).file == str(path)


def test_error_without_a_mark_has_no_row(tmp_path, monkeypatch):
    def no_mark(text, Loader):  # noqa: N803 - the keyword yaml.load takes
        raise yaml.YAMLError("坏了")

    monkeypatch.setattr(yamlio.yaml, "load", no_mark)
    problem = problem_of(write(tmp_path, "a: 1\n"))
    assert problem.row is None
    assert problem.message == "YAML 格式错误(坏了)"


# --- tab hint -----------------------------------------------------------------------------------


def test_tab_indentation_gets_a_hint_in_chinese(tmp_path):
    path = write(tmp_path, "corrections:\n\t- table: x\n")
    problem = problem_of(path)
    assert problem.message.endswith(";YAML 不允许用 Tab 缩进,请改用空格")
    assert problem.row == 2


def test_no_tab_hint_when_the_file_has_no_tab(tmp_path):
    problem = problem_of(write(tmp_path, "a: [unclosed\n"))
    assert "Tab" not in problem.message


def test_a_tab_inside_a_valid_file_is_no_error(tmp_path):
    assert read_yaml(write(tmp_path, 'a: "x\ty"\n')) == {"a": "x\ty"}


# --- encoding and unreadable files --------------------------------------------------------------


def test_gbk_file_is_refused_as_not_utf8(tmp_path):
    path = write(tmp_path, "institution: 重庆机电职业技术大学\n".encode("gbk"))
    problem = problem_of(path, "data/raw/x/profile.yaml")
    assert problem.file == "data/raw/x/profile.yaml"
    assert problem.message == (
        "不是 UTF-8 编码的 YAML 文件,看起来是 GBK(GB18030)编码;"
        "请用文本编辑器(如记事本“另存为”时选编码 UTF-8)另存为 UTF-8"
    )
    assert problem.row is None


def test_missing_file_is_an_input_error_not_a_traceback(tmp_path):
    problem = problem_of(tmp_path / "absent.yaml", "params/absent.yaml")
    assert problem.file == "params/absent.yaml"
    assert problem.message.startswith("无法读取:")
    assert "No such file" in problem.message


def test_a_folder_is_an_input_error(tmp_path):
    problem = problem_of(tmp_path, "forms")
    assert problem.message.startswith("无法读取:")


# --- bounded work: size, depth, anchors and aliases ----------------------------------------------


def test_a_file_at_the_size_limit_is_read_and_one_byte_more_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_YAML_BYTES", 64)
    text = "a: " + "x" * 60 + "\n"
    assert len(text.encode()) == 64
    assert read_yaml(write(tmp_path, text)) == {"a": "x" * 60}
    problem = problem_of(write(tmp_path, "a: " + "x" * 61 + "\n"))
    assert "YAML 文件过大" in problem.message and "上限" in problem.message


def nested(depth: int) -> str:
    return "a: " + "[" * (depth - 1) + "1" + "]" * (depth - 1) + "\n"


def test_nesting_at_the_depth_limit_is_read_and_one_level_more_is_refused(tmp_path):
    limit = yamlio.MAX_YAML_DEPTH
    assert read_yaml(write(tmp_path, nested(limit)))["a"] is not None
    problem = problem_of(write(tmp_path, nested(limit + 1)))
    assert problem.message.startswith(f"嵌套超过 {limit} 层上限") and problem.row == 1


@pytest.mark.parametrize(
    "text, row",
    [
        ("a: &x 1\nb: *x\n", 1),
        ("a: &x 1\n", 1),
        ("base: {k: 1}\nb:\n  <<: *base\n", 3),
        ("a: [1, 2]\nb: !!str &y t\n", 2),
    ],
    ids=["alias", "anchor_only", "merge_key", "tagged_anchor"],
)
def test_anchors_and_aliases_are_refused_with_their_line(tmp_path, text, row):
    problem = problem_of(write(tmp_path, text))
    assert problem.message.startswith("不允许使用 YAML 锚点(&)和别名(*)")
    assert problem.row == row


def test_an_alias_bomb_is_refused_before_anything_is_built(tmp_path, monkeypatch):
    bomb = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 9)
    )
    monkeypatch.setattr(yaml, "load", lambda *a, **k: pytest.fail("the bomb was constructed"))
    assert "不允许使用 YAML 锚点" in problem_of(write(tmp_path, bomb)).message


# --- no silent rewrites: duplicate keys, odd integers --------------------------------------------


@pytest.mark.parametrize(
    "text, key, row",
    [
        ("a: 1\nb: 2\na: 3\n", "a", 3),
        ("c:\n  x: 1\n  x: 2\n", "x", 3),
        ("l:\n  - {k: 1, k: 2}\n", "k", 2),
        ('a: 1\n"a": 2\n', "a", 2),
    ],
    ids=["top", "nested", "flow_in_list", "quoted"],
)
def test_a_duplicate_key_is_refused_naming_it_and_its_line(tmp_path, text, key, row):
    problem = problem_of(write(tmp_path, text))
    assert problem.message.startswith(f"键“{key}”在同一层重复出现")
    assert problem.row == row


def test_the_same_key_in_different_mappings_is_fine(tmp_path):
    text = "a: {x: 1}\nb: {x: 2}\nl:\n  - {x: 1, y: 2}\n  - {x: 3, y: 4}\n"
    assert read_yaml(write(tmp_path, text))["l"][1] == {"x": 3, "y": 4}


def test_repeated_values_and_list_items_are_not_keys(tmp_path):
    text = "a: x\nb: x\nl: [x, x, {x: a}]\nx: [a, a]\n"
    assert read_yaml(write(tmp_path, text))["x"] == ["a", "a"]


@pytest.mark.parametrize("value", ["1_98", "+174", "017", "0x1F", "0b11", "1:30"])
def test_an_integer_yaml_would_read_as_another_number_is_refused(tmp_path, value):
    problem = problem_of(write(tmp_path, f"n: {value}\n"))
    assert problem.message.startswith(f"数字“{value}”的写法会被 YAML 读成另一个数")


@pytest.mark.parametrize("value, read", [("198", 198), ("0", 0), ("-3", -3), ('"1_98"', "1_98")])
def test_plain_decimal_integers_and_quoted_text_are_kept(tmp_path, value, read):
    assert read_yaml(write(tmp_path, f"n: {value}\n")) == {"n": read}


def test_short_keeps_short_values_and_cuts_long_ones():
    assert yamlio.short("abc") == "abc"
    assert yamlio.short("x" * 20) == "x" * 20
    assert yamlio.short("x" * 21) == "x" * 20 + "…"


# --- a YAML file that is not UTF-8: what it is instead (issue 26) -------------------------------


@pytest.mark.parametrize(
    "data, words, row",
    [
        ("leader: 校长\n".encode("utf-16"), "而是 UTF-16 编码", None),
        ("leader: 校长\noffice: 办公室\n".encode("gbk"), "看起来是 GBK(GB18030)编码", None),
        ("a: 1\nb: 门户\n".encode() + b"c: \xff\n", "本行有不是 UTF-8 的字节(0xFF)", 3),
        (b"a: 1\n" + "學校網站".encode("big5") + b"\n", "本行有不是 UTF-8 的字节(0xBE)", 2),
    ],
)
def test_a_yaml_file_that_is_not_utf8_is_named(tmp_path, data, words, row):
    path = tmp_path / "p.yaml"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_yaml(path, "p.yaml")
    (problem,) = caught.value.problems
    assert problem.message.startswith("不是 UTF-8 编码的 YAML 文件") and words in problem.message
    assert problem.row == row
