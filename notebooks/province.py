# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 全省高等学校信息公开工作年度报告 · 汇总
#
# 本汇总由 `disclosure batch --overview` 通过 papermill 执行:读取机构集合中每个机构每个学年
# 保存的证据(`outputs/<学年>/statistics.csv`、`findings.json`)与批量运行记录
# `batch_summary.json`,不重新计算任何数字。

# %% tags=["parameters"]
collection = "."

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, Markdown, display
from matplotlib.ticker import MaxNLocator

from disclosure.batch import overview
from disclosure.pipeline import STATUS_ZH
from disclosure.present import charts

pd.set_option("display.max_rows", 200)
pd.set_option("display.max_colwidth", None)
charts.setup()
root = Path(collection)
evidence = overview.collect(root)
years = sorted(evidence.statistics["year"].unique()) if not evidence.statistics.empty else []
institutions = evidence.statistics["institution"].nunique() if years else 0
display(
    Markdown(
        f"共 **{institutions}** 个机构、**{len(years)}** 个学年"
        f"({'、'.join(years)}),**{len(evidence.statistics.groupby(['institution', 'year']))}** "
        "个机构学年有已保存的输出。"
    )
)

# %% [markdown]
# ## 各学校各学年
# 每个机构每个学年一行(错误最多的在前;点击表头可排序),链接指向该学年的审阅版与报告 PDF。
# 与已公布报告的审查结果合在一起的总览:`disclosure overview`(写出 overview/commission.html)。

# %%
from IPython.display import HTML

from disclosure.batch import commission
from disclosure.published import page

schools = sorted(
    commission.collection_rows(root),
    key=lambda r: (r.errors is None, -(r.errors or 0), r.school, r.year),
)
table = commission.school_table(schools, (root / "overview").resolve())
display(HTML(table + f"<script>{page.SCRIPT}</script>"))  # sorts on a click, offline

# %% [markdown]
# ## 1. 批量运行结果

# %%
if evidence.summary.empty:
    display(Markdown("尚无 `batch_summary.json`(未运行过 `disclosure batch`)。"))
else:
    status = evidence.summary["status"].map(STATUS_ZH).fillna(evidence.summary["status"])
    display(status.value_counts().rename_axis("结果").rename("机构学年数").to_frame())

# %% [markdown]
# ## 2. 统计表 55 行(全部机构合计)
# 数量与金额为各机构重算值之和;有/无、文字类为最常见的填写及其占比。

# %%
rows = overview.rows_across(evidence.statistics, overview.kinds_of(root))
display(rows.set_index("行"))

# %% [markdown]
# ## 3. 未通过次数最多的校验规则

# %%
top = overview.failing_rules(evidence.findings)
display(top.set_index("规则"))
if not top.empty:
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(top) + 1))
    labels = [f"{r['规则']} {r['名称'][:16]}" for _, r in top.iterrows()]
    ax.barh(labels[::-1], top["未通过的机构学年"][::-1], color=charts.COLORS[0])
    ax.set_xlabel("未通过的机构学年数")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("未通过次数最多的校验规则")
    fig.tight_layout()
    display(Image(data=charts.png(fig)))
    plt.close(fig)

# %% [markdown]
# ## 4. 各学年趋势

# %%
trend = overview.trends(evidence.statistics, evidence.findings, rows=(11, 16, 19, 52))
display(trend)
if len(trend) > 0:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    left.plot(trend.index, trend["机构数"], marker="o", label="机构数", color=charts.COLORS[2])
    left.plot(
        trend.index,
        trend["有错误的机构数"],
        marker="o",
        label="有错误的机构数",
        color=charts.COLORS[0],
    )
    left.set_title("机构数与有错误的机构数")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    left.legend()
    for k, column in enumerate(trend.columns[2:]):
        right.plot(trend.index, trend[column], marker="o", label=column, color=charts.COLORS[k + 1])
    right.set_title("主要统计项全省合计")
    right.legend(fontsize=7)
    fig.tight_layout()
    display(Image(data=charts.png(fig)))
    plt.close(fig)
