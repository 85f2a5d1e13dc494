"""The rules of products and pilots: who makes a product, which agreement covers it, and the pilot's stages."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from improvenet.pilots.models import GateRefused, Product, UsageUpload, UsageWeek
from tests.partners.conftest import make_agreement
from tests.pilots.conftest import DAY, USAGE, make_pilot, upload_usage


def test_a_product_is_made_by_a_partner_company_of_the_cluster(alpha_scope):
    p = alpha_scope
    assert str(p.product) == "Reading Coach 4.2"
    assert p.product.price_label == "30.00 USD per student per school year"
    product = Product(cluster=p.world.alpha, company=p.union, name="Union app", price_per_student=Decimal("1"))
    with pytest.raises(ValidationError) as raised:
        product.full_clean()
    assert "a product's maker is a company or a nonprofit partner" in raised.value.message_dict["company"][0]


def test_the_privacy_agreement_is_one_the_company_signed(alpha_scope):
    p = alpha_scope
    board_only = make_agreement(p.world.alpha, [p.world.district], title="Board memorandum")
    product = Product(cluster=p.world.alpha, company=p.company, name="Math Coach", price_per_student=Decimal("5"),
                      privacy_agreement=board_only)
    with pytest.raises(ValidationError) as raised:
        product.full_clean()
    assert raised.value.message_dict["privacy_agreement"] == [
        "Lexia Learning is not a party to “Board memorandum”: choose an agreement the company signed."]


def test_price_and_currency_are_checked(alpha_scope):
    p = alpha_scope
    product = Product(cluster=p.world.alpha, company=p.company, name="Math Coach", price_per_student=Decimal("-1"),
                      currency="usd")
    with pytest.raises(ValidationError) as raised:
        product.full_clean()
    errors = raised.value.message_dict
    assert "price_per_student" in errors
    assert errors["currency"] == ["Give the currency as its three-letter code, for example USD."]


def test_each_stage_waits_for_what_it_needs_and_names_it(alpha_scope):
    p = alpha_scope
    pilot = make_pilot(p, need="")
    with pytest.raises(GateRefused, match="Write the need the product should meet."):
        pilot.advance()
    pilot.need = "Grade 3 reading."
    pilot.advance()
    pilot.selection_reason = ""
    with pytest.raises(GateRefused, match="Say why this product was chosen."):
        pilot.advance()
    pilot.selection_reason = "It fits."
    pilot.advance()
    pilot.students = None
    with pytest.raises(GateRefused, match="Give the students in the pilot."):
        pilot.advance()
    pilot.students = 100
    pilot.advance()
    assert pilot.stage == "train"
    assert [move.stage for move in pilot.moves.all()] == ["select", "plan", "train"]


def test_students_use_the_product_only_under_a_signed_privacy_agreement(alpha_scope):
    p = alpha_scope
    pilot = make_pilot(p, "train")
    p.privacy.signed_on = None
    p.privacy.save()
    with pytest.raises(GateRefused, match="The privacy agreement “Lexia data-processing agreement” is not signed yet."):
        pilot.advance()
    p.privacy.signed_on = p.today - DAY
    p.privacy.save()
    p.privacy.end(p.today)
    pilot.refresh_from_db()
    with pytest.raises(GateRefused, match="is not in force \\(ended\\)"):
        pilot.advance()


def test_implement_needs_usage_and_analyze_an_estimate_with_its_source(alpha_scope):
    p = alpha_scope
    pilot = make_pilot(p, "implement")
    with pytest.raises(GateRefused, match="Upload the company's usage file."):
        pilot.advance()
    upload_usage(pilot, USAGE)
    pilot.advance()
    pilot.effect_size, pilot.effect_standard_error = 0.2, 0.08
    with pytest.raises(GateRefused, match="the outcome and its source"):
        pilot.advance()


def test_fields_of_a_finished_stage_stay_as_they_were(alpha_scope):
    p = alpha_scope
    pilot = make_pilot(p, "implement")
    with pytest.raises(ValidationError) as raised:
        pilot.check_changeable(["success_statement", "effect_size", "schools"])
    errors = raised.value.message_dict
    assert "belongs to Plan, which this pilot has finished" in errors["success_statement"][0]
    assert errors["effect_size"] == ["“effect size (SD)” is written in Analyze; this pilot is at Implement."]
    assert "schools are fixed once students use the product" in errors["schools"][0]


def test_the_decision_needs_a_reason_and_ends_the_pilot(alpha_scope):
    p = alpha_scope
    pilot = make_pilot(p, "analyze")
    with pytest.raises(GateRefused, match="A pilot is decided at its Decide stage"):
        pilot.decide("adopt", "It worked.")
    pilot.effect_size, pilot.effect_standard_error = 0.25, 0.1
    pilot.effect_outcome, pilot.effect_source = "Spring benchmark", "District analysis, 2 schools"
    pilot.advance()
    with pytest.raises(GateRefused, match="Say why"):
        pilot.decide("adopt", "  ")
    with pytest.raises(GateRefused, match="Choose a decision"):
        pilot.decide("buy", "Cheap.")
    pilot.decide("adapt", "Use it three times a week, not once.", on=p.today)
    assert (pilot.stage, pilot.decision, pilot.decided_on) == ("done", "adapt", p.today)
    with pytest.raises(GateRefused, match="moves no further"):
        pilot.advance()


def test_cost_per_student_and_per_tenth_of_a_standard_deviation(alpha_scope):
    p = alpha_scope
    pilot = make_pilot(p, "plan", starts_on=datetime.date(2026, 9, 8), ends_on=datetime.date(2027, 1, 29),
                       students=120, other_costs=Decimal("600.00"))
    assert pilot.months() == 5
    assert pilot.cost_per_student().label == "35.00 USD per student"  # 30 a school year + 600 / 120
    assert pilot.cost_per_tenth_sd() is None
    pilot.effect_size = 0.14
    assert pilot.cost_per_tenth_sd().label == "25.00 USD per student for each 0.1 SD of effect"
    pilot.effect_size = -0.05
    assert pilot.cost_per_tenth_sd() is None


def test_usage_is_saved_whole_or_not_at_all_and_kept_per_school_and_week(alpha_scope):
    p = alpha_scope
    pilot = make_pilot(p, "implement")
    checked, upload = upload_usage(pilot, USAGE + "Alpha Elementary,{w0},3,30\n")
    assert upload is None and [problem.row for problem in checked.problems] == [6]
    assert not UsageWeek.objects.exists() and not UsageUpload.objects.exists()
    checked, upload = upload_usage(pilot, USAGE)
    assert upload.weeks == 4 and pilot.usage_totals()["student_weeks"] == 102
    # A corrected week replaces the one sent before; the others stay.
    checked, upload = upload_usage(pilot, "school,week,active_students,minutes\nAlpha Middle,{w1},6,240\n")
    assert sorted(pilot.usage_weeks.values_list("active_students", flat=True)) == [6, 20, 38, 40]
    assert {f.name for f in UsageWeek._meta.get_fields()} >= {"active_students", "minutes"}
    assert not any("student_id" in f.name or f.name == "student" for f in UsageWeek._meta.get_fields())
