"""The pure rules of documents and the evidence pack: a file's kind from its bytes, safe names, sizes,
when advice is due, and where a request stands."""

from __future__ import annotations

from datetime import date

import pytest

from facilitation.domain import documents as rules
from facilitation.domain.errors import InvalidValue
from tests import sample_files


def test_the_kind_comes_from_the_content_not_the_name():
    assert rules.sniff(sample_files.pdf()) == "pdf"
    assert rules.sniff(sample_files.docx()) == "docx"
    assert rules.sniff(sample_files.png()) == "png"
    assert rules.sniff(sample_files.jpeg()) == "jpeg"
    assert rules.sniff(sample_files.plain_zip()) is None  # a zip is not a Word document
    assert rules.sniff(b"MZ\x90\x00 an executable") is None
    assert rules.sniff(b"<html><script>alert(1)</script>") is None


def test_a_file_whose_content_is_not_what_its_name_or_type_says_is_refused():
    with pytest.raises(InvalidValue, match="content is PNG, not the PDF"):
        rules.check_upload(sample_files.png(), "report.pdf", None, 10_000)
    with pytest.raises(InvalidValue, match="content is PDF, not the JPEG"):
        rules.check_upload(sample_files.pdf(), "photo.bin", "image/jpeg", 10_000)
    assert rules.check_upload(sample_files.pdf(), "report", "application/octet-stream", 10_000) == ("pdf", "report")


def test_sizes_over_the_limit_are_too_large_and_other_kinds_unsupported():
    with pytest.raises(rules.TooLarge, match="larger than the 1 KB allowed"):
        rules.check_upload(b"%PDF-" + b"0" * 2000, "big.pdf", None, 1024)
    with pytest.raises(rules.UnsupportedType):
        rules.check_upload(b"plain text", "notes.txt", "text/plain", 1024)
    with pytest.raises(rules.UnsupportedType, match="PNG or JPEG"):
        rules.check_upload(sample_files.pdf(), "drawing.pdf", None, 10_000, images_only=True)


@pytest.mark.parametrize("name", ["../etc/passwd.pdf", "a/b.pdf", "C:\\x\\y.pdf", "C:y.pdf", "..", "."])
def test_names_with_a_path_are_refused(name):
    with pytest.raises(InvalidValue, match="folder or path") as caught:
        rules.check_name(name)
    assert caught.value.field == "file"


@pytest.mark.parametrize("name", ["a\x00b.pdf", "a\nb.pdf", "a\u202eb.pdf", "\x1b[31m.pdf"])
def test_names_with_control_characters_are_refused(name):
    with pytest.raises(InvalidValue, match="control characters"):
        rules.check_name(name)


def test_names_are_kept_readable_and_short_with_their_extension():
    assert rules.check_name("  Évaluation d'Eve.pdf ") == "Évaluation d'Eve.pdf"
    assert rules.check_name('What? "this" <one>.pdf') == "What_ _this_ _one_.pdf"
    assert rules.check_name(".hidden.pdf") == "hidden.pdf"
    long = rules.check_name("x" * 300 + ".docx")
    assert len(long) == rules.NAME_MAX and long.endswith(".docx")


def test_advice_is_due_two_weeks_before_an_annual_review_and_a_week_before_other_meetings():
    day = date(2027, 3, 18)
    assert rules.default_due("ehcp_annual_review", day) == date(2027, 3, 4)
    assert rules.default_due("sen_support_review", day) == date(2027, 3, 11)


def test_a_request_is_requested_received_late_or_overdue():
    due = date(2027, 3, 4)
    assert rules.request_state(due, None, date(2027, 3, 4)) == "requested"
    assert rules.request_state(due, None, date(2027, 3, 5)) == "overdue"
    assert rules.request_state(due, date(2027, 3, 4), date(2027, 3, 9)) == "received"
    assert rules.request_state(due, date(2027, 3, 5), date(2027, 3, 9)) == "late"


def test_a_circulation_says_whether_it_went_out_in_time():
    assert rules.Circulation(date(2027, 3, 1), date(2027, 3, 4)).describe() == "Circulated on 01 Mar 2027, by 04 Mar 2027 as required."
    late = rules.Circulation(date(2027, 3, 6), date(2027, 3, 4))
    assert not late.on_time and "2 days after 04 Mar 2027" in late.describe()
