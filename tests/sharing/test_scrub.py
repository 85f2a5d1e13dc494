"""The scrubber in improvenet/sharing/scrub.py: what it removes from free text, and what it leaves alone."""

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improvenet.sharing import scrub as scrub_module
from improvenet.sharing.scrub import EMAIL_NOTE, NUMBER_NOTE, PHONE_NOTE, scrub

# Text that cannot form an e-mail address, a phone number or a long digit string by itself.
plain_text = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs"), blacklist_characters="@+"), max_size=80)
short_numbers = st.integers(min_value=0, max_value=99_999).map(str)
student_ids = st.from_regex(r"[A-Z]{0,2}[0-9]{6,12}", fullmatch=True)
phones = st.sampled_from(("({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}", "1-{a}-{b}-{c}")).flatmap(
    lambda shape: st.tuples(st.from_regex(r"[2-9][0-9]{2}", fullmatch=True),
                            st.from_regex(r"[0-9]{3}", fullmatch=True),
                            st.from_regex(r"[0-9]{4}", fullmatch=True)).map(
        lambda parts: shape.format(a=parts[0], b=parts[1], c=parts[2])))
emails = st.from_regex(r"[a-z][a-z0-9._%+-]{0,15}@[a-z0-9-]{1,12}(\.[a-z]{2,6}){1,2}", fullmatch=True)


@pytest.mark.parametrize(("text", "expected"), [
    ("Write to rosa.diaz@alpha.k12.mi.us today.", f"Write to {EMAIL_NOTE} today."),
    ("Call (555) 123-4567 or 555.123.4567.", f"Call {PHONE_NOTE} or {PHONE_NOTE}."),
    ("International: +44 20 7946 0958.", f"International: {PHONE_NOTE}."),
    ("Student 20231234 and S1234567 were absent.", f"Student {NUMBER_NOTE} and {NUMBER_NOTE} were absent."),
    ("22 of 25 students on 2025-01-13, a year of 180 days, $12,500.",
     "22 of 25 students on 2025-01-13, a year of 180 days, $12,500."),
])
def test_examples(text, expected):
    assert scrub(text) == expected


def test_given_phrases_are_replaced_as_whole_words_longest_first_ignoring_case():
    redact = {"Rosa Diaz": "[name]", "Diaz": "[family]", "Alpha High": "[school]"}
    assert scrub("rosa diaz met Diaz at Alpha High, not Alpha Highlands.", redact) == (
        "[name] met [family] at [school], not Alpha Highlands."
    )
    assert scrub("Costs (a+b) [c]", {"(a+b)": "[x]", " ": "[never]"}) == "Costs [x] [c]"


@given(plain_text, student_ids, plain_text)
def test_a_student_id_never_survives(before, student_id, after):
    scrubbed = scrub(f"{before} {student_id} {after}")
    assert not re.search(r"\d{6,}", scrubbed)
    assert NUMBER_NOTE in scrubbed


@given(plain_text, emails, plain_text)
def test_an_email_address_never_survives(before, email, after):
    scrubbed = scrub(f"{before} {email} {after}")
    assert email not in scrubbed and EMAIL_NOTE in scrubbed


@given(plain_text, phones, plain_text)
def test_a_phone_number_never_survives(before, phone, after):
    scrubbed = scrub(f"{before} {phone} {after}")
    digits = re.sub(r"\D", "", phone)
    assert digits[-7:] not in re.sub(r"\D", "", scrubbed)


@given(st.lists(st.one_of(plain_text, short_numbers), max_size=8).map(" of ".join))
def test_text_without_contacts_or_ids_is_left_as_it_is(text):
    assert scrub(text) == text


def test_counts_that_cannot_be_a_phone_number_stay():
    """Three numbers in a row look like a phone number only with a North American area code (2 to 9 first)."""
    assert scrub("Grades 100 100 1000") == "Grades 100 100 1000"
    assert scrub("Call 212 100 1000") == f"Call {PHONE_NOTE}"


@given(st.lists(st.one_of(plain_text, short_numbers, student_ids, emails, phones), max_size=8).map(" ".join),
       st.dictionaries(st.from_regex(r"[A-Z][a-z]{1,8} [A-Z][a-z]{1,8}", fullmatch=True),
                       st.sampled_from(("[name]", "[a school]")), max_size=4))
def test_scrubbing_twice_changes_nothing(text, redact):
    once = scrub(text, redact)
    assert scrub(once, redact) == once


def test_the_scrubber_imports_no_framework():
    tree = ast.parse(Path(scrub_module.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"re", "collections"}
