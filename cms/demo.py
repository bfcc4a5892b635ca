"""Demo content and accounts for `manage.py load_demo`: idempotent, original texts written for Dangke."""

import os
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Page, PageViewRestriction

from cms.pages.models import ArticleLessonPage, CoursePage, HomePage, VideoLessonPage
from cms.roles import EDITORS, PARTY_OFFICE, REVIEWERS, TRAINEES, TRAINERS


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str | None
    description: str
    superuser: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("admin", "系统管理员", None, "超级管理员 superuser", superuser=True),
    DemoAccount("editor", "李编辑", EDITORS, "编辑：撰写微党课并提交审核"),
    DemoAccount("reviewer", "王审核", REVIEWERS, "审核员：审核并发布微党课"),
    DemoAccount("trainer", "张老师", TRAINERS, "培训管理员：负责两个演示培训班"),
    DemoAccount("trainer2", "赵老师", TRAINERS, "培训管理员：不负责演示培训班"),
    DemoAccount("activist", "陈晓明", TRAINEES, "学员：入党积极分子"),
    DemoAccount("candidate", "刘思远", TRAINEES, "学员：发展对象"),
    DemoAccount("orgadmin", "孔部长", PARTY_OFFICE, "组织部：全部党组织与发展党员工作"),
    DemoAccount("secretary", "李书记", None, "支部书记：演示学院本科生第一党支部"),
    DemoAccount("secretary2", "马书记", None, "支部书记：马克思主义学院本科生党支部"),
    DemoAccount("member", "王老师", None, "正式党员：演示学院本科生第一党支部（民主测评可投票）"),
]


def demo_password() -> str:
    """DEMO_PASSWORD from the environment, else one generated once and kept in var/."""
    from_env = os.environ.get("DEMO_PASSWORD")
    if from_env:
        return from_env
    path = settings.VAR_DIR / "demo_password.txt"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = "dk-" + secrets.token_urlsafe(9)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", encoding="utf-8")
    return password


def demo_password_describe() -> str:
    password = demo_password()
    lines = [f"  演示账号 Demo accounts (密码 password: {password}):"]
    for account in DEMO_ACCOUNTS:
        lines.append(f"    {account.username:<10} {account.name:<6} {account.description}")
    return "\n".join(lines)


def demo_accounts_ensure() -> dict:
    User = get_user_model()
    password = demo_password()
    users = {}
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": account.name,
                "email": f"{account.username}@demo.dangke.invalid",
                "is_superuser": account.superuser,
                "is_staff": account.superuser,
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        if account.role:
            user.groups.add(Group.objects.get(name=account.role))
        users[account.username] = user
    return users


def _p(*paragraphs: str) -> dict:
    return {"type": "paragraph", "value": "".join(f"<p>{p}</p>" for p in paragraphs)}


def _h(text: str) -> dict:
    return {"type": "paragraph", "value": f"<h2>{text}</h2>"}


def _quote(text: str, source: str = "") -> dict:
    return {"type": "quote", "value": {"text": text, "source": source}}


COURSES = [
    {
        "slug": "dangzhang-rumen",
        "title": "学党章 明规矩：党章学习入门",
        "intro": "<p>党章是党的根本大法。本专题用几节短课，帮助刚递交入党申请书的同学弄清党章的结构、"
        "党员的条件和义务权利，为后续培训打下基础。</p>",
        "lessons": [
            {
                "kind": "article",
                "slug": "renshi-dangzhang",
                "title": "认识党章：从总纲到十一章",
                "summary": "党章由总纲和条文两部分组成。先把握整体结构，再逐章细读，学习会更有条理。",
                "class_hours": Decimal("0.25"),
                "min_reading_seconds": 120,
                "body": [
                    _p(
                        "很多同学第一次打开党章，会觉得条文多、概念密。其实党章的结构很清楚：前面是总纲，"
                        "后面是分章的条文。总纲讲的是党的性质、宗旨、指导思想、奋斗目标和基本要求，"
                        "回答“党是什么、要干什么”；条文部分则把党员、组织制度、各级组织、纪律等规定逐条写明，"
                        "回答“怎么做”。",
                        "建议的读法是“先总后分”：先通读总纲，用自己的话概括几个关键词；再按章节阅读条文，"
                        "每读完一章，试着回答这一章解决了什么问题。",
                    ),
                    _h("一张表记住条文结构"),
                    _p(
                        "条文部分依次讲到党员、党的组织制度、党的中央组织、党的地方组织、党的基层组织、"
                        "党的干部、党的纪律、党的纪律检查机关、党组，以及党和共产主义青年团的关系、"
                        "党徽党旗。把这些章名抄在笔记本第一页，之后学习任何一条规定，都能先找到它在哪一章。",
                    ),
                    _quote(
                        "读原著、学原文、悟原理，学习党章要下“笨功夫”，一字一句读，边读边思考。",
                        "学习方法小贴士",
                    ),
                    _p(
                        "学完本课，请尝试不看书说出党章各章的名称。能做到这一点，后面学习党员条件、"
                        "组织生活和纪律要求时就会轻松许多。",
                    ),
                ],
            },
            {
                "kind": "article",
                "slug": "dangyuan-yiwu-quanli",
                "title": "党员的八项义务和八项权利",
                "summary": "党章第一章对党员的义务和权利各有八条规定。义务和权利是统一的，理解时要结合起来看。",
                "class_hours": Decimal("0.25"),
                "min_reading_seconds": 120,
                "body": [
                    _p(
                        "党章第一章“党员”规定了党员必须履行的义务和享有的权利，各有八项。"
                        "学习时不要死记条目，而要理解两者的关系：履行义务是行使权利的前提，"
                        "行使权利是为了更好地履行义务。",
                    ),
                    _h("义务：对党员的要求"),
                    _p(
                        "八项义务涵盖认真学习、贯彻执行党的路线方针政策、坚持党和人民利益高于一切、"
                        "自觉遵守党的纪律、维护党的团结统一、切实开展批评和自我批评、密切联系群众、"
                        "发扬社会主义新风尚等方面。对在校学生而言，最直接的体现就是学习上勤奋、"
                        "工作上带头、生活中能为同学着想。",
                    ),
                    _h("权利：党内民主的保障"),
                    _p(
                        "党员有权参加党的有关会议、阅读有关文件、接受党的教育和培训；"
                        "有权在党的会议上参加讨论、提出建议和批评；有表决权、选举权和被选举权等。"
                        "这些权利保障了党员在党内的主体地位。",
                    ),
                    _p(
                        "思考题：结合你所在班级或社团的一件具体事情，说说一名党员应当如何既履行义务、"
                        "又正确行使权利。",
                    ),
                ],
            },
            {
                "kind": "video",
                "slug": "cong-shenqing-dao-dangyuan",
                "title": "微党课：从入党申请到成为党员",
                # Its video carries 字幕 (made from an SRT); the other video lesson has none, so
                # 报告 → 缺少字幕的微党课 and the dashboard show it.
                "captions": True,
                "summary": "用几分钟梳理发展党员的主要环节：申请、确定积极分子、确定发展对象、接收预备党员、转正。",
                "description": "<p>发展党员工作有严格的程序。本课按时间顺序介绍五个阶段以及每个阶段的关键材料，"
                "适合刚递交入党申请书的同学观看。</p>",
            },
        ],
    },
    {
        "slug": "jijifenzi-peixun",
        "title": "入党积极分子培训",
        "intro": "<p>面向入党积极分子和发展对象的系统培训内容：培养考察怎么进行、思想汇报怎么写、"
        "组织生活怎么参加，以及发展对象集中培训的要求。</p>",
        "lessons": [
            {
                "kind": "article",
                "slug": "peiyang-yu-kaocha",
                "title": "入党积极分子的培养与考察",
                "summary": "确定为入党积极分子后，要经过一年以上的培养教育和考察。了解培养联系人的作用和考察的重点。",
                # 3 minutes of reading earn at most 0.25 学时 (cms/pages/credit.py).
                "class_hours": Decimal("0.25"),
                "min_reading_seconds": 180,
                "body": [
                    _p(
                        "被党支部确定为入党积极分子，意味着正式进入培养考察阶段。"
                        "按照发展党员工作的规定，入党积极分子要经过一年以上的培养教育和考察，"
                        "才有可能被确定为发展对象。",
                    ),
                    _h("培养联系人"),
                    _p(
                        "党支部会为每位入党积极分子指定一至两名正式党员作为培养联系人。"
                        "培养联系人的任务是了解你的思想、学习和工作情况，帮助你端正入党动机，"
                        "并向党支部汇报考察情况。遇到困惑时，主动找培养联系人谈心，是最直接的成长途径。",
                    ),
                    _h("考察看什么"),
                    _p(
                        "考察的重点是政治觉悟、道德品质、学习和工作表现，以及在群众中的口碑。"
                        "党支部通常每半年对入党积极分子进行一次考察，并听取党员和群众的意见。",
                    ),
                    _p(
                        "温馨提示：参加党校或学院组织的入党积极分子培训班，完成规定学时并通过结业考试，"
                        "是培养教育的重要组成部分。在本平台学习微党课获得的学时会自动记入你的学习档案。",
                    ),
                ],
            },
            {
                "kind": "article",
                "slug": "sixiang-huibao",
                "title": "如何写好一份思想汇报",
                "summary": "思想汇报不是套话的堆砌。写清楚最近学了什么、想了什么、做了什么、还差什么。",
                "class_hours": Decimal("0.25"),
                "min_reading_seconds": 120,
                "restricted": True,
                "body": [
                    _p(
                        "定期向党组织递交思想汇报，是入党积极分子接受培养教育的一种方式。"
                        "一份好的思想汇报，应当真实、具体、有思考，而不是从网上摘抄的空话。",
                    ),
                    _h("四个问题搭起框架"),
                    _p(
                        "可以围绕四个问题来写：这段时间我学了什么（理论学习、时事、党课内容）；"
                        "我想了什么（对某个问题的认识有什么变化）；我做了什么（学习、工作、志愿服务中的具体事情）；"
                        "我还差什么（自己的不足和下一步打算）。",
                    ),
                    _quote("写自己的事，说自己的话，讲自己的思考。", "思想汇报写作要点"),
                    _p(
                        "篇幅不必追求长，一千字左右、言之有物即可。写完后读给培养联系人听一听，"
                        "请他提出修改意见。",
                    ),
                ],
            },
            {
                "kind": "video",
                "slug": "zhibu-zuzhi-shenghuo",
                "title": "微党课：走进党支部的组织生活",
                "summary": "“三会一课”、组织生活会、主题党日……这些组织生活形式分别是什么、怎么开展？",
                "description": "<p>党支部是党的基础组织。本课介绍党支部组织生活的主要形式，"
                "帮助入党积极分子提前了解将来要参加的活动。</p>",
            },
            {
                "kind": "article",
                "slug": "fazhan-duixiang-jizhong-peixun",
                "title": "发展对象的集中培训要求",
                "summary": "发展对象在接收为预备党员前，一般要参加不少于三天（或不少于二十四个学时）的集中培训。",
                "class_hours": Decimal("0.25"),
                "min_reading_seconds": 90,
                "body": [
                    _p(
                        "入党积极分子经过一年以上培养考察、被确定为发展对象后，"
                        "还需要参加短期集中培训。按照发展党员工作的有关规定，"
                        "集中培训时间一般不少于三天或不少于二十四个学时；未经培训的，除个别特殊情况外，"
                        "不能发展入党。",
                    ),
                    _h("培训内容"),
                    _p(
                        "集中培训通常包括党的基本理论、基本知识、党章和党的纪律、党员的权利义务等内容，"
                        "形式上有专题讲座、自学、分组讨论、实践活动和结业考试。",
                    ),
                    _p(
                        "在本平台上，培训班会显示你已修的学时和还需完成的学时；"
                        "线下讲座的学时由培训管理员登记，同样进入你的学习档案。",
                    ),
                ],
            },
        ],
    },
]


def _add_child(parent: Page, page: Page, *, author, publisher) -> Page:
    """The editor writes the page; the reviewer publishes it, as in the review workflow."""
    parent.add_child(instance=page)
    revision = page.save_revision(user=author, log_action=True)
    revision.publish(user=publisher)
    page.refresh_from_db()
    return page


def demo_content_ensure(*, editor, reviewer, video_for=None) -> list[Page]:
    """Create the demo courses and lessons if they do not exist yet; existing ones are left alone.

    `video_for(title)` returns a ready media_pipeline Video for a video lesson (or None).
    """
    home = HomePage.objects.first()
    created_lessons: list[Page] = []
    for course_data in COURSES:
        course = home.get_children().filter(slug=course_data["slug"]).specific().first()
        if course is None:
            course = _add_child(
                home,
                CoursePage(
                    title=course_data["title"], slug=course_data["slug"], intro=course_data["intro"]
                ),
                author=editor,
                publisher=reviewer,
            )
        for lesson_data in course_data["lessons"]:
            if course.get_children().filter(slug=lesson_data["slug"]).exists():
                continue
            if lesson_data["kind"] == "article":
                lesson = ArticleLessonPage(
                    title=lesson_data["title"],
                    slug=lesson_data["slug"],
                    summary=lesson_data["summary"],
                    class_hours=lesson_data["class_hours"],
                    min_reading_seconds=lesson_data["min_reading_seconds"],
                    body=lesson_data["body"],
                )
            else:
                lesson = VideoLessonPage(
                    title=lesson_data["title"],
                    slug=lesson_data["slug"],
                    summary=lesson_data["summary"],
                    description=lesson_data["description"],
                    video=video_for(lesson_data["title"]) if video_for else None,
                )
            lesson = _add_child(course, lesson, author=editor, publisher=reviewer)
            if lesson_data.get("restricted"):
                PageViewRestriction.objects.get_or_create(
                    page=lesson, restriction_type=PageViewRestriction.LOGIN
                )
            created_lessons.append(lesson)
    return created_lessons


@transaction.atomic
def demo_site_ensure(*, video_for=None) -> dict:
    users = demo_accounts_ensure()
    demo_content_ensure(editor=users["editor"], reviewer=users["reviewer"], video_for=video_for)
    return users
