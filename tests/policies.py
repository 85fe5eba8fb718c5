"""Small policy documents written by the tests (invented places and numbers), in several formats.

Imported by the library tests: ``from policies import write_sports_plan, ...``.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

SPORTS_ID = "yunxi-sports-plan-2024-2026"
SPORTS_TITLE = "云溪区中小学体育工作三年行动方案（2024—2026年）"
SPORTS_PLAN = f"""# {SPORTS_TITLE}

云溪区教育局
2024年3月1日

## 一、工作目标

到2026年，全区中小学生体质健康优良率达到60%以上。

## 二、主要任务

（一）开齐开足体育课

行动目标：义务教育阶段学校每天安排1节体育课。（责任单位：区教育局、区体育局）

具体举措：

1. 保障体育课时，不得挤占体育课。

2. 配齐配强体育教师，新招聘体育教师40名。

（二）建设运动场地

行动目标：新建标准化学校操场12个。（责任单位：区住建委、区财政局）

## 三、保障措施

（一）加强组织领导

成立由区教育局牵头的体育工作专班，定期研究解决体育工作中的问题。
"""

SPECIAL_ID = "haitang-special-education-2024-2027"
SPECIAL_TITLE = "海棠区特殊教育提升计划（2024—2027年）"
SPECIAL_PARAGRAPHS = [
    ("Title", SPECIAL_TITLE),
    (None, "海棠区教育局"),
    (None, "2024年5月20日"),
    ("Heading 1", "一、主要任务"),
    ("Heading 2", "（一）扩大特殊教育资源"),
    (None, "到2027年，适龄残疾儿童少年义务教育入学率达到98%以上，新建特殊教育资源教室15间。"),
    (None, "牵头单位：区教育局"),
    (None, "配合单位：区残联、区卫健委"),
    ("Heading 2", "（二）建设送教上门队伍"),
    (None, "组建送教上门教师队伍，每学期送教不少于16次。"),
    (None, "牵头单位：区残联"),
    (None, "配合单位：区教育局、区民政局"),
    ("Heading 1", "二、保障措施"),
    ("Heading 2", "（一）落实经费保障"),
    (None, "特殊教育生均公用经费按普通学生的8倍拨付。"),
    (None, "牵头单位：区财政局"),
]

RURAL_ID = "qinglan-rural-school-rules-2005"
RURAL_TITLE = "青岚县农村学校办学管理办法"
RURAL_RULES = f"""{RURAL_TITLE}

第一章 总则

第一条 为规范农村学校办学行为，提高农村教育质量，制定本办法。

第二条 本办法适用于青岚县各乡镇中小学和教学点。

第二章 办学条件

第三条 每所农村小学应当配备图书室，生均图书不少于25册。

第四条 县教育局负责农村学校校舍安全检查，每学期至少检查1次。
"""


def write_sports_plan(folder: Path, name: str = SPORTS_ID) -> Path:
    path = Path(folder) / f"{name}.md"
    path.write_text(SPORTS_PLAN, encoding="utf-8")
    return path


def write_special_plan_docx(folder: Path, name: str = SPECIAL_ID) -> Path:
    """A Word file whose parts and items are Heading 1 / Heading 2 paragraphs."""
    import docx

    document = docx.Document()
    for style, text in SPECIAL_PARAGRAPHS:
        document.add_paragraph(text, style=style) if style else document.add_paragraph(text)
    path = Path(folder) / f"{name}.docx"
    document.save(path)
    return path


def write_rural_rules_gb18030(folder: Path, name: str = RURAL_ID) -> Path:
    """A plain-text file in GB18030 with Windows line ends, as old county websites publish them."""
    path = Path(folder) / f"{name}.txt"
    path.write_bytes(RURAL_RULES.replace("\n", "\r\n").encode("gb18030"))
    return path


# ---------------------------------------------------------------- a served library of its own


def run_assistant(*args: str, env: dict, timeout: float = 300):
    """``python -m assistant ...`` with ``env`` added to this environment (ASSISTANT_CORPUS removed)."""
    import os
    import subprocess
    import sys

    from assistant.settings import PROJECT_ROOT

    environment = {key: value for key, value in os.environ.items() if key != "ASSISTANT_CORPUS"}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env={**environment, **env}, timeout=timeout)


@contextmanager
def served_library(flagship_store: Path, folder: Path, *files: Path):
    """``python app.py`` on a copy of the flagship's store with ``files`` added (``docs add``).

    Yields ``{"url", "env", "store", "log"}``; ``env`` runs the CLI against the same store.
    """
    import os
    import shutil

    from eval.webapp import running_app

    store = Path(folder) / "store"
    shutil.copytree(flagship_store, store)
    env = {"ASSISTANT_STORE": str(store), "ASSISTANT_SHOW_PROGRESS": "false",
           "ASSISTANT_FEEDBACK_DB": str(Path(folder) / "feedback.sqlite3")}
    if files:
        added = run_assistant("docs", "add", *map(str, files), env=env)
        assert added.returncode == 0, added.stderr
    environment = {key: value for key, value in os.environ.items() if key != "ASSISTANT_CORPUS"}
    log = Path(folder) / "server.log"
    with open(log, "w") as output, running_app({**environment, **env}, output) as app:
        yield {"url": app.url, "env": env, "store": store, "log": log, "process": app.process}
