"""The 25 steps of developing a member (《中国共产党发展党员工作细则》2014, laid out as five phases),
plus the quarterly 思想汇报, as rows a university can edit or extend with local steps."""

from django.db import migrations

XIZE = "《中国共产党发展党员工作细则》(2014)"
A = "applicant"
ACT = "activist"
CAND = "candidate"
PROB = "probationary,probation_extended"

# code, phase, title, completes_stage, applies_to, due_anchor, due_months, repeat_months, documents,
# rule_text, source
STEPS = [
    ("1", 1, "递交入党申请书", "applicant", "", "", None, None, "入党申请书", "入党申请人应当向工作、学习所在单位党组织提出入党申请。", f"{XIZE}第六条"),
    ("2", 1, "党组织派人谈话", "", A, "applied", 1, None, "谈话记录", "党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话，了解基本情况。", f"{XIZE}第八条"),
    ("3", 2, "推荐和确定入党积极分子", "activist", "", "", None, None, "推荐材料、支部委员会会议记录", "采取党员推荐、群团组织推优等方式产生人选，由支部委员会研究决定，并报上级党委备案。", f"{XIZE}第九条"),
    ("4", 2, "报上级党委备案", "", ACT, "activist", 1, None, "备案表", "确定入党积极分子后报上级党委备案。", f"{XIZE}第九条"),
    ("5", 2, "指定培养联系人", "", ACT, "activist", 1, None, "", "党组织应当指定一至两名正式党员作为入党积极分子的培养联系人。", f"{XIZE}第十条"),
    ("6", 2, "培养教育考察（每半年一次考察）", "", f"{ACT},{CAND}", "activist", None, 6, "培养考察记录", "党支部每半年对入党积极分子进行一次考察。", f"{XIZE}第十二条"),
    ("6.1", 2, "思想汇报（每季度）", "", f"{ACT},{CAND},{PROB}", "activist", None, 3, "思想汇报", "入党积极分子、发展对象和预备党员一般每季度向党组织递交一次思想汇报。", "高校党组织通行做法（本校规定）"),
    ("7", 3, "确定发展对象", "candidate", "", "", None, None, "支部委员会会议记录", "经过一年以上培养教育和考察、基本具备党员条件的入党积极分子，支部委员会讨论同意并报上级党委备案后，可列为发展对象。", f"{XIZE}第十三条"),
    ("8", 3, "报上级党委备案", "", CAND, "candidate", 1, None, "备案表", "列为发展对象报上级党委备案。", f"{XIZE}第十三条"),
    ("9", 3, "确定入党介绍人", "", CAND, "candidate", 1, None, "", "发展对象应当有两名正式党员作入党介绍人。", f"{XIZE}第十四条"),
    ("10", 3, "进行政治审查", "", CAND, "candidate", 3, None, "政治审查结论", "对发展对象进行政治审查，形成结论性材料。", f"{XIZE}第十五条、第十六条"),
    ("11", 3, "开展集中培训", "", CAND, "", None, None, "结业证书", "对发展对象进行短期集中培训，时间一般不少于3天（或不少于24个学时）。", f"{XIZE}第十七条"),
    ("12", 4, "支部委员会审查", "", CAND, "", None, None, "支部委员会会议记录", "支部委员会对发展对象的条件、培养教育情况等进行严格审查。", f"{XIZE}第四章（预备党员的接收）"),
    ("13", 4, "上级党委预审（含公示）", "", CAND, "", None, None, "预审意见、公示材料", "上级党委对发展对象进行预审，预审合格后发放入党志愿书；预审前在本单位公示。", f"{XIZE}第四章（预备党员的接收）"),
    ("14", 4, "填写入党志愿书", "", CAND, "", None, None, "入党志愿书", "发展对象在入党介绍人指导下如实填写入党志愿书。", f"{XIZE}第四章（预备党员的接收）"),
    ("15", 4, "支部大会讨论", "probationary", "", "", None, None, "支部大会会议记录", "接收预备党员必须经支部大会讨论；预备期从支部大会通过之日算起。", f"{XIZE}第四章（预备党员的接收）；《中国共产党章程》第七条"),
    ("16", 4, "上级党委派人谈话", "", PROB, "probationary", 3, None, "谈话记录", "上级党委审批前派人同发展对象谈话。", f"{XIZE}第四章（预备党员的接收）"),
    ("17", 4, "上级党委审批", "", PROB, "probationary", 3, None, "审批意见", "上级党委审批发展党员，一般在三个月内。", f"{XIZE}第四章（预备党员的接收）"),
    ("18", 4, "再上一级党委组织部门备案", "", PROB, "probationary", 4, None, "备案表", "审批后报再上一级党委组织部门备案。", f"{XIZE}第四章（预备党员的接收）"),
    ("19", 5, "编入党支部和党小组", "", PROB, "probationary", 4, None, "", "预备党员编入党支部和党小组。", f"{XIZE}第五章（预备党员的教育考察和转正）"),
    ("20", 5, "入党宣誓", "", PROB, "probationary", 4, None, "", "预备党员必须面向党旗进行入党宣誓。", f"{XIZE}第五章（预备党员的教育考察和转正）"),
    ("21", 5, "继续教育考察", "", PROB, "probationary", None, 6, "考察记录", "党组织对预备党员继续进行教育和考察。", f"{XIZE}第五章（预备党员的教育考察和转正）"),
    ("22", 5, "提出转正申请", "", PROB, "probation_end", 0, None, "转正申请书", "预备期满，预备党员应当主动向党组织提出书面转正申请。", f"{XIZE}第五章（预备党员的教育考察和转正）"),
    ("23", 5, "支部大会讨论转正", "full_member", "", "", None, None, "支部大会会议记录", "党支部应当及时讨论预备党员能否转为正式党员。", f"{XIZE}第五章（预备党员的教育考察和转正）"),
    ("24", 5, "上级党委审批转正", "", PROB, "probation_end", 3, None, "审批意见", "上级党委审批预备党员转正，一般在三个月内。", f"{XIZE}第五章（预备党员的教育考察和转正）"),
    ("25", 5, "材料归档", "", "full_member", "", None, None, "入党材料", "入党志愿书、入党申请书、政治审查材料、转正申请书和培养教育考察材料归入人事档案。", f"{XIZE}第五章（预备党员的教育考察和转正）"),
]


def forwards(apps, schema_editor):
    StepDefinition = apps.get_model("members", "StepDefinition")
    for order, row in enumerate(STEPS, start=1):
        code, phase, title, completes, applies, anchor, months, repeat, docs, text, source = row
        StepDefinition.objects.update_or_create(
            code=code,
            defaults={
                "order": order * 10,
                "phase": phase,
                "title": title,
                "completes_stage": completes,
                "applies_to": applies,
                "due_anchor": anchor,
                "due_months": months,
                "repeat_months": repeat,
                "documents": docs,
                "rule_text": text,
                "source": source,
                "is_local": code == "6.1",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0003_checklist_and_access_log")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
