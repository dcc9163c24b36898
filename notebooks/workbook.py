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
# # 高等学校信息公开工作年度报告 · 计算底稿
#
# 本底稿由 `disclosure run <学年>` 通过 papermill 执行:读入该学年的参数与原始数据,重算统计表(55 行)
# 与清单对照表(50 项),逐项校验,绘图,并生成报告。每个计算单元格都在下方可见,供审计逐项核对。

# %% tags=["parameters"]
academic_year = "2023-2024"
strict = False  # `disclosure run --strict`: stop here when an error-severity check fails

# %% [markdown]
# ## 1. 参数
# papermill 只注入 `academic_year`;
# 其余参数由 `params/<学年>.yaml` 读入并校验(未知参数、类型错误会在启动内核前报错)。

# %%
from disclosure import pipeline
from disclosure.checks.findings import summary
from disclosure.compute.narrative import year_context
from disclosure.present import bundle, document, report, show
from disclosure.workspace import find_root

show.display_options()
data = pipeline.load(find_root(), academic_year)
show.params_table(data)

# %% [markdown]
# ## 2. 出处:输入文件及其 SHA-256、软件版本

# %%
show.inputs_table(data)

# %%
show.versions_table()

# %% [markdown]
# ### 对原始数据的更正(写在参数文件中,原始文件不改动)

# %%
corrections = show.corrections_table(data)
corrections

# %% [markdown]
# ## 3. 原始数据
# 每张表的“行”列是该行在电子表格中的行号(表头为第 1 行),与“数据来源”一栏对应。
# ### 3.1 学校概况 profile.yaml(统计表第 1-9、54 行)

# %%
show.profile_view(data)

# %% [markdown]
# ### 3.2 主动公开信息(按渠道)publications(第 10、12-15 行)

# %%
show.raw_table(data, "publications")

# %% [markdown]
# ### 3.3 媒体报道 media_reports(第 16-18 行)

# %%
show.raw_table(data, "media_reports")

# %% [markdown]
# ### 3.4 依申请公开登记 applications(第 19-20、27-50、55 行)

# %%
show.raw_table(data, "applications")

# %% [markdown]
# ### 3.5 行政复议与诉讼 appeals(第 21-26 行)

# %%
show.raw_table(data, "appeals")

# %% [markdown]
# ### 3.6 公开电子信箱 mailbox(第 52-53 行)与不予公开信息 withheld(第 51 行)

# %%
show.raw_table(data, "mailbox")

# %%
show.raw_table(data, "withheld")

# %% [markdown]
# ### 3.7 清单对照 checklist(第 11 行与附件 2)

# %%
show.raw_table(data, "checklist")

# %% [markdown]
# ### 3.8 校内公开 internal(正文二(二))

# %%
show.raw_table(data, "internal")

# %% [markdown]
# ### 3.9 已公布的统计表(原样转录,用于逐行比对)

# %%
show.raw_table(data, "reported_statistics")

# %% [markdown]
# ## 4. 重算统计表
# 每行按 `forms/statistics.yaml` 的定义由原始数据计算;
# “数据来源”给出文件和行号,“公布值”是已公布统计表
# 同一行印的数,“上一学年”是上一学年重算的值(工作区中有上一学年时)。

# %%
previous = pipeline.previous(data)
previous.year if previous.statistics is not None else f"工作区中没有上一学年({previous.year})"

# %%
stats = pipeline.rebuild(data, previous)

# %% [markdown]
# 按印刷表格的分块显示(分块见 `forms/statistics.yaml` 的 `sections`),每一行恰好出现一次:

# %%
show.sections(stats, data.sections)

# %% [markdown]
# ### 4.1 重算值与公布值不一致的行

# %%
show.disagreements(stats)

# %% [markdown]
# ## 5. 清单对照(50 项,10 类)
# ### 5.1 按事项

# %%
items = pipeline.checklist(data)
show.checklist_view(items)

# %% [markdown]
# ### 5.2 按类别:事项数、已公开事项数(数量 > 0)、公开信息数量

# %%
categories = pipeline.categories(items)
show.categories_view(categories)

# %% [markdown]
# ## 6. 校验结果
# 全部校验项都写在 `forms/rules.yaml` 中(编号、标题、校验式、级别);“校验式”一栏就是实际执行的式子,
# 逐行检查的规则写作“对 表 中满足 条件 的每一行:式子”。全部规则都执行,错误在前;
# “代入数值”把数据代入校验式(逐行规则列出未通过的行),“数值来源”给出文件与行号。

# %%
findings = pipeline.check(data, stats, items, previous)

# %%
outcome = summary(findings)
outcome

# %%
show.stop_if_strict(strict, outcome)

# %% [markdown]
# ### 6.1 未通过的校验(按原因归并,每项附修改建议)
# 一项未通过若由另一项未通过引起(`forms/rules.yaml` 的 `explains`),列在其原因之下。

# %%
show.findings_by_cause(findings)

# %% [markdown]
# ### 6.2 全部校验

# %%
show.findings_view(findings)

# %% [markdown]
# ## 7. 图表
# 图表由重算统计表的行绘制(哪几行、标题、说明见 `forms/statistics.yaml` 的 `figures`)。

# %%
font_file = show.chart_setup()
source_line = f"{data.profile['institution']} {academic_year} 学年原始数据"
font_file

# %%
figures = show.figures(
    data.figures,
    stats,
    categories,
    previous.statistics,
    (previous.year, academic_year),
    source_line,
)

# %% [markdown]
# ## 8. 报告文档
# 报告的每个字、每个数都由这一份文档排出:发布版(report.html/pdf/docx)、审阅版(review.html/pdf)
# 和 statistics.xlsx。正文中写作 `choose` 的段落按数据选择措辞(如第 19 行为 0 才说“未收到”),
# 下表列出每个条件代入本学年数值后的结果与选用的措辞。

# %%
ctx = year_context(data, stats)
doc = document.build(
    data.profile, data.narrative, ctx, stats, items, academic_year, report.date_text(data.profile)
)
document.wording_choices(data.narrative, ctx)

# %% [markdown]
# ## 9. 导出结果(运行器据此写入各 CSV/JSON、report.docx 与 statistics.xlsx)

# %% tags=["results"]
bundle.export(bundle.results(stats, items, categories, findings, data.inputs, doc))

# %% [markdown]
# ## 10. 报告(带 report 标签的单元格两个版本都有;publication 只进发布版,review 只进审阅版)

# %% tags=["review"]
show.html(report.review_summary(findings, academic_year, doc["issuer"]))

# %% tags=["report"]
show.html(report.header(doc) + report.body(doc))

# %% tags=["publication"]
show.html(report.statistics_table(doc))

# %% tags=["review"]
show.html(report.statistics_table(doc, review=True))

# %% tags=["report"]
show.html(report.checklist_table(doc))

# %% tags=["publication"]
show.html(report.figures_section(academic_year, figures) if data.params.report_figures else "")

# %% tags=["review"]
show.html(report.findings_table(findings, corrections))

# %% tags=["review"]
show.html(report.figures_section(academic_year, figures))
