"""The statutory deadlines of docs/statutory-rules.md as versioned data (source: deadline-rules.md).

Not legal advice: each record carries its source and verification mark (P primary text, S secondary
sources, U unverified). Ids marked "invented" in `note` are ours, in the reference's style, where the
reference gives one row for several clocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PRIMARY, SECONDARY, UNVERIFIED = "P", "S", "U"
VERIFICATION = {PRIMARY: "primary text", SECONDARY: "secondary sources", UNVERIFIED: "unverified"}

# Units a clock counts in.
DAYS, WEEKS, MONTHS, YEARS = "days", "weeks", "months", "years"
WORKING_DAYS, SCHOOL_DAYS, TERMS, DATE_IN_YEAR = "working_days", "school_days", "terms", "date_in_year"
UNITS = (DAYS, WEEKS, MONTHS, YEARS, WORKING_DAYS, SCHOOL_DAYS, TERMS, DATE_IN_YEAR)
AFTER, BEFORE = "after", "before"
# Adjustments applied to the computed date.
NEXT_WORKING_DAY, CHRISTMAS, AUGUST = "next_working_day", "tribunal_christmas", "tribunal_august"
ADJUSTMENTS = {
    NEXT_WORKING_DAY: "if it falls on a day that is not a working day, the next working day",
    CHRISTMAS: "if it falls 25 December to 1 January, the next working day in January",
    AUGUST: "if it falls in August, the first working day of September",
}
# Where "working day" has no verified definition (deadline-rules.md: England's SEND Regulations); the US
# business day is defined by 34 CFR 300.11.
UNDEFINED_WORKING_DAYS = frozenset({"ENG"})
# How several clocks of one rule combine.
LATEST, EARLIEST = "latest", "earliest"
# What a recorded exception does to a rule's date: moves it (by a fixed number of days, or by the days
# recorded with the exception), removes the fixed date (the time limit does not apply), or only notes it.
MOVES, REMOVES, NOTES = "moves", "removes", "notes"
EFFECTS = {MOVES: "date moved", REMOVES: "no fixed date", NOTES: "date stands"}
#: The exceptions the regulations allow, in words: key -> what happened.
EXCEPTIONS = {
    "school_closed": "school closed 4 weeks or more",
    "provider_closed": "early years provider closed 4 weeks or more",
    "personal_circumstances": "exceptional personal circumstances of the child, parent or young person",
    "absent_from_area": "child, parent or young person away from the area 4 weeks or more",
    "child_not_produced": "parent repeatedly did not make the child available for the evaluation",
    "moved_district": "child moved to another school district during the evaluation",
    "extension_granted": "extension granted",
    "other": "another reason (recorded; the regulations set no exception for it)",
}
#: Accepted by every rule with a date: recorded and shown, the date stands.
OTHER = "other"

SEND_REGS = "https://www.legislation.gov.uk/uksi/2014/1530"
SEND_REGS_IN_FORCE = date(2014, 9, 1)
IDEA_REGS_IN_FORCE = date(2006, 10, 13)


@dataclass(frozen=True)
class Clock:
    """One clock: `amount` units after (or before) a named start event.

    `inclusive` counts the start day as day 1 ("at least 15 days, beginning with the day served").
    An `optional` clock is left out when its start date is not known (no mediation certificate).
    For DATE_IN_YEAR, `amount` is MMDD of a fixed date in the start event's calendar year.
    """

    start: str
    amount: int
    unit: str
    direction: str = AFTER
    inclusive: bool = False
    optional: bool = False


@dataclass(frozen=True)
class Allowance:
    """An exception a rule accepts and what it does: `effect` MOVES (by `days`, or by the days recorded
    with it when `days` is None), REMOVES the fixed date, or NOTES (the date stands)."""

    key: str
    effect: str
    days: int | None = None
    source: str = ""


@dataclass(frozen=True)
class Rule:
    """A versioned statutory rule; `clocks` empty means the rule sets no fixed date."""

    id: str
    jurisdiction: str
    title: str
    who: str
    verification: str
    sources: tuple[str, ...]
    clocks: tuple[Clock, ...] = ()
    combine: str = LATEST
    adjustments: tuple[str, ...] = ()
    effective_from: date = SEND_REGS_IN_FORCE
    effective_to: date | None = None
    version: int = 1
    note: str = ""
    #: the US state whose own timeframe replaced the federal default (organisation.with_overrides), if any
    state_timeframe: str = ""
    #: The exceptions the regulations allow for this rule; OTHER (notes only) is accepted by every dated rule.
    exceptions: tuple[Allowance, ...] = ()

    @property
    def allowances(self) -> dict[str, Allowance]:
        """Every exception key this rule accepts, with what it does (none for a rule without a date)."""
        if not self.clocks:
            return {}
        return {**{a.key: a for a in self.exceptions}, OTHER: Allowance(OTHER, NOTES)}

    @property
    def start_events(self) -> tuple[str, ...]:
        """The dates the rule needs, in order, without repeats."""
        return tuple(dict.fromkeys(clock.start for clock in self.clocks))

    def in_force(self, on: date) -> bool:
        """Whether this version applies on the given date."""
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


def _c(start: str, amount: int, unit: str, direction: str = AFTER, inclusive: bool = False,
       optional: bool = False) -> Clock:
    return Clock(start, amount, unit, direction, inclusive, optional)


IPSEA_MEDIATION = "https://www.ipsea.org.uk/the-mediation-process"
IPSEA_CHRISTMAS = (
    "https://www.ipsea.org.uk/faqs/my-local-authoritys-decision-letter-is-dated-1-october-and-my-mediation-"
    "certificate-is-dated-29-november-are-there-any-special-rules-about-when-appeals-must-be-submitted-over-the-"
    "christmas-period-are-there-other-times-when-the-deadline-changes"
)
HESC_RULE_20 = "https://www.legislation.gov.uk/uksi/2008/2699/article/20"
REG_20 = "https://www.legislation.gov.uk/uksi/2014/1530/regulation/20"
DEVON = "https://www.bailii.org/ew/cases/EWHC/Admin/2022/493.html"
REG_10_4 = SEND_REGS + "/regulation/10"
#: Reg 10(4), applied to the 6-week decision by reg 5(4) and to the 20-week plan by reg 13(3): the local
#: authority need not meet the time limit (deadline-rules.md ENG-EHC-08).
EHC_EXCEPTIONS = tuple(
    Allowance(key, REMOVES, source=REG_10_4)
    for key in ("school_closed", "provider_closed", "personal_circumstances", "absent_from_area")
)
APPEAL_CLOCKS = (_c("decision_letter_date", 2, MONTHS), _c("certificate_date", 1, MONTHS, optional=True))

ENGLAND = (
    Rule("ENG-MED-01", "ENG", "LA decision notice includes mediation rights, certificate, adviser and timescales",
         "Local authority", PRIMARY, (SEND_REGS + "/regulation/32",)),
    Rule("ENG-MED-02", "ENG", "Contact the mediation adviser before appealing", "Parent or young person", PRIMARY,
         (SEND_REGS + "/regulation/33",), (_c("decision_letter_date", 2, MONTHS),)),
    Rule("ENG-MED-03", "ENG", "Certificate issued after the parent declines mediation", "Mediation adviser",
         SECONDARY, (SEND_REGS + "/regulation/34", "https://www.ipsea.org.uk/faqs/i-want-to-appeal-sections-b-and-f-of-"
                     "my-childs-ehc-plan-do-i-need-to-go-to-mediation-first"),
         (_c("mediation_declined_date", 3, WORKING_DAYS),)),
    Rule("ENG-MED-04", "ENG", "Integrated care boards told of health issues in a mediation", "Local authority",
         SECONDARY, (IPSEA_MEDIATION,), (_c("mediation_requested_date", 3, WORKING_DAYS),)),
    Rule("ENG-MED-05", "ENG", "Mediation arranged", "Local authority or ICB", UNVERIFIED,
         (IPSEA_MEDIATION, "https://www.essexsendiass.co.uk/parents-and-carers/education-health-and-care-plans/"
          "mediation/"), (_c("mediation_requested_date", 30, DAYS),),
         note="Sources differ on the start point (parent telling the LA, or the adviser telling it)."),
    Rule("ENG-MED-06", "ENG", "Certificate issued when mediation cannot be arranged in 30 days", "Mediation adviser",
         SECONDARY, (IPSEA_MEDIATION, "https://www.iasmanchester.org/case-study-17-what-happens-when-mediation-does-"
                     "not-take-place-within-30-days"), (_c("adviser_told_no_mediation_date", 3, WORKING_DAYS),)),
    Rule("ENG-MED-07", "ENG", "Certificate issued after mediation", "Mediation adviser", SECONDARY,
         ("https://iasmanchester.org/disagreement-resolution-mediation-services-manchester",),
         (_c("mediation_end_date", 3, WORKING_DAYS),)),
    Rule("ENG-MED-08", "ENG", "Someone with authority to resolve the issues attends mediation",
         "Local authority or ICB", SECONDARY, ("https://sensationalfamilies.org.uk/resources/27-mediation",)),
    Rule("ENG-MED-09", "ENG", "Agreed action taken after a mediation agreement (not about appealable matters)",
         "Local authority or commissioning body", PRIMARY,
         ("https://legislation.gov.uk/uksi/2014/1530/regulation/42/2014-09-01",),
         (_c("mediation_agreement_date", 2, WEEKS),),
         note="Parties may agree other timescales in writing; appealable matters follow reg 44 instead."),
    Rule("ENG-MED-09B", "ENG", "Local authority told of a mediation agreement it was not party to",
         "Commissioning body", PRIMARY, ("https://legislation.gov.uk/uksi/2014/1530/regulation/42/2014-09-01",),
         (_c("mediation_agreement_date", 1, WEEKS),), note="Id invented: the reference has one row for reg 42."),
    Rule("ENG-APP-01", "ENG", "Appeal received by the Tribunal (before holiday adjustments)",
         "Parent or young person", PRIMARY, (HESC_RULE_20,), APPEAL_CLOCKS,
         note="2 months after the decision letter, or 1 month after the certificate if later."),
    Rule("ENG-APP-02", "ENG", "Appeal received by the Tribunal, with the Christmas and August adjustments",
         "Parent or young person", UNVERIFIED, (IPSEA_CHRISTMAS, HESC_RULE_20), APPEAL_CLOCKS,
         adjustments=(NEXT_WORKING_DAY, CHRISTMAS, AUGUST),
         note="SEN appeals only, not disability discrimination claims. The move off a weekend or bank holiday is "
              "the Tribunal rules' general time rule (rule 12), not in the reference: unverified."),
    Rule("ENG-APP-03", "ENG", "Tribunal may admit late appeals or appeals without a certificate", "Tribunal",
         SECONDARY, ("https://www.ipsea.org.uk/faqs/the-deadline-for-my-appeal-to-be-made-has-passed-am-i-too-late-"
                     "to-try-to-appeal",)),
    Rule("ENG-EHC-01", "ENG", "Decision whether to carry out an EHC needs assessment", "Local authority", PRIMARY,
         ("https://legislation.gov.uk/uksi/2014/1530/regulation/5",), (_c("request_received", 6, WEEKS),),
         exceptions=EHC_EXCEPTIONS),
    Rule("ENG-EHC-02", "ENG", "Advice for an EHC needs assessment given", "Each body asked for advice",
         SECONDARY, ("https://edyourself.org/send-regulations/",), (_c("advice_requested_date", 6, WEEKS),)),
    Rule("ENG-EHC-03", "ENG", "Decision not to issue an EHC plan notified", "Local authority", PRIMARY,
         (SEND_REGS + "/regulation/10",), (_c("request_received", 16, WEEKS),), exceptions=EHC_EXCEPTIONS),
    Rule("ENG-EHC-04", "ENG", "Draft EHC plan sent (practice target, not statutory)", "Local authority",
         UNVERIFIED, ("https://www.victa.org.uk/our-services/support/ehcp/ehcp-timeline/",),
         (_c("request_received", 16, WEEKS),)),
    Rule("ENG-EHC-05", "ENG", "Last day for representations on a draft EHC plan", "Parent or young person",
         PRIMARY, (SEND_REGS + "/regulation/13",), (_c("draft_served_date", 15, DAYS, inclusive=True),)),
    Rule("ENG-EHC-06", "ENG", "Requested school or college replies to the consultation", "School or college",
         UNVERIFIED, ("https://livewellsouthend.com/education-health-care-plans/ehc-needs-assessment/5",),
         (_c("consultation_sent_date", 15, DAYS),)),
    Rule("ENG-EHC-07", "ENG", "Final EHC plan issued", "Local authority", PRIMARY,
         (SEND_REGS + "/regulation/13",), (_c("request_received", 20, WEEKS),), exceptions=EHC_EXCEPTIONS),
    Rule("ENG-EHC-08", "ENG", "Exceptions to the EHC time limits (closures, personal circumstances, absence)",
         "Local authority", PRIMARY, (SEND_REGS + "/regulation/10",)),
    Rule("ENG-EHC-09", "ENG", "Amended or replacement plan after a re-assessment", "Local authority", PRIMARY,
         (SEND_REGS + "/regulation/27",), (_c("reassessment_notice_date", 14, WEEKS),)),
    Rule("ENG-AR-01", "ENG", "Next annual review of an EHC plan", "Local authority", SECONDARY,
         ("https://localoffer.northlincs.gov.uk/documents/send-documents/ehcp-annual-review-guidance-for-sencos/",),
         (_c("last_review_or_issue_date", 12, MONTHS),),
         note="First review within 12 months of the plan's issue, then of the previous review."),
    Rule("ENG-AR-02", "ENG", "Review of an under-5's EHC plan (suggested every 3 to 6 months)", "Local authority",
         SECONDARY, ("https://www.impacteducationsoftware.com/post/what-is-an-annual-review-and-what-do-i-have-to-do",),
         (_c("last_review_or_issue_date", 6, MONTHS),), note="A suggestion in the Code, not a duty."),
    Rule("ENG-AR-03", "ENG", "An annual review meeting is held", "Head teacher or local authority", PRIMARY,
         (REG_20,)),
    Rule("ENG-AR-04", "ENG", "Annual review invitees (parent, head, LA SEN officer, health, social care)",
         "Head teacher", PRIMARY, (REG_20,)),
    Rule("ENG-AR-05", "ENG", "Annual review invitations sent", "Head teacher", PRIMARY, (REG_20,),
         (_c("meeting_date", 14, DAYS, BEFORE),)),
    Rule("ENG-AR-06", "ENG", "Annual review advice and information circulated", "Head teacher", PRIMARY,
         (REG_20,), (_c("meeting_date", 14, DAYS, BEFORE),)),
    Rule("ENG-AR-07", "ENG", "The review considers progress, views and preparation for adulthood", "Meeting",
         PRIMARY, (REG_20,)),
    Rule("ENG-AR-08", "ENG", "Annual review report sent to the LA and everyone invited", "Head teacher",
         SECONDARY, ("https://send.essex.gov.uk/help-learning/step-by-step/steps-annual-review-process/"
                     "written-report-after-meeting",), (_c("meeting_date", 2, WEEKS),)),
    Rule("ENG-AR-09", "ENG", "LA decides to maintain, amend or cease the plan", "Local authority", SECONDARY,
         ("https://insights.doughtystreet.co.uk/post/102hknk/high-court-confirms-fixed-time-limits-apply-after-"
          "annual-reviews-of-ehc-plans",), (_c("meeting_date", 4, WEEKS),)),
    Rule("ENG-AR-10", "ENG", "Proposed amendments sent with the LA's decision", "Local authority", PRIMARY,
         (DEVON, "https://www.ipsea.org.uk/r-l-m-and-p-v-devon-county-council-2022-ewhc-493-admin"),
         (_c("meeting_date", 4, WEEKS),), effective_from=date(2022, 3, 8)),
    Rule("ENG-AR-11", "ENG", "Last day for representations on proposed amendments", "Parent or young person",
         PRIMARY, (SEND_REGS + "/regulation/22",), (_c("amendments_sent_date", 15, DAYS, inclusive=True),)),
    Rule("ENG-AR-12", "ENG", "Final amended plan issued", "Local authority", PRIMARY,
         (SEND_REGS + "/regulation/22", DEVON),
         (_c("amendments_sent_date", 8, WEEKS), _c("meeting_date", 12, WEEKS)), combine=EARLIEST),
    Rule("ENG-AR-13", "ENG", "Decision not to amend after representations notified", "Local authority",
         UNVERIFIED, (SEND_REGS + "/regulation/22",), note="The time limit in reg 22(4) was not read."),
    Rule("ENG-AR-14", "ENG", "Plan amended before a phase transfer (school phases)", "Local authority", PRIMARY,
         (SEND_REGS + "/regulation/18",), (_c("transfer_date", 215, DATE_IN_YEAR),),
         note="15 February of the calendar year of transfer."),
    Rule("ENG-AR-14B", "ENG", "Plan amended before a transfer from secondary school to post-16",
         "Local authority", PRIMARY, (SEND_REGS + "/regulation/18",), (_c("transfer_date", 331, DATE_IN_YEAR),),
         note="Id invented: 31 March of the calendar year of transfer (reg 18, one row in the reference)."),
    Rule("ENG-AR-14C", "ENG", "Plan amended before a post-16 to post-16 transfer", "Local authority", PRIMARY,
         (SEND_REGS + "/regulation/18",), (_c("transfer_date", 5, MONTHS, BEFORE),),
         note="Id invented: at least 5 months before the transfer (reg 18, one row in the reference)."),
    Rule("ENG-SS-01", "ENG", "SEN support follows assess, plan, do, review", "School", SECONDARY,
         ("https://www.flpa-tkat.org/graduated-approach/",)),
    Rule("ENG-SS-02", "ENG", "Parents told when SEN support is provided", "School", SECONDARY,
         ("https://www.flpa-tkat.org/graduated-approach/",)),
    Rule("ENG-SS-03", "ENG", "Next SEN support review (termly)", "School", SECONDARY,
         ("https://localoffer.southwark.gov.uk/education/what-send-support-to-expect-age-0-25/what-to-expect-age-6-12/"
          "planning-and-reviewing-progress/",), (_c("last_review_date", 1, TERMS),),
         note="By the end of the next term of the school's term dates; 4 months when none are set."),
    Rule("ENG-SS-04", "ENG", "Record of the SEN support meeting given to the parents", "School", UNVERIFIED,
         ("https://localoffer.southwark.gov.uk/education/what-send-support-to-expect-age-0-25/what-to-expect-age-6-12/"
          "planning-and-reviewing-progress/",), (_c("meeting_date", 5, SCHOOL_DAYS),),
         note="The record is required (S); 5 school days is this tool's default, not statutory."),
    Rule("ENG-SS-05", "ENG", "Annual report to parents on progress", "School", SECONDARY,
         ("https://localoffer.southwark.gov.uk/education/what-send-support-to-expect-age-0-25/what-to-expect-age-6-12/"
          "planning-and-reviewing-progress/",), (_c("last_report_date", 12, MONTHS),)),
    Rule("ENG-SS-06", "ENG", "EHC needs assessment may be requested after little progress", "School or parent",
         SECONDARY, ("https://childrenandfamiliesnewcastle.org.uk/universally-available-provision/4-graduated-response",)),
    Rule("ENG-CMP-01", "ENG", "Maintained school complaints procedure", "School", SECONDARY,
         ("https://westsussexsendias.org/complaints/",)),
    Rule("ENG-CMP-02", "ENG", "Academy complaints procedure", "Proprietor", SECONDARY,
         ("https://westsussexsendias.org/complaints/",)),
    Rule("ENG-CMP-03", "ENG", "Complaint to the Local Government and Social Care Ombudsman", "Parent or young person",
         PRIMARY, ("https://www.lgo.org.uk/make-a-complaint/fact-sheets/education/special-educational-needs",),
         (_c("knew_date", 12, MONTHS),), note="Normally within 12 months of knowing; not for appealable matters."),
    Rule("ENG-CMP-04", "ENG", "Health complaints to the NHS and the Health Service Ombudsman", "Parent",
         UNVERIFIED, ()),
    Rule("ENG-CMP-05", "ENG", "Health and social care recommendations through the Tribunal", "Tribunal",
         UNVERIFIED, ("https://www.lgo.org.uk/make-a-complaint/fact-sheets/education/special-educational-needs",)),
    Rule("ENG-IAS-01", "ENG", "Information, advice and support service contact shown", "Local authority",
         SECONDARY, ("https://rotherhamsendiass.org.uk/support/mean-impartial-information-advice-support",)),
    Rule("ENG-IAS-02", "ENG", "Refusal notices mention disagreement resolution and advice", "Local authority",
         PRIMARY, (SEND_REGS + "/regulation/5", SEND_REGS + "/regulation/10")),
)


def _us(rule_id: str, title: str, who: str, verification: str, sources: tuple[str, ...],
        clocks: tuple[Clock, ...] = (), note: str = "", exceptions: tuple[Allowance, ...] = ()) -> Rule:
    return Rule(rule_id, "US", title, who, verification, sources, clocks, effective_from=IDEA_REGS_IN_FORCE,
                note=note, exceptions=exceptions)


IDEA = "https://sites.ed.gov/idea/regs/b"
UNITED_STATES = (
    _us("US-EVAL-01", "Initial evaluation completed", "School district", PRIMARY, (IDEA + "/d/300.301/c",),
        (_c("consent_date", 60, DAYS),), "Federal default; a state may set its own timeframe.",
        (Allowance("child_not_produced", REMOVES, source=IDEA + "/d/300.301/d"),
         Allowance("moved_district", REMOVES, source=IDEA + "/d/300.301/d"))),
    _us("US-IEP-01", "Initial IEP meeting held", "School district", SECONDARY,
        ("http://idea.ed.gov/part-c/regulations/197.html",), (_c("eligibility_date", 30, DAYS),)),
    _us("US-IEP-02", "Annual IEP review", "IEP team", PRIMARY, (IDEA + "/d/300.324/b",),
        (_c("last_iep_meeting_date", 1, YEARS),)),
    _us("US-IEP-03", "Reevaluation at least every 3 years", "School district", PRIMARY,
        ("https://www.law.cornell.edu/cfr/text/34/300.303",), (_c("last_evaluation_date", 3, YEARS),),
        "Unless parent and district agree it is unnecessary."),
    _us("US-IEP-03B", "Earliest reevaluation without agreement (not more than once a year)", "School district",
        PRIMARY, ("https://www.law.cornell.edu/cfr/text/34/300.303",), (_c("last_evaluation_date", 1, YEARS),),
        "Id invented: the minimum interval of 300.303 (one row in the reference)."),
    _us("US-IEP-04", "Parents notified of the IEP meeting early enough", "School district", PRIMARY,
        (IDEA + "/d/300.322/a",)),
    _us("US-IEP-05", "Records of attempts when a meeting is held without the parent", "School district",
        PRIMARY, (IDEA + "/d/300.322/d",)),
    _us("US-IEP-06", "Parent given a copy of the IEP", "School district", SECONDARY,
        ("https://edregnc.com/regulation/1032",)),
    _us("US-IEP-07", "IEP team member excusal in writing", "School district and parent", PRIMARY,
        (IDEA + "/d/300.321/e/2",)),
    _us("US-PWN-01", "Prior written notice a reasonable time before a proposed change", "School district",
        PRIMARY, ("https://law.lawstack.com/cfr/34/300.503/",)),
    _us("US-IEE-01", "Independent educational evaluation: act without unnecessary delay", "School district",
        PRIMARY, (IDEA + "/e/300.502/a/3",)),
    _us("US-MED-01", "Mediation agreement in writing, signed, confidential", "State and school district",
        PRIMARY, (IDEA + "/e/300.506/b/6/i",)),
    _us("US-SC-01", "State complaint decision", "State education agency", PRIMARY,
        ("https://law.lawstack.com/cfr/34/300.152/",), (_c("complaint_filed_date", 60, DAYS),),
        exceptions=(Allowance("extension_granted", MOVES, source="https://law.lawstack.com/cfr/34/300.152/"),)),
    _us("US-SC-02", "Earliest violation a state complaint may allege", "Complainant", SECONDARY,
        ("http://idea.ed.gov/explore/view/p/,root,regs,preamble2,prepart2,B,1228,.html",),
        (_c("complaint_received_date", 1, YEARS, BEFORE),)),
    _us("US-DP-01", "Due process complaint filed", "Parent or school district", PRIMARY,
        ("http://federal.elaws.us/cfr/title34.part300.section300.507(a)",), (_c("knew_date", 2, YEARS),),
        "Or the State's explicit time limit; exceptions in 300.511(f)."),
    _us("US-DP-02", "District responds to the due process complaint", "School district", UNVERIFIED,
        ("http://idea.ed.gov/part-c/regulations/776.html",), (_c("complaint_received_date", 10, DAYS),),
        "Only if no prior written notice was sent; Part B wording not seen."),
    _us("US-DP-03", "Resolution meeting held", "School district", SECONDARY,
        ("https://edregnc.com/regulation/1046",), (_c("complaint_received_date", 15, DAYS),)),
    _us("US-DP-04", "Resolution period ends", "School district", PRIMARY, (IDEA + "/e/300.510/c",),
        (_c("complaint_received_date", 30, DAYS),)),
    _us("US-DP-05", "Last day to void a resolution agreement", "Parent or school district", SECONDARY,
        ("https://edregnc.com/regulation/1046",), (_c("agreement_signed_date", 3, WORKING_DAYS),)),
    _us("US-DP-06", "Hearing decision reached and mailed", "Hearing officer", PRIMARY,
        ("http://www.ideapartnership.org/index.php?option=com_content&view=article&id=469&catid=31&Itemid=58",),
        (_c("resolution_period_end_date", 45, DAYS),),
        exceptions=(Allowance("extension_granted", MOVES, source=IDEA + "/e/300.515/c"),)),
    _us("US-DP-06B", "State-level review decision", "State education agency", PRIMARY,
        ("http://www.ideapartnership.org/index.php?option=com_content&view=article&id=469&catid=31&Itemid=58",),
        (_c("review_requested_date", 30, DAYS),), "Id invented: 300.515(b), one row in the reference."),
    _us("US-REC-01", "Education records made available for inspection", "School district", SECONDARY,
        ("34 CFR 300.613 (reproduced in state codes, e.g. La. Admin. Code XLIII-613)",), (_c("records_requested_date", 45, DAYS),),
        "And before any IEP meeting, hearing or resolution session."),
    _us("US-REC-02", "Record of access to education records kept", "School district", UNVERIFIED, ()),
)

RULES: tuple[Rule, ...] = ENGLAND + UNITED_STATES
