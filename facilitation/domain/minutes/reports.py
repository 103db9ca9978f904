"""The statutory reports made from a meeting's minutes: pure builders, one per report.

- `ehcp_review_report`: the EHCP annual review report (SEND Regulations 2014, reg 20; SEND Code of
  Practice 2015, 9.176-9.177): every section is present, and one with nothing recorded says so.
- `prior_written_notices`: the US prior written notice (34 CFR 300.503(b)), one per decision that
  proposes or refuses an action, each of its seven elements present or flagged as missing.
- the general minutes for other meetings are the minutes themselves (`build_minutes`).

A report is a `Report` value: a title, lines under it, and sections of blocks (paragraphs, lists,
labelled facts, tables). Renderers (`facilitation.exports.reports`) turn it into HTML, PDF, DOCX or
Markdown; the gaps a report finds are listed for the chair before circulation (`report_gaps`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..errors import InvalidValue
from ..outcomes import PFA_AREAS, PFA_FROM_YEAR, pfa_applies, year_label
from .values import STATUTORY_NOTICE, ChildView, DecisionEntry, Minutes
from .wording import uk_date

#: What a section with nothing recorded says.
NONE_RECORDED = "None recorded."
#: The report each meeting type has: its export key and label.
EHCP_REPORT, PRIOR_WRITTEN_NOTICE = "report", "pwn"
REPORTS: dict[str, str] = {EHCP_REPORT: "EHCP annual review report", PRIOR_WRITTEN_NOTICE: "Prior written notice"}
REPORT_MEETINGS: dict[str, str] = {EHCP_REPORT: "ehcp_annual_review", PRIOR_WRITTEN_NOTICE: "iep_meeting"}
#: The statutory step each report's sending records done: ENG-AR-08 (the report within two weeks of the
#: meeting, to the local authority and everyone invited) and US-PWN-01 (notice before the change).
REPORT_RULES: dict[str, str] = {EHCP_REPORT: "ENG-AR-08", PRIOR_WRITTEN_NOTICE: "US-PWN-01"}

#: Who a report is sent to; sending the annual review report to the local authority records ENG-AR-08 done.
RECIPIENTS: dict[str, str] = {
    "local_authority": "Local authority",
    "parent": "Parent or carer",
    "young_person": "Young person",
    "school": "School or setting",
    "professional": "Professional who gave advice",
    "other": "Someone else invited",
}
LOCAL_AUTHORITY, PARENT = "local_authority", "parent"
RECIPIENT_MAX = 200

#: How the procedural safeguards notice was offered to the parent (34 CFR 300.504(a)), and the parent's
#: consent where the action needs it (34 CFR 300.300).
SAFEGUARDS_HOW: dict[str, str] = {
    "in_person": "Given to the parent in person",
    "post": "Sent by post",
    "email": "Sent by e-mail",
    "declined": "Offered; the parent declined a copy",
}
CONSENT_GIVEN, CONSENT_REFUSED, CONSENT_NOT_NEEDED = "given", "refused", "not_needed"
CONSENT: dict[str, str] = {
    CONSENT_GIVEN: "Consent given",
    CONSENT_REFUSED: "Consent refused",
    CONSENT_NOT_NEEDED: "Consent not needed for this action",
}

PROPOSES, REFUSES = "proposes", "refuses"
NOTICE_KINDS: dict[str, str] = {PROPOSES: "Action proposed", REFUSES: "Action refused"}

REG_20 = "https://www.legislation.gov.uk/uksi/2014/1530/regulation/20"
CFR_300_503 = "https://www.ecfr.gov/current/title-34/subtitle-B/chapter-III/part-300/subpart-E/subject-group-ECFR7b0ae66c8f51e73/section-300.503"

#: 34 CFR 300.503(b)(4): the statement that the parents have protection under the procedural safeguards.
SAFEGUARDS_STATEMENT = (
    "The parents of a child with a disability have protection under the procedural safeguards of Part B of the "
    "Individuals with Disabilities Education Act (IDEA, 34 CFR 300.500-300.536). A copy of the procedural "
    "safeguards notice (a description of these safeguards) is free: ask the school district's special education "
    "office or the chair of this meeting, who will send or give it to you."
)


@dataclass(frozen=True)
class Block:
    """A piece of a section: `text` (a paragraph), `list` (items), `facts` (label, value rows), `table`."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Section:
    """One section of a report: its key (what tests and gaps name), heading, blocks, and whether it is
    empty (it then says "None recorded.") or flagged (a statutory element is missing: `flag` says which)."""

    key: str
    heading: str
    blocks: tuple[Block, ...]
    empty: bool = False
    flag: str | None = None
    level: int = 2


@dataclass(frozen=True)
class Report:
    kind: str
    title: str
    lines: tuple[str, ...]
    sections: tuple[Section, ...]
    #: statutory elements missing, one line each (the chair sees them before circulating)
    gaps: tuple[str, ...] = ()
    draft: bool = True
    footer: tuple[str, ...] = field(default_factory=tuple)

    def section(self, key: str) -> Section:
        """The section with this key (the first, where notices repeat keys: use `sections`)."""
        return next(s for s in self.sections if s.key == key)


def text(value: str) -> Block:
    return Block("text", text=value)


def items(values) -> Block:
    return Block("list", items=tuple(values))


def facts(pairs) -> Block:
    return Block("facts", rows=tuple((a, b) for a, b in pairs))


def table(headings, rows) -> Block:
    return Block("table", headings=tuple(headings), rows=tuple(tuple(r) for r in rows))


def _section(key: str, heading: str, blocks: list[Block], *, flag: str | None = None, level: int = 2) -> Section:
    """A section; with no blocks it says "None recorded." (and carries its flag, when missing is a gap)."""
    if not blocks:
        return Section(key, heading, (text(NONE_RECORDED),), True, flag, level)
    return Section(key, heading, tuple(blocks), False, None, level)


def _people(m: Minutes) -> list[str]:
    a = m.attendance
    return [f"{p.name}, {p.role_label} ({p.agency})" for p in (*a.present, *a.remote)]


def _stamp(m: Minutes) -> str:
    s = m.stamp
    if m.is_approved:
        return f"Version {s.number}, approved {uk_date(s.approved_at)}" + (
            f" by {s.approved_by}" if s.approved_by else ""
        )
    return f"Version {s.number}: draft, not yet approved"


# ---------------------------------------------------------------- the child's views beside the responses

#: The side-by-side table's headings, and what a view no decision answers says.
VIEWS_HEADINGS = ("What the child said", "How the meeting responded")
NOT_ANSWERED = "No decision answers this yet."


def _said(v: ChildView) -> str:
    """The child's own words, then how they were gathered and by whom."""
    how = ", ".join(x for x in (v.how_gathered, f"from {v.who}" if v.who else None) if x)
    return f'"{v.words}"' + (f" ({how})" if how else "")


def answering(m: Minutes, v: ChildView) -> list[DecisionEntry]:
    """The decisions that say they answer this view."""
    if v.request_id is None:
        return [d for d in m.decisions if d.answers_recorded_views]
    return [d for d in m.decisions if v.request_id in d.answers_view_ids]


def views_and_responses(m: Minutes) -> Block | None:
    """Each of the child's views beside the decisions that answer it ("No decision answers this yet."
    where none does); none when no views are recorded."""
    if not m.child_voice:
        return None
    rows = [(_said(v), "\n".join(f"{d.ref} {d.text}" for d in answering(m, v)) or NOT_ANSWERED) for v in m.child_voice]
    return table(VIEWS_HEADINGS, rows)


# ---------------------------------------------------------------- the EHCP annual review report


def ehcp_review_report(m: Minutes) -> Report:
    """The annual review report (reg 20(7)-(10)): every section present or marked "None recorded"."""
    mt = m.meeting
    gaps: list[str] = []

    def flagged(key, heading, blocks, missing: str | None, listed: bool = True) -> Section:
        # `listed`: False where the minutes' own completeness list already names the gap (views, recommendation)
        s = _section(key, heading, blocks, flag=missing)
        if s.flag and listed:
            gaps.append(f"Annual review report: {s.flag}")
        return s

    due = next((d.day for d in m.statutory_dates if d.rule_id == "ENG-AR-08"), None)
    sections = [
        _section(
            "meeting",
            "The review meeting",
            [
                facts(
                    [
                        ("Child or young person", mt.child_ref),
                        ("Meeting", f"{mt.meeting_type_label}, {uk_date(mt.day, weekday=True)}"),
                        ("Year group", year_label(m.year_group)),
                        (
                            "Report due to the local authority and everyone invited",
                            uk_date(due) if due else "Not computed",
                        ),
                    ]
                ),
                items(_people(m) or ["Attendance is not recorded."]),
            ],
        ),
        flagged(
            "child_views",
            "The views, wishes and feelings of the child or young person",
            [b for b in (views_and_responses(m),) if b] if m.child_voice else [],
            "the child's or young person's views are not recorded.",
            False,
        ),
        flagged(
            "family_views",
            "The views of the parent or carer",
            [text(m.family_views)] if m.family_views else [],
            "the parent's views are not recorded.",
            False,
        ),
    ]

    no_progress = [o.ref for o in m.outcomes if not o.progress]
    rows = [(o.ref, o.text, o.progress or NONE_RECORDED, o.evidence or NONE_RECORDED) for o in m.outcomes]
    sections.append(
        flagged(
            "progress",
            "Progress towards each outcome of the plan",
            [table(("", "Outcome", "Progress", "Evidence"), rows)] if rows else [],
            "no outcomes of the plan are recorded.",
        )
    )
    if no_progress:
        gaps.append(f"Annual review report: no progress is recorded for {', '.join(no_progress)}.")
    unanswered = [o.ref for o in m.outcomes if not o.still_appropriate]
    if unanswered:
        gaps.append(
            f"Annual review report: whether the outcome is still appropriate is not recorded for {', '.join(unanswered)}."
        )
    sections.append(
        _section(
            "appropriate",
            "Whether the outcomes remain appropriate",
            [
                table(
                    ("", "Outcome", "Still appropriate?", "Proposed change"),
                    [
                        (o.ref, o.text, o.still_appropriate_label or NONE_RECORDED, o.proposed_change or NONE_RECORDED)
                        for o in m.outcomes
                    ],
                )
            ]
            if m.outcomes
            else [],
        )
    )
    sections.append(
        _section(
            "advice",
            "Advice and information received",
            [
                table(
                    ("From", "Role", "Received", "Summary"),
                    [
                        (a.source, a.role, uk_date(a.received_on) if a.received_on else "", a.summary)
                        for a in m.advice_received
                    ],
                )
            ]
            if m.advice_received
            else [],
        )
    )

    rec_blocks = [text(m.recommendation_label)] if m.recommendation_label else []
    sections.append(
        flagged(
            "recommendation",
            "The school's recommendation: maintain, amend or cease the plan",
            rec_blocks,
            "the recommendation (maintain, amend or cease) is not recorded.",
            False,
        )
    )
    amend_missing = (
        "the plan is to be amended but no section to amend is recorded." if m.recommendation == "amend" else None
    )
    sections.append(
        flagged(
            "amendments",
            "Sections of the plan to amend, with the proposed wording",
            [
                table(
                    ("Section", "Proposed wording", "Why"),
                    [(a.section_label, a.wording, a.reason or "") for a in m.amendments],
                )
            ]
            if m.amendments
            else [],
            amend_missing,
        )
    )
    others = [
        (a.source + (f" ({a.role})" if a.role else ""), a.recommendation) for a in m.advice_received if a.recommendation
    ]
    others += [(f"{p.party} ({p.agency})", f"{g.topic}: {p.view}") for g in m.disagreements for p in g.positions]
    sections.append(
        _section(
            "recommendations_compared",
            "The school's recommendation set against those of others",
            [facts([("The school", m.recommendation_label or NONE_RECORDED), *others])]
            if (m.recommendation_label or others)
            else [],
        )
    )
    diffs = []
    for g in m.disagreements:
        lines = [f"{p.party} ({p.agency}): {p.view}" for p in g.positions]
        state = (
            f"Resolved: {g.resolution}"
            if g.resolved
            else (f"Next step: {g.next_step_label}" if g.next_step_label else "Open")
        )
        diffs += [text(f"{g.ref} {g.topic}"), items([*lines, state])]
    sections.append(_section("differences", m.disagreements_title, diffs))

    pfa_blocks: list[Block] = []
    if pfa_applies(m.year_group):
        for area in m.adulthood_areas or list(PFA_AREAS):
            mine = [o for o in m.outcomes if o.area == area]
            pfa_blocks.append(text(PFA_AREAS[area]))
            pfa_blocks.append(
                items([f"{o.ref} {o.text}: {o.progress or 'no progress recorded'}" for o in mine] or [NONE_RECORDED])
            )
        if not m.adulthood_areas:
            gaps.append(
                "Annual review report: no preparation-for-adulthood area was chosen for the agenda (Year 9 and above)."
            )
    elif m.year_group is None:
        gaps.append(
            "Annual review report: the year group is not recorded, so whether preparation for adulthood applies is unknown."
        )
        pfa_blocks.append(text("The year group is not recorded."))
    else:
        pfa_blocks.append(text(f"Not applicable: {year_label(m.year_group)} (reviewed from Year {PFA_FROM_YEAR})."))
    sections.append(_section("adulthood", "Preparing for adulthood (Year 9 and above)", pfa_blocks))

    agreed = [f"{d.ref} {d.text} ({d.status_label})" for d in m.decisions]
    agreed += [f"{a.ref} {a.what}: {a.owner}, {a.agency}, by {uk_date(a.due_date)}" for a in m.actions]
    sections.append(_section("agreed", "Decisions and actions agreed", [items(agreed)] if agreed else []))
    sections.append(
        _section(
            "next_review",
            "Next review",
            [text(uk_date(m.next_review_date, weekday=True))] if m.next_review_date else [],
        )
    )
    return Report(
        kind=EHCP_REPORT,
        title=f"EHCP annual review report: {mt.child_ref}",
        lines=(mt.title, f"{mt.meeting_type_label}, {uk_date(mt.day, weekday=True)}", _stamp(m)),
        sections=tuple(sections),
        gaps=tuple(gaps),
        draft=not m.is_approved,
        footer=(
            f"Made under the Special Educational Needs and Disability Regulations 2014, regulation 20 ({REG_20}).",
            STATUTORY_NOTICE,
        ),
    )


# ---------------------------------------------------------------- the plan in the general minutes


def plan_sections(m: Minutes) -> list[Section]:
    """The plan's outcomes with progress, preparation for adulthood and the sections to amend, as sections of
    the minutes themselves; none where nothing of the plan was recorded. The child's views beside the
    decisions that answer them come first (they follow the minutes' views section)."""
    out = []
    side_by_side = views_and_responses(m)
    if side_by_side:
        out.append(_section("views_responses", "The child's views and how the meeting responded", [side_by_side]))
    if m.outcomes:
        out.append(
            _section(
                "outcomes",
                "Outcomes of the plan and progress",
                [
                    table(
                        ("", "Outcome", "Progress and evidence", "Still appropriate?", "Proposed change"),
                        [
                            (
                                o.ref,
                                o.text + (f" ({o.area_label})" if o.area_label else ""),
                                "\n".join(
                                    x for x in (o.progress, f"Evidence: {o.evidence}" if o.evidence else None) if x
                                )
                                or NONE_RECORDED,
                                o.still_appropriate_label or NONE_RECORDED,
                                o.proposed_change or "",
                            )
                            for o in m.outcomes
                        ],
                    )
                ],
            )
        )
    if pfa_applies(m.year_group) and m.adulthood_areas:
        blocks = []
        for area in m.adulthood_areas:
            mine = [f"{o.ref} {o.text}: {o.progress or 'no progress recorded'}" for o in m.outcomes if o.area == area]
            blocks += [text(PFA_AREAS[area]), items(mine or [NONE_RECORDED])]
        out.append(_section("adulthood", f"Preparing for adulthood ({year_label(m.year_group)})", blocks))
    if m.amendments:
        out.append(
            _section(
                "amendments",
                "Sections of the plan to amend",
                [
                    table(
                        ("Section", "Proposed wording", "Why"),
                        [(a.section_label, a.wording, a.reason or "") for a in m.amendments],
                    )
                ],
            )
        )
    return out


# ---------------------------------------------------------------- the US prior written notice


def notice_decisions(m: Minutes) -> list[DecisionEntry]:
    """The decisions a notice is made for: those that propose or refuse an action."""
    return [d for d in m.decisions if d.notice in NOTICE_KINDS]


def _notice_sections(m: Minutes, d: DecisionEntry, gaps: list[str]) -> list[Section]:
    def element(key, heading, value: str | None, missing: str) -> Section:
        s = _section(key, heading, [text(value)] if value else [], flag=missing, level=3)
        if s.flag:
            gaps.append(f"Prior written notice for {d.ref}: {missing}")
        return s

    verb = "proposes" if d.notice == PROPOSES else "refuses"
    return [
        Section(
            "action", "1. The action proposed or refused", (text(f"The school district {verb}: {d.text}"),), level=3
        ),
        element(
            "why", "2. Why the district proposes or refuses the action", d.reasons, "the reasons are not recorded."
        ),
        element(
            "evidence",
            "3. Each evaluation procedure, assessment, record or report used as a basis",
            d.evidence,
            "the evaluations, records or reports used are not recorded.",
        ),
        Section(
            "safeguards", "4. Procedural safeguards, and how to obtain a copy", (text(SAFEGUARDS_STATEMENT),), level=3
        ),
        _help(m, d, gaps),
        element(
            "options",
            "6. Other options considered, and why they were rejected",
            d.options_considered,
            "the other options considered and why they were rejected are not recorded.",
        ),
        element(
            "other_factors",
            "7. Other factors relevant to the proposal or refusal",
            d.other_factors,
            "the other factors relevant are not recorded.",
        ),
    ]


def _help(m: Minutes, d: DecisionEntry, gaps: list[str]) -> Section:
    s = _section(
        "help",
        "5. Sources to contact for help in understanding this notice",
        [items(m.help_sources)] if m.help_sources else [],
        flag="no sources of help are set in the organisation's contacts.",
        level=3,
    )
    if s.flag:
        gaps.append(f"Prior written notice for {d.ref}: {s.flag}")
    return s


def prior_written_notices(m: Minutes) -> Report:
    """One notice (34 CFR 300.503(b)) per decision that proposes or refuses an action, in one document;
    each element present or flagged as missing."""
    mt = m.meeting
    gaps: list[str] = []
    sections: list[Section] = []
    chosen = notice_decisions(m)
    for n, d in enumerate(chosen, 1):
        heading = f"Notice {n} ({d.ref}): {NOTICE_KINDS[d.notice].lower()}: {d.text}"
        sections.append(
            Section(
                "notice",
                heading,
                (facts([("Decision", f"{d.ref}, {d.status_label}"), ("Date of the meeting", uk_date(mt.day))]),),
            )
        )
        sections += _notice_sections(m, d, gaps)
    if not chosen:
        gaps.append(
            "Prior written notice: no decision is marked as an action proposed or refused, so no notice is made."
        )
        sections.append(_section("notice", "No action proposed or refused", [], flag=gaps[-1]))
    sections.append(safeguards_section(m, gaps))
    return Report(
        kind=PRIOR_WRITTEN_NOTICE,
        title=f"Prior written notice: {mt.child_ref}",
        lines=(mt.title, f"{mt.meeting_type_label}, {uk_date(mt.day, weekday=True)}", _stamp(m)),
        sections=tuple(sections),
        gaps=tuple(gaps),
        draft=not m.is_approved,
        footer=(
            f"Given under 34 CFR 300.503 ({CFR_300_503}), in the parent's native language or other mode of communication unless it is clearly not feasible.",
        ),
    )


# ---------------------------------------------------------------- procedural safeguards and consent


def check_safeguards(
    meeting_type: str, offered_on: date, how: str, consent: str, consent_on: date | None, today: date
) -> None:
    """An IEP meeting's record that the safeguards were offered (when, how) and the parent's consent
    (given or refused on a date, or not needed); else 422 naming the field."""
    if meeting_type != REPORT_MEETINGS[PRIOR_WRITTEN_NOTICE]:
        raise InvalidValue("Procedural safeguards are recorded for a US IEP meeting only.", field="meeting_type")
    if how not in SAFEGUARDS_HOW:
        raise InvalidValue("Say how the procedural safeguards were offered.", field="how")
    if consent not in CONSENT:
        raise InvalidValue("Say whether consent was given, refused or not needed.", field="consent")
    if offered_on > today:
        raise InvalidValue("Cannot be after today: record the safeguards once they are offered.", field="offered_on")
    if consent == CONSENT_NOT_NEEDED:
        if consent_on is not None:
            raise InvalidValue("Leave the date empty when consent is not needed.", field="consent_on")
    elif consent_on is None:
        raise InvalidValue("Give the date consent was given or refused.", field="consent_on")
    elif consent_on > today:
        raise InvalidValue("Cannot be after today.", field="consent_on")


def safeguards_section(m: Minutes, gaps: list[str]) -> Section:
    """The record that the procedural safeguards were offered to the parent and the parent's consent;
    each part missing is flagged and listed for the chair."""
    s = m.safeguards
    missing = []
    rows = []
    if s is None or s.offered_on is None:
        missing.append("that the procedural safeguards were offered to the parent is not recorded.")
    else:
        rows.append(
            (
                "Procedural safeguards offered",
                f"{uk_date(s.offered_on)}: {SAFEGUARDS_HOW.get(s.how or '', s.how or '')}",
            )
        )
    if s is None or s.consent is None:
        missing.append("the parent's consent (given, refused or not needed) is not recorded.")
    else:
        rows.append(
            (
                "Parent's consent",
                CONSENT.get(s.consent, s.consent) + (f", {uk_date(s.consent_on)}" if s.consent_on else ""),
            )
        )
    gaps += [f"Prior written notice: {x}" for x in missing]
    blocks = ([facts(rows)] if rows else []) + [text(f"Missing: {x}") for x in missing if rows]
    section = _section(
        "safeguards_record",
        "Procedural safeguards offered and the parent's consent",
        blocks,
        flag=" ".join(missing) or None,
    )
    if missing and rows:
        return Section(section.key, section.heading, section.blocks, False, " ".join(missing), section.level)
    return section


def build_report(kind: str, m: Minutes) -> Report:
    """The report of this kind for the minutes (see REPORTS)."""
    if kind == EHCP_REPORT:
        return ehcp_review_report(m)
    if kind == PRIOR_WRITTEN_NOTICE:
        return prior_written_notices(m)
    raise KeyError(kind)


def reports_for(meeting_type: str) -> list[str]:
    """The statutory reports a meeting type has (none: the general minutes are its record)."""
    return [k for k, t in REPORT_MEETINGS.items() if t == meeting_type]


def report_gaps(m: Minutes) -> list[str]:
    """The statutory elements missing from the meeting's reports, for the chair's list before circulating."""
    return [g for kind in reports_for(m.meeting.meeting_type) for g in build_report(kind, m).gaps]
