"""Indicators stated in goal sentences: “到2025年，森林覆盖率达到55%以上”.

A goal sentence names a measured quantity, a verb of attainment (达到, 控制在, 降至 …) and
a number with its unit, in one of two orders: the quantity first (森林覆盖率达到55%) or the
number first (实施39条客运班线公交化改造, 100%实现铁路联通). Lists share verbs and
units (港口吞吐能力达到1200万吨、20万标箱), “分别” pairs names with values, “均” gives every
listed subject the same value. The year is the one the sentence states (到2035年,
2023年底前), else the goals section's year, else the plan's end year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from planwatch.extract.records import Comparator, Indicator, Target
from planwatch.extract.text import cjk_count, mask_quoted, squeeze
from planwatch.extract.values import NUMBER, UNIT_RE, comparator_of, number
from planwatch.numerals import to_halfwidth

_VERBS_BEFORE = ("提高到", "提高至", "提升到", "提升至", "增加到", "增加至", "增长到", "增长至", "降低到", "降低至",
                 "下降到", "下降至", "减少到", "减少至", "缩小到", "缩小至", "缩减到", "扩大到", "控制在", "保持在",
                 "稳定在", "维持在", "不低于", "不少于", "不高于", "不超过", "不大于", "达到", "降至", "降到", "超过",
                 "高于", "低于", "小于", "大于", "突破", "迈上", "超", "达", "约", "在", "为", "至")
_MENTION = re.compile(
    r"(?P<pre>" + "|".join(_VERBS_BEFORE) + r")?\s*(?P<num>" + NUMBER + r"(?:\s*[:：]\s*" + NUMBER
    + r")*|半)\s*(?:(?:%|‰)?\s*[—–\-~～]\s*(?P<high>" + NUMBER + r")\s*)?(?P<more>余)?(?P<unit>/\s*10\s*万|/\s*万|" + UNIT_RE
    + r")?\s*(?P<post>及以上|以上|以下|以内|左右|新台阶|台阶)?")
_YEAR_PHRASE = re.compile(r"(?:到|至|在)?\s*((?:19|20)\d{2})\s*年\s*(?:底前|底|末|前|以前)?")
_MISTYPED_MEASURE = re.compile(r"(?<=\d)各(?=[\u4e00-\u9fff])")
# 各 (each) opening a clause shares its target among the subjects listed before it: 各设置1个勘查区块.
_EACH = re.compile(r"^各(?:设置|设立|建设|建成|新建|新增|布局|打造|培育|创建|建立|配备)$")
_LISTED = re.compile(r"([\u4e00-\u9fff]{1,6}(?:、[\u4e00-\u9fff]{1,6})+)(?:的|等|$)")
_LIST_LEAD = re.compile(r"^[\u4e00-\u9fff]*(?:开展|加强|推进|实施|推动|做好|加快|强化|完善|支持|围绕|聚焦)")
_LEADING = re.compile(r"^(?:[、，,：:]|规划|到期末|期末|届时|全区|全县|全市|全镇|全省|全国|我区|我市|我省|实现|实施|启动|建设|新建|完成|推进|开展|"
                      r"打造|建成(?!区)|培育|引进|创建|争创|力争|确保|努力|基本(?=实现|建成|形成|完成|达到|消除|普及|覆盖|满足|具备)|全面|其中|同时|并且|并|且|以及|和|与其|使|让|均|分别|累计|做大做强|"
                      r"至)+")
# Verbs that make a quantity an amount added over the period (新建绿地, 新增就业): part of its name.
_INCREMENT = re.compile(r"(?:累计)?新(?:建|增|种|改建|开工|培育|引进|认定|创建|设|开通|铺设|装)$")
_ADDED = re.compile(r"^(?:累计)?新(?:建|增|种|改建|开工|培育|引进|认定|创建|设|开通|铺设|装)")
_TRAILING = re.compile(r"(?:分别|均|总体|累计|每年|实现|建成|新建|完成|达到|达|要|将|力争|基本|稳定|保持|提高到|为|在|的)+$")
_METRIC_END = re.compile(r"(率|比例|比重|占比|人数|数量|总量|总额|总值|产值|规模|面积|里程|时间|指数|能力|年限|寿命|"
                         r"涨幅|幅度|强度|水平|含量|浓度|长度|份额|"
                         r"增速|速度|收入|密度|天数|人口|数|量|额)$")
_NUMBERING = re.compile(r"^(?:\d{1,2}\s*[．.、](?!\d)|[（(]\s*\d{1,2}\s*[）)]|[（(]?[一二三四五六七八九十]+[）)、]|[—-]+)\s*")
# Clauses end at commas and at the colon after an announcement (主要预期目标是：…); a comma between
# digits groups thousands and a colon between digits is a ratio (6.5：2.5：1).
_CLAUSE = re.compile(r"(?:[^，,：:]|(?<=\d),(?=\d{3})|(?<=\d)[：:](?=\d))+")
_COMPARED_TO = re.compile(r"(?:比|较|相比)\s*(?:19|20)\d{2}\s*年[底末]?")
_CHANGE = re.compile(r"(年均)?(?:分别|均)?(下降|降低|减少|压减|提高|提升|增长|增加|上升)了?$")
_FROM_BASELINE = re.compile(r"(?:由|从)\s*((?:19|20)\d{2})\s*年[底末]?的?\s*(" + NUMBER + r"\s*(?:%|‰)?)")
_TIME_UNITS = ("小时", "分钟", "天", "年")
_MAX_NAME = 40  # longer “names” are lists of projects, not a measured quantity
# The metric a listed subject shares with the last one (A、B增长速度分别…, A、B占比均…).
_SHARED_METRIC = re.compile(r"(年均增长|增长速度|增长率|增速|占比|比例|比重|覆盖率|普及率|达标率|[\u4e00-\u9fff]{0,2}率)$")
_RESPECTIVE_VERB = re.compile(r"(分别|均)((?:年均)?(?:下降|降低|减少|压减|提高|提升|增长|增加|上升)了?)?$")
_GROWTH_ONLY = re.compile(r"^(?:年均)?(?:增长|增速)率?$")
_MEASURE_SUFFIX = re.compile(r"(?:比例|里程|面积)$")
_GROWTH_END = re.compile(r"(?:年均)?(?:增长|增速)$")
_OWN_METRIC = re.compile(r"(率|比例|比重|占比|速度|增速|指数|增长)$")
_SHARE_OF = re.compile(r"占(?!比)")
_SHARE_COMPARED = re.compile(r"(不低于|不少于|不高于|不超过|高于|低于|超过)[^，,、。；;]{1,20}?的$")
# 区、镇街两级…: the administrative scope of a target, not part of the quantity's name.
_SCOPE = re.compile(r"^(?:[省市区县乡镇街村]{1,2}、)*[省市区县乡镇街村]{1,3}[两三]级")


@dataclass(slots=True)
class GoalContext:
    file: str
    plan: str | None
    default_year: int | None
    start_year: int | None
    domain: str | None


@dataclass(slots=True)
class _Mention:
    name: str
    printed: str
    value: float | None
    comparator: Comparator
    unit: str | None
    year: int
    value_high: float | None = None
    annual_average: bool = False
    baseline_year: int | None = None
    baseline: str | None = None
    extra_years: list[Target] = field(default_factory=list)
    end: int = -1  # where the value ends in the paragraph, for lists that share a verb


# “十五五”时期地区生产总值年均增长: the period is the target's, not part of the quantity's name.
_PERIOD_LEAD = re.compile(r"^[^，,。；;]*?(?:[“\"]?十[一二三四五六七八九]五[”\"]?(?:时期|期间|期末|末)?|今后五年|未来五年|"
                          r"五年内|规划期内)")


_YEAR_INSIDE = re.compile(r"^([^，,。；;]*?)(?:到|至)\s*(?:19|20)\d{2}\s*年[底末前]*[，,]?")


def _clean_name(text: str) -> str:
    name = _NUMBERING.sub("", squeeze(text))
    name = _PERIOD_LEAD.sub("", name)
    name = _SCOPE.sub("", name)
    dated = _YEAR_INSIDE.match(name)
    if dated:  # 到2025年，森林覆盖率… or 森林覆盖率到2025年达到…: the quantity on either side
        rest = _TRAILING.sub("", _LEADING.sub("", name[dated.end():]))
        name = name[dated.end():] if cjk_count(rest) >= 2 else dated.group(1)
    name = _COMPARED_TO.sub("", name)
    lead = _LEADING.match(name)
    name = name[lead.end():] if lead else name
    name = _TRAILING.sub("", name).strip("，,、：: ")
    verb = _INCREMENT.search(lead.group()) if lead else None
    if verb and cjk_count(name) >= 2:
        return verb.group() + name  # 新建绿地35万平方米: the quantity added over the period
    if lead and lead.group().endswith("建设") and cjk_count(name) >= 2 and not _METRIC_END.search(name):
        return name + "建设"  # 建设“美丽街区”15条（段）: the building of the thing counted
    return name


_MODIFIER = 3  # 城镇, 农村, 一产, 男性: the short modifiers a list puts before one shared noun


def _shared_head(parts: list[str]) -> str:
    """The noun the modifiers of a list share, printed once after the last (城镇和农村|常住居民…收入)."""
    size = len(parts[0])
    if not all(cjk_count(p) == len(p) <= _MODIFIER and len(p) == size for p in parts[:-1]):
        return ""
    head = parts[-1][size:]
    return head if cjk_count(head) >= 2 else ""


_SECTORS = re.compile(r"([一二三])([一二三])([一二三])?(产业?)")
_GROWTH_SUFFIX = re.compile(r"(?:年均)?(?:增长|增速)率?$")


def _spelled_out(name: str) -> str:
    """Abbreviated lists in full: 一二三产增加值 → 一产、二产、三产增加值; 年均分别增长 → 分别年均增长."""
    name = name.replace("年均分别", "分别年均")
    return _SECTORS.sub(lambda m: "、".join(g + m.group(4) for g in m.groups()[:3] if g), name)


def _split_subjects(name: str, distribute: bool, respective: bool = False) -> list[str]:
    """``A、B占比均达到`` → [A占比, B占比]; without 均/分别, split only where each part is a metric.
    ``respective`` (分别): the subjects pair with a list of values, which 和 and 及 join as well as 、."""
    parts = [p for p in re.split("、|和|及" if respective else "、", name) if p]
    if len(parts) < 2:
        return [name]
    if distribute:
        if _SHARE_OF.search(parts[-1]):
            return [name]  # 制造业、数字经济增加值占GDP比重: one combined share
        head = _shared_head(parts)
        if head:  # 城镇和农村常住居民人均可支配收入: each modifier takes the head noun of the last
            return [p + head for p in parts[:-1]] + [parts[-1]]
        metric = _SHARED_METRIC.search(parts[-1])
        suffix = metric.group(1) if metric else ""
        return [p if not suffix or _OWN_METRIC.search(p) else p + suffix for p in parts]
    groups: list[str] = []
    current: list[str] = []
    for p in parts:
        current.append(p)
        if _METRIC_END.search(p):
            groups.append("、".join(current))
            current = []
    if current:
        if groups:
            groups[-1] = groups[-1] + "、" + "、".join(current)
        else:
            return [name]
    return groups


def _comparator(pre: str | None, post: str | None, more: str | None = None) -> Comparator:
    """What follows the number decides first (控制在5.5%左右 is about 5.5), then the verb before it."""
    for words in (post or "", more or "", pre or ""):
        comparator = _comparator_of_words(words)
        if comparator is not Comparator.EQ:
            return comparator
    return Comparator.EQ


def _comparator_of_words(words: str) -> Comparator:
    if any(w in words for w in ("以下", "以内", "不高于", "不超过", "不大于", "控制在")):
        return Comparator.LE
    if any(w in words for w in ("以上", "不低于", "不少于", "突破", "迈上", "台阶")):
        return Comparator.GE
    if any(w in words for w in ("超", "高于", "大于", "余")):
        return Comparator.GT
    if "低于" in words or "小于" in words:
        return Comparator.LT
    if "左右" in words or "约" in words:
        return Comparator.ABOUT
    return Comparator.EQ


def _year_before(text: str, pos: int, default: int | None) -> tuple[int | None, bool]:
    """The latest year phrase before ``pos``; the flag says whether it looks like a past reference."""
    year, past = default, False
    for m in _YEAR_PHRASE.finditer(text[:pos]):
        if text[max(0, m.start() - 2): m.start()].endswith(("比", "较", "由", "从", "相比")):
            continue  # 比2020年下降…, 由2020年的…: the baseline year, not the target year
        phrase = m.group()
        year = int(m.group(1))
        past = not (phrase.startswith(("到", "至")) or re.search(r"底|末|前", phrase))
    return year, past


def mentions_in(text: str, ctx: GoalContext) -> list[_Mention]:
    """Every target stated in a paragraph, clause by clause."""
    # one character for one: offsets stay valid; 1各勘查区块 is the measure word 个 mistyped (both read ge)
    masked = _MISTYPED_MEASURE.sub("个", mask_quoted(to_halfwidth(text)))
    out: list[_Mention] = []
    for sentence in re.finditer(r"[^。；;！!？?]+", masked):
        s_start = sentence.start()
        for clause_match in _CLAUSE.finditer(sentence.group()):
            for seg_start, seg_end in _segments(clause_match.group()):
                c_start = s_start + clause_match.start() + seg_start
                clause_masked = masked[c_start: s_start + clause_match.start() + seg_end]
                clause = text[c_start: c_start + len(clause_masked)]
                out.extend(_clause_mentions(text, clause, clause_masked, c_start, ctx, out))
    return out


def _segments(clause: str) -> list[tuple[int, int]]:
    """Split a clause at 、 where both sides state their own quantity and value
    (至两群主要城市实现2小时可达、至周边主要省会城市3小时可达); keep subject lists
    (A、B占比均达到100%) and value lists (1200万吨、20万标箱) together."""
    bounds = [0] + [m.start() + 1 for m in re.finditer("、", clause)] + [len(clause) + 1]
    parts = [(bounds[k], bounds[k + 1] - 1) for k in range(len(bounds) - 1)]
    merged: list[tuple[int, int, bool]] = []  # start, end, has its own value
    for start, end in parts:
        piece = clause[start:end]
        mentions = [m for m in _MENTION.finditer(piece) if _valid(m, piece)]
        rest = _MENTION.sub("", piece) if mentions else piece
        if merged and (not merged[-1][2] or cjk_count(rest) < 2):
            merged[-1] = (merged[-1][0], end, bool(mentions) or merged[-1][2])
        else:
            merged.append((start, end, bool(mentions)))
    return [(a, b) for a, b, _ in merged]


def _valid(m: re.Match[str], clause_masked: str) -> bool:
    num = m.group("num")
    if "＿" in num:
        return False
    if re.fullmatch(r"(?:19|20)\d{2}", num) and (m.group("unit") == "年" or clause_masked[m.end():].lstrip()
                                                 .startswith("年")):
        return False  # a calendar year (到2035年), not a value
    if m.start() > 0 and re.match(r"[A-Za-z0-9.]", clause_masked[m.start() - 1]):
        return False
    has_unit = bool(m.group("unit")) or ":" in num or "：" in num
    return has_unit or bool(m.group("pre") and m.group("pre") not in ("在", "为", "至", "约"))


def _clause_mentions(text: str, clause: str, clause_masked: str, c_start: int, ctx: GoalContext,
                     previous: list[_Mention]) -> list[_Mention]:
    found = [m for m in _MENTION.finditer(clause_masked) if _valid(m, clause_masked)]
    terminal = [m for k, m in enumerate(found)
                if not clause_masked[m.end():].strip()
                or (clause_masked[m.end():].lstrip().startswith(("、", "和", "及")) and k + 1 < len(found))]
    if terminal:
        return _quantity_first(text, clause, c_start, terminal, ctx, previous)
    if len(found) == 1:
        return _value_first(text, clause, clause_masked, c_start, found[0], ctx, previous)
    return []


def _quantity_first(text: str, clause: str, c_start: int, terminal: list[re.Match[str]], ctx: GoalContext,
                    previous: list[_Mention]) -> list[_Mention]:
    """森林覆盖率达到55%; 吞吐能力达到1200万吨、20万标箱; A、B分别超过15%、5%."""
    out: list[_Mention] = []
    last_end = 0
    pending: list[str] = []  # names waiting for their value after 分别
    shared_verb = ""  # the change verb a 分别 list of values shares (分别下降14%和18%)
    shared = Comparator.EQ
    for m in terminal:
        raw_name = clause[last_end: m.start()]
        last_end = m.end()
        year, past = _year_before(text, c_start + m.start(), ctx.default_year)
        if year is None or (past and ctx.start_year is not None and year < ctx.start_year):
            continue
        comparator = _comparator(m.group("pre"), m.group("post"), m.group("more"))
        share = _SHARE_COMPARED.search(raw_name)  # 执法人员不低于在职执法人员的75%
        if share is not None and not m.group("pre"):
            raw_name, comparator = raw_name[: share.start()], _comparator(share.group(1), None)
        since = _FROM_BASELINE.search(raw_name)  # 由2020年的48%提高到52%
        name = _clean_name(raw_name[: since.start()] if since else raw_name)
        if not name:
            # a value continuing a list takes the next 分别 name, else the previous name
            if pending:
                name = pending.pop(0)
            elif out or previous:
                name = (out or previous)[-1].name
                if m.group("unit") not in ("%", "‰", None):  # 年均增长5%左右、迈上3万亿元台阶: the level itself
                    name = _GROWTH_SUFFIX.sub("", name) or name
            if not (m.group("pre") or m.group("post")):
                comparator = shared
        elif _GROWTH_ONLY.match(name) and (out or previous):
            # 增加值突破120亿元，年均增长10%: the growth of the quantity just named
            subject = (out or previous)[-1].name
            name = _MEASURE_SUFFIX.sub("", subject) + name
        else:
            name = _spelled_out(name)
            # 分别/均 pair each subject with a value; a growth (A、B年均增长6%) is each subject's own
            distribute = "分别" in raw_name or bool(re.search("(?<!年)均", raw_name)) \
                or bool(_GROWTH_END.search(name))
            subjects = _split_subjects(name, distribute, respective="分别" in raw_name)
            if "分别" in raw_name:
                # A和B分别下降14%和18%: every value of the list keeps the verb before the first
                verb = _RESPECTIVE_VERB.search(name)
                shared_verb = verb.group(2) if verb else ""
                subjects = [_RESPECTIVE_VERB.sub("", s) for s in subjects]
                name, pending = subjects[0], subjects[1:]
            else:
                out.extend(_make(subject, m, clause, year, comparator) for subject in subjects[:-1])
                name = subjects[-1]
            shared = comparator
        if cjk_count(name) >= 2 and len(name) <= _MAX_NAME:
            mention = _make(name, m, clause, year, comparator, shared_verb)
            if since:
                mention.baseline_year, mention.baseline = int(since.group(1)), squeeze(since.group(2))
            out.append(mention)
    return out


def _value_first(text: str, clause: str, clause_masked: str, c_start: int, m: re.Match[str],
                 ctx: GoalContext, previous: list[_Mention]) -> list[_Mention]:
    """实施39条客运班线公交化改造; 100%实现铁路联通; 至各镇实现1小时可达."""
    if not m.group("unit"):
        return []
    year, past = _year_before(text, c_start + m.start(), ctx.default_year)
    if year is None or past:
        return []
    pre = _clean_name(clause[: m.start()])
    comparator = _comparator(m.group("pre"), m.group("post"), m.group("more"))
    if m.group("unit") in _TIME_UNITS:
        if not clause_masked[m.end():].strip().startswith(("可达", "到达", "通达")):
            return []  # 1小时周边: a travel-time circle, not a target of its own
        name, comparator = pre + "可达时间", Comparator.LE  # 至各镇1小时可达: travel time ≤ 1 h
    else:
        post = re.sub(r"^\s*(?:实现|完成)", "", clause[m.end():])
        if "的" in post and (not pre or post.strip().startswith("的")):
            post = post[post.rindex("的") + 1:]  # 1—2户…的第三方物流龙头企业: the head noun
        post = _clean_name(post)
        name = pre + post if pre and len(post) <= 12 else (post or pre)
        subjects = _each_of(text, c_start) if _EACH.match(pre) and post else None
        if subjects:
            name = subjects + post  # 甲、乙…，各设置1个勘查区块: 甲、乙勘查区块
        lead = _lead_words(clause[: m.start()])
        added = _INCREMENT.search(lead)
        if added is None and not lead and previous and text[previous[-1].end: c_start].strip() == "、":
            added = _ADDED.match(previous[-1].name)  # 新建1座消防救援站、1个…基地: the list shares its verb
        if added and not _ADDED.match(name):
            name = added.group() + name  # 新建1座消防救援站: the stations added over the period
    if cjk_count(name) < 2 or len(name) > _MAX_NAME:
        return []
    mention = _make(name, m, clause, year, comparator)
    mention.end = c_start + len(clause)
    return [mention]


def _each_of(text: str, c_start: int) -> str | None:
    """The subjects a clause opened by 各 (each) shares its target among: the list of the clause before it in
    the sentence (开展甲、乙的勘查工作，各设置1个勘查区块 → 甲、乙), without the verbs before the list."""
    sentence_start = max(text.rfind(mark, 0, c_start) for mark in "。；;！!？?\n") + 1
    before = re.split(r"[，,]", text[sentence_start:c_start].rstrip("，, "))[-1]
    listed = _LISTED.search(before)
    return _LIST_LEAD.sub("", listed.group(1)) if listed else None


def _lead_words(text: str) -> str:
    """The words before a number, without the spaces and marks around them."""
    return squeeze(text).strip("，,、：: ")


def _make(name: str, m: re.Match[str], clause: str, year: int, comparator: Comparator,
          shared_verb: str = "") -> _Mention:
    printed = squeeze(clause[m.start(): m.end()])
    num = m.group("num")
    value: float | None
    if ":" in num or "：" in num:
        value = None
        comparator = Comparator.EQ
        printed = squeeze(num)  # a ratio is printed without its verb (缩小至1.9：1 → 1.9：1)
    elif num == "半":
        value = 0.5
    else:
        value = number(num)
    high = number(m.group("high")) if m.group("high") else None
    if high is not None:
        comparator = Comparator.RANGE
    unit = clause[m.start("unit"): m.end("unit")] if m.group("unit") else None  # as printed, not masked
    if unit == "各":
        unit = m.group("unit")  # the measure word 个 mistyped
    if unit and unit.startswith("/"):
        unit = "1" + unit.replace(" ", "")  # 8/10万 → per 100,000
    annual = bool(re.search(r"年均(?:增长|增速|递增)?(?:率)?$", name))
    change = _CHANGE.search(squeeze(clause[: m.start()])) or _CHANGE.search(shared_verb)
    if change and comparator is not Comparator.RANGE and unit in ("%", "个百分点", "百分点"):
        verb = change.group(2)
        printed = (change.group(1) or "") + verb + printed
        if change.group(1):
            annual = True  # 年均增长6.5%: an average annual rate
        if verb == "增长" and unit == "%" and not _GROWTH_END.search(name):
            name += (change.group(1) or "") + verb  # A和B分别增长4%和6%: each one's growth rate
        elif not (verb == "增长" and unit == "%"):
            # 比2020年下降13.5%, 提高2个百分点: a change of a level relative to its baseline. (X增长5%
            # is a growth rate, an indicator of its own: 地区生产总值增长 5.5.)
            down = verb in ("下降", "降低", "减少", "压减")
            points = unit != "%"
            comparator = {(True, False): Comparator.DECREASE_BY_PCT, (False, False): Comparator.INCREASE_BY_PCT,
                          (True, True): Comparator.DECREASE_BY_POINTS,
                          (False, True): Comparator.INCREASE_BY_POINTS}[(down, points)]
            name = re.sub(verb + "$", "", name) or name
            unit = unit if points else None  # the level's own unit is not printed
    if comparator not in _RELATIVE and not _ADDED.match(name):
        name = named_measure(name, unit)
    return _Mention(name, printed, value, comparator, unit, year, high, annual)


_RELATIVE = (Comparator.DECREASE_BY_PCT, Comparator.INCREASE_BY_PCT, Comparator.DECREASE_BY_POINTS,
             Comparator.INCREASE_BY_POINTS)
# The measure a unit implies, for a subject printed without one (实现70%镇通公交, 国道省道改造96.2公里).
_MEASURE_OF_UNIT = {"%": "比例", "％": "比例", "公里": "里程", "千米": "里程", "平方米": "面积", "万平方米": "面积",
                    "亩": "面积", "万亩": "面积", "公顷": "面积", "平方公里": "面积"}


# A land of some use (公园绿地, 林地, 建设用地) is its area already: 公园绿地17.5万平方米 needs no 面积.
_LAND = re.compile(r"(?:绿|林|耕|湿|用|草|园|土)地$")
# A transit service counted by 条 is counted by its lines (省际城际公交达到6条: 公交线路).
_SERVICE_LINES = re.compile(r"(?:公交|地铁|轨道交通|班车|专线车)$")


def named_measure(name: str, unit: str | None) -> str:
    """The shortest noun phrase naming the measured quantity: a bare subject gets the measure its unit implies."""
    if unit == "条" and _SERVICE_LINES.search(name):
        return name + "线路"
    measure = _MEASURE_OF_UNIT.get(unit or "")
    if measure is None or _METRIC_END.search(name) or _GROWTH_END.search(name) \
            or (measure == "面积" and _LAND.search(name)):
        return name
    return name + measure


def prose_indicators(paragraph: str, line: int, ctx: GoalContext) -> list[Indicator]:
    mentions = mentions_in(paragraph, ctx)
    merged: list[_Mention] = []
    for mention in mentions:
        prev = merged[-1] if merged else None
        if prev is not None and prev.year != mention.year and prev.unit == mention.unit and (
                mention.name in prev.name or prev.name in mention.name):
            prev.extra_years.append(_target(mention))
            continue
        merged.append(mention)
    out = []
    for m in merged:
        targets = tuple(sorted([_target(m), *m.extra_years], key=lambda t: t.year))
        out.append(Indicator(
            file=ctx.file, line=line, plan=ctx.plan, name=m.name, unit=m.unit, domain=ctx.domain,
            attribute=None, baseline_year=m.baseline_year, baseline=m.baseline, targets=targets, kind="prose",
            source_text=paragraph))
    return out


# Targets in words that a goals section sets without a number, by the phrases plans use for them.
_QUALITATIVE = re.compile(
    r"^(?P<name>[^，,；;。]{2,30}?)(?P<text>"
    r"(?:增速|增长|增幅)?(?:与|同|和)[^，,；;。\d]{1,14}?(?:基本)?(?:保持)?同步"
    r"|(?:全面|确保|如期)?完成(?:国家|省|市|区|县|上级)[^，,；;。\d]{0,12}?(?:目标|任务)"
    r"|(?:增速|增长)?(?:高于|快于|优于|不低于)(?:全国|全省|全市|全区|同期)[^，,；;。\d]{0,8}?(?:平均)?水平"
    r"|(?:实现|保持)正增长"
    r"|(?:稳居|保持|位居)(?:全国|全省|全市)(?:前列|前[一二三四五六七八九十]+位?))$")


def qualitative_indicators(paragraph: str, line: int, ctx: GoalContext) -> list[Indicator]:
    """Targets a goals section sets in words (居民收入增长与经济增长同步, 完成市下达的减排目标):
    kept for monitoring by judgement, with their text, never with a number."""
    out = []
    for clause in re.split(r"[，,；;。！!？?]", paragraph):
        m = _QUALITATIVE.match(squeeze(clause))
        if m is None or re.search(r"\d", clause):
            continue
        name = _clean_name(m.group("name"))
        if cjk_count(name) < 2 or len(name) > _MAX_NAME:
            continue
        text = m.group("text")
        if text.startswith(("增速", "增长", "增幅")):
            name, text = name + text[:2], text[2:]
        target = Target(ctx.default_year or 0, text, None, comparator_of(text), qualitative=True)
        out.append(Indicator(file=ctx.file, line=line, plan=ctx.plan, name=name, unit=None, domain=ctx.domain,
                             attribute=None, baseline_year=None, baseline=None, targets=(target,), kind="prose",
                             source_text=paragraph))
    return out


def _target(m: _Mention) -> Target:
    return Target(m.year, m.printed, m.value, m.comparator, m.value_high, m.annual_average)
